//! The CMS side of a PDF signature: the SignedData in `/Contents` (RFC 5652), checked against
//! the signed bytes, and its signer's certificate chain, built to a trust anchor at the signing
//! time.
//!
//! Parsing is RustCrypto's (`cms`, `x509-cert`, `der`); signatures are checked with `ring`, and
//! the chain is built and checked by `rustls-webpki` (names, validity, basic constraints, key
//! usage of the CAs, and the signatures of every certificate).

use std::time::Duration;

use cms::content_info::ContentInfo;
use cms::signed_data::{SignedData, SignerIdentifier, SignerInfo};
use der::asn1::{ObjectIdentifier as Oid, OctetString};
use der::{Decode as _, Encode as _, Reader as _};
use ring::digest;
use ring::signature::{self, UnparsedPublicKey, VerificationAlgorithm};
use rustls_pki_types::{CertificateDer, UnixTime};
use x509_cert::Certificate;

/// What checking one CMS signature found.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    pub signer: Option<Certificate>,
    pub digest_algorithm: String,
    pub signature_algorithm: String,
    /// The message digest matches the signed bytes and the signature over the signed
    /// attributes verifies with the signer's key.
    pub valid: bool,
    /// The signing-certificate(-v2) attribute names the signer's certificate.
    pub certificate_bound: bool,
    /// The signing-time attribute, Unix seconds.
    pub signing_time: Option<i64>,
    /// The chain to a trust anchor, signer first (subjects), when it validates.
    pub chain: Vec<String>,
    pub chain_trusted: bool,
    pub chain_error: Option<String>,
    pub problems: Vec<String>,
}

const ID_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
const ID_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
const ID_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
const ID_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
const ID_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
const ID_SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
const ID_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

fn digest_of(oid: &Oid) -> Option<(&'static digest::Algorithm, &'static str)> {
    Some(match oid.to_string().as_str() {
        "2.16.840.1.101.3.4.2.1" => (&digest::SHA256, "sha256"),
        "2.16.840.1.101.3.4.2.2" => (&digest::SHA384, "sha384"),
        "2.16.840.1.101.3.4.2.3" => (&digest::SHA512, "sha512"),
        _ => return None,
    })
}

/// ring's algorithm for a signature algorithm OID, the digest algorithm's name and the
/// signer's key (its algorithm OID and parameters): the algorithm and a display name.
fn signature_alg(
    sig_oid: &Oid,
    digest: &str,
    key_params: Option<&str>,
) -> Option<(&'static dyn VerificationAlgorithm, String)> {
    let curve = match key_params {
        Some("1.2.840.10045.3.1.7") => "p256",
        Some("1.3.132.0.34") => "p384",
        _ => "",
    };
    let by = |name: &str| -> Option<(&'static dyn VerificationAlgorithm, String)> {
        let alg: &'static dyn VerificationAlgorithm = match (name, curve) {
            ("rsa-sha256", _) => &signature::RSA_PKCS1_2048_8192_SHA256,
            ("rsa-sha384", _) => &signature::RSA_PKCS1_2048_8192_SHA384,
            ("rsa-sha512", _) => &signature::RSA_PKCS1_2048_8192_SHA512,
            ("ecdsa-sha256", "p256") => &signature::ECDSA_P256_SHA256_ASN1,
            ("ecdsa-sha384", "p256") => &signature::ECDSA_P256_SHA384_ASN1,
            ("ecdsa-sha256", "p384") => &signature::ECDSA_P384_SHA256_ASN1,
            ("ecdsa-sha384", "p384") => &signature::ECDSA_P384_SHA384_ASN1,
            ("ed25519", _) => &signature::ED25519,
            _ => return None,
        };
        Some((alg, name.to_owned()))
    };
    match sig_oid.to_string().as_str() {
        // rsaEncryption: the digest algorithm says which hash.
        "1.2.840.113549.1.1.1" => by(&format!("rsa-{digest}")),
        "1.2.840.113549.1.1.11" => by("rsa-sha256"),
        "1.2.840.113549.1.1.12" => by("rsa-sha384"),
        "1.2.840.113549.1.1.13" => by("rsa-sha512"),
        // id-ecPublicKey: the digest algorithm says which hash.
        "1.2.840.10045.2.1" => by(&format!("ecdsa-{digest}")),
        "1.2.840.10045.4.3.2" => by("ecdsa-sha256"),
        "1.2.840.10045.4.3.3" => by("ecdsa-sha384"),
        "1.3.101.112" => by("ed25519"),
        _ => None,
    }
}

/// Accepts any extended key usage: document signing certificates carry several kinds, or none.
struct AnyUsage;

impl webpki::ExtendedKeyUsageValidator for AnyUsage {
    fn validate(&self, _: webpki::KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        Ok(())
    }
}

/// The value of the first attribute `oid` among `attrs`.
fn attribute<'a>(attrs: &'a [x509_cert::attr::Attribute], oid: &Oid) -> Option<&'a der::asn1::Any> {
    attrs
        .iter()
        .find(|a| a.oid == *oid)
        .and_then(|a| a.values.iter().next())
}

/// Checks the CMS `der` of a signature over `ranges` of `pdf` and its chain to `anchors` at
/// the signing time (`claimed_time` when the CMS has none, else now).
pub(crate) fn check(
    der_bytes: &[u8],
    pdf: &[u8],
    ranges: [(usize, usize); 2],
    anchors: &[Vec<u8>],
    claimed_time: Option<i64>,
) -> Checked {
    let mut out = Checked::default();
    if let Err(e) = check_into(&mut out, der_bytes, pdf, ranges, anchors, claimed_time) {
        out.problems.push(e);
    }
    out
}

fn check_into(
    out: &mut Checked,
    der_bytes: &[u8],
    pdf: &[u8],
    ranges: [(usize, usize); 2],
    anchors: &[Vec<u8>],
    claimed_time: Option<i64>,
) -> Result<(), String> {
    // /Contents is zero-padded: read one DER value and ignore what follows.
    let mut reader = der::SliceReader::new(der_bytes).map_err(|e| format!("CMS: {e}"))?;
    let info: ContentInfo = reader
        .decode()
        .map_err(|e| format!("/Contents is not a CMS ContentInfo: {e}"))?;
    if info.content_type != ID_SIGNED_DATA {
        return Err(format!(
            "/Contents is CMS {}, not SignedData",
            info.content_type
        ));
    }
    let sd: SignedData = info
        .content
        .decode_as()
        .map_err(|e| format!("CMS SignedData: {e}"))?;
    if sd.encap_content_info.econtent.is_some() {
        out.problems
            .push("the CMS signature is not detached: it encapsulates content".to_owned());
    }
    let certs: Vec<Certificate> = sd
        .certificates
        .as_ref()
        .map(|set| {
            set.0
                .iter()
                .filter_map(|c| match c {
                    cms::cert::CertificateChoices::Certificate(c) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let si: &SignerInfo = sd
        .signer_infos
        .0
        .iter()
        .next()
        .ok_or("the CMS SignedData has no signer")?;
    if sd.signer_infos.0.len() > 1 {
        out.problems
            .push("the CMS SignedData has more than one signer; only the first is checked".into());
    }
    let signer = certs
        .iter()
        .find(|c| match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(ias) => {
                c.tbs_certificate.issuer == ias.issuer
                    && c.tbs_certificate.serial_number == ias.serial_number
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => c
                .tbs_certificate
                .get::<x509_cert::ext::pkix::SubjectKeyIdentifier>()
                .ok()
                .flatten()
                .is_some_and(|(_, k)| k.0 == ski.0),
        })
        .cloned()
        .ok_or("the signer's certificate is not in the signature")?;
    out.signer = Some(signer.clone());

    let (dalg, dname) = digest_of(&si.digest_alg.oid)
        .ok_or_else(|| format!("unsupported digest algorithm {}", si.digest_alg.oid))?;
    out.digest_algorithm = dname.to_owned();
    let spki = &signer.tbs_certificate.subject_public_key_info;
    let key_params = spki
        .algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.decode_as::<Oid>().ok())
        .map(|o| o.to_string());
    let (alg, sname) = signature_alg(&si.signature_algorithm.oid, dname, key_params.as_deref())
        .ok_or_else(|| {
            format!(
                "unsupported signature algorithm {} (with {dname})",
                si.signature_algorithm.oid
            )
        })?;
    out.signature_algorithm = sname;

    let mut ctx = digest::Context::new(dalg);
    for (start, len) in ranges {
        ctx.update(&pdf[start..start + len]);
    }
    let computed = ctx.finish();
    let key = UnparsedPublicKey::new(alg, spki.subject_public_key.raw_bytes());
    let sig = si.signature.as_bytes();

    match &si.signed_attrs {
        Some(attrs) => {
            let attrs_vec: Vec<_> = attrs.iter().cloned().collect();
            let md = attribute(&attrs_vec, &ID_MESSAGE_DIGEST)
                .and_then(|v| v.decode_as::<OctetString>().ok())
                .ok_or("the signed attributes have no message digest")?;
            match attribute(&attrs_vec, &ID_CONTENT_TYPE).and_then(|v| v.decode_as::<Oid>().ok()) {
                Some(ct) if ct == ID_DATA => {}
                _ => out
                    .problems
                    .push("the content-type attribute is missing or not id-data".into()),
            }
            if let Some(t) = attribute(&attrs_vec, &ID_SIGNING_TIME)
                .and_then(|v| v.to_der().ok())
                .and_then(|d| x509_cert::time::Time::from_der(&d).ok())
            {
                out.signing_time = i64::try_from(t.to_unix_duration().as_secs()).ok();
            }
            out.certificate_bound = certificate_bound(&attrs_vec, &signer);
            let digest_ok = md.as_bytes() == computed.as_ref();
            if !digest_ok {
                out.problems.push(
                    "the signed bytes do not match the signature's message digest (the document \
                     was changed after signing)"
                        .into(),
                );
            }
            // The signature is over the attributes as the signer encoded them (a SET OF that a
            // BER signer may not have sorted); the DER re-encoding when they cannot be found.
            let signed = match raw_signed_attrs(der_bytes) {
                Some(raw) => raw,
                None => attrs
                    .to_der()
                    .map_err(|e| format!("signed attributes: {e}"))?,
            };
            let sig_ok = key.verify(&signed, sig).is_ok();
            if !sig_ok {
                out.problems
                    .push("the signature does not verify with the signer's public key".into());
            }
            out.valid = digest_ok && sig_ok;
        }
        None => {
            let mut data = Vec::with_capacity(ranges[0].1 + ranges[1].1);
            for (start, len) in ranges {
                data.extend_from_slice(&pdf[start..start + len]);
            }
            out.valid = key.verify(&data, sig).is_ok();
            if !out.valid {
                out.problems
                    .push("the signature does not verify over the signed bytes".into());
            }
        }
    }

    // The chain, at the signing time.
    let at = out.signing_time.or(claimed_time).unwrap_or_else(now_secs);
    chain(out, &signer, &certs, anchors, at);
    Ok(())
}

/// The first signer's signed attributes exactly as encoded in `der_bytes` (a ContentInfo of
/// SignedData), with their `[0] IMPLICIT` tag turned back into the SET tag the signature covers.
fn raw_signed_attrs(der_bytes: &[u8]) -> Option<Vec<u8>> {
    use der::asn1::AnyRef;
    use der::{Tag, Tagged as _};
    fn items(value: &[u8]) -> Option<Vec<AnyRef<'_>>> {
        let mut r = der::SliceReader::new(value).ok()?;
        let mut out = Vec::new();
        while !r.is_finished() {
            out.push(r.decode::<AnyRef<'_>>().ok()?);
        }
        Some(out)
    }
    let mut r = der::SliceReader::new(der_bytes).ok()?;
    let content_info: AnyRef<'_> = r.decode().ok()?;
    let explicit = items(content_info.value())?.get(1).copied()?;
    let signed_data = items(explicit.value())?.first().copied()?;
    let signer_infos = items(signed_data.value())?.last().copied()?;
    let first = items(signer_infos.value())?.first().copied()?;
    let attrs = items(first.value())?.get(3).copied()?;
    if !matches!(
        attrs.tag(),
        Tag::ContextSpecific { number, constructed: true } if number.value() == 0
    ) {
        return None;
    }
    let mut raw = attrs.to_der().ok()?;
    *raw.first_mut()? = 0x31;
    Some(raw)
}

/// `SigningCertificateV2` (RFC 5035) and `SigningCertificate` (RFC 2634): only the first
/// certificate identifier is read.
#[derive(der::Sequence)]
struct SigningCertificate {
    certs: Vec<EssCertId>,
    #[asn1(optional = "true")]
    policies: Option<der::asn1::Any>,
}

/// `ESSCertIDv2` (hash algorithm DEFAULT SHA-256) or `ESSCertID` (SHA-1, no algorithm).
#[derive(der::Sequence)]
struct EssCertId {
    #[asn1(optional = "true")]
    hash_algorithm: Option<spki::AlgorithmIdentifierOwned>,
    cert_hash: OctetString,
    #[asn1(optional = "true")]
    issuer_serial: Option<der::asn1::Any>,
}

/// Whether the signing-certificate(-v2) attribute names `signer` by its hash.
fn certificate_bound(attrs: &[x509_cert::attr::Attribute], signer: &Certificate) -> bool {
    let Ok(der) = signer.to_der() else {
        return false;
    };
    let check = |oid: &Oid, default: &'static digest::Algorithm| -> Option<bool> {
        let value: SigningCertificate = attribute(attrs, oid)?.decode_as().ok()?;
        let first = value.certs.first()?;
        let alg = match &first.hash_algorithm {
            Some(a) => digest_of(&a.oid)?.0,
            None => default,
        };
        Some(digest::digest(alg, &der).as_ref() == first.cert_hash.as_bytes())
    };
    check(&ID_SIGNING_CERTIFICATE_V2, &digest::SHA256)
        .or_else(|| check(&ID_SIGNING_CERTIFICATE, &digest::SHA1_FOR_LEGACY_USE_ONLY))
        .unwrap_or(false)
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn chain(
    out: &mut Checked,
    signer: &Certificate,
    certs: &[Certificate],
    anchors: &[Vec<u8>],
    at: i64,
) {
    if anchors.is_empty() {
        out.chain_error = Some("no trust anchors were given".into());
        return;
    }
    let Ok(signer_der) = signer.to_der() else {
        out.chain_error = Some("the signer's certificate cannot be encoded".into());
        return;
    };
    let signer_der = CertificateDer::from(signer_der);
    let ee = match webpki::EndEntityCert::try_from(&signer_der) {
        Ok(ee) => ee,
        Err(e) => {
            out.chain_error = Some(format!("the signer's certificate is not usable: {e}"));
            return;
        }
    };
    let intermediates: Vec<CertificateDer<'static>> = certs
        .iter()
        .filter(|c| *c != signer)
        .filter_map(|c| c.to_der().ok())
        .map(CertificateDer::from)
        .collect();
    let anchor_ders: Vec<CertificateDer<'_>> = anchors
        .iter()
        .map(|a| CertificateDer::from(a.as_slice()))
        .collect();
    let trust: Vec<_> = anchor_ders
        .iter()
        .filter_map(|a| webpki::anchor_from_trusted_cert(a).ok())
        .collect();
    if trust.is_empty() {
        out.chain_error = Some("none of the trust anchors is a usable certificate".into());
        return;
    }
    let time = UnixTime::since_unix_epoch(Duration::from_secs(u64::try_from(at).unwrap_or(0)));
    match ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &trust,
        &intermediates,
        time,
        AnyUsage,
        None,
        None,
    ) {
        Ok(path) => {
            out.chain_trusted = true;
            let mut names = vec![signer.tbs_certificate.subject.to_string()];
            for c in path.intermediate_certificates() {
                if let Ok(cert) = Certificate::from_der(c.der().as_ref()) {
                    names.push(cert.tbs_certificate.subject.to_string());
                }
            }
            let anchor_subject = path.anchor().subject.as_ref();
            if let Some(a) = anchors
                .iter()
                .filter_map(|a| Certificate::from_der(a).ok())
                .find(|c| {
                    c.tbs_certificate
                        .subject
                        .to_der()
                        .is_ok_and(|d| d.ends_with(anchor_subject))
                })
            {
                names.push(a.tbs_certificate.subject.to_string());
            }
            out.chain = names;
        }
        Err(e) => {
            out.chain_error = Some(match e {
                webpki::Error::UnknownIssuer => {
                    "the signer's certificate does not chain to any of the trust anchors".into()
                }
                webpki::Error::CertExpired { .. } => {
                    "a certificate of the chain had expired at the signing time".into()
                }
                webpki::Error::CertNotValidYet { .. } => {
                    "a certificate of the chain was not yet valid at the signing time".into()
                }
                other => format!("the chain does not validate: {other}"),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_raw_signed_attributes_are_the_ones_the_signature_covers() {
        let pdf = include_bytes!("../../../fuzz/corpus/pdf_signature/bankid-signed.pdf");
        let sigs = super::super::scan::signatures(pdf).expect("signatures");
        let der_bytes = &sigs[0].contents;
        let raw = raw_signed_attrs(der_bytes).expect("raw attributes");
        let mut r = der::SliceReader::new(der_bytes).expect("reader");
        let info: ContentInfo = r.decode().expect("content info");
        let sd: SignedData = info.content.decode_as().expect("signed data");
        let si = sd.signer_infos.0.iter().next().expect("signer");
        let reencoded = si
            .signed_attrs
            .as_ref()
            .expect("attrs")
            .to_der()
            .expect("der");
        assert_eq!(raw, reencoded);
        assert_eq!(raw[0], 0x31);
        // Not SignedData: nothing.
        assert!(raw_signed_attrs(b"\x30\x03\x02\x01\x00").is_none());
    }
}
