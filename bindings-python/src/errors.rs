//! The exception hierarchy and the `ErrorCode` `IntEnum`, both derived from the core's table.
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
//! ├── SessionError                    5xx: the signing session ended without success
//! │   ├── SessionCancelled            500
//! │   ├── SessionRejected             501
//! │   ├── SessionExpired              502
//! │   ├── SigningFailed               503
//! │   └── Aborted                     510: the caller aborted the operation
//! └── InternalError                   9xx: a bug in signbridge (a contained panic included)
//! ```

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};
use signbridge::{Error, ErrorCode};

create_exception!(
    signbridge,
    SignbridgeError,
    PyException,
    "Every error raised by signbridge. Attributes: code (ErrorCode), name (str), message (str), \
     http_status (int | None), provider_code (str | None), provider_description (str | None), \
     retry_after (float seconds | None), retryable (bool)."
);
create_exception!(
    signbridge,
    InvalidInput,
    SignbridgeError,
    "A bad argument, configuration or local file (codes 1xx); nothing was sent."
);
create_exception!(
    signbridge,
    InvalidDocument,
    InvalidInput,
    "A document is empty or not a PDF (SB_ERR_INVALID_DOCUMENT)."
);
create_exception!(
    signbridge,
    AuthError,
    SignbridgeError,
    "Credentials are missing, were rejected or are not allowed to do this (codes 2xx)."
);
create_exception!(
    signbridge,
    WebhookInvalid,
    AuthError,
    "A webhook delivery's signature does not verify, or its header is malformed: tampered body \
     or wrong secret; answer 401 (SB_ERR_WEBHOOK_INVALID)."
);
create_exception!(
    signbridge,
    WebhookReplay,
    AuthError,
    "A webhook delivery was already accepted, or its timestamp is outside the tolerance; answer \
     400 (SB_ERR_WEBHOOK_REPLAY)."
);
create_exception!(
    signbridge,
    TransportError,
    SignbridgeError,
    "The network, TLS or the provider's answer failed (codes 3xx)."
);
create_exception!(
    signbridge,
    TimedOut,
    TransportError,
    "The operation did not finish in the time allowed (SB_ERR_TIMEOUT)."
);
create_exception!(
    signbridge,
    IntegrityError,
    TransportError,
    "A download does not match the checksum the provider reported (SB_ERR_INTEGRITY)."
);
create_exception!(
    signbridge,
    OutcomeUnknown,
    TransportError,
    "A request that creates something was sent but its answer was lost: it may or may not have \
     taken effect, so it was not retried (SB_ERR_OUTCOME_UNKNOWN)."
);
create_exception!(
    signbridge,
    ProviderError,
    SignbridgeError,
    "The provider answered with an error (codes 4xx)."
);
create_exception!(
    signbridge,
    NotFound,
    ProviderError,
    "The provider does not know the session, file, key or request (SB_ERR_NOT_FOUND)."
);
create_exception!(
    signbridge,
    RateLimited,
    ProviderError,
    "The provider is rate limiting; see retry_after (SB_ERR_RATE_LIMITED)."
);
create_exception!(
    signbridge,
    SessionError,
    SignbridgeError,
    "The signing session ended without success, or waiting for it was aborted (codes 5xx)."
);
create_exception!(
    signbridge,
    SessionCancelled,
    SessionError,
    "The signer cancelled the signing session, or an HSM request was cancelled (SB_ERR_CANCELLED)."
);
create_exception!(
    signbridge,
    SessionRejected,
    SessionError,
    "The signing session was declined, or the approvers rejected an HSM request (SB_ERR_REJECTED)."
);
create_exception!(
    signbridge,
    SessionExpired,
    SessionError,
    "The session, its files or an HSM request expired at the provider (SB_ERR_SESSION_EXPIRED)."
);
create_exception!(
    signbridge,
    SigningFailed,
    SessionError,
    "The signing session or HSM request failed at the provider (SB_ERR_SIGNING_FAILED)."
);
create_exception!(
    signbridge,
    Aborted,
    SessionError,
    "The caller aborted the operation (SB_ERR_ABORTED)."
);
create_exception!(
    signbridge,
    InternalError,
    SignbridgeError,
    "A bug in signbridge, including a contained panic (codes 9xx)."
);

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

/// The exception class for a code: the most precise one, else the one of its range.
fn class_for(py: Python<'_>, code: ErrorCode) -> Bound<'_, PyType> {
    match code {
        ErrorCode::InvalidDocument => py.get_type::<InvalidDocument>(),
        ErrorCode::Timeout => py.get_type::<TimedOut>(),
        ErrorCode::Integrity => py.get_type::<IntegrityError>(),
        ErrorCode::OutcomeUnknown => py.get_type::<OutcomeUnknown>(),
        ErrorCode::WebhookInvalid => py.get_type::<WebhookInvalid>(),
        ErrorCode::WebhookReplay => py.get_type::<WebhookReplay>(),
        ErrorCode::NotFound => py.get_type::<NotFound>(),
        ErrorCode::RateLimited => py.get_type::<RateLimited>(),
        ErrorCode::Cancelled => py.get_type::<SessionCancelled>(),
        ErrorCode::Rejected => py.get_type::<SessionRejected>(),
        ErrorCode::SessionExpired => py.get_type::<SessionExpired>(),
        ErrorCode::SigningFailed => py.get_type::<SigningFailed>(),
        ErrorCode::Aborted => py.get_type::<Aborted>(),
        other => match other.as_i32() / 100 {
            1 => py.get_type::<InvalidInput>(),
            2 => py.get_type::<AuthError>(),
            3 => py.get_type::<TransportError>(),
            4 => py.get_type::<ProviderError>(),
            5 => py.get_type::<SessionError>(),
            9 => py.get_type::<InternalError>(),
            _ => py.get_type::<SignbridgeError>(),
        },
    }
}

fn build(py: Python<'_>, err: &Error) -> PyResult<PyErr> {
    let code = err.code();
    let inst = class_for(py, code).call1((err.to_string(),))?;
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
    let base = py.get_type::<SignbridgeError>();
    let internal = ErrorCode::Internal;
    base.setattr("code", codes.call1((internal.as_i32(),))?)?;
    base.setattr("name", internal.name())?;
    base.setattr("message", "")?;
    base.setattr("http_status", py.None())?;
    base.setattr("provider_code", py.None())?;
    base.setattr("provider_description", py.None())?;
    base.setattr("retry_after", py.None())?;
    base.setattr("retryable", false)?;
    m.add("SignbridgeError", base)?;
    m.add("InvalidInput", py.get_type::<InvalidInput>())?;
    m.add("InvalidDocument", py.get_type::<InvalidDocument>())?;
    m.add("AuthError", py.get_type::<AuthError>())?;
    m.add("WebhookInvalid", py.get_type::<WebhookInvalid>())?;
    m.add("WebhookReplay", py.get_type::<WebhookReplay>())?;
    m.add("TransportError", py.get_type::<TransportError>())?;
    m.add("TimedOut", py.get_type::<TimedOut>())?;
    m.add("IntegrityError", py.get_type::<IntegrityError>())?;
    m.add("OutcomeUnknown", py.get_type::<OutcomeUnknown>())?;
    m.add("ProviderError", py.get_type::<ProviderError>())?;
    m.add("NotFound", py.get_type::<NotFound>())?;
    m.add("RateLimited", py.get_type::<RateLimited>())?;
    m.add("SessionError", py.get_type::<SessionError>())?;
    m.add("SessionCancelled", py.get_type::<SessionCancelled>())?;
    m.add("SessionRejected", py.get_type::<SessionRejected>())?;
    m.add("SessionExpired", py.get_type::<SessionExpired>())?;
    m.add("SigningFailed", py.get_type::<SigningFailed>())?;
    m.add("Aborted", py.get_type::<Aborted>())?;
    m.add("InternalError", py.get_type::<InternalError>())?;
    Ok(())
}
