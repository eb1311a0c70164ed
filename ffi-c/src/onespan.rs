//! The OneSpan Sign callback verifier (`sb_onespan_callback_*`): local authentication (Basic
//! key) and parsing of the deliveries OneSpan posts to your callback URL. Nothing is sent: the
//! checks are the core's `CallbackVerifier`. Every OneSpan operation that talks to OneSpan
//! (transactions, downloads, audit, listing, registering the callback...) is reached by name
//! through `sb_call` (`"onespan.create_package"`, `"onespan.register_callback"`, ...).

use std::ffi::{c_char, CStr};
use std::sync::Arc;

use sbcore::providers::onespan::{parse_callback_event, CallbackEvent, CallbackVerifier};
use sbcore::{Error, ErrorCode};

use crate::args::{out_arg, put, slice_arg, str_arg};
use crate::boundary::FfiResult;
use crate::codes::sb_code;
use crate::error::sb_error;
use crate::handles::{self, Kind};
use crate::memory::give_string;

/// A OneSpan callback verifier (opaque): the callback key(s) of one endpoint. Create with
/// `sb_onespan_callback_verifier_new`, free with `sb_onespan_callback_verifier_free`.
///
/// Thread-safe: one verifier may be shared by every thread serving the endpoint.
pub struct sb_onespan_callback_verifier {
    verifier: Arc<CallbackVerifier>,
}

fn callback_verifier_of(
    p: *const sb_onespan_callback_verifier,
) -> FfiResult<Arc<CallbackVerifier>> {
    handles::with_live(p, Kind::CallbackVerifier, |v| v.verifier.clone()).ok_or_else(|| {
        Error::invalid_argument("verifier is NULL, freed, or not an sb_onespan_callback_verifier")
    })
}

/// Create a verifier accepting deliveries that carry any of `n_keys` callback keys (the one
/// registered with the operation `onespan.register_callback` through `sb_call`; give the old and
/// the new one while rotating). The keys are kept only as SHA-256 digests. Stores it in
/// `*out_verifier` (free with `sb_onespan_callback_verifier_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (NULL array with `n_keys` > 0, a NULL or non-UTF-8 key, NULL
/// `out_verifier`), `SB_ERR_AUTH_CONFIG_MISSING` (no key).
///
/// # Safety
///
/// `keys` must be NULL or point to `n_keys` string pointers; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_callback_verifier_new(
    keys: *const *const c_char,
    n_keys: usize,
    out_verifier: *mut *mut sb_onespan_callback_verifier,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_verifier, "out_verifier")?;
        // SAFETY: caller contract.
        unsafe { put(out_verifier, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let ptrs = unsafe { slice_arg(keys, n_keys, "keys") }?;
        let mut verifier: Option<CallbackVerifier> = None;
        for (i, &p) in ptrs.iter().enumerate() {
            // SAFETY: caller contract.
            let k = unsafe { str_arg(p, &format!("keys[{i}]")) }?.to_string();
            verifier = Some(match verifier {
                None => CallbackVerifier::new(k),
                Some(v) => v.with_key(k),
            });
        }
        let verifier = verifier.ok_or_else(|| {
            Error::new(
                ErrorCode::AuthConfigMissing,
                "no callback key given: pass the key registered with onespan.register_callback",
            )
        })?;
        let b = Box::new(sb_onespan_callback_verifier {
            verifier: Arc::new(verifier),
        });
        let p = handles::register(Box::into_raw(b), Kind::CallbackVerifier, 0);
        // SAFETY: checked non-NULL above.
        unsafe { put(out_verifier, p) };
        Ok(())
    })
}

fn event_json(event: &CallbackEvent) -> FfiResult<String> {
    serde_json::to_string(event)
        .map_err(|e| Error::internal(format!("cannot render the event as JSON: {e}")))
}

/// Authenticate and parse one callback delivery: `authorization` is the request's
/// `Authorization` header value (`Basic <key>`; NULL when it had none), `body` the raw body
/// (`body_len` bytes). Returns `SB_OK` (answer HTTP 200 and act on it: fetch the package) and,
/// when `out_event_json` is not NULL, the event as JSON (free with `sb_string_free`): `{"name",
/// "package_id", "session_user", "message" (a decline reason), "document_id", "created_date",
/// "raw"}`. Otherwise: `SB_ERR_WEBHOOK_INVALID` (no or wrong key: answer 401), `SB_ERR_PROTOCOL`
/// (authentic but not a OneSpan event: answer 400), `SB_ERR_INVALID_ARGUMENT` (bad verifier
/// handle, NULL `body` with `body_len` > 0). OneSpan does not re-send deliveries and signs no
/// timestamp: make the handler idempotent per (name, package id, created date).
///
/// # Safety
///
/// `authorization` must be NULL or NUL-terminated; `body` NULL or `body_len` readable bytes; out
/// pointers NULL or writable; `verifier` is checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_callback_verify(
    verifier: *const sb_onespan_callback_verifier,
    authorization: *const c_char,
    body: *const u8,
    body_len: usize,
    out_event_json: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { put(out_event_json, std::ptr::null_mut()) };
        let v = callback_verifier_of(verifier)?;
        // A header that is not UTF-8 is presented as text and then fails as not authentic.
        let header = if authorization.is_null() {
            None
        } else {
            // SAFETY: caller contract.
            Some(
                unsafe { CStr::from_ptr(authorization) }
                    .to_string_lossy()
                    .into_owned(),
            )
        };
        // SAFETY: caller contract.
        let body = unsafe { slice_arg(body, body_len, "body") }?;
        let event = v.verify(header.as_deref(), body)?;
        if !out_event_json.is_null() {
            let json = event_json(&event)?;
            // SAFETY: checked non-NULL.
            unsafe { put(out_event_json, give_string(&json)) };
        }
        Ok(())
    })
}

/// Parse a callback body that was authenticated otherwise (e.g. OneSpan's OAuth 2.0 callback
/// option checked by your own server): the event as JSON in `*out_event_json` (free with
/// `sb_string_free`), or `SB_ERR_PROTOCOL` when it is not a OneSpan event.
///
/// # Safety
///
/// `body` must be NULL or point to `body_len` readable bytes; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_parse_callback(
    body: *const u8,
    body_len: usize,
    out_event_json: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_event_json, "out_event_json")?;
        // SAFETY: caller contract.
        unsafe { put(out_event_json, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let body = unsafe { slice_arg(body, body_len, "body") }?;
        let json = event_json(&parse_callback_event(body)?)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_event_json, give_string(&json)) };
        Ok(())
    })
}

/// Free a callback verifier. NULL and pointers that are not live verifiers are ignored.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_onespan_callback_verifier_free(verifier: *mut sb_onespan_callback_verifier) {
    ffi_guard!((), {
        if handles::release(verifier, Kind::CallbackVerifier).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(verifier) });
        }
    })
}
