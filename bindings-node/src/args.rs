//! Reading JavaScript arguments, with a `TypeError` that names the argument and the expected
//! type when a value has the wrong JavaScript type (DESIGN.md principle 6). Values of the right
//! type but wrong content (an empty id, a bad URL) are the core's to judge.

use napi::bindgen_prelude::{FromNapiValue, JsObjectValue as _, Object, Uint8ArraySlice, Unknown};
use napi::{Env, JsValue, ValueType};

use crate::errors::type_error;

/// How a value is described in an error message ("a number", "null", "an array").
pub(crate) fn describe(v: &Unknown<'_>) -> &'static str {
    match v.get_type() {
        Ok(ValueType::Undefined) => "undefined",
        Ok(ValueType::Null) => "null",
        Ok(ValueType::Boolean) => "a boolean",
        Ok(ValueType::Number) => "a number",
        Ok(ValueType::String) => "a string",
        Ok(ValueType::Symbol) => "a symbol",
        Ok(ValueType::BigInt) => "a bigint",
        Ok(ValueType::Function) => "a function",
        Ok(ValueType::Object) => {
            if v.is_array().unwrap_or(false) {
                "an array"
            } else if v.is_typedarray().unwrap_or(false) {
                "a typed array"
            } else {
                "an object"
            }
        }
        _ => "a value of unknown type",
    }
}

/// Whether `v` is `undefined` or `null`.
pub(crate) fn is_nullish(v: &Unknown<'_>) -> bool {
    matches!(v.get_type(), Ok(ValueType::Undefined) | Ok(ValueType::Null))
}

fn cast<T: FromNapiValue>(env: &Env, v: &Unknown<'_>) -> napi::Result<T> {
    // SAFETY: the callers checked the JavaScript type of `v` first; `v` belongs to `env`.
    unsafe { T::from_napi_value(env.raw(), v.raw()) }
}

/// A required string.
pub(crate) fn string(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<String> {
    if v.get_type()? != ValueType::String {
        return Err(type_error(
            env,
            format!("{what} must be a string, got {}", describe(&v)),
        ));
    }
    cast(env, &v)
}

/// An optional string (`undefined` and `null` mean absent).
pub(crate) fn opt_string(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<Option<String>> {
    if is_nullish(&v) {
        return Ok(None);
    }
    string(env, v, what).map(Some)
}

/// An optional finite, non-negative number.
pub(crate) fn opt_number(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<Option<f64>> {
    if is_nullish(&v) {
        return Ok(None);
    }
    if v.get_type()? != ValueType::Number {
        return Err(type_error(
            env,
            format!("{what} must be a number, got {}", describe(&v)),
        ));
    }
    let n: f64 = cast(env, &v)?;
    if !n.is_finite() || n < 0.0 {
        return Err(type_error(
            env,
            format!("{what} must be a finite number >= 0, got {n}"),
        ));
    }
    Ok(Some(n))
}

/// Bytes from a `Buffer` or any `Uint8Array`, copied.
pub(crate) fn bytes(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<Vec<u8>> {
    let ok = v.get_type()? == ValueType::Object && (v.is_buffer()? || v.is_typedarray()?);
    if !ok {
        return Err(type_error(
            env,
            format!(
                "{what} must be a Buffer or Uint8Array, got {}",
                describe(&v)
            ),
        ));
    }
    let slice: Uint8ArraySlice<'_> = cast(env, &v).map_err(|_| {
        type_error(
            env,
            format!("{what} must be a Buffer or Uint8Array (of bytes), got another typed array"),
        )
    })?;
    Ok(slice.to_vec())
}

/// A plain object whose keys are all in `allowed` (a misspelt key is an error, not ignored).
pub(crate) struct Obj<'e> {
    env: &'e Env,
    obj: Object<'e>,
    what: String,
}

impl<'e> Obj<'e> {
    /// Read `v` as an object with only `allowed` keys.
    pub(crate) fn new(
        env: &'e Env,
        v: Unknown<'e>,
        what: &str,
        allowed: &[&str],
    ) -> napi::Result<Obj<'e>> {
        if v.get_type()? != ValueType::Object || v.is_array()? {
            return Err(type_error(
                env,
                format!("{what} must be an object, got {}", describe(&v)),
            ));
        }
        let obj: Object<'e> = cast(env, &v)?;
        for key in Object::keys(&obj)? {
            if !allowed.contains(&key.as_str()) {
                return Err(type_error(
                    env,
                    format!(
                        "{what} has an unknown field {key:?}; the fields are {}",
                        allowed.join(", ")
                    ),
                ));
            }
        }
        Ok(Obj {
            env,
            obj,
            what: what.to_string(),
        })
    }

    /// An optional `Obj` argument: `undefined`/`null` give `None`.
    pub(crate) fn opt(
        env: &'e Env,
        v: Option<Unknown<'e>>,
        what: &str,
        allowed: &[&str],
    ) -> napi::Result<Option<Obj<'e>>> {
        match v {
            Some(v) if !is_nullish(&v) => Obj::new(env, v, what, allowed).map(Some),
            _ => Ok(None),
        }
    }

    /// The raw field value.
    pub(crate) fn get(&self, key: &str) -> napi::Result<Unknown<'e>> {
        use napi::bindgen_prelude::JsObjectValue as _;
        self.obj.get_named_property::<Unknown<'e>>(key)
    }

    /// "what.key", for messages.
    pub(crate) fn path(&self, key: &str) -> String {
        format!("{}.{key}", self.what)
    }

    /// A required string field.
    pub(crate) fn string(&self, key: &str) -> napi::Result<String> {
        string(self.env, self.get(key)?, &self.path(key))
    }

    /// An optional string field.
    pub(crate) fn opt_string(&self, key: &str) -> napi::Result<Option<String>> {
        opt_string(self.env, self.get(key)?, &self.path(key))
    }

    /// An optional number field.
    pub(crate) fn opt_number(&self, key: &str) -> napi::Result<Option<f64>> {
        opt_number(self.env, self.get(key)?, &self.path(key))
    }
}

/// The elements of an array.
pub(crate) fn array<'e>(
    env: &'e Env,
    v: Unknown<'e>,
    what: &str,
) -> napi::Result<Vec<Unknown<'e>>> {
    if !(v.get_type()? == ValueType::Object && v.is_array()?) {
        return Err(type_error(
            env,
            format!("{what} must be an array, got {}", describe(&v)),
        ));
    }
    let arr: napi::bindgen_prelude::Array<'e> = cast(env, &v)?;
    let mut out = Vec::with_capacity(arr.len() as usize);
    for i in 0..arr.len() {
        out.push(arr.get_element::<Unknown<'e>>(i)?);
    }
    Ok(out)
}

/// A JSON-like value, or why it is not one.
pub(crate) fn try_json(env: &Env, v: &Unknown<'_>) -> Result<serde_json::Value, String> {
    cast::<serde_json::Value>(env, v).map_err(|e| e.reason)
}

/// A JSON-like value (plain objects, arrays, strings, numbers, booleans, null).
pub(crate) fn json(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<serde_json::Value> {
    cast::<serde_json::Value>(env, &v)
        .map_err(|e| type_error(env, format!("{what} must be JSON-like data: {}", e.reason)))
}
