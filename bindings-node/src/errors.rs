//! signbridge errors as JavaScript `Error` objects.
//!
//! Every error the addon raises or rejects with is an `Error` (a `TypeError` for arguments of the
//! wrong JavaScript type) carrying the core's details:
//! `code` (`'SB_ERR_AUTH'`), `errno` (`200`), `httpStatus`, `providerCode`, `providerDescription`,
//! `retryAfter` (seconds) and `retryable`. Absent details are `null`. Messages name
//! configuration fields and operations as JavaScript spells them (`transport.requestTimeoutMs`,
//! `securosys.createKey`); a `call` request's fields keep the table's spelling.

use std::ptr;

use napi::bindgen_prelude::Unknown;
use napi::{sys, Env, Status};
use signbridge::{Error as SbError, ErrorCode};

/// Which JavaScript constructor the error object gets.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Kind {
    /// `Error`.
    Error,
    /// `TypeError` (an argument of the wrong JavaScript type).
    TypeError,
}

/// A `napi::Error` that carries a ready-made JavaScript error object: thrown as it is from a
/// synchronous call, and used as it is to reject a Promise.
pub(crate) fn to_napi(env: &Env, err: &SbError, kind: Kind) -> napi::Error {
    match js_error(env, err, kind) {
        Ok(value) => napi::Error::from_unknown_without_coercion(value),
        // Creating an object only fails while the environment is shutting down; a plain error
        // with the same text is the best that can be done then.
        Err(_) => napi::Error::new(Status::GenericFailure, err.to_string()),
    }
}

/// A `TypeError` with code `SB_ERR_INVALID_ARGUMENT` and this message.
pub(crate) fn type_error(env: &Env, message: impl Into<String>) -> napi::Error {
    to_napi(
        env,
        &SbError::new(ErrorCode::InvalidArgument, message),
        Kind::TypeError,
    )
}

fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            Status::from(status),
            format!("could not build the error object ({what})"),
        ))
    }
}

fn string(env: sys::napi_env, s: &str) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    // SAFETY: `env` is the live environment of the calling JS thread; the pointer and length
    // describe a valid UTF-8 buffer for the duration of the call.
    check(
        unsafe { sys::napi_create_string_utf8(env, s.as_ptr().cast(), s.len() as isize, &mut out) },
        "string",
    )?;
    Ok(out)
}

fn number(env: sys::napi_env, n: f64) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    // SAFETY: as above.
    check(
        unsafe { sys::napi_create_double(env, n, &mut out) },
        "number",
    )?;
    Ok(out)
}

fn null(env: sys::napi_env) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    // SAFETY: as above.
    check(unsafe { sys::napi_get_null(env, &mut out) }, "null")?;
    Ok(out)
}

fn boolean(env: sys::napi_env, b: bool) -> napi::Result<sys::napi_value> {
    let mut out = ptr::null_mut();
    // SAFETY: as above.
    check(
        unsafe { sys::napi_get_boolean(env, b, &mut out) },
        "boolean",
    )?;
    Ok(out)
}

fn set(
    env: sys::napi_env,
    obj: sys::napi_value,
    key: &std::ffi::CStr,
    value: sys::napi_value,
) -> napi::Result<()> {
    // SAFETY: `obj` is an object created in this environment; `key` is NUL-terminated.
    check(
        unsafe { sys::napi_set_named_property(env, obj, key.as_ptr(), value) },
        "property",
    )
}

/// Build the JavaScript error object for `err`.
pub(crate) fn js_error<'e>(env: &'e Env, err: &SbError, kind: Kind) -> napi::Result<Unknown<'e>> {
    let raw = env.raw();
    let code = string(raw, err.code().name())?;
    // The core names configuration fields and operations in snake_case; a JavaScript user
    // wrote them in camelCase.
    let message = string(
        raw,
        &signbridge::naming::camel_case_config_message(err.message()),
    )?;
    let mut obj = ptr::null_mut();
    // SAFETY: live environment; `code` and `message` are strings created just above.
    check(
        unsafe {
            match kind {
                Kind::Error => sys::napi_create_error(raw, code, message, &mut obj),
                Kind::TypeError => sys::napi_create_type_error(raw, code, message, &mut obj),
            }
        },
        "error",
    )?;
    set(raw, obj, c"errno", number(raw, err.code().as_i32().into())?)?;
    let http = match err.http_status() {
        Some(s) => number(raw, s.into())?,
        None => null(raw)?,
    };
    set(raw, obj, c"httpStatus", http)?;
    let provider_code = match err.provider_code() {
        Some(c) => string(raw, c)?,
        None => null(raw)?,
    };
    set(raw, obj, c"providerCode", provider_code)?;
    let provider_description = match err.provider_description() {
        Some(c) => string(raw, c)?,
        None => null(raw)?,
    };
    set(raw, obj, c"providerDescription", provider_description)?;
    let retry_after = match err.retry_after() {
        Some(d) => number(raw, d.as_secs_f64())?,
        None => null(raw)?,
    };
    set(raw, obj, c"retryAfter", retry_after)?;
    set(raw, obj, c"retryable", boolean(raw, err.is_retryable())?)?;
    // SAFETY: `obj` is a valid value of this environment.
    Ok(unsafe { Unknown::from_raw_unchecked(raw, obj) })
}

/// The error for a panic caught while running an operation.
pub(crate) fn from_panic(payload: Box<dyn std::any::Any + Send>) -> SbError {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string());
    SbError::new(
        ErrorCode::Panic,
        format!("signbridge panicked and contained it ({what}); please report it"),
    )
}
