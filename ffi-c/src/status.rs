//! `sb_status`: the state of a signing session, with typed accessors and its full JSON.

use std::ffi::{c_char, CString};
use std::sync::Arc;

use sbcore::providers::zignsec::SigningStatus;
use sbcore::Error;

use crate::handles::{self, Kind};
use crate::memory::cstring_lossy;

/// The state of a signing session (opaque), returned by `sb_session_status` and
/// `sb_session_wait`. Read it with the `sb_status_*` accessors; free it with `sb_status_free`.
///
/// Immutable, so thread-safe: any number of threads may read one status at once. Strings
/// returned by its accessors are owned by it and valid until `sb_status_free`.
pub struct sb_status {
    status: Arc<SigningStatus>,
    id: CString,
    state: CString,
    relay_state: Option<CString>,
    signer_name: Option<CString>,
    /// Name, id and md5 (hex) of each signed file.
    signed_files: Vec<(CString, CString, Option<CString>)>,
    /// Rendered on the first `sb_status_json` (most callers read the typed accessors only).
    json: std::sync::OnceLock<CString>,
}

impl sb_status {
    /// Hand a status to C as a registered handle.
    pub(crate) fn give(status: SigningStatus) -> Result<*mut sb_status, Error> {
        let s = Box::new(sb_status {
            id: cstring_lossy(&status.id),
            state: cstring_lossy(status.status.as_str()),
            relay_state: status.relay_state.as_deref().map(cstring_lossy),
            signer_name: status
                .signer
                .as_ref()
                .and_then(|s| s.name.as_deref())
                .map(cstring_lossy),
            signed_files: status
                .signed_files
                .iter()
                .map(|f| {
                    (
                        cstring_lossy(&f.name),
                        cstring_lossy(&f.id),
                        f.md5_hex().as_deref().map(cstring_lossy),
                    )
                })
                .collect(),
            json: std::sync::OnceLock::new(),
            status: Arc::new(status),
        });
        Ok(handles::register(Box::into_raw(s), Kind::Status, 0))
    }
}

/// The core status behind a handle received from C.
pub(crate) fn status_of(p: *const sb_status) -> Option<Arc<SigningStatus>> {
    handles::with_live(p, Kind::Status, |s| s.status.clone())
}

fn read<R>(p: *const sb_status, default: R, f: impl FnOnce(&sb_status) -> R) -> R {
    handles::with_live(p, Kind::Status, f).unwrap_or(default)
}

fn opt_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}

/// The session id. NULL when `status` is NULL, freed or not a status.
#[no_mangle]
pub extern "C" fn sb_status_session_id(status: *const sb_status) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(status, std::ptr::null(), |s| s.id.as_ptr())
    })
}

/// The session's state: `"Created"`, `"Pending"`, `"Finished"`, `"Cancelled"`, `"Rejected"`,
/// `"Failed"`, `"Expired"`, or the provider's own spelling of a state this version does not know.
/// NULL when `status` is NULL, freed or not a status.
#[no_mangle]
pub extern "C" fn sb_status_state(status: *const sb_status) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(status, std::ptr::null(), |s| s.state.as_ptr())
    })
}

/// Whether the state is final (Finished, Cancelled, Rejected, Failed or Expired).
/// False when `status` is NULL, freed or not a status.
#[no_mangle]
pub extern "C" fn sb_status_is_final(status: *const sb_status) -> bool {
    ffi_guard!(false, {
        read(status, false, |s| s.status.status.is_terminal())
    })
}

/// Your `relay_state`, echoed by the provider; NULL when there is none (or `status` is invalid).
#[no_mangle]
pub extern "C" fn sb_status_relay_state(status: *const sb_status) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(status, std::ptr::null(), |s| opt_ptr(&s.relay_state))
    })
}

/// The signer's name when the provider reports it (finished sessions); else NULL.
#[no_mangle]
pub extern "C" fn sb_status_signer_name(status: *const sb_status) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(status, std::ptr::null(), |s| opt_ptr(&s.signer_name))
    })
}

/// The number of signed files (0 until the session is Finished, or when `status` is invalid).
#[no_mangle]
pub extern "C" fn sb_status_signed_file_count(status: *const sb_status) -> usize {
    ffi_guard!(0, { read(status, 0, |s| s.signed_files.len()) })
}

/// The file name of signed file `index` (0-based); NULL when out of range or `status` is invalid.
#[no_mangle]
pub extern "C" fn sb_status_signed_file_name(
    status: *const sb_status,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(status, std::ptr::null(), |s| {
            s.signed_files
                .get(index)
                .map_or(std::ptr::null(), |f| f.0.as_ptr())
        })
    })
}

/// The file id of signed file `index` (0-based); NULL when out of range or `status` is invalid.
#[no_mangle]
pub extern "C" fn sb_status_signed_file_id(
    status: *const sb_status,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(status, std::ptr::null(), |s| {
            s.signed_files
                .get(index)
                .map_or(std::ptr::null(), |f| f.1.as_ptr())
        })
    })
}

/// The md5 of signed file `index` (0-based) as the gateway reported it, as 32 lowercase hex
/// digits (`md5sum`'s form; the JSON of `sb_status_json` has it in base64 as reported). NULL when
/// no md5 was reported, `index` is out of range or `status` is invalid.
#[no_mangle]
pub extern "C" fn sb_status_signed_file_md5_hex(
    status: *const sb_status,
    index: usize,
) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        read(status, std::ptr::null(), |s| {
            s.signed_files
                .get(index)
                .map_or(std::ptr::null(), |f| opt_ptr(&f.2))
        })
    })
}

/// The whole status as JSON (the core's schema: `id`, `status`, `relay_state`, `errors`,
/// `input_files`, `signed_files`, `signer`). NULL when `status` is invalid.
#[no_mangle]
pub extern "C" fn sb_status_json(status: *const sb_status) -> *const c_char {
    ffi_guard!(std::ptr::null(), {
        // Rendered outside the handle registry's lock (`read` holds it), then stored once.
        let rendered = match read(status, None, |s| s.json.get().map(|j| j.as_ptr())) {
            Some(ptr) => return ptr,
            None => status_of(status).map(|st| {
                // A plain data struct always serializes; "{}" guards the impossible case.
                cstring_lossy(&serde_json::to_string(&*st).unwrap_or_else(|_| "{}".to_string()))
            }),
        };
        match rendered {
            Some(json) => read(status, std::ptr::null(), |s| {
                s.json.get_or_init(|| json).as_ptr()
            }),
            None => std::ptr::null(),
        }
    })
}

/// Free a status. NULL and pointers that are not live statuses are ignored. Strings previously
/// returned by its accessors become invalid.
// The pointer is only dereferenced once the registry confirmed it is a live object of this kind.
#[allow(clippy::not_unsafe_ptr_arg_deref)]
#[no_mangle]
pub extern "C" fn sb_status_free(status: *mut sb_status) {
    ffi_guard!((), {
        if handles::release(status, Kind::Status).is_some() {
            // SAFETY: registered from `Box::into_raw`, just released.
            drop(unsafe { Box::from_raw(status) });
        }
    })
}
