//! `AsyncClient`: the client for asyncio code (FastAPI, aiohttp, plain asyncio).

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use pyo3::PyClassInitializer;
use signbridge::Config;

use crate::aio::{self, Fail};
use crate::client::PyClient;
use crate::errors;
use crate::run::boundary;

/// A signbridge client for asyncio: the same configuration, services, methods and result types
/// as `Client`, but every call that talks to a service is a coroutine, awaited on the one shared
/// runtime (no thread per call). Cancelling the awaiting task cancels the operation.
///
/// `async with AsyncClient(...) as client:` closes it at the end of the block.
#[pyclass(module = "signbridge", name = "AsyncClient", extends = PyClient, frozen)]
pub struct PyAsyncClient;

fn ready(py: Python<'_>, value: Py<PyAny>) -> PyResult<Py<PyAny>> {
    aio::awaitable(py, async move { Ok::<_, Fail>(value) }, |_py, v| Ok(v))
}

#[pymethods]
impl PyAsyncClient {
    /// `AsyncClient(config)` with a dict (or its JSON text), or `AsyncClient(**config)`.
    #[new]
    #[pyo3(signature = (config = None, /, **kwargs))]
    fn new(
        py: Python<'_>,
        config: Option<&Bound<'_, PyAny>>,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<PyClassInitializer<Self>> {
        boundary(py, || {
            let cfg = PyClient::config_of(py, config, kwargs)?;
            Ok(PyClassInitializer::from(PyClient::build(py, cfg, true)?)
                .add_subclass(PyAsyncClient))
        })
    }

    /// An asyncio client configured from the `SIGNBRIDGE_*` environment variables.
    #[staticmethod]
    fn from_env(py: Python<'_>) -> PyResult<Py<PyAsyncClient>> {
        boundary(py, || {
            let cfg = Config::from_env().map_err(|e| errors::to_py(py, &e))?;
            let init = PyClassInitializer::from(PyClient::build(py, cfg, true)?)
                .add_subclass(PyAsyncClient);
            Py::new(py, init)
        })
    }

    /// Close the client (as `close()`), awaitable.
    fn aclose(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        slf.as_super().get().close();
        ready(py, py.None())
    }

    fn __aenter__(slf: &Bound<'_, Self>) -> PyResult<Py<PyAny>> {
        ready(slf.py(), slf.clone().into_any().unbind())
    }

    #[pyo3(signature = (*_args))]
    fn __aexit__(slf: &Bound<'_, Self>, _args: &Bound<'_, PyTuple>) -> PyResult<Py<PyAny>> {
        let py = slf.py();
        slf.as_super().get().close();
        ready(py, py.None())
    }

    fn __repr__(slf: &Bound<'_, Self>) -> String {
        format!("AsyncClient(closed={})", slf.as_super().get().is_closed())
    }
}

/// Add `AsyncClient` to the module (its services are the generated facades' asyncio classes).
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyAsyncClient>()
}
