//! A camelCase request read from JavaScript (`client.callCamelCase`, what every facade runs).
//!
//! The request is read into JSON along the operation's declaration in the core. Bytes given as
//! a Buffer or Uint8Array are copied out on the JavaScript thread and base64-encoded into the
//! request on the core's runtime ([`Request::into_json`]): encoding a large file on the
//! JavaScript thread would stall the event loop.

use napi::bindgen_prelude::{FromNapiValue, JsObjectValue as _, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use serde_json::Value;

use crate::args::{self, is_nullish};
use crate::securosys;

/// A request as read.
pub(crate) enum Request {
    /// Read by the addon: its JSON, and the bytes still to be put into it as base64 text, each
    /// at the JSON pointer of its field (a `null` there until then).
    Json(Value, Vec<(String, Vec<u8>)>),
    /// JSON text of scalars `index.js` wrote for `op`; a scalar where `op` takes bytes is
    /// refused as [`camel_case`] refuses it.
    Text(&'static signbridge::api::Operation, String),
}

impl Request {
    /// The request's JSON with its bytes in place as base64 text (on the core's runtime).
    pub(crate) fn into_json(self) -> signbridge::Result<Value> {
        let (mut json, bytes) = match self {
            Request::Json(json, bytes) => (json, bytes),
            Request::Text(op, text) => {
                let json: Value = serde_json::from_str(&text).map_err(|e| {
                    signbridge::Error::invalid_argument(format!("the request is not JSON: {e}"))
                })?;
                let fields = json.as_object().into_iter().flatten();
                if let Some((key, v)) = fields.into_iter().find(|(k, _)| op.is_bytes_field(k)) {
                    let given = match v {
                        Value::String(_) => "a string",
                        Value::Number(_) => "a number",
                        Value::Bool(_) => "a boolean",
                        _ => "null",
                    };
                    return Err(not_bytes(op, key, given));
                }
                (json, Vec::new())
            }
        };
        for (pointer, data) in bytes {
            if let Some(slot) = json.pointer_mut(&pointer) {
                *slot = serde_json::to_value(signbridge::api::Base64(data)).unwrap_or_default();
            }
        }
        Ok(json)
    }
}

/// The request of a camelCase call of `op`: a plain object (or nothing); a top-level field `x`
/// standing for the operation's bytes field `x_base64`, taken as a Buffer or Uint8Array; an
/// object of this addon (an `ApproverKey`) as its request JSON; `undefined` fields left out. A
/// request the operation cannot take is the inner `Err`, to reject the Promise with.
pub(crate) fn camel_case(
    env: &Env,
    op: &signbridge::api::Operation,
    request: Option<Unknown<'_>>,
) -> napi::Result<signbridge::Result<Request>> {
    let bad = |m: String| Ok(Err(signbridge::Error::invalid_argument(m)));
    // Named only in an error.
    let what = || format!("{}: request", op.camel_name());
    let mut bytes = Vec::new();
    let Some(r) = request.filter(|r| !is_nullish(r)) else {
        return Ok(Ok(Request::Json(Value::Null, bytes)));
    };
    if r.get_type()? != ValueType::Object || r.is_array()? || r.is_typedarray()? {
        return bad(format!(
            "{} must be an object, got {}",
            what(),
            args::describe(&r)
        ));
    }
    // SAFETY: checked to be an object just above; `r` belongs to `env`.
    let obj: Object<'_> = unsafe { Object::from_napi_value(env.raw(), r.raw()) }?;
    let mut map = serde_json::Map::new();
    for key in Object::keys(&obj)? {
        let v: Unknown<'_> = obj.get_named_property(&key)?;
        if v.get_type()? == ValueType::Undefined {
            continue;
        }
        if op.is_bytes_field(&key) {
            let ok = v.get_type()? == ValueType::Object && (v.is_buffer()? || v.is_typedarray()?);
            let data = if ok {
                args::bytes(env, v, &key).ok()
            } else {
                None
            };
            let Some(data) = data else {
                return Ok(Err(not_bytes(op, &key, args::describe(&v))));
            };
            let field = format!("{}Base64", signbridge::naming::camel_case(&key));
            bytes.push((format!("/{}", token(&field)), data));
            map.insert(field, Value::Null);
            continue;
        }
        let at = At {
            what: &|| format!("{}.{key}", what()),
            pointer: &|| format!("/{}", token(&key)),
        };
        match value(env, &v, &at, &mut bytes)? {
            Ok(value) => map.insert(key, value),
            Err(why) => return bad(why),
        };
    }
    Ok(Ok(Request::Json(Value::Object(map), bytes)))
}

/// The error for a top-level field `key` of `op` that takes bytes, given something else.
fn not_bytes(op: &signbridge::api::Operation, key: &str, given: &str) -> signbridge::Error {
    signbridge::Error::invalid_argument(format!(
        "{}: request.{key} must be a Buffer or Uint8Array, got {given}",
        op.camel_name()
    ))
}

/// Where a value is, made only when needed: as an error names it (`createPackage: request.
/// documents[0]`) and as a JSON pointer (`/documents/0`).
struct At<'a> {
    what: &'a dyn Fn() -> String,
    pointer: &'a dyn Fn() -> String,
}

/// `key` as a JSON pointer's reference token.
fn token(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// `v`, a value in a camelCase request, as JSON: an `ApproverKey` as its request JSON; in an
/// object at any depth, a field `x` holding a Buffer or Uint8Array as the field `xBase64`, its
/// bytes left in `bytes` to be encoded (a document's `content`); `undefined` fields left out.
/// The inner `Err` says why `v` cannot be given.
fn value(
    env: &Env,
    v: &Unknown<'_>,
    at: &At<'_>,
    bytes: &mut Vec<(String, Vec<u8>)>,
) -> napi::Result<Result<Value, String>> {
    let json_like = |v| {
        args::try_json(env, v).map_err(|e| format!("{} must be JSON-like data: {e}", (at.what)()))
    };
    if v.get_type()? != ValueType::Object {
        return Ok(json_like(v));
    }
    if let Some(key) = securosys::request_json(env, v)? {
        return Ok(key.map_err(|why| format!("{} {why}", (at.what)())));
    }
    if v.is_typedarray()? {
        return Ok(json_like(v));
    }
    if v.is_array()? {
        let mut items = Vec::new();
        for (i, item) in args::array(env, *v, &(at.what)())?.iter().enumerate() {
            let here = At {
                what: &|| format!("{}[{i}]", (at.what)()),
                pointer: &|| format!("{}/{i}", (at.pointer)()),
            };
            match value(env, item, &here, bytes)? {
                Ok(j) => items.push(j),
                Err(why) => return Ok(Err(why)),
            }
        }
        return Ok(Ok(Value::Array(items)));
    }
    // SAFETY: checked to be an object just above; `v` belongs to `env`.
    let obj: Object<'_> = unsafe { Object::from_napi_value(env.raw(), v.raw()) }?;
    let mut map = serde_json::Map::new();
    for key in Object::keys(&obj)? {
        let field: Unknown<'_> = obj.get_named_property(&key)?;
        match field.get_type()? {
            ValueType::Undefined => continue,
            ValueType::Object if field.is_typedarray()? => {
                let Ok(data) = args::bytes(env, field, &key) else {
                    return Ok(Err(format!(
                        "{}.{key} must be a Buffer or Uint8Array (of bytes), got another \
                         typed array",
                        (at.what)()
                    )));
                };
                let name = format!("{key}Base64");
                bytes.push((format!("{}/{}", (at.pointer)(), token(&name)), data));
                map.insert(name, Value::Null);
            }
            _ => {
                let here = At {
                    what: &|| format!("{}.{key}", (at.what)()),
                    pointer: &|| format!("{}/{}", (at.pointer)(), token(&key)),
                };
                match value(env, &field, &here, bytes)? {
                    Ok(j) => {
                        map.insert(key, j);
                    }
                    Err(why) => return Ok(Err(why)),
                }
            }
        }
    }
    Ok(Ok(Value::Object(map)))
}
