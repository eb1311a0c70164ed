//! Certificates for an HSM key (contract §8): a self-signed X.509 certificate or a PKCS#10
//! certificate signing request, made and signed inside the HSM with the key, synchronously or as
//! an approval request (contract §6) on keys with a policy.
//!
//! The endpoints are under `/v1/certificate/**`, whose role the sources disagree on (contract
//! §2): the key-operation role by default (seed 003 lists it first under Key Operation
//! Endpoints), or the key-management role with `securosys.certificate_role: "key_management"`
//! (the newer documentation's table, for TSBs configured that way).

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::api::{acted, b64_decode, check_label, metadata, parse, pem};
use super::model::{open_enum, RequestStatus, SignOptions, SignatureAlgorithm};
use super::SecurosysClient;
use crate::error::{Error, Result};
use crate::session::WaitOptions;
use crate::transport::Request;

open_enum! {
    /// A key usage of a certificate (X.509 `keyUsage`, contract §8).
    KeyUsage {
        /// digitalSignature.
        DigitalSignature = "DIGITAL_SIGNATURE",
        /// contentCommitment (nonRepudiation).
        ContentCommitment = "CONTENT_COMMITMENT",
        /// keyEncipherment.
        KeyEncipherment = "KEY_ENCIPHERMENT",
        /// dataEncipherment.
        DataEncipherment = "DATA_ENCIPHERMENT",
        /// keyAgreement.
        KeyAgreement = "KEY_AGREEMENT",
        /// keyCertSign: the key signs certificates (a CA).
        KeyCertSign = "KEY_CERT_SIGN",
        /// cRLSign: the key signs revocation lists.
        CrlSign = "CRL_SIGN",
        /// encipherOnly.
        EncipherOnly = "ENCIPHER_ONLY",
        /// decipherOnly.
        DecipherOnly = "DECIPHER_ONLY",
    }
}

open_enum! {
    /// An extended key usage of a certificate (X.509 `extKeyUsage`, contract §8).
    ExtendedKeyUsage {
        /// anyExtendedKeyUsage.
        Any = "ANY_EXTENDED_KEY_USAGE",
        /// TLS server.
        ServerAuth = "SERVER_AUTH",
        /// TLS client.
        ClientAuth = "CLIENT_AUTH",
        /// Code signing.
        CodeSigning = "CODE_SIGNING",
        /// E-mail protection (S/MIME).
        EmailProtection = "EMAIL_PROTECTION",
        /// Time stamping.
        TimeStamping = "TIME_STAMPING",
        /// OCSP signing.
        OcspSigning = "OCSP_SIGNING",
    }
}

/// Default validity of a certificate, in days.
pub const DEFAULT_VALIDITY_DAYS: u32 = 365;
/// Longest validity accepted, in days (100 years).
const MAX_VALIDITY_DAYS: u32 = 36_500;
/// X.520 upper bound of a common name.
const MAX_COMMON_NAME: usize = 64;

fn default_validity() -> u32 {
    DEFAULT_VALIDITY_DAYS
}

/// The signature algorithm of a certificate: the ones contract §8 lists
/// (`SHA224/256/384/512_WITH_RSA`, `SHA256/384/512_WITH_ECDSA`), `EDDSA` for Ed25519 keys, or a
/// name this version does not know (passed on). Pre-hashed, PSS and deterministic variants
/// cannot sign a certificate.
fn check_certificate_algorithm(alg: &SignatureAlgorithm) -> Result<()> {
    use SignatureAlgorithm::*;
    match alg {
        Sha224WithRsa | Sha256WithRsa | Sha384WithRsa | Sha512WithRsa | Sha256WithEcdsa
        | Sha384WithEcdsa | Sha512WithEcdsa | EdDsa | Other(_) => Ok(()),
        other => Err(Error::invalid_argument(format!(
            "{other} cannot sign a certificate; use SHA256_WITH_RSA (or SHA224/384/512), \
             SHA256_WITH_ECDSA (or SHA384/512) or EDDSA (Ed25519 keys)"
        ))),
    }
}

/// One attribute value: non-empty, at most `max` characters, no control characters.
fn check_text(field: &str, v: &str, max: usize) -> Result<()> {
    if v.trim().is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Error::invalid_argument(format!(
            "{field} must be 1-{max} characters without control characters"
        )));
    }
    Ok(())
}

fn check_validity(days: u32) -> Result<()> {
    if !(1..=MAX_VALIDITY_DAYS).contains(&days) {
        return Err(Error::invalid_argument(format!(
            "validity_days = {days} must be between 1 and {MAX_VALIDITY_DAYS}"
        )));
    }
    Ok(())
}

/// A self-signed certificate for a key (`POST /v1/certificate/synchronous/selfsign`).
///
/// ```
/// use signbridge::providers::securosys::{CertificateRequest, KeySpec};
/// let ca = CertificateRequest::new("Example Signing CA", KeySpec::P256.default_signature_algorithm())
///     .authority()
///     .with_validity_days(3650);
/// assert!(ca.certificate_authority);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateRequest {
    /// The subject and issuer common name (1-64 characters).
    pub common_name: String,
    /// Validity from now, in days (default 365).
    #[serde(default = "default_validity")]
    pub validity_days: u32,
    /// The signature algorithm, matching the key (see
    /// [`super::KeySpec::default_signature_algorithm`]).
    pub signature_algorithm: SignatureAlgorithm,
    /// Key usages (none: left to the TSB).
    #[serde(default)]
    pub key_usage: Vec<KeyUsage>,
    /// Extended key usages (none: the extension is left out).
    #[serde(default)]
    pub extended_key_usage: Vec<ExtendedKeyUsage>,
    /// A CA certificate (basic constraints `CA:TRUE`); it then needs `KEY_CERT_SIGN` in
    /// `key_usage` when key usages are given.
    #[serde(default)]
    pub certificate_authority: bool,
}

impl CertificateRequest {
    /// An end-entity certificate for `DIGITAL_SIGNATURE`, valid for 365 days.
    pub fn new(
        common_name: impl Into<String>,
        signature_algorithm: SignatureAlgorithm,
    ) -> CertificateRequest {
        CertificateRequest {
            common_name: common_name.into(),
            validity_days: DEFAULT_VALIDITY_DAYS,
            signature_algorithm,
            key_usage: vec![KeyUsage::DigitalSignature],
            extended_key_usage: Vec::new(),
            certificate_authority: false,
        }
    }

    /// The same request for a CA certificate: `CA:TRUE`, with `KEY_CERT_SIGN` and `CRL_SIGN`
    /// added to the key usages.
    pub fn authority(mut self) -> CertificateRequest {
        self.certificate_authority = true;
        for u in [KeyUsage::KeyCertSign, KeyUsage::CrlSign] {
            if !self.key_usage.contains(&u) {
                self.key_usage.push(u);
            }
        }
        self
    }

    /// The same request with another validity.
    pub fn with_validity_days(mut self, days: u32) -> CertificateRequest {
        self.validity_days = days;
        self
    }

    pub(crate) fn validate(&self) -> Result<()> {
        check_text("common_name", &self.common_name, MAX_COMMON_NAME)?;
        check_validity(self.validity_days)?;
        check_certificate_algorithm(&self.signature_algorithm)?;
        if self.certificate_authority
            && !self.key_usage.is_empty()
            && !self.key_usage.contains(&KeyUsage::KeyCertSign)
        {
            return Err(Error::invalid_argument(
                "a CA certificate (certificate_authority) needs KEY_CERT_SIGN in key_usage; \
                 add it or use CertificateRequest::authority()",
            ));
        }
        Ok(())
    }

    /// The inner wire body.
    pub(crate) fn wire(&self, label: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("signKeyName".into(), json!(label));
        m.insert("keyPassword".into(), Value::Null);
        m.insert("validity".into(), json!(self.validity_days));
        m.insert("signatureAlgorithm".into(), json!(self.signature_algorithm));
        m.insert("commonName".into(), json!(self.common_name.trim()));
        m.insert(
            "certificateAuthority".into(),
            json!(self.certificate_authority),
        );
        m.insert("keyUsage".into(), json!(self.key_usage));
        m.insert("extendedKeyUsage".into(), json!(self.extended_key_usage));
        m
    }
}

/// The subject of a certificate signing request (`standardCertificateAttributes`). Only
/// `common_name` is required.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DistinguishedName {
    /// Common name (CN), 1-64 characters.
    pub common_name: String,
    /// Country (C): a two-letter ISO 3166 code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    /// State or province (ST).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_or_province_name: Option<String>,
    /// Locality (L).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locality: Option<String>,
    /// Organization (O).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_name: Option<String>,
    /// Organizational unit (OU).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_unit_name: Option<String>,
    /// E-mail address (emailAddress).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Surname (SN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
    /// Given name (GN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    /// Initials.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initials: Option<String>,
    /// Pseudonym.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pseudonym: Option<String>,
    /// Generation qualifier (`Jr.`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generation_qualifier: Option<String>,
}

impl DistinguishedName {
    /// A subject with only a common name.
    pub fn new(common_name: impl Into<String>) -> DistinguishedName {
        DistinguishedName {
            common_name: common_name.into(),
            ..DistinguishedName::default()
        }
    }

    /// `(field, wire name, value)` of the optional attributes.
    fn optional(&self) -> [(&'static str, &'static str, &Option<String>); 12] {
        [
            ("country", "country", &self.country),
            (
                "state_or_province_name",
                "stateOrProvinceName",
                &self.state_or_province_name,
            ),
            ("locality", "locality", &self.locality),
            (
                "organization_name",
                "organizationName",
                &self.organization_name,
            ),
            (
                "organization_unit_name",
                "organizationUnitName",
                &self.organization_unit_name,
            ),
            ("email", "email", &self.email),
            ("title", "title", &self.title),
            ("surname", "surname", &self.surname),
            ("given_name", "givenName", &self.given_name),
            ("initials", "initials", &self.initials),
            ("pseudonym", "pseudonym", &self.pseudonym),
            (
                "generation_qualifier",
                "generationQualifier",
                &self.generation_qualifier,
            ),
        ]
    }

    fn validate(&self) -> Result<()> {
        check_text("subject.common_name", &self.common_name, MAX_COMMON_NAME)?;
        for (field, _, v) in self.optional() {
            if let Some(v) = v {
                check_text(&format!("subject.{field}"), v, 256)?;
            }
        }
        if let Some(c) = &self.country {
            if c.len() != 2 || !c.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(Error::invalid_argument(format!(
                    "subject.country {c:?} must be a two-letter ISO 3166 code such as \"CH\""
                )));
            }
        }
        if let Some(e) = &self.email {
            if !e.is_ascii() || !e.contains('@') {
                return Err(Error::invalid_argument(format!(
                    "subject.email {e:?} must be an ASCII e-mail address"
                )));
            }
        }
        Ok(())
    }

    fn wire(&self) -> Value {
        let mut m = Map::new();
        m.insert("commonName".into(), json!(self.common_name.trim()));
        for (_, wire, v) in self.optional() {
            if let Some(v) = v {
                m.insert(wire.into(), json!(v.trim()));
            }
        }
        Value::Object(m)
    }
}

/// A certificate signing request for a key (`POST /v1/certificate/synchronous/request`).
///
/// ```
/// use signbridge::providers::securosys::{CsrRequest, DistinguishedName, KeySpec};
/// let mut subject = DistinguishedName::new("Doc Signer");
/// subject.country = Some("CH".into());
/// subject.organization_name = Some("Example AG".into());
/// let csr = CsrRequest::new(subject, KeySpec::Rsa2048.default_signature_algorithm());
/// assert_eq!(csr.subject.common_name, "Doc Signer");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsrRequest {
    /// The subject to certify.
    pub subject: DistinguishedName,
    /// The signature algorithm, matching the key.
    pub signature_algorithm: SignatureAlgorithm,
    /// The validity to ask the CA for, in days (sent as `validity`; default 365).
    #[serde(default = "default_validity")]
    pub validity_days: u32,
    /// Key usages requested (none: the extension is left out).
    #[serde(default)]
    pub key_usage: Vec<KeyUsage>,
    /// Extended key usages requested.
    #[serde(default)]
    pub extended_key_usage: Vec<ExtendedKeyUsage>,
}

impl CsrRequest {
    /// A request for `subject` asking for `DIGITAL_SIGNATURE`, 365 days.
    pub fn new(subject: DistinguishedName, signature_algorithm: SignatureAlgorithm) -> CsrRequest {
        CsrRequest {
            subject,
            signature_algorithm,
            validity_days: DEFAULT_VALIDITY_DAYS,
            key_usage: vec![KeyUsage::DigitalSignature],
            extended_key_usage: Vec::new(),
        }
    }

    pub(crate) fn validate(&self) -> Result<()> {
        self.subject.validate()?;
        check_validity(self.validity_days)?;
        check_certificate_algorithm(&self.signature_algorithm)
    }

    /// The inner wire body.
    pub(crate) fn wire(&self, label: &str) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("signKeyName".into(), json!(label));
        m.insert("keyPassword".into(), Value::Null);
        m.insert("signatureAlgorithm".into(), json!(self.signature_algorithm));
        m.insert("validity".into(), json!(self.validity_days));
        m.insert("standardCertificateAttributes".into(), self.subject.wire());
        m.insert("keyUsage".into(), json!(self.key_usage));
        m.insert("extendedKeyUsage".into(), json!(self.extended_key_usage));
        m
    }
}

/// Whether `der` is exactly one DER SEQUENCE (what certificates and CSRs are).
fn is_der_sequence(der: &[u8]) -> bool {
    let [0x30, first, rest @ ..] = der else {
        return false;
    };
    let len = if *first < 0x80 {
        usize::from(*first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return false;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |a, b| (a << 8) | usize::from(*b));
        return rest.len() - n == len;
    };
    rest.len() == len
}

/// DER from the TSB's answer: standard base64 of the DER, or PEM text.
fn decode_der(text: &str, field: &str) -> Result<Vec<u8>> {
    let t = text.trim();
    let der = if t.starts_with("-----BEGIN") {
        let body: String = t
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("-----") && !l.contains(':'))
            .collect();
        b64_decode(&body, field)?
    } else {
        b64_decode(t, field)?
    };
    if !is_der_sequence(&der) {
        return Err(Error::protocol(format!(
            "the TSB's {field} is not a DER structure"
        )));
    }
    Ok(der)
}

/// An X.509 certificate made by the HSM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    /// The certificate, DER.
    pub der: Vec<u8>,
}

impl Certificate {
    /// A certificate from its DER (e.g. a [`SecurosysClient::wait_request`] result); fails with
    /// [`crate::ErrorCode::Protocol`] when the bytes are not one DER structure.
    pub fn from_der(der: Vec<u8>) -> Result<Certificate> {
        if !is_der_sequence(&der) {
            return Err(Error::protocol("the certificate is not a DER structure"));
        }
        Ok(Certificate { der })
    }

    /// PEM (`-----BEGIN CERTIFICATE-----`), e.g. for `openssl x509 -in`.
    pub fn pem(&self) -> String {
        pem("CERTIFICATE", &self.der)
    }
}

/// A PKCS#10 certificate signing request made by the HSM, to send to a CA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Csr {
    /// The request, DER.
    pub der: Vec<u8>,
}

impl Csr {
    /// A request from its DER (e.g. a [`SecurosysClient::wait_request`] result); fails with
    /// [`crate::ErrorCode::Protocol`] when the bytes are not one DER structure.
    pub fn from_der(der: Vec<u8>) -> Result<Csr> {
        if !is_der_sequence(&der) {
            return Err(Error::protocol(
                "the certificate signing request is not a DER structure",
            ));
        }
        Ok(Csr { der })
    }

    /// PEM (`-----BEGIN CERTIFICATE REQUEST-----`), e.g. for `openssl req -in`.
    pub fn pem(&self) -> String {
        pem("CERTIFICATE REQUEST", &self.der)
    }
}

impl SecurosysClient {
    /// A self-signed certificate for key `label`, made and signed by the HSM now
    /// (`POST /v1/certificate/synchronous/selfsign`, key-operation role by default, see
    /// `securosys.certificate_role`). Keys with an approval policy need
    /// [`SecurosysClient::request_self_signed_certificate`] instead. An unknown key fails with
    /// [`crate::ErrorCode::NotFound`].
    pub async fn self_signed_certificate(
        &self,
        label: &str,
        req: &CertificateRequest,
    ) -> Result<Certificate> {
        check_label(label)?;
        req.validate()?;
        let what = "create self-signed certificate";
        let r = Request::post_json(
            self.url("v1/certificate/synchronous/selfsign")?,
            &Value::Object(req.wire(label)),
            what,
        )?
        // Another certificate for the same key changes nothing that matters: safe to repeat.
        .idempotent(true)
        .with_role(self.inner.certificate_role);
        #[derive(Deserialize)]
        struct Answer {
            certificate: String,
        }
        let a: Answer = parse(&self.send(r).await?, what)?;
        Ok(Certificate {
            der: decode_der(&a.certificate, "certificate")?,
        })
    }

    /// A PKCS#10 certificate signing request for key `label`, made and signed by the HSM now
    /// (`POST /v1/certificate/synchronous/request`, key-operation role by default). Keys with
    /// an approval policy need [`SecurosysClient::request_certificate_signing_request`].
    pub async fn certificate_signing_request(&self, label: &str, req: &CsrRequest) -> Result<Csr> {
        check_label(label)?;
        req.validate()?;
        let what = "create certificate signing request";
        let r = Request::post_json(
            self.url("v1/certificate/synchronous/request")?,
            &Value::Object(req.wire(label)),
            what,
        )?
        .idempotent(true)
        .with_role(self.inner.certificate_role);
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            certificate_signing_request: String,
        }
        let a: Answer = parse(&self.send(r).await?, what)?;
        Ok(Csr {
            der: decode_der(&a.certificate_signing_request, "certificateSigningRequest")?,
        })
    }

    /// Submit a self-signed certificate that waits for the key's approvals
    /// (`POST /v1/certificate/selfsign`) and return the request id; then
    /// [`SecurosysClient::wait_certificate`].
    pub async fn request_self_signed_certificate(
        &self,
        label: &str,
        req: &CertificateRequest,
        options: &SignOptions,
    ) -> Result<String> {
        check_label(label)?;
        req.validate()?;
        let mut inner = req.wire(label);
        inner.insert("metaData".into(), json!(metadata(options, "Certificate")?));
        inner.insert("metaDataSignature".into(), Value::Null);
        let body = json!({"selfSignCertificateRequest": inner, "requestSignature": null});
        self.submit_certificate(
            "v1/certificate/selfsign",
            &body,
            "submit self-signed certificate",
        )
        .await
    }

    /// Submit a certificate signing request that waits for the key's approvals
    /// (`POST /v1/certificate/request`) and return the request id; then
    /// [`SecurosysClient::wait_certificate_signing_request`].
    pub async fn request_certificate_signing_request(
        &self,
        label: &str,
        req: &CsrRequest,
        options: &SignOptions,
    ) -> Result<String> {
        check_label(label)?;
        req.validate()?;
        let mut inner = req.wire(label);
        inner.insert("metaData".into(), json!(metadata(options, "Certificate")?));
        inner.insert("metaDataSignature".into(), Value::Null);
        let body = json!({"csrSignRequest": inner, "requestSignature": null});
        self.submit_certificate(
            "v1/certificate/request",
            &body,
            "submit certificate signing request",
        )
        .await
    }

    async fn submit_certificate(
        &self,
        path: &str,
        body: &Value,
        what: &'static str,
    ) -> Result<String> {
        let r =
            Request::post_json(self.url(path)?, body, what)?.with_role(self.inner.certificate_role);
        let resp = self.send(r).await?;
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Answer {
            sign_request_id: String,
        }
        acted(what, resp.status.as_u16(), || {
            let a: Answer = parse(&resp, what)?;
            super::api::check_request_id(&a.sign_request_id)
                .map_err(|e| Error::protocol(e.message()))?;
            Ok(a.sign_request_id)
        })
    }

    /// [`SecurosysClient::wait_request`] for a
    /// [`SecurosysClient::request_self_signed_certificate`]: the certificate once approved.
    pub async fn wait_certificate(
        &self,
        id: &str,
        opts: &WaitOptions<RequestStatus>,
    ) -> Result<Certificate> {
        Certificate::from_der(self.wait_request(id, opts).await?)
    }

    /// [`SecurosysClient::wait_request`] for a
    /// [`SecurosysClient::request_certificate_signing_request`]: the CSR once approved.
    pub async fn wait_certificate_signing_request(
        &self,
        id: &str,
        opts: &WaitOptions<RequestStatus>,
    ) -> Result<Csr> {
        Csr::from_der(self.wait_request(id, opts).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::super::api::b64;
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn requests_are_checked_locally() {
        let alg = SignatureAlgorithm::Sha256WithEcdsa;
        let ok = CertificateRequest::new("CA", alg.clone()).authority();
        ok.validate().expect("valid");
        assert_eq!(
            ok.key_usage,
            vec![
                KeyUsage::DigitalSignature,
                KeyUsage::KeyCertSign,
                KeyUsage::CrlSign
            ]
        );
        let w = Value::Object(ok.wire("k"));
        assert_eq!(w["certificateAuthority"], true);
        assert_eq!(w["validity"], 365);
        assert_eq!(w["keyUsage"][1], "KEY_CERT_SIGN");
        for bad in [
            CertificateRequest::new("", alg.clone()),
            CertificateRequest::new("x".repeat(65), alg.clone()),
            CertificateRequest::new("CA", alg.clone()).with_validity_days(0),
            CertificateRequest::new("CA", SignatureAlgorithm::NoneWithEcdsa),
            CertificateRequest::new("CA", SignatureAlgorithm::Sha256WithRsaPss),
            CertificateRequest {
                certificate_authority: true,
                ..CertificateRequest::new("CA", alg.clone())
            },
        ] {
            let e = bad.validate().expect_err("refused");
            assert_eq!(e.code(), ErrorCode::InvalidArgument, "{bad:?}");
        }
        let mut dn = DistinguishedName::new("Doc Signer");
        dn.country = Some("Switzerland".into());
        let e = CsrRequest::new(dn.clone(), alg.clone())
            .validate()
            .expect_err("country");
        assert!(e.message().contains("subject.country"), "{}", e.message());
        dn.country = Some("CH".into());
        dn.given_name = Some("Erika".into());
        let csr = CsrRequest::new(dn, alg);
        csr.validate().expect("valid");
        let w = Value::Object(csr.wire("k"));
        assert_eq!(
            w["standardCertificateAttributes"],
            json!({"commonName": "Doc Signer", "country": "CH", "givenName": "Erika"})
        );
        let parsed: CsrRequest = serde_json::from_value(json!({
            "subject": {"common_name": "x", "organization_name": "O"},
            "signature_algorithm": "SHA256_WITH_RSA"}))
        .expect("json");
        assert_eq!(parsed.validity_days, 365);
        assert!(serde_json::from_value::<CsrRequest>(json!({
            "subject": {"common_name": "x", "org": "O"},
            "signature_algorithm": "SHA256_WITH_RSA"}))
        .is_err());
    }

    #[test]
    fn answers_in_base64_or_pem() {
        let der = vec![0x30, 0x03, 0x02, 0x01, 0x05];
        let c = Certificate { der: der.clone() };
        assert!(c.pem().starts_with("-----BEGIN CERTIFICATE-----\n"));
        assert_eq!(decode_der(&c.pem(), "certificate").expect("pem"), der);
        assert_eq!(decode_der(&b64(&der), "certificate").expect("b64"), der);
        let e = decode_der(&b64(b"not der"), "certificate").expect_err("junk");
        assert_eq!(e.code(), ErrorCode::Protocol);
        assert!(Certificate::from_der(vec![0x30, 0x05, 0x01]).is_err());
        let long: Vec<u8> = [vec![0x30, 0x81, 0x80], vec![0u8; 0x80]].concat();
        assert!(is_der_sequence(&long));
        assert!(Csr::from_der(long).is_ok());
    }
}
