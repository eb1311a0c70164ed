//! What the services still written by hand share: the session status as the `SessionStatus`
//! enum and the gateway's error items (`ProviderErrorItem`).

use pyo3::prelude::*;
use pyo3::types::PyType;
use signbridge::providers::zignsec::ProviderErrorItem;
use signbridge::SessionStatus;

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

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyProviderErrorItem>()?;
    Ok(())
}
