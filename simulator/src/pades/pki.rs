//! The simulated services' test PKIs: per service a root CA, an issuing CA, and personal
//! certificates for the people who sign.
//!
//! Every key is derived from a fixed label (SHA-256 of the label, as a P-256 scalar) and every
//! certificate is signed with deterministic ECDSA (RFC 6979), so the PKI is byte-for-byte the same
//! on every start, in every test and on every machine: a root certificate saved once keeps
//! verifying documents signed by any later run. These are test keys, published with the source;
//! nothing signed by them proves anything outside a test.

use std::str::FromStr as _;
use std::sync::OnceLock;
use std::time::Duration;

use der::{Decode as _, Encode as _, EncodePem as _};
use p256::ecdsa::{DerSignature, SigningKey};
use sha2::{Digest as _, Sha256};
use spki::{EncodePublicKey as _, SubjectPublicKeyInfoOwned};
use x509_cert::builder::{Builder as _, CertificateBuilder, Profile};
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;
use x509_cert::Certificate;

/// 2020-01-01T00:00:00Z: the CAs' and the default personal certificates' start.
pub const NOT_BEFORE: u64 = 1_577_836_800;
/// 2045-01-01T00:00:00Z: the root CAs' end.
const ROOT_NOT_AFTER: u64 = 2_366_841_600;
/// 2040-01-01T00:00:00Z: the issuing CAs' end.
const ISSUING_NOT_AFTER: u64 = 2_208_988_800;
/// 2035-01-01T00:00:00Z: the default personal certificates' end.
pub const PERSONAL_NOT_AFTER: u64 = 2_051_222_400;

/// A certification authority: its key and certificate.
pub struct Ca {
    key: SigningKey,
    cert: Certificate,
}

impl Ca {
    /// The CA's certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }
}

/// One service's PKI: a root and an issuing CA under it.
pub struct Pki {
    /// The service: `bankid` or `onespan`.
    pub service: &'static str,
    /// Text of the visible stamp: `Signed with … (simulated)`.
    pub stamp_title: &'static str,
    root: Ca,
    issuing: Ca,
}

/// A signer's key, certificate and the chain above it (issuing CA, root).
pub struct Credentials {
    /// The signing key.
    pub key: SigningKey,
    /// The signer's certificate.
    pub cert: Certificate,
    /// The CA certificates above it, issuer first.
    pub chain: Vec<Certificate>,
}

/// Who a personal certificate is for.
#[derive(Debug, Clone, Default)]
pub struct Subject<'a> {
    /// The person's name (the certificate's common name).
    pub name: &'a str,
    /// A personal identifier (the subject's `serialNumber` attribute), if any.
    pub serial_number: Option<&'a str>,
    /// An e-mail address (an `emailAddress` attribute), if any.
    pub email: Option<&'a str>,
}

/// A P-256 key derived from `label`: the same on every run.
pub fn derive_key(label: &str) -> SigningKey {
    let mut counter = 0u32;
    loop {
        let mut h = Sha256::new();
        h.update(b"signbridge-sim test pki v1\0");
        h.update(label.as_bytes());
        h.update(counter.to_be_bytes());
        let bytes = h.finalize();
        // Fails only for zero or a value past the group order (probability ~2^-32).
        if let Ok(key) = SigningKey::from_bytes(&bytes) {
            return key;
        }
        counter += 1;
    }
}

/// A positive 16-byte serial number derived from `label`.
fn serial(label: &str) -> Result<SerialNumber, String> {
    let mut bytes: [u8; 16] = Sha256::digest(label.as_bytes())[..16]
        .try_into()
        .map_err(|_| "serial".to_owned())?;
    bytes[0] = (bytes[0] & 0x7f) | 0x10;
    SerialNumber::new(&bytes).map_err(|e| format!("serial number: {e}"))
}

fn validity(not_before: u64, not_after: u64) -> Result<Validity, String> {
    let at = |secs: u64| {
        x509_cert::time::Time::try_from(std::time::UNIX_EPOCH + Duration::from_secs(secs))
            .map_err(|e| format!("certificate validity: {e}"))
    };
    Ok(Validity {
        not_before: at(not_before)?,
        not_after: at(not_after)?,
    })
}

fn spki_of(key: &SigningKey) -> Result<SubjectPublicKeyInfoOwned, String> {
    let der = key
        .verifying_key()
        .to_public_key_der()
        .map_err(|e| format!("public key: {e}"))?;
    SubjectPublicKeyInfoOwned::from_der(der.as_bytes()).map_err(|e| format!("public key: {e}"))
}

fn name(rfc4514: &str) -> Result<Name, String> {
    Name::from_str(rfc4514).map_err(|e| format!("name {rfc4514:?}: {e}"))
}

/// Escapes an RFC 4514 attribute value.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for (i, c) in value.chars().enumerate() {
        let special = matches!(c, ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=')
            || (i == 0 && matches!(c, '#' | ' '))
            || (i + 1 == value.chars().count() && c == ' ');
        if special {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn build(
    profile: Profile,
    label: &str,
    subject: Name,
    subject_key: &SigningKey,
    issuer_key: &SigningKey,
    window: (u64, u64),
) -> Result<Certificate, String> {
    let builder = CertificateBuilder::new(
        profile,
        serial(label)?,
        validity(window.0, window.1)?,
        subject,
        spki_of(subject_key)?,
        issuer_key,
    )
    .map_err(|e| format!("certificate {label}: {e}"))?;
    builder
        .build::<DerSignature>()
        .map_err(|e| format!("certificate {label}: {e}"))
}

impl Pki {
    fn generate(
        service: &'static str,
        stamp_title: &'static str,
        root_dn: &str,
        issuing_dn: &str,
    ) -> Result<Pki, String> {
        let root_key = derive_key(&format!("{service}/root"));
        let root_name = name(root_dn)?;
        let root_cert = build(
            Profile::Root,
            &format!("{service}/root"),
            root_name.clone(),
            &root_key,
            &root_key,
            (NOT_BEFORE, ROOT_NOT_AFTER),
        )?;
        let issuing_key = derive_key(&format!("{service}/issuing"));
        let issuing_cert = build(
            Profile::SubCA {
                issuer: root_name,
                path_len_constraint: Some(0),
            },
            &format!("{service}/issuing"),
            name(issuing_dn)?,
            &issuing_key,
            &root_key,
            (NOT_BEFORE, ISSUING_NOT_AFTER),
        )?;
        Ok(Pki {
            service,
            stamp_title,
            root: Ca {
                key: root_key,
                cert: root_cert,
            },
            issuing: Ca {
                key: issuing_key,
                cert: issuing_cert,
            },
        })
    }

    /// The PKI of `service` (`bankid` or `onespan`), generated once per process.
    pub fn for_service(service: &str) -> Option<&'static Pki> {
        static BANKID: OnceLock<Result<Pki, String>> = OnceLock::new();
        static ONESPAN: OnceLock<Result<Pki, String>> = OnceLock::new();
        let cell = match service {
            "bankid" => BANKID.get_or_init(|| {
                Pki::generate(
                    "bankid",
                    "Signed with BankID (simulated)",
                    "CN=BankID NO (simulated) Root CA,O=signbridge simulator,C=NO",
                    "CN=BankID NO (simulated) Personal CA,O=signbridge simulator,C=NO",
                )
            }),
            "onespan" => ONESPAN.get_or_init(|| {
                Pki::generate(
                    "onespan",
                    "Signed with OneSpan Sign (simulated)",
                    "CN=OneSpan Sign (simulated) Root CA,O=signbridge simulator,C=CA",
                    "CN=OneSpan Sign (simulated) Signing CA,O=signbridge simulator,C=CA",
                )
            }),
            _ => return None,
        };
        cell.as_ref().ok()
    }

    /// The BankID Norway PKI.
    pub fn bankid() -> Option<&'static Pki> {
        Pki::for_service("bankid")
    }

    /// The OneSpan Sign PKI.
    pub fn onespan() -> Option<&'static Pki> {
        Pki::for_service("onespan")
    }

    /// The root CA's certificate.
    pub fn root(&self) -> &Certificate {
        self.root.certificate()
    }

    /// The issuing CA's certificate.
    pub fn issuing(&self) -> &Certificate {
        self.issuing.certificate()
    }

    /// The root certificate as PEM text.
    pub fn root_pem(&self) -> Result<String, String> {
        self.root
            .cert
            .to_pem(der::pem::LineEnding::LF)
            .map_err(|e| format!("root certificate: {e}"))
    }

    /// A personal certificate for `who`, valid from 2020 to 2035, with its key and chain.
    pub fn personal(&self, who: &Subject<'_>) -> Result<Credentials, String> {
        self.personal_valid(who, NOT_BEFORE, PERSONAL_NOT_AFTER)
    }

    /// A personal certificate valid between the Unix times `not_before` and `not_after`
    /// (tests use this for expired certificates). The key depends on the subject only.
    pub fn personal_valid(
        &self,
        who: &Subject<'_>,
        not_before: u64,
        not_after: u64,
    ) -> Result<Credentials, String> {
        let mut dn = format!("CN={}", escape(who.name));
        if let Some(s) = who.serial_number {
            dn.push_str(&format!(",serialNumber={}", escape(s)));
        }
        if let Some(e) = who.email {
            dn.push_str(&format!(",emailAddress={}", escape(e)));
        }
        dn.push_str(match self.service {
            "bankid" => ",C=NO",
            _ => ",O=OneSpan Sign (simulated) signers",
        });
        let who_label = format!(
            "{}/person/{}/{}/{}",
            self.service,
            who.name,
            who.serial_number.unwrap_or(""),
            who.email.unwrap_or("")
        );
        let key = derive_key(&who_label);
        let cert = build(
            Profile::Leaf {
                issuer: self.issuing.cert.tbs_certificate.subject.clone(),
                enable_key_agreement: false,
                enable_key_encipherment: false,
            },
            &format!("{who_label}/{not_before}/{not_after}"),
            name(&dn)?,
            &key,
            &self.issuing.key,
            (not_before, not_after),
        )?;
        Ok(Credentials {
            key,
            cert,
            chain: vec![self.issuing.cert.clone(), self.root.cert.clone()],
        })
    }
}

/// DER bytes of `cert`.
pub fn cert_der(cert: &Certificate) -> Result<Vec<u8>, String> {
    cert.to_der().map_err(|e| format!("certificate: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pki_is_the_same_on_every_run() {
        let pki = Pki::bankid().expect("pki");
        let again = Pki::generate(
            "bankid",
            "x",
            "CN=BankID NO (simulated) Root CA,O=signbridge simulator,C=NO",
            "CN=BankID NO (simulated) Personal CA,O=signbridge simulator,C=NO",
        )
        .expect("again");
        assert_eq!(cert_der(pki.root()), cert_der(&again.root.cert));
        let who = Subject {
            name: "Aksel Herseth",
            serial_number: Some("UN:NO-9578-5999-4-1234567"),
            email: None,
        };
        let a = pki.personal(&who).expect("a");
        let b = again.personal(&who).expect("b");
        assert_eq!(cert_der(&a.cert), cert_der(&b.cert));
        assert!(pki
            .root_pem()
            .expect("pem")
            .starts_with("-----BEGIN CERTIFICATE-----"));
    }

    #[test]
    fn the_published_roots_are_the_generated_ones() {
        let bankid = Pki::bankid().expect("bankid").root_pem().expect("pem");
        assert_eq!(bankid, include_str!("../../pki/bankid-root.pem"));
        let onespan = Pki::onespan().expect("onespan").root_pem().expect("pem");
        assert_eq!(onespan, include_str!("../../pki/onespan-root.pem"));
    }
}
