//! `sb_session_complete_redirect`: the signer's browser back at your redirect URL (the signing
//! twin of the eID operation `zignsec.eid_complete_redirect`; the logic is the core's).

use std::ffi::c_char;

use crate::args::{opt_str_arg, out_arg, put, str_arg};
use crate::client::{sb_client, signing_of};
use crate::codes::sb_code;
use crate::error::sb_error;
use crate::status::sb_status;

/// Handle the signer's browser coming back to your redirect URL of signing session
/// `session_id`. `returned_url` is the URL it came back to (full, or just its `?query`). A
/// success is checked (its `relay_state` must equal `expected_relay_state` when that is not
/// NULL, and so must the session's own; a `session_id` in the URL must be `session_id`), then the
/// finished session's state is stored in `*out_status` (free with `sb_status_free`).
///
/// An error in the URL returns its code without any request: `errorCode=CANCELLED` and the
/// OAuth-style `error=access_denied` are `SB_ERR_CANCELLED` ("the signer cancelled the
/// signing"), `DECLINED` is `SB_ERR_REJECTED`, `EXPIRED` is `SB_ERR_SESSION_EXPIRED`, other codes
/// `SB_ERR_SIGNING_FAILED` (the error's `provider_code` and `provider_description` carry
/// `errorCode`/`error` and `errorText`/`error_description`). A foreign relay state or session
/// id, or an unparseable URL, is `SB_ERR_INVALID_ARGUMENT`. Otherwise as `sb_session_wait`.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated (`expected_relay_state` may be NULL); out pointers
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_session_complete_redirect(
    client: *const sb_client,
    session_id: *const c_char,
    returned_url: *const c_char,
    expected_relay_state: *const c_char,
    out_status: *mut *mut sb_status,
    out_error: *mut *mut sb_error,
) -> sb_code {
    crate::ffi_call!(out_error, {
        out_arg(out_status, "out_status")?;
        // SAFETY: caller contract.
        unsafe { put(out_status, std::ptr::null_mut()) };
        let signing = signing_of(client)?;
        // SAFETY: caller contract.
        let (session_id, returned_url, expected) = unsafe {
            (
                str_arg(session_id, "session_id")?,
                str_arg(returned_url, "returned_url")?,
                opt_str_arg(expected_relay_state, "expected_relay_state")?,
            )
        };
        let st = sb_status::give(signing.complete_redirect(session_id, returned_url, expected)?)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_status, st) };
        Ok(())
    })
}
