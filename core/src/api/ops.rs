//! The table itself: one entry per operation. Each entry names the operation, documents it,
//! gives its request and result types and the one line that runs it on the client; the
//! request types that exist only for the table are declared here too.

use serde::{Deserialize, Serialize};

use super::ops_eid::*;
use super::ops_onespan::*;
use super::ops_securosys::*;
use super::ops_securosys_local::*;
use super::ops_zignsec::*;
use super::wire::{Base64, WaitFields};
use super::{request, CallContext, Operation, RunFuture, TypedResult};
use crate::client::Client;
use crate::error::Result;
use crate::providers::securosys::{
    ApprovalTask, ApproverKey, CertificateRequest, CreateKey, CsrRequest, KeyAlgorithm,
    KeyAttributes, KeyInfo, KeySpec, LicenseInfo, PayloadKind, Policy, RequestStatus, SignOptions,
    SignatureAlgorithm, TaskKind, VersionInfo,
};
use crate::providers::zignsec::{CreateSigning, SigningSession, SigningStatus};
use crate::signing::{CompletedSession, NewSession, SessionRef, SessionState, StartedSession};

/// Declares the table: `name (Request) -> Result [long_running]: |client, req, ctx| body`.
/// `body` is an expression evaluated in an async block (it may `.await` and use `?`).
macro_rules! operations {
    ($(
        $(#[doc = $doc:literal])+
        $id:ident $name:literal ($req:ty) -> $res:ty $([$long:ident])? :
            |$c:ident, $r:ident, $x:ident| $body:expr;
    )*) => {
        $(
            #[allow(unused_variables)]
            fn $id<'a>(client: &'a Client, value: serde_json::Value, ctx: &'a CallContext)
                -> RunFuture<'a>
            {
                Box::pin(async move {
                    let $r: $req = request($name, value)?;
                    let $c = client;
                    let $x = ctx;
                    let out: $res = $body;
                    Ok(Box::new(out) as Box<dyn TypedResult>)
                })
            }
        )*
        /// Every operation, in the order of the documentation.
        pub static OPERATIONS: &[Operation] = &[$(
            Operation {
                name: $name,
                doc: concat!($($doc, "\n"),+),
                request: stringify!($req),
                result: stringify!($res),
                request_schema: || schemars::schema_for!($req),
                result_schema: super::result_schema::<$res>,
                long_running: operations!(@long $($long)?),
                run: $id,
            },
        )*];
    };
    (@long long_running) => { true };
    (@long) => { false };
}

/// A request without fields.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

/// A result without fields (`{}`).
#[derive(Debug, Default, Serialize, schemars::JsonSchema)]
pub struct Done {}

/// A new key: a label and either `spec` (a key type the SDK knows) or the TSB's own
/// `algorithm` with `key_size` / `curve_oid`; optionally attributes and an approval policy.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// Unique key label.
    pub label: String,
    /// A key type the SDK knows (`rsa2048`, `rsa3072`, `rsa4096`, `p256`, `p384`, `ed25519`),
    /// instead of `algorithm`.
    #[serde(default)]
    #[schemars(schema_with = "key_spec_schema")]
    pub spec: Option<KeySpec>,
    /// The TSB's key algorithm (`RSA`, `EC`, `ED`…), instead of `spec`.
    #[serde(default)]
    pub algorithm: Option<KeyAlgorithm>,
    /// Size in bits (RSA, DSA, AES), with `algorithm`.
    #[serde(default)]
    pub key_size: Option<u32>,
    /// Curve OID (EC, ED), with `algorithm`.
    #[serde(default)]
    pub curve_oid: Option<String>,
    /// Attributes (default: a signing key); `sign`, `decrypt` and `unwrap` must be set.
    #[serde(default)]
    pub attributes: Option<RequestedAttributes>,
    /// An approval policy (a key with Smart Key Attributes); absent: a plain key.
    #[serde(default)]
    pub policy: Option<Policy>,
}

/// Key attributes as a request gives them: a misspelt attribute is refused, not ignored (the
/// TSB's answers are read leniently: they may carry attributes this version does not know).
#[derive(Debug)]
pub struct RequestedAttributes(pub KeyAttributes);

impl<'de> Deserialize<'de> for RequestedAttributes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let map = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let schema = serde_json::to_value(schemars::schema_for!(KeyAttributes)).unwrap_or_default();
        let known: Vec<&String> = schema
            .get("properties")
            .and_then(serde_json::Value::as_object)
            .map(|p| p.keys().collect())
            .unwrap_or_default();
        if let Some(k) = map.keys().find(|k| !known.contains(k)) {
            let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
            return Err(D::Error::custom(format!(
                "unknown field `{k}`, expected one of {}",
                list.join(", ")
            )));
        }
        serde_path_to_error::deserialize(serde_json::Value::Object(map))
            .map(RequestedAttributes)
            .map_err(|e| D::Error::custom(format!("{}: {}", e.path(), e.inner())))
    }
}

impl schemars::JsonSchema for RequestedAttributes {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        KeyAttributes::schema_name()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        KeyAttributes::json_schema(g)
    }
}

const KEY_SPECS: [&str; 6] = ["rsa2048", "rsa3072", "rsa4096", "p256", "p384", "ed25519"];

fn key_spec_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": ["string", "null"],
        "enum": ["rsa2048", "rsa3072", "rsa4096", "p256", "p384", "ed25519", null]
    })
}

impl NewKey {
    /// The key to create; exactly one of `spec` and `algorithm`, size and curve only with
    /// `algorithm`.
    fn build(self) -> Result<CreateKey> {
        let op = "securosys.create_key";
        let mut key = match (self.spec, self.algorithm) {
            (Some(spec), None) => {
                if self.key_size.is_some() || self.curve_oid.is_some() {
                    return Err(crate::Error::invalid_argument(format!(
                        "{op}: request.key_size and request.curve_oid go with \
                         request.algorithm, not with request.spec"
                    )));
                }
                CreateKey::new(self.label, spec)
            }
            (None, Some(algorithm)) => CreateKey {
                label: self.label,
                algorithm,
                key_size: self.key_size,
                curve_oid: self.curve_oid,
                attributes: KeyAttributes::signing(),
                policy: None,
            },
            _ => {
                return Err(crate::Error::invalid_argument(format!(
                    "{op}: the request needs exactly one of `spec` ({}) or `algorithm` (RSA, EC, \
                     ED...)",
                    KEY_SPECS.join(", ")
                )))
            }
        };
        if let Some(a) = self.attributes {
            key.attributes = a.0;
        }
        key.policy = self.policy;
        Ok(key)
    }
}

/// A key, by label.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyLabel {
    /// The key's label.
    pub label: String,
}

/// A request of the HSM, by id.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestId {
    /// The request id (from an asynchronous operation).
    pub id: String,
}

/// Waiting for an HSM request.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitRequest {
    /// The request id.
    pub id: String,
    /// Time between two polls, in milliseconds.
    pub interval_ms: Option<u64>,
    /// Give up after this long, in milliseconds.
    pub timeout_ms: Option<u64>,
}

/// Data (or a digest) to sign with an HSM key, or to verify a signature of.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignRequest {
    /// The key's label.
    pub label: String,
    /// The data or digest, base64.
    pub payload_base64: Option<Base64>,
    /// Or the path of a file holding it.
    pub path: Option<String>,
    /// Whether the payload is the data (default) or a digest.
    #[serde(default)]
    pub payload_kind: PayloadKind,
    /// The signature algorithm.
    pub algorithm: SignatureAlgorithm,
    /// For asynchronous signing: shown to approvers.
    #[serde(default)]
    pub options: Option<SignOptions>,
    /// For verification: the signature, base64.
    pub signature_base64: Option<Base64>,
}

impl SignRequest {
    /// The payload: exactly one of `payload_base64` and `path`.
    async fn payload(&self, op: &str) -> Result<Vec<u8>> {
        match (&self.payload_base64, &self.path) {
            (Some(b), None) => Ok(b.0.clone()),
            (None, Some(p)) if p.is_empty() => Err(crate::Error::new(
                crate::ErrorCode::InvalidArgument,
                format!("{op}: request.path is empty; give a file's path"),
            )),
            (None, Some(p)) => {
                let path = std::path::PathBuf::from(p);
                crate::runtime::blocking_io(move || {
                    std::fs::read(&path).map_err(|e| crate::Error::io("read", &path, e))
                })
                .await
            }
            _ => Err(crate::Error::new(
                crate::ErrorCode::InvalidArgument,
                format!("{op}: give exactly one of request.payload_base64 and request.path"),
            )),
        }
    }

    fn signature(&self, op: &str) -> Result<&[u8]> {
        self.signature_base64
            .as_ref()
            .map(|s| s.0.as_slice())
            .ok_or_else(|| {
                crate::Error::new(
                    crate::ErrorCode::InvalidArgument,
                    format!("{op}: request.signature_base64 is missing"),
                )
            })
    }
}

/// A signature, base64.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Signature {
    /// The signature bytes, base64.
    pub signature_base64: Base64,
}

/// The outcome of a verification.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Verified {
    /// Whether the signature is valid for the payload and key.
    pub valid: bool,
}

/// A request id of an asynchronous HSM operation.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Requested {
    /// The request id to wait for.
    pub id: String,
}

/// The result of a finished HSM request, base64.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct RequestResult {
    /// The result bytes (a signature, a certificate…), base64.
    pub result_base64: Base64,
}

/// A public key.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PublicKey {
    /// The key as SubjectPublicKeyInfo DER, base64.
    pub der_base64: Base64,
    /// The same key as PEM (`-----BEGIN PUBLIC KEY-----`), as openssl and most libraries read
    /// it.
    pub pem: String,
}

/// Key labels.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Labels {
    /// Every key's label.
    pub labels: Vec<String>,
}

/// Approval tasks.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TasksRequest {
    /// The approver's private key, PEM (PKCS#8); never shown in `Debug` output.
    #[schemars(with = "String")]
    pub approver_key_pem: secrecy::SecretString,
    /// Which tasks (default: sign).
    #[serde(default)]
    pub kind: TaskKind,
    /// How many per page (default 25).
    pub page_size: Option<u32>,
}

/// Approval tasks found.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Tasks {
    /// The tasks.
    pub tasks: Vec<ListedTask>,
}

impl Tasks {
    /// The tasks listed, each with its metadata decoded.
    pub(super) fn of(tasks: Vec<ApprovalTask>) -> Tasks {
        Tasks {
            tasks: tasks
                .into_iter()
                .map(|task| ListedTask {
                    metadata: task.metadata(),
                    task,
                })
                .collect(),
        }
    }
}

/// An approval task as listed: the task (give it back to `securosys.approve` as it is) and the
/// requester's metadata, decoded.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct ListedTask {
    /// The task.
    #[serde(flatten)]
    pub task: ApprovalTask,
    /// The metadata the requester attached (the `metadata` of `securosys.sign`'s options),
    /// decoded from `meta_data`; absent when there is none or it is not JSON. Show it to the
    /// approver before approving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

/// Approving or rejecting a task.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// The approver's private key, PEM (PKCS#8); never shown in `Debug` output.
    #[schemars(with = "String")]
    pub approver_key_pem: secrecy::SecretString,
    /// The task (as listed).
    pub task: ApprovalTask,
}

/// A certificate for an HSM key.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CertificateFor {
    /// The key's label.
    pub label: String,
    /// What the certificate says.
    pub certificate: CertificateRequest,
    /// For the approval variant: shown to approvers.
    #[serde(default)]
    pub options: Option<SignOptions>,
}

/// A CSR for an HSM key.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CsrFor {
    /// The key's label.
    pub label: String,
    /// What the request says.
    pub csr: CsrRequest,
    /// For the approval variant: shown to approvers.
    #[serde(default)]
    pub options: Option<SignOptions>,
}

/// A certificate or CSR, DER and PEM.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Pem {
    /// DER, base64.
    pub der_base64: Base64,
    /// PEM text.
    pub pem: String,
}

/// A session of the provider-neutral signing service.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionId {
    /// The session reference (`zignsec:<id>` or `onespan:<id>`).
    pub session: SessionRef,
}

/// Waiting for a neutral session.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WaitSession {
    /// The session reference.
    pub session: SessionRef,
    /// Time between two polls, in milliseconds.
    pub interval_ms: Option<u64>,
    /// Give up after this long, in milliseconds.
    pub timeout_ms: Option<u64>,
}

/// Saving a finished session's documents.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveAll {
    /// The session reference (it must have finished).
    pub session: SessionRef,
    /// The directory to save into (created when missing).
    pub dir: String,
    /// Opt-in: verify each document's signatures against these trust anchors before it is
    /// saved; one that does not verify is refused (`SB_ERR_INTEGRITY`, nothing at its path).
    #[serde(default)]
    pub verify: Option<TrustAnchorsRequest>,
}

/// Paths written.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Saved {
    /// The files, in the session's document order.
    pub paths: Vec<String>,
    /// With `verify`: each file's verification report, in the same order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reports: Option<Vec<crate::verify::VerifyReport>>,
}

/// Trust anchors in a request: PEM text (any number of certificates per string) and/or DER
/// certificates in base64.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrustAnchorsRequest {
    /// PEM certificates.
    #[serde(default)]
    pub trust_anchors_pem: Vec<String>,
    /// DER certificates, base64.
    #[serde(default)]
    pub trust_anchors_der_base64: Vec<Base64>,
}

impl TrustAnchorsRequest {
    fn anchors(&self) -> Result<crate::verify::TrustAnchors> {
        let mut a = crate::verify::TrustAnchors::new();
        for pem in &self.trust_anchors_pem {
            a.add_pem(pem)?;
        }
        for der in &self.trust_anchors_der_base64 {
            a.add_der(&der.0)?;
        }
        Ok(a)
    }
}

/// A signed PDF to verify.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The PDF, base64 (or give `path`).
    pub pdf_base64: Option<Base64>,
    /// The PDF's path (or give `pdf_base64`).
    pub path: Option<String>,
    /// Trust anchors, PEM (none at all: signatures are checked but no chain is trusted).
    #[serde(default)]
    pub trust_anchors_pem: Vec<String>,
    /// Trust anchors, DER in base64.
    #[serde(default)]
    pub trust_anchors_der_base64: Vec<Base64>,
    /// The original, unsigned document, base64: is it exactly the unsigned prefix?
    pub original_base64: Option<Base64>,
    /// Or the original's md5 (hex or base64).
    pub original_md5: Option<String>,
}

impl VerifyRequest {
    pub(super) async fn run(self) -> Result<crate::verify::VerifyReport> {
        const OP: &str = "pdf.verify";
        let anchors = TrustAnchorsRequest {
            trust_anchors_pem: self.trust_anchors_pem,
            trust_anchors_der_base64: self.trust_anchors_der_base64,
        }
        .anchors()?;
        let mut opts = crate::verify::VerifyOptions::new(anchors);
        opts.original = match (self.original_base64, self.original_md5) {
            (Some(b), None) => Some(crate::verify::Original::Bytes(b.0)),
            (None, Some(m)) => Some(crate::verify::Original::Md5(m)),
            (None, None) => None,
            _ => {
                return Err(crate::Error::invalid_argument(format!(
                    "{OP}: give at most one of request.original_base64 and request.original_md5"
                )))
            }
        };
        match (self.pdf_base64, self.path) {
            (Some(b), None) => {
                crate::runtime::blocking_io(move || crate::verify::verify_pdf(&b.0, &opts)).await
            }
            (None, Some(p)) => {
                crate::runtime::blocking_io(move || crate::verify::verify_pdf_file(&p, &opts)).await
            }
            _ => Err(crate::Error::invalid_argument(format!(
                "{OP}: give exactly one of request.pdf_base64 and request.path"
            ))),
        }
    }
}

/// A document of a neutral session.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentOf {
    /// The session reference.
    pub session: SessionRef,
    /// The document id (from the completed session's files).
    pub document_id: String,
    /// Opt-in: verify the document's signatures against these trust anchors; one that does
    /// not verify is refused (`SB_ERR_INTEGRITY`).
    #[serde(default)]
    pub verify: Option<TrustAnchorsRequest>,
}

/// Document bytes.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct DocumentBytes {
    /// The PDF, base64.
    pub pdf_base64: Base64,
    /// With `verify`: the verification report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<crate::verify::VerifyReport>,
}

/// A OneSpan transaction, by id.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageId {
    /// The transaction (package) id.
    pub package_id: String,
}

/// A OneSpan transaction's status.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct PackageState {
    /// `DRAFT`, `SENT`, `COMPLETED`, `DECLINED`, `OPTED_OUT`, `EXPIRED`, `ARCHIVED`.
    pub status: crate::providers::onespan::PackageStatus,
}

/// A signer's signing link.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningUrlRequest {
    /// The transaction id.
    pub package_id: String,
    /// The signer's role id.
    pub role_id: String,
}

/// A URL.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Link {
    /// The URL.
    pub url: String,
}

/// Waiting for a OneSpan transaction.
#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageWait {
    /// The transaction id.
    pub package_id: String,
    /// Time between two polls, in milliseconds (default: 5 s, growing to 60 s).
    pub interval_ms: Option<u64>,
    /// Give up after this long, in milliseconds.
    pub timeout_ms: Option<u64>,
}

/// A created OneSpan transaction.
#[derive(Debug, Serialize, schemars::JsonSchema)]
pub struct Created {
    /// The new transaction's id.
    pub package_id: String,
}

fn wait<T: Serialize + Send + Sync + 'static>(
    op: &str,
    interval_ms: Option<u64>,
    timeout_ms: Option<u64>,
    ctx: &CallContext,
) -> Result<crate::session::WaitOptions<T>> {
    WaitFields {
        interval_ms,
        timeout_ms,
    }
    .options(op, ctx)
}

fn approver(pem: &secrecy::SecretString) -> Result<ApproverKey> {
    use secrecy::ExposeSecret as _;
    ApproverKey::from_pem(pem.expose_secret())
}

/// The signing service that runs `session`: its provider's, whatever the configuration chose
/// for new sessions (`SB_ERR_AUTH_CONFIG_MISSING` when that provider is not configured).
fn signing_of(c: &Client, session: &SessionRef) -> Result<crate::signing::SigningService> {
    c.signing_with(session.provider())
}

fn paths(list: Vec<std::path::PathBuf>) -> Saved {
    Saved {
        paths: list.into_iter().map(|p| p.display().to_string()).collect(),
        reports: None,
    }
}

// The Securosys key-operation entries of `ops_securosys.rs` are appended to these.
securosys_key_operations! {
    // ---- Securosys Primus HSM ---------------------------------------------------------------

    /// The TSB's version (`GET /v1/versionInfo`).
    securosys_version_info "securosys.version_info" (Empty) -> VersionInfo:
        |c, r, x| c.securosys()?.version_info().await?;
    /// The HSM's licensed features (`GET /v1/licenseInfo`).
    securosys_license_info "securosys.license_info" (Empty) -> LicenseInfo:
        |c, r, x| c.securosys()?.license_info().await?;
    /// Create a key, optionally with an approval policy (`POST /v1/key`, key-management role).
    securosys_create_key "securosys.create_key" (NewKey) -> KeyInfo:
        |c, r, x| c.securosys()?.create_key(&r.build()?).await?;
    /// A key's attributes and public key (key-management role).
    securosys_get_key "securosys.get_key" (KeyLabel) -> KeyInfo:
        |c, r, x| c.securosys()?.get_key(&r.label).await?;
    /// A key's public key as SubjectPublicKeyInfo DER.
    securosys_public_key "securosys.public_key" (KeyLabel) -> PublicKey:
        |c, r, x| {
            let der = c.securosys()?.public_key(&r.label).await?;
            PublicKey {
                pem: crate::providers::securosys::public_key_pem(&der),
                der_base64: Base64(der),
            }
        };
    /// Every key's label (`GET /v1/key`, key-management role).
    securosys_list_keys "securosys.list_keys" (Empty) -> Labels:
        |c, r, x| Labels { labels: c.securosys()?.list_keys().await? };
    /// Delete a key; its pending requests are cancelled (key-management role).
    securosys_delete_key "securosys.delete_key" (KeyLabel) -> Done:
        |c, r, x| { c.securosys()?.delete_key(&r.label).await?; Done {} };
    /// Sign now, with a key that has no approval policy (`POST /v1/synchronousSign`).
    securosys_synchronous_sign "securosys.synchronous_sign" (SignRequest) -> Signature:
        |c, r, x| {
            let data = r.payload("securosys.synchronous_sign").await?;
            let sig = c.securosys()?.synchronous_sign(&r.label, &data, r.payload_kind, &r.algorithm).await?;
            Signature { signature_base64: Base64(sig) }
        };
    /// Verify a signature with an HSM key (`POST /v1/verify`).
    securosys_verify "securosys.verify" (SignRequest) -> Verified:
        |c, r, x| {
            let data = r.payload("securosys.verify").await?;
            let sig = r.signature("securosys.verify")?;
            Verified { valid: c.securosys()?.verify(&r.label, &data, r.payload_kind, &r.algorithm, sig).await? }
        };
    /// Ask for a signature that approvers must approve (`POST /v1/sign`): the request id.
    securosys_sign "securosys.sign" (SignRequest) -> Requested:
        |c, r, x| {
            let data = r.payload("securosys.sign").await?;
            let opts = r.options.clone().unwrap_or_default();
            Requested { id: c.securosys()?.sign(&r.label, &data, r.payload_kind, &r.algorithm, &opts).await? }
        };
    /// An asynchronous request's state and approvals (`GET /v1/request/{id}`).
    securosys_request_status "securosys.request_status" (RequestId) -> RequestStatus:
        |c, r, x| c.securosys()?.request_status(&r.id).await?;
    /// Cancel a pending request (`DELETE /v1/request/{id}`).
    securosys_cancel_request "securosys.cancel_request" (RequestId) -> Done:
        |c, r, x| { c.securosys()?.cancel_request(&r.id).await?; Done {} };
    /// Wait until a request is executed, rejected or expired; its result bytes.
    securosys_wait_request "securosys.wait_request" (WaitRequest) -> RequestResult [long_running]:
        |c, r, x| {
            let opts = wait("securosys.wait_request", r.interval_ms, r.timeout_ms, x)?;
            RequestResult { result_base64: Base64(c.securosys()?.wait_request(&r.id, &opts).await?) }
        };
    /// The approval tasks waiting for an approver (first page).
    securosys_list_approval_tasks "securosys.list_approval_tasks" (TasksRequest) -> Tasks:
        |c, r, x| {
            let key = approver(&r.approver_key_pem)?;
            Tasks::of(c.securosys()?.list_approval_tasks(&key, r.kind, r.page_size.unwrap_or(25)).await?)
        };
    /// Approve a task with an approver's key.
    securosys_approve "securosys.approve" (Decision) -> Done:
        |c, r, x| { c.securosys()?.approve(&approver(&r.approver_key_pem)?, &r.task).await?; Done {} };
    /// Reject a task with an approver's key.
    securosys_reject "securosys.reject" (Decision) -> Done:
        |c, r, x| { c.securosys()?.reject(&approver(&r.approver_key_pem)?, &r.task.id).await?; Done {} };
    /// A self-signed X.509 certificate for an HSM key.
    securosys_self_signed_certificate "securosys.self_signed_certificate" (CertificateFor) -> Pem:
        |c, r, x| {
            let cert = c.securosys()?.self_signed_certificate(&r.label, &r.certificate).await?;
            Pem { pem: cert.pem(), der_base64: Base64(cert.der) }
        };
    /// A PKCS#10 certificate signing request for an HSM key.
    securosys_certificate_signing_request "securosys.certificate_signing_request" (CsrFor) -> Pem:
        |c, r, x| {
            let csr = c.securosys()?.certificate_signing_request(&r.label, &r.csr).await?;
            Pem { pem: csr.pem(), der_base64: Base64(csr.der) }
        };

    /// Ask for a self-signed certificate that approvers must approve: the request id.
    securosys_request_self_signed_certificate "securosys.request_self_signed_certificate" (CertificateFor) -> Requested:
        |c, r, x| {
            let opts = r.options.clone().unwrap_or_default();
            Requested { id: c.securosys()?.request_self_signed_certificate(&r.label, &r.certificate, &opts).await? }
        };
    /// Ask for a CSR that approvers must approve: the request id.
    securosys_request_certificate_signing_request "securosys.request_certificate_signing_request" (CsrFor) -> Requested:
        |c, r, x| {
            let opts = r.options.clone().unwrap_or_default();
            Requested { id: c.securosys()?.request_certificate_signing_request(&r.label, &r.csr, &opts).await? }
        };
    /// Wait for an approved certificate request; the certificate.
    securosys_wait_certificate "securosys.wait_certificate" (WaitRequest) -> Pem [long_running]:
        |c, r, x| {
            let opts = wait("securosys.wait_certificate", r.interval_ms, r.timeout_ms, x)?;
            let cert = c.securosys()?.wait_certificate(&r.id, &opts).await?;
            Pem { pem: cert.pem(), der_base64: Base64(cert.der) }
        };
    /// Wait for an approved CSR request; the CSR.
    securosys_wait_certificate_signing_request "securosys.wait_certificate_signing_request" (WaitRequest) -> Pem [long_running]:
        |c, r, x| {
            let opts = wait("securosys.wait_certificate_signing_request", r.interval_ms, r.timeout_ms, x)?;
            let csr = c.securosys()?.wait_certificate_signing_request(&r.id, &opts).await?;
            Pem { pem: csr.pem(), der_base64: Base64(csr.der) }
        };
    /// A key type's `securosys.create_key` fields and usual signature algorithm (local).
    /// Nothing is sent; no client is needed.
    securosys_key_spec "securosys.key_spec" (KeySpecRequest) -> KeySpecFields:
        |c, r, x| r.run();
    /// A quorum approval policy for `securosys.create_key` (local).
    /// Nothing is sent; no client is needed. The quorum is checked when the key is created.
    securosys_quorum_policy "securosys.quorum_policy" (QuorumPolicyRequest) -> QuorumPolicy:
        |c, r, x| r.run();
    /// An approver's key pair, new (ECDSA P-256) or read from PKCS#8 PEM or DER (local).
    /// Nothing is sent; no client is needed.
    securosys_approver_key "securosys.approver_key" (ApproverKeyRequest) -> ApproverKeyPair:
        |c, r, x| r.run()?;

    // ---- provider-neutral signing -----------------------------------------------------------

    /// Start a signing session with the configured provider (ZignSec or OneSpan): documents,
    /// signers, redirects; the session reference and each signer's link.
    /// `provider` chooses it for this session (default: the configuration's `signing.provider`,
    /// or the only one configured); every later call goes to the provider of the reference.
    signing_start "signing.start" (NewSession) -> StartedSession:
        |c, r, x| match r.provider {
            Some(p) => c.signing_with(p)?.start(&r).await?,
            None => c.signing()?.start(&r).await?,
        };
    /// A session's state (one poll).
    signing_status "signing.status" (SessionId) -> SessionState:
        |c, r, x| signing_of(c, &r.session)?.status(&r.session).await?;
    /// Wait until a session is signed (or ends otherwise, as an error); the signed documents.
    signing_wait "signing.wait" (WaitSession) -> CompletedSession [long_running]:
        |c, r, x| {
            let opts = wait("signing.wait", r.interval_ms, r.timeout_ms, x)?;
            signing_of(c, &r.session)?.wait(&r.session, &opts).await?
        };
    /// A finished session's documents (no waiting).
    signing_result "signing.result" (SessionId) -> CompletedSession:
        |c, r, x| signing_of(c, &r.session)?.result(&r.session).await?;
    /// One signed document's bytes (with `verify`: only when its signatures verify against
    /// the given trust anchors, with the report).
    signing_download "signing.download" (DocumentOf) -> DocumentBytes:
        |c, r, x| match &r.verify {
            None => DocumentBytes { pdf_base64: Base64(signing_of(c, &r.session)?.download(&r.session, &r.document_id).await?.to_vec()), report: None },
            Some(v) => {
                let (data, report) = signing_of(c, &r.session)?.download_verified(&r.session, &r.document_id, &v.anchors()?).await?;
                DocumentBytes { pdf_base64: Base64(data.to_vec()), report: Some(report) }
            }
        };
    /// Save a finished session's documents into a directory (safe, distinct names; with
    /// `verify`: each verified against the given trust anchors first, refused when it does not).
    signing_save_all "signing.save_all" (SaveAll) -> Saved:
        |c, r, x| {
            let s = signing_of(c, &r.session)?;
            let done = s.result(&r.session).await?;
            match &r.verify {
                None => paths(s.save_all(&done, &r.dir).await?),
                Some(v) => {
                    let (files, reports): (Vec<_>, Vec<_>) = s.save_all_verified(&done, &r.dir, &v.anchors()?).await?.into_iter().unzip();
                    Saved { reports: Some(reports), ..paths(files) }
                }
            }
        };
    /// Cancel a session (OneSpan; ZignSec has no cancel call).
    signing_cancel "signing.cancel" (SessionId) -> Done:
        |c, r, x| { signing_of(c, &r.session)?.cancel(&r.session).await?; Done {} };

    // ---- signed documents -------------------------------------------------------------------

    /// Verify a signed PDF (bytes or path) against trust anchors: per signature the signer,
    /// signing time, algorithms, whether it is cryptographically valid, covers its revision,
    /// chains to an anchor at the signing time, and what was appended after it; and whether a
    /// given original is exactly the unsigned prefix.
    pdf_verify "pdf.verify" (VerifyRequest) -> crate::verify::VerifyReport:
        |c, r, x| r.run().await?;

    // ---- ZignSec BankID Norway signing ------------------------------------------------------

    /// Create a signing session (redirects, relay state, webhook, metadata).
    zignsec_create_signing "zignsec.create_signing" (CreateSigning) -> SigningSession:
        |c, r, x| c.zignsec()?.signing().create(&r).await?;
    /// Upload a PDF to a session (checked locally first: non-empty, `%PDF-`, `%%EOF`).
    zignsec_upload "zignsec.upload" (ZignsecUpload) -> crate::providers::zignsec::UploadedFile:
        |c, r, x| {
            let s = c.zignsec()?.signing();
            match (&r.path, &r.pdf_base64) {
                (Some(p), None) => s.upload_path(&r.session_id, p).await?,
                (None, Some(b)) => s.upload_bytes(&r.session_id, r.name.as_deref().unwrap_or("document.pdf"), b.0.clone()).await?,
                _ => return Err(crate::Error::new(crate::ErrorCode::InvalidArgument,
                    "zignsec.upload: give exactly one of request.path and request.pdf_base64")),
            }
        };
    /// Start signing the uploaded files (placements, redirects): the signer's URL.
    zignsec_start_signing "zignsec.start_signing" (ZignsecStart) -> crate::providers::zignsec::StartedSigning:
        |c, r, x| c.zignsec()?.signing().start(&r.session_id, &r.start).await?;
    /// A signing session's status (one poll).
    zignsec_signing_status "zignsec.signing_status" (ZignsecSession) -> SigningStatus:
        |c, r, x| c.zignsec()?.signing().status(&r.session_id).await?;
    /// Wait until a signing session is finished (or ends otherwise, as an error).
    zignsec_wait_signing "zignsec.wait_signing" (ZignsecWait) -> SigningStatus [long_running]:
        |c, r, x| {
            let opts = wait("zignsec.wait_signing", r.interval_ms, r.timeout_ms, x)?;
            c.zignsec()?.signing().wait(&r.session_id, &opts).await?
        };
    /// Save a finished session's signed files into a directory (md5 verified, atomic).
    zignsec_save_signed_files "zignsec.save_signed_files" (ZignsecSave) -> Saved:
        |c, r, x| {
            let s = c.zignsec()?.signing();
            let state = s.status(&r.session_id).await?;
            paths(s.save_signed_files(&state, &r.dir).await?)
        };
    /// Handle the signer's browser coming back to your redirect URL: a cancel or error in it
    /// (`errorCode`, `error=access_denied`, `error_description`) is its error without a request;
    /// a foreign relay state or session id is refused; else the finished session.
    zignsec_complete_signing_redirect "zignsec.complete_signing_redirect" (ZignsecRedirect) -> SigningStatus [long_running]:
        |c, r, x| c.zignsec()?.signing().complete_redirect(&r.session_id, &r.returned_url, r.expected_relay_state.as_deref()).await?;
    /// Create a signing session, upload every PDF (a path, or bytes with a name) and start it,
    /// in one request: the session, the signer's URL and the uploaded files. Every PDF is
    /// checked locally first.
    zignsec_sign_documents "zignsec.sign_documents" (ZignsecSignDocuments) -> crate::providers::zignsec::StartedSession:
        |c, r, x| {
            let mut docs = Vec::with_capacity(r.documents.len());
            for (i, d) in r.documents.iter().enumerate() {
                docs.push(d.read(i).await?);
            }
            c.zignsec()?.signing().sign_documents(&r.create, &docs).await?
        };
    /// Download a file of a session (from `input_files` or `signed_files`), checked against
    /// the md5 the gateway reported (`SB_ERR_INTEGRITY` on a mismatch).
    zignsec_download "zignsec.download" (ZignsecFile) -> FileBytes:
        |c, r, x| FileBytes { data_base64: Base64(c.zignsec()?.signing().download(&r.file).await?.to_vec()) };
    /// Download a file of a session to `path`, checked against the reported md5 and written
    /// atomically (beside it, then renamed): the number of bytes written.
    zignsec_download_to "zignsec.download_to" (ZignsecFileTo) -> Written:
        |c, r, x| Written { bytes: c.zignsec()?.signing().download_to(&r.file, &r.path).await? };
    /// Download a file by its session and file ids (no md5 to check it against).
    zignsec_download_file "zignsec.download_file" (ZignsecFileId) -> FileBytes:
        |c, r, x| FileBytes { data_base64: Base64(c.zignsec()?.signing().download_file(&r.session_id, &r.file_id).await?.to_vec()) };
    /// Call any product path of the gateway with any JSON body (e.g. the two-way TLS example
    /// `POST /core/api/sessions/bankidse/auth`), authenticated and error-mapped like the typed
    /// calls; the answer's JSON.
    zignsec_session_call "zignsec.session_call" (crate::providers::zignsec::SessionCall) -> serde_json::Value:
        |c, r, x| c.zignsec()?.session_call(&r).await?;

    // ---- OneSpan Sign -----------------------------------------------------------------------

    /// Create a transaction from its JSON description (documents by path or base64, signers,
    /// fields), in one request.
    onespan_create_package "onespan.create_package" (NewPackageJson) -> Created:
        |c, r, x| {
            let p = crate::providers::onespan::NewPackage::from_json(&r.0)
                .await
                .map_err(|e| in_request("onespan.create_package", "request", e))?;
            Created { package_id: c.onespan()?.create_package(&p).await? }
        };
    /// A transaction as OneSpan describes it.
    onespan_get_package "onespan.get_package" (PackageId) -> crate::providers::onespan::Package:
        |c, r, x| c.onespan()?.get_package(&r.package_id).await?;
    /// A transaction's status.
    onespan_status "onespan.status" (PackageId) -> PackageState:
        |c, r, x| PackageState { status: c.onespan()?.status(&r.package_id).await? };
    /// A signer's signing link.
    onespan_signing_url "onespan.signing_url" (SigningUrlRequest) -> Link:
        |c, r, x| Link { url: c.onespan()?.signing_url(&r.package_id, &r.role_id).await? };
    /// Send a draft transaction to its signers.
    onespan_send "onespan.send" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.send(&r.package_id).await?; Done {} };
    /// Move a transaction to the trash.
    onespan_trash "onespan.trash" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.trash(&r.package_id).await?; Done {} };
    /// Restore a transaction from the trash.
    onespan_restore "onespan.restore" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.restore(&r.package_id).await?; Done {} };
    /// Archive a completed transaction.
    onespan_archive "onespan.archive" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.archive(&r.package_id).await?; Done {} };
    /// Delete a transaction.
    onespan_delete "onespan.delete" (PackageId) -> Done:
        |c, r, x| { c.onespan()?.delete(&r.package_id).await?; Done {} };
    /// Wait until a transaction is completed (or ends otherwise, as an error).
    onespan_wait "onespan.wait" (PackageWait) -> crate::providers::onespan::Package [long_running]:
        |c, r, x| {
            let opts = wait("onespan.wait", r.interval_ms, r.timeout_ms, x)?;
            c.onespan()?.wait(&r.package_id, &opts).await?
        };
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_new_key_is_a_spec_or_an_algorithm() {
        let key = |v| super::request::<super::NewKey>("securosys.create_key", v);
        let k = key(serde_json::json!({"label": "k", "spec": "p384"}))
            .and_then(super::NewKey::build)
            .expect("spec");
        assert_eq!(k, super::CreateKey::new("k", super::KeySpec::P384));
        let k = key(serde_json::json!({"label": "k", "algorithm": "RSA", "key_size": 2048}))
            .and_then(super::NewKey::build)
            .expect("algorithm");
        assert_eq!(k.key_size, Some(2048));
        for (bad, says) in [
            (serde_json::json!({"label": "k"}), "exactly one of `spec`"),
            (
                serde_json::json!({"label": "k", "spec": "p256", "algorithm": "EC"}),
                "exactly one of `spec`",
            ),
            (
                serde_json::json!({"label": "k", "spec": "p256", "key_size": 256}),
                "go with request.algorithm",
            ),
            (
                serde_json::json!({"label": "k", "spec": "rsa1024"}),
                "request.spec",
            ),
        ] {
            let e = key(bad).and_then(super::NewKey::build).expect_err(says);
            assert_eq!(e.code(), crate::ErrorCode::InvalidArgument);
            assert!(e.message().contains(says), "{e}");
        }
    }

    #[test]
    fn approver_keys_in_requests_are_not_shown_by_debug() {
        let r: super::Decision = serde_json::from_value(serde_json::json!({
            "approver_key_pem": "-----BEGIN PRIVATE KEY-----s3cret",
            "task": {"id": "t", "approvalToBeSigned": "x"}
        }))
        .expect("decision");
        assert!(!format!("{r:?}").contains("s3cret"));
    }
}
