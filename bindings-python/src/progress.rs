//! Progress callbacks and the waits that call them, for both kinds of client.
//!
//! A blocking `Client` calls the callback (with the GIL) as each state is polled. An
//! `AsyncClient` hands it to its event loop (`call_soon_threadsafe`), so the callback runs on the
//! loop's thread like any asyncio code; a callback that returns an awaitable (a coroutine
//! function) has it scheduled as a task. In both, an exception the callback raises ends the
//! call (the operation is cancelled) and is what the call raises.

use std::sync::{Arc, Mutex};

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyCFunction, PyTuple};
use signbridge::CancelToken;

use crate::aio::Fail;
use crate::client::PyClient;

/// The cancel token and the callback's first exception, shared by a call and its callback.
#[derive(Clone, Default)]
pub(crate) struct Watch {
    /// Cancels the core operation (a callback's exception does).
    pub(crate) cancel: CancelToken,
    error: Arc<Mutex<Option<PyErr>>>,
}

impl Watch {
    fn fail(&self, e: PyErr) {
        let mut s = self.error.lock().unwrap_or_else(|p| p.into_inner());
        s.get_or_insert(e);
        self.cancel.cancel();
    }

    /// The outcome of the call: the callback's exception first, else the core's result.
    pub(crate) fn finish<R>(&self, result: Result<R, Fail>) -> Result<R, Fail> {
        // On Ctrl-C or asyncio cancellation the future is already dropped; this is for clarity.
        self.cancel.cancel();
        let stored = self.error.lock().unwrap_or_else(|p| p.into_inner()).take();
        match stored {
            Some(e) => Err(Fail::Py(e)),
            None => result,
        }
    }
}

/// A user's `on_progress` callback.
pub(crate) struct Reporter {
    callback: Py<PyAny>,
    /// The running event loop of an `AsyncClient`'s call, and the dispatcher run on it.
    on_loop: Option<(Py<PyAny>, Py<PyAny>, Py<PyAny>)>,
    watch: Watch,
}

impl Reporter {
    /// The reporter of `callback` (None or absent: no reporter).
    pub(crate) fn new(
        py: Python<'_>,
        client: &Py<PyClient>,
        callback: Option<Py<PyAny>>,
        watch: &Watch,
    ) -> PyResult<Option<Arc<Reporter>>> {
        let Some(cb) = callback.filter(|c| !c.is_none(py)) else {
            return Ok(None);
        };
        if !cb.bind(py).is_callable() {
            return Err(PyTypeError::new_err("on_progress must be callable"));
        }
        let on_loop = if client.get().is_async() {
            let event_loop = py.import("asyncio")?.call_method0("get_running_loop")?;
            let dispatch = py.import("signbridge._aio")?.getattr("dispatch_progress")?;
            let w = watch.clone();
            let on_error = PyCFunction::new_closure(
                py,
                None,
                None,
                move |args: &Bound<'_, PyTuple>, _kw| -> PyResult<()> {
                    let e = PyErr::from_value(args.get_item(0)?);
                    w.fail(e);
                    Ok(())
                },
            )?;
            Some((
                event_loop.unbind(),
                dispatch.unbind(),
                on_error.into_any().unbind(),
            ))
        } else {
            None
        };
        Ok(Some(Arc::new(Reporter {
            callback: cb,
            on_loop,
            watch: watch.clone(),
        })))
    }

    /// Report one state (called on a thread of the runtime).
    pub(crate) fn report(&self, make: impl FnOnce(Python<'_>) -> PyResult<Py<PyAny>>) {
        Python::attach(|py| {
            let called = make(py).and_then(|arg| match &self.on_loop {
                None => self.callback.call1(py, (arg,)).map(|_| ()),
                Some((event_loop, dispatch, on_error)) => event_loop
                    .call_method1(
                        py,
                        "call_soon_threadsafe",
                        (dispatch, &self.callback, arg, on_error),
                    )
                    .map(|_| ()),
            });
            if let Err(e) = called {
                self.watch.fail(e);
            }
        })
    }
}
