//! The exception hierarchy and the `ErrorCode` `IntEnum`, both built from the core's tables
//! (`signbridge::ErrorClass::ALL`, `signbridge::ErrorCode::ALL`): this file lists neither.
//!
//! ```text
//! SignbridgeError(Exception)          every error signbridge raises; .code, .name, .http_status...
//! ├── InvalidInput                    1xx: bad argument, configuration, file
//! │   └── InvalidDocument             101: empty or not a PDF
//! ├── AuthError                       2xx: credentials missing, rejected or insufficient
//! │   ├── WebhookInvalid              203: a webhook's signature does not verify
//! │   └── WebhookReplay               204: a webhook replayed or out of tolerance
//! ├── TransportError                  3xx: network, TLS, protocol
//! │   ├── TimedOut                    302
//! │   ├── IntegrityError              304: checksum mismatch on download
//! │   └── OutcomeUnknown              305: a create whose answer was lost
//! ├── ProviderError                   4xx: the provider answered with an error
//! │   ├── NotFound                    401
//! │   └── RateLimited                 402 (see .retry_after)
//! ├── InvalidState                    403: not in a state that allows this (found locally
//! │                                   or by the provider)
//! ├── SessionError                    5xx: the signing session ended without success
//! │   ├── SessionCancelled            500
//! │   ├── SessionRejected             501
//! │   ├── SessionExpired              502
//! │   ├── SigningFailed               503
//! │   └── Aborted                     510: the caller aborted the operation
//! └── InternalError                   9xx: a bug in signbridge (a contained panic included)
//! ```

use std::collections::HashMap;

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};
use signbridge::{Error, ErrorClass, ErrorCode};

static CLASSES: PyOnceLock<HashMap<&'static str, Py<PyType>>> = PyOnceLock::new();

/// The exception classes, built once from the core's [`ErrorClass::ALL`] (names, parents and
/// docs are the core's; nothing is listed here).
fn classes(py: Python<'_>) -> PyResult<&HashMap<&'static str, Py<PyType>>> {
    CLASSES.get_or_try_init(py, || {
        let mut out: HashMap<&'static str, Py<PyType>> = HashMap::new();
        for c in ErrorClass::ALL {
            let base = match c.parent {
                Some(p) => out.get(p).map(|t| t.bind(py).clone()).ok_or_else(|| {
                    PyException::new_err(format!("{p} is not declared before {}", c.name))
                })?,
                None => py.get_type::<PyException>(),
            };
            let t = PyErr::new_type(
                py,
                &std::ffi::CString::new(format!("signbridge.{}", c.name))
                    .map_err(|e| PyException::new_err(e.to_string()))?,
                Some(
                    &std::ffi::CString::new(c.doc)
                        .map_err(|e| PyException::new_err(e.to_string()))?,
                ),
                Some(&base),
                None,
            )?;
            out.insert(c.name, t);
        }
        Ok::<_, PyErr>(out)
    })
}

/// The exception class called `name` (one of the core's [`ErrorClass`] names).
fn class_named<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    classes(py)?
        .get(name)
        .map(|t| t.bind(py).clone())
        .ok_or_else(|| PyException::new_err(format!("no exception class {name}")))
}

static ERROR_CODE_ENUM: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// The `ErrorCode` `IntEnum`, built once from [`ErrorCode::ALL`] (nothing is retyped).
pub fn error_code_enum(py: Python<'_>) -> PyResult<&Bound<'_, PyType>> {
    ERROR_CODE_ENUM
        .get_or_try_init(py, || {
            let members = PyList::empty(py);
            for c in ErrorCode::ALL {
                members.append((c.name(), c.as_i32()))?;
            }
            let kwargs = PyDict::new(py);
            kwargs.set_item("module", "signbridge")?;
            let cls = py
                .import("enum")?
                .getattr("IntEnum")?
                .call(("ErrorCode", members), Some(&kwargs))?;
            cls.setattr(
                "__doc__",
                "The stable error codes of signbridge, equal to the core's table (and to the C \
                 header's SB_* numbers).",
            )?;
            Ok::<_, PyErr>(cls.cast_into::<PyType>()?.unbind())
        })
        .map(|t| t.bind(py))
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let code = err.code();
    let inst = class_named(py, code.class())?.call1((err.to_string(),))?;
    inst.setattr("code", error_code_enum(py)?.call1((code.as_i32(),))?)?;
    inst.setattr("name", code.name())?;
    inst.setattr("message", err.message())?;
    inst.setattr("http_status", err.http_status())?;
    inst.setattr("provider_code", err.provider_code())?;
    inst.setattr("provider_description", err.provider_description())?;
    inst.setattr("retry_after", err.retry_after().map(|d| d.as_secs_f64()))?;
    inst.setattr("retryable", err.is_retryable())?;
    Ok(PyErr::from_value(inst))
}

/// Convert a core error into the matching Python exception, with every detail as attributes.
pub fn to_py(py: Python<'_>, err: &Error) -> PyErr {
    // Building the exception object can only fail when the interpreter is out of memory or
    // shutting down; the error of that failure is raised instead.
    build(py, err).unwrap_or_else(|e| e)
}

/// A core-style error raised from the binding itself (e.g. a closed client).
pub fn new_err(py: Python<'_>, code: ErrorCode, message: impl Into<String>) -> PyErr {
    to_py(py, &Error::new(code, message))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let codes = error_code_enum(py)?;
    m.add("ErrorCode", codes)?;
    // Class-level defaults, so the attributes exist even on an instance made by user code.
    let base = class_named(py, ErrorClass::ROOT)?;
    let internal = ErrorCode::Internal;
    base.setattr("code", codes.call1((internal.as_i32(),))?)?;
    base.setattr("name", internal.name())?;
    base.setattr("message", "")?;
    base.setattr("http_status", py.None())?;
    base.setattr("provider_code", py.None())?;
    base.setattr("provider_description", py.None())?;
    base.setattr("retry_after", py.None())?;
    base.setattr("retryable", false)?;
    for c in ErrorClass::ALL {
        m.add(c.name, class_named(py, c.name)?)?;
    }
    Ok(())
}
