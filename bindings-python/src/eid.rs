//! Browser-based eID sessions: `ZignsecEid`, `EidProduct`, `EidSession`, `EidResult`,
//! `Identity`, `RedirectOutcome` and `parse_redirect()`.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::aio;
use pyo3::types::PyDict;
use signbridge::providers::zignsec::{
    BankIdSeOptions, EidApi, EidProduct, EidResult, EidSession, FrejaOptions, Identity,
    MitIdOptions, RedirectOutcome,
};

use crate::client::{create_request, session_id, PyClient};
use crate::convert;
use crate::errors;
use crate::progress::Progress;
use crate::run::boundary;
use crate::types::{opt_repr, status_to_py, PyProviderErrorItem};

/// Which eID product a session is for, and so which gateway paths create and read it. Build one
/// with the static constructors; pass the same product to create (or a helper), result(),
/// wait() and complete_redirect().
#[pyclass(module = "signbridge", name = "EidProduct", frozen, eq, hash)]
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PyEidProduct {
    pub(crate) inner: EidProduct,
}

#[pymethods]
impl PyEidProduct {
    /// BankID Sweden identification (`identity_verification/bankid_se`).
    #[staticmethod]
    fn bankid_se() -> Self {
        PyEidProduct {
            inner: EidProduct::bankid_se(),
        }
    }
    /// MitID (Denmark) identification (`identity_verification/mitid`).
    #[staticmethod]
    fn mitid() -> Self {
        PyEidProduct {
            inner: EidProduct::mitid(),
        }
    }
    /// MitID identification with a CPR-number match (`match_cpr/mitid`).
    #[staticmethod]
    fn mitid_cpr_match() -> Self {
        PyEidProduct {
            inner: EidProduct::mitid_cpr_match(),
        }
    }
    /// Freja eID identification by SSN (`identity_verification/freja_id_ssn`).
    #[staticmethod]
    fn freja() -> Self {
        PyEidProduct {
            inner: EidProduct::freja(),
        }
    }
    /// BankID Norway identification (`/api/v5/sessions/bankidno/auth`).
    #[staticmethod]
    fn bankid_no() -> Self {
        PyEidProduct {
            inner: EidProduct::bankid_no(),
        }
    }
    /// Any "core sessions" product: `POST /core/api/sessions/{category}/{product}`. Raises
    /// InvalidInput for a segment that is not a plain identifier.
    #[staticmethod]
    fn core(
        py: Python<'_>,
        category: &Bound<'_, PyAny>,
        product: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let category = convert::text(category, "category")?;
        let product = convert::text(product, "product")?;
        let inner = EidProduct::core(&category, &product).map_err(|e| errors::to_py(py, &e))?;
        Ok(PyEidProduct { inner })
    }
    /// Any newer-style product: `POST /api/v5/sessions/{provider}/{operation}`.
    #[staticmethod]
    fn v5(
        py: Python<'_>,
        provider: &Bound<'_, PyAny>,
        operation: &Bound<'_, PyAny>,
    ) -> PyResult<Self> {
        let provider = convert::text(provider, "provider")?;
        let operation = convert::text(operation, "operation")?;
        let inner = EidProduct::v5(&provider, &operation).map_err(|e| errors::to_py(py, &e))?;
        Ok(PyEidProduct { inner })
    }
    /// The path (under the gateway) that creates a session.
    #[getter]
    fn create_path(&self) -> &str {
        &self.inner.create_path
    }
    /// The path prefix that reads a session (the id is appended).
    #[getter]
    fn result_prefix(&self) -> &str {
        &self.inner.result_prefix
    }
    fn __repr__(&self) -> String {
        format!("EidProduct(create_path={:?})", self.inner.create_path)
    }
}

fn product(obj: &Bound<'_, PyAny>) -> PyResult<EidProduct> {
    match obj.cast::<PyEidProduct>() {
        Ok(p) => Ok(p.get().inner.clone()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "product must be an EidProduct (e.g. signbridge.EidProduct.bankid_se()), not {}",
            obj.get_type().name()?
        ))),
    }
}

/// A created eID session: send the user's browser to redirect_url.
#[pyclass(module = "signbridge", name = "EidSession", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyEidSession {
    pub(crate) inner: EidSession,
}

#[pymethods]
impl PyEidSession {
    /// The session id, used for every later call.
    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    /// Send the user's browser here (an iframe works too).
    #[getter]
    fn redirect_url(&self) -> &str {
        &self.inner.redirect_url
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
            "EidSession(id={:?}, redirect_url={:?}, status={:?})",
            self.inner.id,
            self.inner.redirect_url,
            self.inner.status.as_str()
        )
    }
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

/// The state and result of an eID session, as result() and wait() return it.
#[pyclass(module = "signbridge", name = "EidResult", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyEidResult {
    pub(crate) inner: EidResult,
}

#[pymethods]
impl PyEidResult {
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
        provider_errors(&self.inner.errors)
    }
    /// The identified person, once FINISHED.
    #[getter]
    fn identity(&self) -> Option<PyIdentity> {
        identity(&self.inner.identity)
    }
    /// The product's whole `result` object as a new dict (empty when the gateway sent none), for
    /// fields without a typed accessor.
    #[getter]
    fn raw_result<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        if self.inner.raw_result.is_null() {
            return Ok(PyDict::new(py).into_any());
        }
        convert::json_to_py(py, &self.inner.raw_result)
    }
    fn __repr__(&self) -> String {
        format!(
            "EidResult(id={:?}, status={:?}, relay_state={})",
            self.inner.id,
            self.inner.status.as_str(),
            opt_repr(&self.inner.relay_state)
        )
    }
}

/// What the browser's return to your target URL says: success with relay_state, or an error
/// (errorCode/errorText, or the OAuth-style error/error_description).
#[pyclass(module = "signbridge", name = "RedirectOutcome", frozen, eq)]
#[derive(Clone, PartialEq)]
pub struct PyRedirectOutcome {
    pub(crate) inner: RedirectOutcome,
}

#[pymethods]
impl PyRedirectOutcome {
    /// True when the URL carries no error parameter.
    #[getter]
    fn success(&self) -> bool {
        self.inner.success
    }
    /// relay_state from the URL, if any.
    #[getter]
    fn relay_state(&self) -> Option<&str> {
        self.inner.relay_state.as_deref()
    }
    /// session_id from the URL, if any.
    #[getter]
    fn session_id(&self) -> Option<&str> {
        self.inner.session_id.as_deref()
    }
    /// errorCode (e.g. "CANCELLED", "DECLINED") or the OAuth-style error ("access_denied").
    #[getter]
    fn error_code(&self) -> Option<&str> {
        self.inner.error_code.as_deref()
    }
    /// errorText or error_description.
    #[getter]
    fn error_text(&self) -> Option<&str> {
        self.inner.error_text.as_deref()
    }
    /// The exception this outcome stands for (SessionCancelled, SessionRejected...), or None on
    /// success. It is returned, not raised.
    fn error(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.inner
            .error()
            .map(|e| errors::to_py(py, &e).into_value(py).into_any())
    }
    fn __repr__(&self) -> String {
        format!(
            "RedirectOutcome(success={}, relay_state={}, session_id={}, error_code={})",
            if self.inner.success { "True" } else { "False" },
            opt_repr(&self.inner.relay_state),
            opt_repr(&self.inner.session_id),
            opt_repr(&self.inner.error_code)
        )
    }
}

/// Read the URL the browser came back to (a full URL, or just its "?query") without any request.
/// Raises InvalidInput when it cannot be parsed.
#[pyfunction]
pub fn parse_redirect(py: Python<'_>, url: &Bound<'_, PyAny>) -> PyResult<PyRedirectOutcome> {
    boundary(py, || {
        let url = convert::text(url, "url")?;
        let inner = RedirectOutcome::parse(&url).map_err(|e| errors::to_py(py, &e))?;
        Ok(PyRedirectOutcome { inner })
    })
}

/// Browser-based eID sessions through ZignSec: create a session (for any product, or with a
/// typed helper), send the user to its redirect_url, then get the result by polling (wait()),
/// from the browser's return (complete_redirect()) or from a webhook (WebhookVerifier). Every
/// call releases the GIL; wait() can be interrupted with Ctrl-C.
#[pyclass(module = "signbridge", name = "ZignsecEid", frozen, subclass)]
pub struct PyZignsecEid {
    client: Py<PyClient>,
}

impl PyZignsecEid {
    pub(crate) fn new(client: Py<PyClient>) -> Self {
        PyZignsecEid { client }
    }

    fn api(&self, py: Python<'_>) -> PyResult<EidApi> {
        let core = self.client.get().core(py)?;
        let z = core.zignsec().map_err(|e| errors::to_py(py, &e))?;
        Ok(z.eid())
    }
}

#[pymethods]
impl PyZignsecEid {
    /// Create a session for any product with the common envelope. Every keyword is optional;
    /// redirect URLs and webhook must be absolute http(s) URLs; metadata is a dict (the
    /// product's own fields).
    #[pyo3(signature = (product, *, locale = None, redirect_success = None,
        redirect_failure = None, relay_state = None, gdpr_user_id = None, webhook = None,
        metadata = None))]
    #[allow(clippy::too_many_arguments)]
    fn create(
        &self,
        py: Python<'_>,
        product: &Bound<'_, PyAny>,
        locale: Option<String>,
        redirect_success: Option<String>,
        redirect_failure: Option<String>,
        relay_state: Option<String>,
        gdpr_user_id: Option<String>,
        webhook: Option<String>,
        metadata: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let product = self::product(product)?;
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
                async move { api.create(&product, &req).await },
                move |py, inner| PyEidSession { inner }.into_py_any(py),
            )
        })
    }

    /// BankID Sweden identification. With personal_number (12 digits) only that person may
    /// identify.
    #[pyo3(signature = (*, locale = None, redirect_success = None, redirect_failure = None,
        relay_state = None, gdpr_user_id = None, webhook = None, metadata = None,
        personal_number = None))]
    #[allow(clippy::too_many_arguments)]
    fn bankid_se(
        &self,
        py: Python<'_>,
        locale: Option<String>,
        redirect_success: Option<String>,
        redirect_failure: Option<String>,
        relay_state: Option<String>,
        gdpr_user_id: Option<String>,
        webhook: Option<String>,
        metadata: Option<&Bound<'_, PyAny>>,
        personal_number: Option<String>,
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
            let opts = BankIdSeOptions { personal_number };
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.bankid_se(&req, &opts).await },
                move |py, inner| PyEidSession { inner }.into_py_any(py),
            )
        })
    }

    /// MitID identification: action ("LogOn" by default), level ("Low", "Substantial",
    /// "High"), language ("En", "Da", "Kl"), requested_attributes (a list of str). With
    /// cpr_number (10 digits) the session is a CPR match (read it with
    /// EidProduct.mitid_cpr_match()).
    #[pyo3(signature = (*, locale = None, redirect_success = None, redirect_failure = None,
        relay_state = None, gdpr_user_id = None, webhook = None, metadata = None,
        action = None, level = None, language = None, requested_attributes = None,
        cpr_number = None))]
    #[allow(clippy::too_many_arguments)]
    fn mitid(
        &self,
        py: Python<'_>,
        locale: Option<String>,
        redirect_success: Option<String>,
        redirect_failure: Option<String>,
        relay_state: Option<String>,
        gdpr_user_id: Option<String>,
        webhook: Option<String>,
        metadata: Option<&Bound<'_, PyAny>>,
        action: Option<String>,
        level: Option<String>,
        language: Option<String>,
        requested_attributes: Option<&Bound<'_, PyAny>>,
        cpr_number: Option<String>,
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
            let opts = MitIdOptions {
                action,
                level,
                language,
                requested_attributes: convert::text_list(
                    requested_attributes,
                    "requested_attributes",
                )?,
                cpr_number,
            };
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.mitid(&req, &opts).await },
                move |py, inner| PyEidSession { inner }.into_py_any(py),
            )
        })
    }

    /// Freja eID identification by SSN: country ("SE", "NO", "FI" or "DK") and ssn are
    /// required; attributes_to_return (a list of str) and min_registration_level ("BASIC",
    /// "EXTENDED", "PLUS") are optional.
    #[pyo3(signature = (*, country, ssn, locale = None, redirect_success = None,
        redirect_failure = None, relay_state = None, gdpr_user_id = None, webhook = None,
        metadata = None, attributes_to_return = None, min_registration_level = None))]
    #[allow(clippy::too_many_arguments)]
    fn freja(
        &self,
        py: Python<'_>,
        country: String,
        ssn: String,
        locale: Option<String>,
        redirect_success: Option<String>,
        redirect_failure: Option<String>,
        relay_state: Option<String>,
        gdpr_user_id: Option<String>,
        webhook: Option<String>,
        metadata: Option<&Bound<'_, PyAny>>,
        attributes_to_return: Option<&Bound<'_, PyAny>>,
        min_registration_level: Option<String>,
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
            let opts = FrejaOptions {
                country,
                ssn,
                attributes_to_return: convert::text_list(
                    attributes_to_return,
                    "attributes_to_return",
                )?,
                min_registration_level,
            };
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.freja(&req, &opts).await },
                move |py, inner| PyEidSession { inner }.into_py_any(py),
            )
        })
    }

    /// BankID Norway identification.
    #[pyo3(signature = (*, locale = None, redirect_success = None, redirect_failure = None,
        relay_state = None, gdpr_user_id = None, webhook = None, metadata = None))]
    #[allow(clippy::too_many_arguments)]
    fn bankid_no(
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
                async move { api.bankid_no(&req).await },
                move |py, inner| PyEidSession { inner }.into_py_any(py),
            )
        })
    }

    /// Read a session's state and result once (no waiting).
    fn result(
        &self,
        py: Python<'_>,
        product: &Bound<'_, PyAny>,
        session_id: &Bound<'_, PyAny>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let product = self::product(product)?;
            let sid = self::session_id(session_id)?;
            let api = self.api(py)?;
            aio::finish(
                py,
                &self.client,
                async move { api.result(&product, &sid).await },
                move |py, inner| PyEidResult { inner }.into_py_any(py),
            )
        })
    }

    /// Poll (every 2 s by default, as the provider recommends) until the session is final and
    /// return its result when FINISHED. Cancelled, declined, expired and failed sessions raise
    /// SessionCancelled, SessionRejected, SessionExpired and SigningFailed. `interval` and
    /// `timeout` are seconds (timeout None waits until a final state; reaching it raises
    /// TimedOut); `on_progress` is called with each EidResult polled; an exception it raises
    /// ends the wait and propagates. Ctrl-C ends the wait within a fraction of a second.
    #[pyo3(signature = (product, session_id, *, interval = 2.0, timeout = None,
        on_progress = None))]
    fn wait(
        &self,
        py: Python<'_>,
        product: &Bound<'_, PyAny>,
        session_id: &Bound<'_, PyAny>,
        interval: f64,
        timeout: Option<f64>,
        on_progress: Option<Py<PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let product = self::product(product)?;
            let sid = self::session_id(session_id)?;
            let progress = Progress::new(
                py,
                &self.client,
                interval,
                timeout,
                on_progress,
                |r: &EidResult| PyEidResult { inner: r.clone() },
            )?;
            let opts = progress.opts.clone();
            let api = self.api(py)?;
            let watch = progress.watch.clone();
            aio::finish(
                py,
                &self.client,
                async move {
                    let result = async move { api.wait(&product, &sid, &opts).await }.await;
                    watch.finish(result.map_err(aio::Fail::from))
                },
                move |py, result| PyEidResult { inner: result }.into_py_any(py),
            )
        })
    }

    /// Handle the browser's return to your target URL (`returned_url`, full or just its query):
    /// a cancel or error in it raises its exception (SessionCancelled, SessionRejected...)
    /// without a request; a relay_state other than `expected_relay_state` or another session id
    /// raises InvalidInput (that browser did not come from your session); otherwise the final
    /// result is fetched and returned.
    #[pyo3(signature = (product, session_id, returned_url, expected_relay_state = None))]
    fn complete_redirect(
        &self,
        py: Python<'_>,
        product: &Bound<'_, PyAny>,
        session_id: &Bound<'_, PyAny>,
        returned_url: &Bound<'_, PyAny>,
        expected_relay_state: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Py<PyAny>> {
        boundary(py, || {
            let product = self::product(product)?;
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
                async move {
                    api.complete_redirect(&product, &sid, &url, expected.as_deref())
                        .await
                },
                move |py, inner| PyEidResult { inner }.into_py_any(py),
            )
        })
    }

    fn __repr__(&self) -> String {
        "ZignsecEid()".to_string()
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyZignsecEid>()?;
    m.add_class::<PyEidProduct>()?;
    m.add_class::<PyEidSession>()?;
    m.add_class::<PyEidResult>()?;
    m.add_class::<PyIdentity>()?;
    m.add_class::<PyRedirectOutcome>()?;
    m.add_function(wrap_pyfunction!(parse_redirect, m)?)?;
    Ok(())
}
