use signbridge::providers::securosys::{
    CertificateRequest, CsrRequest, DistinguishedName, ExtendedKeyUsage, KeySpec,
};

async fn certificates(client: &signbridge::Client) -> signbridge::Result<(String, String)> {
    let hsm = client.securosys()?;
    let alg = KeySpec::P256.default_signature_algorithm();

    // CA:TRUE with keyCertSign and cRLSign, valid for ten years.
    let ca = CertificateRequest::new("Example Signing CA", alg.clone())
        .authority()
        .with_validity_days(3650);
    let cert = hsm.self_signed_certificate("contract-key", &ca).await?;

    let mut subject = DistinguishedName::new("Contract Signer");
    subject.country = Some("CH".into());
    subject.organization_name = Some("Example AG".into());
    subject.email = Some("signer@example.com".into());
    let mut req = CsrRequest::new(subject, alg);
    req.extended_key_usage
        .push(ExtendedKeyUsage::EmailProtection);
    let csr = hsm
        .certificate_signing_request("contract-key", &req)
        .await?;

    // `cert.der` / `csr.der` hold the DER.
    Ok((cert.pem(), csr.pem()))
}
