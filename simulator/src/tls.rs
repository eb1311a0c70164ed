//! Test PKI and the mutual-TLS listener (contract §2.3, two-way SSL).
//!
//! [`issue_test_pki`] writes a throw-away CA, a server certificate for `localhost` / `127.0.0.1`
//! and a client certificate signed by that CA, plus a second, unrelated CA with its own client
//! certificate for negative tests. The simulator's TLS listener requires a client certificate
//! that chains to `ca.pem`.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// Paths of the files written by [`issue_test_pki`] (all PEM).
///
/// The certificates are valid from 1975 to 4096 (rcgen's defaults), so neither the real nor the
/// simulated clock expires them. Keys are ECDSA P-256 in PKCS#8 (`-----BEGIN PRIVATE KEY-----`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestPki {
    /// The directory holding every file.
    pub dir: PathBuf,
    /// `ca.pem`: the CA that signs the server and client certificates (trust it as the server CA).
    pub ca_cert: PathBuf,
    /// `ca-key.pem`: the CA's private key.
    pub ca_key: PathBuf,
    /// `server.pem`: the TLS listener's certificate (SAN `localhost`, `127.0.0.1`, `::1`).
    pub server_cert: PathBuf,
    /// `server-key.pem`: the TLS listener's private key.
    pub server_key: PathBuf,
    /// `client.pem`: a client certificate signed by `ca.pem` (accepted by the TLS listener).
    pub client_cert: PathBuf,
    /// `client-key.pem`: the private key of `client.pem`.
    pub client_key: PathBuf,
    /// `client-combined.pem`: `client.pem` followed by `client-key.pem` (for `curl --cert`).
    pub client_combined: PathBuf,
    /// `other-ca.pem`: a second CA, unrelated to `ca.pem` (for negative tests).
    pub other_ca_cert: PathBuf,
    /// `other-client.pem`: a client certificate signed by `other-ca.pem` (refused by the listener).
    pub other_client_cert: PathBuf,
    /// `other-client-key.pem`: the private key of `other-client.pem`.
    pub other_client_key: PathBuf,
    /// `client-rsa.pem`: an RSA-2048 client certificate signed by `ca.pem`.
    pub client_rsa_cert: PathBuf,
    /// `client-rsa-key.pem`: the private key of `client-rsa.pem`.
    pub client_rsa_key: PathBuf,
    /// `client.p12`: `client.pem`, its key and `ca.pem` as PKCS#12, password
    /// [`crate::TEST_PKI_PASSWORD`].
    pub client_p12: PathBuf,
    /// `client-rsa.p12`: the same for `client-rsa.pem`.
    pub client_rsa_p12: PathBuf,
    /// `client-key-encrypted.pem`: `client-key.pem` as an encrypted PKCS#8 PEM key (PBES2),
    /// password [`crate::TEST_PKI_PASSWORD`].
    pub client_key_encrypted: PathBuf,
    /// `client-rsa-key-encrypted.pem`: the same for `client-rsa-key.pem`.
    pub client_rsa_key_encrypted: PathBuf,
}

/// Subject common name of `client.pem`.
pub const TEST_CLIENT_CN: &str = "signbridge-sim test client";
/// Subject common name of `other-client.pem`.
pub const OTHER_CLIENT_CN: &str = "signbridge-sim other client";
/// Subject organisation of every certificate [`issue_test_pki`] makes.
pub const TEST_PKI_ORG: &str = "signbridge-sim";

impl TestPki {
    /// The file paths of a PKI in `dir` (nothing is read or written).
    pub fn in_dir(dir: &Path) -> TestPki {
        let f = |name: &str| dir.join(name);
        TestPki {
            dir: dir.to_path_buf(),
            ca_cert: f("ca.pem"),
            ca_key: f("ca-key.pem"),
            server_cert: f("server.pem"),
            server_key: f("server-key.pem"),
            client_cert: f("client.pem"),
            client_key: f("client-key.pem"),
            client_combined: f("client-combined.pem"),
            other_ca_cert: f("other-ca.pem"),
            other_client_cert: f("other-client.pem"),
            other_client_key: f("other-client-key.pem"),
            client_rsa_cert: f("client-rsa.pem"),
            client_rsa_key: f("client-rsa-key.pem"),
            client_p12: f("client.p12"),
            client_rsa_p12: f("client-rsa.p12"),
            client_key_encrypted: f("client-key-encrypted.pem"),
            client_rsa_key_encrypted: f("client-rsa-key-encrypted.pem"),
        }
    }

    /// True when the files the TLS listener needs (`ca.pem`, `server.pem`, `server-key.pem`)
    /// all exist.
    pub fn server_files_exist(&self) -> bool {
        [&self.ca_cert, &self.server_cert, &self.server_key]
            .iter()
            .all(|p| p.is_file())
    }
}

pub(crate) fn rc(e: rcgen::Error) -> io::Error {
    io::Error::other(format!("cannot make test certificate: {e}"))
}

fn dn(common_name: &str) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, common_name);
    dn.push(DnType::OrganizationName, TEST_PKI_ORG);
    dn
}

fn ca_params(common_name: &str) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(common_name);
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    p
}

pub(crate) fn leaf_params(common_name: &str, eku: ExtendedKeyUsagePurpose) -> CertificateParams {
    let mut p = CertificateParams::default();
    p.distinguished_name = dn(common_name);
    p.is_ca = IsCa::ExplicitNoCa;
    p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    p.extended_key_usages = vec![eku];
    p.use_authority_key_identifier_extension = true;
    p
}

pub(crate) fn write(path: &Path, contents: &str, private: bool) -> io::Result<()> {
    std::fs::write(path, contents)?;
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    }
    #[cfg(not(unix))]
    let _ = private;
    Ok(())
}

/// Issues a fresh test PKI into `dir` (created if missing; existing files are overwritten) and
/// returns the paths.
///
/// Files: `ca.pem`, `ca-key.pem`, `server.pem`, `server-key.pem` (SAN `localhost`, `127.0.0.1`,
/// `::1`; EKU serverAuth), `client.pem`, `client-key.pem`, `client-combined.pem` (cert then key;
/// subject `CN=signbridge-sim test client, O=signbridge-sim`; EKU clientAuth), and from an
/// unrelated CA `other-ca.pem`, `other-client.pem`, `other-client-key.pem`; and the client
/// credentials as users hold them: `client-rsa.pem` / `client-rsa-key.pem` (RSA-2048),
/// `client.p12` / `client-rsa.p12` (PKCS#12) and `client-key-encrypted.pem` /
/// `client-rsa-key-encrypted.pem` (encrypted PKCS#8), opened with [`crate::TEST_PKI_PASSWORD`].
/// Private keys are written with mode 0600 on Unix.
///
/// # Errors
///
/// Returns an error when the directory or a file cannot be written or a certificate cannot be made.
pub fn issue_test_pki(dir: &Path) -> io::Result<TestPki> {
    std::fs::create_dir_all(dir)?;
    let pki = TestPki::in_dir(dir);

    let ca_key = KeyPair::generate().map_err(rc)?;
    let ca_key_pem = ca_key.serialize_pem();
    let ca =
        CertifiedIssuer::self_signed(ca_params("signbridge-sim test CA"), ca_key).map_err(rc)?;

    let server_key = KeyPair::generate().map_err(rc)?;
    let mut server_params = leaf_params("localhost", ExtendedKeyUsagePurpose::ServerAuth);
    server_params.subject_alt_names = vec![
        SanType::DnsName("localhost".try_into().map_err(rc)?),
        SanType::IpAddress(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        SanType::IpAddress(IpAddr::V6(Ipv6Addr::LOCALHOST)),
    ];
    let server = server_params.signed_by(&server_key, &ca).map_err(rc)?;

    let client_key = KeyPair::generate().map_err(rc)?;
    let client = leaf_params(TEST_CLIENT_CN, ExtendedKeyUsagePurpose::ClientAuth)
        .signed_by(&client_key, &ca)
        .map_err(rc)?;

    let other_ca_key = KeyPair::generate().map_err(rc)?;
    let other_ca = CertifiedIssuer::self_signed(
        ca_params("signbridge-sim other CA (not trusted by the simulator)"),
        other_ca_key,
    )
    .map_err(rc)?;
    let other_key = KeyPair::generate().map_err(rc)?;
    let other = leaf_params(OTHER_CLIENT_CN, ExtendedKeyUsagePurpose::ClientAuth)
        .signed_by(&other_key, &other_ca)
        .map_err(rc)?;

    write(&pki.ca_cert, &ca.pem(), false)?;
    write(&pki.ca_key, &ca_key_pem, true)?;
    write(&pki.server_cert, &server.pem(), false)?;
    write(&pki.server_key, &server_key.serialize_pem(), true)?;
    write(&pki.client_cert, &client.pem(), false)?;
    write(&pki.client_key, &client_key.serialize_pem(), true)?;
    write(
        &pki.client_combined,
        &format!("{}{}", client.pem(), client_key.serialize_pem()),
        true,
    )?;
    write(&pki.other_ca_cert, &other_ca.pem(), false)?;
    write(&pki.other_client_cert, &other.pem(), false)?;
    write(&pki.other_client_key, &other_key.serialize_pem(), true)?;
    crate::tls_creds::write_extra(&pki, &ca, ca.der(), &client_key, client.der())?;
    Ok(pki)
}

fn pem_err(path: &Path, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{}: {e}", path.display()),
    )
}

fn read_certs(path: &Path) -> io::Result<Vec<CertificateDer<'static>>> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_err(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_err(path, e))?;
    if certs.is_empty() {
        return Err(pem_err(path, "no certificate found"));
    }
    Ok(certs)
}

/// Builds the TLS acceptor for `dir`: issues the PKI first when `ca.pem`, `server.pem` or
/// `server-key.pem` is missing; requires client certificates that chain to `ca.pem`; offers
/// HTTP/2 by ALPN when `http2`.
pub(crate) fn acceptor(dir: &Path, http2: bool) -> io::Result<tokio_rustls::TlsAcceptor> {
    let mut pki = TestPki::in_dir(dir);
    if !pki.server_files_exist() {
        pki = issue_test_pki(dir)?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for ca in read_certs(&pki.ca_cert)? {
        roots.add(ca).map_err(|e| pem_err(&pki.ca_cert, e))?;
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .map_err(|e| io::Error::other(format!("client verifier: {e}")))?;
    let chain = read_certs(&pki.server_cert)?;
    let key =
        PrivateKeyDer::from_pem_file(&pki.server_key).map_err(|e| pem_err(&pki.server_key, e))?;
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| io::Error::other(format!("TLS versions: {e}")))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| io::Error::other(format!("server certificate: {e}")))?;
    config.alpn_protocols = if http2 {
        vec![b"h2".to_vec(), b"http/1.1".to_vec()]
    } else {
        vec![b"http/1.1".to_vec()]
    };
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

// ---------------------------------------------------------------------------------------------
// Minimal DER reading: the subject of a certificate, as `CN=..., O=...` (certificate order).

/// Reads one DER TLV at the start of `data`: (tag, contents, rest).
fn tlv(data: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = data.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

fn attr_name(oid: &[u8]) -> Option<&'static str> {
    // 2.5.4.x is encoded 55 04 x.
    match oid {
        [0x55, 0x04, 0x03] => Some("CN"),
        [0x55, 0x04, 0x06] => Some("C"),
        [0x55, 0x04, 0x07] => Some("L"),
        [0x55, 0x04, 0x08] => Some("ST"),
        [0x55, 0x04, 0x0a] => Some("O"),
        [0x55, 0x04, 0x0b] => Some("OU"),
        [0x55, 0x04, 0x05] => Some("serialNumber"),
        _ => None,
    }
}

/// The subject DN of a DER certificate, e.g. `CN=signbridge-sim test client, O=signbridge-sim`.
/// Unknown attribute types are written as their dotted-less hex OID.
pub(crate) fn subject_of(cert: &[u8]) -> Option<String> {
    let (_, cert, _) = tlv(cert)?; // Certificate SEQUENCE
    let (_, mut tbs, _) = tlv(cert)?; // tbsCertificate SEQUENCE
    if tbs.first() == Some(&0xa0) {
        tbs = tlv(tbs)?.2; // [0] version
    }
    let tbs = tlv(tbs)?.2; // serialNumber
    let tbs = tlv(tbs)?.2; // signature AlgorithmIdentifier
    let tbs = tlv(tbs)?.2; // issuer
    let tbs = tlv(tbs)?.2; // validity
    let (_, mut name, _) = tlv(tbs)?; // subject Name
    let mut parts = Vec::new();
    while !name.is_empty() {
        let (_, mut set, rest) = tlv(name)?;
        name = rest;
        while !set.is_empty() {
            let (_, atv, rest) = tlv(set)?;
            set = rest;
            let (_, oid, value) = tlv(atv)?;
            let (_, value, _) = tlv(value)?;
            let key = attr_name(oid)
                .map(str::to_owned)
                .unwrap_or_else(|| oid.iter().map(|b| format!("{b:02x}")).collect::<String>());
            parts.push(format!("{key}={}", String::from_utf8_lossy(value)));
        }
    }
    Some(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pki_files_and_subject() {
        let dir = std::env::temp_dir().join(format!("sbsim-pki-{}", uuid::Uuid::new_v4()));
        let pki = issue_test_pki(&dir).expect("pki");
        assert!(pki.server_files_exist());
        let der = read_certs(&pki.client_cert).expect("client cert");
        assert_eq!(
            subject_of(der[0].as_ref()).as_deref(),
            Some("CN=signbridge-sim test client, O=signbridge-sim")
        );
        let combined = std::fs::read_to_string(&pki.client_combined).expect("combined");
        assert!(combined.contains("BEGIN CERTIFICATE") && combined.contains("BEGIN PRIVATE KEY"));
        assert!(acceptor(&dir, true).is_ok());
        assert!(acceptor(&dir, false).is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
