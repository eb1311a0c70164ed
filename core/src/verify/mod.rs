//! Verifying signed PDFs: every signature of a document checked against trust anchors the
//! caller supplies, with a report per signature.
//!
//! For each signature: who signed (subject, certificate serial, personal identifier), when,
//! with which digest and signature algorithms, whether the signature is cryptographically valid
//! over the bytes its `/ByteRange` names, whether that range covers the whole file up to the
//! end of its revision, whether the signer's certificate chains to one of the anchors at the
//! signing time, and what was appended after it (nothing, only further signatures, or other
//! changes). Given the original document (bytes or md5), also whether it is exactly the
//! unsigned prefix of the signed file.
//!
//! ```no_run
//! use signbridge::verify::{verify_pdf, TrustAnchors, VerifyOptions};
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let anchors = TrustAnchors::from_pem(&std::fs::read_to_string("bankid-root.pem")?)?;
//! let report = verify_pdf(&std::fs::read("signed.pdf")?, &VerifyOptions::new(anchors))?;
//! for s in &report.signatures {
//!     println!("{:?} signed at {:?}: valid {}", s.signer.as_ref().map(|x| &x.subject), s.signing_time, s.valid);
//! }
//! assert!(report.valid);
//! # Ok(()) }
//! ```

mod changes;
mod cms;
mod scan;

use std::path::Path;

use base64::Engine as _;
use md5::{Digest as _, Md5};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorCode, Result};

pub(crate) use scan::MAX_SIGNATURE_BYTES;

/// Certificates the caller trusts as roots of signing chains.
#[derive(Debug, Clone, Default)]
pub struct TrustAnchors {
    certs: Vec<Vec<u8>>,
}

impl TrustAnchors {
    /// No anchors: signatures are still checked, but no chain is trusted.
    pub fn new() -> TrustAnchors {
        TrustAnchors::default()
    }

    /// Every `CERTIFICATE` block of PEM text (at least one).
    pub fn from_pem(pem: &str) -> Result<TrustAnchors> {
        let mut a = TrustAnchors::new();
        a.add_pem(pem)?;
        Ok(a)
    }

    /// Add every `CERTIFICATE` block of PEM text; [`ErrorCode::InvalidArgument`] when there is
    /// none or one is not a certificate.
    pub fn add_pem(&mut self, pem: &str) -> Result<&mut Self> {
        let mut found = 0;
        let mut rest = pem;
        while let Some(start) = rest.find("-----BEGIN CERTIFICATE-----") {
            let body = &rest[start + 27..];
            let end = body.find("-----END CERTIFICATE-----").ok_or_else(|| {
                Error::invalid_argument("trust anchor PEM: a certificate block is not closed")
            })?;
            let text: String = body[..end].chars().filter(|c| !c.is_whitespace()).collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .map_err(|_| Error::invalid_argument("trust anchor PEM: not base64"))?;
            self.add_der(&der)?;
            found += 1;
            rest = &body[end + 25..];
        }
        if found == 0 {
            return Err(Error::invalid_argument(
                "trust anchor PEM: no -----BEGIN CERTIFICATE----- block found",
            ));
        }
        Ok(self)
    }

    /// Add one DER certificate.
    pub fn add_der(&mut self, der: &[u8]) -> Result<&mut Self> {
        <x509_cert::Certificate as der::Decode>::from_der(der).map_err(|e| {
            Error::invalid_argument(format!("trust anchor: not an X.509 certificate: {e}"))
        })?;
        self.certs.push(der.to_vec());
        Ok(self)
    }

    /// A file holding PEM or DER certificates.
    pub fn from_file(path: impl AsRef<Path>) -> Result<TrustAnchors> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        TrustAnchors::from_bytes(&bytes)
    }

    /// PEM text or one DER certificate.
    pub fn from_bytes(bytes: &[u8]) -> Result<TrustAnchors> {
        match std::str::from_utf8(bytes) {
            Ok(text) if text.contains("-----BEGIN") => TrustAnchors::from_pem(text),
            _ => {
                let mut a = TrustAnchors::new();
                a.add_der(bytes)?;
                Ok(a)
            }
        }
    }

    /// How many anchors there are.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }
}

/// The document as it was before signing, to compare with the signed file's unsigned prefix.
#[derive(Debug, Clone)]
pub enum Original {
    /// Its bytes.
    Bytes(Vec<u8>),
    /// Its md5, hex or base64.
    Md5(String),
}

/// What to verify against.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// The trust anchors.
    pub anchors: TrustAnchors,
    /// The original document, when the caller has it.
    pub original: Option<Original>,
}

impl VerifyOptions {
    /// Verify against `anchors`.
    pub fn new(anchors: TrustAnchors) -> VerifyOptions {
        VerifyOptions {
            anchors,
            original: None,
        }
    }

    /// Also compare with the original document.
    pub fn with_original(mut self, original: Original) -> VerifyOptions {
        self.original = Some(original);
        self
    }
}

/// What follows a signature's revision in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Appended {
    /// Nothing: the signature covers the whole file.
    Nothing,
    /// Only further signatures (each update adds a signature and its field, nothing else).
    Signatures,
    /// Other changes: content, pages or objects changed after signing.
    OtherChanges,
}

/// Who signed: from the signer's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Signer {
    /// The subject, RFC 4514 (`CN=Aksel Herseth,serialNumber=…,C=NO`).
    pub subject: String,
    /// The subject's common name.
    pub common_name: Option<String>,
    /// The subject's `serialNumber` attribute: a personal identifier where the certificate
    /// carries one (BankID's `UN:NO-…`).
    pub personal_id: Option<String>,
    /// The certificate's serial number, hex.
    pub certificate_serial: String,
    /// The issuer, RFC 4514.
    pub issuer: String,
    /// Validity start, RFC 3339.
    pub not_before: String,
    /// Validity end, RFC 3339.
    pub not_after: String,
}

/// The report on one signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SignatureReport {
    /// 1-based, in the order the signatures were made.
    pub index: usize,
    /// The signature dictionary's `/SubFilter` (`ETSI.CAdES.detached`).
    pub sub_filter: Option<String>,
    /// The signature dictionary's `/Name`.
    pub name: Option<String>,
    /// The signer, when the certificate was found.
    pub signer: Option<Signer>,
    /// Signing time, RFC 3339: the CMS signing-time attribute, else the dictionary's `/M`.
    pub signing_time: Option<String>,
    /// Where the signing time comes from: `signed_attribute`, `signature_dictionary`, or
    /// `none` (then the chain is checked at the current time).
    pub signing_time_source: String,
    /// The digest algorithm (`sha256`).
    pub digest_algorithm: String,
    /// The signature algorithm (`ecdsa-sha256`, `rsa-sha256`, …).
    pub signature_algorithm: String,
    /// The digest of the signed bytes matches and the signature verifies with the signer's key.
    pub cryptographically_valid: bool,
    /// The signed attributes bind the signer's certificate (ESS signing-certificate(-v2)).
    pub signing_certificate_bound: bool,
    /// `/ByteRange`: `[0, len1, start2, len2]`.
    pub byte_range: [u64; 4],
    /// Where the signed bytes end.
    pub signed_until: u64,
    /// The byte range covers the whole file up to the end of the signature's revision.
    pub covers_revision: bool,
    /// The chain validates to a trust anchor at the signing time.
    pub chain_trusted: bool,
    /// The chain's subjects, signer first, anchor last (when it validates).
    pub chain: Vec<String>,
    /// Why the chain does not validate.
    pub chain_error: Option<String>,
    /// What follows the signature's revision.
    pub appended: Appended,
    /// What is wrong, in words (empty when nothing is).
    pub problems: Vec<String>,
    /// Valid, covering, trusted, and followed by nothing but signatures.
    pub valid: bool,
}

/// The report on a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct VerifyReport {
    /// At least one signature, every one valid, and the original (when given) is the unsigned
    /// prefix.
    pub valid: bool,
    /// The file's size.
    pub size: u64,
    /// One report per signature, in signing order.
    pub signatures: Vec<SignatureReport>,
    /// What follows the last signature.
    pub appended_after_last_signature: Option<Appended>,
    /// Whether the given original is exactly the unsigned prefix (absent when none was given).
    pub original_is_prefix: Option<bool>,
    /// The length of the unsigned prefix (the document before the first signature).
    pub unsigned_prefix_len: Option<u64>,
    /// What is wrong with the document as a whole, in words.
    pub problems: Vec<String>,
}

/// Verify a signed PDF held in memory. Malformed signature structures (a `/ByteRange` out of
/// the file or overlapping, a `/Contents` larger than 4 MiB or not hex) are
/// [`ErrorCode::InvalidDocument`]; everything else is reported.
pub fn verify_pdf(pdf: &[u8], opts: &VerifyOptions) -> Result<VerifyReport> {
    if !pdf.starts_with(b"%PDF-") {
        return Err(Error::new(
            ErrorCode::InvalidDocument,
            "not a PDF: the file does not start with %PDF-",
        ));
    }
    let raws = scan::signatures(pdf)?;
    let ends = scan::revision_ends(pdf);
    let content_end = pdf
        .iter()
        .rposition(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\0'))
        .map_or(0, |p| p + 1);

    let mut reports = Vec::with_capacity(raws.len());
    for (i, raw) in raws.iter().enumerate() {
        reports.push(report_one(pdf, raw, i, &raws, &ends, content_end, opts));
    }
    let mut problems = Vec::new();
    if reports.is_empty() {
        problems.push("the document has no signatures".to_owned());
    }
    let prefix_len = raws.first().map(|first| unsigned_prefix(&ends, first.at));
    let original_is_prefix = match (&opts.original, prefix_len) {
        (Some(o), Some(len)) => Some(is_prefix(pdf, o, len)),
        (Some(_), None) => Some(false),
        (None, _) => None,
    };
    if original_is_prefix == Some(false) {
        problems.push("the original document is not the unsigned part of this file".to_owned());
    }
    let valid =
        !reports.is_empty() && reports.iter().all(|r| r.valid) && original_is_prefix != Some(false);
    Ok(VerifyReport {
        valid,
        size: pdf.len() as u64,
        appended_after_last_signature: reports.last().map(|r| r.appended),
        signatures: reports,
        original_is_prefix,
        unsigned_prefix_len: prefix_len.map(|l| l as u64),
        problems,
    })
}

/// [`verify_pdf`] of a file.
pub fn verify_pdf_file(path: impl AsRef<Path>, opts: &VerifyOptions) -> Result<VerifyReport> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    verify_pdf(&bytes, opts)
}

/// The end of the last revision before byte `at` (0 when there is none).
fn unsigned_prefix(ends: &[usize], at: usize) -> usize {
    ends.iter().copied().filter(|e| *e <= at).max().unwrap_or(0)
}

fn is_prefix(pdf: &[u8], original: &Original, len: usize) -> bool {
    // The writer may have added one end-of-line after the original's last byte.
    let mut candidates = vec![len];
    let mut l = len;
    while l > 0 && matches!(pdf[l - 1], b'\r' | b'\n') && len - l < 2 {
        l -= 1;
        candidates.push(l);
    }
    match original {
        Original::Bytes(b) => candidates.contains(&b.len()) && pdf.starts_with(b),
        Original::Md5(m) => {
            let m = m.trim().to_ascii_lowercase();
            let b64 = base64::engine::general_purpose::STANDARD;
            candidates.iter().any(|&n| {
                let d = Md5::digest(&pdf[..n]);
                let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
                hex == m || b64.encode(d).to_ascii_lowercase() == m
            })
        }
    }
}

fn report_one(
    pdf: &[u8],
    raw: &scan::RawSignature,
    i: usize,
    all: &[scan::RawSignature],
    ends: &[usize],
    content_end: usize,
    opts: &VerifyOptions,
) -> SignatureReport {
    let [a, b, c, d] = raw.byte_range;
    let end = raw.covered_end();
    let claimed = raw.m.as_deref().and_then(time::parse_pdf_date);
    let checked = cms::check(
        &raw.contents,
        pdf,
        [(a, b), (c, d)],
        &opts.anchors.certs,
        claimed,
    );
    let mut problems = checked.problems;
    // The range covers the revision holding the dictionary: it ends at that revision's end.
    let covers =
        ends.contains(&end) && !ends.iter().any(|e| *e > raw.at && *e < end) && end > raw.at;
    if !covers {
        problems.push(format!(
            "/ByteRange ends at byte {end}, not at the end of the signature's revision"
        ));
    }
    let (appended, what) = if end >= content_end {
        (Appended::Nothing, None)
    } else {
        appended_after(pdf, end, &all[i + 1..], content_end)
    };
    if appended == Appended::OtherChanges {
        problems.push(format!(
            "the document was changed after this signature ({})",
            what.unwrap_or_default()
        ));
    }
    let (time, source) = match (checked.signing_time, claimed) {
        (Some(t), _) => (Some(t), "signed_attribute"),
        (None, Some(t)) => (Some(t), "signature_dictionary"),
        _ => (None, "none"),
    };
    if let Some(e) = &checked.chain_error {
        problems.push(e.clone());
    }
    if !checked.certificate_bound && checked.signer.is_some() {
        problems.push("the signed attributes do not bind the signer's certificate".to_owned());
    }
    let valid = checked.valid
        && covers
        && checked.chain_trusted
        && appended != Appended::OtherChanges
        && raw.contents.len() <= MAX_SIGNATURE_BYTES;
    SignatureReport {
        index: i + 1,
        sub_filter: raw.sub_filter.clone(),
        name: raw.name.clone(),
        signer: checked.signer.as_ref().map(signer_of),
        signing_time: time.map(time::rfc3339),
        signing_time_source: source.to_owned(),
        digest_algorithm: checked.digest_algorithm,
        signature_algorithm: checked.signature_algorithm,
        cryptographically_valid: checked.valid,
        signing_certificate_bound: checked.certificate_bound,
        byte_range: [a as u64, b as u64, c as u64, d as u64],
        signed_until: end as u64,
        covers_revision: covers,
        chain_trusted: checked.chain_trusted,
        chain: checked.chain,
        chain_error: checked.chain_error,
        appended,
        problems,
        valid,
    }
}

/// What follows byte `end`: each later signature's update must add only a signature, and
/// nothing may follow the last one; with what else was changed, in words.
fn appended_after(
    pdf: &[u8],
    end: usize,
    later: &[scan::RawSignature],
    content_end: usize,
) -> (Appended, Option<String>) {
    let mut from = end;
    for s in later {
        let to = s.covered_end();
        if to <= from || s.at < from {
            continue;
        }
        if let Err(what) = changes::signature_only(pdf, from, to) {
            return (Appended::OtherChanges, Some(what));
        }
        from = to;
    }
    if from >= content_end && from > end {
        (Appended::Signatures, None)
    } else {
        (
            Appended::OtherChanges,
            Some(format!(
                "bytes {from}..{} are not a signature's update",
                content_end
            )),
        )
    }
}

fn signer_of(cert: &x509_cert::Certificate) -> Signer {
    let tbs = &cert.tbs_certificate;
    let attr = |oid: &str| -> Option<String> {
        tbs.subject
            .0
            .iter()
            .flat_map(|rdn| rdn.0.iter())
            .find_map(|atv| {
                (atv.oid.to_string() == oid).then(|| {
                    let v = &atv.value;
                    std::str::from_utf8(v.value())
                        .map(str::to_owned)
                        .unwrap_or_else(|_| String::from_utf8_lossy(v.value()).into_owned())
                })
            })
    };
    let serial: String = tbs
        .serial_number
        .as_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let secs = |t: &x509_cert::time::Time| {
        time::rfc3339(i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX))
    };
    Signer {
        subject: tbs.subject.to_string(),
        common_name: attr("2.5.4.3"),
        personal_id: attr("2.5.4.5"),
        certificate_serial: serial,
        issuer: tbs.issuer.to_string(),
        not_before: secs(&tbs.validity.not_before),
        not_after: secs(&tbs.validity.not_after),
    }
}

mod time {
    //! PDF dates and RFC 3339.

    /// Days from 1970-01-01 to a civil date.
    fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
        let y = if m <= 2 { y - 1 } else { y };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + d - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// `D:YYYYMMDDHHmmSS+HH'mm'` (every part after the year optional) as Unix seconds.
    pub(super) fn parse_pdf_date(s: &str) -> Option<i64> {
        let s = s.strip_prefix("D:").unwrap_or(s);
        let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
        if digits.len() < 4 || digits.len() > 14 {
            return None;
        }
        let part = |from: usize, len: usize, default: i64| -> Option<i64> {
            digits
                .get(from..from + len)
                .map_or(Some(default), |p| p.parse().ok())
        };
        let (y, mo, d) = (part(0, 4, 0)?, part(4, 2, 1)?, part(6, 2, 1)?);
        let (h, mi, se) = (part(8, 2, 0)?, part(10, 2, 0)?, part(12, 2, 0)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
            return None;
        }
        let mut t = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se;
        let rest = &s[digits.len()..];
        let mut chars = rest.chars();
        if let Some(sign @ ('+' | '-')) = chars.next() {
            let tz: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let oh: i64 = tz.get(0..2).and_then(|x| x.parse().ok()).unwrap_or(0);
            let om: i64 = tz.get(2..4).and_then(|x| x.parse().ok()).unwrap_or(0);
            let off = oh * 3600 + om * 60;
            t = if sign == '+' { t - off } else { t + off };
        }
        Some(t)
    }

    /// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
    pub(super) fn rfc3339(t: i64) -> String {
        let days = t.div_euclid(86_400);
        let rem = t.rem_euclid(86_400);
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            rem / 3600,
            (rem % 3600) / 60,
            rem % 60
        )
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn pdf_dates() {
            let t = parse_pdf_date("D:20240301120000+01'00'").expect("date");
            assert_eq!(rfc3339(t), "2024-03-01T11:00:00Z");
            assert_eq!(parse_pdf_date("D:2024"), Some(1_704_067_200));
            assert_eq!(parse_pdf_date("D:20241399"), None);
        }
    }
}
