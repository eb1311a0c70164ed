//! Converting C arguments into Rust values, with the documented error for each bad input.

use std::ffi::{c_char, CStr};
use std::path::PathBuf;

use sbcore::Error;

use crate::boundary::FfiResult;

/// A required, NUL-terminated UTF-8 string argument.
///
/// # Safety
///
/// `p` must be NULL or point to a NUL-terminated string that outlives the returned reference.
pub unsafe fn str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<&'a str> {
    if p.is_null() {
        return Err(Error::invalid_argument(format!("{name} is NULL")));
    }
    // SAFETY: caller contract.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str().map_err(|e| {
        Error::invalid_argument(format!(
            "{name} is not valid UTF-8 (invalid byte at offset {})",
            e.valid_up_to()
        ))
    })
}

/// An optional string argument: NULL is `None`.
///
/// # Safety
///
/// As [`str_arg`].
pub unsafe fn opt_str_arg<'a>(p: *const c_char, name: &str) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        Ok(None)
    } else {
        // SAFETY: caller contract.
        unsafe { str_arg(p, name) }.map(Some)
    }
}

/// A required file-system path. On Unix any bytes are accepted (paths need not be UTF-8).
///
/// # Safety
///
/// As [`str_arg`].
pub unsafe fn path_arg(p: *const c_char, name: &str) -> FfiResult<PathBuf> {
    if p.is_null() {
        return Err(Error::invalid_argument(format!("{name} is NULL")));
    }
    // SAFETY: caller contract.
    let c = unsafe { CStr::from_ptr(p) };
    if c.is_empty() {
        return Err(Error::invalid_argument(format!("{name} is an empty path")));
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(PathBuf::from(std::ffi::OsStr::from_bytes(c.to_bytes())))
    }
    #[cfg(not(unix))]
    {
        // SAFETY: as above.
        unsafe { str_arg(p, name) }.map(PathBuf::from)
    }
}

/// A JSON text argument parsed into one of the core's serde types; NULL means the type's default.
/// Malformed JSON or a document of the wrong shape is `SB_ERR_INVALID_ARGUMENT`.
///
/// # Safety
///
/// As [`str_arg`].
pub unsafe fn json_arg<T: serde::de::DeserializeOwned + Default>(
    p: *const c_char,
    name: &str,
) -> FfiResult<T> {
    // SAFETY: caller contract.
    match unsafe { opt_str_arg(p, name) }? {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| Error::invalid_argument(format!("{name} is not valid: {e}"))),
    }
}

/// A slice argument given as pointer + count. NULL with a count of 0 is an empty slice; NULL with a
/// non-zero count is `SB_ERR_INVALID_ARGUMENT`.
///
/// # Safety
///
/// When non-NULL, `p` must point to `n` readable, initialised `T` that outlive the slice.
pub unsafe fn slice_arg<'a, T>(p: *const T, n: usize, name: &str) -> FfiResult<&'a [T]> {
    if n == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Error::invalid_argument(format!(
            "{name} is NULL but its length is {n}"
        )));
    }
    if n > isize::MAX as usize / std::mem::size_of::<T>().max(1) {
        return Err(Error::invalid_argument(format!(
            "{name} has an impossible length {n}"
        )));
    }
    // SAFETY: caller contract; the length fits in isize.
    Ok(unsafe { std::slice::from_raw_parts(p, n) })
}

/// Check that a required output pointer is not NULL.
pub fn out_arg<T>(p: *mut T, name: &str) -> FfiResult<()> {
    if p.is_null() {
        Err(Error::invalid_argument(format!(
            "{name} is NULL; pass the address of a variable to receive the result"
        )))
    } else {
        Ok(())
    }
}

/// Store `v` through an output pointer when it is not NULL.
///
/// # Safety
///
/// `p` must be NULL or valid for writing a `T`.
pub unsafe fn put<T>(p: *mut T, v: T) {
    if !p.is_null() {
        // SAFETY: caller contract. `write` does not drop the (uninitialised) old value.
        unsafe { p.write(v) };
    }
}
