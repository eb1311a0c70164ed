//! The request and result models of the operation table's Securosys entries in
//! [`super::ops`]: keys (create, label, public key, list), signing and verifying, asynchronous
//! requests and their approval tasks, certificates and CSRs.

use serde::{Deserialize, Serialize};

use super::wire::Base64;
use crate::error::Result;
use crate::providers::securosys::{
    ApprovalTask, CertificateRequest, CreateKey, CsrRequest, KeyAlgorithm, KeyAttributes, KeySpec,
    PayloadKind, Policy, SignOptions, SignatureAlgorithm, TaskKind,
};

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
    pub(super) fn build(self) -> Result<CreateKey> {
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
    pub(super) async fn payload(&self, op: &str) -> Result<Vec<u8>> {
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

    pub(super) fn signature(&self, op: &str) -> Result<&[u8]> {
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_new_key_is_a_spec_or_an_algorithm() {
        let key = |v| super::super::request::<super::NewKey>("securosys.create_key", v);
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
