//! Verifying pushed results: `WebhookVerifier`, `WebhookEvent` (with its `Identity`) and
//! `SIGNATURE_HEADER`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use signbridge::providers::zignsec::Identity;
use signbridge::webhook::{WebhookEvent, WebhookVerifier, SIGNATURE_HEADER};

use crate::convert;
use crate::errors;
use crate::run::boundary;
use crate::types::{opt_repr, status_to_py, PyProviderErrorItem};

/// Authenticates webhook deliveries with one call: `verify(header, raw_body)` checks the
/// `X-ZignSec-Hmac-SHA256: t=...,v1=...` signature (constant time, against any of the secrets,
/// so a secret can be rotated), the timestamp (within `tolerance` seconds of now) and replays,
/// then parses the body. Share one verifier per endpoint (it remembers accepted signatures);
/// it is thread-safe and never shows its secrets.
#[pyclass(module = "signbridge", name = "WebhookVerifier", frozen)]
pub struct PyWebhookVerifier {
    inner: WebhookVerifier,
    count: usize,
    tolerance: f64,
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

#[pymethods]
impl PyWebhookVerifier {
    /// A verifier accepting any of `secrets` (a list of str: give the old and the new one
    /// during a rotation). `tolerance` is the accepted distance in seconds between a delivery's
    /// timestamp and now (default 300, at most 86400: more raises InvalidInput). No secret, or
    /// an empty one, raises AuthError. `replay_store_url` shares the memory of accepted
    /// deliveries between instances behind a load balancer: `redis://[:password@]host[:port][/db]`
    /// (default: this process's memory); a bad URL raises ConfigError.
    #[new]
    #[pyo3(signature = (secrets, tolerance = 300.0, replay_store_url = None))]
    fn new(
        py: Python<'_>,
        secrets: &Bound<'_, PyAny>,
        tolerance: f64,
        replay_store_url: Option<String>,
    ) -> PyResult<Self> {
        boundary(py, || {
            if secrets.cast::<PyString>().is_ok()
                || secrets.cast::<PyBytes>().is_ok()
                || secrets.cast::<PyByteArray>().is_ok()
            {
                return Err(PyTypeError::new_err(
                    "secrets must be a list of str (e.g. [secret]), not a single value",
                ));
            }
            let list = convert::text_list(Some(secrets), "secrets")?;
            // A finite, positive tolerance beyond any duration gets the core's 24 h message.
            let tol = match convert::seconds(tolerance, "tolerance") {
                Ok(d) => d,
                Err(_) if tolerance.is_finite() && tolerance > 0.0 => std::time::Duration::MAX,
                Err(e) => return Err(e),
            };
            let count = list.len();
            let inner = WebhookVerifier::new(list.into_iter().map(Into::into).collect())
                .and_then(|v| v.with_tolerance(tol))
                .and_then(|v| match &replay_store_url {
                    Some(url) => v.with_replay_store_url(url),
                    None => Ok(v),
                })
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyWebhookVerifier {
                inner,
                count,
                tolerance,
            })
        })
    }

    /// Verify a v5 delivery and parse it. `signature_header` is the value of the
    /// X-ZignSec-Hmac-SHA256 header (signbridge.SIGNATURE_HEADER); `body` the raw request body
    /// exactly as received (bytes, bytearray or memoryview). Raises WebhookInvalid (answer 401)
    /// for a bad or malformed signature (tampered body, wrong secret), WebhookReplay (answer
    /// 400) for a timestamp out of tolerance or a delivery already accepted. A redelivery is
    /// signed anew, so it verifies.
    fn verify(
        &self,
        py: Python<'_>,
        signature_header: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<PyWebhookEvent> {
        boundary(py, || {
            // None (the request had no such header) is a missing header: WebhookInvalid.
            let header = if signature_header.is_none() {
                String::new()
            } else {
                convert::text(signature_header, "signature_header")?
            };
            let body = body_bytes(body)?;
            let inner = py
                .detach(|| self.inner.verify(&header, &body))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyWebhookEvent { inner })
        })
    }

    /// Verify a legacy (v2) delivery, whose header is hex(HMAC-SHA256(secret, body)), and parse
    /// it. That scheme has no timestamp, so no replay check: deduplicate by event yourself.
    /// Raises WebhookInvalid.
    fn verify_legacy(
        &self,
        py: Python<'_>,
        signature_header: &Bound<'_, PyAny>,
        body: &Bound<'_, PyAny>,
    ) -> PyResult<PyWebhookEvent> {
        boundary(py, || {
            // None (the request had no such header) is a missing header: WebhookInvalid.
            let header = if signature_header.is_none() {
                String::new()
            } else {
                convert::text(signature_header, "signature_header")?
            };
            let body = body_bytes(body)?;
            let inner = py
                .detach(|| self.inner.verify_legacy(&header, &body))
                .map_err(|e| errors::to_py(py, &e))?;
            Ok(PyWebhookEvent { inner })
        })
    }

    /// The accepted distance between a delivery's timestamp and now, in seconds.
    #[getter]
    fn tolerance(&self) -> f64 {
        self.tolerance
    }

    fn __repr__(&self) -> String {
        format!(
            "WebhookVerifier(secrets=[{} redacted], tolerance={})",
            self.count, self.tolerance
        )
    }
}

/// A verified webhook delivery.
#[pyclass(module = "signbridge", name = "WebhookEvent", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyWebhookEvent {
    pub(crate) inner: WebhookEvent,
}

#[pymethods]
impl PyWebhookEvent {
    /// The event name ("session_created", "session_finished"...).
    #[getter]
    fn event(&self) -> &str {
        &self.inner.event
    }
    /// The session id.
    #[getter]
    fn session_id(&self) -> Option<&str> {
        self.inner.session_id.as_deref()
    }
    /// The product that sent it ("Zignsec.v5....").
    #[getter]
    fn integration_id(&self) -> Option<&str> {
        self.inner.integration_id.as_deref()
    }
    /// Your relay_state, echoed.
    #[getter]
    fn relay_state(&self) -> Option<&str> {
        self.inner.relay_state.as_deref()
    }
    /// The session's state, when the event carries one.
    #[getter]
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        self.inner
            .status
            .as_ref()
            .map(|s| status_to_py(py, s))
            .transpose()
    }
    /// The state as the provider spelled it, when the event carries one.
    #[getter]
    fn status_text(&self) -> Option<&str> {
        self.inner.status.as_ref().map(|s| s.as_str())
    }
    /// Errors reported with the event.
    #[getter]
    fn errors(&self) -> Vec<PyProviderErrorItem> {
        provider_errors(&self.inner.errors)
    }
    /// The identified person, when the event carries one.
    #[getter]
    fn identity(&self) -> Option<PyIdentity> {
        identity(&self.inner.identity)
    }
    /// The workflow session id, for workflow products.
    #[getter]
    fn workflow_session_id(&self) -> Option<&str> {
        self.inner.workflow_session_id.as_deref()
    }
    /// The whole payload, as a new dict.
    #[getter]
    fn raw<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::json_to_py(py, &self.inner.raw)
    }
    fn __repr__(&self) -> String {
        format!(
            "WebhookEvent(event={:?}, session_id={}, status={}, relay_state={})",
            self.inner.event,
            opt_repr(&self.inner.session_id),
            opt_repr(&self.inner.status.as_ref().map(|s| s.as_str().to_string())),
            opt_repr(&self.inner.relay_state)
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("SIGNATURE_HEADER", SIGNATURE_HEADER)?;
    m.add_class::<PyIdentity>()?;
    m.add_class::<PyWebhookVerifier>()?;
    m.add_class::<PyWebhookEvent>()?;
    Ok(())
}

/// The identified person. Every field is None when the product did not report it.
#[pyclass(module = "signbridge", name = "Identity", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyIdentity {
    pub(crate) inner: Identity,
}

#[pymethods]
impl PyIdentity {
    /// Full name.
    #[getter]
    fn full_name(&self) -> Option<&str> {
        self.inner.full_name.as_deref()
    }
    /// First (given) name.
    #[getter]
    fn first_name(&self) -> Option<&str> {
        self.inner.first_name.as_deref()
    }
    /// Last (family) name.
    #[getter]
    fn last_name(&self) -> Option<&str> {
        self.inner.last_name.as_deref()
    }
    /// National identity number (personnummer, fødselsnummer, CPR...).
    #[getter]
    fn personal_number(&self) -> Option<&str> {
        self.inner.personal_number.as_deref()
    }
    /// Date of birth, "YYYY-MM-DD" as the provider gives it.
    #[getter]
    fn date_of_birth(&self) -> Option<&str> {
        self.inner.date_of_birth.as_deref()
    }
    /// ISO country code ("SE", "NO", "DK"...).
    #[getter]
    fn country_code(&self) -> Option<&str> {
        self.inner.country_code.as_deref()
    }
    /// Gender as reported.
    #[getter]
    fn gender(&self) -> Option<&str> {
        self.inner.gender.as_deref()
    }
    /// Age as reported.
    #[getter]
    fn age(&self) -> Option<u32> {
        self.inner.age
    }
    fn __repr__(&self) -> String {
        // The personal number and date of birth are personal data: not shown (nor logged).
        format!(
            "Identity(full_name={}, country_code={})",
            opt_repr(&self.inner.full_name),
            opt_repr(&self.inner.country_code)
        )
    }
}

pub(crate) fn identity(i: &Option<Identity>) -> Option<PyIdentity> {
    i.clone().map(|inner| PyIdentity { inner })
}

pub(crate) fn provider_errors(
    list: &[signbridge::providers::zignsec::ProviderErrorItem],
) -> Vec<PyProviderErrorItem> {
    list.iter()
        .map(|e| PyProviderErrorItem { inner: e.clone() })
        .collect()
}
