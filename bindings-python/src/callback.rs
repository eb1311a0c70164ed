//! OneSpan callbacks, which are no operation of the table (nothing is sent): `CallbackVerifier`
//! authenticates an incoming delivery and parses it, `parse_callback` parses one authenticated
//! otherwise; both give a `CallbackEvent`.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use signbridge::providers::onespan::{
    parse_callback_event, CallbackEvent, CallbackEventName, CallbackVerifier,
};

use crate::convert;
use crate::errors;
use crate::run::boundary;
use crate::types::opt_repr;

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
        let known = !matches!(self.inner.name, CallbackEventName::Other(_));
        crate::enums::enum_type(py, "CallbackEventName")?.call1((if known {
            self.inner.name.as_str()
        } else {
            "OTHER"
        },))
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
    /// client.onespan().register_callback()).
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

/// Add the callback classes to the module.
pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCallbackEvent>()?;
    m.add_class::<PyCallbackVerifier>()?;
    m.add_function(wrap_pyfunction!(parse_callback, m)?)?;
    Ok(())
}
