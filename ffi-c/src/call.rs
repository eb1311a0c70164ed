//! `sb_call`: every operation of the core's operation table by name, with a JSON request and a
//! JSON result — the long tail of the API that has no typed C function of its own. The main
//! flows keep their designed, typed functions (`sb_session_*`, `sb_signing_*`, ...).

use std::ffi::{c_char, c_void};
use std::sync::Arc;

use sbcore::api::CallContext;
use sbcore::Error;

use crate::args::{opt_str_arg, out_arg, put, str_arg};
use crate::cancel::{sb_cancel_token, token_of};
use crate::client::{client_of, sb_client};
use crate::codes::sb_code;
use crate::error::sb_error;
use crate::memory::give_string;
use crate::wait::{sb_progress_fn, Progress};

/// Run the operation `operation` (e.g. `"securosys.create_key"`; `sb_operations_json` lists
/// them) with the JSON object `request_json` (NULL: `{}`), blocking the calling thread. Stores
/// the JSON result in `*out_result_json` (free with `sb_string_free`). Bytes travel as base64
/// text in fields named `*_base64`.
///
/// `client` may be NULL for the operations that need no client (nothing is sent anywhere):
/// `sb_call(NULL, "pdf.verify", request_json, &result_json, &err)` verifies a signed PDF
/// without configuring any provider.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (unknown operation, a request that is not JSON, or a field
/// that is unknown, missing or of the wrong type — the message names its path, never its
/// value; NULL `client` for an operation that needs one), and every code the operation itself
/// documents.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable; `client` NULL or a
/// live client.
#[no_mangle]
pub unsafe extern "C" fn sb_call(
    client: *const sb_client,
    operation: *const c_char,
    request_json: *const c_char,
    out_result_json: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        sb_call_with(
            client,
            operation,
            request_json,
            std::ptr::null(),
            None,
            std::ptr::null_mut(),
            out_result_json,
            out_error,
        )
    }
}

/// `sb_call` for long-running operations (waits): `cancel` (may be NULL) aborts it from another
/// thread (`SB_ERR_ABORTED`); `progress` (may be NULL) is called with every polled state as JSON
/// and `user_data`, on the calling thread, before this function returns.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable; `cancel` NULL or a
/// token from `sb_cancel_token_new`.
#[allow(clippy::too_many_arguments)]
#[no_mangle]
pub unsafe extern "C" fn sb_call_with(
    client: *const sb_client,
    operation: *const c_char,
    request_json: *const c_char,
    cancel: *const sb_cancel_token,
    progress: sb_progress_fn,
    user_data: *mut c_void,
    out_result_json: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_result_json, "out_result_json")?;
        // SAFETY: caller contract.
        unsafe { put(out_result_json, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let name = unsafe { str_arg(operation, "operation") }?;
        // SAFETY: caller contract.
        let request = match unsafe { opt_str_arg(request_json, "request_json") }? {
            None => serde_json::Value::Null,
            Some(text) => serde_json::from_str(text).map_err(|e| {
                Error::invalid_argument(format!(
                    "request_json is not JSON ({e}); give a JSON object such as {{\"label\": \
                     \"my-key\"}}"
                ))
            })?,
        };
        let mut ctx = CallContext::default();
        if !cancel.is_null() {
            ctx.cancel = Some(token_of(cancel).ok_or_else(|| {
                Error::invalid_argument("cancel is freed or not an sb_cancel_token")
            })?);
        }
        if let Some(f) = progress {
            let p = Progress { f, user_data };
            ctx.progress = Some(Arc::new(move |state: &serde_json::Value| p.call(state)));
        }
        let out = if client.is_null() {
            sbcore::blocking::call_standalone(name, request)?
        } else {
            client_of(client)?.call(name, request, &ctx)?
        };
        // SAFETY: checked non-NULL above.
        unsafe { put(out_result_json, give_string(&out.to_string())) };
        Ok(())
    })
}

/// The operations `sb_call` knows, as a JSON array of `{"name", "summary", "request",
/// "result", "long_running", "needs_client"}` (free with `sb_string_free`; an operation with
/// `needs_client` false runs with a NULL client). Never NULL unless signbridge failed
/// internally.
#[no_mangle]
pub extern "C" fn sb_operations_json() -> *mut c_char {
    ffi_guard!(std::ptr::null_mut(), {
        let list: Vec<serde_json::Value> = sbcore::api::OPERATIONS
            .iter()
            .map(|op| op.listing())
            .collect();
        give_string(&serde_json::Value::Array(list).to_string())
    })
}
