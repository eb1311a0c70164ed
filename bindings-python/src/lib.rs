//! Python bindings of signbridge: the extension module `signbridge._native`.
//!
//! A thin translation of the core (DESIGN.md principle 1): arguments are converted in, the core's
//! blocking operation is run with the GIL released, results and errors are converted out. The
//! pure-Python package `signbridge` (in `python/`) re-exports what is defined here.
//!
//! * [`errors`]: the exception hierarchy and the `ErrorCode` `IntEnum`, both built from the core
//!   table.
//! * [`run`]: runs core futures on the shared runtime in slices, with the GIL released, checking
//!   for Ctrl-C between slices; the panic boundary.
//! * [`async_client`]: the asyncio client, `AsyncClient`.
//! * [`aio`]: the asyncio side: the same methods return awaitables for an `AsyncClient`.
//! * [`logbridge`]: forwards the core's `tracing` events to Python's `logging`.
//! * [`client`], [`types`], [`convert`]: the API objects, result objects and argument conversion.
//! * [`webhook`]: the webhook verifier.
//! * [`securosys`]: the Securosys Primus HSM (keys, signing with and without approvals).
//! * [`signing`]: the provider-neutral signing session (ZignSec or OneSpan by configuration).
//! * [`callback`]: OneSpan's callback verifier.
//!
//! `Client.securosys()`, `zignsec_eid()` and `onespan()` are Python facades generated from the
//! core's operation table (`python/signbridge/_securosys.py`, `_zignsec_eid.py`, `_onespan.py`),
//! each method a `Client.call`.

use pyo3::prelude::*;

pub mod aio;
pub mod async_client;
pub mod callback;
pub mod client;
pub mod convert;
pub mod enums;
pub mod errors;
pub mod logbridge;
pub mod progress;
pub mod run;
pub mod securosys;
pub mod types;
pub mod webhook;

/// `signbridge._native.error_codes()`: the core's error table as
/// `(name, number, retryable, message)` tuples, in numeric order.
#[pyfunction]
fn error_codes() -> Vec<(&'static str, i32, bool, &'static str)> {
    signbridge::ErrorCode::ALL
        .iter()
        .map(|c| (c.name(), c.as_i32(), c.is_retryable(), c.message()))
        .collect()
}

/// `signbridge._native.operations()`: the core's operation table (what `Client.call` runs) as
/// dicts `{"name", "summary", "request", "result", "long_running", "needs_client"}`.
#[pyfunction]
fn operations(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyAny>>> {
    signbridge::api::OPERATIONS
        .iter()
        .map(|op| convert::json_to_py(py, &op.listing()))
        .collect()
}

/// `signbridge.call(operation, request)`: an operation that needs no client (nothing is sent
/// anywhere), e.g. `"pdf.verify"` — a signed PDF verified without configuring a provider. The
/// request and result are dicts as for `Client.call` (`bytes` values go as base64 text in
/// `*_base64` fields). An operation that talks to a service raises `InvalidInput`.
#[pyfunction]
#[pyo3(signature = (operation, request = None))]
fn call(
    py: Python<'_>,
    operation: &str,
    request: Option<&Bound<'_, PyAny>>,
) -> PyResult<Py<PyAny>> {
    run::boundary(py, || {
        let value = match request {
            Some(r) => convert::to_json(r, "request")?,
            None => serde_json::Value::Null,
        };
        let name = operation.to_string();
        let out = run::run(py, async move {
            signbridge::api::call_standalone(&name, value).await
        })?;
        convert::json_to_py(py, &out).map(Bound::unbind)
    })
}

/// A deliberate panic inside the panic boundary, so the tests can prove that a panic becomes a
/// `SignbridgeError` with code `SB_ERR_PANIC` (not a `BaseException`).
#[pyfunction]
fn _debug_panic(py: Python<'_>) -> PyResult<()> {
    run::boundary(py, || -> PyResult<()> {
        panic!("deliberate panic requested by _debug_panic()")
    })
}

/// The extension module `signbridge._native`.
#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("__version__", signbridge::VERSION)?;
    m.add_function(wrap_pyfunction!(error_codes, m)?)?;
    m.add_function(wrap_pyfunction!(operations, m)?)?;
    m.add_function(wrap_pyfunction!(call, m)?)?;
    m.add_function(wrap_pyfunction!(_debug_panic, m)?)?;
    errors::register(m)?;
    enums::register(m)?;
    types::register(m)?;
    client::register(m)?;
    async_client::register(m)?;
    webhook::register(m)?;
    securosys::register(m)?;
    callback::register(m)?;
    logbridge::install(py)?;
    // pyo3 records every added name in `__all__`; the public names are those of the package
    // `signbridge`, so the private module keeps none (and its stub needs no copy of the list).
    if m.hasattr("__all__")? {
        m.delattr("__all__")?;
    }
    Ok(())
}
