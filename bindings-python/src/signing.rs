//! The provider-neutral signing session: `Signing` (from `Client.signing()`), the request objects
//! `SessionDocument`, `SessionSigner` and `SignatureField`, the results `StartedSigningSession`,
//! `SignerLink`, `SessionState`, `SignerState`, `CompletedSession` and `SignedFile`, and the
//! `Provider` enum. The same code signs with ZignSec or OneSpan: the configuration chooses.

use std::path::PathBuf;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::aio;
use pyo3::types::{PyBytes, PyDict, PyString, PyType};
use signbridge::signing::{
    CompletedSession, DocumentContent, NewSession, OnespanOptions, Provider, Redirects,
    SessionDocument, SessionRef, SessionSigner, SessionState, SignatureField, SignedFile,
    SignerLink, SignerSelector, SignerState, SigningService, StartedSession, ZignsecOptions,
};
use signbridge::ErrorCode;

use crate::client::PyClient;
use crate::convert;
use crate::errors;
use crate::progress::Progress;
use crate::run::boundary;
use crate::types::status_to_py;

// ---- Provider -------------------------------------------------------------------------------

fn provider_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    crate::enums::enum_type(py, "Provider")
}

fn provider_to_py(py: Python<'_>, p: Provider) -> PyResult<Bound<'_, PyAny>> {
    provider_enum(py)?.call1((p.as_str(),))
}

/// A provider given as a member of `Provider` or its name ("onespan").
pub(crate) fn provider(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Provider> {
    let cls = provider_enum(py)?;
    let text: String = if obj.is_instance(cls)? {
        obj.getattr("value")?.extract()?
    } else {
        convert::text(obj, "provider")
            .map_err(|_| PyTypeError::new_err("provider must be a signbridge.Provider or str"))?
    };
    text.parse::<Provider>().map_err(|e| errors::to_py(py, &e))
}

// ---- request objects ------------------------------------------------------------------------

/// Where a signature goes: a box on page `page` (from 1) whose top-left corner is `left` and
/// `top` points from the page's top-left corner, `width` x `height` points (default 200 x 50),
/// for `signer` (an index into the session's signers, default 0, or a signer id). The values
/// are checked when the session starts.
#[pyclass(module = "signbridge", name = "SignatureField", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySignatureField {
    inner: SignatureField,
}

fn selector(obj: &Bound<'_, PyAny>) -> PyResult<SignerSelector> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(SignerSelector::Id(s.to_cow()?.into_owned()));
    }
    if obj.is_instance_of::<pyo3::types::PyBool>() {
        return Err(PyTypeError::new_err(
            "signer must be a signer index (int) or a signer id (str), not bool",
        ));
    }
    match obj.extract::<i64>() {
        Ok(n) => usize::try_from(n)
            .map(SignerSelector::Index)
            .map_err(|_| PyValueError::new_err(format!("signer index must be 0 or more, got {n}"))),
        Err(_) => Err(PyTypeError::new_err(format!(
            "signer must be a signer index (int) or a signer id (str), not {}",
            obj.get_type().name()?
        ))),
    }
}

#[pymethods]
impl PySignatureField {
    /// A signature box; see the class documentation.
    #[new]
    #[pyo3(signature = (page, left, top, *, width = 200.0, height = 50.0, signer = None))]
    fn new(
        page: i64,
        left: f64,
        top: f64,
        width: f64,
        height: f64,
        signer: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let page = u32::try_from(page).map_err(|_| {
            PyValueError::new_err(format!("page must be a page number from 1, got {page}"))
        })?;
        let signer = match signer.filter(|s| !s.is_none()) {
            Some(s) => selector(s)?,
            None => SignerSelector::default(),
        };
        Ok(PySignatureField {
            inner: SignatureField {
                signer,
                page,
                left,
                top,
                width,
                height,
            },
        })
    }
    /// Page number, from 1.
    #[getter]
    fn page(&self) -> u32 {
        self.inner.page
    }
    /// Distance from the left edge, in points.
    #[getter]
    fn left(&self) -> f64 {
        self.inner.left
    }
    /// Distance from the top edge, in points.
    #[getter]
    fn top(&self) -> f64 {
        self.inner.top
    }
    /// Box width in points.
    #[getter]
    fn width(&self) -> f64 {
        self.inner.width
    }
    /// Box height in points.
    #[getter]
    fn height(&self) -> f64 {
        self.inner.height
    }
    /// Whose signature: a signer index (int) or a signer id (str).
    #[getter]
    fn signer<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(match &self.inner.signer {
            SignerSelector::Index(i) => i.into_pyobject(py)?.into_any(),
            SignerSelector::Id(s) => PyString::new(py, s).into_any(),
        })
    }
    fn __repr__(&self) -> String {
        let signer = match &self.inner.signer {
            SignerSelector::Index(i) => i.to_string(),
            SignerSelector::Id(s) => format!("{s:?}"),
        };
        format!(
            "SignatureField(page={}, left={}, top={}, width={}, height={}, signer={signer})",
            self.inner.page, self.inner.left, self.inner.top, self.inner.width, self.inner.height
        )
    }
}

fn fields(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<SignatureField>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    if obj.cast::<PySignatureField>().is_ok() {
        return Err(PyTypeError::new_err(
            "fields must be a list of SignatureField, not a single one",
        ));
    }
    let iter = obj
        .try_iter()
        .map_err(|_| PyTypeError::new_err("fields must be a list of SignatureField"))?;
    let mut out = Vec::new();
    for item in iter {
        let item = item?;
        match item.cast::<PySignatureField>() {
            Ok(f) => out.push(f.get().inner.clone()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "fields items must be SignatureField, not {}",
                    item.get_type().name()?
                )))
            }
        }
    }
    Ok(out)
}

/// One PDF of a session: SessionDocument(data, name) from memory (bytes, bytearray or
/// memoryview), or SessionDocument.from_path(path) read when the session starts (named after
/// the file unless `name` is given). `fields` are SignatureField objects; none: the provider's
/// default place.
#[pyclass(module = "signbridge", name = "SessionDocument", frozen)]
pub struct PySessionDocument {
    inner: SessionDocument,
}

#[pymethods]
impl PySessionDocument {
    /// A document from memory.
    #[new]
    #[pyo3(signature = (data, name, *, fields = None))]
    fn new(
        data: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        fields: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut inner = SessionDocument::from_bytes(
            convert::text(name, "name")?,
            convert::to_bytes(data, "data")?,
        );
        inner.fields = self::fields(fields)?;
        Ok(PySessionDocument { inner })
    }
    /// A document read from `path` (str or os.PathLike) when the session starts.
    #[staticmethod]
    #[pyo3(signature = (path, *, name = None, fields = None))]
    fn from_path(
        path: PathBuf,
        name: Option<&Bound<'_, PyAny>>,
        fields: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut inner = SessionDocument::from_path(path);
        if let Some(n) = name.filter(|n| !n.is_none()) {
            inner.name = convert::text(n, "name")?;
        }
        inner.fields = self::fields(fields)?;
        Ok(PySessionDocument { inner })
    }
    /// The name the signers see ("" for a path document named after its file).
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// The file to read, for a document made with from_path().
    #[getter]
    fn path(&self) -> Option<PathBuf> {
        match &self.inner.content {
            DocumentContent::Path(p) => Some(p.clone()),
            DocumentContent::Bytes(_) => None,
        }
    }
    /// The PDF bytes, for a document made from memory.
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyBytes>> {
        match &self.inner.content {
            DocumentContent::Bytes(b) => Some(PyBytes::new(py, b)),
            DocumentContent::Path(_) => None,
        }
    }
    /// The signature fields.
    #[getter]
    fn fields(&self) -> Vec<PySignatureField> {
        self.inner
            .fields
            .iter()
            .map(|f| PySignatureField { inner: f.clone() })
            .collect()
    }
    fn __repr__(&self) -> String {
        let what = match &self.inner.content {
            DocumentContent::Path(p) => format!("path={:?}", p.display().to_string()),
            DocumentContent::Bytes(b) => format!("size={}", b.len()),
        };
        format!(
            "SessionDocument(name={:?}, {what}, fields={})",
            self.inner.name,
            self.inner.fields.len()
        )
    }
}

/// A signer of a session: first and last name, e-mail (OneSpan invites by e-mail; ZignSec does
/// not use it) and your id for the signer (letters, digits, '-', '_', '.'; default signer1,
/// signer2... in order; ZignSec's one signer is always signer1).
#[pyclass(module = "signbridge", name = "SessionSigner", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySessionSigner {
    inner: SessionSigner,
}

#[pymethods]
impl PySessionSigner {
    /// A signer; see the class documentation.
    #[new]
    #[pyo3(signature = (first_name, last_name, *, email = None, id = None))]
    fn new(
        first_name: String,
        last_name: String,
        email: Option<String>,
        id: Option<String>,
    ) -> Self {
        PySessionSigner {
            inner: SessionSigner {
                id,
                first_name,
                last_name,
                email,
            },
        }
    }
    /// Your id for this signer, if given.
    #[getter]
    fn id(&self) -> Option<&str> {
        self.inner.id.as_deref()
    }
    /// First name.
    #[getter]
    fn first_name(&self) -> &str {
        &self.inner.first_name
    }
    /// Last name.
    #[getter]
    fn last_name(&self) -> &str {
        &self.inner.last_name
    }
    /// E-mail address.
    #[getter]
    fn email(&self) -> Option<&str> {
        self.inner.email.as_deref()
    }
    /// "First Last".
    #[getter]
    fn full_name(&self) -> String {
        self.inner.full_name()
    }
    fn __repr__(&self) -> String {
        format!(
            "SessionSigner(first_name={:?}, last_name={:?}, id={})",
            self.inner.first_name,
            self.inner.last_name,
            crate::types::opt_repr(&self.inner.id)
        )
    }
}

// ---- results --------------------------------------------------------------------------------

/// Where one signer signs.
#[pyclass(module = "signbridge", name = "SignerLink", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySignerLink {
    inner: SignerLink,
}

#[pymethods]
impl PySignerLink {
    /// The signer's id (given, or signer1...).
    #[getter]
    fn signer_id(&self) -> &str {
        &self.inner.signer_id
    }
    /// The signer's full name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    /// The signing page to open in the signer's browser.
    #[getter]
    fn url(&self) -> &str {
        &self.inner.url
    }
    fn __repr__(&self) -> String {
        format!(
            "SignerLink(signer_id={:?}, name={:?}, url={:?})",
            self.inner.signer_id, self.inner.name, self.inner.url
        )
    }
}

/// The answer to Signing.start(): the session and where to send each signer.
#[pyclass(module = "signbridge", name = "StartedSigningSession", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyStartedSigningSession {
    inner: StartedSession,
}

#[pymethods]
impl PyStartedSigningSession {
    /// The session, "<provider>:<id>" (e.g. "onespan:bw1F...="): store it, every later call
    /// takes it.
    #[getter]
    fn id(&self) -> String {
        self.inner.id.to_string()
    }
    /// The provider that runs it.
    #[getter]
    fn provider<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        provider_to_py(py, self.inner.provider)
    }
    /// The provider's own id (without the "provider:" prefix), for provider-specific calls such
    /// as Client.onespan().
    #[getter]
    fn provider_id(&self) -> &str {
        self.inner.id.id()
    }
    /// Where to send each signer, in the order of the session's signers.
    #[getter]
    fn signers(&self) -> Vec<PySignerLink> {
        self.inner
            .signers
            .iter()
            .map(|s| PySignerLink { inner: s.clone() })
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "StartedSigningSession(id={:?}, signers={})",
            self.inner.id.to_string(),
            self.inner.signers.len()
        )
    }
}

/// Whether one signer has signed.
#[pyclass(module = "signbridge", name = "SignerState", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySignerState {
    inner: SignerState,
}

#[pymethods]
impl PySignerState {
    /// The signer's id.
    #[getter]
    fn signer_id(&self) -> &str {
        &self.inner.signer_id
    }
    /// True once this signer has signed.
    #[getter]
    fn signed(&self) -> bool {
        self.inner.signed
    }
    fn __repr__(&self) -> String {
        format!(
            "SignerState(signer_id={:?}, signed={})",
            self.inner.signer_id,
            if self.inner.signed { "True" } else { "False" }
        )
    }
}

/// The state of a session, as Signing.status() reads it (and wait()'s on_progress sees it).
#[pyclass(module = "signbridge", name = "SessionState", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySessionState {
    inner: SessionState,
}

#[pymethods]
impl PySessionState {
    /// The session, "<provider>:<id>".
    #[getter]
    fn id(&self) -> String {
        self.inner.id.to_string()
    }
    /// The provider that runs it.
    #[getter]
    fn provider<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        provider_to_py(py, self.inner.id.provider())
    }
    /// The provider's own id.
    #[getter]
    fn provider_id(&self) -> &str {
        self.inner.id.id()
    }
    /// Its state, the same vocabulary for every provider.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        status_to_py(py, &self.inner.status)
    }
    /// The state as the provider spelled it, for a state this version does not know.
    #[getter]
    fn status_text(&self) -> &str {
        self.inner.status.as_str()
    }
    /// Whether the session can no longer change.
    #[getter]
    fn is_terminal(&self) -> bool {
        self.inner.status.is_terminal()
    }
    /// Each signer and whether they have signed.
    #[getter]
    fn signers(&self) -> Vec<PySignerState> {
        self.inner
            .signers
            .iter()
            .map(|s| PySignerState { inner: s.clone() })
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "SessionState(id={:?}, status={:?}, signed={}/{})",
            self.inner.id.to_string(),
            self.inner.status.as_str(),
            self.inner.signers.iter().filter(|s| s.signed).count(),
            self.inner.signers.len()
        )
    }
}

/// One signed document of a CompletedSession.
#[pyclass(module = "signbridge", name = "SignedFile", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PySignedFile {
    inner: SignedFile,
}

#[pymethods]
impl PySignedFile {
    /// The id to pass to Signing.download().
    #[getter]
    fn document_id(&self) -> &str {
        &self.inner.document_id
    }
    /// The document's name.
    #[getter]
    fn name(&self) -> &str {
        &self.inner.name
    }
    fn __repr__(&self) -> String {
        format!(
            "SignedFile(document_id={:?}, name={:?})",
            self.inner.document_id, self.inner.name
        )
    }
}

/// A finished session and its signed documents (Signing.wait(), Signing.result()).
#[pyclass(module = "signbridge", name = "CompletedSession", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyCompletedSession {
    inner: CompletedSession,
}

#[pymethods]
impl PyCompletedSession {
    /// The session, "<provider>:<id>".
    #[getter]
    fn id(&self) -> String {
        self.inner.id.to_string()
    }
    /// The provider that ran it.
    #[getter]
    fn provider<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        provider_to_py(py, self.inner.id.provider())
    }
    /// The provider's own id.
    #[getter]
    fn provider_id(&self) -> &str {
        self.inner.id.id()
    }
    /// The signed documents, in order.
    #[getter]
    fn files(&self) -> Vec<PySignedFile> {
        self.inner
            .files
            .iter()
            .map(|f| PySignedFile { inner: f.clone() })
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "CompletedSession(id={:?}, files={})",
            self.inner.id.to_string(),
            self.inner.files.len()
        )
    }
}

// ---- the service ----------------------------------------------------------------------------

/// A session reference: "<provider>:<id>" text, or a result object of the session.
fn session_ref(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<SessionRef> {
    if let Ok(s) = obj.cast::<PyStartedSigningSession>() {
        return Ok(s.get().inner.id.clone());
    }
    if let Ok(s) = obj.cast::<PySessionState>() {
        return Ok(s.get().inner.id.clone());
    }
    if let Ok(s) = obj.cast::<PyCompletedSession>() {
        return Ok(s.get().inner.id.clone());
    }
    let text = convert::text(obj, "session").map_err(|_| {
        PyTypeError::new_err(
            "session must be a session id (\"onespan:...\" / \"zignsec:...\", as start() \
             returned it) or a StartedSigningSession, SessionState or CompletedSession",
        )
    })?;
    text.parse::<SessionRef>()
        .map_err(|e| errors::to_py(py, &e))
}

fn documents(obj: &Bound<'_, PyAny>) -> PyResult<Vec<SessionDocument>> {
    if obj.is_instance_of::<PyString>()
        || obj.hasattr("__fspath__")?
        || obj.cast::<PySessionDocument>().is_ok()
    {
        return Err(PyTypeError::new_err(
            "documents must be a list of SessionDocument objects or paths, not a single one",
        ));
    }
    let iter = obj.try_iter().map_err(|_| {
        PyTypeError::new_err("documents must be a list of SessionDocument objects or paths")
    })?;
    let mut out = Vec::new();
    for item in iter {
        let item = item?;
        if let Ok(d) = item.cast::<PySessionDocument>() {
            out.push(d.get().inner.clone());
        } else if item.is_instance_of::<PyString>() || item.hasattr("__fspath__")? {
            out.push(SessionDocument::from_path(item.extract::<PathBuf>()?));
        } else {
            return Err(PyTypeError::new_err(format!(
                "documents items must be SessionDocument objects or paths (str or \
                 os.PathLike), not {}",
                item.get_type().name()?
            )));
        }
    }
    Ok(out)
}

fn signers(obj: &Bound<'_, PyAny>) -> PyResult<Vec<SessionSigner>> {
    if obj.cast::<PySessionSigner>().is_ok() || obj.is_instance_of::<PyString>() {
        return Err(PyTypeError::new_err(
            "signers must be a list of SessionSigner objects, not a single value",
        ));
    }
    let iter = obj
        .try_iter()
        .map_err(|_| PyTypeError::new_err("signers must be a list of SessionSigner objects"))?;
    let mut out = Vec::new();
    for item in iter {
        let item = item?;
        match item.cast::<PySessionSigner>() {
            Ok(s) => out.push(s.get().inner.clone()),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "signers items must be SessionSigner objects, not {}",
                    item.get_type().name()?
                )))
            }
        }
    }
    Ok(out)
}

/// Provider options given as a dict, read with the core's own (strict) definition of `$t`.
macro_rules! options {
    ($py:expr, $obj:expr, $t:ty, $what:expr) => {
        match $obj.filter(|o| !o.is_none()) {
            None => Ok(None),
            Some(o) if !o.is_instance_of::<PyDict>() => Err(PyTypeError::new_err(format!(
                "{} must be a dict, not {}",
                $what,
                o.get_type().name()?
            ))),
            Some(o) => {
                let value = convert::to_json(o, $what)?;
                serde_json::from_value::<$t>(value).map(Some).map_err(|e| {
                    errors::new_err(
                        $py,
                        ErrorCode::InvalidArgument,
                        format!("{} options are not valid: {e}", $what),
                    )
                })
            }
        }
    };
}

/// Document signing over whichever provider the configuration chose (ZignSec BankID Norway or
/// OneSpan Sign): start() a session, send each signer to their link, wait(), save_all(). Every
/// call releases the GIL; wait() can be interrupted with Ctrl-C. Session ids name their provider
/// ("onespan:..."), so a later call (from any process or language) finds the session again.
#[pyclass(module = "signbridge", name = "Signing", frozen, subclass)]
pub struct PySigning {
    client: Py<PyClient>,
    provider: Option<Provider>,
}

impl PySigning {
    /// The service, or the error saying what the configuration lacks.
    pub(crate) fn service_of(
        py: Python<'_>,
        client: &PyClient,
        provider: Option<Provider>,
    ) -> PyResult<SigningService> {
        let core = client.core(py)?;
        match provider {
            Some(p) => core.signing_with(p),
            None => core.signing(),
        }
        .map_err(|e| errors::to_py(py, &e))
    }

    pub(crate) fn new(client: Py<PyClient>, provider: Option<Provider>) -> Self {
        PySigning { client, provider }
    }

    fn service(&self, py: Python<'_>) -> PyResult<SigningService> {
        PySigning::service_of(py, self.client.get(), self.provider)
    }
}

#[pymethods]
impl PySigning {
    /// The provider start() uses.
    #[getter]
    fn provider<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let svc = self.service(py)?;
        provider_to_py(py, svc.provider())
    }

    /// Create the session at the provider, upload every PDF and start it, in one call; returns
    /// where to send each signer. `documents` are SessionDocument objects or paths; `signers`
    /// SessionSigner objects (ZignSec takes exactly one; OneSpan needs e-mail addresses and
    /// signs in the given order). `title` names the session (OneSpan; default the first
    /// document's name), `locale` the signing pages' language, `redirect_success`,
    /// `redirect_cancel` and `redirect_error` where the browser goes afterwards (OneSpan uses
    /// `redirect_success` as its hand-over link).
    /// `zignsec` ({"relay_state", "gdpr_user_id", "webhook", "metadata"}) and `onespan`
    /// ({"description", "email_message", "due"}) are provider-only options. Everything is
    /// checked first: a bad PDF raises InvalidDocument, other bad input InvalidInput, and
    /// nothing is sent.
    #[pyo3(signature = (documents, signers, *, title = None, locale = None,
        redirect_success = None, redirect_cancel = None, redirect_error = None, zignsec = None,
        onespan = None))]
    #[allow(clippy::too_many_arguments)]
    fn start(
        &self,
        py: Python<'_>,
        documents: &Bound<'_, PyAny>,
        signers: &Bound<'_, PyAny>,
        title: Option<String>,
        locale: Option<String>,
        redirect_success: Option<String>,
        redirect_cancel: Option<String>,
        redirect_error: Option<String>,
        zignsec: Option<&Bound<'_, PyAny>>,
        onespan: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let session = NewSession {
                title,
                documents: self::documents(documents)?,
                signers: self::signers(signers)?,
                redirects: Redirects {
                    success: redirect_success,
                    cancel: redirect_cancel,
                    error: redirect_error,
                },
                locale,
                zignsec: options!(py, zignsec, ZignsecOptions, "zignsec")?,
                onespan: options!(py, onespan, OnespanOptions, "onespan")?,
                provider: None,
            };
            let svc = self.service(py)?;
            aio::finish(
                py,
                &self.client,
                async move { svc.start(&session).await },
                move |py, inner| PyStartedSigningSession { inner }.into_py_any(py),
            )
        })
    }

    /// Read a session's state (`session`: its id, or a result object of it).
    fn status(&self, py: Python<'_>, session: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = session_ref(py, session)?;
            let svc = self.service(py)?;
            aio::finish(
                py,
                &self.client,
                async move { svc.status(&id).await },
                move |py, inner| PySessionState { inner }.into_py_any(py),
            )
        })
    }

    /// Poll until the session is final and return its signed documents. The other final states
    /// raise, the same for every provider: declined or rejected SessionRejected (with the
    /// signer's reason when the provider gives one), expired SessionExpired, cancelled
    /// SessionCancelled, failed SigningFailed. `interval` and `timeout` are seconds (timeout
    /// None waits until a final state; reaching it raises TimedOut); `on_progress` is called
    /// with each SessionState polled; an exception it raises ends the wait and propagates.
    /// Ctrl-C ends the wait within a fraction of a second.
    #[pyo3(signature = (session, *, interval = 2.0, timeout = None, on_progress = None))]
    fn wait(
        &self,
        py: Python<'_>,
        session: &Bound<'_, PyAny>,
        interval: f64,
        timeout: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = session_ref(py, session)?;
            let progress = Progress::new(
                py,
                &self.client,
                interval,
                timeout,
                on_progress,
                |s: &SessionState| PySessionState { inner: s.clone() },
            )?;
            let opts = progress.opts.clone();
            let svc = self.service(py)?;
            let watch = progress.watch.clone();
            aio::finish(
                py,
                &self.client,
                async move {
                    let result = async move { svc.wait(&id, &opts).await }.await;
                    watch.finish(result.map_err(aio::Fail::from))
                },
                move |py, result| PyCompletedSession { inner: result }.into_py_any(py),
            )
        })
    }

    /// The outcome of a session read once, without waiting: a finished session's documents,
    /// the exception of an unsuccessful final state (as wait()), or ProviderError
    /// (SB_ERR_INVALID_STATE) while it is still going on.
    fn result(&self, py: Python<'_>, session: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = session_ref(py, session)?;
            let svc = self.service(py)?;
            aio::finish(
                py,
                &self.client,
                async move { svc.result(&id).await },
                move |py, inner| PyCompletedSession { inner }.into_py_any(py),
            )
        })
    }

    /// Download one signed document (`document_id` from CompletedSession.files, or the
    /// SignedFile itself), verified against the provider's checksum when it reports one.
    fn download<'py>(
        &self,
        py: Python<'py>,
        session: &Bound<'py, PyAny>,
        document: &Bound<'py, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            aio::warn_if_blocking_a_loop(py, &self.client, "download")?;
            let id = session_ref(py, session)?;
            let doc = match document.cast::<PySignedFile>() {
                Ok(f) => f.get().inner.document_id.clone(),
                Err(_) => convert::text(document, "document_id").map_err(|_| {
                    PyTypeError::new_err("document must be a document id (str) or a SignedFile")
                })?,
            };
            let svc = self.service(py)?;
            aio::finish(
                py,
                &self.client,
                async move { svc.download(&id, &doc).await },
                move |py, data| PyBytes::new(py, &data).into_py_any(py),
            )
        })
    }

    /// Save every signed document of a finished session (the CompletedSession from wait() or
    /// result()) into `dir` (str or os.PathLike, created if missing), verified and written
    /// atomically. Returns the paths written, as pathlib.Path objects, in order.
    fn save_all(
        &self,
        py: Python<'_>,
        done: &Bound<'_, PyAny>,
        dir: PathBuf,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            aio::warn_if_blocking_a_loop(py, &self.client, "save_all")?;
            let done = match done.cast::<PyCompletedSession>() {
                Ok(d) => d.get().inner.clone(),
                Err(_) => {
                    return Err(PyTypeError::new_err(format!(
                        "done must be the CompletedSession from wait() or result(), not {}",
                        done.get_type().name()?
                    )))
                }
            };
            let svc = self.service(py)?;
            aio::finish(
                py,
                &self.client,
                async move { svc.save_all(&done, &dir).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Stop a session still waiting for signers, where the provider allows it: OneSpan moves the
    /// transaction to the trash. ZignSec has no cancel call (InvalidInput).
    fn cancel(&self, py: Python<'_>, session: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let id = session_ref(py, session)?;
            let svc = self.service(py)?;
            aio::finish(
                py,
                &self.client,
                async move { svc.cancel(&id).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        match self.service(py) {
            Ok(s) => format!("Signing(provider={:?})", s.provider().as_str()),
            Err(_) => "Signing(unavailable)".to_string(),
        }
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PySigning>()?;
    m.add_class::<PySignatureField>()?;
    m.add_class::<PySessionDocument>()?;
    m.add_class::<PySessionSigner>()?;
    m.add_class::<PySignerLink>()?;
    m.add_class::<PyStartedSigningSession>()?;
    m.add_class::<PySignerState>()?;
    m.add_class::<PySessionState>()?;
    m.add_class::<PySignedFile>()?;
    m.add_class::<PyCompletedSession>()?;
    Ok(())
}
