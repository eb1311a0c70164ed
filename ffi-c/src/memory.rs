//! Owned strings and byte buffers handed to C, and their free functions.

use std::ffi::{c_char, CString};

use crate::handles::{self, Kind};

/// A `CString` from any text; interior NUL bytes (never expected from a provider) are dropped
/// rather than failing the call.
pub(crate) fn cstring_lossy(s: &str) -> CString {
    CString::new(s).unwrap_or_else(|_| CString::new(s.replace('\0', "")).unwrap_or_default())
}

/// Hand `s` to C as a registered, owned `char *` (freed by [`sb_string_free`]).
pub(crate) fn give_string(s: &str) -> *mut c_char {
    handles::register(cstring_lossy(s).into_raw(), Kind::String, 0)
}

/// An owned byte buffer returned by signbridge. Free it with `sb_bytes_free`.
///
/// `data` is NULL when `len` is 0.
#[repr(C)]
pub struct sb_bytes {
    /// The bytes (owned by signbridge until `sb_bytes_free`).
    pub data: *mut u8,
    /// The number of bytes at `data`.
    pub len: usize,
}

impl sb_bytes {
    /// An empty buffer: `{NULL, 0}`.
    pub(crate) const EMPTY: sb_bytes = sb_bytes {
        data: std::ptr::null_mut(),
        len: 0,
    };

    /// Hand `v` to C as a registered buffer.
    pub(crate) fn give(v: Vec<u8>) -> sb_bytes {
        if v.is_empty() {
            return sb_bytes::EMPTY;
        }
        let len = v.len();
        let data = Box::into_raw(v.into_boxed_slice()) as *mut u8;
        sb_bytes {
            data: handles::register(data, Kind::Bytes, len),
            len,
        }
    }
}

/// Free a string returned by signbridge through a `char **out_...` parameter. NULL, and pointers
/// that are not live signbridge strings (already freed, or not from signbridge), are ignored.
///
/// Do not use it on the `const char *` strings returned by accessors (`sb_status_*`, `sb_code_*`,
/// `sb_version`) or held by an `sb_error`: those are owned by their object.
///
/// # Safety
///
/// `s` must be NULL or a pointer (checked against signbridge's registry before use).
#[no_mangle]
pub unsafe extern "C" fn sb_string_free(s: *mut c_char) {
    ffi_guard!((), {
        if handles::release(s, Kind::String).is_some() {
            // SAFETY: registered from `CString::into_raw` and just released.
            drop(unsafe { CString::from_raw(s) });
        }
    })
}

/// Overwrite `len` bytes at `p` with zeros in a way the optimiser cannot drop.
///
/// # Safety
///
/// `p` must be valid for writing `len` bytes.
unsafe fn wipe(p: *mut u8, len: usize) {
    for i in 0..len {
        // SAFETY: caller contract; `i < len`.
        unsafe { std::ptr::write_volatile(p.add(i), 0) };
    }
    std::sync::atomic::compiler_fence(std::sync::atomic::Ordering::SeqCst);
}

/// A list of strings returned by signbridge (e.g. key labels). Free it with `sb_strings_free`.
///
/// `items` is NULL when `len` is 0. Each string is NUL-terminated UTF-8, owned by the list.
#[repr(C)]
pub struct sb_strings {
    /// The strings (owned by signbridge until `sb_strings_free`; do not free them one by one).
    pub items: *const *const c_char,
    /// The number of strings at `items`.
    pub len: usize,
}

impl sb_strings {
    /// An empty list: `{NULL, 0}`.
    pub(crate) const EMPTY: sb_strings = sb_strings {
        items: std::ptr::null(),
        len: 0,
    };

    /// Hand `v` to C as a registered list.
    pub(crate) fn give<S: AsRef<str>>(v: &[S]) -> sb_strings {
        if v.is_empty() {
            return sb_strings::EMPTY;
        }
        let items: Box<[*const c_char]> = v
            .iter()
            .map(|s| cstring_lossy(s.as_ref()).into_raw() as *const c_char)
            .collect();
        let len = items.len();
        let p = Box::into_raw(items) as *mut *const c_char;
        sb_strings {
            items: handles::register(p, Kind::Strings, len),
            len,
        }
    }
}

/// Free a list of strings and reset it to `{NULL, 0}`. NULL, `{NULL, 0}` and lists that are not
/// live signbridge lists (already freed) are ignored. The strings it held become invalid.
///
/// # Safety
///
/// `strings` must be NULL or point to a readable and writable `sb_strings`.
#[no_mangle]
pub unsafe extern "C" fn sb_strings_free(strings: *mut sb_strings) {
    ffi_guard!((), {
        if strings.is_null() {
            return;
        }
        // SAFETY: caller contract: `strings` points to an `sb_strings`.
        let l = unsafe { &mut *strings };
        if let Some(len) = handles::release(l.items, Kind::Strings) {
            let slice = std::ptr::slice_from_raw_parts_mut(l.items as *mut *const c_char, len);
            // SAFETY: registered from `Box::<[*const c_char]>::into_raw` with this length, just
            // released.
            let items = unsafe { Box::from_raw(slice) };
            for &s in items.iter() {
                // SAFETY: each item comes from `CString::into_raw` in `give`.
                drop(unsafe { CString::from_raw(s as *mut c_char) });
            }
            *l = sb_strings::EMPTY;
        }
    })
}

/// Free the buffer of `bytes` and reset it to `{NULL, 0}`. NULL, `{NULL, 0}`, and buffers that
/// are not live signbridge buffers (already freed) are ignored. The length freed is the one
/// signbridge recorded, whatever `bytes->len` says. The buffer is overwritten with zeros before
/// it is released (it may hold secret bytes, e.g. a downloaded document).
///
/// # Safety
///
/// `bytes` must be NULL or point to a readable and writable `sb_bytes`.
#[no_mangle]
pub unsafe extern "C" fn sb_bytes_free(bytes: *mut sb_bytes) {
    ffi_guard!((), {
        if bytes.is_null() {
            return;
        }
        // SAFETY: caller contract: `bytes` points to an `sb_bytes`.
        let b = unsafe { &mut *bytes };
        if let Some(len) = handles::release(b.data, Kind::Bytes) {
            // SAFETY: the registry recorded `len` bytes at `b.data`, owned by signbridge.
            unsafe { wipe(b.data, len) };
            let slice = std::ptr::slice_from_raw_parts_mut(b.data, len);
            // SAFETY: registered from `Box::<[u8]>::into_raw` with this length, just released.
            drop(unsafe { Box::from_raw(slice) });
            *b = sb_bytes::EMPTY;
        }
    })
}

/// The number of objects signbridge has handed out and not yet taken back: clients, statuses,
/// cancel tokens, errors, strings, string lists, byte buffers and every other handle. A program (or its tests) can check that it
/// reaches 0 after everything was freed. (Every such object stays registered until freed, so a
/// leak checker such as valgrind reports a forgotten one as "still reachable", not "lost".)
#[no_mangle]
pub extern "C" fn sb_live_objects() -> usize {
    ffi_guard!(0, { handles::live_total() })
}
