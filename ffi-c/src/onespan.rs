//! OneSpan Sign specifics (`sb_onespan_*`), beside the provider-neutral `sb_signing_*` session:
//! packages, signing URLs, audit, downloads (signed document, original, ZIP, evidence summary),
//! listing page by page, trash / restore / archive / delete, the account's callback, and the
//! callback verifier for incoming deliveries.
//!
//! Each function converts its arguments, calls the matching method of the core's
//! `sbcore::blocking::Onespan` (or `CallbackVerifier`) and converts the result: nothing else.
//! Package ids are OneSpan's own: `sb_signing_session_provider_id` of a session started with
//! OneSpan.

use std::ffi::{c_char, c_void, CStr, CString};
use std::sync::{Arc, Mutex, PoisonError};

use sbcore::blocking::{Onespan, OnespanPackages};
use sbcore::providers::onespan::{
    parse_callback_event, CallbackEvent, CallbackEventName, CallbackVerifier, DocumentSpec,
    DownloadKind, ListQuery, NewPackage, Package, PackageStatus, PackageUpdate, SortDirection,
};
use sbcore::runtime::block_on;
use sbcore::{Error, ErrorCode};

use crate::args::{opt_str_arg, out_arg, path_arg, put, slice_arg, str_arg};
use crate::boundary::FfiResult;
use crate::cancel::sb_cancel_token;
use crate::client::{client_of, sb_client};
use crate::codes::sb_code;
use crate::error::sb_error;
use crate::handles::{self, Kind};
use crate::memory::{cstring_lossy, give_string, sb_bytes, sb_strings};
use crate::wait::{sb_progress_fn, wait_options};

fn onespan_of(client: *const sb_client) -> FfiResult<Onespan> {
    client_of(client)?.onespan()
}

/// A package id argument.
///
/// # Safety
///
/// As [`str_arg`].
unsafe fn package_arg<'a>(p: *const c_char) -> FfiResult<&'a str> {
    // SAFETY: caller contract.
    unsafe { str_arg(p, "package_id") }
}

// ---- sb_onespan_package ---------------------------------------------------------------------

/// A OneSpan package (transaction) as OneSpan describes it (opaque), returned by
/// `sb_onespan_get_package` and `sb_onespan_packages_next`. Read it with the
/// `sb_onespan_package_*` accessors; free it with `sb_onespan_package_free`.
///
/// Immutable, so thread-safe.
pub struct sb_onespan_package {
    id: CString,
    name: CString,
    status: CString,
    is_terminal: bool,
    trashed: bool,
    last_message: Option<CString>,
    json: CString,
}

impl sb_onespan_package {
    fn give(p: &Package) -> FfiResult<*mut sb_onespan_package> {
        let json = serde_json::to_string(p)
            .map_err(|e| Error::internal(format!("cannot render the package as JSON: {e}")))?;
        let b = Box::new(sb_onespan_package {
            id: cstring_lossy(&p.id),
            name: cstring_lossy(&p.name),
            status: cstring_lossy(p.status.as_str()),
            is_terminal: p.status.is_terminal(),
            trashed: p.trashed,
            last_message: p.last_message().map(cstring_lossy),
            json: cstring_lossy(&json),
        });
        Ok(handles::register(Box::into_raw(b), Kind::OnespanPackage, 0))
    }
}

fn read_package<R>(
    p: *const sb_onespan_package,
    default: R,
    f: impl FnOnce(&sb_onespan_package) -> R,
) -> R {
    handles::with_live(p, Kind::OnespanPackage, f).unwrap_or(default)
}

/// Read a package (`GET /api/packages/{id}`). Stores it in `*out_package` (free with
/// `sb_onespan_package_free`).
///
/// Errors: `SB_ERR_NOT_FOUND` (unknown or deleted), `SB_ERR_INVALID_ARGUMENT`,
/// `SB_ERR_AUTH_CONFIG_MISSING` (no `onespan` section), the auth, transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_get_package(
    client: *const sb_client,
    package_id: *const c_char,
    out_package: *mut *mut sb_onespan_package,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_package, "out_package")?;
        // SAFETY: caller contract.
        unsafe { put(out_package, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let id = unsafe { package_arg(package_id) }?;
        let p = sb_onespan_package::give(&api.get_package(id)?)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_package, p) };
        Ok(())
    })
}

/// The package id. NULL when `package` is NULL, freed or not an `sb_onespan_package` (as for
/// every accessor below).
#[no_mangle]
pub extern "C" fn sb_onespan_package_id(package: *const sb_onespan_package) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_package(package, std::ptr::null(), |p| p.id.as_ptr())
    })
}

/// The package (transaction) name.
#[no_mangle]
pub extern "C" fn sb_onespan_package_name(package: *const sb_onespan_package) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_package(package, std::ptr::null(), |p| p.name.as_ptr())
    })
}

/// OneSpan's status: `"DRAFT"`, `"SENT"`, `"COMPLETED"`, `"ARCHIVED"`, `"DECLINED"`,
/// `"OPTED_OUT"`, `"EXPIRED"`, or OneSpan's own word for a status this version does not know.
#[no_mangle]
pub extern "C" fn sb_onespan_package_status(package: *const sb_onespan_package) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_package(package, std::ptr::null(), |p| p.status.as_ptr())
    })
}

/// Whether signing can no longer change the status (completed, archived, declined, opted out,
/// expired). False for an invalid handle.
#[no_mangle]
pub extern "C" fn sb_onespan_package_is_terminal(package: *const sb_onespan_package) -> bool {
    ffi_guard!(false, { read_package(package, false, |p| p.is_terminal) })
}

/// Whether the package is in the trash. False for an invalid handle.
#[no_mangle]
pub extern "C" fn sb_onespan_package_trashed(package: *const sb_onespan_package) -> bool {
    ffi_guard!(false, { read_package(package, false, |p| p.trashed) })
}

/// The last message on the package (e.g. a signer's decline reason); NULL when there is none.
#[no_mangle]
pub extern "C" fn sb_onespan_package_last_message(
    package: *const sb_onespan_package,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_package(package, std::ptr::null(), |p| {
            p.last_message
                .as_ref()
                .map_or(std::ptr::null(), |s| s.as_ptr())
        })
    })
}

/// The whole package as JSON (the core's schema: `id`, `name`, `description`, `status`, `type`,
/// `autocomplete`, `due`, `emailMessage`, `language`, `trashed`, `created`, `updated`, `roles`
/// with `signers`, `documents` with `approvals` and `fields`, `messages`, `sender`, `data`).
#[no_mangle]
pub extern "C" fn sb_onespan_package_json(package: *const sb_onespan_package) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read_package(package, std::ptr::null(), |p| p.json.as_ptr())
    })
}

/// Free a package. NULL and pointers that are not live packages are ignored.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_onespan_package_free(package: *mut sb_onespan_package) {
    ffi_guard!((), {
        if handles::release(package, Kind::OnespanPackage).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(package) });
        }
    })
}

// ---- creating, changing, sending, waiting ---------------------------------------------------

/// Create a transaction (package) from its JSON description and store its id in
/// `*out_package_id` (free with `sb_string_free`).
///
/// `package_json` (snake_case; unknown fields are refused):
///
/// ```json
/// {"name": "Boat sale", "description": "...", "email_message": "...", "autocomplete": true,
///  "due": "2030-01-01T12:00:00", "language": "en", "send": false,
///  "hand_over_url": "https://example.com/done",
///  "signers": [{"role_id": "buyer", "email": "kari@example.com", "first_name": "Kari",
///               "last_name": "Nordmann", "company": "...", "title": "...", "order": 1}],
///  "documents": [{"name": "contract", "id": "doc1", "path": "contract.pdf",
///                 "fields": [{"role_id": "buyer", "page": 0, "top": 600, "left": 60,
///                             "width": 200, "height": 50, "kind": "FULLNAME"}]}]}
/// ```
///
/// A document gives `path` (a PDF file; the name defaults to the file name) or
/// `content_base64` (with `name`). Pages are 0-based, positions in PDF points from the top left.
/// `send` true sends it to the signers at once; otherwise it stays a draft until
/// `sb_onespan_send`. `in_steps` false uploads everything in one multipart request; true creates
/// the draft first and adds each document in its own request (a failed upload deletes the draft).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad JSON; the message names the JSON path, e.g.
/// `documents[1].fields[0].page`), `SB_ERR_INVALID_DOCUMENT` (not a PDF), `SB_ERR_IO` (a file),
/// `SB_ERR_OUTCOME_UNKNOWN` (no answer: look the transaction up by name with `sb_onespan_list`
/// before creating it again), `SB_ERR_AUTH_CONFIG_MISSING`, the auth, transport and provider
/// codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_create_package(
    client: *const sb_client,
    package_json: *const c_char,
    in_steps: bool,
    out_package_id: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_package_id, "out_package_id")?;
        // SAFETY: caller contract.
        unsafe { put(out_package_id, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let text = unsafe { str_arg(package_json, "package_json") }?;
        let package = block_on(NewPackage::from_json_str(text))??;
        let id = if in_steps {
            api.create_package_in_steps(&package)?
        } else {
            api.create_package(&package)?
        };
        // SAFETY: checked non-NULL above.
        unsafe { put(out_package_id, give_string(&id)) };
        Ok(())
    })
}

/// Add a document to a draft: `document_json` is one item of `sb_onespan_create_package`'s
/// `documents` (`{"name", "id", "path" | "content_base64", "fields": [...]}`). When
/// `out_document_id` is not NULL, stores the new document's id there (free with
/// `sb_string_free`).
///
/// Errors: `SB_ERR_INVALID_STATE` (the package was sent), `SB_ERR_INVALID_ARGUMENT` (bad JSON,
/// naming the path), `SB_ERR_INVALID_DOCUMENT`, `SB_ERR_NOT_FOUND`, the auth, transport and
/// provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_add_document(
    client: *const sb_client,
    package_id: *const c_char,
    document_json: *const c_char,
    out_document_id: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { put(out_document_id, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let (id, text) = unsafe {
            (
                package_arg(package_id)?,
                str_arg(document_json, "document_json")?,
            )
        };
        let document = block_on(DocumentSpec::from_json_str(text))??;
        let added = api.add_document(id, &document)?;
        if !out_document_id.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { put(out_document_id, give_string(&added.id)) };
        }
        Ok(())
    })
}

/// Change a draft: `update_json` is `{"name", "description", "email_message", "due",
/// "autocomplete"}`, each optional, at least one given; only those change.
///
/// Errors: `SB_ERR_INVALID_STATE` (the package was sent), `SB_ERR_INVALID_ARGUMENT` (bad JSON,
/// naming the field), `SB_ERR_NOT_FOUND`, the auth, transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; `out_error` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_update_package(
    client: *const sb_client,
    package_id: *const c_char,
    update_json: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let (id, text) = unsafe {
            (
                package_arg(package_id)?,
                str_arg(update_json, "update_json")?,
            )
        };
        api.update_package(id, &PackageUpdate::from_json_str(text)?)
    })
}

/// Send a draft to its signers (invitations go out; signing URLs work from now on).
///
/// # Safety
///
/// As `sb_onespan_trash`.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_send(
    client: *const sb_client,
    package_id: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { package_action(client, package_id, |a, id| a.send(id)) }
    })
}

/// The package's status (`"DRAFT"`, `"SENT"`, `"COMPLETED"`, ... as `sb_onespan_package_status`)
/// in `*out_status` (free with `sb_string_free`).
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_status(
    client: *const sb_client,
    package_id: *const c_char,
    out_status: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_status, "out_status")?;
        // SAFETY: caller contract.
        unsafe { put(out_status, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let id = unsafe { package_arg(package_id) }?;
        let status = api.status(id)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_status, give_string(status.as_str())) };
        Ok(())
    })
}

/// OneSpan's signing status of the package, or of one signer (`signer`: a role id, signer id or
/// e-mail; NULL for all) and/or one document (`document`: a document id; NULL for all), in
/// `*out_status` (free with `sb_string_free`): `"SIGNING_PENDING"`, `"SIGNING_COMPLETED"`,
/// `"COMPLETED"`, `"DRAFT"`, `"DECLINED"`, `"OPTED_OUT"`, `"EXPIRED"`, `"ARCHIVED"`,
/// `"CANCELED"`, `"DELETED"`, or OneSpan's own word for one this version does not know.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_signing_status(
    client: *const sb_client,
    package_id: *const c_char,
    signer: *const c_char,
    document: *const c_char,
    out_status: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_status, "out_status")?;
        // SAFETY: caller contract.
        unsafe { put(out_status, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let (id, signer, document) = unsafe {
            (
                package_arg(package_id)?,
                opt_str_arg(signer, "signer")?,
                opt_str_arg(document, "document")?,
            )
        };
        let status = api.signing_status(id, signer, document)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_status, give_string(status.as_str())) };
        Ok(())
    })
}

/// Poll a sent package until signing ends, blocking the calling thread: the first delay is
/// `interval_ms` (0: 5 s, OneSpan advises slow polling), each next one 1.5 times longer, up to
/// 60 s; for at most `timeout_ms` (0: no limit). `cancel` (may be NULL) aborts the wait from
/// another thread; `progress` (may be NULL) is called with each package read (as
/// `sb_onespan_package_json` renders it) and `user_data`.
///
/// Returns `SB_OK` with the completed package in `*out_package` (free with
/// `sb_onespan_package_free`), or: `SB_ERR_REJECTED` (declined or opted out; the signer's reason
/// in the message), `SB_ERR_SESSION_EXPIRED`, `SB_ERR_CANCELLED` (moved to the trash),
/// `SB_ERR_NOT_FOUND` (deleted), `SB_ERR_INVALID_STATE` (a draft: send it first),
/// `SB_ERR_TIMEOUT`, `SB_ERR_ABORTED` (`cancel` was cancelled), `SB_ERR_INVALID_ARGUMENT`, and
/// the non-retryable errors of a poll.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable; `client` and `cancel`
/// are checked before use; `progress`, when not NULL, must be a function of this signature.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_wait(
    client: *const sb_client,
    package_id: *const c_char,
    interval_ms: u32,
    timeout_ms: u64,
    cancel: *const sb_cancel_token,
    progress: sb_progress_fn,
    user_data: *mut c_void,
    out_package: *mut *mut sb_onespan_package,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_package, "out_package")?;
        // SAFETY: caller contract.
        unsafe { put(out_package, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let id = unsafe { package_arg(package_id) }?;
        let opts = wait_options::<Package>(interval_ms, timeout_ms, cancel, progress, user_data)?;
        let p = sb_onespan_package::give(&api.wait(id, &opts)?)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_package, p) };
        Ok(())
    })
}

// ---- signing URL, audit, trash ---------------------------------------------------------------

/// The signing page of role (signer) `role_id` of a sent package
/// (`GET /api/packages/{id}/roles/{roleId}/signingUrl`), in `*out_url` (free with
/// `sb_string_free`). `role_id` is the signer id of the neutral session.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_signing_url(
    client: *const sb_client,
    package_id: *const c_char,
    role_id: *const c_char,
    out_url: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_url, "out_url")?;
        // SAFETY: caller contract.
        unsafe { put(out_url, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let (id, role) = unsafe { (package_arg(package_id)?, str_arg(role_id, "role_id")?) };
        let url = api.signing_url(id, role)?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_url, give_string(&url)) };
        Ok(())
    })
}

/// The package's audit trail (`GET /api/packages/{id}/audit`) as JSON in `*out_json` (free with
/// `sb_string_free`), as the operation `onespan.audit` gives it: `{"package_id", "events":
/// [{"kind", "date_time", "target", "target_type", "user", "user_email", "user_ip", "data"}]}` (`kind`:
/// `Create`, `Send`, `View`, `Sign`, `Decline`...; `data`: a decline or opt-out reason).
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_audit(
    client: *const sb_client,
    package_id: *const c_char,
    out_json: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_json, "out_json")?;
        // SAFETY: caller contract.
        unsafe { put(out_json, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let id = unsafe { package_arg(package_id) }?;
        let audit = api.audit(id)?;
        let json = serde_json::to_string(&audit)
            .map_err(|e| Error::internal(format!("cannot render the audit as JSON: {e}")))?;
        // SAFETY: checked non-NULL above.
        unsafe { put(out_json, give_string(&json)) };
        Ok(())
    })
}

/// The shared body of the package actions.
///
/// # Safety
///
/// As theirs.
unsafe fn package_action(
    client: *const sb_client,
    package_id: *const c_char,
    act: impl FnOnce(&Onespan, &str) -> sbcore::Result<()>,
) -> FfiResult {
    let api = onespan_of(client)?;
    // SAFETY: caller contract.
    let id = unsafe { package_arg(package_id) }?;
    act(&api, id)
}

/// Move a package to the trash (its signing links stop working; `sb_onespan_restore` takes it
/// back). Errors: `SB_ERR_NOT_FOUND`, `SB_ERR_INVALID_ARGUMENT`, `SB_ERR_AUTH_CONFIG_MISSING`,
/// the auth, transport and provider codes (as for every package action below).
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; `out_error` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_trash(
    client: *const sb_client,
    package_id: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { package_action(client, package_id, |a, id| a.trash(id)) }
    })
}

/// Take a package back out of the trash.
///
/// # Safety
///
/// As `sb_onespan_trash`.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_restore(
    client: *const sb_client,
    package_id: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { package_action(client, package_id, |a, id| a.restore(id)) }
    })
}

/// Archive a completed package.
///
/// # Safety
///
/// As `sb_onespan_trash`.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_archive(
    client: *const sb_client,
    package_id: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { package_action(client, package_id, |a, id| a.archive(id)) }
    })
}

/// Delete a package for good (`DELETE /api/packages/{id}`); reading it afterwards is
/// `SB_ERR_NOT_FOUND`.
///
/// # Safety
///
/// As `sb_onespan_trash`.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_delete(
    client: *const sb_client,
    package_id: *const c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { package_action(client, package_id, |a, id| a.delete(id)) }
    })
}

// ---- downloads ------------------------------------------------------------------------------

/// What to download from a package: one of the `SB_ONESPAN_DOWNLOAD_*` values.
pub type sb_onespan_download_kind = u32;
/// A document as it is now (signed once signing is done); needs a document id. Checked to be a
/// PDF.
pub const SB_ONESPAN_DOWNLOAD_DOCUMENT: sb_onespan_download_kind = 0;
/// A document as it was uploaded; needs a document id. Checked to be a PDF.
pub const SB_ONESPAN_DOWNLOAD_ORIGINAL: sb_onespan_download_kind = 1;
/// Every document in one ZIP archive (no document id). Checked to be a ZIP.
pub const SB_ONESPAN_DOWNLOAD_ZIP: sb_onespan_download_kind = 2;
/// The evidence summary (audit report) PDF (no document id). Checked to be a PDF.
pub const SB_ONESPAN_DOWNLOAD_EVIDENCE: sb_onespan_download_kind = 3;

/// The core's download kind for the C arguments.
///
/// # Safety
///
/// `document_id` must be NULL or NUL-terminated.
unsafe fn download_kind_arg(
    kind: sb_onespan_download_kind,
    document_id: *const c_char,
) -> FfiResult<DownloadKind> {
    // SAFETY: caller contract.
    let doc = unsafe { opt_str_arg(document_id, "document_id") }?;
    let need = |what: &str| {
        doc.map(str::to_string).ok_or_else(|| {
            Error::invalid_argument(format!(
                "document_id is NULL: {what} needs the id of one document of the package"
            ))
        })
    };
    let none = |k: DownloadKind, what: &str| match doc {
        None => Ok(k),
        Some(_) => Err(Error::invalid_argument(format!(
            "document_id must be NULL for {what} (it covers the whole package)"
        ))),
    };
    match kind {
        SB_ONESPAN_DOWNLOAD_DOCUMENT => Ok(DownloadKind::Document(need(
            "SB_ONESPAN_DOWNLOAD_DOCUMENT",
        )?)),
        SB_ONESPAN_DOWNLOAD_ORIGINAL => Ok(DownloadKind::Original(need(
            "SB_ONESPAN_DOWNLOAD_ORIGINAL",
        )?)),
        SB_ONESPAN_DOWNLOAD_ZIP => none(DownloadKind::Zip, "SB_ONESPAN_DOWNLOAD_ZIP"),
        SB_ONESPAN_DOWNLOAD_EVIDENCE => none(
            DownloadKind::EvidenceSummary,
            "SB_ONESPAN_DOWNLOAD_EVIDENCE",
        ),
        _ => Err(Error::invalid_argument(format!(
            "download kind {kind} is unknown; use one of the SB_ONESPAN_DOWNLOAD_* values"
        ))),
    }
}

/// Download from a package into memory: `kind` is an `SB_ONESPAN_DOWNLOAD_*` value,
/// `document_id` the document for `_DOCUMENT` / `_ORIGINAL` (NULL for `_ZIP` / `_EVIDENCE`).
/// Stores the content in `*out_data` (free with `sb_bytes_free`) and, when `out_file_name` is
/// not NULL, the file name OneSpan suggested, made safe (NULL when it suggested none; free with
/// `sb_string_free`).
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, kind, a missing or superfluous document id),
/// `SB_ERR_INTEGRITY` (not the PDF or ZIP asked for: download again), `SB_ERR_NOT_FOUND`, the
/// auth, transport and provider codes.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_download(
    client: *const sb_client,
    package_id: *const c_char,
    kind: sb_onespan_download_kind,
    document_id: *const c_char,
    out_data: *mut sb_bytes,
    out_file_name: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_data, "out_data")?;
        // SAFETY: caller contract.
        unsafe {
            put(out_data, sb_bytes::EMPTY);
            put(out_file_name, std::ptr::null_mut());
        }
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let (id, kind) = unsafe {
            (
                package_arg(package_id)?,
                download_kind_arg(kind, document_id)?,
            )
        };
        let d = api.download(id, &kind)?;
        // SAFETY: checked non-NULL above; `out_file_name` NULL or writable.
        unsafe {
            put(out_data, sb_bytes::give(d.data.to_vec()));
            if !out_file_name.is_null() {
                put(
                    out_file_name,
                    d.file_name
                        .as_deref()
                        .map_or(std::ptr::null_mut(), give_string),
                );
            }
        }
        Ok(())
    })
}

/// Download from a package into the file `path`, checked as `sb_onespan_download` does and
/// written atomically (on any error nothing is left at `path`). Stores the number of bytes in
/// `*out_len` when it is not NULL. `SB_ERR_IO` when the file cannot be written.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_download_to_path(
    client: *const sb_client,
    package_id: *const c_char,
    kind: sb_onespan_download_kind,
    document_id: *const c_char,
    path: *const c_char,
    out_len: *mut u64,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { put(out_len, 0) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let (id, kind, path) = unsafe {
            (
                package_arg(package_id)?,
                download_kind_arg(kind, document_id)?,
                path_arg(path, "path")?,
            )
        };
        let n = api.download_to(id, &kind, path)?;
        // SAFETY: caller contract.
        unsafe { put(out_len, n) };
        Ok(())
    })
}

/// Download from a package into directory `dir` (created if missing) under the name OneSpan
/// suggests (made safe) or a name derived from the ids, written atomically. Stores the path
/// written in `*out_path` when it is not NULL (free with `sb_string_free`).
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_download_into(
    client: *const sb_client,
    package_id: *const c_char,
    kind: sb_onespan_download_kind,
    document_id: *const c_char,
    dir: *const c_char,
    out_path: *mut *mut c_char,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        // SAFETY: caller contract.
        unsafe { put(out_path, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let (id, kind, dir) = unsafe {
            (
                package_arg(package_id)?,
                download_kind_arg(kind, document_id)?,
                path_arg(dir, "dir")?,
            )
        };
        let written = api.download_into(id, &kind, dir)?;
        if !out_path.is_null() {
            // SAFETY: checked non-NULL.
            unsafe { put(out_path, give_string(&written.to_string_lossy())) };
        }
        Ok(())
    })
}

// ---- listing --------------------------------------------------------------------------------

/// An iterator over the packages a listing matches (opaque), fetching pages as needed. Created
/// by `sb_onespan_list`, advanced by `sb_onespan_packages_next`, freed by
/// `sb_onespan_packages_free`.
///
/// Thread-safe (calls on one iterator are serialised), though one thread per iterator is the
/// natural use.
pub struct sb_onespan_packages {
    iter: Arc<Mutex<OnespanPackages>>,
}

fn packages_of(p: *const sb_onespan_packages) -> FfiResult<Arc<Mutex<OnespanPackages>>> {
    handles::with_live(p, Kind::OnespanPackages, |i| i.iter.clone()).ok_or_else(|| {
        Error::invalid_argument("packages is NULL, freed, or not an sb_onespan_packages")
    })
}

/// List packages: `status` NULL (every status but trashed) or an OneSpan status (`"SENT"`,
/// `"COMPLETED"`, `"DRAFT"`, ...), `search` NULL or a text to find in names, `page_size` 1-100
/// (0: 50) packages fetched per request, `sort` NULL or a field (`"updated"`, `"name"`,
/// `"created"`, `"status"`) with `descending`. Nothing is sent yet: stores an iterator in
/// `*out_packages` (free with `sb_onespan_packages_free`); each `sb_onespan_packages_next` gives
/// one package, fetching the next page when the current one is used up.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, non-UTF-8 text), `SB_ERR_AUTH_CONFIG_MISSING`.
/// Bad values (e.g. `page_size` 101) are reported by the first `sb_onespan_packages_next`.
///
/// # Safety
///
/// Strings must be NULL or NUL-terminated; out pointers NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_list(
    client: *const sb_client,
    status: *const c_char,
    search: *const c_char,
    page_size: u32,
    sort: *const c_char,
    descending: bool,
    out_packages: *mut *mut sb_onespan_packages,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_packages, "out_packages")?;
        // SAFETY: caller contract.
        unsafe { put(out_packages, std::ptr::null_mut()) };
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let (status, search, sort) = unsafe {
            (
                opt_str_arg(status, "status")?,
                opt_str_arg(search, "search")?,
                opt_str_arg(sort, "sort")?,
            )
        };
        let mut q = ListQuery::new();
        if let Some(s) = status {
            q = q.status(PackageStatus::parse(s));
        }
        if let Some(s) = search {
            q = q.search(s);
        }
        if page_size > 0 {
            q = q.page_size(page_size);
        }
        if let Some(field) = sort {
            let dir = if descending {
                SortDirection::Desc
            } else {
                SortDirection::Asc
            };
            q = q.sort(field, dir);
        }
        let b = Box::new(sb_onespan_packages {
            iter: Arc::new(Mutex::new(api.list(q))),
        });
        let p = handles::register(Box::into_raw(b), Kind::OnespanPackages, 0);
        // SAFETY: checked non-NULL above.
        unsafe { put(out_packages, p) };
        Ok(())
    })
}

/// The next package of a listing in `*out_package` (free with `sb_onespan_package_free`), or
/// NULL when there are no more (`SB_OK` both ways). Fetches the next page when needed (blocking).
/// After an error the listing is over: later calls give NULL.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, a bad query value), the auth, transport and
/// provider codes of the page request.
///
/// # Safety
///
/// Out pointers must be NULL or writable; `packages` is checked before use.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_packages_next(
    packages: *const sb_onespan_packages,
    out_package: *mut *mut sb_onespan_package,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_package, "out_package")?;
        // SAFETY: caller contract.
        unsafe { put(out_package, std::ptr::null_mut()) };
        let iter = packages_of(packages)?;
        let next = iter.lock().unwrap_or_else(PoisonError::into_inner).next();
        if let Some(p) = next {
            let p = sb_onespan_package::give(&p?)?;
            // SAFETY: checked non-NULL above.
            unsafe { put(out_package, p) };
        }
        Ok(())
    })
}

/// The total number of packages the listing matches, known once the first page was fetched;
/// -1 before that, or for an invalid handle.
#[no_mangle]
pub extern "C" fn sb_onespan_packages_total(packages: *const sb_onespan_packages) -> i64 {
    ffi_guard!(-1, {
        packages_of(packages).ok().map_or(-1, |i| {
            i.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .total()
                .map_or(-1, |t| i64::try_from(t).unwrap_or(i64::MAX))
        })
    })
}

/// Free a listing. NULL and pointers that are not live listings are ignored.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_onespan_packages_free(packages: *mut sb_onespan_packages) {
    ffi_guard!((), {
        if handles::release(packages, Kind::OnespanPackages).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(packages) });
        }
    })
}

// ---- callbacks ------------------------------------------------------------------------------

/// Register the account's callback (`POST /api/callback`): OneSpan will POST each event named in
/// `events` (`n_events` names such as `"PACKAGE_COMPLETE"`, `"PACKAGE_DECLINE"`,
/// `"SIGNER_COMPLETE"`) to `url` with `Authorization: Basic <key>`; check deliveries with an
/// `sb_onespan_callback_verifier` made with the same key. Replaces an earlier registration.
///
/// Errors: `SB_ERR_INVALID_ARGUMENT` (bad handle, NULL arrays, a URL that is not absolute http(s),
/// an empty key or one with surrounding spaces, no events), the auth, transport and provider codes
/// (`SB_ERR_PROVIDER` for an event name OneSpan does not know). The key never appears in an
/// error.
///
/// # Safety
///
/// `events` must be NULL or point to `n_events` string pointers; strings NULL or NUL-terminated;
/// `out_error` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_register_callback(
    client: *const sb_client,
    url: *const c_char,
    key: *const c_char,
    events: *const *const c_char,
    n_events: usize,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        let api = onespan_of(client)?;
        // SAFETY: caller contract.
        let (url, key, ptrs) = unsafe {
            (
                str_arg(url, "url")?,
                str_arg(key, "key")?,
                slice_arg(events, n_events, "events")?,
            )
        };
        let mut names = Vec::with_capacity(ptrs.len());
        for (i, &p) in ptrs.iter().enumerate() {
            // SAFETY: caller contract.
            let s = unsafe { str_arg(p, &format!("events[{i}]")) }?;
            names.push(CallbackEventName::parse(s));
        }
        api.register_callback(url, key, &names)
    })
}

/// The registered callback (`GET /api/callback`): its URL in `*out_url` (free with
/// `sb_string_free`; NULL when OneSpan gives none) and, when `out_events` is not NULL, its event
/// names (free with `sb_strings_free`). The key is never given back. `SB_ERR_NOT_FOUND` when
/// none is registered.
///
/// # Safety
///
/// Out pointers must be NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn sb_onespan_get_callback(
    client: *const sb_client,
    out_url: *mut *mut c_char,
    out_events: *mut sb_strings,
    out_error: *mut *mut sb_error,
) -> sb_code {
    ffi_call!(out_error, {
        out_arg(out_url, "out_url")?;
        // SAFETY: caller contract.
        unsafe {
            put(out_url, std::ptr::null_mut());
            put(out_events, sb_strings::EMPTY);
        }
        let cb = onespan_of(client)?.get_callback()?;
        let names: Vec<&str> = cb.events.iter().map(|e| e.as_str()).collect();
        // SAFETY: checked non-NULL above; `out_events` NULL or writable.
        unsafe {
            put(
                out_url,
                cb.url.as_deref().map_or(std::ptr::null_mut(), give_string),
            );
            if !out_events.is_null() {
                put(out_events, sb_strings::give(&names));
            }
        }
        Ok(())
    })
}

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
/// registered with `sb_onespan_register_callback`; give the old and the new one while rotating).
/// The keys are kept only as SHA-256 digests. Stores it in `*out_verifier` (free with
/// `sb_onespan_callback_verifier_free`).
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
                "no callback key given: pass the key registered with \
                 sb_onespan_register_callback",
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
