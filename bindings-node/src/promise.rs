//! Promises settled from the core's runtime (DESIGN.md principle 2).
//!
//! A call creates a napi deferred Promise, spawns the core's future on the one shared tokio
//! runtime (`signbridge::runtime::spawn`) and returns the Promise at once. When the future ends,
//! the spawned task settles the deferred; napi queues the settlement onto the JavaScript thread
//! that made the call (a thread-safe function, no extra thread). No libuv pool thread is held
//! while the call runs, and napi never starts a runtime of its own.

use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt as _;
use napi::bindgen_prelude::{Object, ToNapiValue};
use napi::Env;

use crate::errors::{self, Kind};

/// Work run on the JavaScript thread just before the Promise settles (e.g. removing an
/// `abort` listener). It must be `Send` to travel through the runtime.
pub(crate) type Cleanup = Box<dyn FnOnce(&Env) + Send>;

type Resolver<D> = Box<dyn FnOnce(Env) -> napi::Result<D> + Send>;

/// Spawn `fut` on the core runtime and return a Promise that settles with `to_js(value)` or
/// rejects with the signbridge error. `to_js` runs on the JavaScript thread.
pub(crate) fn spawn<'e, T, D, Fut>(
    env: &'e Env,
    fut: Fut,
    to_js: fn(T) -> D,
    cleanup: Option<Cleanup>,
) -> napi::Result<Object<'e>>
where
    Fut: Future<Output = signbridge::Result<T>> + Send + 'static,
    T: Send + 'static,
    D: ToNapiValue + 'static,
{
    let (deferred, promise) = env.create_deferred::<D, Resolver<D>>()?;
    signbridge::runtime::spawn(async move {
        let outcome = AssertUnwindSafe(fut)
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(errors::from_panic(panic)));
        deferred.resolve(Box::new(move |env: Env| {
            if let Some(cleanup) = cleanup {
                cleanup(&env);
            }
            match outcome {
                Ok(value) => Ok(to_js(value)),
                Err(err) => Err(errors::to_napi(&env, &err, Kind::Error)),
            }
        }));
    });
    Ok(promise)
}

/// A result written as JSON text, settled as the value JavaScript's `JSON.parse` makes of it:
/// V8 builds an object from JSON text several times faster than an addon can, field by field,
/// and the text is written on the core's runtime, off the JavaScript thread.
pub(crate) struct JsonText(pub(crate) String);

impl ToNapiValue for JsonText {
    unsafe fn to_napi_value(
        env: napi::sys::napi_env,
        val: Self,
    ) -> napi::Result<napi::sys::napi_value> {
        use napi::{check_status, sys};
        let mut global = std::ptr::null_mut();
        let mut json = std::ptr::null_mut();
        let mut parse = std::ptr::null_mut();
        let mut parsed = std::ptr::null_mut();
        // SAFETY: called by napi on the JavaScript thread of `env`, with out-pointers to locals;
        // `JSON.parse` of text serde_json wrote does not throw.
        unsafe {
            let text = String::to_napi_value(env, val.0)?;
            check_status!(sys::napi_get_global(env, &mut global))?;
            check_status!(sys::napi_get_named_property(
                env,
                global,
                c"JSON".as_ptr(),
                &mut json
            ))?;
            check_status!(sys::napi_get_named_property(
                env,
                json,
                c"parse".as_ptr(),
                &mut parse
            ))?;
            check_status!(sys::napi_call_function(
                env,
                json,
                parse,
                1,
                &text,
                &mut parsed
            ))?;
        }
        Ok(parsed)
    }
}

/// A camelCase result as JSON text with its bytes apart ([`signbridge::api::CamelCaseJson`]),
/// settled as `JSON.parse` of the text with each bytes field set to a Buffer of its bytes.
pub(crate) struct CamelResult(pub(crate) signbridge::api::CamelCaseJson);

impl ToNapiValue for CamelResult {
    unsafe fn to_napi_value(
        env: napi::sys::napi_env,
        val: Self,
    ) -> napi::Result<napi::sys::napi_value> {
        use napi::bindgen_prelude::Buffer;
        use napi::{check_status, sys};
        // SAFETY: called by napi on the JavaScript thread of `env`; every value read or set is
        // an object of the parsed result (the core wrote a pointer for each bytes field).
        unsafe {
            let parsed = JsonText::to_napi_value(env, JsonText(val.0.text))?;
            for (pointer, data) in val.0.bytes {
                let tokens: Vec<String> = pointer
                    .split('/')
                    .skip(1)
                    .map(|t| t.replace("~1", "/").replace("~0", "~"))
                    .collect();
                let Some((last, path)) = tokens.split_last() else {
                    continue;
                };
                let mut parent = parsed;
                for token in path {
                    let key = String::to_napi_value(env, token.clone())?;
                    let mut next = std::ptr::null_mut();
                    check_status!(sys::napi_get_property(env, parent, key, &mut next))?;
                    parent = next;
                }
                let key = String::to_napi_value(env, last.clone())?;
                let buffer = Buffer::to_napi_value(env, Buffer::from(data))?;
                check_status!(sys::napi_set_property(env, parent, key, buffer))?;
            }
            Ok(parsed)
        }
    }
}
