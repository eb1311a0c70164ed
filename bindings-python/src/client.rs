//! `Client` and the ZignSec signing service `ZignsecSigning`.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};
use pyo3::IntoPyObjectExt;
use signbridge::providers::zignsec::{
    CreateSigning, Document, FileToSign, SigningApi, SigningStatus, StartSigning,
};
use signbridge::{Config, ErrorCode};

use crate::aio;
use crate::convert;
use crate::errors;
use crate::progress::{Progress, Reporter, Watch};
use crate::run::{boundary, run};
use crate::types::{
    PyDocument, PyFileRef, PyFileToSign, PySigningSession, PySigningStatus, PyStartedSession,
    PyStartedSigning, PyUploadedFile,
};

/// A signbridge client, built from the one configuration schema (keyword arguments or a dict).
///
/// Thread-safe; one client can be shared by every thread. Usable as a context manager: leaving
/// the `with` block closes it (later calls raise `InvalidInput`).
#[pyclass(module = "signbridge", name = "Client", frozen, subclass)]
pub struct PyClient {
    inner: RwLock<Option<signbridge::Client>>,
    /// Whether this is an `AsyncClient`: its services' methods return awaitables.
    aio: bool,
}

impl PyClient {
    /// Whether close() was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.inner
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_none()
    }

    /// Whether this client's calls are awaited (an `AsyncClient`).
    pub(crate) fn is_async(&self) -> bool {
        self.aio
    }

    pub(crate) fn core(&self, py: Python<'_>) -> PyResult<signbridge::Client> {
        let guard = self.inner.read().unwrap_or_else(|p| p.into_inner());
        guard.clone().ok_or_else(|| {
            errors::new_err(
                py,
                ErrorCode::InvalidArgument,
                "this client is closed; create a new signbridge.Client",
            )
        })
    }

    pub(crate) fn build(py: Python<'_>, config: Config, aio: bool) -> PyResult<PyClient> {
        let client = signbridge::Client::new(config).map_err(|e| errors::to_py(py, &e))?;
        Ok(PyClient {
            inner: RwLock::new(Some(client)),
            aio,
        })
    }

    /// The configuration given as one dict (or its JSON text) or as keyword arguments.
    pub(crate) fn config_of(
        py: Python<'_>,
        config: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Config> {
        let kwargs = kwargs.filter(|k| !k.is_empty());
        let cfg = match (config, kwargs) {
            (Some(_), Some(_)) => {
                return Err(PyTypeError::new_err(
                    "give the configuration either as one dict or as keyword arguments, \
                     not both",
                ))
            }
            (Some(c), None) if c.cast::<PyString>().is_ok() => {
                Config::from_json(&c.cast::<PyString>()?.to_cow()?)
            }
            (Some(c), None) => {
                if !c.is_instance_of::<PyDict>() && !c.hasattr("keys")? {
                    return Err(PyTypeError::new_err(format!(
                        "config must be a dict (or JSON text), not {}",
                        c.get_type().name()?
                    )));
                }
                Config::from_value(convert::to_json(c, "")?)
            }
            (None, Some(k)) => Config::from_value(convert::to_json(k.as_any(), "")?),
            (None, None) => Config::from_value(serde_json::json!({})),
        };
        cfg.map_err(|e| errors::to_py(py, &e))
    }
}

#[pymethods]
impl PyClient {
    /// `Client(config)` with a dict (or its JSON text), or `Client(**config)` with keyword
    /// arguments: `zignsec={"base_url": ..., "keys": [...]}`, `transport={...}`.
    #[new]
    #[pyo3(signature = (config = None, /, **kwargs))]
    fn new(
        py: Python<'_>,
        config: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        boundary(py, || {
            let cfg = PyClient::config_of(py, config, kwargs)?;
            PyClient::build(py, cfg, false)
        })
    }

    /// A client configured from the `SIGNBRIDGE_*` environment variables.
    #[staticmethod]
    fn from_env(py: Python<'_>) -> PyResult<Self> {
        boundary(py, || {
            let cfg = Config::from_env().map_err(|e| errors::to_py(py, &e))?;
            PyClient::build(py, cfg, false)
        })
    }

    /// BankID Norway document signing through the ZignSec gateway.
    fn zignsec_signing(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        boundary(py, || {
            // Fails early when ZignSec is not configured.
            let core = slf.get().core(py)?;
            core.zignsec().map_err(|e| errors::to_py(py, &e))?;
            let client = slf.clone().unbind();
            let base = PyZignsecSigning {
                client: client.clone_ref(py),
            };
            base.into_service(py, &client)
        })
    }

    /// Browser-based eID sessions through the ZignSec gateway (BankID SE, MitID, Freja eID,
    /// BankID NO, or any product by path): the facade generated from the `zignsec.eid_*`
    /// operations (`signbridge._zignsec_eid`).
    fn zignsec_eid(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        facade(slf, "signbridge._zignsec_eid", "ZignsecEid", |c| {
            c.zignsec().map(|z| z.base_url().to_string())
        })
    }

    /// The Securosys Primus HSM (TSB REST API): keys, signing with and without approvals,
    /// verification. Raises AuthError (SB_ERR_AUTH_CONFIG_MISSING) when the client has no
    /// "securosys" section.
    fn securosys(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        facade(slf, "signbridge._securosys", "Securosys", |c| {
            c.securosys().map(|s| s.base_url().to_string())
        })
    }

    /// Provider-neutral document signing: the same calls sign with ZignSec BankID Norway or
    /// OneSpan Sign. Without `provider` the configuration chooses ({"signing": {"provider":
    /// ...}}, else the only configured one); raises AuthError (SB_ERR_AUTH_CONFIG_MISSING) when
    /// that provider is not configured, InvalidInput when both are and none is chosen.
    #[pyo3(signature = (provider = None))]
    fn signing(slf: &Bound<'_, Self>, provider: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        boundary(py, || {
            let provider = provider
                .filter(|p| !p.is_none())
                .map(|p| crate::signing::provider(py, p))
                .transpose()?;
            crate::signing::PySigning::service_of(py, slf.get(), provider)?;
            let client = slf.clone().unbind();
            let base = crate::signing::PySigning::new(client.clone_ref(py), provider);
            base.into_service(py, &client)
        })
    }

    /// OneSpan Sign's own operations (transactions, downloads, audit, listing, callbacks): the
    /// facade generated from the `onespan.*` operations, with `packages()` over every page
    /// (`signbridge._onespan_pages`). Raises AuthError (SB_ERR_AUTH_CONFIG_MISSING) when the
    /// client has no "onespan" section.
    fn onespan(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        facade(slf, "signbridge._onespan_pages", "Onespan", |c| {
            c.onespan().map(|o| o.base_url().to_string())
        })
    }

    /// Run an operation of the core's operation table by name (`"securosys.create_key"`; see
    /// `signbridge.operations()`), with a dict request; its result as a dict. `bytes` values
    /// are sent as base64 text (fields named `*_base64`). `on_progress` (long-running
    /// operations) is called with each polled state as a dict; Ctrl-C interrupts the call.
    #[pyo3(signature = (operation, request = None, *, on_progress = None))]
    fn call(
        slf: &Bound<'_, Self>,
        operation: &str,
        request: Option<&Bound<'_, PyAny>>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        boundary(py, || {
            let value = match request {
                Some(r) => convert::to_json(r, "request")?,
                None => serde_json::Value::Null,
            };
            let this = slf.clone().unbind();
            let client = slf.get().core(py)?;
            let watch = Watch::default();
            let mut ctx = signbridge::api::CallContext {
                cancel: Some(watch.cancel.clone()),
                progress: None,
            };
            if let Some(reporter) = Reporter::new(py, &this, on_progress, &watch)? {
                ctx.progress = Some(Arc::new(move |state: &serde_json::Value| {
                    reporter.report(|py| convert::json_to_py(py, state).map(Bound::unbind))
                }));
            }
            let name = operation.to_string();
            let fut = async move {
                let result = client.call(&name, value, &ctx).await;
                watch.finish(result.map_err(aio::Fail::from))
            };
            aio::finish(py, &this, fut, |py, out| {
                convert::json_to_py(py, &out).map(Bound::unbind)
            })
        })
    }

    /// Release the client. Calls made afterwards (through it or its services) raise
    /// `InvalidInput`. Closing twice is harmless.
    pub(crate) fn close(&self) {
        let mut guard = self.inner.write().unwrap_or_else(|p| p.into_inner());
        *guard = None;
    }

    /// Whether close() was called.
    #[getter]
    fn closed(&self) -> bool {
        self.is_closed()
    }

    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) -> bool {
        self.close();
        false
    }

    fn __repr__(&self) -> String {
        format!("Client(closed={})", self.closed())
    }
}

/// A provider's facade generated from the operation table: `module.class` (`Async{class}` for
/// an `AsyncClient`) over this client, with the service's base URL; the error of `base_url`
/// (SB_ERR_AUTH_CONFIG_MISSING when the provider is not configured) is raised at once.
fn facade(
    slf: &Bound<'_, PyClient>,
    module: &str,
    class: &str,
    base_url: impl FnOnce(&signbridge::Client) -> signbridge::Result<String>,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    boundary(py, || {
        let core = slf.get().core(py)?;
        let url = base_url(&core).map_err(|e| errors::to_py(py, &e))?;
        let class = if slf.get().is_async() {
            format!("Async{class}")
        } else {
            class.to_string()
        };
        let facade = py.import(module)?.getattr(class.as_str())?;
        Ok(facade.call1((slf, url))?.unbind())
    })
}

/// BankID Norway signing through ZignSec: create a session, upload PDFs, start, send the signer
/// to the redirect URL, wait, download. Every call releases the GIL; wait() can be interrupted
/// with Ctrl-C.
#[pyclass(module = "signbridge", name = "ZignsecSigning", frozen, subclass)]
pub struct PyZignsecSigning {
    client: Py<PyClient>,
}

impl PyZignsecSigning {
    fn api(&self, py: Python<'_>) -> PyResult<SigningApi> {
        let core = self.client.get().core(py)?;
        let z = core.zignsec().map_err(|e| errors::to_py(py, &e))?;
        Ok(z.signing())
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn create_request(
    locale: Option<String>,
    redirect_success: Option<String>,
    redirect_failure: Option<String>,
    relay_state: Option<String>,
    gdpr_user_id: Option<String>,
    webhook: Option<String>,
    metadata: Option<&Bound<'_, PyAny>>,
) -> PyResult<CreateSigning> {
    let mut req = CreateSigning {
        locale,
        redirect_success,
        redirect_failure,
        relay_state,
        gdpr_user_id,
        webhook,
        ..CreateSigning::default()
    };
    if let Some(m) = metadata.filter(|m| !m.is_none()) {
        if !m.is_instance_of::<PyDict>() {
            return Err(PyTypeError::new_err(format!(
                "metadata must be a dict, not {}",
                m.get_type().name()?
            )));
        }
        req.metadata = convert::to_json(m, "metadata")?;
    }
    Ok(req)
}

pub(crate) fn session_id(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    convert::text(obj, "session_id")
}

#[pymethods]
impl PyZignsecSigning {
    /// Create a signing session. Every argument is optional; redirect URLs and webhook must be
    /// absolute http(s) URLs; metadata is a dict.
    #[pyo3(signature = (*, locale = None, redirect_success = None, redirect_failure = None,
        relay_state = None, gdpr_user_id = None, webhook = None, metadata = None))]
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        py: Python<'_>,
        locale: Option<String>,
        redirect_success: Option<String>,
        redirect_failure: Option<String>,
        relay_state: Option<String>,
        gdpr_user_id: Option<String>,
        webhook: Option<String>,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let req = create_request(
                locale,
                redirect_success,
                redirect_failure,
                relay_state,
                gdpr_user_id,
                webhook,
                metadata,
            )?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.create(&req).await },
                move |py, inner| PySigningSession { inner }.into_py_any(py),
            )
        })
    }

    /// Upload one PDF from memory (bytes, bytearray or memoryview). It is checked locally first:
    /// an empty or non-PDF document raises InvalidDocument before anything is sent.
    fn upload_bytes(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        name: &Bound<'_, PyAny>,
        data: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let sid = self::session_id(session_id)?;
            let name = convert::text(name, "name")?;
            let data = convert::to_bytes(data, "data")?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.upload_bytes(&sid, &name, data).await },
                move |py, inner| PyUploadedFile { inner }.into_py_any(py),
            )
        })
    }

    /// Upload one PDF from a file (str or os.PathLike).
    fn upload_path(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        path: PathBuf,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let sid = self::session_id(session_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.upload_path(&sid, &path).await },
                move |py, inner| PyUploadedFile { inner }.into_py_any(py),
            )
        })
    }

    /// Start signing uploaded files. `files` items are file ids (str), UploadedFile objects
    /// or FileToSign objects (with a placement). Returns where to send the signer.
    #[pyo3(signature = (session_id, files, *, redirect_success = None, redirect_failure = None))]
    fn start(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        files: &Bound<'_, PyAny>,
        redirect_success: Option<String>,
        redirect_failure: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let sid = self::session_id(session_id)?;
            if files.is_instance_of::<PyString>() {
                return Err(PyTypeError::new_err(
                    "files must be a list of file ids, UploadedFile or FileToSign objects, \
                     not a single str",
                ));
            }
            let mut list = Vec::new();
            for item in files.try_iter().map_err(|_| {
                PyTypeError::new_err("files must be a list of file ids, UploadedFile or FileToSign")
            })? {
                let item = item?;
                let f = if let Ok(s) = item.cast::<PyString>() {
                    FileToSign {
                        file_id: s.to_cow()?.into_owned(),
                        placement: None,
                    }
                } else if let Ok(u) = item.cast::<PyUploadedFile>() {
                    FileToSign {
                        file_id: u.get().inner.file_id.clone(),
                        placement: None,
                    }
                } else if let Ok(f) = item.cast::<PyFileToSign>() {
                    f.get().inner.clone()
                } else {
                    return Err(PyTypeError::new_err(format!(
                        "files items must be str, UploadedFile or FileToSign, not {}",
                        item.get_type().name()?
                    )));
                };
                list.push(f);
            }
            let req = StartSigning {
                files: list,
                redirect_success,
                redirect_failure,
            };
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.start(&sid, &req).await },
                move |py, inner| PyStartedSigning { inner }.into_py_any(py),
            )
        })
    }

    /// Create a session, upload every document and start signing, in one call. `documents`
    /// items are Document objects or paths (str or os.PathLike); the keyword arguments are those
    /// of create().
    #[pyo3(signature = (documents, *, locale = None, redirect_success = None,
        redirect_failure = None, relay_state = None, gdpr_user_id = None, webhook = None,
        metadata = None))]
    #[allow(clippy::too_many_arguments)]
    fn sign_documents(
        &self,
        py: Python<'_>,
        documents: &Bound<'_, PyAny>,
        locale: Option<String>,
        redirect_success: Option<String>,
        redirect_failure: Option<String>,
        relay_state: Option<String>,
        gdpr_user_id: Option<String>,
        webhook: Option<String>,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let req = create_request(
                locale,
                redirect_success,
                redirect_failure,
                relay_state,
                gdpr_user_id,
                webhook,
                metadata,
            )?;
            if documents.is_instance_of::<PyString>() || documents.hasattr("__fspath__")? {
                return Err(PyTypeError::new_err(
                    "documents must be a list of Document objects or paths, not a single path",
                ));
            }
            let iter = documents.try_iter().map_err(|_| {
                PyTypeError::new_err("documents must be a list of Document objects or paths")
            })?;
            let mut docs: Vec<Document> = Vec::new();
            for item in iter {
                let item = item?;
                if let Ok(d) = item.cast::<PyDocument>() {
                    docs.push(d.get().to_core());
                } else if item.is_instance_of::<PyString>() || item.hasattr("__fspath__")? {
                    let path: PathBuf = item.extract()?;
                    docs.push(run(py, Document::from_path(path, None))?);
                } else {
                    return Err(PyTypeError::new_err(format!(
                        "documents items must be Document objects or paths, not {}",
                        item.get_type().name()?
                    )));
                }
            }
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.sign_documents(&req, &docs).await },
                move |py, inner| PyStartedSession { inner }.into_py_any(py),
            )
        })
    }

    /// Read the session's current state.
    fn status(&self, py: Python<'_>, session_id: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let sid = self::session_id(session_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.status(&sid).await },
                move |py, inner| PySigningStatus { inner }.into_py_any(py),
            )
        })
    }

    /// Poll until the session is final and return its state when FINISHED. Cancelled,
    /// rejected, expired and failed sessions raise SessionCancelled, SessionRejected,
    /// SessionExpired and SigningFailed. `interval` and `timeout` are seconds (timeout None waits
    /// until a final state; reaching it raises TimedOut); `on_progress` is called with each
    /// SigningStatus polled; an exception it raises ends the wait and propagates. Ctrl-C
    /// (KeyboardInterrupt) ends the wait within a fraction of a second.
    #[pyo3(signature = (session_id, *, interval = 2.0, timeout = None, on_progress = None))]
    fn wait(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        interval: f64,
        timeout: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let sid = self::session_id(session_id)?;
            let progress = Progress::new(
                py,
                &self.client,
                interval,
                timeout,
                on_progress,
                |s: &SigningStatus| PySigningStatus { inner: s.clone() },
            )?;
            let opts = progress.opts.clone();
            let api = self.api(py)?;
            let watch = progress.watch.clone();
            aio::finish(
                py,
                &self.client,
                async move {
                    let result = async move { api.wait(&sid, &opts).await }.await;
                    watch.finish(result.map_err(aio::Fail::from))
                },
                move |py, result| PySigningStatus { inner: result }.into_py_any(py),
            )
        })
    }

    /// Handle the signer's browser coming back to your redirect URL (`returned_url`, full or
    /// just its query), like ZignsecEid.complete_redirect(): a cancel or error in it raises its
    /// exception (SessionCancelled...) without a request; a relay_state other than
    /// `expected_relay_state` or another session id raises InvalidInput; otherwise the finished
    /// session's SigningStatus.
    #[pyo3(signature = (session_id, returned_url, expected_relay_state = None))]
    fn complete_redirect(
        &self,
        py: Python<'_>,
        session_id: &Bound<'_, PyAny>,
        returned_url: &Bound<'_, PyAny>,
        expected_relay_state: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let sid = self::session_id(session_id)?;
            let url = convert::text(returned_url, "returned_url")?;
            let expected = expected_relay_state
                .filter(|e| !e.is_none())
                .map(|e| convert::text(e, "expected_relay_state"))
                .transpose()?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.complete_redirect(&sid, &url, expected.as_deref()).await },
                move |py, inner| PySigningStatus { inner }.into_py_any(py),
            )
        })
    }

    /// Download a file (a FileRef from status() or wait()), verified against the md5 the
    /// gateway reported. Returns the bytes.
    fn download<'py>(&self, py: Python<'py>, file: &Bound<'py, PyFileRef>) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            aio::warn_if_blocking_a_loop(py, &self.client, "download")?;
            let f = file.get().inner.clone();
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.download(&f).await },
                move |py, data| PyBytes::new(py, &data).into_py_any(py),
            )
        })
    }

    /// Download a file by ids, without md5 check. Returns the bytes.
    fn download_file<'py>(
        &self,
        py: Python<'py>,
        session_id: &Bound<'py, PyAny>,
        file_id: &Bound<'py, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            aio::warn_if_blocking_a_loop(py, &self.client, "download_file")?;
            let sid = self::session_id(session_id)?;
            let fid = convert::text(file_id, "file_id")?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.download_file(&sid, &fid).await },
                move |py, data| PyBytes::new(py, &data).into_py_any(py),
            )
        })
    }

    /// Download a file to `path` (str or os.PathLike), atomically and verified; on error
    /// nothing is left at `path`. Returns the number of bytes written.
    fn download_to(
        &self,
        py: Python<'_>,
        file: &Bound<'_, PyFileRef>,
        path: PathBuf,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            aio::warn_if_blocking_a_loop(py, &self.client, "download_to")?;
            let f = file.get().inner.clone();
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.download_to(&f, &path).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    /// Save every signed file of a FINISHED session (the SigningStatus from wait()) into `dir`
    /// (created if missing). Returns the paths written, as pathlib.Path objects.
    fn save_signed_files(
        &self,
        py: Python<'_>,
        state: &Bound<'_, PySigningStatus>,
        dir: PathBuf,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            aio::warn_if_blocking_a_loop(py, &self.client, "save_signed_files")?;
            let s = state.get().inner.clone();
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.save_signed_files(&s, &dir).await },
                |py, v| v.into_py_any(py),
            )
        })
    }

    fn __repr__(&self) -> String {
        "ZignsecSigning()".to_string()
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyClient>()?;
    m.add_class::<PyZignsecSigning>()?;
    Ok(())
}
