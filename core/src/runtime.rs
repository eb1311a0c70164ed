//! The one runtime of signbridge, and the blocking bridge onto it.
//!
//! Every operation in signbridge is async code (DESIGN.md principles 2 and 3), and all of it
//! runs on one lazily built multi-thread tokio runtime per process ([`runtime`]), with one
//! connection pool per TLS configuration (`transport/client.rs`):
//!
//! - The Node addon spawns the operations on it with [`spawn`].
//! - Async Rust users await them from their own runtime; their HTTP exchanges are spawned onto
//!   the shared runtime, so pooled connections never belong to a caller's short-lived runtime.
//! - A blocking caller (the Rust blocking API, C, Python, the CLI) calls [`block_on`]: the
//!   operation's future is polled on the calling thread (which is blocked on it anyway) while
//!   its connections are driven by the shared runtime's worker threads. Every calling thread
//!   thus shares the same workers and the same pool: 32 threads making sporadic calls hold as
//!   many connections as they have requests in flight (one, multiplexed, over HTTP/2), not one
//!   pool each.
//!
//! Fork-aware: a child process created by `fork()` inherits the parent's runtime object but
//! none of its threads, and shares its epoll descriptor and sockets with the parent. The shared
//! runtime (and the pools) are therefore keyed by the process id; a child builds fresh ones on
//! first use and leaks the inherited ones (dropping them would try to join threads that do not
//! exist in the child, or shut down descriptors the parent still uses). Do not unload
//! (`dlclose`) a library that contains signbridge while it is in use.
//!
//! What may be shared between threads: clients, token caches, key rings and
//! [`CancelToken`](crate::CancelToken)s only hold runtime-agnostic state (tokio `sync`
//! primitives, atomics); none holds a runtime handle. (Bindings that poll a future in slices,
//! such as Python's Ctrl-C-aware loop, call `block_on` repeatedly.)

use std::cell::Cell;
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

/// The process id, cached: `std::process::id()` is a system call, and every call of the blocking
/// API would otherwise make several. A `fork()` child clears the cache (a `pthread_atfork`
/// handler), so it reads its own id on first use.
static PID: AtomicU32 = AtomicU32::new(0);

/// This process's id (see [`PID`]).
pub(crate) fn pid() -> u32 {
    let cached = PID.load(Ordering::Relaxed);
    if cached != 0 {
        return cached;
    }
    let pid = std::process::id();
    if watch_forks() {
        PID.store(pid, Ordering::Relaxed);
    }
    pid
}

/// Register the fork handler that clears [`PID`] in a child; whether it is in place.
#[cfg(unix)]
fn watch_forks() -> bool {
    extern "C" fn in_child() {
        PID.store(0, Ordering::Relaxed);
    }
    static REGISTERED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    // SAFETY: `in_child` only stores to an atomic, which is async-signal-safe.
    *REGISTERED.get_or_init(|| unsafe { libc::pthread_atfork(None, None, Some(in_child)) == 0 })
}

#[cfg(not(unix))]
fn watch_forks() -> bool {
    true
}

thread_local! {
    /// Set while this thread is inside [`block_on`], driving an operation itself.
    static IN_BLOCK_ON: Cell<bool> = const { Cell::new(false) };
    /// Set on the shared runtime's own threads.
    static SHARED_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// The shared runtime of this process, built on first use (and again in a forked child).
pub fn runtime() -> &'static Runtime {
    let pid = pid();
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
        .on_thread_start(|| SHARED_THREAD.with(|f| f.set(true)))
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

/// Resets [`IN_BLOCK_ON`] when a `block_on` ends (or unwinds).
struct InBlockOn(bool);

impl InBlockOn {
    fn enter() -> InBlockOn {
        InBlockOn(IN_BLOCK_ON.with(|f| f.replace(true)))
    }
}

impl Drop for InBlockOn {
    fn drop(&mut self) {
        let prev = self.0;
        let _ = IN_BLOCK_ON.try_with(|f| f.set(prev));
    }
}

/// Run `fut` to completion, blocking the calling thread.
///
/// The future is polled on the calling thread; its I/O (connections, timers) is driven by the
/// shared runtime's workers and uses the shared connection pools (see the module
/// documentation). Returns [`ErrorCode::WrongContext`] instead of panicking when called from
/// inside a tokio runtime (any runtime, ours included): blocking there would stall the executor.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorCode::WrongContext,
            "a blocking signbridge call was made from inside an async runtime; \
             call the async API (await it) instead",
        ));
    }
    let _flag = InBlockOn::enter();
    Ok(runtime().block_on(fut))
}

/// Whether the calling code runs inside [`block_on`], polled by its blocked calling thread
/// (blocking file work may then run inline: nothing else waits for this thread).
pub(crate) fn on_calling_thread() -> bool {
    IN_BLOCK_ON.try_with(Cell::get).unwrap_or(false)
}

/// Whether the calling code runs on one of the shared runtime's threads (in this process).
pub(crate) fn on_shared_runtime() -> bool {
    SHARED_THREAD.try_with(Cell::get).unwrap_or(false)
        && RUNTIME_PID.load(Ordering::Acquire) == pid()
}

/// Run blocking file-system work `f`: inline when the operation runs on its caller's own thread
/// (that thread is blocked on the operation anyway, so no thread hand-off is needed), on the
/// current runtime's blocking pool otherwise.
pub(crate) async fn blocking_io<T, F>(f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    if on_calling_thread() {
        return f();
    }
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::internal(format!("a file task failed: {e}")))?
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
        // Inside a blocking call (the calling thread's own runtime) as well.
        let inner = block_on(async { block_on(async { 1 }) });
        let err = inner.ok().and_then(|r| r.err()).map(|e| e.code());
        assert_eq!(err, Some(ErrorCode::WrongContext));
    }

    #[test]
    fn blocking_calls_run_on_the_calling_thread() {
        let me = std::thread::current().id();
        let seen = block_on(async {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            (
                std::thread::current().id(),
                on_calling_thread(),
                on_shared_runtime(),
            )
        });
        assert_eq!(seen.ok(), Some((me, true, false)));
        assert!(!on_calling_thread(), "the flag ends with the call");
        // The shared runtime's tasks know where they run.
        let on_shared = runtime()
            .block_on(spawn(async { (on_shared_runtime(), on_calling_thread()) }))
            .ok();
        assert_eq!(on_shared, Some((true, false)));
        // Every thread's blocking calls are served by the one runtime's workers: a timer
        // fires, and a task spawned inside runs on a worker, from any thread.
        let workers: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    block_on(async {
                        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
                        spawn(async { std::thread::current().name().map(str::to_string) }).await
                    })
                })
            })
            .collect();
        for w in workers {
            let name = w.join().ok().and_then(|r| r.ok()).and_then(|r| r.ok());
            assert_eq!(name.flatten().as_deref(), Some("signbridge-rt"));
        }
    }
}
