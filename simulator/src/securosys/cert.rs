//! Certificates made with an HSM key (contract §8): self-signed X.509 certificates and PKCS#10
//! certificate signing requests. The structures are built with rcgen; every signature is made
//! by the simulated HSM's own key ([`KeyMaterial`]), which never leaves it.

use rcgen::string::{Ia5String, PrintableString};
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, KeyUsagePurpose, PublicKeyData, SerialNumber, SigningKey,
};
use serde::Deserialize;
use serde_json::Value;

use super::crypto::{KeyKind, KeyMaterial, SigAlg};
use super::SecError;

/// Longest validity the simulator accepts, in days (100 years).
const MAX_VALIDITY_DAYS: u64 = 36_500;
/// Validity when the request names none, in days (PROPOSAL).
const DEFAULT_VALIDITY_DAYS: u64 = 365;

/// What a certificate operation makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CertKind {
    /// `…/selfsign`: a self-signed X.509 certificate.
    SelfSigned,
    /// `…/request`: a PKCS#10 certificate signing request.
    Request,
}

/// `standardCertificateAttributes` of a CSR (contract §8).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct StandardAttributes {
    common_name: Option<String>,
    country: Option<String>,
    state_or_province_name: Option<String>,
    locality: Option<String>,
    organization_name: Option<String>,
    organization_unit_name: Option<String>,
    email: Option<String>,
    title: Option<String>,
    surname: Option<String>,
    given_name: Option<String>,
    initials: Option<String>,
    pseudonym: Option<String>,
    generation_qualifier: Option<String>,
}

/// The body of the certificate endpoints (the synchronous ones flat, the asynchronous ones
/// inside `selfSignCertificateRequest` / `csrSignRequest`).
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct CertBody {
    pub sign_key_name: Option<String>,
    pub key_password: Option<Value>,
    validity: Option<Value>,
    signature_algorithm: Option<String>,
    common_name: Option<String>,
    certificate_authority: Option<bool>,
    key_usage: Option<Vec<String>>,
    extended_key_usage: Option<Vec<String>>,
    standard_certificate_attributes: Option<StandardAttributes>,
    pub meta_data: Option<String>,
    pub meta_data_signature: Option<String>,
}

/// A validated certificate operation, run with the key when it executes (at once for the
/// synchronous endpoints, after the approvals for the asynchronous ones).
#[derive(Debug, Clone)]
pub(crate) struct CertJob {
    pub kind: CertKind,
    rc_alg: &'static rcgen::SignatureAlgorithm,
    sig: SigAlg,
    subject: Vec<(DnType, DnValue)>,
    validity_days: u64,
    ca: bool,
    key_usage: Vec<KeyUsagePurpose>,
    extended_key_usage: Vec<ExtendedKeyUsagePurpose>,
}

/// The certificate signature algorithms of contract §8 (`KeytoolSignatureAlgorithm`), plus
/// `EDDSA` for Ed25519 keys (PROPOSAL).
const CERT_ALGORITHMS: [&str; 8] = [
    "SHA224_WITH_RSA",
    "SHA256_WITH_RSA",
    "SHA384_WITH_RSA",
    "SHA512_WITH_RSA",
    "SHA256_WITH_ECDSA",
    "SHA384_WITH_ECDSA",
    "SHA512_WITH_ECDSA",
    "EDDSA",
];

/// The rcgen algorithm for a certificate signature algorithm name and a key type.
fn algorithm(
    name: Option<&str>,
    key: KeyKind,
) -> Result<(&'static rcgen::SignatureAlgorithm, SigAlg), SecError> {
    let name = name.ok_or_else(|| SecError::validation("\"signatureAlgorithm\" is required"))?;
    if !CERT_ALGORITHMS.contains(&name) {
        return Err(SecError::validation(format!(
            "signatureAlgorithm {name} cannot sign a certificate; use one of {}",
            CERT_ALGORITHMS.join(", ")
        )));
    }
    let sig = SigAlg::parse(name).map_err(|_| {
        SecError::new(
            101,
            format!("signatureAlgorithm {name} is not supported by the simulator"),
        )
    })?;
    if !sig.fits(key) {
        return Err(SecError::new(
            607,
            format!("signatureAlgorithm {name} cannot be used with this key"),
        ));
    }
    let rc = match (key, name) {
        (KeyKind::Rsa(_), "SHA256_WITH_RSA") => &rcgen::PKCS_RSA_SHA256,
        (KeyKind::Rsa(_), "SHA384_WITH_RSA") => &rcgen::PKCS_RSA_SHA384,
        (KeyKind::Rsa(_), "SHA512_WITH_RSA") => &rcgen::PKCS_RSA_SHA512,
        (KeyKind::P256, "SHA256_WITH_ECDSA") => &rcgen::PKCS_ECDSA_P256_SHA256,
        (KeyKind::P384, "SHA384_WITH_ECDSA") => &rcgen::PKCS_ECDSA_P384_SHA384,
        (KeyKind::Ed25519, "EDDSA") => &rcgen::PKCS_ED25519,
        _ => {
            return Err(SecError::new(
                101,
                format!(
                    "signatureAlgorithm {name} for this key type is not supported by the \
                     simulator's certificates (RSA: SHA256/384/512_WITH_RSA, P-256: \
                     SHA256_WITH_ECDSA, P-384: SHA384_WITH_ECDSA, Ed25519: EDDSA)"
                ),
            ))
        }
    };
    Ok((rc, sig))
}

fn key_usage(names: &[String]) -> Result<Vec<KeyUsagePurpose>, SecError> {
    names
        .iter()
        .map(|n| {
            Ok(match n.as_str() {
                "DIGITAL_SIGNATURE" => KeyUsagePurpose::DigitalSignature,
                "CONTENT_COMMITMENT" | "NON_REPUDIATION" => KeyUsagePurpose::ContentCommitment,
                "KEY_ENCIPHERMENT" => KeyUsagePurpose::KeyEncipherment,
                "DATA_ENCIPHERMENT" => KeyUsagePurpose::DataEncipherment,
                "KEY_AGREEMENT" => KeyUsagePurpose::KeyAgreement,
                "KEY_CERT_SIGN" => KeyUsagePurpose::KeyCertSign,
                "CRL_SIGN" => KeyUsagePurpose::CrlSign,
                "ENCIPHER_ONLY" => KeyUsagePurpose::EncipherOnly,
                "DECIPHER_ONLY" => KeyUsagePurpose::DecipherOnly,
                other => {
                    return Err(SecError::new(
                        501,
                        format!("keyUsage {other} is not a valid value"),
                    ))
                }
            })
        })
        .collect()
}

fn extended_key_usage(names: &[String]) -> Result<Vec<ExtendedKeyUsagePurpose>, SecError> {
    names
        .iter()
        .map(|n| {
            Ok(match n.as_str() {
                "ANY_EXTENDED_KEY_USAGE" => ExtendedKeyUsagePurpose::Any,
                "SERVER_AUTH" => ExtendedKeyUsagePurpose::ServerAuth,
                "CLIENT_AUTH" => ExtendedKeyUsagePurpose::ClientAuth,
                "CODE_SIGNING" => ExtendedKeyUsagePurpose::CodeSigning,
                "EMAIL_PROTECTION" => ExtendedKeyUsagePurpose::EmailProtection,
                "TIME_STAMPING" => ExtendedKeyUsagePurpose::TimeStamping,
                "OCSP_SIGNING" => ExtendedKeyUsagePurpose::OcspSigning,
                other => {
                    return Err(SecError::new(
                        501,
                        format!("extendedKeyUsage {other} is not a valid value"),
                    ))
                }
            })
        })
        .collect()
}

/// A non-empty attribute value without control characters.
fn text(field: &str, v: &str) -> Result<String, SecError> {
    let v = v.trim();
    if v.is_empty() || v.len() > 256 || v.chars().any(char::is_control) {
        return Err(SecError::validation(format!(
            "{field} must be 1-256 characters without control characters"
        )));
    }
    Ok(v.to_owned())
}

/// X.520 attribute OIDs rcgen has no name for.
const OID_EMAIL: &[u64] = &[1, 2, 840, 113_549, 1, 9, 1];
const OID_TITLE: &[u64] = &[2, 5, 4, 12];
const OID_SURNAME: &[u64] = &[2, 5, 4, 4];
const OID_GIVEN_NAME: &[u64] = &[2, 5, 4, 42];
const OID_INITIALS: &[u64] = &[2, 5, 4, 43];
const OID_GENERATION_QUALIFIER: &[u64] = &[2, 5, 4, 44];
const OID_PSEUDONYM: &[u64] = &[2, 5, 4, 65];

fn subject_of(a: &StandardAttributes) -> Result<Vec<(DnType, DnValue)>, SecError> {
    let mut out = Vec::new();
    if let Some(c) = &a.country {
        let c = c.trim();
        if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(SecError::validation(
                "standardCertificateAttributes.country must be a two-letter ISO 3166 code",
            ));
        }
        let p = PrintableString::try_from(c.to_ascii_uppercase())
            .map_err(|_| SecError::validation("country is not printable"))?;
        out.push((DnType::CountryName, DnValue::PrintableString(p)));
    }
    let plain: [(&str, &Option<String>, DnType); 11] = [
        (
            "stateOrProvinceName",
            &a.state_or_province_name,
            DnType::StateOrProvinceName,
        ),
        ("locality", &a.locality, DnType::LocalityName),
        (
            "organizationName",
            &a.organization_name,
            DnType::OrganizationName,
        ),
        (
            "organizationUnitName",
            &a.organization_unit_name,
            DnType::OrganizationalUnitName,
        ),
        ("title", &a.title, DnType::CustomDnType(OID_TITLE.to_vec())),
        (
            "surname",
            &a.surname,
            DnType::CustomDnType(OID_SURNAME.to_vec()),
        ),
        (
            "givenName",
            &a.given_name,
            DnType::CustomDnType(OID_GIVEN_NAME.to_vec()),
        ),
        (
            "initials",
            &a.initials,
            DnType::CustomDnType(OID_INITIALS.to_vec()),
        ),
        (
            "pseudonym",
            &a.pseudonym,
            DnType::CustomDnType(OID_PSEUDONYM.to_vec()),
        ),
        (
            "generationQualifier",
            &a.generation_qualifier,
            DnType::CustomDnType(OID_GENERATION_QUALIFIER.to_vec()),
        ),
        ("commonName", &a.common_name, DnType::CommonName),
    ];
    for (field, value, ty) in plain {
        if let Some(v) = value {
            let v = text(&format!("standardCertificateAttributes.{field}"), v)?;
            out.push((ty, DnValue::Utf8String(v)));
        }
    }
    if let Some(e) = &a.email {
        let e = text("standardCertificateAttributes.email", e)?;
        let ia5 = Ia5String::try_from(e.as_str())
            .ok()
            .filter(|_| e.contains('@'))
            .ok_or_else(|| {
                SecError::validation(
                    "standardCertificateAttributes.email must be an e-mail address",
                )
            })?;
        out.push((
            DnType::CustomDnType(OID_EMAIL.to_vec()),
            DnValue::Ia5String(ia5),
        ));
    }
    Ok(out)
}

impl CertJob {
    /// Validates a certificate body for a key of type `key`.
    pub fn parse(kind: CertKind, b: &CertBody, key: KeyKind) -> Result<CertJob, SecError> {
        let (rc_alg, sig) = algorithm(b.signature_algorithm.as_deref(), key)?;
        let validity_days = match &b.validity {
            None | Some(Value::Null) => DEFAULT_VALIDITY_DAYS,
            Some(v) => v
                .as_u64()
                .filter(|d| (1..=MAX_VALIDITY_DAYS).contains(d))
                .ok_or_else(|| {
                    SecError::validation(format!(
                        "\"validity\" must be a number of days between 1 and {MAX_VALIDITY_DAYS}"
                    ))
                })?,
        };
        let subject = match kind {
            CertKind::SelfSigned => {
                let cn = b
                    .common_name
                    .as_deref()
                    .ok_or_else(|| SecError::validation("\"commonName\" is required"))?;
                vec![(
                    DnType::CommonName,
                    DnValue::Utf8String(text("commonName", cn)?),
                )]
            }
            CertKind::Request => {
                let attrs = b.standard_certificate_attributes.as_ref().ok_or_else(|| {
                    SecError::validation("\"standardCertificateAttributes\" is required")
                })?;
                if attrs.common_name.is_none() {
                    return Err(SecError::validation(
                        "standardCertificateAttributes.commonName is required",
                    ));
                }
                subject_of(attrs)?
            }
        };
        Ok(CertJob {
            kind,
            rc_alg,
            sig,
            subject,
            validity_days,
            ca: b.certificate_authority.unwrap_or(false),
            key_usage: key_usage(b.key_usage.as_deref().unwrap_or_default())?,
            extended_key_usage: extended_key_usage(
                b.extended_key_usage.as_deref().unwrap_or_default(),
            )?,
        })
    }

    /// Makes the certificate or CSR (DER) with `key` at simulated time `now` (Unix seconds).
    pub fn run(&self, key: &KeyMaterial, now: f64) -> Result<Vec<u8>, String> {
        let signer = HsmSigner::new(key, self.rc_alg, self.sig)?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        for (ty, v) in &self.subject {
            dn.push(ty.clone(), v.clone());
        }
        params.distinguished_name = dn;
        params.key_usages = self.key_usage.clone();
        params.extended_key_usages = self.extended_key_usage.clone();
        params.is_ca = if self.ca {
            IsCa::Ca(BasicConstraints::Unconstrained)
        } else {
            IsCa::ExplicitNoCa
        };
        match self.kind {
            CertKind::SelfSigned => {
                let epoch = rcgen::date_time_ymd(1970, 1, 1);
                let start = now.max(0.0).floor() as u64;
                params.not_before = epoch + std::time::Duration::from_secs(start);
                params.not_after =
                    epoch + std::time::Duration::from_secs(start + self.validity_days * 86_400);
                params.serial_number = Some(serial()?);
                params
                    .self_signed(&signer)
                    .map(|c| c.der().to_vec())
                    .map_err(|e| format!("cannot make the certificate: {e}"))
            }
            CertKind::Request => params
                .serialize_request(&signer)
                .map(|c| c.der().to_vec())
                .map_err(|e| format!("cannot make the certificate signing request: {e}")),
        }
    }
}

/// A random positive 16-byte serial number.
fn serial() -> Result<SerialNumber, String> {
    use ring::rand::SecureRandom as _;
    let mut b = [0u8; 16];
    ring::rand::SystemRandom::new()
        .fill(&mut b)
        .map_err(|_| "no system randomness".to_owned())?;
    b[0] = (b[0] & 0x7f) | 0x01;
    Ok(SerialNumber::from_slice(&b))
}

/// The subjectPublicKey bits of a DER SubjectPublicKeyInfo
/// (`SEQUENCE { AlgorithmIdentifier, BIT STRING }`), without the unused-bits byte.
fn spki_key_bits(spki: &[u8]) -> Option<&[u8]> {
    /// One TLV: (tag, content, rest).
    fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, b) = b.split_first()?;
        let (&first, mut b) = b.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || b.len() < n {
                return None;
            }
            let len = b[..n]
                .iter()
                .fold(0usize, |a, x| (a << 8) | usize::from(*x));
            b = &b[n..];
            len
        };
        (b.len() >= len).then(|| (tag, &b[..len], &b[len..]))
    }
    let (0x30, outer, _) = tlv(spki)? else {
        return None;
    };
    let (0x30, _, rest) = tlv(outer)? else {
        return None;
    };
    let (0x03, bits, _) = tlv(rest)? else {
        return None;
    };
    match bits.split_first() {
        Some((0, key)) => Some(key),
        _ => None,
    }
}

/// The simulated HSM's key as an rcgen signer: rcgen builds the structure, the HSM signs it.
struct HsmSigner<'a> {
    key: &'a KeyMaterial,
    alg: &'static rcgen::SignatureAlgorithm,
    sig: SigAlg,
    public: Vec<u8>,
}

impl<'a> HsmSigner<'a> {
    fn new(
        key: &'a KeyMaterial,
        alg: &'static rcgen::SignatureAlgorithm,
        sig: SigAlg,
    ) -> Result<HsmSigner<'a>, String> {
        let spki = key.public_spki();
        let public = spki_key_bits(&spki)
            .ok_or_else(|| "cannot read the key's public key".to_owned())?
            .to_vec();
        Ok(HsmSigner {
            key,
            alg,
            sig,
            public,
        })
    }
}

impl PublicKeyData for HsmSigner<'_> {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        self.alg
    }
}

impl SigningKey for HsmSigner<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        self.key
            .sign(self.sig, msg, false)
            .map_err(|_| rcgen::Error::RemoteKeyError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_certificate_key_is_the_hsm_key() {
        for (kind, alg) in [
            (KeyKind::P256, "SHA256_WITH_ECDSA"),
            (KeyKind::P384, "SHA384_WITH_ECDSA"),
            (KeyKind::Ed25519, "EDDSA"),
            (KeyKind::Rsa(2048), "SHA256_WITH_RSA"),
        ] {
            let key = KeyMaterial::generate(kind).expect("key");
            let (rc, sig) = algorithm(Some(alg), kind).expect("alg");
            let signer = HsmSigner::new(&key, rc, sig).expect("signer");
            assert_eq!(signer.subject_public_key_info(), key.public_spki(), "{alg}");
        }
        assert_eq!(
            algorithm(Some("SHA256_WITH_ECDSA"), KeyKind::Ed25519)
                .err()
                .map(|e| e.code),
            Some(607)
        );
        assert_eq!(
            algorithm(Some("NONE_WITH_ECDSA"), KeyKind::P256)
                .err()
                .map(|e| e.code),
            Some(600)
        );
        assert_eq!(
            algorithm(Some("SHA224_WITH_RSA"), KeyKind::Rsa(2048))
                .err()
                .map(|e| e.code),
            Some(101)
        );
    }
}
