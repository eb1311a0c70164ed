//! asyncio: the same core futures, awaited instead of blocked on.
//!
//! Every method of a service ends in [`finish`]: for a `Client` it runs the future to completion
//! with the GIL released ([`crate::run::run`]); for an `AsyncClient` it returns an asyncio
//! awaitable whose future runs on the one shared runtime (no thread per call). Cancelling the
//! awaiting task drops the core future, which cancels the operation: a wait stops polling, an
//! upload stops sending, a download being saved removes its temporary file.
//!
//! The bridge is `pyo3-async-runtimes`' generic one, given the core's runtime (which is rebuilt
//! in a child after `fork()`, so the crate's own `tokio` runtime cell is not used).

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use futures_util::FutureExt;
use pyo3::exceptions::PyRuntimeWarning;
use pyo3::prelude::*;
use pyo3_async_runtimes::generic::{self, ContextExt, JoinError, Runtime};
use pyo3_async_runtimes::TaskLocals;
use signbridge::ErrorCode;

use crate::client::PyClient;
use crate::errors;
use crate::logbridge;
use crate::run::{panic_err, run};

/// Why a call failed: the core's error, or a Python exception (a progress callback's, or one
/// raised while converting the result).
pub enum Fail {
    /// An error of the core, converted with its code and class.
    Core(signbridge::Error),
    /// A Python exception, raised as it is.
    Py(PyErr),
}

impl From<signbridge::Error> for Fail {
    fn from(e: signbridge::Error) -> Self {
        Fail::Core(e)
    }
}

impl From<PyErr> for Fail {
    fn from(e: PyErr) -> Self {
        Fail::Py(e)
    }
}

impl Fail {
    /// The exception to raise.
    pub fn into_py(self, py: Python<'_>) -> PyErr {
        match self {
            Fail::Core(e) => errors::to_py(py, &e),
            Fail::Py(e) => e,
        }
    }
}

/// A call's outcome, converted into a Python object (or exception) only when the bridge hands
/// it to the event loop, with the GIL held.
struct Deferred(Box<Convert>);

/// Turns an outcome into the Python object (or exception) the awaiting task gets.
type Convert = dyn FnOnce(Python<'_>) -> PyResult<Py<PyAny>> + Send;

impl<'py> IntoPyObject<'py> for Deferred {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        (self.0)(py).map(|o| o.into_bound(py))
    }
}

/// The core's shared runtime, as `pyo3-async-runtimes` sees a runtime.
struct SharedRuntime;

/// A task that ended without finishing: a task of the shared runtime (panicked or aborted), or
/// a completion that panicked.
enum TaskEnded {
    Task(tokio::task::JoinError),
    Panicked(Box<dyn Any + Send + 'static>),
}

impl JoinError for TaskEnded {
    fn is_panic(&self) -> bool {
        match self {
            TaskEnded::Task(e) => e.is_panic(),
            TaskEnded::Panicked(_) => true,
        }
    }
    fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        match self {
            TaskEnded::Task(e) => e.into_panic(),
            TaskEnded::Panicked(p) => p,
        }
    }
}

type Job = Box<dyn FnOnce() + Send>;

/// The completion thread of this process: `(pid, its queue)`. Completions (setting an asyncio
/// future's result) all need the GIL, so one thread runs them in turn: a burst of a thousand
/// finished calls costs no thread each, and no runtime worker ever waits for the GIL. It is
/// started again in a child after `fork()`.
static COMPLETER: std::sync::Mutex<Option<(u32, std::sync::mpsc::Sender<Job>)>> =
    std::sync::Mutex::new(None);

fn complete(job: Job) -> Result<(), Job> {
    let pid = std::process::id();
    let mut slot = COMPLETER.lock().unwrap_or_else(|p| p.into_inner());
    if !matches!(&*slot, Some((p, _)) if *p == pid) {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        let started = std::thread::Builder::new()
            .name("signbridge-asyncio".into())
            .spawn(move || {
                for job in rx {
                    job();
                }
            });
        if started.is_err() {
            return Err(job);
        }
        *slot = Some((pid, tx));
    }
    match &*slot {
        Some((_, tx)) => tx.send(job).map_err(|e| e.0),
        None => Err(job),
    }
}

type Joined = Pin<Box<dyn Future<Output = Result<(), TaskEnded>> + Send>>;

impl Runtime for SharedRuntime {
    type JoinError = TaskEnded;
    type JoinHandle = Joined;

    fn spawn<F>(fut: F) -> Joined
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let task = signbridge::runtime::spawn(fut);
        Box::pin(async move { task.await.map_err(TaskEnded::Task) })
    }

    fn spawn_blocking<F>(f: F) -> Joined
    where
        F: FnOnce() + Send + 'static,
    {
        let (done_tx, done_rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(f));
            let _ = done_tx.send(outcome.map_err(TaskEnded::Panicked));
        });
        if let Err(job) = complete(job) {
            // No completion thread (it could not be started): a thread of the runtime's pool.
            let task = signbridge::runtime::runtime().spawn_blocking(job);
            return Box::pin(async move { task.await.map_err(TaskEnded::Task) });
        }
        Box::pin(async move {
            done_rx.await.unwrap_or_else(|_| {
                Err(TaskEnded::Panicked(Box::new("the completion was dropped")))
            })
        })
    }
}

tokio::task_local! {
    static LOCALS: OnceLock<TaskLocals>;
}

impl ContextExt for SharedRuntime {
    fn scope<F, R>(locals: TaskLocals, fut: F) -> Pin<Box<dyn Future<Output = R> + Send>>
    where
        F: Future<Output = R> + Send + 'static,
    {
        let cell = OnceLock::new();
        let _ = cell.set(locals);
        Box::pin(LOCALS.scope(cell, fut))
    }

    fn get_task_locals() -> Option<TaskLocals> {
        LOCALS.try_with(|c| c.get().cloned()).unwrap_or_default()
    }
}

/// The end of every service method: run `fut` and convert its output with `wrap` (called with
/// the GIL). For a blocking client this returns the converted result; for an asyncio client an
/// awaitable that resolves to it.
pub(crate) fn finish<T, E, F, W>(
    py: Python<'_>,
    client: &Py<PyClient>,
    fut: F,
    wrap: W,
) -> PyResult<Py<PyAny>>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    E: Into<Fail> + Send + 'static,
    T: Send + 'static,
    W: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    if !client.get().is_async() {
        let out = run(py, fut)?;
        return wrap(py, out);
    }
    awaitable(py, fut, wrap)
}

/// An asyncio awaitable of `fut`, its output converted with `wrap` (called with the GIL).
/// Needs a running event loop.
pub(crate) fn awaitable<T, E, F, W>(py: Python<'_>, fut: F, wrap: W) -> PyResult<Py<PyAny>>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    E: Into<Fail> + Send + 'static,
    T: Send + 'static,
    W: FnOnce(Python<'_>, T) -> PyResult<Py<PyAny>> + Send + 'static,
{
    // A pending Ctrl-C may be raised by the Python code of `logging`: nothing was started yet.
    logbridge::refresh_level(py)?;
    let fut = async move {
        let outcome = AssertUnwindSafe(fut).catch_unwind().await;
        // Converted where the bridge sets the asyncio future's result, with the GIL, on the one
        // completion thread (see `SharedRuntime::spawn_blocking`).
        Ok::<_, PyErr>(Deferred(Box::new(move |py: Python<'_>| {
            // Records logged during the call reach `logging` before the result is seen.
            let flushed = logbridge::flush(py);
            let out = match outcome {
                Err(payload) => Err(panic_err(py, payload.as_ref())),
                Ok(Err(e)) => Err(e.into().into_py(py)),
                Ok(Ok(value)) => wrap(py, value),
            };
            flushed.and(out)
        })))
    };
    let awaitable = generic::future_into_py::<SharedRuntime, _, _>(py, fut).map_err(|e| {
        if e.is_instance_of::<pyo3::exceptions::PyRuntimeError>(py) {
            errors::new_err(
                py,
                ErrorCode::InvalidArgument,
                "an AsyncClient call needs a running asyncio event loop: call it inside a \
                 coroutine (`await client...`), or use signbridge.Client in synchronous code",
            )
        } else {
            e
        }
    })?;
    Ok(awaitable.unbind())
}

/// Whether the calling thread runs an asyncio event loop right now. Without asyncio imported
/// no loop can run, and nothing is imported here. An exception raised meanwhile (a pending
/// Ctrl-C's `KeyboardInterrupt`) is returned, never swallowed.
pub(crate) fn in_event_loop(py: Python<'_>) -> PyResult<bool> {
    let modules = py.import("sys")?.getattr("modules")?;
    let Ok(asyncio) = modules.get_item("asyncio") else {
        return Ok(false);
    };
    Ok(!asyncio.getattr("_get_running_loop")?.call0()?.is_none())
}

static WARNED: AtomicBool = AtomicBool::new(false);

/// A long-running call (a wait, a download) of the blocking `Client` made on a thread that runs
/// an event loop blocks that loop for as long as it takes: warn once per process, naming the
/// asyncio client.
pub(crate) fn warn_if_blocking_a_loop(
    py: Python<'_>,
    client: &Py<PyClient>,
    what: &str,
) -> PyResult<()> {
    if client.get().is_async() || WARNED.load(Ordering::Relaxed) || !in_event_loop(py)? {
        return Ok(());
    }
    if WARNED.swap(true, Ordering::Relaxed) {
        return Ok(());
    }
    let msg = std::ffi::CString::new(format!(
        "{what}() of a blocking signbridge.Client was called on a thread running an asyncio \
         event loop: the loop stops until it returns; use signbridge.AsyncClient and await it"
    ))
    .unwrap_or_default();
    // A warnings filter set to "error" turns this into the call's exception.
    PyErr::warn(py, &py.get_type::<PyRuntimeWarning>(), &msg, 1)
}
