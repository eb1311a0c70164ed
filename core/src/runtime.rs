//! The one tokio runtime of the process, and the blocking bridge onto it.
//!
//! Every operation in signbridge is async code that runs on this runtime (DESIGN.md principles 2
//! and 3). The blocking API (Rust [`crate::blocking`], C, Python, the CLI) calls [`block_on`]; the
//! Node addon spawns the same futures with [`spawn`].
//!
//! The runtime is built lazily on first use. It is fork-aware: a child process created by `fork()`
//! inherits the parent's runtime object but none of its threads, so the runtime is keyed by the
//! process id and a child builds a fresh one on first use. The inherited one is leaked, never
//! dropped (dropping it would try to join threads that do not exist in the child). Do not unload
//! (`dlclose`) a library that contains signbridge while it is in use.

use std::future::Future;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::sync::Mutex;

use tokio::runtime::Runtime;

use crate::error::{Error, ErrorCode, Result};

static RUNTIME: AtomicPtr<Runtime> = AtomicPtr::new(std::ptr::null_mut());
static RUNTIME_PID: AtomicU32 = AtomicU32::new(0);
static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// Number of worker threads of the shared runtime. Network-bound work needs few.
const WORKER_THREADS: usize = 2;

/// The shared runtime of this process, built on first use (and again in a forked child).
pub fn runtime() -> &'static Runtime {
    let pid = std::process::id();
    let ptr = RUNTIME.load(Ordering::Acquire);
    if !ptr.is_null() && RUNTIME_PID.load(Ordering::Acquire) == pid {
        // SAFETY: the pointer comes from `Box::leak` below and is never freed.
        return unsafe { &*ptr };
    }
    build_for(pid)
}

#[cold]
fn build_for(pid: u32) -> &'static Runtime {
    // A poisoned lock only means another thread panicked while building; the slot is still
    // consistent because it is written with atomics.
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let ptr = RUNTIME.load(Ordering::Acquire);
    if !ptr.is_null() && RUNTIME_PID.load(Ordering::Acquire) == pid {
        // SAFETY: as above.
        return unsafe { &*ptr };
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKER_THREADS)
        .thread_name("signbridge-rt")
        .enable_all()
        .build()
        // Building a runtime only fails when the OS refuses threads or an epoll fd: there is no
        // way to run any operation then, and callers get a contained panic (SB_ERR_PANIC).
        .unwrap_or_else(|e| panic!("signbridge: cannot start the runtime: {e}"));
    let leaked: &'static Runtime = Box::leak(Box::new(rt));
    // The previous runtime (if any, from the parent process) is deliberately leaked.
    RUNTIME.store(leaked as *const Runtime as *mut Runtime, Ordering::Release);
    RUNTIME_PID.store(pid, Ordering::Release);
    leaked
}

/// Run `fut` to completion on the shared runtime, blocking the calling thread.
///
/// Returns [`ErrorCode::WrongContext`] instead of panicking when called from inside a tokio
/// runtime (any runtime, not only ours): blocking there would stall the executor.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorCode::WrongContext,
            "a blocking signbridge call was made from inside an async runtime; \
             call the async API (await it) instead",
        ));
    }
    Ok(runtime().block_on(fut))
}

/// Spawn `fut` on the shared runtime (used by bindings whose host has its own event loop).
pub fn spawn<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime().spawn(fut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_runtime_every_time() {
        let a = runtime() as *const Runtime;
        let b = runtime() as *const Runtime;
        assert_eq!(a, b);
        assert_eq!(block_on(async { 41 + 1 }).ok(), Some(42));
    }

    #[test]
    fn blocking_inside_the_runtime_is_an_error_not_a_panic() {
        let inner = runtime().block_on(async { block_on(async { 1 }) });
        let err = inner.err().map(|e| e.code());
        assert_eq!(err, Some(ErrorCode::WrongContext));
    }
}
