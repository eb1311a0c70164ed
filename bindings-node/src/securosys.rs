//! What of the Securosys Primus HSM stays hand-written in the addon: the approver's key
//! (`ApproverKey`: load, generate, sign approvals in the core), the `Policy.quorum` builder and
//! `defaultSignatureAlgorithm`. The per-operation methods of `client.securosys()` are generated
//! from the operation table (`securosys.js`, by `core/tests/node_facades.rs`) and run through
//! `Client.callCamelCase` ([`crate::Client::call_camel_case`]); an `ApproverKey` given as a
//! request field becomes the table's `approver_key_pem` through [`request_json`].

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

use crate::args::{self, Obj};
use crate::errors::{self, type_error, Kind};

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

/// The request JSON of an object of this addon given as a request field (an `ApproverKey`:
/// its private key as the table's `approver_key_pem` takes it), `None` for any other value, or
/// why it cannot be used (an object that only shares `ApproverKey`'s prototype).
/// The one place where the addon's own classes meet the operation table.
pub(crate) fn request_json(
    env: &Env,
    v: &Unknown<'_>,
) -> napi::Result<Option<Result<serde_json::Value, String>>> {
    use secrecy::ExposeSecret as _;
    if v.get_type()? != ValueType::Object || !ApproverKey::instance_of(env, v)? {
        return Ok(None);
    }
    // SAFETY: `v` is an object of this environment; unwrapping checks it wraps an ApproverKey.
    Ok(Some(
        match unsafe { ClassInstance::<ApproverKey>::from_napi_value(env.raw(), v.raw()) } {
            Ok(key) => Ok(key.inner.pkcs8_pem().expose_secret().into()),
            Err(_) => Err("is not an ApproverKey made by ApproverKey.fromPem, \
                           ApproverKey.fromPkcs8Der or ApproverKey.generateP256"
                .to_string()),
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// Free functions and the `Policy` namespace.

/// The usual signature algorithm of a key type (`'SHA256_WITH_RSA'`, `'SHA256_WITH_ECDSA'`,
/// `'SHA384_WITH_ECDSA'`, `'EDDSA'`). An unknown key type throws `SB_ERR_INVALID_ARGUMENT`.
#[napi(ts_args_type = "spec: KeySpec", ts_return_type = "SignatureAlgorithm")]
pub fn default_signature_algorithm(env: Env, spec: Unknown<'_>) -> napi::Result<String> {
    let spec = args::string(&env, spec, "spec")?;
    serde_json::from_value::<core::KeySpec>(serde_json::Value::String(spec.clone()))
        .map_err(|_| {
            SbError::invalid_argument(format!(
                "key spec {spec:?} is not one of 'rsa2048', 'rsa3072', 'rsa4096', 'p256', \
                 'p384', 'ed25519'"
            ))
        })
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
/// with `ApproverKey.fromPem`, `ApproverKey.fromPkcs8Der` or `ApproverKey.generateP256`, and pass
/// it as a request's `approverKeyPem`. The private key never leaves it: not in `util.inspect`,
/// `JSON.stringify` or `toString`.
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
