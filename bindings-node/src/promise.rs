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
