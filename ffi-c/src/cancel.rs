//! `sb_cancel_token`: aborts a wait from any thread.

use sbcore::{CancelToken, Error};

use crate::codes::sb_code;
use crate::error::sb_error;
use crate::handles::{self, Kind};

/// A cancel token (opaque). Create with `sb_cancel_token_new`, pass to `sb_session_wait`, cancel
/// from any thread with `sb_cancel_token_cancel`, free with `sb_cancel_token_free`.
///
/// Thread-safe: one token may be used by any number of threads at once. Once cancelled it stays
/// cancelled; use a new token for the next operation.
pub struct sb_cancel_token {
    token: CancelToken,
}

/// The token behind a handle received from C.
pub(crate) fn token_of(p: *const sb_cancel_token) -> Option<CancelToken> {
    handles::with_live(p, Kind::CancelToken, |t| t.token.clone())
}

fn bad_token() -> Error {
    Error::invalid_argument("cancel token is NULL, freed, or not an sb_cancel_token")
}

/// A new, not yet cancelled token. Returns NULL only if signbridge failed internally.
#[no_mangle]
pub extern "C" fn sb_cancel_token_new() -> *mut sb_cancel_token {
    ffi_guard!(std::ptr::null_mut(), {
        let t = Box::new(sb_cancel_token {
            token: CancelToken::new(),
        });
        handles::register(Box::into_raw(t), Kind::CancelToken, 0)
    })
}

/// Cancel every operation using `token`, now and later: a wait using it returns
/// `SB_ERR_ABORTED` promptly (nothing is cancelled at the provider; the session goes on).
/// Safe to call from any thread, any number of times.
///
/// Returns `SB_OK`, or `SB_ERR_INVALID_ARGUMENT` when `token` is NULL, freed or not a token.
///
/// # Safety
///
/// `out_error` must be NULL or valid for writing a pointer; `token` is checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_cancel_token_cancel(
    token: *const sb_cancel_token,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        token_of(token).ok_or_else(bad_token)?.cancel();
        Ok(())
    })
}

/// Whether `token` was cancelled. False for NULL, freed or foreign pointers.
#[no_mangle]
pub extern "C" fn sb_cancel_token_is_cancelled(token: *const sb_cancel_token) -> bool {
    ffi_guard!(false, { token_of(token).is_some_and(|t| t.is_cancelled()) })
}

/// Free a token. NULL and pointers that are not live tokens are ignored. A wait still using the
/// token keeps working (it holds its own reference) and can no longer be cancelled through it.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_cancel_token_free(token: *mut sb_cancel_token) {
    ffi_guard!((), {
        if handles::release(token, Kind::CancelToken).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(token) });
        }
    })
}
