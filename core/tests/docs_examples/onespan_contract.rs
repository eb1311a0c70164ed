use signbridge::providers::onespan::{
    DocumentSpec, DownloadKind, NewPackage, SignatureField, Signer,
};

async fn contract(client: &signbridge::Client, pdf: Vec<u8>) -> signbridge::Result<()> {
    let os = client.onespan()?;
    let package = NewPackage::new("Employment contract")
        .signer(Signer::new("employee", "ann@example.com", "Ann", "Smith"))
        .signer(Signer::new("hr", "hr@example.com", "Hal", "Rees")) // signs second
        .document(
            DocumentSpec::from_bytes("Contract", pdf)? // checked to be a PDF
                .field(SignatureField::new("employee", 0, 620.0, 80.0)) // page 0, top, left
                .field(SignatureField::new("hr", 0, 620.0, 320.0).size(180.0, 40.0)),
        )
        .send_on_create(true);
    let id = os.create_package(&package).await?; // one multipart request
    println!("Ann signs at {}", os.signing_url(&id, "employee").await?);

    // COMPLETED → Ok; DECLINED / OPTED_OUT → SB_ERR_REJECTED (reason in the message and
    // provider_description); EXPIRED → SB_ERR_SESSION_EXPIRED; trashed → SB_ERR_CANCELLED;
    // deleted → SB_ERR_NOT_FOUND.
    let done = os.wait(&id, &Default::default()).await?;
    for d in &done.documents {
        os.download_into(&id, &DownloadKind::Document(d.id.clone()), "signed/")
            .await?;
    }
    os.download_to(&id, &DownloadKind::EvidenceSummary, "signed/evidence.pdf")
        .await?;
    Ok(())
}
