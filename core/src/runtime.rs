//! The runtimes of signbridge, and the blocking bridge onto them.
//!
//! Every operation in signbridge is async code (DESIGN.md principles 2 and 3). It runs in one of
//! two places:
//!
//! - **The shared runtime** ([`runtime`]): one lazily built multi-thread tokio runtime per process.
//!   The Node addon spawns the operations on it with [`spawn`]; async Rust users await them from
//!   their own runtime, and the HTTP exchanges of those calls are spawned onto it (so pooled
//!   connections never belong to a caller's short-lived runtime).
//! - **The calling thread** ([`block_on`]): a blocking caller (the Rust blocking API, C, Python,
//!   the CLI) drives the whole operation on its own thread, on a current-thread runtime that the
//!   thread keeps for its lifetime, with its own small HTTP connection pool (see
//!   `transport.rs`). Nothing crosses threads, so a call costs what the same request costs a
//!   plain current-thread client: no worker wake-up, no hand-off back. The thread's runtime and
//!   pool are dropped when the thread exits.
//!
//! Both are fork-aware: a child process created by `fork()` inherits the parent's runtime objects
//! but none of their threads, and shares their epoll descriptors and sockets with the parent. The
//! shared runtime and each thread's runtime are therefore keyed by the process id; a child builds
//! fresh ones on first use and leaks the inherited ones (dropping them would try to join threads
//! that do not exist in the child, or shut down descriptors the parent still uses). Do not unload
//! (`dlclose`) a library that contains signbridge while it is in use.
//!
//! What may be shared between threads and runtimes: clients, token caches, key rings and
//! [`CancelToken`](crate::CancelToken)s only hold runtime-agnostic state (tokio `sync`
//! primitives, atomics); none holds a runtime handle. What may not: a future started by
//! [`block_on`] on one thread must be finished (or dropped) on that same thread, because the I/O
//! it registered belongs to that thread's runtime. (Bindings that poll a future in slices, such
//! as Python's Ctrl-C-aware loop, call `block_on` repeatedly from the same thread.)

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::runtime::Runtime;

use crate::error::{Error, ErrorCode, Result};

static RUNTIME: AtomicPtr<Runtime> = AtomicPtr::new(std::ptr::null_mut());
static RUNTIME_PID: AtomicU32 = AtomicU32::new(0);
static BUILD_LOCK: Mutex<()> = Mutex::new(());

/// Number of worker threads of the shared runtime. Network-bound work needs few.
const WORKER_THREADS: usize = 2;

/// Most threads a calling thread's runtime starts for blocking file work of its operations
/// (name resolution, file I/O of code that uses `spawn_blocking`); they exit after 10 s idle.
const LOCAL_BLOCKING_THREADS: usize = 4;

/// A calling thread that has not made a call for this long lets its runtime take in pending I/O
/// events before the next call starts (see [`settle`]).
const SETTLE_AFTER: Duration = Duration::from_millis(1);

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
    /// This thread's own current-thread runtime (blocking callers), with the pid it was built in.
    static LOCAL: RefCell<Option<(u32, Rc<Runtime>)>> = const { RefCell::new(None) };
    /// When this thread's last blocking call ended (`None`: none yet, or a fresh runtime).
    static LAST_CALL_END: Cell<Option<Instant>> = const { Cell::new(None) };
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

/// This thread's current-thread runtime, built on first use (and again in a forked child).
/// `None` while the thread is being torn down (its thread-locals are gone).
fn local_runtime() -> Option<Rc<Runtime>> {
    let pid = pid();
    LOCAL
        .try_with(|slot| {
            let mut slot = slot.try_borrow_mut().ok()?;
            if let Some((p, rt)) = slot.as_ref() {
                if *p == pid {
                    return Some(rt.clone());
                }
            }
            if let Some(inherited) = slot.take() {
                // Built by the parent process: its epoll descriptor is shared with the parent.
                std::mem::forget(inherited);
            }
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .max_blocking_threads(LOCAL_BLOCKING_THREADS)
                .thread_name("signbridge-io")
                .build()
                .unwrap_or_else(|e| panic!("signbridge: cannot start a runtime: {e}"));
            let rt = Rc::new(rt);
            *slot = Some((pid, rt.clone()));
            let _ = LAST_CALL_END.try_with(|t| t.set(None));
            Some(rt)
        })
        .ok()
        .flatten()
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

/// Run `fut` to completion on the calling thread, blocking it.
///
/// The future runs on this thread's own current-thread runtime (see the module documentation),
/// with this thread's HTTP connection pool. Returns [`ErrorCode::WrongContext`] instead of
/// panicking when called from inside a tokio runtime (any runtime, ours included): blocking
/// there would stall the executor.
pub fn block_on<F: Future>(fut: F) -> Result<F::Output> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return Err(Error::new(
            ErrorCode::WrongContext,
            "a blocking signbridge call was made from inside an async runtime; \
             call the async API (await it) instead",
        ));
    }
    match local_runtime() {
        Some(rt) => {
            let _flag = InBlockOn::enter();
            // Back-to-back calls skip the settling: nothing can have arrived in between.
            let idle = LAST_CALL_END
                .try_with(Cell::get)
                .ok()
                .flatten()
                .is_none_or(|end| end.elapsed() >= SETTLE_AFTER);
            // One move of the (large) operation future onto the heap instead of several on the
            // way into the runtime.
            let fut = Box::pin(fut);
            let out = rt.block_on(async {
                if idle {
                    settle().await;
                }
                fut.await
            });
            let _ = LAST_CALL_END.try_with(|t| t.set(Some(Instant::now())));
            Ok(out)
        }
        // The thread is exiting (a call from another thread-local's destructor): the shared
        // runtime still serves it.
        None => Ok(runtime().block_on(fut)),
    }
}

/// Let this thread's runtime take in the I/O events that arrived while the thread was busy
/// elsewhere, before the operation starts. A pooled keep-alive connection that the server closed
/// in the meantime is then seen as closed and not reused (a request written into it could not
/// be known to have arrived), and connections the pool did not keep after the last call are
/// closed. Each `yield_now` lets the runtime poll its I/O driver once (the first wakes the
/// connection tasks that have news, the second lets them run); it costs two non-blocking
/// `epoll_wait` calls, made only when the thread was idle for at least [`SETTLE_AFTER`].
async fn settle() {
    tokio::task::yield_now().await;
    tokio::task::yield_now().await;
}

/// Whether the calling code runs inside [`block_on`], on the calling thread's own runtime.
pub(crate) fn on_calling_thread() -> bool {
    IN_BLOCK_ON.try_with(Cell::get).unwrap_or(false)
        && LOCAL
            .try_with(|l| l.try_borrow().is_ok_and(|l| l.is_some()))
            .unwrap_or(false)
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
        // Two threads get two runtimes, each kept for the thread's lifetime.
        let mine = local_runtime().map(|r| Rc::as_ptr(&r) as usize);
        let a = std::thread::spawn(|| {
            let first = local_runtime().map(|r| Rc::as_ptr(&r) as usize);
            let again = local_runtime().map(|r| Rc::as_ptr(&r) as usize);
            (first, again)
        })
        .join()
        .ok();
        let (first, again) = a.unwrap_or_default();
        assert!(first.is_some() && first == again);
        assert_ne!(first, mine);
    }
}
