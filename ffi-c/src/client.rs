//! `sb_client` and the BankID Norway signing operations (ZignSec gateway).
//!
//! Each function converts its arguments, calls the matching method of
//! `sbcore::blocking::Signing` and converts the result: nothing else.

use std::ffi::c_char;
use std::time::Duration;

use sbcore::blocking::{self, Client, Signing};
use sbcore::providers::zignsec::{CreateSigning, Document, FileToSign, Placement, StartSigning};
use sbcore::{Config, Error, WaitOptions};

use crate::args::{json_arg, out_arg, path_arg, put, slice_arg, str_arg};
use crate::boundary::FfiResult;
use crate::cancel::{sb_cancel_token, token_of};
use crate::codes::sb_code;
use crate::error::sb_error;
use crate::handles::{self, Kind};
use crate::memory::{give_string, sb_bytes};
use crate::status::{sb_status, status_of};

/// A signbridge client (opaque): configuration, credentials and connections. Create it with
/// `sb_client_new` or `sb_client_new_from_env`, free it with `sb_client_free`.
///
/// Thread-safe: one client may be used by any number of threads at once, and should be shared
/// (connections are pooled per client).
pub struct sb_client {
    client: Client,
}

/// Where the visible signature goes on a document. `page` starts at 1; `x` and `y` are PDF
/// points from the bottom-left corner of the page (0 to 14400).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sb_placement {
    /// Page number, 1-based.
    pub page: u32,
    /// Horizontal position in points.
    pub x: f64,
    /// Vertical position in points.
    pub y: f64,
}

impl From<sb_placement> for Placement {
    fn from(p: sb_placement) -> Placement {
        Placement {
            page: p.page,
            x: p.x,
            y: p.y,
        }
    }
}

/// One document for `sb_sign_documents`: either a file (`path`), or a name and bytes in memory
/// (`name`, `data`, `len`; `path` NULL). `placement` may be NULL (the provider's default).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct sb_document {
    /// Read the PDF from this file; NULL to use `name` + `data` instead.
    pub path: *const c_char,
    /// File name shown to the signer (with `data`); ignored with `path` (its file name is used).
    pub name: *const c_char,
    /// The PDF bytes (with `name`); NULL with `path`.
    pub data: *const u8,
    /// The number of bytes at `data`.
    pub len: usize,
    /// Where the signature goes, or NULL.
    pub placement: *const sb_placement,
}

fn bad_client() -> Error {
    Error::invalid_argument("client is NULL, freed, or not an sb_client")
}

/// The core client behind a handle received from C.
pub(crate) fn client_of(p: *const sb_client) -> FfiResult<Client> {
    handles::with_live(p, Kind::Client, |c| c.client.clone()).ok_or_else(bad_client)
}

pub(crate) fn signing_of(p: *const sb_client) -> FfiResult<Signing> {
    client_of(p)?.zignsec_signing()
}

fn give_client(client: Client) -> *mut sb_client {
    handles::register(
        Box::into_raw(Box::new(sb_client { client })),
        Kind::Client,
        0,
    )
}

/// Create a client from configuration JSON text (the one schema shared with Rust, Python and
/// Node), e.g.
/// `{"zignsec": {"base_url": "http://127.0.0.1:8089", "keys": ["<primary>", "<secondary>"]}}`.
/// Nothing is sent. Unknown fields are refused.
///
/// Returns `SB_OK` and stores the client in `*out_client`; `SB_ERR_INVALID_ARGUMENT` (NULL or
/// non-UTF-8 text, NULL `out_client`), `SB_ERR_INVALID_CONFIG` (malformed JSON, unknown field,
/// bad URL, unreadable CA file) or `SB_ERR_AUTH_CONFIG_MISSING` (no provider configured).
///
/// # Safety
///
/// `config_json` must be NULL or a NUL-terminated string; `out_client` and `out_error` must be
/// NULL or valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn sb_client_new(
    config_json: *const c_char,
    out_client: *mut *mut sb_client,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_client, "out_client")?;
        // SAFETY: caller contract.
        unsafe { put(out_client, std::ptr::null_mut()) };
        // SAFETY: caller contract.
        let text = unsafe { str_arg(config_json, "config_json") }?;
        let client = Client::new(Config::from_json(text)?)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_client, give_client(client)) };
        Ok(())
    })
}

/// Create a client from `SIGNBRIDGE_*` environment variables: `SIGNBRIDGE_ZIGNSEC_KEY`,
/// `SIGNBRIDGE_ZIGNSEC_SECONDARY_KEY`, `SIGNBRIDGE_ZIGNSEC_ENV` (`test`/`prod`),
/// `SIGNBRIDGE_ZIGNSEC_URL` (overrides the environment, e.g. the simulator),
/// `SIGNBRIDGE_ZIGNSEC_KEY_HEADER`, `SIGNBRIDGE_CA_FILE`, `SIGNBRIDGE_REQUEST_TIMEOUT_MS`.
///
/// Returns as `sb_client_new`.
///
/// # Safety
///
/// `out_client` and `out_error` must be NULL or valid for writing a pointer.
#[no_mangle]
pub unsafe extern "C" fn sb_client_new_from_env(
    out_client: *mut *mut sb_client,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_client, "out_client")?;
        // SAFETY: caller contract.
        unsafe { put(out_client, std::ptr::null_mut()) };
        let client = Client::new(Config::from_env()?)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_client, give_client(client)) };
        Ok(())
    })
}

/// Free a client. NULL and pointers that are not live clients are ignored. Calls still running on
/// other threads finish normally (they hold their own reference).
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_client_free(client: *mut sb_client) {
    ffi_guard!((), {
        if handles::release(client, Kind::Client).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(client) });
        }
    })
}

/// Create a signing session. `request_json` is NULL (defaults) or a JSON object with any of
/// `locale`, `redirect_success`, `redirect_failure`, `relay_state`, `gdpr_user_id`, `webhook`,
/// `metadata`. Stores the new session id in `*out_session_id` (free with `sb_string_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, malformed JSON, unknown field, non-absolute
/// redirect URL), the auth, transport and provider codes.
///
/// # Safety
///
/// String arguments must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_session_create(
    client: *const sb_client,
    request_json: *const c_char,
    out_session_id: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_session_id, "out_session_id")?;
        // SAFETY: caller contract.
        unsafe { put(out_session_id, std::ptr::null_mut()) };
        let signing = signing_of(client)?;
        // SAFETY: caller contract.
        let req: CreateSigning = unsafe { json_arg(request_json, "request_json") }?;
        let session = signing.create(&req)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_session_id, give_string(&session.id)) };
        Ok(())
    })
}

/// Upload a PDF file into a created session. Stores the file id in `*out_file_id` (free with
/// `sb_string_free`). The file is checked locally first: a missing/unreadable file is
/// `SB_ERR_IO`, an empty file or not a PDF is `SB_ERR_INVALID_DOCUMENT` (nothing is sent).
///
/// # Safety
///
/// String arguments must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_session_upload_path(
    client: *const sb_client,
    session_id: *const c_char,
    path: *const c_char,
    out_file_id: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_file_id, "out_file_id")?;
        // SAFETY: caller contract.
        unsafe { put(out_file_id, std::ptr::null_mut()) };
        let signing = signing_of(client)?;
        // SAFETY: caller contract.
        let (session_id, path) =
            unsafe { (str_arg(session_id, "session_id")?, path_arg(path, "path")?) };
        let file = signing.upload_path(session_id, path)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_file_id, give_string(&file.file_id)) };
        Ok(())
    })
}

/// Upload a PDF from memory (`len` bytes at `data`, shown to the signer as `name`). Stores the
/// file id in `*out_file_id` (free with `sb_string_free`). `len` 0 (with any `data`, even NULL)
/// is `SB_ERR_INVALID_DOCUMENT`; NULL `data` with `len` > 0 is `SB_ERR_INVALID_ARGUMENT`. The
/// bytes are copied; the buffer can be reused when the call returns.
///
/// # Safety
///
/// `data` must be NULL or point to `len` readable bytes; strings NUL-terminated or NULL; out
/// pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_session_upload_buffer(
    client: *const sb_client,
    session_id: *const c_char,
    name: *const c_char,
    data: *const u8,
    len: usize,
    out_file_id: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_file_id, "out_file_id")?;
        // SAFETY: caller contract.
        unsafe { put(out_file_id, std::ptr::null_mut()) };
        let signing = signing_of(client)?;
        // SAFETY: caller contract.
        let (session_id, name, bytes) = unsafe {
            (
                str_arg(session_id, "session_id")?,
                str_arg(name, "name")?,
                slice_arg(data, len, "data")?,
            )
        };
        let file = signing.upload_bytes(session_id, name, bytes.to_vec())?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_file_id, give_string(&file.file_id)) };
        Ok(())
    })
}

/// Start signing `n_files` uploaded files (`file_ids`, in the order the signer sees them), with
/// one placement per file (`placements`, an array of `n_files`) or the provider's default
/// placement for all (`placements` NULL). Stores the URL to send the signer's browser to in
/// `*out_redirect_url` (free with `sb_string_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (no files, bad id, placement off the page), the auth,
/// transport and provider codes (`SB_ERR_INVALID_STATE` when already started).
///
/// # Safety
///
/// `file_ids` must be NULL or point to `n_files` string pointers; `placements` NULL or point to
/// `n_files` placements; strings NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_session_start(
    client: *const sb_client,
    session_id: *const c_char,
    file_ids: *const *const c_char,
    placements: *const sb_placement,
    n_files: usize,
    out_redirect_url: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_redirect_url, "out_redirect_url")?;
        // SAFETY: caller contract.
        unsafe { put(out_redirect_url, std::ptr::null_mut()) };
        let signing = signing_of(client)?;
        // SAFETY: caller contract.
        let session_id = unsafe { str_arg(session_id, "session_id") }?;
        // SAFETY: caller contract.
        let ids = unsafe { slice_arg(file_ids, n_files, "file_ids") }?;
        let places = if placements.is_null() {
            None
        } else {
            // SAFETY: caller contract.
            Some(unsafe { slice_arg(placements, n_files, "placements") }?)
        };
        let mut files = Vec::with_capacity(ids.len());
        for (i, &id) in ids.iter().enumerate() {
            files.push(FileToSign {
                // SAFETY: caller contract.
                file_id: unsafe { str_arg(id, &format!("file_ids[{i}]")) }?.to_string(),
                placement: places.map(|p| p[i].into()),
            });
        }
        let req = StartSigning {
            files,
            ..StartSigning::default()
        };
        let started = signing.start(session_id, &req)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_redirect_url, give_string(&started.redirect_url)) };
        Ok(())
    })
}

/// Start signing with a JSON request: `{"files": [{"file_id": "...", "placement": {"page": 1,
/// "x": 60, "y": 80}}], "redirect_success": "...", "redirect_failure": "..."}`. Otherwise as
/// `sb_session_start`.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_session_start_json(
    client: *const sb_client,
    session_id: *const c_char,
    request_json: *const c_char,
    out_redirect_url: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_redirect_url, "out_redirect_url")?;
        // SAFETY: caller contract.
        unsafe { put(out_redirect_url, std::ptr::null_mut()) };
        let signing = signing_of(client)?;
        // SAFETY: caller contract.
        let session_id = unsafe { str_arg(session_id, "session_id") }?;
        // SAFETY: caller contract.
        unsafe { str_arg(request_json, "request_json") }?;
        // SAFETY: caller contract.
        let req: StartSigning = unsafe { json_arg(request_json, "request_json") }?;
        let started = signing.start(session_id, &req)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_redirect_url, give_string(&started.redirect_url)) };
        Ok(())
    })
}

/// Create a session, upload `n_docs` documents and start signing, in one call. `create_json` is
/// as for `sb_session_create` (NULL for defaults). Every document is checked locally before the
/// first request. Stores the session id and the signer's URL (free both with `sb_string_free`).
///
/// # Safety
///
/// `docs` must be NULL or point to `n_docs` documents whose pointers follow `sb_document`'s
/// documentation; strings NUL-terminated or NULL; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_sign_documents(
    client: *const sb_client,
    create_json: *const c_char,
    docs: *const sb_document,
    n_docs: usize,
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
        let signing = signing_of(client)?;
        // SAFETY: caller contract.
        let create: CreateSigning = unsafe { json_arg(create_json, "create_json") }?;
        // SAFETY: caller contract.
        let docs = unsafe { slice_arg(docs, n_docs, "docs") }?;
        let mut documents = Vec::with_capacity(docs.len());
        for (i, d) in docs.iter().enumerate() {
            // SAFETY: caller contract (placement is NULL or points to one placement).
            let placement = unsafe { d.placement.as_ref() }.map(|&p| Placement::from(p));
            let doc = if !d.path.is_null() {
                if !d.data.is_null() {
                    return Err(Error::invalid_argument(format!(
                        "docs[{i}] has both path and data; give one of them"
                    )));
                }
                // SAFETY: caller contract.
                let path = unsafe { path_arg(d.path, &format!("docs[{i}].path")) }?;
                blocking::document_from_path(path, placement)?
            } else {
                // SAFETY: caller contract.
                let (name, data) = unsafe {
                    (
                        str_arg(d.name, &format!("docs[{i}].name"))?,
                        slice_arg(d.data, d.len, &format!("docs[{i}].data"))?,
                    )
                };
                Document {
                    name: name.to_string(),
                    data: data.to_vec().into(),
                    placement,
                }
            };
            documents.push(doc);
        }
        let started = signing.sign_documents(&create, &documents)?;
        // SAFETY: checked non-NULL above.
        unsafe {
            put(out_session_id, give_string(&started.id));
            put(out_redirect_url, give_string(&started.redirect_url));
        }
        Ok(())
    })
}

/// Read a session's state once. Stores a new `sb_status` in `*out_status` (free with
/// `sb_status_free`). A cancelled, failed or expired session is a successful call here (its
/// state says so); `sb_session_wait` turns those into errors.
///
/// # Safety
///
/// `session_id` must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_session_status(
    client: *const sb_client,
    session_id: *const c_char,
    out_status: *mut *mut sb_status,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_status, "out_status")?;
        // SAFETY: caller contract.
        unsafe { put(out_status, std::ptr::null_mut()) };
        let signing = signing_of(client)?;
        // SAFETY: caller contract.
        let session_id = unsafe { str_arg(session_id, "session_id") }?;
        let st = sb_status::give(signing.status(session_id)?)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_status, st) };
        Ok(())
    })
}

/// Poll a session every `interval_ms` (0: the default, 2000; at least 50) until it is final,
/// for at most `timeout_ms` (0: no limit), blocking the calling thread. `cancel` (may be NULL)
/// aborts the wait when another thread cancels it.
///
/// Returns `SB_OK` with the Finished state in `*out_status` (free with `sb_status_free`), or:
/// `SB_ERR_CANCELLED`, `SB_ERR_REJECTED`, `SB_ERR_SIGNING_FAILED`, `SB_ERR_SESSION_EXPIRED` when
/// the session ended without success (the error carries the provider's code, e.g.
/// `CANCELLED_BY_USER`); `SB_ERR_TIMEOUT` after `timeout_ms`; `SB_ERR_ABORTED` when `cancel` was
/// cancelled (the session itself goes on); `SB_ERR_INVALID_ARGUMENT` for a bad handle, id or
/// interval; non-retryable errors of a poll. Retryable poll errors do not end the wait.
///
/// # Safety
///
/// `session_id` must be NULL or NUL-terminated; out pointers NULL or writable; `client` and
/// `cancel` are checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_session_wait(
    client: *const sb_client,
    session_id: *const c_char,
    interval_ms: u32,
    timeout_ms: u64,
    cancel: *const sb_cancel_token,
    out_status: *mut *mut sb_status,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_status, "out_status")?;
        // SAFETY: caller contract.
        unsafe { put(out_status, std::ptr::null_mut()) };
        let signing = signing_of(client)?;
        // SAFETY: caller contract.
        let session_id = unsafe { str_arg(session_id, "session_id") }?;
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
        let st = sb_status::give(signing.wait(session_id, &opts)?)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_status, st) };
        Ok(())
    })
}

fn signed_file(
    status: *const sb_status,
    index: usize,
) -> FfiResult<(
    std::sync::Arc<sbcore::providers::zignsec::SigningStatus>,
    sbcore::providers::zignsec::FileRef,
)> {
    let st = status_of(status)
        .ok_or_else(|| Error::invalid_argument("status is NULL, freed, or not an sb_status"))?;
    let file = st.signed_files.get(index).cloned().ok_or_else(|| {
        Error::invalid_argument(format!(
            "index {index} is out of range: session {} ({}) has {} signed files",
            st.id,
            st.status,
            st.signed_files.len()
        ))
    })?;
    Ok((st, file))
}

/// Download signed file `index` of a Finished `status` to `path`, verified against the md5 the
/// provider reported and written atomically (on any error nothing is left at `path`; an existing
/// file there is untouched). Stores the number of bytes written in `*out_len` when it is not NULL.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, index out of range), `SB_ERR_INTEGRITY`
/// (checksum mismatch), `SB_ERR_IO`, the auth, transport and provider codes.
///
/// # Safety
///
/// `path` must be NULL or NUL-terminated; `out_len` NULL or writable; `out_error` NULL or
/// writable; handles are checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_download_to_path(
    client: *const sb_client,
    status: *const sb_status,
    index: usize,
    path: *const c_char,
    out_len: *mut u64,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { put(out_len, 0) };
        let signing = signing_of(client)?;
        let (_st, file) = signed_file(status, index)?;
        // SAFETY: caller contract.
        let path = unsafe { path_arg(path, "path") }?;
        let n = signing.download_to(&file, path)?;
        // SAFETY: caller contract.
        unsafe { put(out_len, n) };
        Ok(())
    })
}

/// Download signed file `index` of a Finished `status` into memory, verified against the md5 the
/// provider reported. Stores the bytes in `*out_bytes` (free with `sb_bytes_free`).
///
/// # Safety
///
/// `out_bytes` must be NULL or writable; `out_error` NULL or writable; handles are checked.
#[no_mangle]
pub unsafe extern "C" fn sb_download_to_buffer(
    client: *const sb_client,
    status: *const sb_status,
    index: usize,
    out_bytes: *mut sb_bytes,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_bytes, "out_bytes")?;
        // SAFETY: caller contract.
        unsafe { put(out_bytes, sb_bytes::EMPTY) };
        let signing = signing_of(client)?;
        let (_st, file) = signed_file(status, index)?;
        let data = signing.download(&file)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_bytes, sb_bytes::give(data.to_vec())) };
        Ok(())
    })
}

/// Save every signed file of a Finished `status` into directory `dir` (created if missing), under
/// the provider's file names made safe (no directories; `-2`, `-3`... on clashes), each verified
/// and written atomically. Stores the number of files written in `*out_count` when not NULL.
///
/// Errors: `SB_ERR_INVALID_STATE` when the session is not Finished, otherwise as
/// `sb_download_to_path`.
///
/// # Safety
///
/// `dir` must be NULL or NUL-terminated; `out_count` NULL or writable; `out_error` NULL or
/// writable; handles are checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_save_signed_files(
    client: *const sb_client,
    status: *const sb_status,
    dir: *const c_char,
    out_count: *mut usize,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { put(out_count, 0) };
        let signing = signing_of(client)?;
        let st = status_of(status)
            .ok_or_else(|| Error::invalid_argument("status is NULL, freed, or not an sb_status"))?;
        // SAFETY: caller contract.
        let dir = unsafe { path_arg(dir, "dir") }?;
        let written = signing.save_signed_files(&st, dir)?;
        // SAFETY: caller contract.
        unsafe { put(out_count, written.len()) };
        Ok(())
    })
}
