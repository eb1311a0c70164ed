//! Running core operations from Python: the GIL is released, the future runs on the shared
//! runtime in slices so Ctrl-C is noticed, and panics become `SignbridgeError(SB_ERR_PANIC)`.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

use pyo3::prelude::*;
use signbridge::ErrorCode;

use crate::aio::Fail;
use crate::errors;
use crate::logbridge;

/// How long the GIL stays released before pending signals (Ctrl-C) are checked.
pub const SLICE: Duration = Duration::from_millis(100);

/// Run `f` inside a panic boundary: a panic becomes `SignbridgeError` with code `SB_ERR_PANIC`
/// (pyo3 would raise `PanicException`, a `BaseException` that `except Exception` misses).
pub fn boundary<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(panic_err(py, payload.as_ref())),
    }
}

pub(crate) fn panic_err(py: Python<'_>, payload: &(dyn std::any::Any + Send)) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    errors::new_err(
        py,
        ErrorCode::Panic,
        format!("signbridge panicked ({what}); the panic was contained, please report it"),
    )
}

/// Run a core future to completion on the shared runtime with the GIL released.
///
/// The future is polled in slices of [`SLICE`]; between slices the GIL is taken back to forward
/// log records and to run Python's signal handlers. When a handler raises (`KeyboardInterrupt`
/// on Ctrl-C), the future is dropped, which cancels the operation, and the exception propagates.
pub fn run<T, E, F>(py: Python<'_>, fut: F) -> PyResult<T>
where
    F: Future<Output = Result<T, E>> + Send,
    E: Into<Fail> + Send,
    T: Send,
{
    // A pending Ctrl-C may be raised by the Python code of `logging`: nothing was started yet.
    logbridge::refresh_level(py)?;
    let mut fut = std::pin::pin!(fut);
    loop {
        let step = py.detach(|| {
            catch_unwind(AssertUnwindSafe(|| {
                signbridge::runtime::block_on(async {
                    tokio::time::timeout(SLICE, fut.as_mut()).await
                })
            }))
        });
        // A Ctrl-C raised while the records were handed to `logging` ends the call like one
        // noticed between slices (returning drops the future, which cancels the operation).
        logbridge::flush(py)?;
        match step {
            Err(payload) => return Err(panic_err(py, payload.as_ref())),
            Ok(Err(e)) => return Err(errors::to_py(py, &e)),
            Ok(Ok(Ok(Ok(out)))) => return Ok(out),
            Ok(Ok(Ok(Err(e)))) => return Err(e.into().into_py(py)),
            Ok(Ok(Err(_elapsed))) => py.check_signals()?,
        }
    }
}
