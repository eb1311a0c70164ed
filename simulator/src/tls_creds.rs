//! Client credentials as users hold them, issued beside the test PKI: an RSA-2048 client
//! certificate (next to the ECDSA P-256 one), PKCS#12 files of both, and the keys as encrypted
//! PKCS#8 PEM — all opened with [`TEST_PKI_PASSWORD`].

use std::io;

use rcgen::{CertificateParams, ExtendedKeyUsagePurpose, KeyPair, SigningKey};
use rustls_pki_types::PrivatePkcs8KeyDer;

use crate::tls::{leaf_params, rc, write, TestPki};

/// The password of the PKCS#12 files and encrypted keys of [`crate::issue_test_pki`].
pub const TEST_PKI_PASSWORD: &str = "sim-pki-password-0001";

/// Subject common name of `client-rsa.pem`.
pub const TEST_RSA_CLIENT_CN: &str = "signbridge-sim test client (RSA)";

fn other(e: impl std::fmt::Display) -> io::Error {
    io::Error::other(format!("cannot make test credentials: {e}"))
}

/// A fresh RSA-2048 key pair (PKCS#8) that rcgen signs with.
fn rsa_key() -> io::Result<KeyPair> {
    use rsa::pkcs8::EncodePrivateKey as _;
    let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).map_err(other)?;
    let der = key.to_pkcs8_der().map_err(other)?;
    KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(der.as_bytes().to_vec()),
        &rcgen::PKCS_RSA_SHA256,
    )
    .map_err(rc)
}

/// `key` (PKCS#8 DER) encrypted with [`TEST_PKI_PASSWORD`] (PBES2: PBKDF2-SHA256, AES-256-CBC),
/// as PEM (`ENCRYPTED PRIVATE KEY`).
fn encrypted_pem(key_der: &[u8]) -> io::Result<String> {
    use pkcs8::der::EncodePem as _;
    let info = pkcs8::PrivateKeyInfo::try_from(key_der).map_err(other)?;
    let salt: [u8; 16] = rand_bytes();
    let iv: [u8; 16] = rand_bytes();
    let params = pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, &salt, &iv)
        .map_err(other)?;
    let doc = info
        .encrypt_with_params(params, TEST_PKI_PASSWORD)
        .map_err(other)?;
    let enc = pkcs8::EncryptedPrivateKeyInfo::try_from(doc.as_bytes()).map_err(other)?;
    enc.to_pem(pkcs8::LineEnding::LF).map_err(other)
}

fn rand_bytes<const N: usize>() -> [u8; N] {
    use rand_core::RngCore as _;
    let mut b = [0u8; N];
    rand_core::OsRng.fill_bytes(&mut b);
    b
}

/// A PKCS#12 file of `key` (PKCS#8 DER) and its chain `certs` (DER, leaf first), protected by
/// [`TEST_PKI_PASSWORD`] (PBES2 with AES-256, HMAC-SHA256).
fn pkcs12(key_der: &[u8], certs: &[&[u8]]) -> io::Result<Vec<u8>> {
    use p12_keystore::{Certificate, KeyStore, KeyStoreEntry, PrivateKey, PrivateKeyChain};
    let key = PrivateKey::from_der(key_der).map_err(other)?;
    let chain = certs
        .iter()
        .map(|c| Certificate::from_der(c))
        .collect::<Result<Vec<_>, _>>()
        .map_err(other)?;
    let mut store = KeyStore::new();
    store.add_entry(
        "client",
        KeyStoreEntry::PrivateKeyChain(PrivateKeyChain::new(
            rand_bytes::<20>().to_vec(),
            key,
            chain,
        )),
    );
    store
        .writer(TEST_PKI_PASSWORD)
        .encryption_iterations(2048)
        .mac_iterations(2048)
        .write()
        .map_err(other)
}

/// Issue the RSA client certificate and write every extra credential file of `pki`, signed by
/// `ca` (whose certificate is `ca_der`); `client_key`/`client_der` are the ECDSA client's.
pub(crate) fn write_extra<S: SigningKey>(
    pki: &TestPki,
    ca: &rcgen::Issuer<'_, S>,
    ca_der: &[u8],
    client_key: &KeyPair,
    client_der: &[u8],
) -> io::Result<()> {
    let rsa = rsa_key()?;
    let params: CertificateParams =
        leaf_params(TEST_RSA_CLIENT_CN, ExtendedKeyUsagePurpose::ClientAuth);
    let rsa_cert = params.signed_by(&rsa, ca).map_err(rc)?;
    write(&pki.client_rsa_cert, &rsa_cert.pem(), false)?;
    write(&pki.client_rsa_key, &rsa.serialize_pem(), true)?;
    let ec_key_der = client_key.serialize_der();
    let rsa_key_der = rsa.serialize_der();
    write(
        &pki.client_key_encrypted,
        &encrypted_pem(&ec_key_der)?,
        true,
    )?;
    write(
        &pki.client_rsa_key_encrypted,
        &encrypted_pem(&rsa_key_der)?,
        true,
    )?;
    for (path, key, leaf) in [
        (&pki.client_p12, &ec_key_der, client_der),
        (&pki.client_rsa_p12, &rsa_key_der, rsa_cert.der().as_ref()),
    ] {
        std::fs::write(path, pkcs12(key, &[leaf, ca_der])?)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    Ok(())
}
