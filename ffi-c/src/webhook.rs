//! `sb_webhook_verifier`: authenticate a pushed result (webhook delivery) with one call.
//!
//! Each function converts its arguments and calls the core's `sbcore::webhook` (the verifier,
//! and `sign_v5` / `sign_legacy` for tests): nothing else.

use std::ffi::{c_char, CStr};
use std::sync::Arc;
use std::time::Duration;

use sbcore::webhook::{self as core_webhook, WebhookEvent, WebhookVerifier};
use sbcore::Error;

use crate::args::{opt_str_arg, out_arg, put, slice_arg, str_arg};
use crate::boundary::FfiResult;
use crate::codes::sb_code;
use crate::error::sb_error;
use crate::handles::{self, Kind};
use crate::memory::give_string;

/// The HTTP header ZignSec signs deliveries with: `t=<unix seconds>,v1=<hex HMAC-SHA256>`.
pub const SB_WEBHOOK_SIGNATURE_HEADER: &str = "X-ZignSec-Hmac-SHA256";

/// A webhook verifier (opaque): the secrets of one endpoint, the timestamp tolerance and the
/// memory of accepted deliveries (to refuse replays). Create with `sb_webhook_verifier_new`,
/// free with `sb_webhook_verifier_free`.
///
/// Thread-safe: one verifier may be used by any number of threads at once, and should be shared
/// by every thread serving the endpoint (replays are detected across all of them).
pub struct sb_webhook_verifier {
    verifier: Arc<WebhookVerifier>,
}

fn verifier_of(p: *const sb_webhook_verifier) -> FfiResult<Arc<WebhookVerifier>> {
    handles::with_live(p, Kind::WebhookVerifier, |v| v.verifier.clone()).ok_or_else(|| {
        Error::invalid_argument("verifier is NULL, freed, or not an sb_webhook_verifier")
    })
}

/// Create a verifier accepting any of `n_secrets` secrets (give the old and the new one during a
/// rotation). `tolerance_s` is the accepted distance in seconds between a delivery's timestamp
/// and now (0: the default, 300; at most 86400, one day). Stores it in `*out_verifier` (free
/// with `sb_webhook_verifier_free`). The secrets are copied.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (NULL array with `n_secrets` > 0, a NULL or non-UTF-8
/// secret, NULL `out_verifier`, a tolerance above 86400 s), `SB_ERR_AUTH_CONFIG_MISSING` (no
/// secret, or an empty one).
///
/// # Safety
///
/// `secrets` must be NULL or point to `n_secrets` string pointers (each NULL or NUL-terminated);
/// out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_webhook_verifier_new(
    secrets: *const *const c_char,
    n_secrets: usize,
    tolerance_s: u32,
    out_verifier: *mut *mut sb_webhook_verifier,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_verifier, "out_verifier")?;
        // SAFETY: caller contract.
        unsafe { put(out_verifier, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let verifier = unsafe { new_verifier(secrets, n_secrets, tolerance_s) }?;
        let b = Box::new(sb_webhook_verifier {
            verifier: Arc::new(verifier),
        });
        let p = handles::register(Box::into_raw(b), Kind::WebhookVerifier, 0);
        // SAFETY: checked non-NULL above.
        unsafe { put(out_verifier, p) };
        Ok(())
    })
}

/// Like `sb_webhook_verifier_new`, remembering accepted deliveries in the store
/// `replay_store_url` names, shared by every instance behind a load balancer:
/// `redis://[:password@]host[:port][/db]` (NULL or `memory:`: this process's memory). A
/// delivery the store cannot be reached for is refused (`SB_ERR_NETWORK`/`SB_ERR_TIMEOUT`:
/// answer 5xx, the provider delivers it again).
///
/// Errors: those of `sb_webhook_verifier_new`, and `SB_ERR_INVALID_CONFIG` for a URL that is
/// not a replay store's (never repeated in the message: it may carry a password).
///
/// # Safety
///
/// As `sb_webhook_verifier_new`; `replay_store_url` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn sb_webhook_verifier_new_shared(
    secrets: *const *const c_char,
    n_secrets: usize,
    tolerance_s: u32,
    replay_store_url: *const c_char,
    out_verifier: *mut *mut sb_webhook_verifier,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_verifier, "out_verifier")?;
        // SAFETY: caller contract.
        unsafe { put(out_verifier, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let url = unsafe { opt_str_arg(replay_store_url, "replay_store_url") }?;
        // SAFETY: caller contract.
        let verifier = unsafe { new_verifier(secrets, n_secrets, tolerance_s) }?;
        let verifier = match url {
            Some(u) => verifier.with_replay_store_url(u)?,
            None => verifier,
        };
        let b = Box::new(sb_webhook_verifier {
            verifier: Arc::new(verifier),
        });
        let p = handles::register(Box::into_raw(b), Kind::WebhookVerifier, 0);
        // SAFETY: checked non-NULL above.
        unsafe { put(out_verifier, p) };
        Ok(())
    })
}

/// The verifier `sb_webhook_verifier_new` describes.
///
/// # Safety
///
/// As `sb_webhook_verifier_new`.
unsafe fn new_verifier(
    secrets: *const *const c_char,
    n_secrets: usize,
    tolerance_s: u32,
) -> FfiResult<WebhookVerifier> {
    // SAFETY: caller contract.
    let ptrs = unsafe { slice_arg(secrets, n_secrets, "secrets") }?;
    let mut owned = Vec::with_capacity(ptrs.len());
    for (i, &p) in ptrs.iter().enumerate() {
        // SAFETY: caller contract.
        let s = unsafe { str_arg(p, &format!("secrets[{i}]")) }?;
        owned.push(s.to_string().into());
    }
    let mut verifier = WebhookVerifier::new(owned)?;
    if tolerance_s > 0 {
        verifier = verifier.with_tolerance(Duration::from_secs(tolerance_s.into()))?;
    }
    Ok(verifier)
}

/// The header text as given: NULL (header absent) is "", non-UTF-8 bytes are replaced; both then
/// fail verification as malformed (`SB_ERR_WEBHOOK_INVALID`), never as a bad argument.
///
/// # Safety
///
/// `p` must be NULL or NUL-terminated.
unsafe fn header_arg(p: *const c_char) -> String {
    if p.is_null() {
        String::new()
    } else {
        // SAFETY: caller contract.
        unsafe { CStr::from_ptr(p) }.to_string_lossy().into_owned()
    }
}

/// Shared body of the two verify functions.
///
/// # Safety
///
/// As theirs.
unsafe fn verify_with(
    verifier: *const sb_webhook_verifier,
    signature_header: *const c_char,
    body: *const u8,
    body_len: usize,
    out_event_json: *mut *mut c_char,
    check: impl FnOnce(&WebhookVerifier, &str, &[u8]) -> sbcore::Result<WebhookEvent>,
) -> FfiResult {
    // SAFETY: caller contract.
    unsafe { put(out_event_json, std::ptr::null_mut()) };
    let v = verifier_of(verifier)?;
    // SAFETY: caller contract.
    let (header, body) = unsafe {
        (
            header_arg(signature_header),
            slice_arg(body, body_len, "body")?,
        )
    };
    let event = check(&v, &header, body)?;
    if !out_event_json.is_null() {
        let json = serde_json::to_string(&event)
            .map_err(|e| Error::internal(format!("cannot render the event as JSON: {e}")))?;
        // SAFETY: checked non-NULL.
        unsafe { put(out_event_json, give_string(&json)) };
    }
    Ok(())
}

/// Authenticate a v5 delivery: `signature_header` is the value of the `X-ZignSec-Hmac-SHA256`
/// header (`SB_WEBHOOK_SIGNATURE_HEADER`; NULL when the request had none), `body` the raw request
/// body exactly as received (`body_len` bytes, before any parsing). Checks the HMAC-SHA256 over
/// `t + "." + body` against every secret in constant time, the timestamp against the tolerance,
/// and that this delivery was not accepted before.
///
/// Returns `SB_OK` (answer HTTP 200 and act on it) and, when `out_event_json` is not NULL, the
/// parsed event as JSON (free with `sb_string_free`): `{"event", "session_id", "integration_id",
/// "relay_state", "status", "errors", "identity", "workflow_session_id", "raw"}`. Otherwise:
/// `SB_ERR_WEBHOOK_INVALID` (no or malformed header, tampered body, wrong secret: answer 401),
/// `SB_ERR_WEBHOOK_REPLAY` (timestamp outside the tolerance, or a delivery already accepted:
/// answer 400 and do not act on it), `SB_ERR_PROTOCOL` (authentic but not the documented JSON),
/// `SB_ERR_INVALID_ARGUMENT` (bad verifier handle, NULL `body` with `body_len` > 0).
///
/// Thread-safe: call it from any number of threads with one shared verifier.
///
/// # Safety
///
/// `signature_header` must be NULL or NUL-terminated; `body` NULL or `body_len` readable bytes;
/// out pointers NULL or writable; `verifier` is checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_webhook_verify(
    verifier: *const sb_webhook_verifier,
    signature_header: *const c_char,
    body: *const u8,
    body_len: usize,
    out_event_json: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe {
            verify_with(
                verifier,
                signature_header,
                body,
                body_len,
                out_event_json,
                |v, h, b| v.verify(h, b),
            )
        }
    })
}

/// Authenticate a legacy (v2) delivery, whose header is `hex(HMAC-SHA256(secret, body))`. There
/// is no timestamp, so no replay check: deduplicate by the event's session id yourself. Returns
/// as `sb_webhook_verify` (never `SB_ERR_WEBHOOK_REPLAY`).
///
/// # Safety
///
/// As `sb_webhook_verify`.
#[no_mangle]
pub unsafe extern "C" fn sb_webhook_verify_legacy(
    verifier: *const sb_webhook_verifier,
    signature_header: *const c_char,
    body: *const u8,
    body_len: usize,
    out_event_json: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe {
            verify_with(
                verifier,
                signature_header,
                body,
                body_len,
                out_event_json,
                |v, h, b| v.verify_legacy(h, b),
            )
        }
    })
}

/// For tests and local simulators: the `X-ZignSec-Hmac-SHA256` value ZignSec v5 would send for
/// `body` signed with `secret` at `timestamp` (Unix seconds, e.g. `time(NULL)`):
/// `t=<timestamp>,v1=<hex>`. Stores it in `*out_header` (free with `sb_string_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (NULL or non-UTF-8 secret, NULL `body` with `body_len` > 0,
/// NULL `out_header`).
///
/// # Safety
///
/// `secret` must be NULL or NUL-terminated; `body` NULL or `body_len` readable bytes; out
/// pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_webhook_sign_v5(
    secret: *const c_char,
    timestamp: u64,
    body: *const u8,
    body_len: usize,
    out_header: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_header, "out_header")?;
        // SAFETY: caller contract.
        unsafe { put(out_header, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let (secret, body) = unsafe {
            (
                str_arg(secret, "secret")?,
                slice_arg(body, body_len, "body")?,
            )
        };
        let header = core_webhook::sign_v5(secret, timestamp, body);
        // SAFETY: checked non-NULL above.
        unsafe { put(out_header, give_string(&header)) };
        Ok(())
    })
}

/// For tests and local simulators: the legacy (v2) signature of `body` with `secret`,
/// `hex(HMAC-SHA256(secret, body))`. Otherwise as `sb_webhook_sign_v5`.
///
/// # Safety
///
/// As `sb_webhook_sign_v5`.
#[no_mangle]
pub unsafe extern "C" fn sb_webhook_sign_legacy(
    secret: *const c_char,
    body: *const u8,
    body_len: usize,
    out_header: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_header, "out_header")?;
        // SAFETY: caller contract.
        unsafe { put(out_header, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let (secret, body) = unsafe {
            (
                str_arg(secret, "secret")?,
                slice_arg(body, body_len, "body")?,
            )
        };
        let header = core_webhook::sign_legacy(secret, body);
        // SAFETY: checked non-NULL above.
        unsafe { put(out_header, give_string(&header)) };
        Ok(())
    })
}

/// Free a verifier. NULL and pointers that are not live verifiers are ignored. Calls still
/// running on other threads finish normally (they hold their own reference).
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_webhook_verifier_free(verifier: *mut sb_webhook_verifier) {
    ffi_guard!((), {
        if handles::release(verifier, Kind::WebhookVerifier).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(verifier) });
        }
    })
}
