//! The provider-neutral signing session (`sb_signing_*`): the same calls sign documents with
//! ZignSec BankID Norway or OneSpan Sign, the provider chosen by the configuration.
//!
//! Each function converts its arguments, calls the matching method of the core's
//! `sbcore::blocking::SigningService` and converts the result: nothing else. A session is named
//! by its reference, the string `"zignsec:<id>"` or `"onespan:<id>"` that `sb_signing_start`
//! returns; every later call takes it and goes to the provider it names.

use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;

use sbcore::blocking::SigningService;
use sbcore::signing::{
    CompletedSession, NewSession, Provider, SessionRef, SessionState, StartedSession,
};
use sbcore::Error;

use crate::args::{opt_str_arg, out_arg, path_arg, put, str_arg};
use crate::boundary::FfiResult;
use crate::cancel::sb_cancel_token;
use crate::client::{client_of, sb_client};
use crate::codes::sb_code;
use crate::error::sb_error;
use crate::handles::{self, Kind};
use crate::memory::{cstring_lossy, sb_bytes, sb_strings};
use crate::wait::{sb_progress_fn, wait_options};

fn render<T: serde::Serialize>(v: &T, what: &str) -> FfiResult<CString> {
    serde_json::to_string(v)
        .map(|s| cstring_lossy(&s))
        .map_err(|e| Error::internal(format!("cannot render the {what} as JSON: {e}")))
}

/// A session reference argument (`"zignsec:<id>"`, `"onespan:<id>"`).
///
/// # Safety
///
/// As [`str_arg`].
unsafe fn ref_arg(p: *const c_char) -> FfiResult<SessionRef> {
    // SAFETY: caller contract.
    unsafe { str_arg(p, "session_ref") }?.parse()
}

/// The service of the provider a reference names.
fn service_for(client: *const sb_client, r: &SessionRef) -> FfiResult<SigningService> {
    client_of(client)?.signing_with(r.provider())
}

fn opt_ptr(s: Option<&CString>) -> *const c_char {
    s.map_or(std::ptr::null(), |s| s.as_ptr())
}

// ---- sb_signing_session ---------------------------------------------------------------------

/// A started signing session (opaque), returned by `sb_signing_start`: its reference, provider
/// and where each signer signs. Read it with the `sb_signing_session_*` accessors; free it with
/// `sb_signing_session_free`.
///
/// Immutable, so thread-safe. Strings returned by its accessors are owned by it and valid until
/// `sb_signing_session_free`.
pub struct sb_signing_session {
    reference: CString,
    provider: CString,
    provider_id: CString,
    /// (signer id, name, url) per signer.
    signers: Vec<(CString, CString, CString)>,
    json: CString,
}

impl sb_signing_session {
    fn give(s: StartedSession) -> FfiResult<*mut sb_signing_session> {
        let b = Box::new(sb_signing_session {
            reference: cstring_lossy(&s.id.to_string()),
            provider: cstring_lossy(s.provider.as_str()),
            provider_id: cstring_lossy(s.id.id()),
            signers: s
                .signers
                .iter()
                .map(|l| {
                    (
                        cstring_lossy(&l.signer_id),
                        cstring_lossy(&l.name),
                        cstring_lossy(&l.url),
                    )
                })
                .collect(),
            json: render(&s, "started session")?,
        });
        Ok(handles::register(Box::into_raw(b), Kind::SigningSession, 0))
    }
}

fn read_session<R>(
    p: *const sb_signing_session,
    default: R,
    f: impl FnOnce(&sb_signing_session) -> R,
) -> R {
    handles::with_live(p, Kind::SigningSession, f).unwrap_or(default)
}

/// Describe, create and start a signing session in one call: every PDF is checked locally first
/// (nothing is sent for a bad session), then the provider creates the session, receives the PDFs
/// and starts it. `provider` is NULL (the configuration's choice: `{"signing": {"provider":
/// "onespan"}}`, or the only document-signing provider configured) or `"zignsec"` /
/// `"onespan"`. `session_json` describes the session (the one schema of every language):
///
/// ```json
/// {"title": "Employment contract",
///  "documents": [{"path": "contract.pdf", "fields": [{"signer": 0, "page": 1, "left": 60,
///                 "top": 650, "width": 200, "height": 50}]},
///                {"name": "annex.pdf", "base64": "JVBERi0..."}],
///  "signers": [{"id": "employee", "first_name": "Ann", "last_name": "Smith",
///               "email": "ann@example.com"}],
///  "redirects": {"success": "https://app.example/ok", "cancel": "...", "error": "..."},
///  "locale": "en",
///  "zignsec": {"relay_state": "...", "webhook": "...", "metadata": {}},
///  "onespan": {"description": "...", "email_message": "...", "due": "2030-01-31T12:00:00"}}
/// ```
///
/// (Field positions are PDF points from the page's top-left corner, pages from 1; ZignSec has
/// one signer per session, OneSpan several, who sign in the order given.) Stores the started
/// session in `*out_session` (free with `sb_signing_session_free`): its reference for every later
/// call and each signer's URL.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, malformed JSON, unknown field, no document or
/// signer, a field off the page or for an unknown signer, several signers for ZignSec, an unknown
/// provider name), `SB_ERR_INVALID_DOCUMENT` (empty or not a PDF), `SB_ERR_IO` (a path cannot be
/// read), `SB_ERR_AUTH_CONFIG_MISSING` (the provider is not configured), `SB_ERR_INVALID_CONFIG`
/// (several providers configured and none chosen), the auth, transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_signing_start(
    client: *const sb_client,
    provider: *const c_char,
    session_json: *const c_char,
    out_session: *mut *mut sb_signing_session,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_session, "out_session")?;
        // SAFETY: caller contract.
        unsafe { put(out_session, std::ptr::null_mut()) };
        let client = client_of(client)?;
        // SAFETY: caller contract.
        let (provider, text) = unsafe {
            (
                opt_str_arg(provider, "provider")?,
                str_arg(session_json, "session_json")?,
            )
        };
        let service = match provider {
            None => client.signing()?,
            Some(p) => client.signing_with(p.parse::<Provider>()?)?,
        };
        let session: NewSession = serde_json::from_str(text)
            .map_err(|e| Error::invalid_argument(format!("session_json is not valid: {e}")))?;
        let s = sb_signing_session::give(service.start(&session)?)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_session, s) };
        Ok(())
    })
}

/// The provider `sb_signing_start` uses with a NULL `provider`: `"zignsec"` or `"onespan"` in
/// `*out_provider` (a static string: do not free). Errors as `sb_signing_start` for the choice.
///
/// # Safety
///
/// Out pointers must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_signing_provider(
    client: *const sb_client,
    out_provider: *mut *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_provider, "out_provider")?;
        // SAFETY: caller contract.
        unsafe { put(out_provider, std::ptr::null()) };
        let p = match client_of(client)?.signing()?.provider() {
            Provider::Zignsec => c"zignsec",
            Provider::Onespan => c"onespan",
        };
        // SAFETY: checked non-NULL above.
        unsafe { put(out_provider, p.as_ptr()) };
        Ok(())
    })
}

/// The session's reference, `"zignsec:<id>"` or `"onespan:<id>"`: keep it (it is a plain string)
/// and pass it to every later `sb_signing_*` call. NULL when `session` is NULL, freed or not an
/// `sb_signing_session` (as for every accessor below).
#[no_mangle]
pub extern "C" fn sb_signing_session_ref(session: *const sb_signing_session) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_session(session, std::ptr::null(), |s| s.reference.as_ptr())
    })
}

/// The provider that runs the session: `"zignsec"` or `"onespan"`.
#[no_mangle]
pub extern "C" fn sb_signing_session_provider(session: *const sb_signing_session) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_session(session, std::ptr::null(), |s| s.provider.as_ptr())
    })
}

/// The provider's own id of the session (the reference without its `provider:` prefix): the
/// OneSpan package id for the `onespan.*` operations of `sb_call`.
#[no_mangle]
pub extern "C" fn sb_signing_session_provider_id(
    session: *const sb_signing_session,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_session(session, std::ptr::null(), |s| s.provider_id.as_ptr())
    })
}

/// The number of signers (0 for an invalid handle).
#[no_mangle]
pub extern "C" fn sb_signing_session_signer_count(session: *const sb_signing_session) -> usize {
    ffi_guard!(0, { read_session(session, 0, |s| s.signers.len()) })
}

/// Signer `index`'s id (given in the request, or `signer1`, `signer2`...; for OneSpan the role
/// id). NULL when out of range.
#[no_mangle]
pub extern "C" fn sb_signing_session_signer_id(
    session: *const sb_signing_session,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_session(session, std::ptr::null(), |s| {
            opt_ptr(s.signers.get(index).map(|x| &x.0))
        })
    })
}

/// Signer `index`'s full name. NULL when out of range.
#[no_mangle]
pub extern "C" fn sb_signing_session_signer_name(
    session: *const sb_signing_session,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_session(session, std::ptr::null(), |s| {
            opt_ptr(s.signers.get(index).map(|x| &x.1))
        })
    })
}

/// Signer `index`'s signing page: send their browser there. NULL when out of range.
#[no_mangle]
pub extern "C" fn sb_signing_session_signer_url(
    session: *const sb_signing_session,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_session(session, std::ptr::null(), |s| {
            opt_ptr(s.signers.get(index).map(|x| &x.2))
        })
    })
}

/// The whole started session as JSON: `{"id": "<ref>", "provider", "signers": [{"signer_id",
/// "name", "url"}]}`.
#[no_mangle]
pub extern "C" fn sb_signing_session_json(session: *const sb_signing_session) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_session(session, std::ptr::null(), |s| s.json.as_ptr())
    })
}

/// Free a started session. NULL and pointers that are not live sessions are ignored.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_signing_session_free(session: *mut sb_signing_session) {
    ffi_guard!((), {
        if handles::release(session, Kind::SigningSession).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(session) });
        }
    })
}

// ---- sb_signing_state -----------------------------------------------------------------------

/// The state of a signing session (opaque), returned by `sb_signing_status` and given to a
/// wait's progress callback as JSON. Read it with the `sb_signing_state_*` accessors; free it
/// with `sb_signing_state_free`.
///
/// Immutable, so thread-safe.
pub struct sb_signing_state {
    reference: CString,
    status: CString,
    is_final: bool,
    /// (signer id, signed) per signer.
    signers: Vec<(CString, bool)>,
    json: CString,
}

fn read_state<R>(
    p: *const sb_signing_state,
    default: R,
    f: impl FnOnce(&sb_signing_state) -> R,
) -> R {
    handles::with_live(p, Kind::SigningState, f).unwrap_or(default)
}

/// Read a session's state once. Stores it in `*out_state` (free with `sb_signing_state_free`). A
/// declined, cancelled or expired session is a successful call here (its status says so);
/// `sb_signing_wait` turns those into errors.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, malformed reference), `SB_ERR_NOT_FOUND`,
/// `SB_ERR_AUTH_CONFIG_MISSING` (the reference's provider is not configured), the auth,
/// transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_signing_status(
    client: *const sb_client,
    session_ref: *const c_char,
    out_state: *mut *mut sb_signing_state,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_state, "out_state")?;
        // SAFETY: caller contract.
        unsafe { put(out_state, std::ptr::null_mut()) };
        client_of(client)?;
        // SAFETY: caller contract.
        let r = unsafe { ref_arg(session_ref) }?;
        let st: SessionState = service_for(client, &r)?.status(&r)?;
        let b = Box::new(sb_signing_state {
            reference: cstring_lossy(&st.id.to_string()),
            status: cstring_lossy(st.status.as_str()),
            is_final: st.status.is_terminal(),
            signers: st
                .signers
                .iter()
                .map(|s| (cstring_lossy(&s.signer_id), s.signed))
                .collect(),
            json: render(&st, "session state")?,
        });
        let p = handles::register(Box::into_raw(b), Kind::SigningState, 0);
        // SAFETY: checked non-NULL above.
        unsafe { put(out_state, p) };
        Ok(())
    })
}

/// The session's reference. NULL when `state` is NULL, freed or not an `sb_signing_state` (as for
/// every accessor below).
#[no_mangle]
pub extern "C" fn sb_signing_state_ref(state: *const sb_signing_state) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_state(state, std::ptr::null(), |s| s.reference.as_ptr())
    })
}

/// The session's status, the same words for every provider: `"Created"`, `"Pending"`,
/// `"Finished"`, `"Cancelled"`, `"Rejected"` (declined or opted out), `"Failed"`, `"Expired"`, or
/// the provider's own word for a state this version does not know.
#[no_mangle]
pub extern "C" fn sb_signing_state_status(state: *const sb_signing_state) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_state(state, std::ptr::null(), |s| s.status.as_ptr())
    })
}

/// Whether the status is final. False for an invalid handle.
#[no_mangle]
pub extern "C" fn sb_signing_state_is_final(state: *const sb_signing_state) -> bool {
    ffi_guard!(false, { read_state(state, false, |s| s.is_final) })
}

/// The number of signers (0 for an invalid handle).
#[no_mangle]
pub extern "C" fn sb_signing_state_signer_count(state: *const sb_signing_state) -> usize {
    ffi_guard!(0, { read_state(state, 0, |s| s.signers.len()) })
}

/// Signer `index`'s id; NULL when out of range.
#[no_mangle]
pub extern "C" fn sb_signing_state_signer_id(
    state: *const sb_signing_state,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_state(state, std::ptr::null(), |s| {
            opt_ptr(s.signers.get(index).map(|x| &x.0))
        })
    })
}

/// Whether signer `index` has signed; false when out of range or `state` is invalid.
#[no_mangle]
pub extern "C" fn sb_signing_state_signer_signed(
    state: *const sb_signing_state,
    index: usize,
) -> bool {
    ffi_guard!(false, {
        read_state(state, false, |s| s.signers.get(index).is_some_and(|x| x.1))
    })
}

/// The whole state as JSON: `{"id": "<ref>", "status", "signers": [{"signer_id", "signed"}]}`.
#[no_mangle]
pub extern "C" fn sb_signing_state_json(state: *const sb_signing_state) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_state(state, std::ptr::null(), |s| s.json.as_ptr())
    })
}

/// Free a state. NULL and pointers that are not live states are ignored.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_signing_state_free(state: *mut sb_signing_state) {
    ffi_guard!((), {
        if handles::release(state, Kind::SigningState).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(state) });
        }
    })
}

// ---- sb_signing_completed -------------------------------------------------------------------

/// A finished session and its signed documents (opaque), returned by `sb_signing_wait` and
/// `sb_signing_result`. Read it with the `sb_signing_completed_*` accessors, save its documents
/// with `sb_signing_save_all` or `sb_signing_download`; free it with `sb_signing_completed_free`.
///
/// Immutable, so thread-safe.
pub struct sb_signing_completed {
    done: Arc<CompletedSession>,
    reference: CString,
    /// (document id, name) per signed document.
    files: Vec<(CString, CString)>,
    json: CString,
}

fn read_completed<R>(
    p: *const sb_signing_completed,
    default: R,
    f: impl FnOnce(&sb_signing_completed) -> R,
) -> R {
    handles::with_live(p, Kind::SigningCompleted, f).unwrap_or(default)
}

fn give_completed(out: *mut *mut sb_signing_completed, done: CompletedSession) -> FfiResult {
    let b = Box::new(sb_signing_completed {
        reference: cstring_lossy(&done.id.to_string()),
        files: done
            .files
            .iter()
            .map(|f| (cstring_lossy(&f.document_id), cstring_lossy(&f.name)))
            .collect(),
        json: render(&done, "completed session")?,
        done: Arc::new(done),
    });
    let p = handles::register(Box::into_raw(b), Kind::SigningCompleted, 0);
    // SAFETY: every caller checked `out` non-NULL.
    unsafe { put(out, p) };
    Ok(())
}

/// Poll a session every `interval_ms` (0: the provider's recommended interval; at least 50)
/// until it is final, for at most `timeout_ms` (0: no limit), blocking the calling thread.
/// `cancel` (may be NULL) aborts the wait from another thread; `progress` (may be NULL) is called
/// with each state polled (as `sb_signing_state_json` renders it) and `user_data`.
///
/// Returns `SB_OK` with the finished session in `*out_completed` (free with
/// `sb_signing_completed_free`), or the same codes for every provider: `SB_ERR_REJECTED`
/// (declined or opted out; the message carries the signer's reason when the provider gives one),
/// `SB_ERR_CANCELLED`, `SB_ERR_SESSION_EXPIRED`, `SB_ERR_SIGNING_FAILED`; `SB_ERR_TIMEOUT` after
/// `timeout_ms`; `SB_ERR_ABORTED` when `cancel` was cancelled (the session goes on);
/// `SB_ERR_INVALID_ARGUMENT` for a bad handle, reference or interval; non-retryable errors of a
/// poll.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable; `client` and `cancel`
/// are checked before use; `progress`, when not NULL, must be a function of this signature.
#[no_mangle]
pub unsafe extern "C" fn sb_signing_wait(
    client: *const sb_client,
    session_ref: *const c_char,
    interval_ms: u32,
    timeout_ms: u64,
    cancel: *const sb_cancel_token,
    progress: sb_progress_fn,
    user_data: *mut c_void,
    out_completed: *mut *mut sb_signing_completed,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_completed, "out_completed")?;
        // SAFETY: caller contract.
        unsafe { put(out_completed, std::ptr::null_mut()) };
        client_of(client)?;
        // SAFETY: caller contract.
        let r = unsafe { ref_arg(session_ref) }?;
        let service = service_for(client, &r)?;
        let opts =
            wait_options::<SessionState>(interval_ms, timeout_ms, cancel, progress, user_data)?;
        give_completed(out_completed, service.wait(&r, &opts)?)
    })
}

/// The outcome of a session, read once without waiting: `SB_OK` with the finished session in
/// `*out_completed`, the error its unsuccessful final state maps to (as `sb_signing_wait`), or
/// `SB_ERR_INVALID_STATE` while it is still going on.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_signing_result(
    client: *const sb_client,
    session_ref: *const c_char,
    out_completed: *mut *mut sb_signing_completed,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_completed, "out_completed")?;
        // SAFETY: caller contract.
        unsafe { put(out_completed, std::ptr::null_mut()) };
        client_of(client)?;
        // SAFETY: caller contract.
        let r = unsafe { ref_arg(session_ref) }?;
        give_completed(out_completed, service_for(client, &r)?.result(&r)?)
    })
}

/// The session's reference. NULL when `completed` is NULL, freed or not an
/// `sb_signing_completed` (as for every accessor below).
#[no_mangle]
pub extern "C" fn sb_signing_completed_ref(
    completed: *const sb_signing_completed,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_completed(completed, std::ptr::null(), |c| c.reference.as_ptr())
    })
}

/// The number of signed documents (0 for an invalid handle).
#[no_mangle]
pub extern "C" fn sb_signing_completed_file_count(completed: *const sb_signing_completed) -> usize {
    ffi_guard!(0, { read_completed(completed, 0, |c| c.files.len()) })
}

/// Signed document `index`'s id, for `sb_signing_download`. NULL when out of range.
#[no_mangle]
pub extern "C" fn sb_signing_completed_document_id(
    completed: *const sb_signing_completed,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_completed(completed, std::ptr::null(), |c| {
            opt_ptr(c.files.get(index).map(|x| &x.0))
        })
    })
}

/// Signed document `index`'s name. NULL when out of range.
#[no_mangle]
pub extern "C" fn sb_signing_completed_file_name(
    completed: *const sb_signing_completed,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_completed(completed, std::ptr::null(), |c| {
            opt_ptr(c.files.get(index).map(|x| &x.1))
        })
    })
}

/// The whole result as JSON: `{"id": "<ref>", "files": [{"document_id", "name"}]}`.
#[no_mangle]
pub extern "C" fn sb_signing_completed_json(
    completed: *const sb_signing_completed,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_completed(completed, std::ptr::null(), |c| c.json.as_ptr())
    })
}

/// Free a result. NULL and pointers that are not live results are ignored.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_signing_completed_free(completed: *mut sb_signing_completed) {
    ffi_guard!((), {
        if handles::release(completed, Kind::SigningCompleted).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(completed) });
        }
    })
}

// ---- documents and cancel -------------------------------------------------------------------

/// Download one signed document (`document_id` from `sb_signing_completed_document_id`) into
/// `*out_bytes` (free with `sb_bytes_free`), verified against the provider's checksum when it
/// reports one (`SB_ERR_INTEGRITY` otherwise).
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_signing_download(
    client: *const sb_client,
    session_ref: *const c_char,
    document_id: *const c_char,
    out_bytes: *mut sb_bytes,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_bytes, "out_bytes")?;
        // SAFETY: caller contract.
        unsafe { put(out_bytes, sb_bytes::EMPTY) };
        client_of(client)?;
        // SAFETY: caller contract.
        let (r, doc) = unsafe { (ref_arg(session_ref)?, str_arg(document_id, "document_id")?) };
        let data = service_for(client, &r)?.download(&r, doc)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_bytes, sb_bytes::give(data.to_vec())) };
        Ok(())
    })
}

/// Save every signed document of `completed` into directory `dir` (created if missing), under
/// the documents' names made safe (no directories, no clashes), each verified and written
/// atomically. When `out_paths` is not NULL, stores the paths written, in order (free with
/// `sb_strings_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handles, NULL or empty `dir`), `SB_ERR_INTEGRITY`,
/// `SB_ERR_IO`, the auth, transport and provider codes.
///
/// # Safety
///
/// `dir` must be NULL or NUL-terminated; out pointers NULL or writable; handles are checked.
#[no_mangle]
pub unsafe extern "C" fn sb_signing_save_all(
    client: *const sb_client,
    completed: *const sb_signing_completed,
    dir: *const c_char,
    out_paths: *mut sb_strings,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { put(out_paths, sb_strings::EMPTY) };
        let client = client_of(client)?;
        let done = handles::with_live(completed, Kind::SigningCompleted, |c| c.done.clone())
            .ok_or_else(|| {
                Error::invalid_argument("completed is NULL, freed, or not an sb_signing_completed")
            })?;
        // SAFETY: caller contract.
        let dir = unsafe { path_arg(dir, "dir") }?;
        let written = client
            .signing_with(done.id.provider())?
            .save_all(&done, dir)?;
        if !out_paths.is_null() {
            let paths: Vec<String> = written
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect();
            // SAFETY: checked non-NULL.
            unsafe { put(out_paths, sb_strings::give(&paths)) };
        }
        Ok(())
    })
}

/// Stop a session that is still waiting for signers, where the provider allows it: OneSpan moves
/// the transaction to the trash (its signing links stop working). ZignSec has no cancel call:
/// `SB_ERR_INVALID_ARGUMENT` (its session ends when the signer cancels or it expires).
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; `out_error` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_signing_cancel(
    client: *const sb_client,
    session_ref: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        client_of(client)?;
        // SAFETY: caller contract.
        let r = unsafe { ref_arg(session_ref) }?;
        service_for(client, &r)?.cancel(&r)
    })
}
