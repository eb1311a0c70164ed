//! Securosys Primus HSM (TSB REST API): `Securosys` (from `Client.securosys()`), its request and
//! result objects (`KeyInfo`, `KeyAttributes`, `Policy`, `RequestStatus`, `ApprovalTask`,
//! `ApproverKey`, `VersionInfo`, `LicenseInfo`) and the `str` enums `KeySpec`,
//! `SignatureAlgorithm`, `PayloadKind`, `RequestState` and `TaskKind`, all built from the core's
//! own types.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::aio;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyString, PyTuple, PyType};
use signbridge::providers::securosys::{
    ApprovalTask, ApproverKey, ApproverSigner, CreateKey, KeyAttributes, KeyInfo, KeySpec,
    LicenseInfo, PayloadKind, Policy, RequestState, RequestStatus, SecurosysClient, SignOptions,
    SignatureAlgorithm, TaskKind, VersionInfo,
};
use signbridge::{Error, ErrorCode};

use crate::certificates::{certificate_request, csr_request, PyCertificate, PyCsr};
use crate::client::PyClient;
use crate::convert;
use crate::errors;
use crate::progress::Progress;
use crate::run::boundary;
use crate::types::opt_repr;

// ---- enums ----------------------------------------------------------------------------------

/// Build a `str`-valued `enum.Enum` named `name` in module `signbridge`.
pub(crate) fn str_enum(
    py: Python<'_>,
    name: &str,
    members: &[(String, String)],
    doc: &str,
) -> PyResult<Py<PyType>> {
    let list = PyList::empty(py);
    for (n, v) in members {
        list.append((n, v))?;
    }
    let kwargs = PyDict::new(py);
    kwargs.set_item("module", "signbridge")?;
    kwargs.set_item("type", py.get_type::<PyString>())?;
    let cls = py
        .import("enum")?
        .getattr("Enum")?
        .call((name, list), Some(&kwargs))?;
    cls.setattr("__doc__", doc)?;
    Ok(cls.cast_into::<PyType>()?.unbind())
}

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

fn payload_kind_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    crate::enums::enum_type(py, "PayloadKind")
}

fn request_state_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    crate::enums::enum_type(py, "RequestState")
}

fn task_kind_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    crate::enums::enum_type(py, "TaskKind")
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

fn payload_kind(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<PayloadKind> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(PayloadKind::Raw),
        Some(o) => {
            let v = member_value(py, payload_kind_enum(py)?, o, "kind")?;
            from_wire!(py, PayloadKind, v, "kind")
        }
    }
}

fn task_kind(py: Python<'_>, obj: Option<&Bound<'_, PyAny>>) -> PyResult<TaskKind> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(TaskKind::Sign),
        Some(o) => {
            let v = member_value(py, task_kind_enum(py)?, o, "kind")?;
            from_wire!(py, TaskKind, v, "kind")
        }
    }
}

/// A signature algorithm: a member, or any str (the open set of the core: unknown names are
/// kept and sent as given).
pub(crate) fn signature_algorithm(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
) -> PyResult<SignatureAlgorithm> {
    let cls = signature_algorithm_enum(py)?;
    if obj.is_instance(cls)? {
        let v: String = obj.getattr("value")?.extract()?;
        return Ok(SignatureAlgorithm::parse(&v));
    }
    match obj.cast::<PyString>() {
        Ok(s) => Ok(SignatureAlgorithm::parse(&s.to_cow()?)),
        Err(_) => Err(PyTypeError::new_err(format!(
            "algorithm must be a signbridge.SignatureAlgorithm or str, not {}",
            obj.get_type().name()?
        ))),
    }
}

fn algorithm_to_py<'py>(py: Python<'py>, a: &SignatureAlgorithm) -> PyResult<Bound<'py, PyAny>> {
    let cls = signature_algorithm_enum(py)?;
    match a {
        SignatureAlgorithm::Other(s) => Ok(PyString::new(py, s).into_any()),
        known => cls.call1((known.as_str(),)),
    }
}

fn request_state_to_py<'py>(py: Python<'py>, s: &RequestState) -> PyResult<Bound<'py, PyAny>> {
    let value = match s {
        RequestState::Other(_) => crate::enums::other_value("RequestState"),
        known => known.as_str().to_string(),
    };
    request_state_enum(py)?.call1((value,))
}

// ---- argument helpers -----------------------------------------------------------------------

fn label(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    convert::text(obj, "label")
}

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

fn request_id(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    convert::text(obj, "request_id")
}

fn approver(obj: &Bound<'_, PyAny>) -> PyResult<Arc<ApproverKey>> {
    match obj.cast::<PyApproverKey>() {
        Ok(k) => Ok(k.get().inner.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "approver must be a signbridge.ApproverKey, not {}",
            obj.get_type().name()?
        ))),
    }
}

fn core_err(py: Python<'_>, e: &Error) -> PyErr {
    errors::to_py(py, e)
}

// ---- result and request objects -------------------------------------------------------------

/// The TSB's version (Securosys.version_info()).
#[pyclass(module = "signbridge", name = "VersionInfo", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyVersionInfo {
    inner: VersionInfo,
}

#[pymethods]
impl PyVersionInfo {
    /// The TSB version, e.g. "2.5.1".
    #[getter]
    fn version(&self) -> &str {
        &self.inner.version
    }
    /// The vendor, when reported.
    #[getter]
    fn vendor(&self) -> Option<&str> {
        self.inner.vendor.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "VersionInfo(version={:?}, vendor={})",
            self.inner.version,
            opt_repr(&self.inner.vendor)
        )
    }
}

/// The TSB's licensed features (Securosys.license_info()).
#[pyclass(module = "signbridge", name = "LicenseInfo", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyLicenseInfo {
    inner: LicenseInfo,
}

#[pymethods]
impl PyLicenseInfo {
    /// The licensed features ("KEY_AUTH", "REST_API"...).
    #[getter]
    fn client_flags(&self) -> Vec<String> {
        self.inner.client_flags.clone()
    }
    fn __repr__(&self) -> String {
        format!("LicenseInfo(client_flags={:?})", self.inner.client_flags)
    }
}

/// A key's attribute flags. None = not sent (on create) / not reported (in a KeyInfo).
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
    /// keyStatus), e.g. KeyInfo.policy.to_dict() edited. Raises InvalidInput when it does not
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

/// A key as the TSB describes it (create_key(), get_key()).
#[pyclass(module = "signbridge", name = "KeyInfo", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyKeyInfo {
    inner: KeyInfo,
}

#[pymethods]
impl PyKeyInfo {
    /// The label.
    #[getter]
    fn label(&self) -> &str {
        &self.inner.label
    }
    /// The key id, if any.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }
    /// The algorithm ("RSA", "EC", "ED"...).
    #[getter]
    fn algorithm(&self) -> Option<&str> {
        self.inner.algorithm.as_ref().map(|a| a.as_str())
    }
    /// The algorithm OID.
    #[getter]
    fn algorithm_oid(&self) -> Option<&str> {
        self.inner.algorithm_oid.as_deref()
    }
    /// The curve OID (EC, ED keys).
    #[getter]
    fn curve_oid(&self) -> Option<&str> {
        self.inner.curve_oid.as_deref()
    }
    /// The size in bits.
    #[getter]
    fn key_size(&self) -> Option<u32> {
        self.inner.key_size
    }
    /// The creation time (ISO 8601), as the TSB gives it.
    #[getter]
    fn create_time(&self) -> Option<&str> {
        self.inner.create_time.as_deref()
    }
    /// The public key, base64 DER SubjectPublicKeyInfo (None for a secret key).
    #[getter]
    fn public_key(&self) -> Option<&str> {
        self.inner.public_key.as_deref()
    }
    /// The attribute flags, when reported.
    #[getter]
    fn attributes(&self) -> Option<PyKeyAttributes> {
        self.inner
            .attributes
            .clone()
            .map(|inner| PyKeyAttributes { inner })
    }
    /// The approval policy (keys with Smart Key Attributes), or None.
    #[getter]
    fn policy(&self) -> Option<PyPolicy> {
        self.inner.policy.clone().map(|inner| PyPolicy { inner })
    }
    /// The public key as DER SubjectPublicKeyInfo. Raises ProviderError (SB_ERR_INVALID_STATE)
    /// for a key without a public key.
    fn public_key_der<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        let der = self.inner.public_key_der().map_err(|e| core_err(py, &e))?;
        Ok(PyBytes::new(py, &der))
    }
    /// The public key as PEM (-----BEGIN PUBLIC KEY-----), e.g. for openssl or the
    /// cryptography package.
    fn public_key_pem(&self, py: Python<'_>) -> PyResult<String> {
        self.inner.public_key_pem().map_err(|e| core_err(py, &e))
    }
    fn __repr__(&self) -> String {
        format!(
            "KeyInfo(label={:?}, algorithm={}, key_size={:?}, policy={})",
            self.inner.label,
            opt_repr(
                &self
                    .inner
                    .algorithm
                    .as_ref()
                    .map(|a| a.as_str().to_string())
            ),
            self.inner.key_size,
            if self.inner.policy.is_some() {
                "True"
            } else {
                "False"
            }
        )
    }
}

/// The state of an asynchronous request (Securosys.request_status(), wait_request()'s
/// on_progress).
#[pyclass(module = "signbridge", name = "RequestStatus", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyRequestStatus {
    inner: RequestStatus,
}

#[pymethods]
impl PyRequestStatus {
    /// The request id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// Its state.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        request_state_to_py(py, &self.inner.status)
    }
    /// The state as the TSB spelled it.
    #[getter]
    fn status_text(&self) -> &str {
        self.inner.status.as_str()
    }
    /// Whether the request can no longer change.
    #[getter]
    fn is_terminal(&self) -> bool {
        self.inner.status.is_terminal()
    }
    /// When the HSM executed it.
    #[getter]
    fn execution_time(&self) -> Option<&str> {
        self.inner.execution_time.as_deref()
    }
    /// Public keys (base64) of the approvers who approved.
    #[getter]
    fn approved_by(&self) -> Vec<String> {
        self.inner.approved_by.clone()
    }
    /// Public keys (base64) of the approvers who have not approved yet.
    #[getter]
    fn not_yet_approved_by(&self) -> Vec<String> {
        self.inner.not_yet_approved_by.clone()
    }
    /// Public keys (base64) of the approvers who rejected.
    #[getter]
    fn rejected_by(&self) -> Vec<String> {
        self.inner.rejected_by.clone()
    }
    /// The result as the TSB sent it (base64; the signature of a sign request), or None.
    #[getter]
    fn result(&self) -> Option<&str> {
        self.inner.result.as_deref()
    }
    /// The decoded result (the signature of an executed sign request), or None. Raises
    /// TransportError (SB_ERR_PROTOCOL) when the TSB's base64 is broken.
    fn result_bytes<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let r = self.inner.result_bytes().map_err(|e| core_err(py, &e))?;
        Ok(r.map(|b| PyBytes::new(py, &b)))
    }
    fn __repr__(&self) -> String {
        format!(
            "RequestStatus(id={:?}, status={:?}, approved_by={}, rejected_by={})",
            self.inner.id,
            self.inner.status.as_str(),
            self.inner.approved_by.len(),
            self.inner.rejected_by.len()
        )
    }
}

/// An approver's key, held in memory (ECDSA P-256/P-384, Ed25519 or RSA from PKCS#8): signs the
/// proofs and approvals of list_approval_tasks(), approve() and reject(). The private key can
/// never be read back nor appears in repr. Thread-safe.
#[pyclass(module = "signbridge", name = "ApproverKey", frozen)]
pub struct PyApproverKey {
    inner: Arc<ApproverKey>,
    /// The private key as PKCS#8 PEM: what an operation's `approver_key_pem` takes. Only the
    /// request conversion reads it (`convert::to_json`); Python never can.
    pem: Arc<String>,
}

impl PyApproverKey {
    /// The private key as PKCS#8 PEM, for an operation's request.
    pub(crate) fn request_pem(&self) -> &str {
        &self.pem
    }
}

/// PKCS#8 DER as PEM text.
fn pkcs8_pem(der: &[u8]) -> String {
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
    pem
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
                pem: Arc::new(text),
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

/// A pending approval task of one approver (Securosys.list_approval_tasks()).
#[pyclass(module = "signbridge", name = "ApprovalTask", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyApprovalTask {
    inner: ApprovalTask,
}

#[pymethods]
impl PyApprovalTask {
    /// The task id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// What the approver signs to approve (base64, opaque).
    #[getter]
    fn approval_to_be_signed(&self) -> &str {
        &self.inner.approval_to_be_signed
    }
    /// The approver's public key (base64), as the TSB reports it.
    #[getter]
    fn approver_public_key(&self) -> Option<&str> {
        self.inner.approver_public_key.as_deref()
    }
    /// The request's metadata as the TSB sent it (base64 JSON).
    #[getter]
    fn meta_data(&self) -> Option<&str> {
        self.inner.meta_data.as_deref()
    }
    /// The request's metadata decoded (what the requester showed the approvers), or None when
    /// absent or unreadable.
    #[getter]
    fn metadata<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .metadata()
            .map(|v| convert::json_to_py(py, &v))
            .transpose()
    }
    /// The payload to be signed (base64), when the TSB includes it.
    #[getter]
    fn payload(&self) -> Option<&str> {
        self.inner.payload.as_deref()
    }
    /// The payload type ("UNSPECIFIED", "PDF"...).
    #[getter]
    fn payload_type(&self) -> Option<&str> {
        self.inner.payload_type.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "ApprovalTask(id={:?}, payload_type={})",
            self.inner.id,
            opt_repr(&self.inner.payload_type)
        )
    }
}

fn task_id(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(t) = obj.cast::<PyApprovalTask>() {
        return Ok(t.get().inner.id.clone());
    }
    convert::text(obj, "task")
        .map_err(|_| PyTypeError::new_err("task must be an ApprovalTask or a task id (str)"))
}

// ---- the service ----------------------------------------------------------------------------

/// The Securosys Primus HSM (TSB REST API): keys, synchronous and asynchronous (approval-based)
/// signing, verification, request polling and the approvers' side. Each call carries only the
/// API key of the role its endpoint needs (securosys.api_keys.<role>); a call whose role has no
/// key raises AuthError (SB_ERR_AUTH_CONFIG_MISSING) before anything is sent. Every call
/// releases the GIL; wait_request() can be interrupted with Ctrl-C.
#[pyclass(module = "signbridge", name = "Securosys", frozen, subclass)]
pub struct PySecurosys {
    client: Py<PyClient>,
}

impl PySecurosys {
    pub(crate) fn new(client: Py<PyClient>) -> Self {
        PySecurosys { client }
    }

    fn api(&self, py: Python<'_>) -> PyResult<SecurosysClient> {
        let core = self.client.get().core(py)?;
        let s = core.securosys().map_err(|e| core_err(py, &e))?;
        Ok(s.clone())
    }
}

#[pymethods]
impl PySecurosys {
    /// The TSB's version (service role).
    fn version_info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.version_info().await },
                move |py, inner| PyVersionInfo { inner }.into_py_any(py),
            )
        })
    }

    /// The licensed features (service role).
    fn license_info(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.license_info().await },
                move |py, inner| PyLicenseInfo { inner }.into_py_any(py),
            )
        })
    }

    /// Create a signing key (key-management role). `key_type` is a KeySpec (or its value or
    /// name: "p256", "RSA_2048"...); `policy` an approval Policy (then the key signs only with
    /// sign() and approvals); `attributes` KeyAttributes (default KeyAttributes.signing()).
    /// Checked locally first (label, policy times multiples of 60, reachable quorums): bad
    /// values raise InvalidInput before anything is sent. An existing label raises
    /// ProviderError.
    #[pyo3(signature = (label, key_type, *, policy = None, attributes = None))]
    fn create_key(
        &self,
        py: Python<'_>,
        label: &Bound<'_, PyAny>,
        key_type: &Bound<'_, PyAny>,
        policy: Option<PyRef<'_, PyPolicy>>,
        attributes: Option<PyRef<'_, PyKeyAttributes>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let spec = key_spec(py, key_type)?;
            let mut req = CreateKey::new(label, spec);
            if let Some(p) = policy {
                req = req.with_policy(p.inner.clone());
            }
            if let Some(a) = attributes {
                req.attributes = a.inner.clone();
            }
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.create_key(&req).await },
                move |py, inner| PyKeyInfo { inner }.into_py_any(py),
            )
        })
    }

    /// A key's description and public key (key-management role). An unknown label raises
    /// NotFound.
    fn get_key(&self, py: Python<'_>, label: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.get_key(&label).await },
                move |py, inner| PyKeyInfo { inner }.into_py_any(py),
            )
        })
    }

    /// The key's public key as DER SubjectPublicKeyInfo bytes (get_key(label).public_key_pem()
    /// gives PEM).
    fn public_key<'py>(&self, py: Python<'py>, label: &Bound<'py, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.public_key(&label).await },
                move |py, der| PyBytes::new(py, &der).into_py_any(py),
            )
        })
    }

    /// The labels of all keys (key-management role).
    fn list_keys(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.list_keys().await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Delete a key (key-management role); its pending requests become CANCELLED.
    fn delete_key(&self, py: Python<'_>, label: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.delete_key(&label).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Sign `payload` (bytes, bytearray or memoryview) with key `label` now (key-operation role)
    /// and return the signature (DER for RSA and ECDSA, 64 bytes for Ed25519). `algorithm` is a
    /// SignatureAlgorithm (or str), e.g. KeySpec.P256.default_signature_algorithm; `kind`
    /// PayloadKind.DIGEST when `payload` is a digest you computed (its length is checked).
    /// Keys with an approval policy need sign() instead.
    #[pyo3(signature = (label, payload, algorithm, *, kind = None))]
    fn synchronous_sign<'py>(
        &self,
        py: Python<'py>,
        label: &Bound<'py, PyAny>,
        payload: &Bound<'py, PyAny>,
        algorithm: &Bound<'py, PyAny>,
        kind: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let data = self::payload(payload, "payload")?;
            let alg = signature_algorithm(py, algorithm)?;
            let kind = payload_kind(py, kind)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.synchronous_sign(&label, &data, kind, &alg).await },
                move |py, sig| PyBytes::new(py, &sig).into_py_any(py),
            )
        })
    }

    /// synchronous_sign() over the contents of a file (str or os.PathLike).
    #[pyo3(signature = (label, path, algorithm, *, kind = None))]
    fn synchronous_sign_file<'py>(
        &self,
        py: Python<'py>,
        label: &Bound<'py, PyAny>,
        path: PathBuf,
        algorithm: &Bound<'py, PyAny>,
        kind: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let alg = signature_algorithm(py, algorithm)?;
            let kind = payload_kind(py, kind)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.synchronous_sign_file(&label, &path, kind, &alg).await },
                move |py, sig| PyBytes::new(py, &sig).into_py_any(py),
            )
        })
    }

    /// Verify `signature` over `payload` with key `label` (key-operation role): True when it
    /// matches, False when it does not. `algorithm` and `kind` as for synchronous_sign().
    #[pyo3(signature = (label, payload, algorithm, signature, *, kind = None))]
    fn verify(
        &self,
        py: Python<'_>,
        label: &Bound<'_, PyAny>,
        payload: &Bound<'_, PyAny>,
        algorithm: &Bound<'_, PyAny>,
        signature: &Bound<'_, PyAny>,
        kind: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let data = self::payload(payload, "payload")?;
            let alg = signature_algorithm(py, algorithm)?;
            let sig = self::payload(signature, "signature")?;
            let kind = payload_kind(py, kind)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.verify(&label, &data, kind, &alg, &sig).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// verify() over the contents of a file (str or os.PathLike).
    #[pyo3(signature = (label, path, algorithm, signature, *, kind = None))]
    fn verify_file(
        &self,
        py: Python<'_>,
        label: &Bound<'_, PyAny>,
        path: PathBuf,
        algorithm: &Bound<'_, PyAny>,
        signature: &Bound<'_, PyAny>,
        kind: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let alg = signature_algorithm(py, algorithm)?;
            let sig = self::payload(signature, "signature")?;
            let kind = payload_kind(py, kind)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.verify_file(&label, &path, kind, &alg, &sig).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Submit a sign request that waits for the key's approvals (key-operation role) and return
    /// its request id, for wait_request(). `metadata` (a dict) is shown to the approvers
    /// (default {"app": "signbridge", "type": "Sign"}); `payload_type` is the TSB's
    /// ("UNSPECIFIED" by default, "PDF", "ISO_20022"...).
    #[pyo3(signature = (label, payload, algorithm, *, kind = None, metadata = None,
        payload_type = None))]
    #[allow(clippy::too_many_arguments)]
    fn sign(
        &self,
        py: Python<'_>,
        label: &Bound<'_, PyAny>,
        payload: &Bound<'_, PyAny>,
        algorithm: &Bound<'_, PyAny>,
        kind: Option<&Bound<'_, PyAny>>,
        metadata: Option<&Bound<'_, PyAny>>,
        payload_type: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let data = self::payload(payload, "payload")?;
            let alg = signature_algorithm(py, algorithm)?;
            let kind = payload_kind(py, kind)?;
            let options = sign_options(metadata, payload_type)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.sign(&label, &data, kind, &alg, &options).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// sign() over the contents of a file (str or os.PathLike).
    #[pyo3(signature = (label, path, algorithm, *, kind = None, metadata = None,
        payload_type = None))]
    #[allow(clippy::too_many_arguments)]
    fn sign_file(
        &self,
        py: Python<'_>,
        label: &Bound<'_, PyAny>,
        path: PathBuf,
        algorithm: &Bound<'_, PyAny>,
        kind: Option<&Bound<'_, PyAny>>,
        metadata: Option<&Bound<'_, PyAny>>,
        payload_type: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let alg = signature_algorithm(py, algorithm)?;
            let kind = payload_kind(py, kind)?;
            let options = sign_options(metadata, payload_type)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.sign_file(&label, &path, kind, &alg, &options).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// The state of an asynchronous request (key-operation role).
    fn request_status(&self, py: Python<'_>, request_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::request_id(request_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.request_status(&id).await },
                move |py, inner| PyRequestStatus { inner }.into_py_any(py),
            )
        })
    }

    /// Cancel a pending request (key-operation role).
    fn cancel_request(&self, py: Python<'_>, request_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::request_id(request_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.cancel_request(&id).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Poll a request until it is final and return its result (the signature of a sign
    /// request). A rejected request raises SessionRejected, an expired one SessionExpired, a
    /// failed one SigningFailed, a cancelled one SessionCancelled. `interval` and `timeout` are
    /// seconds (timeout None waits until a final state; reaching it raises TimedOut);
    /// `on_progress` is called with each RequestStatus polled; an exception it raises ends the
    /// wait and propagates. Ctrl-C ends the wait within a fraction of a second.
    #[pyo3(signature = (request_id, *, interval = 2.0, timeout = None, on_progress = None))]
    fn wait_request<'py>(
        &self,
        py: Python<'py>,
        request_id: &Bound<'py, PyAny>,
        interval: f64,
        timeout: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::request_id(request_id)?;
            let progress = Progress::new(
                py,
                &self.client,
                interval,
                timeout,
                on_progress,
                |s: &RequestStatus| PyRequestStatus { inner: s.clone() },
            )?;
            let opts = progress.opts.clone();
            let api = self.api(py)?;
            let watch = progress.watch.clone();
            aio::finish(
                py,
                &self.client,
                async move {
                    let result = async move { api.wait_request(&id, &opts).await }.await;
                    watch.finish(result.map_err(aio::Fail::from))
                },
                move |py, result| {
                    let out: PyResult<_> = {
                        let sig = result;
                        Ok(PyBytes::new(py, &sig))
                    };
                    out?.into_py_any(py)
                },
            )
        })
    }

    /// The pending tasks of `approver` (an ApproverKey; approver role), the first `page_size`
    /// of them, oldest first. `kind` is a TaskKind (default SIGN).
    #[pyo3(signature = (approver, *, kind = None, page_size = 25))]
    fn list_approval_tasks(
        &self,
        py: Python<'_>,
        approver: &Bound<'_, PyAny>,
        kind: Option<&Bound<'_, PyAny>>,
        page_size: i64,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let who = self::approver(approver)?;
            let kind = task_kind(py, kind)?;
            let page_size = u32::try_from(page_size).map_err(|_| {
                PyValueError::new_err(format!(
                    "page_size must be a positive number, got {page_size}"
                ))
            })?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.list_approval_tasks(who.as_ref(), kind, page_size).await },
                move |py, tasks| {
                    let out: PyResult<_> = {
                        Ok(tasks
                            .into_iter()
                            .map(|inner| PyApprovalTask { inner })
                            .collect::<Vec<_>>())
                    };
                    out?.into_py_any(py)
                },
            )
        })
    }

    /// Approve `task` (an ApprovalTask from list_approval_tasks()) as `approver` (approver
    /// role).
    fn approve(
        &self,
        py: Python<'_>,
        approver: &Bound<'_, PyAny>,
        task: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let who = self::approver(approver)?;
            let task = match task.cast::<PyApprovalTask>() {
                Ok(t) => t.get().inner.clone(),
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "task must be an ApprovalTask from list_approval_tasks(), not {}",
                        task.get_type().name()?
                    )))
                }
            };
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.approve(who.as_ref(), &task).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Reject `task` (an ApprovalTask or its id) as `approver` (approver role). The request
    /// becomes REJECTED once the rejections leave its quorum unreachable.
    fn reject(
        &self,
        py: Python<'_>,
        approver: &Bound<'_, PyAny>,
        task: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let who = self::approver(approver)?;
            let id = task_id(task)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.reject(who.as_ref(), &id).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// A self-signed X.509 certificate for key `label`, made and signed by the HSM now
    /// (key-management role by default, see securosys.certificate_role). `algorithm` matches the
    /// key (KeySpec.X.default_signature_algorithm; not a NONE..., PSS or deterministic one);
    /// `key_usage` (default [KeyUsage.DIGITAL_SIGNATURE]) and `extended_key_usage` are lists of
    /// KeyUsage / ExtendedKeyUsage; `certificate_authority=True` makes a CA certificate (adding
    /// KEY_CERT_SIGN and CRL_SIGN when key_usage is not given). Bad values raise InvalidInput
    /// before anything is sent; keys with an approval policy need
    /// request_self_signed_certificate().
    #[pyo3(signature = (label, common_name, algorithm, *, validity_days = 365, key_usage = None,
        extended_key_usage = None, certificate_authority = false))]
    #[allow(clippy::too_many_arguments)]
    fn self_signed_certificate(
        &self,
        py: Python<'_>,
        label: &Bound<'_, PyAny>,
        common_name: &Bound<'_, PyAny>,
        algorithm: &Bound<'_, PyAny>,
        validity_days: i64,
        key_usage: Option<&Bound<'_, PyAny>>,
        extended_key_usage: Option<&Bound<'_, PyAny>>,
        certificate_authority: bool,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let req = certificate_request(
                py,
                common_name,
                algorithm,
                validity_days,
                key_usage,
                extended_key_usage,
                certificate_authority,
            )?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.self_signed_certificate(&label, &req).await },
                move |py, inner| PyCertificate { inner }.into_py_any(py),
            )
        })
    }

    /// A PKCS#10 certificate signing request for key `label`, made and signed by the HSM now.
    /// `subject` is a DistinguishedName (or just a common name); the other arguments are those
    /// of self_signed_certificate().
    #[pyo3(signature = (label, subject, algorithm, *, validity_days = 365, key_usage = None,
        extended_key_usage = None))]
    #[allow(clippy::too_many_arguments)]
    fn certificate_signing_request(
        &self,
        py: Python<'_>,
        label: &Bound<'_, PyAny>,
        subject: &Bound<'_, PyAny>,
        algorithm: &Bound<'_, PyAny>,
        validity_days: i64,
        key_usage: Option<&Bound<'_, PyAny>>,
        extended_key_usage: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let req = csr_request(
                py,
                subject,
                algorithm,
                validity_days,
                key_usage,
                extended_key_usage,
            )?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.certificate_signing_request(&label, &req).await },
                move |py, inner| PyCsr { inner }.into_py_any(py),
            )
        })
    }

    /// self_signed_certificate() for a key with an approval policy: submits the request and
    /// returns its id, for wait_certificate(). `metadata` (a dict) is shown to the approvers.
    #[pyo3(signature = (label, common_name, algorithm, *, validity_days = 365, key_usage = None,
        extended_key_usage = None, certificate_authority = false, metadata = None))]
    #[allow(clippy::too_many_arguments)]
    fn request_self_signed_certificate(
        &self,
        py: Python<'_>,
        label: &Bound<'_, PyAny>,
        common_name: &Bound<'_, PyAny>,
        algorithm: &Bound<'_, PyAny>,
        validity_days: i64,
        key_usage: Option<&Bound<'_, PyAny>>,
        extended_key_usage: Option<&Bound<'_, PyAny>>,
        certificate_authority: bool,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let req = certificate_request(
                py,
                common_name,
                algorithm,
                validity_days,
                key_usage,
                extended_key_usage,
                certificate_authority,
            )?;
            let options = sign_options(metadata, None)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move {
                    api.request_self_signed_certificate(&label, &req, &options)
                        .await
                },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// certificate_signing_request() for a key with an approval policy: submits the request and
    /// returns its id, for wait_certificate_signing_request().
    #[pyo3(signature = (label, subject, algorithm, *, validity_days = 365, key_usage = None,
        extended_key_usage = None, metadata = None))]
    #[allow(clippy::too_many_arguments)]
    fn request_certificate_signing_request(
        &self,
        py: Python<'_>,
        label: &Bound<'_, PyAny>,
        subject: &Bound<'_, PyAny>,
        algorithm: &Bound<'_, PyAny>,
        validity_days: i64,
        key_usage: Option<&Bound<'_, PyAny>>,
        extended_key_usage: Option<&Bound<'_, PyAny>>,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let label = self::label(label)?;
            let req = csr_request(
                py,
                subject,
                algorithm,
                validity_days,
                key_usage,
                extended_key_usage,
            )?;
            let options = sign_options(metadata, None)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move {
                    api.request_certificate_signing_request(&label, &req, &options)
                        .await
                },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// wait_request() for request_self_signed_certificate(): the Certificate once approved (the
    /// same errors and arguments as wait_request()).
    #[pyo3(signature = (request_id, *, interval = 2.0, timeout = None, on_progress = None))]
    fn wait_certificate(
        &self,
        py: Python<'_>,
        request_id: &Bound<'_, PyAny>,
        interval: f64,
        timeout: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::request_id(request_id)?;
            let progress = Progress::new(
                py,
                &self.client,
                interval,
                timeout,
                on_progress,
                |s: &RequestStatus| PyRequestStatus { inner: s.clone() },
            )?;
            let opts = progress.opts.clone();
            let api = self.api(py)?;
            let watch = progress.watch.clone();
            aio::finish(
                py,
                &self.client,
                async move {
                    let result = async move { api.wait_certificate(&id, &opts).await }.await;
                    watch.finish(result.map_err(aio::Fail::from))
                },
                move |py, result| PyCertificate { inner: result }.into_py_any(py),
            )
        })
    }

    /// wait_request() for request_certificate_signing_request(): the Csr once approved.
    #[pyo3(signature = (request_id, *, interval = 2.0, timeout = None, on_progress = None))]
    fn wait_certificate_signing_request(
        &self,
        py: Python<'_>,
        request_id: &Bound<'_, PyAny>,
        interval: f64,
        timeout: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::request_id(request_id)?;
            let progress = Progress::new(
                py,
                &self.client,
                interval,
                timeout,
                on_progress,
                |s: &RequestStatus| PyRequestStatus { inner: s.clone() },
            )?;
            let opts = progress.opts.clone();
            let api = self.api(py)?;
            let watch = progress.watch.clone();
            aio::finish(
                py,
                &self.client,
                async move {
                    let result =
                        async move { api.wait_certificate_signing_request(&id, &opts).await }.await;
                    watch.finish(result.map_err(aio::Fail::from))
                },
                move |py, result| PyCsr { inner: result }.into_py_any(py),
            )
        })
    }

    /// The TSB base URL in use.
    #[getter]
    fn base_url(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.api(py)?.base_url().to_string())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.api(py) {
            Ok(api) => format!("Securosys(base_url={:?})", api.base_url()),
            Err(_) => "Securosys(closed)".to_string(),
        }
    }
}

fn sign_options(
    metadata: Option<&Bound<'_, PyAny>>,
    payload_type: Option<String>,
) -> PyResult<SignOptions> {
    let metadata = match metadata.filter(|m| !m.is_none()) {
        None => None,
        Some(m) if m.is_instance_of::<PyDict>() => Some(convert::to_json(m, "metadata")?),
        Some(m) => {
            return Err(PyTypeError::new_err(format!(
                "metadata must be a dict, not {}",
                m.get_type().name()?
            )))
        }
    };
    Ok(SignOptions {
        metadata,
        payload_type,
    })
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
    m.add_class::<PySecurosys>()?;
    m.add_class::<PyVersionInfo>()?;
    m.add_class::<PyLicenseInfo>()?;
    m.add_class::<PyKeyAttributes>()?;
    m.add_class::<PyPolicy>()?;
    m.add_class::<PyKeyInfo>()?;
    m.add_class::<PyRequestStatus>()?;
    m.add_class::<PyApproverKey>()?;
    m.add_class::<PyApprovalTask>()?;
    Ok(())
}
