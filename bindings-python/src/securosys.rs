//! Securosys Primus HSM (TSB REST API): what its operations cannot be generated from, all built
//! from the core's own types: the approvers' keys (`ApproverKey`, signing happens in the core)
//! and `KeySpec.default_signature_algorithm`. Policies and key attributes are plain dicts
//! (`call_types.PolicyOut`, `KeyAttributes`; `signbridge.quorum_policy` builds the usual policy
//! with the core's `securosys.quorum_policy`). The operations themselves are the
//! methods of `signbridge._securosys.Securosys` (from `Client.securosys()`), generated from the
//! operation table (`core/tests/python_facades.rs`).

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;

use pyo3::types::{PyByteArray, PyBytes, PyString, PyType};
use secrecy::{ExposeSecret, SecretString};
use signbridge::providers::securosys::{ApproverKey, ApproverSigner, KeySpec, SignatureAlgorithm};
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
    m.add_class::<PyApproverKey>()?;
    Ok(())
}
