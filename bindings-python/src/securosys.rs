//! Securosys Primus HSM (TSB REST API): what its operations cannot be generated from, all built
//! from the core's own types: the approvers' keys (`ApproverKey`, signing happens in the core),
//! the `Policy` and `KeyAttributes` builders (taken by requests through their
//! `__signbridge_json__` hook) and `KeySpec.default_signature_algorithm`. The operations themselves are the
//! methods of `signbridge._securosys.Securosys` (from `Client.securosys()`), generated from the
//! operation table (`core/tests/python_facades.rs`).

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use pyo3::types::{PyByteArray, PyBytes, PyDict, PyString, PyTuple, PyType};
use secrecy::{ExposeSecret, SecretString};
use signbridge::providers::securosys::{
    ApproverKey, ApproverSigner, KeyAttributes, KeySpec, Policy, SignatureAlgorithm,
};
use signbridge::{Error, ErrorCode};

use crate::convert;
use crate::errors;
use crate::run::boundary;

// ---- enums ----------------------------------------------------------------------------------

/// `KeySpec.X.default_signature_algorithm` (installed as a property of the enum).
#[pyfunction]
fn _key_spec_default_algorithm<'py>(
    py: Python<'py>,
    member: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let spec = key_spec(py, member)?;
    algorithm_to_py(py, &spec.default_signature_algorithm())
}

fn key_spec_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    crate::enums::enum_type(py, "KeySpec")
}

fn signature_algorithm_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    crate::enums::enum_type(py, "SignatureAlgorithm")
}

/// The value of a member of `cls`, given as the member, its value or its name. `what` names the
/// argument in errors; a str that is neither raises InvalidInput listing the choices.
fn member_value(
    py: Python<'_>,
    cls: &Bound<'_, PyType>,
    obj: &Bound<'_, PyAny>,
    what: &str,
) -> PyResult<String> {
    if obj.is_instance(cls)? {
        return obj.getattr("value")?.extract();
    }
    let Ok(s) = obj.cast::<PyString>() else {
        return Err(PyTypeError::new_err(format!(
            "{what} must be a signbridge.{} or str, not {}",
            cls.name()?,
            obj.get_type().name()?
        )));
    };
    // Only "no such value" / "no such name" fall through: anything else (a KeyboardInterrupt
    // raised while the enum's Python code ran) propagates.
    match cls.call1((s,)) {
        Ok(m) => return m.getattr("value")?.extract(),
        Err(e) if e.is_instance_of::<PyValueError>(py) => {}
        Err(e) => return Err(e),
    }
    match cls.as_any().get_item(s) {
        Ok(m) => return m.getattr("value")?.extract(),
        Err(e) if e.is_instance_of::<pyo3::exceptions::PyKeyError>(py) => {}
        Err(e) => return Err(e),
    }
    let mut choices = Vec::new();
    for m in cls.try_iter()? {
        choices.push(m?.getattr("value")?.extract::<String>()?);
    }
    Err(errors::new_err(
        py,
        ErrorCode::InvalidArgument,
        format!(
            "{what} {:?} is not a {}; use one of: {}",
            s.to_cow()?,
            cls.name()?,
            choices.join(", ")
        ),
    ))
}

/// Parse a wire spelling with the core's own serde definition of `$t`.
macro_rules! from_wire {
    ($py:expr, $t:ty, $value:expr, $what:expr) => {
        serde_json::from_value::<$t>(serde_json::Value::String($value.to_string())).map_err(|_| {
            errors::new_err(
                $py,
                ErrorCode::InvalidArgument,
                format!(
                    "{} {:?} is not known to this version of signbridge",
                    $what, $value
                ),
            )
        })
    };
}

fn key_spec(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<KeySpec> {
    let v = member_value(py, key_spec_enum(py)?, obj, "key_type")?;
    from_wire!(py, KeySpec, v, "key_type")
}

fn algorithm_to_py<'py>(py: Python<'py>, a: &SignatureAlgorithm) -> PyResult<Bound<'py, PyAny>> {
    let cls = signature_algorithm_enum(py)?;
    match a {
        SignatureAlgorithm::Other(s) => Ok(PyString::new(py, s).into_any()),
        known => cls.call1((known.as_str(),)),
    }
}

// ---- argument helpers -----------------------------------------------------------------------

/// The bytes to sign or verify: a bytes-like object (a str would be ambiguous: text or a path).
fn payload(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<bytes::Bytes> {
    if obj.cast::<PyString>().is_ok() {
        return Err(PyTypeError::new_err(format!(
            "{what} must be bytes, bytearray or memoryview, not str: encode text first \
             (text.encode()), or pass a file to the *_file method"
        )));
    }
    convert::to_bytes(obj, what)
}

fn core_err(py: Python<'_>, e: &Error) -> PyErr {
    errors::to_py(py, e)
}

// ---- request values -------------------------------------------------------------------------

/// A key's attribute flags. None = not sent (on create) / not reported (in a key's answer).
/// KeyAttributes.signing() is what create_key() uses by default: sign and verify only,
/// sensitive, not extractable, destroyable.
#[pyclass(module = "signbridge", name = "KeyAttributes", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyKeyAttributes {
    inner: KeyAttributes,
}

/// The flags of [`KeyAttributes`] by name, in order (for `to_dict`, `repr` and keyword
/// arguments). The destructuring makes a flag added to the core a compile error here.
macro_rules! attribute_fields {
    ($($field:ident),* $(,)?) => {
        impl PyKeyAttributes {
            #[allow(dead_code)]
            fn exhaustive(a: &KeyAttributes) {
                let KeyAttributes { $($field: _),* } = a;
            }

            /// `(name, value)` of every flag, in order.
            fn fields(&self) -> Vec<(&'static str, Option<bool>)> {
                vec![$((stringify!($field), self.inner.$field)),*]
            }

            /// Set the flag `name`; false when there is no such flag.
            fn set(&mut self, name: &str, value: Option<bool>) -> bool {
                match name {
                    $(stringify!($field) => { self.inner.$field = value; true })*
                    _ => false,
                }
            }
        }
    };
}

attribute_fields!(
    encrypt,
    decrypt,
    verify,
    sign,
    wrap,
    unwrap,
    derive,
    bip32,
    slip10,
    extractable,
    modifiable,
    destroyable,
    sensitive,
    copyable,
    always_sensitive,
    never_extractable,
);

impl PyKeyAttributes {
    fn with_changes(mut self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        if let Some(changes) = changes {
            for (k, v) in changes.iter() {
                let name: String = k.extract()?;
                let value: Option<bool> = if v.is_none() {
                    None
                } else {
                    Some(
                        v.cast::<pyo3::types::PyBool>()
                            .map(|b| b.is_true())
                            .map_err(|_| {
                                PyTypeError::new_err(format!(
                                    "KeyAttributes {name} must be True, False or None, not {}",
                                    v.get_type()
                                        .name()
                                        .map(|n| n.to_string())
                                        .unwrap_or_default()
                                ))
                            })?,
                    )
                };
                if !self.set(&name, value) {
                    return Err(PyTypeError::new_err(format!(
                        "KeyAttributes has no flag {name:?}"
                    )));
                }
            }
        }
        Ok(self)
    }
}

#[pymethods]
impl PyKeyAttributes {
    /// May encrypt.
    #[getter]
    fn encrypt(&self) -> Option<bool> {
        self.inner.encrypt
    }
    /// May decrypt (required on create).
    #[getter]
    fn decrypt(&self) -> Option<bool> {
        self.inner.decrypt
    }
    /// May verify.
    #[getter]
    fn verify(&self) -> Option<bool> {
        self.inner.verify
    }
    /// May sign (required on create).
    #[getter]
    fn sign(&self) -> Option<bool> {
        self.inner.sign
    }
    /// May wrap keys.
    #[getter]
    fn wrap(&self) -> Option<bool> {
        self.inner.wrap
    }
    /// May unwrap keys (required on create).
    #[getter]
    fn unwrap(&self) -> Option<bool> {
        self.inner.unwrap
    }
    /// May derive keys.
    #[getter]
    fn derive(&self) -> Option<bool> {
        self.inner.derive
    }
    /// BIP32 derivation.
    #[getter]
    fn bip32(&self) -> Option<bool> {
        self.inner.bip32
    }
    /// SLIP-10 derivation.
    #[getter]
    fn slip10(&self) -> Option<bool> {
        self.inner.slip10
    }
    /// May be exported.
    #[getter]
    fn extractable(&self) -> Option<bool> {
        self.inner.extractable
    }
    /// May be modified.
    #[getter]
    fn modifiable(&self) -> Option<bool> {
        self.inner.modifiable
    }
    /// May be deleted.
    #[getter]
    fn destroyable(&self) -> Option<bool> {
        self.inner.destroyable
    }
    /// Sensitive (never leaves the HSM in clear).
    #[getter]
    fn sensitive(&self) -> Option<bool> {
        self.inner.sensitive
    }
    /// May be copied.
    #[getter]
    fn copyable(&self) -> Option<bool> {
        self.inner.copyable
    }
    /// Always was sensitive (answers only).
    #[getter]
    fn always_sensitive(&self) -> Option<bool> {
        self.inner.always_sensitive
    }
    /// Never was extractable (answers only).
    #[getter]
    fn never_extractable(&self) -> Option<bool> {
        self.inner.never_extractable
    }
    /// Attribute flags given as keywords (encrypt=, decrypt=, verify=, sign=, wrap=, unwrap=,
    /// derive=, bip32=, slip10=, extractable=, modifiable=, destroyable=, sensitive=,
    /// copyable=, always_sensitive=, never_extractable=), each True, False or None (not sent).
    /// create_key() needs sign, decrypt and unwrap set.
    #[new]
    #[pyo3(signature = (**flags))]
    fn new(flags: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        PyKeyAttributes {
            inner: KeyAttributes::default(),
        }
        .with_changes(flags)
    }
    /// The attributes of a signing key (create_key()'s default): sign and verify, nothing
    /// else; sensitive, not extractable, destroyable.
    #[staticmethod]
    fn signing() -> Self {
        PyKeyAttributes {
            inner: KeyAttributes::signing(),
        }
    }
    /// A copy with the given flags changed, e.g. KeyAttributes.signing().replace(destroyable=False).
    #[pyo3(signature = (**changes))]
    fn replace(&self, changes: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        self.clone().with_changes(changes)
    }
    /// The flags as an operation's request takes them (`attributes` of `securosys.create_key`).
    fn __signbridge_json__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = serde_json::to_value(&self.inner)
            .map_err(|e| errors::new_err(py, ErrorCode::Internal, format!("attributes: {e}")))?;
        convert::json_to_py(py, &v)
    }
    /// The flags as a dict (only those that are set).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        for (k, v) in self.fields() {
            if let Some(v) = v {
                d.set_item(k, v)?;
            }
        }
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let set: Vec<String> = self
            .fields()
            .into_iter()
            .filter_map(|(k, v)| v.map(|v| format!("{k}={}", if v { "True" } else { "False" })))
            .collect();
        format!("KeyAttributes({})", set.join(", "))
    }
}

/// A Smart Key Attributes approval policy: who must approve the use of a key. Policy.quorum()
/// builds the usual one; Policy.from_dict() takes any policy in the TSB's JSON shape.
#[pyclass(module = "signbridge", name = "Policy", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyPolicy {
    inner: Policy,
}

fn approver_value(v: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(k) = v.cast::<PyApproverKey>() {
        return Ok(k.get().inner.public_key_b64());
    }
    convert::text(
        v,
        "an approver's public key (base64 DER SubjectPublicKeyInfo)",
    )
    .map_err(|_| {
        PyTypeError::new_err(
            "approvers values must be ApproverKey objects or base64 public keys (str)",
        )
    })
}

#[pymethods]
impl PyPolicy {
    /// A use rule needing `quorum` approvals among `approvers`: a dict {name: approver}, or
    /// (name, approver) pairs, where an approver is an ApproverKey or its base64 public key.
    /// `timeout` (seconds, a multiple of 60; 0 = none) bounds how long a request waits for
    /// approvals. The numbers are checked by create_key().
    #[staticmethod]
    #[pyo3(signature = (quorum, approvers, timeout = 0))]
    fn quorum(quorum: i64, approvers: &Bound<'_, PyAny>, timeout: i64) -> PyResult<Self> {
        let quorum = u32::try_from(quorum).map_err(|_| {
            PyValueError::new_err(format!("quorum must be a positive number, got {quorum}"))
        })?;
        let timeout = u32::try_from(timeout).map_err(|_| {
            PyValueError::new_err(format!(
                "timeout must be a non-negative number of seconds, got {timeout}"
            ))
        })?;
        if approvers.cast::<PyString>().is_ok() || approvers.cast::<PyBytes>().is_ok() {
            return Err(PyTypeError::new_err(
                "approvers must be a dict {name: ApproverKey or public key} or (name, approver) \
                 pairs",
            ));
        }
        let mut list = Vec::new();
        if let Ok(d) = approvers.cast::<PyDict>() {
            for (k, v) in d.iter() {
                list.push((convert::text(&k, "approver names")?, approver_value(&v)?));
            }
        } else {
            let iter = approvers.try_iter().map_err(|_| {
                PyTypeError::new_err(
                    "approvers must be a dict {name: ApproverKey or public key} or (name, \
                     approver) pairs",
                )
            })?;
            for item in iter {
                let item = item?;
                let pair = item
                    .cast::<PyTuple>()
                    .ok()
                    .filter(|t| t.len() == 2)
                    .ok_or_else(|| {
                        PyTypeError::new_err("approvers items must be (name, approver) pairs")
                    })?;
                list.push((
                    convert::text(&pair.get_item(0)?, "approver names")?,
                    approver_value(&pair.get_item(1)?)?,
                ));
            }
        }
        Ok(PyPolicy {
            inner: Policy::quorum(quorum, &list, timeout),
        })
    }
    /// A policy from its JSON shape (ruleUse/rule_use, ruleBlock, ruleUnblock, ruleModify,
    /// keyStatus), e.g. the "policy" of get_key() edited. Raises InvalidInput when it does not
    /// have that shape.
    #[staticmethod]
    fn from_dict(py: Python<'_>, policy: &Bound<'_, PyAny>) -> PyResult<Self> {
        if !policy.is_instance_of::<PyDict>() {
            return Err(PyTypeError::new_err(format!(
                "policy must be a dict, not {}",
                policy.get_type().name()?
            )));
        }
        let value = convert::to_json(policy, "policy")?;
        let inner: Policy = serde_json::from_value(value).map_err(|e| {
            errors::new_err(
                py,
                ErrorCode::InvalidArgument,
                format!("the policy does not have the TSB's shape: {e}"),
            )
        })?;
        Ok(PyPolicy { inner })
    }
    /// The policy as an operation's request takes it (`policy` of `securosys.create_key`): the
    /// TSB's JSON shape.
    fn __signbridge_json__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.to_dict(py)
    }
    /// The policy in the TSB's JSON shape, as a new dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = serde_json::to_value(&self.inner)
            .map_err(|e| errors::new_err(py, ErrorCode::Internal, format!("policy: {e}")))?;
        convert::json_to_py(py, &v)
    }
    fn __repr__(&self) -> String {
        let rules: Vec<&str> = [
            ("rule_use", self.inner.rule_use.is_some()),
            ("rule_block", self.inner.rule_block.is_some()),
            ("rule_unblock", self.inner.rule_unblock.is_some()),
            ("rule_modify", self.inner.rule_modify.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, set)| set.then_some(n))
        .collect();
        format!("Policy(rules=[{}])", rules.join(", "))
    }
}

/// An approver's key, held in memory (ECDSA P-256/P-384, Ed25519 or RSA from PKCS#8): signs the
/// proofs and approvals of list_approval_tasks(), approve() and reject(). The private key can
/// never be read back nor appears in repr. Thread-safe.
#[pyclass(module = "signbridge", name = "ApproverKey", frozen)]
pub struct PyApproverKey {
    inner: Arc<ApproverKey>,
    /// The private key as PKCS#8 PEM: what an operation's `approver_key_pem` takes. Only the
    /// request conversion reads it (`convert::to_json`); Python never can. Zeroed when dropped.
    pem: Arc<SecretString>,
}

impl PyApproverKey {
    /// The private key as PKCS#8 PEM, for an operation's request.
    pub(crate) fn request_pem(&self) -> &str {
        self.pem.expose_secret()
    }
}

/// PKCS#8 DER as PEM text.
fn pkcs8_pem(der: &[u8]) -> SecretString {
    let b64 = serde_json::to_value(signbridge::api::Base64(der.to_vec()))
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    SecretString::from(pem)
}

#[pymethods]
impl PyApproverKey {
    /// Load a PKCS#8 private key from PEM (-----BEGIN PRIVATE KEY-----): the PEM text (str or
    /// bytes) or the file holding it (os.PathLike, e.g. pathlib.Path). Raises InvalidInput
    /// when it is not a usable key, InvalidInput (SB_ERR_IO) when the file cannot be read.
    #[staticmethod]
    fn from_pem(py: Python<'_>, pem: &Bound<'_, PyAny>) -> PyResult<Self> {
        boundary(py, || {
            let text: String = if let Ok(s) = pem.cast::<PyString>() {
                s.to_cow()?.into_owned()
            } else if pem.cast::<PyBytes>().is_ok() || pem.cast::<PyByteArray>().is_ok() {
                let b = convert::to_bytes(pem, "pem")?;
                String::from_utf8_lossy(&b).into_owned()
            } else if pem.hasattr("__fspath__")? {
                let path: PathBuf = pem.extract()?;
                std::fs::read_to_string(&path)
                    .map_err(|e| core_err(py, &Error::io("read the approver key", &path, e)))?
            } else {
                return Err(PyTypeError::new_err(format!(
                    "pem must be the PEM text (str or bytes) or a path (os.PathLike), not {}",
                    pem.get_type().name()?
                )));
            };
            let inner = ApproverKey::from_pem(&text).map_err(|e| core_err(py, &e))?;
            Ok(PyApproverKey {
                inner: Arc::new(inner),
                pem: Arc::new(SecretString::from(text)),
            })
        })
    }
    /// Load a PKCS#8 private key from DER bytes.
    #[staticmethod]
    fn from_pkcs8_der(py: Python<'_>, der: &Bound<'_, PyAny>) -> PyResult<Self> {
        boundary(py, || {
            let der = payload(der, "der")?;
            let inner = ApproverKey::from_pkcs8_der(&der).map_err(|e| core_err(py, &e))?;
            Ok(PyApproverKey {
                inner: Arc::new(inner),
                pem: Arc::new(pkcs8_pem(&der)),
            })
        })
    }
    /// A new random ECDSA P-256 approver key and its PKCS#8 DER (keep that to load the key
    /// again with from_pkcs8_der()): returns (key, pkcs8_der).
    #[staticmethod]
    fn generate_p256(py: Python<'_>) -> PyResult<(Self, Py<PyBytes>)> {
        boundary(py, || {
            let (inner, der) = ApproverKey::generate_p256().map_err(|e| core_err(py, &e))?;
            Ok((
                PyApproverKey {
                    inner: Arc::new(inner),
                    pem: Arc::new(pkcs8_pem(&der)),
                },
                PyBytes::new(py, &der).unbind(),
            ))
        })
    }
    /// The public key as base64 DER SubjectPublicKeyInfo, as a policy names the approver.
    #[getter]
    fn public_key_b64(&self) -> String {
        self.inner.public_key_b64()
    }
    /// The public key as DER SubjectPublicKeyInfo.
    #[getter]
    fn public_key_der<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.public_key_der())
    }
    /// The digest algorithm sent with its signatures ("SHA-256"...; "EdDSA" for Ed25519).
    #[getter]
    fn digest_algorithm(&self) -> &str {
        self.inner.digest_algorithm()
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyApproverKey>()
            .is_ok_and(|o| o.get().inner.public_key_der() == self.inner.public_key_der())
    }
    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.inner.public_key_der().hash(&mut h);
        h.finish()
    }
    fn __repr__(&self) -> String {
        let b64 = self.inner.public_key_b64();
        let tail = &b64[b64.len().saturating_sub(12)..];
        format!(
            "ApproverKey(digest_algorithm={:?}, public_key=\"...{tail}\")",
            self.inner.digest_algorithm()
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    // `KeySpec.X.default_signature_algorithm`: the usual algorithm of each key type.
    let getter = wrap_pyfunction!(_key_spec_default_algorithm, py)?;
    let prop = py.import("builtins")?.getattr("property")?.call1((
        getter,
        py.None(),
        py.None(),
        "The usual signature algorithm for this key type (SHA-256 or SHA-384 based; EdDSA).",
    ))?;
    key_spec_enum(py)?.setattr("default_signature_algorithm", prop)?;
    m.add_class::<PyKeyAttributes>()?;
    m.add_class::<PyPolicy>()?;
    m.add_class::<PyApproverKey>()?;
    Ok(())
}
