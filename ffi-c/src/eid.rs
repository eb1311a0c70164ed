//! Browser-based eID sessions (BankID SE, MitID, Freja eID, BankID NO…): create, read, poll, and
//! the browser's return to your target URL; `sb_eid_result` with typed accessors and its JSON.
//!
//! Each function converts its arguments, calls the matching method of the core's
//! `sbcore::providers::zignsec::EidApi` on the shared runtime and converts the result: nothing
//! else. A product is named by a string (see [`product_arg`]), so the one family of functions
//! covers the documented products and any other gateway path.

use std::ffi::{c_char, CString};
use std::time::Duration;

use sbcore::providers::zignsec::{EidApi, EidProduct, EidRequest, EidResult, RedirectOutcome};
use sbcore::runtime::block_on;
use sbcore::{Error, WaitOptions};

use crate::args::{json_arg, opt_str_arg, out_arg, put, str_arg};
use crate::boundary::FfiResult;
use crate::cancel::{sb_cancel_token, token_of};
use crate::client::{client_of, sb_client};
use crate::codes::sb_code;
use crate::error::sb_error;
use crate::handles::{self, Kind};
use crate::memory::{cstring_lossy, give_string};

/// Product name of BankID Sweden identification (`identity_verification/bankid_se`).
pub const SB_EID_BANKID_SE: &str = "bankid_se";
/// Product name of MitID (Denmark) identification (`identity_verification/mitid`).
pub const SB_EID_MITID: &str = "mitid";
/// Product name of MitID identification with a CPR-number match (`match_cpr/mitid`).
pub const SB_EID_MITID_CPR_MATCH: &str = "mitid_cpr_match";
/// Product name of Freja eID identification by SSN (`identity_verification/freja_id_ssn`).
pub const SB_EID_FREJA: &str = "freja";
/// Product name of BankID Norway identification (`/api/v5/sessions/bankidno/auth`).
pub const SB_EID_BANKID_NO: &str = "bankid_no";

/// The core's product for a product string: one of the `SB_EID_*` names, `core/CATEGORY/PRODUCT`
/// (`/core/api/sessions/{category}/{product}`) or `v5/PROVIDER/OPERATION`
/// (`/api/v5/sessions/{provider}/{operation}`).
///
/// # Safety
///
/// `p` must be NULL or a NUL-terminated string.
unsafe fn product_arg(p: *const c_char) -> FfiResult<EidProduct> {
    // SAFETY: caller contract.
    let s = unsafe { str_arg(p, "product") }?;
    let custom = |prefix: &str| s.strip_prefix(prefix).and_then(|rest| rest.split_once('/'));
    match s {
        SB_EID_BANKID_SE => Ok(EidProduct::bankid_se()),
        SB_EID_MITID => Ok(EidProduct::mitid()),
        SB_EID_MITID_CPR_MATCH => Ok(EidProduct::mitid_cpr_match()),
        SB_EID_FREJA => Ok(EidProduct::freja()),
        SB_EID_BANKID_NO => Ok(EidProduct::bankid_no()),
        _ => {
            if let Some((a, b)) = custom("core/") {
                EidProduct::core(a, b)
            } else if let Some((a, b)) = custom("v5/") {
                EidProduct::v5(a, b)
            } else {
                Err(Error::invalid_argument(format!(
                    "product {s:?} is unknown; use one of bankid_se, mitid, mitid_cpr_match, \
                     freja, bankid_no (SB_EID_*), \"core/CATEGORY/PRODUCT\" or \
                     \"v5/PROVIDER/OPERATION\""
                )))
            }
        }
    }
}

fn eid_of(client: *const sb_client) -> FfiResult<EidApi> {
    Ok(client_of(client)?.as_async().zignsec()?.eid())
}

/// The state and result of an eID session (opaque), returned by `sb_eid_get_result`,
/// `sb_eid_wait` and `sb_eid_complete_redirect`. Read it with the `sb_eid_result_*` accessors;
/// free it with `sb_eid_result_free`.
///
/// Immutable, so thread-safe. Strings returned by its accessors are owned by it and valid until
/// `sb_eid_result_free`.
pub struct sb_eid_result {
    id: CString,
    status: CString,
    is_final: bool,
    relay_state: Option<CString>,
    full_name: Option<CString>,
    first_name: Option<CString>,
    last_name: Option<CString>,
    personal_number: Option<CString>,
    date_of_birth: Option<CString>,
    country_code: Option<CString>,
    json: CString,
}

impl sb_eid_result {
    fn give(r: EidResult) -> FfiResult<*mut sb_eid_result> {
        let json = serde_json::to_string(&r)
            .map_err(|e| Error::internal(format!("cannot render the eID result as JSON: {e}")))?;
        let opt = |s: &Option<String>| s.as_deref().map(cstring_lossy);
        let id = r.identity.as_ref();
        let field = |f: fn(&sbcore::providers::zignsec::Identity) -> &Option<String>| {
            id.and_then(|i| opt(f(i)))
        };
        let b = Box::new(sb_eid_result {
            id: cstring_lossy(&r.id),
            status: cstring_lossy(r.status.as_str()),
            is_final: r.status.is_terminal(),
            relay_state: opt(&r.relay_state),
            full_name: field(|i| &i.full_name),
            first_name: field(|i| &i.first_name),
            last_name: field(|i| &i.last_name),
            personal_number: field(|i| &i.personal_number),
            date_of_birth: field(|i| &i.date_of_birth),
            country_code: field(|i| &i.country_code),
            json: cstring_lossy(&json),
        });
        Ok(handles::register(Box::into_raw(b), Kind::EidResult, 0))
    }
}

fn read<R>(p: *const sb_eid_result, default: R, f: impl FnOnce(&sb_eid_result) -> R) -> R {
    handles::with_live(p, Kind::EidResult, f).unwrap_or(default)
}

fn text(
    p: *const sb_eid_result,
    f: impl FnOnce(&sb_eid_result) -> &Option<CString>,
) -> *const c_char {
    read(p, std::ptr::null(), |r| {
        f(r).as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// Create an eID session for `product`: one of the `SB_EID_*` names (`SB_EID_BANKID_SE`,
/// `SB_EID_MITID`, `SB_EID_MITID_CPR_MATCH`, `SB_EID_FREJA`, `SB_EID_BANKID_NO`), or any other
/// gateway product as `"core/CATEGORY/PRODUCT"` or `"v5/PROVIDER/OPERATION"`. Keep the product
/// with the session id: reading the session needs both.
///
/// `request_json` is NULL (defaults) or the envelope: a JSON object with any of `locale`,
/// `redirect_success`, `redirect_failure`, `relay_state`, `gdpr_user_id`, `webhook`, `metadata`
/// (an object with the product's options, e.g. `{"personalnumber": "199001011234"}` for BankID
/// SE, `{"cpr_number": "0101901234"}` for a MitID CPR match, `{"user_info": {"country": "SE",
/// "ssn": "198212121236"}}` for Freja; `{}` when absent). Stores the session id and the URL to
/// send the user's browser to (free both with `sb_string_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, unknown product, malformed JSON, unknown field,
/// non-absolute URL, metadata not an object), `SB_ERR_NOT_FOUND` (the gateway does not know the
/// product), the auth, transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_eid_create(
    client: *const sb_client,
    product: *const c_char,
    request_json: *const c_char,
    out_session_id: *mut *mut c_char,
    out_redirect_url: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_session_id, "out_session_id")?;
        out_arg(out_redirect_url, "out_redirect_url")?;
        // SAFETY: caller contract.
        unsafe {
            put(out_session_id, std::ptr::null_mut());
            put(out_redirect_url, std::ptr::null_mut());
        }
        let eid = eid_of(client)?;
        // SAFETY: caller contract.
        let product = unsafe { product_arg(product) }?;
        // SAFETY: caller contract.
        let req: EidRequest = unsafe { json_arg(request_json, "request_json") }?;
        let session = block_on(eid.create(&product, &req))??;
        // SAFETY: checked non-NULL above.
        unsafe {
            put(out_session_id, give_string(&session.id));
            put(out_redirect_url, give_string(&session.redirect_url));
        }
        Ok(())
    })
}

/// Read an eID session's state and result once (one request). Stores a new `sb_eid_result` in
/// `*out_result` (free with `sb_eid_result_free`). A cancelled, failed or expired session is a
/// successful call here (its status says so); `sb_eid_wait` turns those into errors.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_eid_get_result(
    client: *const sb_client,
    product: *const c_char,
    session_id: *const c_char,
    out_result: *mut *mut sb_eid_result,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_result, "out_result")?;
        // SAFETY: caller contract.
        unsafe { put(out_result, std::ptr::null_mut()) };
        let eid = eid_of(client)?;
        // SAFETY: caller contract.
        let (product, session_id) =
            unsafe { (product_arg(product)?, str_arg(session_id, "session_id")?) };
        let r = sb_eid_result::give(block_on(eid.result(&product, session_id))??)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_result, r) };
        Ok(())
    })
}

/// Poll an eID session every `interval_ms` (0: the default, 2000, as the provider recommends;
/// at least 50) until it is final, for at most `timeout_ms` (0: no limit), blocking the calling
/// thread. `cancel` (may be NULL) aborts the wait when another thread cancels it.
///
/// Returns `SB_OK` with the Finished result in `*out_result` (free with `sb_eid_result_free`),
/// or: `SB_ERR_CANCELLED` (the user cancelled; provider code `CANCELLED_BY_USER`),
/// `SB_ERR_REJECTED` (e.g. a MitID CPR mismatch, `DECLINED`), `SB_ERR_SIGNING_FAILED`,
/// `SB_ERR_SESSION_EXPIRED`; `SB_ERR_TIMEOUT` after `timeout_ms`; `SB_ERR_ABORTED` when `cancel`
/// was cancelled; `SB_ERR_INVALID_ARGUMENT` for a bad handle, product, id or interval;
/// non-retryable errors of a poll. Retryable poll errors do not end the wait.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable; `client` and `cancel`
/// are checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_eid_wait(
    client: *const sb_client,
    product: *const c_char,
    session_id: *const c_char,
    interval_ms: u32,
    timeout_ms: u64,
    cancel: *const sb_cancel_token,
    out_result: *mut *mut sb_eid_result,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_result, "out_result")?;
        // SAFETY: caller contract.
        unsafe { put(out_result, std::ptr::null_mut()) };
        let eid = eid_of(client)?;
        // SAFETY: caller contract.
        let (product, session_id) =
            unsafe { (product_arg(product)?, str_arg(session_id, "session_id")?) };
        let cancel = if cancel.is_null() {
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
        let r = sb_eid_result::give(block_on(eid.wait(&product, session_id, &opts))??)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_result, r) };
        Ok(())
    })
}

/// Handle the browser's return to your `redirect_success` / `redirect_failure` URL:
/// `returned_url` is the URL it came back to (full, or just its `?query`). A success is checked
/// (its `relay_state` must equal `expected_relay_state` when that is not NULL, its `session_id`
/// must be `session_id`), then the final result is fetched into `*out_result` (free with
/// `sb_eid_result_free`).
///
/// An error in the URL returns its code without any request: `errorCode=CANCELLED` and the
/// OAuth-style `error=access_denied` are `SB_ERR_CANCELLED`, `DECLINED` is `SB_ERR_REJECTED`,
/// `EXPIRED` is `SB_ERR_SESSION_EXPIRED`, other codes `SB_ERR_SIGNING_FAILED` (the error's
/// `provider_code` and `provider_description` carry `errorCode`/`error` and
/// `errorText`/`error_description`). A foreign relay state or session id, or an unparseable URL,
/// is `SB_ERR_INVALID_ARGUMENT`. Otherwise as `sb_eid_wait`.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated (`expected_relay_state` may be NULL); out pointers
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_eid_complete_redirect(
    client: *const sb_client,
    product: *const c_char,
    session_id: *const c_char,
    returned_url: *const c_char,
    expected_relay_state: *const c_char,
    out_result: *mut *mut sb_eid_result,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_result, "out_result")?;
        // SAFETY: caller contract.
        unsafe { put(out_result, std::ptr::null_mut()) };
        let eid = eid_of(client)?;
        // SAFETY: caller contract.
        let (product, session_id, returned_url, expected) = unsafe {
            (
                product_arg(product)?,
                str_arg(session_id, "session_id")?,
                str_arg(returned_url, "returned_url")?,
                opt_str_arg(expected_relay_state, "expected_relay_state")?,
            )
        };
        let r = block_on(eid.complete_redirect(&product, session_id, returned_url, expected))??;
        let r = sb_eid_result::give(r)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_result, r) };
        Ok(())
    })
}

/// Read the URL the browser came back to (full, or just its `?query`) without any request.
/// Stores JSON in `*out_json` (free with `sb_string_free`): `{"success": true|false,
/// "relay_state": ..., "session_id": ..., "error_code": ..., "error_text": ...}` (absent values
/// are null; `error_code` is `errorCode` or the OAuth-style `error`, `error_text` is `errorText`
/// or `error_description`). `sb_eid_complete_redirect` does this and maps an error to its code.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (NULL, non-UTF-8 or unparseable URL, NULL `out_json`).
///
/// # Safety
///
/// `returned_url` must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_eid_parse_redirect(
    returned_url: *const c_char,
    out_json: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_json, "out_json")?;
        // SAFETY: caller contract.
        unsafe { put(out_json, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let url = unsafe { str_arg(returned_url, "returned_url") }?;
        let outcome = RedirectOutcome::parse(url)?;
        let json = serde_json::to_string(&outcome).map_err(|e| {
            Error::internal(format!("cannot render the redirect outcome as JSON: {e}"))
        })?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_json, give_string(&json)) };
        Ok(())
    })
}

/// The session id. NULL when `result` is NULL, freed or not an `sb_eid_result` (as for every
/// accessor below).
#[no_mangle]
pub extern "C" fn sb_eid_result_id(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(result, std::ptr::null(), |r| r.id.as_ptr())
    })
}

/// The session's status: `"Created"`, `"Pending"`, `"Finished"`, `"Cancelled"`, `"Rejected"`,
/// `"Failed"`, `"Expired"`, or the provider's own spelling of a status this version does not know.
#[no_mangle]
pub extern "C" fn sb_eid_result_status(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(result, std::ptr::null(), |r| r.status.as_ptr())
    })
}

/// Whether the status is final (Finished, Cancelled, Rejected, Failed or Expired). False for an
/// invalid handle.
#[no_mangle]
pub extern "C" fn sb_eid_result_is_final(result: *const sb_eid_result) -> bool {
    ffi_guard!(false, { read(result, false, |r| r.is_final) })
}

/// Your `relay_state`, echoed by the provider; NULL when there is none.
#[no_mangle]
pub extern "C" fn sb_eid_result_relay_state(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), { text(result, |r| &r.relay_state) })
}

/// The identified person's full name; NULL until Finished or when the product does not report it.
#[no_mangle]
pub extern "C" fn sb_eid_result_full_name(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), { text(result, |r| &r.full_name) })
}

/// The identified person's first (given) name; NULL when absent.
#[no_mangle]
pub extern "C" fn sb_eid_result_first_name(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), { text(result, |r| &r.first_name) })
}

/// The identified person's last (family) name; NULL when absent.
#[no_mangle]
pub extern "C" fn sb_eid_result_last_name(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), { text(result, |r| &r.last_name) })
}

/// The identified person's national identity number (personnummer, fødselsnummer, CPR…); NULL
/// when absent.
#[no_mangle]
pub extern "C" fn sb_eid_result_personal_number(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), { text(result, |r| &r.personal_number) })
}

/// The identified person's date of birth (`YYYY-MM-DD` as the provider gives it); NULL when
/// absent.
#[no_mangle]
pub extern "C" fn sb_eid_result_date_of_birth(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), { text(result, |r| &r.date_of_birth) })
}

/// The identified person's ISO country code (`SE`, `NO`, `DK`…); NULL when absent.
#[no_mangle]
pub extern "C" fn sb_eid_result_country_code(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), { text(result, |r| &r.country_code) })
}

/// The whole result as JSON (the core's schema: `id`, `status`, `relay_state`, `errors`,
/// `identity` with `full_name`, `first_name`, `last_name`, `personal_number`, `date_of_birth`,
/// `country_code`, `gender`, `age`, and `raw_result`, the product's whole `result` object).
#[no_mangle]
pub extern "C" fn sb_eid_result_json(result: *const sb_eid_result) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(result, std::ptr::null(), |r| r.json.as_ptr())
    })
}

/// Free an eID result. NULL and pointers that are not live results are ignored. Strings
/// previously returned by its accessors become invalid.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_eid_result_free(result: *mut sb_eid_result) {
    ffi_guard!((), {
        if handles::release(result, Kind::EidResult).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(result) });
        }
    })
}
