//! `sb_error` and the error-code lookups.

use std::ffi::{c_char, c_int, CStr, CString};
use std::sync::LazyLock;

use sbcore::{Error, ErrorCode};

use crate::codes::sb_code;
use crate::handles::{self, Kind};
use crate::memory::cstring_lossy;

/// Details of a failed call. Created by signbridge, read by you, freed with `sb_error_free`.
///
/// All strings are NUL-terminated, owned by the error and valid until `sb_error_free`. Do not
/// modify the fields or free the strings yourself.
#[repr(C)]
pub struct sb_error {
    /// The code the call returned (one of the `SB_ERR_*` values).
    pub code: sb_code,
    /// The code's stable name, e.g. `"SB_ERR_AUTH"` (a static string).
    pub name: *const c_char,
    /// What went wrong and what to do about it (never NULL, never contains a credential).
    pub message: *const c_char,
    /// The HTTP status of the provider's answer, or 0 when there was no answer.
    pub http_status: u16,
    /// The provider's own error code (e.g. `"CANCELLED_BY_USER"`), or NULL.
    pub provider_code: *const c_char,
    /// The provider's own error description, or NULL.
    pub provider_description: *const c_char,
    /// How long the provider asked to wait before retrying, in milliseconds, or -1 when it did
    /// not say.
    pub retry_after_ms: i64,
    /// Whether retrying the same call later can succeed without changing anything.
    pub retryable: bool,
}

impl sb_error {
    /// A registered, heap-allocated copy of `err` for C.
    pub(crate) fn new_raw(err: &Error) -> *mut sb_error {
        let owned = |s: Option<&str>| {
            s.map(|s| cstring_lossy(s).into_raw() as *const c_char)
                .unwrap_or(std::ptr::null())
        };
        let retry_after_ms = err
            .retry_after()
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(-1);
        let e = Box::new(sb_error {
            code: err.code().as_i32(),
            name: code_name(err.code().as_i32()).as_ptr(),
            message: owned(Some(err.message())),
            http_status: err.http_status().unwrap_or(0),
            provider_code: owned(err.provider_code()),
            provider_description: owned(err.provider_description()),
            retry_after_ms,
            retryable: err.is_retryable(),
        });
        handles::register(Box::into_raw(e), Kind::Error, 0)
    }
}

/// Free an error returned through `out_error`. NULL, and pointers that are not live errors (freed
/// already, or not from signbridge), are ignored.
///
/// # Safety
///
/// `error` must be NULL or a pointer received from signbridge (checked against its registry
/// before use).
#[no_mangle]
pub unsafe extern "C" fn sb_error_free(error: *mut sb_error) {
    ffi_guard!((), {
        if handles::release(error, Kind::Error).is_none() {
            return;
        }
        // SAFETY: `error` was registered from `Box::into_raw` and has just been released.
        let e = unsafe { Box::from_raw(error) };
        for s in [e.message, e.provider_code, e.provider_description] {
            if !s.is_null() {
                // SAFETY: these strings come from `CString::into_raw` in `new_raw`.
                drop(unsafe { CString::from_raw(s as *mut c_char) });
            }
        }
    })
}

struct CodeText {
    code: i32,
    name: CString,
    message: CString,
}

/// NUL-terminated copies of the core's code names and messages, built once.
static CODE_TABLE: LazyLock<Vec<CodeText>> = LazyLock::new(|| {
    ErrorCode::ALL
        .iter()
        .map(|c| CodeText {
            code: c.as_i32(),
            name: cstring_lossy(c.name()),
            message: cstring_lossy(c.message()),
        })
        .collect()
});

const UNKNOWN_NAME: &CStr = c"SB_ERR_UNKNOWN";
const UNKNOWN_MESSAGE: &CStr = c"unknown signbridge error code";

fn code_text(code: i32) -> Option<&'static CodeText> {
    CODE_TABLE.iter().find(|t| t.code == code)
}

fn code_name(code: i32) -> &'static CStr {
    code_text(code).map_or(UNKNOWN_NAME, |t| t.name.as_c_str())
}

/// The stable name of any integer code: `"SB_OK"`, `"SB_ERR_AUTH"`, ... and `"SB_ERR_UNKNOWN"`
/// for a number that is not a signbridge code. Never NULL; a static string (do not free).
#[no_mangle]
pub extern "C" fn sb_code_name(code: c_int) -> *const c_char {
    ffi_guard!(UNKNOWN_NAME.as_ptr(), { code_name(code).as_ptr() })
}

/// A one-line description of any integer code that says what to do about it;
/// `"unknown signbridge error code"` for a number that is not a signbridge code. Never NULL; a
/// static string (do not free).
#[no_mangle]
pub extern "C" fn sb_code_message(code: c_int) -> *const c_char {
    ffi_guard!(UNKNOWN_MESSAGE.as_ptr(), {
        code_text(code)
            .map_or(UNKNOWN_MESSAGE, |t| t.message.as_c_str())
            .as_ptr()
    })
}

/// Whether retrying a call that failed with `code` can succeed without changing anything
/// (network, timeout, rate limit, provider unavailable, integrity). False for unknown numbers.
#[no_mangle]
pub extern "C" fn sb_code_is_retryable(code: c_int) -> bool {
    ffi_guard!(false, {
        ErrorCode::from_i32(code).is_some_and(|c| c.is_retryable())
    })
}

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("the crate version contains a NUL byte"),
    };

/// The version of the linked library, e.g. `"0.1.0"` (compare with `SIGNBRIDGE_VERSION`, the
/// version of the header you compiled against). A static string (do not free).
#[no_mangle]
pub extern "C" fn sb_version() -> *const c_char {
    ffi_guard!(c"".as_ptr(), { VERSION.as_ptr() })
}
