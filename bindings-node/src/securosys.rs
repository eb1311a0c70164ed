//! The Securosys Primus HSM REST API (`client.securosys()`): keys, synchronous and asynchronous
//! (approval-based) signing, verification, request polling and the approvers' side. A thin
//! translation of `signbridge::providers::securosys::SecurosysClient`: arguments are read from
//! JavaScript, the core's future runs on the core's runtime and settles a Promise
//! ([`crate::promise`]).
//!
//! An argument of the wrong JavaScript type throws a `TypeError` at once; a value of the right
//! type the core (or one of its parsers) refuses rejects the Promise with
//! `SB_ERR_INVALID_ARGUMENT`, like every other method of the addon.

use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::{
    Buffer, ClassInstance, FromNapiValue, JavaScriptClassExt as _, JsObjectValue as _, Object,
    Unknown,
};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use signbridge::providers::securosys as core;
use signbridge::providers::securosys::ApproverSigner as _;
use signbridge::Error as SbError;

use crate::args::{self, is_nullish, Obj};
use crate::errors::{self, type_error, Kind};
use crate::promise;

// ---------------------------------------------------------------------------------------------
// Results.

/// The TSB's version (`versionInfo()`).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct VersionInfo {
    /// TSB version, e.g. `'2.5.1'`.
    pub version: String,
    /// Vendor, when reported.
    pub vendor: Option<String>,
}

/// The TSB's licensed features (`licenseInfo()`).
#[napi(object, object_from_js = false)]
pub struct LicenseInfo {
    /// Licensed features (`'KEY_AUTH'`, `'REST_API'`…).
    pub client_flags: Vec<String>,
}

/// A key as the TSB describes it (`createKey`, `getKey`). Absent fields are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct KeyInfo {
    /// The label.
    pub label: String,
    /// The key id, if any.
    pub id: Option<String>,
    /// The algorithm: `'RSA'`, `'EC'`, `'ED'`…
    pub algorithm: Option<String>,
    /// The algorithm OID.
    pub algorithm_oid: Option<String>,
    /// The curve OID (EC, ED).
    pub curve_oid: Option<String>,
    /// Size in bits.
    pub key_size: Option<u32>,
    /// Creation time (ISO 8601).
    pub create_time: Option<String>,
    /// The public key, base64 DER SubjectPublicKeyInfo, as the TSB reports it.
    pub public_key: Option<String>,
    /// The public key as PEM (`-----BEGIN PUBLIC KEY-----`), e.g. for `openssl` or
    /// `crypto.createPublicKey`; `null` for a key without one.
    pub public_key_pem: Option<String>,
    /// The attributes.
    #[napi(ts_type = "KeyAttributes")]
    pub attributes: Option<serde_json::Value>,
    /// The approval policy (keys with Smart Key Attributes).
    #[napi(ts_type = "Policy")]
    pub policy: Option<serde_json::Value>,
}

/// The state of an asynchronous request (`requestStatus`). Absent fields are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct RequestStatus {
    /// The request id.
    pub id: String,
    /// Its state.
    #[napi(ts_type = "RequestState")]
    pub status: String,
    /// When the HSM executed it.
    pub execution_time: Option<String>,
    /// Public keys (base64 SPKI) of the approvers who approved.
    pub approved_by: Vec<String>,
    /// Public keys (base64 SPKI) of the approvers who have not approved yet.
    pub not_yet_approved_by: Vec<String>,
    /// Public keys (base64 SPKI) of the approvers who rejected.
    pub rejected_by: Vec<String>,
    /// The result once `'EXECUTED'`: the signature of a sign request.
    pub result: Option<Buffer>,
}

/// A pending approval task of one approver (`listApprovalTasks`); pass it back to `approve`.
/// Absent fields are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ApprovalTask {
    /// Task id.
    pub id: String,
    /// What the approver signs to approve (base64, opaque).
    pub approval_to_be_signed: String,
    /// The approver's public key (base64 SPKI).
    pub approver_public_key: Option<String>,
    /// The request's metadata as sent (base64 JSON).
    pub meta_data: Option<String>,
    /// The payload to be signed (base64).
    pub payload: Option<String>,
    /// The payload type (`'UNSPECIFIED'`, `'PDF'`…).
    pub payload_type: Option<String>,
    /// The request's metadata decoded, when present and readable JSON: what the approver is
    /// asked to approve.
    #[napi(ts_type = "Record<string, any>")]
    pub metadata: Option<serde_json::Value>,
}

/// An X.509 certificate made by the HSM (`selfSignedCertificate`, `waitCertificate`).
#[napi(object, object_from_js = false)]
pub struct Certificate {
    /// The certificate, DER (`new crypto.X509Certificate(der)` reads it).
    pub der: Buffer,
    /// The certificate, PEM (`-----BEGIN CERTIFICATE-----`).
    pub pem: String,
}

/// A PKCS#10 certificate signing request made by the HSM, to send to a CA
/// (`certificateSigningRequest`, `waitCertificateSigningRequest`).
#[napi(object, object_from_js = false)]
pub struct Csr {
    /// The request, DER.
    pub der: Buffer,
    /// The request, PEM (`-----BEGIN CERTIFICATE REQUEST-----`).
    pub pem: String,
}

// ---------------------------------------------------------------------------------------------
// Requests (typings; read field by field below, unknown fields refused).

/// `createKey` request: a `label` and either `spec` (a key type the SDK knows) or the TSB's own
/// `algorithm` with `keySize` / `curveOid`.
#[napi(object, object_to_js = false)]
pub struct CreateKey {
    /// Unique key label (1-256 characters, no control characters).
    pub label: String,
    /// The key type: `'rsa2048'`, `'rsa3072'`, `'rsa4096'`, `'p256'`, `'p384'` or `'ed25519'`.
    #[napi(ts_type = "KeySpec")]
    pub spec: Option<String>,
    /// The TSB's algorithm (`'RSA'`, `'EC'`, `'ED'`, `'DSA'`, `'AES'`), instead of `spec`.
    pub algorithm: Option<String>,
    /// Size in bits (RSA, DSA, AES), with `algorithm`.
    pub key_size: Option<u32>,
    /// Curve OID (EC, ED), with `algorithm`.
    pub curve_oid: Option<String>,
    /// The attributes (replacing the default of a signing key: sign + verify, sensitive, not
    /// extractable, destroyable). `sign`, `decrypt` and `unwrap` must be set.
    #[napi(ts_type = "KeyAttributes")]
    pub attributes: Option<serde_json::Value>,
    /// An approval policy (e.g. `Policy.quorum(2, approvers, 3600)`): the key then signs only
    /// through `sign` and approvals.
    #[napi(ts_type = "Policy")]
    pub policy: Option<serde_json::Value>,
}

/// Options of `synchronousSign`, `verify` and their `…File` forms.
#[napi(object, object_to_js = false)]
pub struct PayloadOptions {
    /// `'raw'` (default: the data; the algorithm hashes it) or `'digest'` (a hash you
    /// computed; the algorithm's pre-hashed form is used and the length checked).
    #[napi(ts_type = "PayloadKind")]
    pub payload_kind: Option<String>,
}

/// Options of `sign` and `signFile`.
#[napi(object, object_to_js = false)]
pub struct SignOptions {
    /// `'raw'` (default) or `'digest'`, as for `synchronousSign`.
    #[napi(ts_type = "PayloadKind")]
    pub payload_kind: Option<String>,
    /// A plain object shown to the approvers (default `{ app: 'signbridge', type: 'Sign' }`).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<serde_json::Value>,
    /// The TSB's `payloadType`: `'UNSPECIFIED'` (default), `'ISO_20022'`, `'PDF'`, `'BTC'`,
    /// `'ETH'`.
    pub payload_type: Option<String>,
}

/// Options of `listApprovalTasks`.
#[napi(object, object_to_js = false)]
pub struct ListTasksOptions {
    /// Which tasks (default `'sign'`).
    #[napi(ts_type = "TaskKind")]
    pub kind: Option<String>,
    /// At most this many tasks, oldest first (default 25).
    pub page_size: Option<u32>,
}

/// A self-signed certificate for a key (`selfSignedCertificate`,
/// `requestSelfSignedCertificate`).
#[napi(object, object_to_js = false)]
pub struct CertificateRequest {
    /// The subject and issuer common name (1-64 characters).
    pub common_name: String,
    /// The signature algorithm, matching the key (`defaultSignatureAlgorithm(spec)`).
    #[napi(ts_type = "SignatureAlgorithm")]
    pub signature_algorithm: String,
    /// Validity from now, in days (default 365).
    pub validity_days: Option<u32>,
    /// Key usages (default `['DIGITAL_SIGNATURE']`).
    #[napi(ts_type = "Array<KeyUsage>")]
    pub key_usage: Option<Vec<String>>,
    /// Extended key usages (default none: the extension is left out).
    #[napi(ts_type = "Array<ExtendedKeyUsage>")]
    pub extended_key_usage: Option<Vec<String>>,
    /// A CA certificate (`CA:TRUE`); `'KEY_CERT_SIGN'` and `'CRL_SIGN'` are added to the key
    /// usages.
    pub certificate_authority: Option<bool>,
}

/// The subject of a certificate signing request. Only `commonName` is required.
#[napi(object, object_to_js = false)]
pub struct DistinguishedName {
    /// Common name (CN), 1-64 characters.
    pub common_name: String,
    /// Country (C): a two-letter ISO 3166 code.
    pub country: Option<String>,
    /// State or province (ST).
    pub state_or_province_name: Option<String>,
    /// Locality (L).
    pub locality: Option<String>,
    /// Organization (O).
    pub organization_name: Option<String>,
    /// Organizational unit (OU).
    pub organization_unit_name: Option<String>,
    /// E-mail address (emailAddress).
    pub email: Option<String>,
    /// Title.
    pub title: Option<String>,
    /// Surname (SN).
    pub surname: Option<String>,
    /// Given name (GN).
    pub given_name: Option<String>,
    /// Initials.
    pub initials: Option<String>,
    /// Pseudonym.
    pub pseudonym: Option<String>,
    /// Generation qualifier (`'Jr.'`).
    pub generation_qualifier: Option<String>,
}

/// A certificate signing request for a key (`certificateSigningRequest`,
/// `requestCertificateSigningRequest`).
#[napi(object, object_to_js = false)]
pub struct CsrRequest {
    /// The subject to certify.
    pub subject: DistinguishedName,
    /// The signature algorithm, matching the key.
    #[napi(ts_type = "SignatureAlgorithm")]
    pub signature_algorithm: String,
    /// The validity to ask the CA for, in days (default 365).
    pub validity_days: Option<u32>,
    /// Key usages requested (default `['DIGITAL_SIGNATURE']`).
    #[napi(ts_type = "Array<KeyUsage>")]
    pub key_usage: Option<Vec<String>>,
    /// Extended key usages requested (default none).
    #[napi(ts_type = "Array<ExtendedKeyUsage>")]
    pub extended_key_usage: Option<Vec<String>>,
}

/// Options of `requestSelfSignedCertificate` and `requestCertificateSigningRequest`.
#[napi(object, object_to_js = false)]
pub struct ApprovalRequestOptions {
    /// A plain object shown to the approvers (default `{ app: 'signbridge', type:
    /// 'Certificate' }`).
    #[napi(ts_type = "Record<string, unknown>")]
    pub metadata: Option<serde_json::Value>,
    /// The TSB's `payloadType` (default `'UNSPECIFIED'`).
    pub payload_type: Option<String>,
}

/// An approver of `Policy.quorum`.
#[napi(object, object_to_js = false)]
pub struct PolicyApprover {
    /// The approver's name, shown in the policy.
    pub name: String,
    /// The approver's public key, base64 DER SPKI (`approverKey.publicKeyB64`).
    pub public_key: String,
}

// ---------------------------------------------------------------------------------------------
// Reading arguments.

/// A core enum from its serde spelling, or `SB_ERR_INVALID_ARGUMENT` listing the spellings.
macro_rules! parse_enum {
    ($ty:ty, $what:expr, $value:expr, $allowed:expr) => {
        serde_json::from_value::<$ty>(serde_json::Value::String($value.to_string())).map_err(|_| {
            SbError::invalid_argument(format!("{} {:?} is not one of {}", $what, $value, $allowed))
        })
    };
}

const KEY_SPECS: &str = "'rsa2048', 'rsa3072', 'rsa4096', 'p256', 'p384', 'ed25519'";
const PAYLOAD_KINDS: &str = "'raw', 'digest'";
const TASK_KINDS: &str =
    "'sign', 'decrypt', 'modify_key', 'block_key', 'unblock_key', 'unwrap_key', 'all'";

fn parse_spec(value: &str) -> Result<core::KeySpec, SbError> {
    parse_enum!(core::KeySpec, "key spec", value, KEY_SPECS)
}

fn parse_kind(value: Option<&str>) -> Result<core::PayloadKind, SbError> {
    value.map_or(Ok(core::PayloadKind::Raw), |v| {
        parse_enum!(core::PayloadKind, "payloadKind", v, PAYLOAD_KINDS)
    })
}

/// A whole number in `u32` range (a `TypeError` otherwise).
fn whole(env: &Env, n: f64, what: &str) -> napi::Result<u32> {
    if n.fract() != 0.0 || n > f64::from(u32::MAX) {
        return Err(type_error(
            env,
            format!("{what} must be a whole number, got {n}"),
        ));
    }
    Ok(n as u32)
}

/// A plain object (not an array, not null).
fn plain_object(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<serde_json::Value> {
    if v.get_type()? != ValueType::Object || v.is_array()? {
        return Err(type_error(
            env,
            format!("{what} must be a plain object, got {}", args::describe(&v)),
        ));
    }
    args::json(env, v, what)
}

const ATTRIBUTES: &[&str] = &[
    "encrypt",
    "decrypt",
    "verify",
    "sign",
    "wrap",
    "unwrap",
    "derive",
    "bip32",
    "slip10",
    "extractable",
    "modifiable",
    "destroyable",
    "sensitive",
    "copyable",
    "alwaysSensitive",
    "neverExtractable",
];

/// `{ label, spec | algorithm + keySize/curveOid, attributes?, policy? }`. Type errors throw;
/// refused values come back as the inner `Err` (to reject the Promise with).
fn read_create_key(env: &Env, v: Unknown<'_>) -> napi::Result<Result<core::CreateKey, SbError>> {
    let o = Obj::new(
        env,
        v,
        "request",
        &[
            "label",
            "spec",
            "algorithm",
            "keySize",
            "curveOid",
            "attributes",
            "policy",
        ],
    )?;
    let label = o.string("label")?;
    let spec = o.opt_string("spec")?;
    let algorithm = o.opt_string("algorithm")?;
    let key_size = o
        .opt_number("keySize")?
        .map(|n| whole(env, n, &o.path("keySize")))
        .transpose()?;
    let curve_oid = o.opt_string("curveOid")?;
    let attributes = match o.get("attributes")? {
        a if is_nullish(&a) => None,
        a => {
            // Check the field names (a misspelt attribute is an error, not ignored) and types.
            let what = o.path("attributes");
            let attrs = Obj::new(env, a, &what, ATTRIBUTES)?;
            for name in ATTRIBUTES {
                let f = attrs.get(name)?;
                if !is_nullish(&f) && f.get_type()? != ValueType::Boolean {
                    return Err(type_error(
                        env,
                        format!(
                            "{}.{name} must be a boolean, got {}",
                            what,
                            args::describe(&f)
                        ),
                    ));
                }
            }
            Some(o.opt_json("attributes")?.unwrap_or_default())
        }
    };
    let policy = match o.get("policy")? {
        p if is_nullish(&p) => None,
        p => Some(plain_object(env, p, &o.path("policy"))?),
    };
    let built = (|| {
        let mut req = match (spec, algorithm) {
            (Some(spec), None) => {
                if key_size.is_some() || curve_oid.is_some() {
                    return Err(SbError::invalid_argument(
                        "request.keySize and request.curveOid go with request.algorithm, not \
                         with request.spec",
                    ));
                }
                core::CreateKey::new(label, parse_spec(&spec)?)
            }
            (None, Some(algorithm)) => core::CreateKey {
                label,
                algorithm: core::KeyAlgorithm::parse(&algorithm),
                key_size,
                curve_oid,
                attributes: core::KeyAttributes::signing(),
                policy: None,
            },
            _ => {
                return Err(SbError::invalid_argument(format!(
                    "request needs exactly one of `spec` ({KEY_SPECS}) or `algorithm` \
                     ('RSA', 'EC', 'ED'...)"
                )))
            }
        };
        if let Some(a) = attributes {
            req.attributes = serde_json::from_value(a).map_err(|e| {
                SbError::invalid_argument(format!("request.attributes is not valid: {e}"))
            })?;
        }
        if let Some(p) = policy {
            req.policy = Some(serde_json::from_value(p).map_err(|e| {
                SbError::invalid_argument(format!(
                    "request.policy is not a valid policy (see Policy.quorum): {e}"
                ))
            })?);
        }
        Ok(req)
    })();
    Ok(built)
}

fn read_payload_options(
    env: &Env,
    v: Option<Unknown<'_>>,
) -> napi::Result<Result<core::PayloadKind, SbError>> {
    let kind = match Obj::opt(env, v, "options", &["payloadKind"])? {
        Some(o) => o.opt_string("payloadKind")?,
        None => None,
    };
    Ok(parse_kind(kind.as_deref()))
}

fn read_sign_options(
    env: &Env,
    v: Option<Unknown<'_>>,
) -> napi::Result<Result<(core::PayloadKind, core::SignOptions), SbError>> {
    let mut opts = core::SignOptions::default();
    let Some(o) = Obj::opt(
        env,
        v,
        "options",
        &["payloadKind", "metadata", "payloadType"],
    )?
    else {
        return Ok(Ok((core::PayloadKind::Raw, opts)));
    };
    let kind = o.opt_string("payloadKind")?;
    let metadata = o.get("metadata")?;
    if !is_nullish(&metadata) {
        opts.metadata = Some(plain_object(env, metadata, &o.path("metadata"))?);
    }
    opts.payload_type = o.opt_string("payloadType")?;
    Ok(parse_kind(kind.as_deref()).map(|k| (k, opts)))
}

/// The approver argument: an `ApproverKey` made by this addon.
fn read_approver(env: &Env, v: Unknown<'_>) -> napi::Result<Arc<core::ApproverKey>> {
    let wrong = |env: &Env, v: &Unknown<'_>| {
        type_error(
            env,
            format!(
                "approver must be an ApproverKey (ApproverKey.fromPem(...)), got {}",
                args::describe(v)
            ),
        )
    };
    if v.get_type()? != ValueType::Object || !ApproverKey::instance_of(env, &v)? {
        return Err(wrong(env, &v));
    }
    // SAFETY: `v` is an object of this environment; unwrapping checks it wraps an ApproverKey
    // (an object that only shares the prototype fails here instead).
    let key: ClassInstance<'_, ApproverKey> =
        unsafe { ClassInstance::from_napi_value(env.raw(), v.raw()) }
            .map_err(|_| wrong(env, &v))?;
    Ok(key.inner.clone())
}

const TASK_FIELDS: &[&str] = &[
    "id",
    "approvalToBeSigned",
    "approverPublicKey",
    "metaData",
    "payload",
    "payloadType",
    "metadata",
];

fn read_task(env: &Env, v: Unknown<'_>) -> napi::Result<core::ApprovalTask> {
    if v.get_type()? != ValueType::Object || v.is_array()? {
        return Err(type_error(
            env,
            format!(
                "task must be a task object from listApprovalTasks(), got {}",
                args::describe(&v)
            ),
        ));
    }
    let o = Obj::new(env, v, "task", TASK_FIELDS)?;
    Ok(core::ApprovalTask {
        id: o.string("id")?,
        approval_to_be_signed: o.string("approvalToBeSigned")?,
        approver_public_key: o.opt_string("approverPublicKey")?,
        meta_data: o.opt_string("metaData")?,
        payload: o.opt_string("payload")?,
        payload_type: o.opt_string("payloadType")?,
    })
}

/// An optional list of names (key usages…), as the core's open enums parse them.
fn opt_names<T>(o: &Obj<'_>, key: &str, parse: fn(&str) -> T) -> napi::Result<Option<Vec<T>>> {
    Ok(o.opt_string_array(key)?
        .map(|v| v.iter().map(|s| parse(s)).collect()))
}

fn opt_days(env: &Env, o: &Obj<'_>) -> napi::Result<Option<u32>> {
    o.opt_number("validityDays")?
        .map(|n| whole(env, n, &o.path("validityDays")))
        .transpose()
}

fn read_certificate_request(env: &Env, v: Unknown<'_>) -> napi::Result<core::CertificateRequest> {
    let o = Obj::new(
        env,
        v,
        "request",
        &[
            "commonName",
            "signatureAlgorithm",
            "validityDays",
            "keyUsage",
            "extendedKeyUsage",
            "certificateAuthority",
        ],
    )?;
    let mut req = core::CertificateRequest::new(
        o.string("commonName")?,
        core::SignatureAlgorithm::parse(&o.string("signatureAlgorithm")?),
    );
    if let Some(days) = opt_days(env, &o)? {
        req = req.with_validity_days(days);
    }
    if let Some(k) = opt_names(&o, "keyUsage", core::KeyUsage::parse)? {
        req.key_usage = k;
    }
    if let Some(k) = opt_names(&o, "extendedKeyUsage", core::ExtendedKeyUsage::parse)? {
        req.extended_key_usage = k;
    }
    let ca = o.get("certificateAuthority")?;
    if !is_nullish(&ca) {
        if ca.get_type()? != ValueType::Boolean {
            return Err(type_error(
                env,
                format!(
                    "{} must be a boolean, got {}",
                    o.path("certificateAuthority"),
                    args::describe(&ca)
                ),
            ));
        }
        // SAFETY: checked to be a boolean just above; `ca` belongs to `env`.
        if unsafe { bool::from_napi_value(env.raw(), ca.raw()) }? {
            req = req.authority();
        }
    }
    Ok(req)
}

const DN_FIELDS: &[&str] = &[
    "commonName",
    "country",
    "stateOrProvinceName",
    "locality",
    "organizationName",
    "organizationUnitName",
    "email",
    "title",
    "surname",
    "givenName",
    "initials",
    "pseudonym",
    "generationQualifier",
];

fn read_csr_request(env: &Env, v: Unknown<'_>) -> napi::Result<core::CsrRequest> {
    let o = Obj::new(
        env,
        v,
        "request",
        &[
            "subject",
            "signatureAlgorithm",
            "validityDays",
            "keyUsage",
            "extendedKeyUsage",
        ],
    )?;
    let s = Obj::new(env, o.get("subject")?, &o.path("subject"), DN_FIELDS)?;
    let subject = core::DistinguishedName {
        common_name: s.string("commonName")?,
        country: s.opt_string("country")?,
        state_or_province_name: s.opt_string("stateOrProvinceName")?,
        locality: s.opt_string("locality")?,
        organization_name: s.opt_string("organizationName")?,
        organization_unit_name: s.opt_string("organizationUnitName")?,
        email: s.opt_string("email")?,
        title: s.opt_string("title")?,
        surname: s.opt_string("surname")?,
        given_name: s.opt_string("givenName")?,
        initials: s.opt_string("initials")?,
        pseudonym: s.opt_string("pseudonym")?,
        generation_qualifier: s.opt_string("generationQualifier")?,
    };
    let mut req = core::CsrRequest::new(
        subject,
        core::SignatureAlgorithm::parse(&o.string("signatureAlgorithm")?),
    );
    if let Some(days) = opt_days(env, &o)? {
        req.validity_days = days;
    }
    if let Some(k) = opt_names(&o, "keyUsage", core::KeyUsage::parse)? {
        req.key_usage = k;
    }
    if let Some(k) = opt_names(&o, "extendedKeyUsage", core::ExtendedKeyUsage::parse)? {
        req.extended_key_usage = k;
    }
    Ok(req)
}

fn read_request_options(env: &Env, v: Option<Unknown<'_>>) -> napi::Result<core::SignOptions> {
    let mut opts = core::SignOptions::default();
    if let Some(o) = Obj::opt(env, v, "options", &["metadata", "payloadType"])? {
        let metadata = o.get("metadata")?;
        if !is_nullish(&metadata) {
            opts.metadata = Some(plain_object(env, metadata, &o.path("metadata"))?);
        }
        opts.payload_type = o.opt_string("payloadType")?;
    }
    Ok(opts)
}

// ---------------------------------------------------------------------------------------------
// Conversions.

impl From<core::KeyInfo> for KeyInfo {
    fn from(k: core::KeyInfo) -> Self {
        KeyInfo {
            public_key_pem: k.public_key_pem().ok(),
            attributes: k
                .attributes
                .as_ref()
                .and_then(|a| serde_json::to_value(a).ok()),
            policy: k.policy.as_ref().and_then(|p| serde_json::to_value(p).ok()),
            label: k.label,
            id: k.id,
            algorithm: k.algorithm.map(|a| a.as_str().to_string()),
            algorithm_oid: k.algorithm_oid,
            curve_oid: k.curve_oid,
            key_size: k.key_size,
            create_time: k.create_time,
            public_key: k.public_key,
        }
    }
}

/// A request state with its decoded result (decoded on the runtime: a result that is not
/// base64 rejects with the core's `SB_ERR_PROTOCOL`).
type DecodedStatus = (core::RequestStatus, Option<Vec<u8>>);

fn status_to_js((s, result): DecodedStatus) -> RequestStatus {
    RequestStatus {
        id: s.id,
        status: s.status.as_str().to_string(),
        execution_time: s.execution_time,
        approved_by: s.approved_by,
        not_yet_approved_by: s.not_yet_approved_by,
        rejected_by: s.rejected_by,
        result: result.map(Buffer::from),
    }
}

/// A state seen while waiting, for `onProgress` (its result decoded when readable).
fn progress_status(s: core::RequestStatus) -> RequestStatus {
    let result = s.result_bytes().ok().flatten();
    status_to_js((s, result))
}

fn tasks_to_js(tasks: Vec<core::ApprovalTask>) -> Vec<ApprovalTask> {
    tasks
        .into_iter()
        .map(|t| ApprovalTask {
            metadata: t.metadata(),
            id: t.id,
            approval_to_be_signed: t.approval_to_be_signed,
            approver_public_key: t.approver_public_key,
            meta_data: t.meta_data,
            payload: t.payload,
            payload_type: t.payload_type,
        })
        .collect()
}

fn certificate_to_js(c: core::Certificate) -> Certificate {
    Certificate {
        pem: c.pem(),
        der: Buffer::from(c.der),
    }
}

fn csr_to_js(c: core::Csr) -> Csr {
    Csr {
        pem: c.pem(),
        der: Buffer::from(c.der),
    }
}

fn bytes_to_js(b: Vec<u8>) -> Buffer {
    Buffer::from(b)
}

// ---------------------------------------------------------------------------------------------
// Free functions and the `Policy` namespace.

/// The usual signature algorithm of a key type (`'SHA256_WITH_RSA'`, `'SHA256_WITH_ECDSA'`,
/// `'SHA384_WITH_ECDSA'`, `'EDDSA'`). An unknown key type throws `SB_ERR_INVALID_ARGUMENT`.
#[napi(ts_args_type = "spec: KeySpec", ts_return_type = "SignatureAlgorithm")]
pub fn default_signature_algorithm(env: Env, spec: Unknown<'_>) -> napi::Result<String> {
    let spec = args::string(&env, spec, "spec")?;
    parse_spec(&spec)
        .map(|s| s.default_signature_algorithm().as_str().to_string())
        .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
}

/// A use rule needing `quorum` approvals among `approvers` (`{ name, publicKey }`, the public
/// key base64 SPKI as `approverKey.publicKeyB64` gives it), each request valid for
/// `timeoutSeconds` (a multiple of 60; `0`, the default, = no timeout). The policy is checked
/// when the key is created.
#[napi(
    namespace = "Policy",
    js_name = "quorum",
    ts_args_type = "quorum: number, approvers: Array<PolicyApprover>, timeoutSeconds?: number | null",
    ts_return_type = "Policy"
)]
pub fn policy_quorum(
    env: Env,
    quorum: Unknown<'_>,
    approvers: Unknown<'_>,
    timeout_seconds: Option<Unknown<'_>>,
) -> napi::Result<serde_json::Value> {
    if quorum.get_type()? != ValueType::Number {
        return Err(type_error(
            &env,
            format!("quorum must be a number, got {}", args::describe(&quorum)),
        ));
    }
    let q = args::opt_number(&env, quorum, "quorum")?.unwrap_or_default();
    let q = whole(&env, q, "quorum")?;
    let items = args::array(&env, approvers, "approvers")?;
    let mut list = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let a = Obj::new(
            &env,
            item,
            &format!("approvers[{i}]"),
            &["name", "publicKey"],
        )?;
        list.push((a.string("name")?, a.string("publicKey")?));
    }
    let timeout = match timeout_seconds {
        Some(t) => args::opt_number(&env, t, "timeoutSeconds")?
            .map(|t| whole(&env, t, "timeoutSeconds"))
            .transpose()?
            .unwrap_or(0),
        None => 0,
    };
    serde_json::to_value(core::Policy::quorum(q, &list, timeout)).map_err(|e| {
        errors::to_napi(
            &env,
            &SbError::internal(format!("policy: {e}")),
            Kind::Error,
        )
    })
}

// ---------------------------------------------------------------------------------------------
// ApproverKey.

/// An approver's private key, held in memory by the core (ECDSA P-256 / P-384, Ed25519 or RSA):
/// signs the timestamps and approvals of `listApprovalTasks`, `approve` and `reject`. Make one
/// with `ApproverKey.fromPem`, `ApproverKey.fromPkcs8Der` or `ApproverKey.generateP256`. The
/// private key never leaves it: not in `util.inspect`, `JSON.stringify` or `toString`.
#[napi]
pub struct ApproverKey {
    inner: Arc<core::ApproverKey>,
}

#[napi]
impl ApproverKey {
    /// Load a PKCS#8 private key from PEM (`-----BEGIN PRIVATE KEY-----`). Anything else throws
    /// `SB_ERR_INVALID_ARGUMENT` (a PKCS#1 or SEC1 key: convert it with
    /// `openssl pkcs8 -topk8 -nocrypt`).
    #[napi(factory, ts_args_type = "pem: string")]
    pub fn from_pem(env: Env, pem: Unknown<'_>) -> napi::Result<ApproverKey> {
        let pem = args::string(&env, pem, "pem")?;
        core::ApproverKey::from_pem(&pem)
            .map(|k| ApproverKey { inner: Arc::new(k) })
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// Load a PKCS#8 private key (DER bytes, e.g.
    /// `keyObject.export({ type: 'pkcs8', format: 'der' })`).
    #[napi(factory, ts_args_type = "der: Buffer | Uint8Array")]
    pub fn from_pkcs8_der(env: Env, der: Unknown<'_>) -> napi::Result<ApproverKey> {
        let der = args::bytes(&env, der, "der")?;
        core::ApproverKey::from_pkcs8_der(&der)
            .map(|k| ApproverKey { inner: Arc::new(k) })
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// A new random ECDSA P-256 approver key (for tests and tooling) with its PKCS#8 DER, to
    /// keep it: `{ key, pkcs8 }`.
    #[napi(ts_return_type = "GeneratedApproverKey")]
    pub fn generate_p256(env: &Env) -> napi::Result<Object<'_>> {
        let (key, der) = core::ApproverKey::generate_p256()
            .map_err(|e| errors::to_napi(env, &e, Kind::Error))?;
        let mut out = Object::new(env)?;
        out.set_named_property(
            "key",
            ApproverKey {
                inner: Arc::new(key),
            }
            .into_instance(env)?,
        )?;
        out.set_named_property("pkcs8", Buffer::from(der))?;
        Ok(out)
    }

    /// The public key as base64 DER SPKI, as a policy's approval `value` takes it.
    #[napi(getter)]
    pub fn public_key_b64(&self) -> String {
        self.inner.public_key_b64()
    }

    /// The public key, DER SubjectPublicKeyInfo.
    #[napi(getter)]
    pub fn public_key_der(&self) -> Buffer {
        Buffer::from(self.inner.public_key_der())
    }

    /// The digest algorithm sent with its signatures (`'SHA-256'`, `'SHA-384'`, `'EdDSA'`).
    #[napi(getter)]
    pub fn digest_algorithm(&self) -> String {
        self.inner.digest_algorithm().to_string()
    }

    /// `ApproverKey(<public key>)`: the public part only.
    #[napi]
    #[allow(clippy::inherent_to_string)]
    pub fn to_string(&self) -> String {
        format!("ApproverKey({})", self.inner.public_key_b64())
    }

    /// `{ publicKeyB64 }` for `JSON.stringify`: the public part only.
    #[napi(js_name = "toJSON", ts_return_type = "{ publicKeyB64: string }")]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "publicKeyB64": self.inner.public_key_b64() })
    }
}

// ---------------------------------------------------------------------------------------------
// The API.

/// The Securosys Primus HSM (TSB REST API). Each call carries only the API key of the role its
/// endpoint needs; a call whose role has no key rejects with `SB_ERR_AUTH_CONFIG_MISSING`
/// (naming the missing `securosys.api_keys.<role>`) before anything is sent. Every method
/// returns a Promise settled from the core's runtime; it rejects with an `Error` carrying `code`
/// and `errno`.
#[napi]
pub struct SecurosysApi {
    inner: core::SecurosysClient,
}

impl SecurosysApi {
    pub(crate) fn new(inner: core::SecurosysClient) -> SecurosysApi {
        SecurosysApi { inner }
    }
}

#[napi]
impl SecurosysApi {
    /// The TSB base URL in use.
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.inner.base_url().to_string()
    }

    /// The TSB version (service role).
    #[napi(ts_return_type = "Promise<VersionInfo>")]
    pub fn version_info<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.version_info().await },
            |v: core::VersionInfo| VersionInfo {
                version: v.version,
                vendor: v.vendor,
            },
            None,
        )
    }

    /// The licensed features (service role).
    #[napi(ts_return_type = "Promise<LicenseInfo>")]
    pub fn license_info<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.license_info().await },
            |l: core::LicenseInfo| LicenseInfo {
                client_flags: l.client_flags,
            },
            None,
        )
    }

    /// Create a key (key-management role): `{ label, spec: 'p256' }`, optionally with
    /// `attributes` and an approval `policy`. Checked locally first (label, parameters,
    /// attributes, policy times multiples of 60, reachable quorums).
    #[napi(
        ts_args_type = "request: CreateKey",
        ts_return_type = "Promise<KeyInfo>"
    )]
    pub fn create_key<'e>(&self, env: &'e Env, request: Unknown<'_>) -> napi::Result<Object<'e>> {
        let req = read_create_key(env, request)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.create_key(&req?).await },
            KeyInfo::from,
            None,
        )
    }

    /// A key's description and public key (key-management role); an unknown label rejects
    /// with `SB_ERR_NOT_FOUND`.
    #[napi(ts_args_type = "label: string", ts_return_type = "Promise<KeyInfo>")]
    pub fn get_key<'e>(&self, env: &'e Env, label: Unknown<'_>) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.get_key(&label).await },
            KeyInfo::from,
            None,
        )
    }

    /// The key's public key, DER SubjectPublicKeyInfo (`KeyInfo.publicKeyPem` has the PEM).
    #[napi(ts_args_type = "label: string", ts_return_type = "Promise<Buffer>")]
    pub fn public_key<'e>(&self, env: &'e Env, label: Unknown<'_>) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.public_key(&label).await },
            bytes_to_js,
            None,
        )
    }

    /// The labels of all keys (key-management role).
    #[napi(ts_return_type = "Promise<Array<string>>")]
    pub fn list_keys<'e>(&self, env: &'e Env) -> napi::Result<Object<'e>> {
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.list_keys().await },
            |v: Vec<String>| v,
            None,
        )
    }

    /// Delete a key (key-management role); its pending requests become `'CANCELLED'`.
    #[napi(ts_args_type = "label: string", ts_return_type = "Promise<void>")]
    pub fn delete_key<'e>(&self, env: &'e Env, label: Unknown<'_>) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.delete_key(&label).await },
            |()| (),
            None,
        )
    }

    /// Sign `payload` with key `label` now (key-operation role); resolves with the signature
    /// (DER for RSA and ECDSA, 64 bytes for Ed25519). With `{ payloadKind: 'digest' }` the
    /// payload is a hash you computed. Keys with an approval policy sign through `sign`.
    #[napi(
        ts_args_type = "label: string, payload: Buffer | Uint8Array, algorithm: SignatureAlgorithm, options?: PayloadOptions | null",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn synchronous_sign<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        payload: Unknown<'_>,
        algorithm: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let payload = args::bytes(env, payload, "payload")?;
        let alg = read_algorithm(env, algorithm)?;
        let kind = read_payload_options(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.synchronous_sign(&label, &payload, kind?, &alg).await },
            bytes_to_js,
            None,
        )
    }

    /// `synchronousSign` over the contents of the file at `path`.
    #[napi(
        ts_args_type = "label: string, path: string, algorithm: SignatureAlgorithm, options?: PayloadOptions | null",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn synchronous_sign_file<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        path: Unknown<'_>,
        algorithm: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let path = PathBuf::from(args::string(env, path, "path")?);
        let alg = read_algorithm(env, algorithm)?;
        let kind = read_payload_options(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.synchronous_sign_file(&label, &path, kind?, &alg).await },
            bytes_to_js,
            None,
        )
    }

    /// Verify `signature` over `payload` with key `label` (key-operation role): `true` or
    /// `false`.
    #[napi(
        ts_args_type = "label: string, payload: Buffer | Uint8Array, algorithm: SignatureAlgorithm, signature: Buffer | Uint8Array, options?: PayloadOptions | null",
        ts_return_type = "Promise<boolean>"
    )]
    pub fn verify<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        payload: Unknown<'_>,
        algorithm: Unknown<'_>,
        signature: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let payload = args::bytes(env, payload, "payload")?;
        let alg = read_algorithm(env, algorithm)?;
        let signature = args::bytes(env, signature, "signature")?;
        let kind = read_payload_options(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.verify(&label, &payload, kind?, &alg, &signature).await },
            |ok: bool| ok,
            None,
        )
    }

    /// `verify` over the contents of the file at `path`.
    #[napi(
        ts_args_type = "label: string, path: string, algorithm: SignatureAlgorithm, signature: Buffer | Uint8Array, options?: PayloadOptions | null",
        ts_return_type = "Promise<boolean>"
    )]
    pub fn verify_file<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        path: Unknown<'_>,
        algorithm: Unknown<'_>,
        signature: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let path = PathBuf::from(args::string(env, path, "path")?);
        let alg = read_algorithm(env, algorithm)?;
        let signature = args::bytes(env, signature, "signature")?;
        let kind = read_payload_options(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                api.verify_file(&label, &path, kind?, &alg, &signature)
                    .await
            },
            |ok: bool| ok,
            None,
        )
    }

    /// Submit a sign request that waits for the key's approvals (key-operation role); resolves
    /// with the request id for `waitRequest`, `requestStatus` and `cancelRequest`.
    #[napi(
        ts_args_type = "label: string, payload: Buffer | Uint8Array, algorithm: SignatureAlgorithm, options?: SignOptions | null",
        ts_return_type = "Promise<string>"
    )]
    pub fn sign<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        payload: Unknown<'_>,
        algorithm: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let payload = args::bytes(env, payload, "payload")?;
        let alg = read_algorithm(env, algorithm)?;
        let opts = read_sign_options(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                let (kind, opts) = opts?;
                api.sign(&label, &payload, kind, &alg, &opts).await
            },
            |id: String| id,
            None,
        )
    }

    /// `sign` over the contents of the file at `path`.
    #[napi(
        ts_args_type = "label: string, path: string, algorithm: SignatureAlgorithm, options?: SignOptions | null",
        ts_return_type = "Promise<string>"
    )]
    pub fn sign_file<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        path: Unknown<'_>,
        algorithm: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let path = PathBuf::from(args::string(env, path, "path")?);
        let alg = read_algorithm(env, algorithm)?;
        let opts = read_sign_options(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                let (kind, opts) = opts?;
                api.sign_file(&label, &path, kind, &alg, &opts).await
            },
            |id: String| id,
            None,
        )
    }

    /// The state of an asynchronous request (key-operation role), with its result once
    /// `'EXECUTED'`.
    #[napi(ts_args_type = "id: string", ts_return_type = "Promise<RequestStatus>")]
    pub fn request_status<'e>(&self, env: &'e Env, id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let id = args::string(env, id, "id")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                let s = api.request_status(&id).await?;
                let result = s.result_bytes()?;
                Ok((s, result))
            },
            status_to_js,
            None,
        )
    }

    /// Cancel a pending request (key-operation role).
    #[napi(ts_args_type = "id: string", ts_return_type = "Promise<void>")]
    pub fn cancel_request<'e>(&self, env: &'e Env, id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let id = args::string(env, id, "id")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.cancel_request(&id).await },
            |()| (),
            None,
        )
    }

    /// Poll a request until it is final and resolve with its result (the signature).
    /// `'REJECTED'` rejects with `SB_ERR_REJECTED`, `'EXPIRED'` with `SB_ERR_SESSION_EXPIRED`,
    /// `'FAILED'` with `SB_ERR_SIGNING_FAILED`, `'CANCELLED'` with `SB_ERR_CANCELLED` (the
    /// state is the error's `providerCode`). `signal` aborts the wait (`SB_ERR_ABORTED`),
    /// `timeoutMs` bounds it (`SB_ERR_TIMEOUT`); the request goes on at the TSB either way.
    #[napi(
        ts_args_type = "id: string, options?: WaitOptions<RequestStatus> | null",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn wait_request<'e>(
        &self,
        env: &'e Env,
        id: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, id, "id")?;
        let (opts, cleanup) = crate::read_wait(env, options, progress_status)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.wait_request(&id, &opts).await },
            bytes_to_js,
            cleanup,
        )
    }

    /// The pending tasks of `approver` (approver role), oldest first: `{ kind: 'sign',
    /// pageSize: 25 }` by default. The approver proves it holds its key by signing a timestamp.
    #[napi(
        ts_args_type = "approver: ApproverKey, options?: ListTasksOptions | null",
        ts_return_type = "Promise<Array<ApprovalTask>>"
    )]
    pub fn list_approval_tasks<'e>(
        &self,
        env: &'e Env,
        approver: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let approver = read_approver(env, approver)?;
        let mut kind = None;
        let mut page_size = 25;
        if let Some(o) = Obj::opt(env, options, "options", &["kind", "pageSize"])? {
            kind = o.opt_string("kind")?;
            if let Some(n) = o.opt_number("pageSize")? {
                page_size = whole(env, n, &o.path("pageSize"))?;
            }
        }
        let kind = kind.map_or(Ok(core::TaskKind::Sign), |k| {
            parse_enum!(core::TaskKind, "task kind", k, TASK_KINDS)
        });
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                api.list_approval_tasks(approver.as_ref(), kind?, page_size)
                    .await
            },
            tasks_to_js,
            None,
        )
    }

    /// Approve `task` (from `listApprovalTasks`) as `approver` (approver role): signs the
    /// task's `approvalToBeSigned` bytes.
    #[napi(
        ts_args_type = "approver: ApproverKey, task: ApprovalTask",
        ts_return_type = "Promise<void>"
    )]
    pub fn approve<'e>(
        &self,
        env: &'e Env,
        approver: Unknown<'_>,
        task: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let approver = read_approver(env, approver)?;
        let task = read_task(env, task)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.approve(approver.as_ref(), &task).await },
            |()| (),
            None,
        )
    }

    /// Reject the task `taskId` as `approver` (approver role).
    #[napi(
        ts_args_type = "approver: ApproverKey, taskId: string",
        ts_return_type = "Promise<void>"
    )]
    pub fn reject<'e>(
        &self,
        env: &'e Env,
        approver: Unknown<'_>,
        task_id: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let approver = read_approver(env, approver)?;
        let task_id = args::string(env, task_id, "taskId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.reject(approver.as_ref(), &task_id).await },
            |()| (),
            None,
        )
    }
}

#[napi]
impl SecurosysApi {
    /// A self-signed X.509 certificate for key `label`, made and signed in the HSM now
    /// (key-management role unless `securosys.certificate_role` says otherwise). Keys with an
    /// approval policy use `requestSelfSignedCertificate`.
    #[napi(
        ts_args_type = "label: string, request: CertificateRequest",
        ts_return_type = "Promise<Certificate>"
    )]
    pub fn self_signed_certificate<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        request: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let req = read_certificate_request(env, request)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.self_signed_certificate(&label, &req).await },
            certificate_to_js,
            None,
        )
    }

    /// A PKCS#10 certificate signing request for key `label`, made and signed in the HSM now.
    /// Keys with an approval policy use `requestCertificateSigningRequest`.
    #[napi(
        ts_args_type = "label: string, request: CsrRequest",
        ts_return_type = "Promise<Csr>"
    )]
    pub fn certificate_signing_request<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        request: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let req = read_csr_request(env, request)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.certificate_signing_request(&label, &req).await },
            csr_to_js,
            None,
        )
    }

    /// Submit a self-signed certificate that waits for the key's approvals; resolves with the
    /// request id for `waitCertificate`.
    #[napi(
        ts_args_type = "label: string, request: CertificateRequest, options?: ApprovalRequestOptions | null",
        ts_return_type = "Promise<string>"
    )]
    pub fn request_self_signed_certificate<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        request: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let req = read_certificate_request(env, request)?;
        let opts = read_request_options(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                api.request_self_signed_certificate(&label, &req, &opts)
                    .await
            },
            |id: String| id,
            None,
        )
    }

    /// Submit a certificate signing request that waits for the key's approvals; resolves with
    /// the request id for `waitCertificateSigningRequest`.
    #[napi(
        ts_args_type = "label: string, request: CsrRequest, options?: ApprovalRequestOptions | null",
        ts_return_type = "Promise<string>"
    )]
    pub fn request_certificate_signing_request<'e>(
        &self,
        env: &'e Env,
        label: Unknown<'_>,
        request: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let label = args::string(env, label, "label")?;
        let req = read_csr_request(env, request)?;
        let opts = read_request_options(env, options)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                api.request_certificate_signing_request(&label, &req, &opts)
                    .await
            },
            |id: String| id,
            None,
        )
    }

    /// `waitRequest` for `requestSelfSignedCertificate`: the certificate once approved.
    #[napi(
        ts_args_type = "id: string, options?: WaitOptions<RequestStatus> | null",
        ts_return_type = "Promise<Certificate>"
    )]
    pub fn wait_certificate<'e>(
        &self,
        env: &'e Env,
        id: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, id, "id")?;
        let (opts, cleanup) = crate::read_wait(env, options, progress_status)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.wait_certificate(&id, &opts).await },
            certificate_to_js,
            cleanup,
        )
    }

    /// `waitRequest` for `requestCertificateSigningRequest`: the CSR once approved.
    #[napi(
        ts_args_type = "id: string, options?: WaitOptions<RequestStatus> | null",
        ts_return_type = "Promise<Csr>"
    )]
    pub fn wait_certificate_signing_request<'e>(
        &self,
        env: &'e Env,
        id: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let id = args::string(env, id, "id")?;
        let (opts, cleanup) = crate::read_wait(env, options, progress_status)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.wait_certificate_signing_request(&id, &opts).await },
            csr_to_js,
            cleanup,
        )
    }
}

/// A signature algorithm name (`'SHA256_WITH_ECDSA'`…; the core keeps names it does not know
/// and the TSB judges them).
fn read_algorithm(env: &Env, v: Unknown<'_>) -> napi::Result<core::SignatureAlgorithm> {
    let s = args::string(env, v, "algorithm")?;
    Ok(core::SignatureAlgorithm::parse(&s))
}
