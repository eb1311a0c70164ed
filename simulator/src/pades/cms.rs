//! The detached CMS SignedData of a PAdES B-B signature (ETSI EN 319 142-1): SHA-256 of the
//! signed byte ranges in the message-digest attribute, the content-type attribute, and the
//! ESS signing-certificate-v2 attribute binding the signer's certificate (RFC 5035); the
//! signer's certificate and its chain in `certificates`. No signing-time attribute: PAdES puts
//! the claimed signing time in the signature dictionary's `/M`.

use cms::builder::{SignedDataBuilder, SignerInfoBuilder};
use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::signed_data::{EncapsulatedContentInfo, SignerIdentifier};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode as _, Sequence};
use p256::ecdsa::DerSignature;
use sha2::{Digest as _, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::serial_number::SerialNumber;

use super::pki::Credentials;

/// id-sha256.
const ID_SHA_256: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-data.
const ID_DATA: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-aa-signingCertificateV2 (RFC 5035).
const ID_AA_SIGNING_CERTIFICATE_V2: der::oid::ObjectIdentifier =
    der::oid::ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.16.2.47");

/// `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`.
#[derive(Sequence)]
struct SigningCertificateV2 {
    certs: Vec<EssCertIdV2>,
}

/// `ESSCertIDv2`: the hash algorithm is the DEFAULT (SHA-256), so it is omitted.
#[derive(Sequence)]
struct EssCertIdV2 {
    cert_hash: OctetString,
    issuer_serial: IssuerSerial,
}

/// `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`.
#[derive(Sequence)]
struct IssuerSerial {
    issuer: Vec<GeneralName>,
    serial_number: SerialNumber,
}

/// The `signingCertificateV2` signed attribute (RFC 5035) naming `cert`: its SHA-256 hash and
/// issuer/serial, so a verifier knows which certificate signed (PAdES and RFC 3161 both need it).
pub(crate) fn signing_certificate_v2(cert: &x509_cert::Certificate) -> Result<Attribute, String> {
    let err = |what: &str, e: &dyn std::fmt::Display| format!("CMS {what}: {e}");
    let cert_der = cert.to_der().map_err(|e| err("certificate", &e))?;
    let tbs = &cert.tbs_certificate;
    let ess = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            cert_hash: OctetString::new(Sha256::digest(&cert_der).to_vec())
                .map_err(|e| err("certificate hash", &e))?,
            issuer_serial: IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer.clone())],
                serial_number: tbs.serial_number.clone(),
            },
        }],
    };
    let ess_der = ess
        .to_der()
        .map_err(|e| err("signing-certificate-v2", &e))?;
    let mut values = SetOfVec::new();
    values
        .insert(<Any as der::Decode>::from_der(&ess_der).map_err(|e| err("attribute", &e))?)
        .map_err(|e| err("attribute", &e))?;
    Ok(Attribute {
        oid: ID_AA_SIGNING_CERTIFICATE_V2,
        values,
    })
}

/// The DER of a detached CMS `ContentInfo` (SignedData) over `digest` (SHA-256 of the signed
/// byte ranges), signed by `creds`.
pub fn signed_data(digest: &[u8], creds: &Credentials) -> Result<Vec<u8>, String> {
    let err = |what: &str, e: &dyn std::fmt::Display| format!("CMS {what}: {e}");
    let tbs = &creds.cert.tbs_certificate;
    let ess_attr = signing_certificate_v2(&creds.cert)?;

    let content = EncapsulatedContentInfo {
        econtent_type: ID_DATA,
        econtent: None,
    };
    let sha256 = AlgorithmIdentifierOwned {
        oid: ID_SHA_256,
        parameters: None,
    };
    let sid = SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
        issuer: tbs.issuer.clone(),
        serial_number: tbs.serial_number.clone(),
    });
    let mut signer =
        SignerInfoBuilder::new(&creds.key, sid, sha256.clone(), &content, Some(digest))
            .map_err(|e| err("signer", &e))?;
    signer
        .add_signed_attribute(ess_attr)
        .map_err(|e| err("signer", &e))?;

    let mut builder = SignedDataBuilder::new(&content);
    builder
        .add_digest_algorithm(sha256)
        .map_err(|e| err("digest algorithm", &e))?;
    for cert in std::iter::once(&creds.cert).chain(creds.chain.iter()) {
        builder
            .add_certificate(CertificateChoices::Certificate(cert.clone()))
            .map_err(|e| err("certificates", &e))?;
    }
    builder
        .add_signer_info::<_, DerSignature>(signer)
        .map_err(|e| err("signature", &e))?;
    let info = builder.build().map_err(|e| err("SignedData", &e))?;
    info.to_der().map_err(|e| err("encoding", &e))
}
