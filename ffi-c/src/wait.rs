//! The arguments every `*_wait*` function shares (interval, timeout, cancel token, progress
//! callback), converted into the core's `WaitOptions`. The waiting itself is the core's.

use std::ffi::{c_char, c_void};
use std::sync::Arc;
use std::time::Duration;

use sbcore::{Error, WaitOptions};
use serde::Serialize;

use crate::boundary::FfiResult;
use crate::cancel::{sb_cancel_token, token_of};
use crate::memory::cstring_lossy;

/// A progress callback for the waits that take one: called with every state polled, as JSON
/// (the same schema as the state's `_json` accessor; valid only during the call), and the
/// `user_data` given to the wait. It is called on the thread that called the wait, before that
/// call returns. Inside it, accessors, frees and `sb_cancel_token_cancel` work; network calls
/// return `SB_ERR_WRONG_CONTEXT` (the callback runs inside the wait). It must not throw a C++
/// exception or `longjmp` out.
pub type sb_progress_fn =
    Option<unsafe extern "C" fn(state_json: *const c_char, user_data: *mut c_void)>;

/// A C callback and its user data, callable from the core's wait engine (and from
/// `sb_call_with`).
pub(crate) struct Progress {
    pub(crate) f: unsafe extern "C" fn(*const c_char, *mut c_void),
    pub(crate) user_data: *mut c_void,
}

// SAFETY: the core calls the progress function only from inside the wait it was given to, which
// runs on the caller's thread (`block_on`); the C function and its `user_data` are the caller's,
// documented as called during the wait.
unsafe impl Send for Progress {}
// SAFETY: as above.
unsafe impl Sync for Progress {}

impl Progress {
    /// Call the C function with `state` as JSON.
    pub(crate) fn call<T: Serialize>(&self, state: &T) {
        let json = serde_json::to_string(state).unwrap_or_else(|_| "null".to_string());
        let c = cstring_lossy(&json);
        // SAFETY: the caller's function, given a NUL-terminated string valid during the call.
        unsafe { (self.f)(c.as_ptr(), self.user_data) };
    }
}

/// The core's wait options for the C arguments: `interval_ms` 0 = the default (2 s), `timeout_ms`
/// 0 = no limit, `cancel` NULL = none (a freed or foreign token is `SB_ERR_INVALID_ARGUMENT`),
/// `progress` NULL = none.
pub(crate) fn wait_options<T: Serialize + 'static>(
    interval_ms: u32,
    timeout_ms: u64,
    cancel: *const sb_cancel_token,
    progress: sb_progress_fn,
    user_data: *mut c_void,
) -> FfiResult<WaitOptions<T>> {
    let cancel =
        if cancel.is_null() {
            None
        } else {
            Some(token_of(cancel).ok_or_else(|| {
                Error::invalid_argument("cancel is freed or not an sb_cancel_token")
            })?)
        };
    let mut opts = WaitOptions {
        timeout: (timeout_ms > 0).then(|| Duration::from_millis(timeout_ms)),
        cancel,
        ..WaitOptions::default()
    };
    if interval_ms > 0 {
        opts.interval = Duration::from_millis(interval_ms.into());
    }
    if let Some(f) = progress {
        let p = Progress { f, user_data };
        opts.on_progress = Some(Arc::new(move |state: &T| p.call(state)));
    }
    Ok(opts)
}
