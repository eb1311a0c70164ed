//! OneSpan Sign specifics: `Onespan` (from `Client.onespan()`): packages, signing URLs, audit,
//! downloads (signed document, original, ZIP, evidence summary), listing as a Python iterator,
//! trash/restore/archive/delete, callback registration; `CallbackVerifier` for an incoming
//! callback; and the result objects and `str` enums, all from the core's types.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::aio;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyByteArray, PyBytes, PyDict, PyList, PyMemoryView, PyString, PyTuple, PyType};
use signbridge::providers::onespan::{
    parse_callback_event, Approval, AuditEvent, Callback, CallbackEvent, CallbackEventName,
    CallbackVerifier, Document, DocumentSpec, Download, DownloadKind, ListQuery, NewPackage,
    OnespanClient, Package, PackagePager, PackageStatus, PackageUpdate, Role, SignerInfo,
    SigningStatus, SortDirection,
};

use crate::client::PyClient;
use crate::convert;
use crate::errors;
use crate::progress::Progress;
use crate::run::{boundary, run};
use crate::securosys::str_enum;
use crate::types::{opt_repr, status_to_py};

// ---- enums ----------------------------------------------------------------------------------

/// The named variants of an open enum of the core, with a match that makes a new variant a
/// compile error here.
macro_rules! variants {
    ($t:ident: $($v:ident),+ $(,)?) => {{
        let all = [$($t::$v),+];
        for x in &all {
            match x {
                $($t::$v)|+ | $t::Other(_) => {}
            }
        }
        all.to_vec()
    }};
}

/// The value of the `OTHER` member of the open enums: a value this version does not know.
const OTHER: &str = "OTHER";

static PACKAGE_STATUS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static SIGNING_STATUS: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static EVENT_NAME: PyOnceLock<Py<PyType>> = PyOnceLock::new();

fn open_enum(py: Python<'_>, name: &str, values: Vec<String>, doc: &str) -> PyResult<Py<PyType>> {
    let mut members: Vec<(String, String)> = values.into_iter().map(|v| (v.clone(), v)).collect();
    members.push((OTHER.to_string(), OTHER.to_string()));
    str_enum(py, name, &members, doc)
}

fn package_status_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    PACKAGE_STATUS
        .get_or_try_init(py, || {
            let all: Vec<PackageStatus> = variants!(PackageStatus:
                Draft, Sent, Completed, Archived, Declined, OptedOut, Expired);
            open_enum(
                py,
                "PackageStatus",
                all.iter().map(|s| s.as_str().to_string()).collect(),
                "The status of a OneSpan transaction (package). OTHER is a status this version \
                 does not know; Package.status_text has OneSpan's spelling.",
            )
        })
        .map(|t| t.bind(py))
}

fn signing_status_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    SIGNING_STATUS
        .get_or_try_init(py, || {
            let all: Vec<SigningStatus> = variants!(SigningStatus:
                Draft, Completed, Archived, Declined, OptedOut, Expired, Canceled,
                SigningPending, SigningCompleted, Deleted);
            open_enum(
                py,
                "PackageSigningStatus",
                all.iter().map(|s| s.as_str().to_string()).collect(),
                "OneSpan's signing status of a package, or of one signer or document of it \
                 (Onespan.signing_status()). OTHER is a value this version does not know.",
            )
        })
        .map(|t| t.bind(py))
}

fn event_name_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    EVENT_NAME
        .get_or_try_init(py, || {
            let all: Vec<CallbackEventName> = variants!(CallbackEventName:
                PackageCreate, PackageActivate, PackageDeactivate, PackageReadyForComplete,
                PackageComplete, PackageExpire, PackageOptOut, PackageDecline, PackageTrash,
                PackageRestore, PackageDelete, PackageArchive, PackageAttachment, SignerComplete,
                SignerLocked, DocumentSigned, DocumentViewed, RoleReassign, KbaFailure,
                EmailBounce, TemplateCreate);
            open_enum(
                py,
                "CallbackEventName",
                all.iter().map(|s| s.as_str().to_string()).collect(),
                "A OneSpan callback event. Where one is expected, any str works too; OTHER \
                 (in a CallbackEvent) is an event this version does not know (see name_text).",
            )
        })
        .map(|t| t.bind(py))
}

/// A member of an open enum for `text`, `OTHER` when `known` is false.
fn open_to_py<'py>(
    cls: &Bound<'py, PyType>,
    known: bool,
    text: &str,
) -> PyResult<Bound<'py, PyAny>> {
    cls.call1((if known { text } else { OTHER },))
}

fn package_status_to_py<'py>(py: Python<'py>, s: &PackageStatus) -> PyResult<Bound<'py, PyAny>> {
    open_to_py(
        package_status_enum(py)?,
        !matches!(s, PackageStatus::Other(_)),
        s.as_str(),
    )
}

/// A value of an open enum given as a member or any str (sent as given).
fn open_value(cls: &Bound<'_, PyType>, obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if obj.is_instance(cls)? {
        let v: String = obj.getattr("value")?.extract()?;
        if v == OTHER {
            return Err(PyValueError::new_err(format!(
                "{what} cannot be {}.OTHER: give the value itself as a str",
                cls.name()?
            )));
        }
        return Ok(v);
    }
    convert::text(obj, what).map_err(|_| {
        PyTypeError::new_err(format!(
            "{what} must be a signbridge.{} or str, not {}",
            cls.name().map(|n| n.to_string()).unwrap_or_default(),
            obj.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })
}

// ---- result objects -------------------------------------------------------------------------

/// A signer of a role, as OneSpan returns it.
#[pyclass(module = "signbridge", name = "PackageSigner", frozen)]
pub struct PyPackageSigner {
    inner: SignerInfo,
}

#[pymethods]
impl PyPackageSigner {
    /// The signer id.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }
    /// The e-mail address.
    #[getter]
    fn email(&self) -> &str {
        &self.inner.email
    }
    /// First name.
    #[getter]
    fn first_name(&self) -> Option<&str> {
        self.inner.first_name.as_deref()
    }
    /// Last name.
    #[getter]
    fn last_name(&self) -> Option<&str> {
        self.inner.last_name.as_deref()
    }
    /// Company.
    #[getter]
    fn company(&self) -> Option<&str> {
        self.inner.company.as_deref()
    }
    /// Title.
    #[getter]
    fn title(&self) -> Option<&str> {
        self.inner.title.as_deref()
    }
    fn __repr__(&self) -> String {
        format!("PackageSigner(id={})", opt_repr(&self.inner.id))
    }
}

/// A role of a package: a signing slot filled by one signer.
#[pyclass(module = "signbridge", name = "PackageRole", frozen)]
pub struct PyPackageRole {
    inner: Role,
}

#[pymethods]
impl PyPackageRole {
    /// The role id (the SessionSigner id for sessions started with Client.signing()).
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// The role name.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }
    /// The signing order.
    #[getter]
    fn index(&self) -> Option<i64> {
        self.inner.index
    }
    /// "SIGNER" or "SENDER".
    #[getter]
    fn kind(&self) -> Option<&str> {
        self.inner.kind.as_deref()
    }
    /// Whether the signer is locked out.
    #[getter]
    fn locked(&self) -> Option<bool> {
        self.inner.locked
    }
    /// The signer(s).
    #[getter]
    fn signers(&self) -> Vec<PyPackageSigner> {
        self.inner
            .signers
            .iter()
            .map(|s| PyPackageSigner { inner: s.clone() })
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "PackageRole(id={:?}, index={:?})",
            self.inner.id, self.inner.index
        )
    }
}

/// One role's approval (signature) on a document.
#[pyclass(module = "signbridge", name = "DocumentApproval", frozen)]
pub struct PyDocumentApproval {
    inner: Approval,
}

#[pymethods]
impl PyDocumentApproval {
    /// The approval id.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }
    /// The role that signs.
    #[getter]
    fn role(&self) -> &str {
        &self.inner.role
    }
    /// When it was signed (None until then).
    #[getter]
    fn signed(&self) -> Option<&str> {
        self.inner.signed.as_deref()
    }
    /// When it was accepted.
    #[getter]
    fn accepted(&self) -> Option<&str> {
        self.inner.accepted.as_deref()
    }
    /// Whether the signature is optional.
    #[getter]
    fn optional(&self) -> Option<bool> {
        self.inner.optional
    }
    fn __repr__(&self) -> String {
        format!(
            "DocumentApproval(role={:?}, signed={})",
            self.inner.role,
            opt_repr(&self.inner.signed)
        )
    }
}

/// A document of a package.
#[pyclass(module = "signbridge", name = "PackageDocument", frozen)]
pub struct PyPackageDocument {
    inner: Document,
}

#[pymethods]
impl PyPackageDocument {
    /// The document id (for DownloadKind.document() / original()).
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// The name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// The description.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }
    /// The position in the package.
    #[getter]
    fn index(&self) -> Option<i64> {
        self.inner.index
    }
    /// The approvals (signatures) on it.
    #[getter]
    fn approvals(&self) -> Vec<PyDocumentApproval> {
        self.inner
            .approvals
            .iter()
            .map(|a| PyDocumentApproval { inner: a.clone() })
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "PackageDocument(id={:?}, name={:?})",
            self.inner.id, self.inner.name
        )
    }
}

/// A OneSpan transaction ("package"). The typed attributes cover what is commonly needed;
/// to_dict() has everything OneSpan returned that the core models.
#[pyclass(module = "signbridge", name = "Package", frozen)]
pub struct PyPackage {
    inner: Package,
}

#[pymethods]
impl PyPackage {
    /// The package id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// The name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// The description.
    #[getter]
    fn description(&self) -> Option<&str> {
        self.inner.description.as_deref()
    }
    /// The status.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        package_status_to_py(py, &self.inner.status)
    }
    /// The status as OneSpan spelled it.
    #[getter]
    fn status_text(&self) -> &str {
        self.inner.status.as_str()
    }
    /// The provider-neutral status (SessionStatus).
    #[getter]
    fn session_status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        status_to_py(py, &self.inner.status.session_status())
    }
    /// Whether signing can no longer change the status.
    #[getter]
    fn is_terminal(&self) -> bool {
        self.inner.status.is_terminal()
    }
    /// Whether it is in the trash.
    #[getter]
    fn trashed(&self) -> bool {
        self.inner.trashed
    }
    /// The expiry date (UTC).
    #[getter]
    fn due(&self) -> Option<&str> {
        self.inner.due.as_deref()
    }
    /// When it was created.
    #[getter]
    fn created(&self) -> Option<&str> {
        self.inner.created.as_deref()
    }
    /// When it was last updated.
    #[getter]
    fn updated(&self) -> Option<&str> {
        self.inner.updated.as_deref()
    }
    /// The language.
    #[getter]
    fn language(&self) -> Option<&str> {
        self.inner.language.as_deref()
    }
    /// The invitation message.
    #[getter]
    fn email_message(&self) -> Option<&str> {
        self.inner.email_message.as_deref()
    }
    /// Whether it completes itself when every signer is done.
    #[getter]
    fn autocomplete(&self) -> Option<bool> {
        self.inner.autocomplete
    }
    /// The roles (signers), in signing order.
    #[getter]
    fn roles(&self) -> Vec<PyPackageRole> {
        self.inner
            .roles
            .iter()
            .map(|r| PyPackageRole { inner: r.clone() })
            .collect()
    }
    /// The documents.
    #[getter]
    fn documents(&self) -> Vec<PyPackageDocument> {
        self.inner
            .documents
            .iter()
            .map(|d| PyPackageDocument { inner: d.clone() })
            .collect()
    }
    /// The latest message (a signer's decline or opt-out reason), if any.
    #[getter]
    fn last_message(&self) -> Option<&str> {
        self.inner.last_message()
    }
    /// The whole package as a new dict (OneSpan's camelCase field names).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let v = serde_json::to_value(&self.inner).map_err(|e| {
            errors::new_err(py, signbridge::ErrorCode::Internal, format!("package: {e}"))
        })?;
        convert::json_to_py(py, &v)
    }
    fn __repr__(&self) -> String {
        format!(
            "Package(id={:?}, name={:?}, status={:?})",
            self.inner.id,
            self.inner.name,
            self.inner.status.as_str()
        )
    }
}

/// One event of a package's audit trail.
#[pyclass(module = "signbridge", name = "AuditEvent", frozen)]
pub struct PyAuditEvent {
    inner: AuditEvent,
}

#[pymethods]
impl PyAuditEvent {
    /// What happened ("Sign", "Decline", "View"...).
    #[getter]
    fn kind(&self) -> &str {
        &self.inner.kind
    }
    /// When.
    #[getter]
    fn date_time(&self) -> Option<&str> {
        self.inner.date_time.as_deref()
    }
    /// What it happened to (a document or package name).
    #[getter]
    fn target(&self) -> Option<&str> {
        self.inner.target.as_deref()
    }
    /// The kind of target.
    #[getter]
    fn target_type(&self) -> Option<&str> {
        self.inner.target_type.as_deref()
    }
    /// Who (name).
    #[getter]
    fn user(&self) -> Option<&str> {
        self.inner.user.as_deref()
    }
    /// Who (e-mail).
    #[getter]
    fn user_email(&self) -> Option<&str> {
        self.inner.user_email.as_deref()
    }
    /// From which IP address.
    #[getter]
    fn user_ip(&self) -> Option<&str> {
        self.inner.user_ip.as_deref()
    }
    /// Details (e.g. a decline reason).
    #[getter]
    fn data(&self) -> Option<&str> {
        self.inner.data.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "AuditEvent(kind={:?}, date_time={})",
            self.inner.kind,
            opt_repr(&self.inner.date_time)
        )
    }
}

/// What to download from a package: DownloadKind.document(id) (as it is now, signed once
/// signing is done), DownloadKind.original(id) (as uploaded), DownloadKind.zip() (every
/// document) or DownloadKind.evidence_summary() (the audit report PDF).
#[pyclass(module = "signbridge", name = "DownloadKind", frozen, eq)]
#[derive(Clone, PartialEq, Eq)]
pub struct PyDownloadKind {
    inner: DownloadKind,
}

#[pymethods]
impl PyDownloadKind {
    /// A document as it is now (signed once signing is done), checked to be a PDF.
    #[staticmethod]
    fn document(document_id: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyDownloadKind {
            inner: DownloadKind::Document(convert::text(document_id, "document_id")?),
        })
    }
    /// A document as it was uploaded, checked to be a PDF.
    #[staticmethod]
    fn original(document_id: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyDownloadKind {
            inner: DownloadKind::Original(convert::text(document_id, "document_id")?),
        })
    }
    /// Every document in one ZIP, checked to be a ZIP.
    #[staticmethod]
    fn zip() -> Self {
        PyDownloadKind {
            inner: DownloadKind::Zip,
        }
    }
    /// The evidence summary (audit report) PDF.
    #[staticmethod]
    fn evidence_summary() -> Self {
        PyDownloadKind {
            inner: DownloadKind::EvidenceSummary,
        }
    }
    fn __repr__(&self) -> String {
        match &self.inner {
            DownloadKind::Document(d) => format!("DownloadKind.document({d:?})"),
            DownloadKind::Original(d) => format!("DownloadKind.original({d:?})"),
            DownloadKind::Zip => "DownloadKind.zip()".to_string(),
            DownloadKind::EvidenceSummary => "DownloadKind.evidence_summary()".to_string(),
        }
    }
}

fn download_kind(obj: &Bound<'_, PyAny>) -> PyResult<DownloadKind> {
    match obj.cast::<PyDownloadKind>() {
        Ok(k) => Ok(k.get().inner.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "kind must be a signbridge.DownloadKind (e.g. DownloadKind.zip()), not {}",
            obj.get_type().name()?
        ))),
    }
}

/// A downloaded file.
#[pyclass(module = "signbridge", name = "Download", frozen)]
pub struct PyDownload {
    inner: Download,
}

#[pymethods]
impl PyDownload {
    /// The file name OneSpan suggested, made safe to use in a directory; None without one.
    #[getter]
    fn file_name(&self) -> Option<&str> {
        self.inner.file_name.as_deref()
    }
    /// The content.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.data)
    }
    fn __len__(&self) -> usize {
        self.inner.data.len()
    }
    fn __repr__(&self) -> String {
        format!(
            "Download(file_name={}, size={})",
            opt_repr(&self.inner.file_name),
            self.inner.data.len()
        )
    }
}

/// The account's registered callback. The key is never shown.
#[pyclass(module = "signbridge", name = "CallbackRegistration", frozen)]
pub struct PyCallbackRegistration {
    inner: Callback,
}

#[pymethods]
impl PyCallbackRegistration {
    /// Where events are posted.
    #[getter]
    fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }
    /// The events that are posted (CallbackEventName members; str for unknown ones).
    #[getter]
    fn events<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyAny>>> {
        self.inner
            .events
            .iter()
            .map(|e| event_to_py(py, e))
            .collect()
    }
    /// Whether OneSpan returned the key (it is never shown).
    #[getter]
    fn has_key(&self) -> bool {
        self.inner.key.is_some()
    }
    fn __repr__(&self) -> String {
        format!(
            "CallbackRegistration(url={}, events={}, key={})",
            opt_repr(&self.inner.url),
            self.inner.events.len(),
            if self.inner.key.is_some() {
                "'[REDACTED]'"
            } else {
                "None"
            }
        )
    }
}

fn event_to_py<'py>(py: Python<'py>, e: &CallbackEventName) -> PyResult<Bound<'py, PyAny>> {
    match e {
        CallbackEventName::Other(s) => Ok(PyString::new(py, s).into_any()),
        known => event_name_enum(py)?.call1((known.as_str(),)),
    }
}

/// An authenticated callback delivery. Events carry ids only: fetch the package to act on one.
#[pyclass(module = "signbridge", name = "CallbackEvent", frozen)]
pub struct PyCallbackEvent {
    inner: CallbackEvent,
}

#[pymethods]
impl PyCallbackEvent {
    /// What happened (CallbackEventName.OTHER for an event this version does not know).
    #[getter]
    fn name<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        open_to_py(
            event_name_enum(py)?,
            !matches!(self.inner.name, CallbackEventName::Other(_)),
            self.inner.name.as_str(),
        )
    }
    /// The event name as OneSpan spelled it.
    #[getter]
    fn name_text(&self) -> &str {
        self.inner.name.as_str()
    }
    /// The package it happened to.
    #[getter]
    fn package_id(&self) -> Option<&str> {
        self.inner.package_id.as_deref()
    }
    /// The sender id (sender events) or signer id (signer events).
    #[getter]
    fn session_user(&self) -> Option<&str> {
        self.inner.session_user.as_deref()
    }
    /// The decline or opt-out reason, when there is one.
    #[getter]
    fn message(&self) -> Option<&str> {
        self.inner.message.as_deref()
    }
    /// The document, for document events.
    #[getter]
    fn document_id(&self) -> Option<&str> {
        self.inner.document_id.as_deref()
    }
    /// When (ISO 8601, UTC), as OneSpan wrote it.
    #[getter]
    fn created_date(&self) -> Option<&str> {
        self.inner.created_date.as_deref()
    }
    /// The whole payload, as a new dict.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::json_to_py(py, &self.inner.raw)
    }
    fn __repr__(&self) -> String {
        format!(
            "CallbackEvent(name={:?}, package_id={})",
            self.inner.name.as_str(),
            opt_repr(&self.inner.package_id)
        )
    }
}

fn body_bytes(body: &Bound<'_, PyAny>) -> PyResult<bytes::Bytes> {
    if body.cast::<PyString>().is_ok() {
        return Err(PyTypeError::new_err(
            "body must be the raw request body as bytes (e.g. Flask's request.get_data(), \
             FastAPI's await request.body()), not str",
        ));
    }
    convert::to_bytes(body, "body")
}

/// Authenticates and parses OneSpan callback deliveries: verify(authorization, body) checks the
/// "Authorization: Basic <key>" header against any of `keys` (in constant time; give the old and
/// the new key during a rotation), then parses the raw body. Raises WebhookInvalid (answer 401)
/// for a missing or wrong key, TransportError (SB_ERR_PROTOCOL, answer 400) for a body that is
/// not an event. Thread-safe; never shows its keys.
#[pyclass(module = "signbridge", name = "CallbackVerifier", frozen)]
pub struct PyCallbackVerifier {
    inner: CallbackVerifier,
    count: usize,
}

#[pymethods]
impl PyCallbackVerifier {
    /// A verifier accepting any of `keys` (a list of str: the callback key registered with
    /// Onespan.register_callback()).
    #[new]
    fn new(keys: &Bound<'_, PyAny>) -> PyResult<Self> {
        if keys.cast::<PyString>().is_ok()
            || keys.cast::<PyBytes>().is_ok()
            || keys.cast::<PyByteArray>().is_ok()
        {
            return Err(PyTypeError::new_err(
                "keys must be a list of str (e.g. [key]), not a single value",
            ));
        }
        let list = convert::text_list(Some(keys), "keys")?;
        let mut it = list.into_iter();
        let Some(first) = it.next() else {
            return Err(PyValueError::new_err(
                "keys is empty: give the callback key registered with OneSpan",
            ));
        };
        let mut inner = CallbackVerifier::new(first);
        let mut count = 1;
        for k in it {
            inner = inner.with_key(k);
            count += 1;
        }
        Ok(PyCallbackVerifier { inner, count })
    }

    /// Check a delivery's Authorization header value (None when the request had none) and
    /// parse its raw body (bytes, bytearray or memoryview, exactly as received).
    fn verify(
        &self,
        py: Python<'_>,
        authorization: Option<&Bound<'_, PyAny>>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<PyCallbackEvent> {
        boundary(py, || {
            let header = authorization
                .filter(|a| !a.is_none())
                .map(|a| convert::text(a, "authorization"))
                .transpose()?;
            let body = body_bytes(body)?;
            let inner = py
                .detach(|| self.inner.verify(header.as_deref(), &body))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyCallbackEvent { inner })
        })
    }

    fn __repr__(&self) -> String {
        format!("CallbackVerifier(keys=[{} redacted])", self.count)
    }
}

/// Parse a callback body that was authenticated otherwise (e.g. by your own middleware); use
/// CallbackVerifier for the "Basic <key>" scheme. Raises TransportError (SB_ERR_PROTOCOL) when
/// it is not a OneSpan event.
#[pyfunction]
fn parse_callback(py: Python<'_>, body: &Bound<'_, PyAny>) -> PyResult<PyCallbackEvent> {
    boundary(py, || {
        let body = body_bytes(body)?;
        let inner = parse_callback_event(&body).map_err(|e| errors::to_py(py, &e))?;
        Ok(PyCallbackEvent { inner })
    })
}

// ---- listing --------------------------------------------------------------------------------

struct Listing {
    pager: Option<PackagePager>,
    buffer: VecDeque<Package>,
    total: Option<u64>,
    busy: bool,
}

/// The packages of a listing (Onespan.list()), a Python iterator: pages are fetched lazily,
/// one request each, with the GIL released. `total` is the number of matching packages, known
/// after the first page.
#[pyclass(module = "signbridge", name = "PackageIterator", frozen)]
pub struct PyPackageIterator {
    state: Arc<Mutex<Listing>>,
}

/// Takes the next package of a listing from its buffer, or the pager to fetch the next page
/// with (marking the listing busy), or None at the end.
enum Next {
    Buffered(Box<Package>),
    Fetch(PackagePager),
    End,
}

impl Listing {
    fn next(&mut self) -> PyResult<Next> {
        if let Some(p) = self.buffer.pop_front() {
            return Ok(Next::Buffered(Box::new(p)));
        }
        if self.busy {
            return Err(PyValueError::new_err(
                "this PackageIterator is already fetching a page (in another thread or task)",
            ));
        }
        Ok(match self.pager.take() {
            Some(p) => {
                self.busy = true;
                Next::Fetch(p)
            }
            None => Next::End,
        })
    }

    /// Takes a fetched page (or the error fetching it) back; the next package, if any.
    fn fetched(
        &mut self,
        pager: PackagePager,
        result: signbridge::Result<Option<signbridge::providers::onespan::Page>>,
    ) -> signbridge::Result<Option<Package>> {
        self.busy = false;
        self.total = pager.total();
        match result {
            Ok(Some(page)) => {
                self.buffer.extend(page.packages);
                self.pager = Some(pager);
                Ok(self.buffer.pop_front())
            }
            Ok(None) => Ok(None),
            Err(e) => {
                // The same page is asked for again on the next call.
                self.pager = Some(pager);
                Err(e)
            }
        }
    }
}

#[pymethods]
impl PyPackageIterator {
    fn __iter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<PyPackage>> {
        boundary(py, || {
            let step = self
                .state
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .next()?;
            let mut pager = match step {
                Next::Buffered(p) => return Ok(Some(PyPackage { inner: *p })),
                Next::End => return Ok(None),
                Next::Fetch(p) => p,
            };
            let result = run(py, async { Ok::<_, aio::Fail>(pager.next_page().await) })?;
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            let next = st
                .fetched(pager, result)
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(next.map(|inner| PyPackage { inner }))
        })
    }

    fn __aiter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    /// The next package, awaited (`async for package in onespan.list(...)`): pages are fetched
    /// on the shared runtime without blocking the event loop.
    fn __anext__(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let state = self.state.clone();
            let step = state.lock().unwrap_or_else(|p| p.into_inner()).next()?;
            let fut = async move {
                let mut pager = match step {
                    Next::Buffered(p) => return Ok(Some(*p)),
                    Next::End => return Ok(None),
                    Next::Fetch(p) => p,
                };
                let result = pager.next_page().await;
                let mut st = state.lock().unwrap_or_else(|p| p.into_inner());
                st.fetched(pager, result)
            };
            aio::awaitable(py, fut, |py, next: Option<Package>| match next {
                Some(inner) => PyPackage { inner }.into_py_any(py),
                None => Err(pyo3::exceptions::PyStopAsyncIteration::new_err(())),
            })
        })
    }

    /// The number of matching packages, once the first page was fetched.
    #[getter]
    fn total(&self) -> Option<u64> {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).total
    }

    fn __repr__(&self) -> String {
        let st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        format!("PackageIterator(total={:?})", st.total)
    }
}

// ---- requests -------------------------------------------------------------------------------

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_default()
}

/// A request dict (`what` names it in errors) as a new dict, refusing other types.
fn request_dict<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyDict>> {
    if let Ok(d) = obj.cast::<PyDict>() {
        return d.copy();
    }
    if obj.hasattr("keys")? && obj.hasattr("__getitem__")? && obj.cast::<PyString>().is_err() {
        let d = PyDict::new(obj.py());
        for k in obj.call_method0("keys")?.try_iter()? {
            let k = k?;
            d.set_item(&k, obj.get_item(&k)?)?;
        }
        return Ok(d);
    }
    Err(PyTypeError::new_err(format!(
        "{what} must be a dict, not {}",
        type_name(obj)
    )))
}

/// A document dict with its `content` (bytes, bytearray or memoryview) given to the core as
/// `content_base64`; the core reads the rest (core `providers::onespan::request`).
fn document_dict<'py>(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<Bound<'py, PyAny>> {
    let d = request_dict(obj, what)?;
    if let Some(content) = d.get_item("content")?.filter(|c| !c.is_none()) {
        if d.contains("content_base64")? {
            return Err(PyValueError::new_err(format!(
                "{what} has both content and content_base64; give one"
            )));
        }
        if content.cast::<PyBytes>().is_err()
            && content.cast::<PyByteArray>().is_err()
            && content.cast::<PyMemoryView>().is_err()
        {
            return Err(PyTypeError::new_err(format!(
                "{what}.content must be bytes, bytearray or memoryview (the PDF), not {}",
                type_name(&content)
            )));
        }
        let b64 = obj
            .py()
            .import("base64")?
            .call_method1("b64encode", (content,))?
            .call_method1("decode", ("ascii",))?;
        d.set_item("content_base64", b64)?;
    }
    if d.contains("content")? {
        d.del_item("content")?;
    }
    Ok(d.into_any())
}

/// The JSON of a new-package dict for `NewPackage::from_json`.
fn package_json(obj: &Bound<'_, PyAny>) -> PyResult<serde_json::Value> {
    let d = request_dict(obj, "package")?;
    if let Some(docs) = d.get_item("documents")? {
        if docs.cast::<PyList>().is_ok() || docs.cast::<PyTuple>().is_ok() {
            let list = PyList::empty(obj.py());
            for (i, item) in docs.try_iter()?.enumerate() {
                let item = item?;
                if item.cast::<PyDict>().is_ok() {
                    list.append(document_dict(&item, &format!("documents[{i}]"))?)?;
                } else {
                    list.append(item)?;
                }
            }
            d.set_item("documents", list)?;
        }
    }
    convert::to_json(d.as_any(), "")
}

// ---- the service ----------------------------------------------------------------------------

fn package_id(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    convert::text(obj, "package_id")
}

/// OneSpan Sign specifics, beside the provider-neutral Client.signing(): packages, signing
/// URLs, audit, downloads, listing, trash/restore/archive/delete and the account's callback.
/// Package ids are OneSpan's own (StartedSigningSession.provider_id). Every call releases the
/// GIL.
#[pyclass(module = "signbridge", name = "Onespan", frozen, subclass)]
pub struct PyOnespan {
    client: Py<PyClient>,
}

impl PyOnespan {
    pub(crate) fn new(client: Py<PyClient>) -> Self {
        PyOnespan { client }
    }

    fn api(&self, py: Python<'_>) -> PyResult<OnespanClient> {
        let core = self.client.get().core(py)?;
        let o = core.onespan().map_err(|e| errors::to_py(py, &e))?;
        Ok(o.clone())
    }
}

#[pymethods]
impl PyOnespan {
    /// Create a transaction from a dict (signbridge.OnespanPackageSpec): name, signers (each
    /// with a role_id), documents (each from `path` or `content` bytes, with signature fields
    /// placed by 0-based page and PDF points from the top left) and options. It is sent at once
    /// with "send": True, else it stays a draft until send(). `in_steps` creates the draft first
    /// and adds each document in its own request (a failed upload deletes the draft); otherwise
    /// one multipart request carries everything. Returns the package id.
    ///
    /// Bad values raise InvalidInput naming the dict path (e.g. documents[1].fields[0].page),
    /// content that is not a PDF InvalidDocument; a lost answer raises OutcomeUnknown (look the
    /// transaction up by name with list(search=...) before creating it again).
    #[pyo3(signature = (package, *, in_steps = false))]
    fn create_package(
        &self,
        py: Python<'_>,
        package: &Bound<'_, PyAny>,
        in_steps: bool,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let value = package_json(package)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move {
                    let package = NewPackage::from_json(&value).await?;
                    if in_steps {
                        api.create_package_in_steps(&package).await
                    } else {
                        api.create_package(&package).await
                    }
                },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Add a document (a dict like an item of create_package()'s "documents") to a draft.
    /// A sent transaction raises ProviderError (SB_ERR_INVALID_STATE).
    fn add_document(
        &self,
        py: Python<'_>,
        package_id: &Bound<'_, PyAny>,
        document: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let value = convert::to_json(&document_dict(document, "document")?, "")?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move {
                    let document = DocumentSpec::from_json(&value).await?;
                    api.add_document(&id, &document).await
                },
                move |py, inner| PyPackageDocument { inner }.into_py_any(py),
            )
        })
    }

    /// Change a draft: `update` has any of name, description, email_message, due
    /// ("yyyy-MM-ddTHH:mm:ss", UTC) and autocomplete; only those change. A sent transaction
    /// raises ProviderError (SB_ERR_INVALID_STATE).
    fn update_package(
        &self,
        py: Python<'_>,
        package_id: &Bound<'_, PyAny>,
        update: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let value = convert::to_json(request_dict(update, "update")?.as_any(), "")?;
            let update = PackageUpdate::from_json(&value).map_err(|e| errors::to_py(py, &e))?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.update_package(&id, &update).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// The package. Unknown (or deleted) raises NotFound.
    fn get_package(&self, py: Python<'_>, package_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.get_package(&id).await },
                move |py, inner| PyPackage { inner }.into_py_any(py),
            )
        })
    }

    /// The package's status.
    fn status<'py>(&self, py: Python<'py>, package_id: &Bound<'py, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.status(&id).await },
                move |py, s| Ok(package_status_to_py(py, &s)?.unbind()),
            )
        })
    }

    /// The signing status of the package, or of one signer (role id, signer id or e-mail)
    /// and/or one document of it.
    #[pyo3(signature = (package_id, *, signer = None, document = None))]
    fn signing_status<'py>(
        &self,
        py: Python<'py>,
        package_id: &Bound<'py, PyAny>,
        signer: Option<String>,
        document: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move {
                    api.signing_status(&id, signer.as_deref(), document.as_deref())
                        .await
                },
                move |py, s| {
                    let out: PyResult<_> = {
                        open_to_py(
                            signing_status_enum(py)?,
                            !matches!(s, SigningStatus::Other(_)),
                            s.as_str(),
                        )
                    };
                    out?.into_py_any(py)
                },
            )
        })
    }

    /// The signing page of the signer of `role_id`; the package must be sent. It does not
    /// expire and carries no credential of yours.
    fn signing_url(
        &self,
        py: Python<'_>,
        package_id: &Bound<'_, PyAny>,
        role_id: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let role = convert::text(role_id, "role_id")?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.signing_url(&id, &role).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// The audit trail, oldest event first.
    fn audit(&self, py: Python<'_>, package_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.audit(&id).await },
                move |py, audit| {
                    let out: PyResult<_> = {
                        Ok(audit
                            .events
                            .into_iter()
                            .map(|inner| PyAuditEvent { inner })
                            .collect::<Vec<_>>())
                    };
                    out?.into_py_any(py)
                },
            )
        })
    }

    /// Poll the package until signing ends (OneSpan advises slow polling: the delay starts at
    /// `interval`, 5 s when left at the default, and grows to 60 s) and return it when
    /// COMPLETED. Declined and opted-out packages raise SessionRejected (the signer's reason in
    /// the message and provider_description), expired SessionExpired, trashed
    /// SessionCancelled, deleted NotFound, a draft ProviderError (SB_ERR_INVALID_STATE).
    /// `on_progress` is called with each Package read. Ctrl-C ends the wait.
    #[pyo3(signature = (package_id, *, interval = 2.0, timeout = None, on_progress = None))]
    fn wait(
        &self,
        py: Python<'_>,
        package_id: &Bound<'_, PyAny>,
        interval: f64,
        timeout: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let progress = Progress::new(
                py,
                &self.client,
                interval,
                timeout,
                on_progress,
                |p: &Package| PyPackage { inner: p.clone() },
            )?;
            let opts = progress.opts.clone();
            let api = self.api(py)?;
            let watch = progress.watch.clone();
            aio::finish(
                py,
                &self.client,
                async move {
                    let result = async move { api.wait(&id, &opts).await }.await;
                    watch.finish(result.map_err(aio::Fail::from))
                },
                move |py, result| PyPackage { inner: result }.into_py_any(py),
            )
        })
    }

    /// Send a draft to its signers.
    fn send(&self, py: Python<'_>, package_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.send(&id).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Move to the trash (the signing links stop working); restore() brings it back.
    fn trash(&self, py: Python<'_>, package_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.trash(&id).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Restore from the trash.
    fn restore(&self, py: Python<'_>, package_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.restore(&id).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Archive (typically once completed).
    fn archive(&self, py: Python<'_>, package_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.archive(&id).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Delete permanently.
    fn delete(&self, py: Python<'_>, package_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = self::package_id(package_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.delete(&id).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Download a document, the original, the ZIP of all documents or the evidence summary
    /// (`kind`, a DownloadKind), checked to be a PDF / a ZIP (IntegrityError otherwise).
    fn download(
        &self,
        py: Python<'_>,
        package_id: &Bound<'_, PyAny>,
        kind: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            aio::warn_if_blocking_a_loop(py, &self.client, "download")?;
            let id = self::package_id(package_id)?;
            let kind = download_kind(kind)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.download(&id, &kind).await },
                move |py, inner| PyDownload { inner }.into_py_any(py),
            )
        })
    }

    /// download() into the file `path` (str or os.PathLike), atomically: on any failure nothing
    /// is left at `path`. Returns the number of bytes written.
    fn download_to(
        &self,
        py: Python<'_>,
        package_id: &Bound<'_, PyAny>,
        kind: &Bound<'_, PyAny>,
        path: PathBuf,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            aio::warn_if_blocking_a_loop(py, &self.client, "download_to")?;
            let id = self::package_id(package_id)?;
            let kind = download_kind(kind)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.download_to(&id, &kind, &path).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// download() into the directory `dir` (created if missing) under the name OneSpan
    /// suggests, made safe; atomically. Returns the path written (pathlib.Path).
    fn download_into(
        &self,
        py: Python<'_>,
        package_id: &Bound<'_, PyAny>,
        kind: &Bound<'_, PyAny>,
        dir: PathBuf,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            aio::warn_if_blocking_a_loop(py, &self.client, "download_into")?;
            let id = self::package_id(package_id)?;
            let kind = download_kind(kind)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.download_into(&id, &kind, &dir).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// The packages, as an iterator fetching `page_size` (1-100) per request: only those with
    /// `status` (a PackageStatus or str), matching `search`, sorted by `sort` ("updated",
    /// "name"...; `descending` for the reverse order). Bad values raise InvalidInput at the
    /// first next().
    #[pyo3(signature = (*, status = None, search = None, page_size = 50, sort = None,
        descending = false))]
    fn list(
        &self,
        py: Python<'_>,
        status: Option<&Bound<'_, PyAny>>,
        search: Option<String>,
        page_size: i64,
        sort: Option<String>,
        descending: bool,
    ) -> PyResult<PyPackageIterator> {
        boundary(py, || {
            let mut q = ListQuery::new();
            if let Some(s) = status.filter(|s| !s.is_none()) {
                let v = open_value(package_status_enum(py)?, s, "status")?;
                q = q.status(PackageStatus::parse(&v));
            }
            if let Some(s) = search {
                q = q.search(s);
            }
            let n = u32::try_from(page_size).map_err(|_| {
                PyValueError::new_err(format!("page_size must be 1-100, got {page_size}"))
            })?;
            q = q.page_size(n);
            if let Some(field) = sort {
                let dir = if descending {
                    SortDirection::Desc
                } else {
                    SortDirection::Asc
                };
                q = q.sort(field, dir);
            }
            let api = self.api(py)?;
            Ok(PyPackageIterator {
                state: Arc::new(Mutex::new(Listing {
                    pager: Some(api.list(q)),
                    buffer: VecDeque::new(),
                    total: None,
                    busy: false,
                })),
            })
        })
    }

    /// Register the account's callback: OneSpan will post `events` (CallbackEventName members
    /// or str) to `url` with "Authorization: Basic <key>" (check it with CallbackVerifier).
    /// Replaces an earlier registration.
    fn register_callback(
        &self,
        py: Python<'_>,
        url: &Bound<'_, PyAny>,
        key: &Bound<'_, PyAny>,
        events: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        boundary(py, || {
            let url = convert::text(url, "url")?;
            let key = convert::text(key, "key")?;
            let cls = event_name_enum(py)?;
            if events.cast::<PyString>().is_ok() || events.is_instance(cls)? {
                return Err(PyTypeError::new_err(
                    "events must be a list of CallbackEventName (or str), not a single value",
                ));
            }
            let iter = events.try_iter().map_err(|_| {
                PyTypeError::new_err("events must be a list of CallbackEventName (or str)")
            })?;
            let mut list = Vec::new();
            for e in iter {
                list.push(CallbackEventName::parse(&open_value(
                    cls,
                    &e?,
                    "events items",
                )?));
            }
            let api = self.api(py)?;
            run(
                py,
                async move { api.register_callback(&url, &key, &list).await },
            )
        })
    }

    /// The registered callback (NotFound when there is none).
    fn get_callback(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.get_callback().await },
                move |py, inner| PyCallbackRegistration { inner }.into_py_any(py),
            )
        })
    }

    fn __repr__(&self) -> String {
        "Onespan()".to_string()
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("PackageStatus", package_status_enum(py)?)?;
    m.add("PackageSigningStatus", signing_status_enum(py)?)?;
    m.add("CallbackEventName", event_name_enum(py)?)?;
    m.add_class::<PyOnespan>()?;
    m.add_class::<PyPackage>()?;
    m.add_class::<PyPackageRole>()?;
    m.add_class::<PyPackageSigner>()?;
    m.add_class::<PyPackageDocument>()?;
    m.add_class::<PyDocumentApproval>()?;
    m.add_class::<PyAuditEvent>()?;
    m.add_class::<PyDownloadKind>()?;
    m.add_class::<PyDownload>()?;
    m.add_class::<PyCallbackRegistration>()?;
    m.add_class::<PyCallbackEvent>()?;
    m.add_class::<PyCallbackVerifier>()?;
    m.add_class::<PyPackageIterator>()?;
    m.add_function(wrap_pyfunction!(parse_callback, m)?)?;
    Ok(())
}
