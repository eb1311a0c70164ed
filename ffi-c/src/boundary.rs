//! The panic boundary around every `extern "C"` body.
//!
//! * [`ffi_call!`] is for functions returning [`sb_code`]: it clears `*out_error`, runs the body
//!   (a block evaluating to `Result<(), sbcore::Error>`), catches a panic as `SB_ERR_PANIC`, and on
//!   failure stores a new [`sb_error`] in `*out_error` (when given) and returns its code.
//! * [`ffi_guard!`] is for functions returning anything else (accessors, frees): a panic yields
//!   the given default (NULL, 0, false, nothing).
//!
//! A panic never unwinds into C.
//!
//! SIGPIPE: Rust programs ignore SIGPIPE at startup, C programs do not. A socket write to a peer
//! that closed the connection (e.g. a TLS alert written by `writev`) would then kill the host
//! process. [`call`] blocks SIGPIPE on the calling thread for the duration of the call and
//! discards one raised meanwhile; the runtime's threads are created during such a call, inherit
//! the blocked mask, and so see `EPIPE` errors instead of the signal. The host's own signal
//! disposition is never changed.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use sbcore::{Error, ErrorCode};

use crate::codes::{sb_code, SB_OK};
use crate::error::sb_error;

/// The result of a body run by [`ffi_call!`].
pub type FfiResult<T = ()> = Result<T, Error>;

/// Run `body` for a function returning `sb_code`; see the module docs.
///
/// # Safety
///
/// `out_error` must be NULL or valid for writing one pointer.
pub unsafe fn call(out_error: *mut *mut sb_error, body: impl FnOnce() -> FfiResult) -> sb_code {
    if !out_error.is_null() {
        // SAFETY: documented contract of every function taking `out_error`.
        unsafe { *out_error = std::ptr::null_mut() };
    }
    let sigpipe = SigpipeBlock::new();
    let outcome = catch_unwind(AssertUnwindSafe(body));
    drop(sigpipe);
    let err = match outcome {
        Ok(Ok(())) => return SB_OK,
        Ok(Err(e)) => e,
        Err(payload) => panic_error(payload.as_ref()),
    };
    let code = err.code().as_i32();
    if !out_error.is_null() {
        // Building the error allocates only; a panic here would be a bug, contained all the same.
        let boxed = catch_unwind(AssertUnwindSafe(|| sb_error::new_raw(&err)))
            .unwrap_or(std::ptr::null_mut());
        // SAFETY: as above.
        unsafe { *out_error = boxed };
    }
    code
}

/// Blocks SIGPIPE on this thread while alive; see the module docs.
struct SigpipeBlock {
    #[cfg(unix)]
    old_mask: libc::sigset_t,
    #[cfg(unix)]
    already_blocked: bool,
    #[cfg(unix)]
    was_pending: bool,
}

#[cfg(unix)]
fn sigpipe_set() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise the set they are given.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGPIPE);
        set
    }
}

#[cfg(unix)]
fn sigpipe_pending() -> bool {
    // SAFETY: sigpending fills the set it is given.
    unsafe {
        let mut pending: libc::sigset_t = std::mem::zeroed();
        libc::sigpending(&mut pending) == 0 && libc::sigismember(&pending, libc::SIGPIPE) == 1
    }
}

impl SigpipeBlock {
    #[cfg(unix)]
    fn new() -> SigpipeBlock {
        let set = sigpipe_set();
        // SAFETY: plain libc calls on initialised sets; pthread_sigmask affects this thread only.
        let old_mask = unsafe {
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::pthread_sigmask(libc::SIG_BLOCK, &set, &mut old);
            old
        };
        // SAFETY: sigismember reads the initialised set.
        let already_blocked = unsafe { libc::sigismember(&old_mask, libc::SIGPIPE) == 1 };
        SigpipeBlock {
            old_mask,
            already_blocked,
            // Unblocked before, a SIGPIPE cannot be pending now (it would have been delivered):
            // only a caller that blocks SIGPIPE itself costs this extra look.
            was_pending: already_blocked && sigpipe_pending(),
        }
    }

    #[cfg(not(unix))]
    fn new() -> SigpipeBlock {
        SigpipeBlock {}
    }
}

#[cfg(unix)]
impl Drop for SigpipeBlock {
    fn drop(&mut self) {
        if !self.was_pending && sigpipe_pending() {
            let set = sigpipe_set();
            let zero = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: consumes the SIGPIPE raised during the call (blocked, so pending).
            unsafe { libc::sigtimedwait(&set, std::ptr::null_mut(), &zero) };
        }
        if !self.already_blocked {
            // SAFETY: restores the mask saved in `new`.
            unsafe {
                libc::pthread_sigmask(libc::SIG_SETMASK, &self.old_mask, std::ptr::null_mut())
            };
        }
    }
}

/// Run `body`, returning `default` if it panics.
pub fn guard<R>(default: R, body: impl FnOnce() -> R) -> R {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(default)
}

fn panic_error(payload: &(dyn Any + Send)) -> Error {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    Error::new(
        ErrorCode::Panic,
        format!(
            "signbridge panicked ({what}); the panic was contained; {}",
            ErrorCode::Panic.message()
        ),
    )
}

/// Panic boundary for a function returning `sb_code`: `ffi_call!(out_error, { ...; Ok(()) })`.
#[macro_export]
macro_rules! ffi_call {
    ($out_error:expr, $body:block) => {{
        let out_error: *mut *mut $crate::error::sb_error = $out_error;
        let body = || -> $crate::boundary::FfiResult { $body };
        // SAFETY: every function using this macro documents `out_error` as NULL or writable.
        unsafe { $crate::boundary::call(out_error, body) }
    }};
}

/// Panic boundary for any other function: `ffi_guard!(default, { ... })`.
#[macro_export]
macro_rules! ffi_guard {
    ($default:expr, $body:block) => {
        $crate::boundary::guard($default, || $body)
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::sb_error_free;

    #[test]
    fn a_panic_becomes_sb_err_panic_with_an_error_object() {
        let mut err: *mut sb_error = std::ptr::null_mut();
        // SAFETY: `err` is writable.
        let code = unsafe { call(&mut err, || panic!("boom")) };
        assert_eq!(code, ErrorCode::Panic.as_i32());
        assert!(!err.is_null());
        // SAFETY: `err` was just filled by `call`.
        let e = unsafe { &*err };
        assert_eq!(e.code, ErrorCode::Panic.as_i32());
        // SAFETY: the message is a NUL-terminated string owned by the error.
        let msg = unsafe { std::ffi::CStr::from_ptr(e.message) };
        assert!(msg.to_string_lossy().contains("boom"));
        // SAFETY: `err` is a live error.
        unsafe { sb_error_free(err) };
        assert_eq!(guard(7, || panic!("x")), 7);
        // SAFETY: NULL is allowed.
        assert_eq!(
            unsafe { call(std::ptr::null_mut(), || panic!("no out_error")) },
            901
        );
    }

    #[test]
    fn success_clears_out_error() {
        let mut err: *mut sb_error = std::ptr::dangling_mut();
        // SAFETY: `err` is writable.
        assert_eq!(unsafe { call(&mut err, || Ok(())) }, SB_OK);
        assert!(err.is_null());
    }
}
