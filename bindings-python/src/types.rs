//! Result and request objects: Python classes wrapping the core's own structs.

use std::path::PathBuf;

use bytes::Bytes;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};
use signbridge::providers::zignsec::{
    Document, FileRef, FileToSign, Placement, ProviderErrorItem, SignerInfo, SigningSession,
    SigningStatus, StartedSession, StartedSigning, UploadedFile,
};
use signbridge::SessionStatus;

use crate::{convert, run};

/// The `SessionStatus` enum (`str`-valued), from the core's table.
pub fn session_status_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    crate::enums::enum_type(py, "SessionStatus")
}

pub(crate) fn status_to_py<'py>(py: Python<'py>, s: &SessionStatus) -> PyResult<Bound<'py, PyAny>> {
    let value = match s {
        SessionStatus::Other(_) => crate::enums::other_value("SessionStatus"),
        known => known.as_str().to_string(),
    };
    session_status_enum(py)?.call1((value,))
}

pub(crate) fn opt_repr(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("{s:?}"),
        None => "None".to_string(),
    }
}

/// A created signing session.
#[pyclass(module = "signbridge", name = "SigningSession", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySigningSession {
    pub(crate) inner: SigningSession,
}

#[pymethods]
impl PySigningSession {
    /// The session id, used for every later call.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// Its status (normally SessionStatus.CREATED).
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        status_to_py(py, &self.inner.status)
    }
    /// The status as the provider spelled it.
    #[getter]
    fn status_text(&self) -> &str {
        self.inner.status.as_str()
    }
    fn __repr__(&self) -> String {
        format!(
            "SigningSession(id={:?}, status={:?})",
            self.inner.id,
            self.inner.status.as_str()
        )
    }
}

/// A file accepted into a session.
#[pyclass(module = "signbridge", name = "UploadedFile", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyUploadedFile {
    pub(crate) inner: UploadedFile,
}

#[pymethods]
impl PyUploadedFile {
    /// The session the file belongs to.
    #[getter]
    fn session_id(&self) -> &str {
        &self.inner.session_id
    }
    /// The file id to pass to start().
    #[getter]
    fn file_id(&self) -> &str {
        &self.inner.file_id
    }
    /// The file name the gateway recorded.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// The md5 the gateway computed (base64 or hex), if reported.
    #[getter]
    fn md5(&self) -> Option<&str> {
        self.inner.md5.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "UploadedFile(session_id={:?}, file_id={:?}, name={:?})",
            self.inner.session_id, self.inner.file_id, self.inner.name
        )
    }
}

/// The answer to start(): where to send the signer.
#[pyclass(module = "signbridge", name = "StartedSigning", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyStartedSigning {
    pub(crate) inner: StartedSigning,
}

#[pymethods]
impl PyStartedSigning {
    /// Send the signer's browser here.
    #[getter]
    fn redirect_url(&self) -> &str {
        &self.inner.redirect_url
    }
    /// The session's status (normally SessionStatus.PENDING).
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        status_to_py(py, &self.inner.status)
    }
    /// The status as the provider spelled it.
    #[getter]
    fn status_text(&self) -> &str {
        self.inner.status.as_str()
    }
    fn __repr__(&self) -> String {
        format!(
            "StartedSigning(redirect_url={:?}, status={:?})",
            self.inner.redirect_url,
            self.inner.status.as_str()
        )
    }
}

/// The answer to sign_documents(): a started session.
#[pyclass(module = "signbridge", name = "StartedSession", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyStartedSession {
    pub(crate) inner: StartedSession,
}

#[pymethods]
impl PyStartedSession {
    /// The session id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// Send the signer's browser here.
    #[getter]
    fn redirect_url(&self) -> &str {
        &self.inner.redirect_url
    }
    /// The uploaded files, in order.
    #[getter]
    fn files(&self) -> Vec<PyUploadedFile> {
        self.inner
            .files
            .iter()
            .map(|f| PyUploadedFile { inner: f.clone() })
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "StartedSession(id={:?}, redirect_url={:?}, files={})",
            self.inner.id,
            self.inner.redirect_url,
            self.inner.files.len()
        )
    }
}

/// A file of a session (an original or a signed one).
#[pyclass(module = "signbridge", name = "FileRef", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyFileRef {
    pub(crate) inner: FileRef,
}

#[pymethods]
impl PyFileRef {
    /// Describe a file, e.g. one whose id and url were stored earlier.
    #[new]
    #[pyo3(
        signature = (id, name = String::new(), url = None, mime_type = None, md5 = None),
        text_signature = "(id, name='', url=None, mime_type=None, md5=None)"
    )]
    fn new(
        id: String,
        name: String,
        url: Option<String>,
        mime_type: Option<String>,
        md5: Option<String>,
    ) -> Self {
        PyFileRef {
            inner: FileRef {
                id,
                name,
                url,
                mime_type,
                md5,
            },
        }
    }
    /// The file id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// The file name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// Where to download it, if known.
    #[getter]
    fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }
    /// Its media type, if reported.
    #[getter]
    fn mime_type(&self) -> Option<&str> {
        self.inner.mime_type.as_deref()
    }
    /// The md5 digest as the gateway reported it: base64 (hex from gateways that send hex);
    /// downloads are checked against it.
    #[getter]
    fn md5(&self) -> Option<&str> {
        self.inner.md5.as_deref()
    }
    /// The reported md5 as 32 lowercase hex digits (`md5sum`'s form); None when absent.
    #[getter]
    fn md5_hex(&self) -> Option<String> {
        self.inner.md5_hex()
    }
    fn __repr__(&self) -> String {
        format!(
            "FileRef(id={:?}, name={:?}, url={})",
            self.inner.id,
            self.inner.name,
            opt_repr(&self.inner.url)
        )
    }
}

/// An error item the gateway reported for a session (e.g. CANCELLED_BY_USER).
#[pyclass(module = "signbridge", name = "ProviderErrorItem", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyProviderErrorItem {
    pub(crate) inner: ProviderErrorItem,
}

#[pymethods]
impl PyProviderErrorItem {
    /// The provider's code, e.g. "CANCELLED_BY_USER".
    #[getter]
    fn code(&self) -> &str {
        &self.inner.code
    }
    /// Human-readable description.
    #[getter]
    fn description(&self) -> &str {
        &self.inner.description
    }
    /// The HTTP-like status the gateway attached, if any.
    #[getter]
    fn status_code(&self) -> Option<u16> {
        self.inner.status_code
    }
    fn __repr__(&self) -> String {
        format!(
            "ProviderErrorItem(code={:?}, description={:?}, status_code={:?})",
            self.inner.code, self.inner.description, self.inner.status_code
        )
    }
}

/// Who signed, when the gateway reports it.
#[pyclass(module = "signbridge", name = "SignerInfo", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySignerInfo {
    pub(crate) inner: SignerInfo,
}

#[pymethods]
impl PySignerInfo {
    /// Full name.
    #[getter]
    fn name(&self) -> Option<&str> {
        self.inner.name.as_deref()
    }
    /// National identity number.
    #[getter]
    fn personal_number(&self) -> Option<&str> {
        self.inner.personal_number.as_deref()
    }
    fn __repr__(&self) -> String {
        // The personal number is personal data: not shown in reprs (and so not in logs).
        format!("SignerInfo(name={})", opt_repr(&self.inner.name))
    }
}

/// The state of a signing session, as status() and wait() return it.
#[pyclass(module = "signbridge", name = "SigningStatus", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySigningStatus {
    pub(crate) inner: SigningStatus,
}

#[pymethods]
impl PySigningStatus {
    /// The session id.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// The current state.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        status_to_py(py, &self.inner.status)
    }
    /// The state as the provider spelled it.
    #[getter]
    fn status_text(&self) -> &str {
        self.inner.status.as_str()
    }
    /// Whether the session can no longer change.
    #[getter]
    fn is_terminal(&self) -> bool {
        self.inner.status.is_terminal()
    }
    /// Your relay_state, echoed.
    #[getter]
    fn relay_state(&self) -> Option<&str> {
        self.inner.relay_state.as_deref()
    }
    /// Errors the gateway reported.
    #[getter]
    fn errors(&self) -> Vec<PyProviderErrorItem> {
        self.inner
            .errors
            .iter()
            .map(|e| PyProviderErrorItem { inner: e.clone() })
            .collect()
    }
    /// The uploaded originals.
    #[getter]
    fn input_files(&self) -> Vec<PyFileRef> {
        files(&self.inner.input_files)
    }
    /// The signed documents (once FINISHED).
    #[getter]
    fn signed_files(&self) -> Vec<PyFileRef> {
        files(&self.inner.signed_files)
    }
    /// The signer, when reported.
    #[getter]
    fn signer(&self) -> Option<PySignerInfo> {
        self.inner
            .signer
            .clone()
            .map(|inner| PySignerInfo { inner })
    }
    fn __repr__(&self) -> String {
        format!(
            "SigningStatus(id={:?}, status={:?}, input_files={}, signed_files={})",
            self.inner.id,
            self.inner.status.as_str(),
            self.inner.input_files.len(),
            self.inner.signed_files.len()
        )
    }
}

fn files(list: &[FileRef]) -> Vec<PyFileRef> {
    list.iter()
        .map(|f| PyFileRef { inner: f.clone() })
        .collect()
}

/// Where the visible signature goes: page from 1, x/y in PDF points from the bottom-left.
#[pyclass(module = "signbridge", name = "Placement", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyPlacement {
    pub(crate) inner: Placement,
}

#[pymethods]
impl PyPlacement {
    /// A placement; the core checks the ranges when it is used.
    #[new]
    #[pyo3(signature = (page, x, y))]
    fn new(page: i64, x: f64, y: f64) -> PyResult<Self> {
        let page = u32::try_from(page).map_err(|_| {
            PyValueError::new_err(format!("page must be a page number from 1, got {page}"))
        })?;
        Ok(PyPlacement {
            inner: Placement { page, x, y },
        })
    }
    /// Page number, 1-based.
    #[getter]
    fn page(&self) -> u32 {
        self.inner.page
    }
    /// Horizontal position in points.
    #[getter]
    fn x(&self) -> f64 {
        self.inner.x
    }
    /// Vertical position in points.
    #[getter]
    fn y(&self) -> f64 {
        self.inner.y
    }
    fn __repr__(&self) -> String {
        format!(
            "Placement(page={}, x={}, y={})",
            self.inner.page, self.inner.x, self.inner.y
        )
    }
}

/// One uploaded file to sign and where its signature goes (for start()).
#[pyclass(module = "signbridge", name = "FileToSign", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyFileToSign {
    pub(crate) inner: FileToSign,
}

#[pymethods]
impl PyFileToSign {
    /// A file id from an upload, with an optional placement.
    #[new]
    #[pyo3(signature = (file_id, placement = None))]
    fn new(file_id: String, placement: Option<PyRef<'_, PyPlacement>>) -> Self {
        PyFileToSign {
            inner: FileToSign {
                file_id,
                placement: placement.map(|p| p.inner),
            },
        }
    }
    /// The file id returned by the upload.
    #[getter]
    fn file_id(&self) -> &str {
        &self.inner.file_id
    }
    /// The signature placement, or None for the gateway's default.
    #[getter]
    fn placement(&self) -> Option<PyPlacement> {
        self.inner.placement.map(|inner| PyPlacement { inner })
    }
    fn __repr__(&self) -> String {
        format!("FileToSign(file_id={:?})", self.inner.file_id)
    }
}

/// A document to sign: PDF bytes, the name shown to the signer and an optional placement.
#[pyclass(module = "signbridge", name = "Document", frozen)]
pub struct PyDocument {
    pub(crate) inner: Document,
}

#[pymethods]
impl PyDocument {
    /// A document from memory (bytes, bytearray or memoryview).
    #[new]
    #[pyo3(signature = (data, name, placement = None))]
    fn new(
        data: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        placement: Option<PyRef<'_, PyPlacement>>,
    ) -> PyResult<Self> {
        Ok(PyDocument {
            inner: Document {
                name: convert::text(name, "name")?,
                data: convert::to_bytes(data, "data")?,
                placement: placement.map(|p| p.inner),
            },
        })
    }
    /// A document read from a file (str or os.PathLike); its name is the file name.
    #[staticmethod]
    #[pyo3(signature = (path, placement = None))]
    fn from_path(
        py: Python<'_>,
        path: PathBuf,
        placement: Option<PyRef<'_, PyPlacement>>,
    ) -> PyResult<Self> {
        let placement = placement.map(|p| p.inner);
        run::boundary(py, || {
            let doc = run::run(py, Document::from_path(path, placement))?;
            Ok(PyDocument { inner: doc })
        })
    }
    /// The file name shown to the signer.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// The PDF bytes.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.inner.data)
    }
    /// The signature placement, or None for the gateway's default.
    #[getter]
    fn placement(&self) -> Option<PyPlacement> {
        self.inner.placement.map(|inner| PyPlacement { inner })
    }
    fn __repr__(&self) -> String {
        format!(
            "Document(name={:?}, size={})",
            self.inner.name,
            self.inner.data.len()
        )
    }
}

impl PyDocument {
    pub(crate) fn to_core(&self) -> Document {
        Document {
            name: self.inner.name.clone(),
            data: Bytes::clone(&self.inner.data),
            placement: self.inner.placement,
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySigningSession>()?;
    m.add_class::<PyUploadedFile>()?;
    m.add_class::<PyStartedSigning>()?;
    m.add_class::<PyStartedSession>()?;
    m.add_class::<PyFileRef>()?;
    m.add_class::<PyProviderErrorItem>()?;
    m.add_class::<PySignerInfo>()?;
    m.add_class::<PySigningStatus>()?;
    m.add_class::<PyPlacement>()?;
    m.add_class::<PyFileToSign>()?;
    m.add_class::<PyDocument>()?;
    Ok(())
}
