//! `Client`, and its accessors of the services: the facades generated from the operation
//! table (`signbridge._zignsec_signing`, `_signing`, `_securosys`) and the hand-written ones.

use std::sync::{Arc, RwLock};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple};
use signbridge::signing::Provider;
use signbridge::{Config, ErrorCode};

use crate::aio;
use crate::convert;
use crate::errors;
use crate::progress::{Reporter, Watch};
use crate::run::boundary;

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

    /// BankID Norway document signing through the ZignSec gateway: the facade generated from
    /// the operation table (`signbridge.ZignsecSigning`). Raises AuthError
    /// (SB_ERR_AUTH_CONFIG_MISSING) when the client has no "zignsec" section.
    fn zignsec_signing(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        facade(slf, "_zignsec_signing", "ZignsecSigning", |py, core| {
            let z = core.zignsec().map_err(|e| errors::to_py(py, &e))?;
            Ok(PyString::new(py, z.base_url()).into_any())
        })
    }

    /// Browser-based eID sessions through the ZignSec gateway (BankID SE, MitID, Freja eID,
    /// BankID NO, or any product by path): the facade generated from the `zignsec.eid_*`
    /// operations (`signbridge._zignsec_eid`).
    fn zignsec_eid(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        facade(slf, "_zignsec_eid", "ZignsecEid", |py, core| {
            let z = core.zignsec().map_err(|e| errors::to_py(py, &e))?;
            Ok(PyString::new(py, z.base_url()).into_any())
        })
    }

    /// The Securosys Primus HSM (TSB REST API): keys, signing with and without approvals,
    /// verification. Raises AuthError (SB_ERR_AUTH_CONFIG_MISSING) when the client has no
    /// "securosys" section.
    fn securosys(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        facade(slf, "_securosys", "Securosys", |py, core| {
            let hsm = core.securosys().map_err(|e| errors::to_py(py, &e))?;
            Ok(PyString::new(py, hsm.base_url()).into_any())
        })
    }

    /// Provider-neutral document signing: the same calls sign with ZignSec BankID Norway or
    /// OneSpan Sign. Without `provider` the configuration chooses ({"signing": {"provider":
    /// ...}}, else the only configured one); raises AuthError (SB_ERR_AUTH_CONFIG_MISSING) when
    /// that provider is not configured, InvalidInput when both are and none is chosen.
    /// The facade generated from the operation table (`signbridge.Signing`), whose `provider`
    /// starts new sessions.
    #[pyo3(signature = (provider = None))]
    fn signing(slf: &Bound<'_, Self>, provider: Option<&Bound<'_, PyAny>>) -> PyResult<Py<PyAny>> {
        let chosen = provider
            .filter(|p| !p.is_none())
            .map(|p| {
                let text = convert::text(p, "provider").map_err(|_| {
                    PyTypeError::new_err("provider must be a signbridge.Provider or str")
                })?;
                text.parse::<Provider>()
                    .map_err(|e| errors::to_py(slf.py(), &e))
            })
            .transpose()?;
        facade(slf, "_signing", "Signing", |py, core| {
            let service = match chosen {
                Some(p) => core.signing_with(p),
                None => core.signing(),
            }
            .map_err(|e| errors::to_py(py, &e))?;
            crate::enums::enum_type(py, "Provider")?.call1((service.provider().as_str(),))
        })
    }

    /// OneSpan Sign's own operations (transactions, downloads, audit, listing, callbacks): the
    /// facade generated from the `onespan.*` operations, with `packages()` over every page
    /// (`signbridge._onespan_pages`). Raises AuthError (SB_ERR_AUTH_CONFIG_MISSING) when the
    /// client has no "onespan" section.
    fn onespan(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        facade(slf, "_onespan_pages", "Onespan", |py, core| {
            let o = core.onespan().map_err(|e| errors::to_py(py, &e))?;
            Ok(PyString::new(py, o.base_url()).into_any())
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
            // A wait of the blocking client on an event loop's thread stops that loop.
            if signbridge::api::operation(operation).is_ok_and(|o| o.long_running) {
                aio::warn_if_blocking_a_loop(py, &this, operation)?;
            }
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

/// `client.<accessor>()` for a facade generated from the operation table: `class` of module
/// `signbridge.<module>` (its `Async…` twin for an `AsyncClient`), given the client and what
/// `property` reads from the core client (failing early when the provider is not configured).
fn facade(
    slf: &Bound<'_, PyClient>,
    module: &str,
    class: &str,
    property: impl for<'py> FnOnce(Python<'py>, &signbridge::Client) -> PyResult<Bound<'py, PyAny>>,
) -> PyResult<Py<PyAny>> {
    let py = slf.py();
    boundary(py, || {
        let core = slf.get().core(py)?;
        let value = property(py, &core)?;
        let class = if slf.get().is_async() {
            format!("Async{class}")
        } else {
            class.to_string()
        };
        let facade = py.import(format!("signbridge.{module}"))?.getattr(class)?;
        Ok(facade.call1((slf, value))?.unbind())
    })
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyClient>()?;
    Ok(())
}
