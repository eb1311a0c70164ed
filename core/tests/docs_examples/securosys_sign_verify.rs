use signbridge::providers::securosys::{CreateKey, KeySpec, PayloadKind};

async fn sign_and_verify(client: &signbridge::Client) -> signbridge::Result<Vec<u8>> {
    let hsm = client.securosys()?;
    // RSA 2048/3072/4096, EC P-256/P-384 or Ed25519; sign + verify only, not extractable.
    let key = hsm
        .create_key(&CreateKey::new("contract-key", KeySpec::P256))
        .await?;
    println!("{}", key.public_key_pem()?);
    let alg = KeySpec::P256.default_signature_algorithm(); // SHA256_WITH_ECDSA
    let doc = b"the contract";
    let sig = hsm
        .synchronous_sign("contract-key", doc, PayloadKind::Raw, &alg)
        .await?;
    assert!(
        hsm.verify("contract-key", doc, PayloadKind::Raw, &alg, &sig)
            .await?
    );
    // A digest computed elsewhere: PayloadKind::Digest (its length is checked against the hash).
    Ok(sig) // DER; `openssl dgst -sha256 -verify pub.pem -signature sig doc` accepts it
}
