//! Promises settled from the core's runtime (DESIGN.md principle 2).
//!
//! A call makes a Promise, spawns the core's future on the one shared tokio runtime and returns
//! the Promise at once; the settlement is queued back to the call's JavaScript thread through
//! its environment's one thread-safe function ([`Settler`]). Not napi-rs's one per call: making
//! and closing one cost the JavaScript thread more than the rest of a short call, and 10,000
//! pending waits held 10,000. It keeps the event loop alive only while a call of its
//! environment is pending. At the environment's teardown (a worker ends) it is closed first,
//! under the lock the runtime's threads send under: later settlements are dropped.

use std::cell::{Cell, RefCell};
use std::ffi::c_void;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::ptr;
use std::sync::{Arc, RwLock};

use futures_util::FutureExt as _;
use napi::bindgen_prelude::{Object, ToNapiValue};
use napi::{check_status, sys, Env};

use crate::errors::{self, Kind};

/// Work run on the JavaScript thread just before the Promise settles (e.g. removing an
/// `abort` listener). It must be `Send` to travel through the runtime.
pub(crate) type Cleanup = Box<dyn FnOnce(&Env) + Send>;

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
    let settler = Settler::of(env)?;
    let (mut deferred, mut promise) = (ptr::null_mut(), ptr::null_mut());
    // SAFETY: on the JavaScript thread of `env`, with out-pointers to locals; the function is
    // this environment's.
    unsafe {
        check_status!(sys::napi_create_promise(
            env.raw(),
            &mut deferred,
            &mut promise
        ))?;
        if settler.pending.get() == 0 {
            check_status!(sys::napi_ref_threadsafe_function(env.raw(), settler.tsfn))?;
        }
    }
    settler.pending.set(settler.pending.get() + 1);
    let mut pending = Pending(settler.sender.clone(), Some(deferred));
    signbridge::runtime::spawn(async move {
        let outcome = AssertUnwindSafe(fut)
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(errors::from_panic(panic)));
        pending.send(Some(Box::new(move |env: &Env| {
            if let Some(cleanup) = cleanup {
                cleanup(env);
            }
            match outcome {
                // SAFETY: on the JavaScript thread of `env` (the settler's callback).
                Ok(value) => unsafe { D::to_napi_value(env.raw(), to_js(value)) },
                Err(err) => Err(errors::to_napi(env, &err, Kind::Error)),
            }
        })));
    });
    Ok(Object::from_raw(env.raw(), promise))
}

/// Makes a settlement's value on the JavaScript thread (`None`: the call was dropped
/// unfinished, which rejects its Promise).
type Settle = Option<Box<dyn FnOnce(&Env) -> napi::Result<sys::napi_value> + Send>>;

/// An environment's thread-safe function, as the runtime's threads reach it: `None` once the
/// environment is being torn down.
type Sender = Arc<RwLock<Option<Tsfn>>>;

struct Tsfn(sys::napi_threadsafe_function);

/// A Promise not settled yet (its deferred) and where to send its settlement. Dropped unsent
/// (the runtime dropped its future), it rejects the Promise: nothing keeps the loop alive for
/// ever.
struct Pending(Sender, Option<sys::napi_deferred>);

// SAFETY: a thread-safe function is made to be called from any thread, and is only called while
// its lock says it is open; a deferred is used only on its JavaScript thread, by `settle`.
unsafe impl Send for Tsfn {}
unsafe impl Sync for Tsfn {}
unsafe impl Send for Pending {}

impl Pending {
    fn send(&mut self, settle: Settle) {
        let Some(deferred) = self.1.take() else {
            return;
        };
        let open = self.0.read().unwrap_or_else(|e| e.into_inner());
        let Some(tsfn) = open.as_ref() else {
            return; // torn down: no Promise is left to settle
        };
        let data = Box::into_raw(Box::new((deferred, settle)));
        // SAFETY: open (closed only under the write lock); the queue is unbounded.
        let mode = sys::ThreadsafeFunctionCallMode::nonblocking;
        if unsafe { sys::napi_call_threadsafe_function(tsfn.0, data.cast(), mode) } != 0 {
            // SAFETY: not queued, so still ours.
            drop(unsafe { Box::from_raw(data) });
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        self.send(None);
    }
}

/// The JavaScript thread's side of an environment's thread-safe function (its context): the
/// count of calls pending, for which it keeps the event loop alive.
struct Settler {
    env: sys::napi_env,
    tsfn: sys::napi_threadsafe_function,
    sender: Sender,
    pending: Cell<usize>,
}

thread_local! {
    /// The settlers of this thread's environments (one, unless the thread has several).
    static SETTLERS: RefCell<Vec<*const Settler>> = const { RefCell::new(Vec::new()) };
}

impl Settler {
    /// The settler of `env`, made on its first call.
    fn of(env: &Env) -> napi::Result<&'static Settler> {
        // SAFETY: listed settlers are alive (removed at teardown, before they are freed).
        let mine = |s: &RefCell<Vec<*const Settler>>| {
            s.borrow()
                .iter()
                .map(|&p| unsafe { &*p })
                .find(|s| s.env == env.raw())
        };
        if let Some(s) = SETTLERS.with(mine) {
            return Ok(s);
        }
        // The core's runtime lives in this image and outlives any one environment.
        napi::bindgen_prelude::retain_current_module_for_unload_safety();
        let sender = Sender::default();
        let settler = Box::into_raw(Box::new(Settler {
            env: env.raw(),
            tsfn: ptr::null_mut(),
            sender: sender.clone(),
            pending: Cell::new(0),
        }));
        let (mut name, mut tsfn) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: on the JavaScript thread of `env`. `settler` is freed by `finalize` once Node
        // has closed the function; the hook, added after the function, runs before Node's own
        // teardown of it.
        unsafe {
            check_status!(sys::napi_create_string_utf8(
                env.raw(),
                c"signbridge".as_ptr(),
                10,
                &mut name
            ))?;
            let context = settler.cast();
            let made = check_status!(sys::napi_create_threadsafe_function(
                env.raw(),
                ptr::null_mut(),
                ptr::null_mut(),
                name,
                0,
                1,
                context,
                Some(finalize),
                context,
                Some(settle),
                &mut tsfn,
            ));
            if let Err(e) = made {
                drop(Box::from_raw(settler));
                return Err(e);
            }
            (*settler).tsfn = tsfn;
            *sender.write().unwrap_or_else(|e| e.into_inner()) = Some(Tsfn(tsfn));
            check_status!(sys::napi_unref_threadsafe_function(env.raw(), tsfn))?;
            check_status!(sys::napi_add_env_cleanup_hook(
                env.raw(),
                Some(teardown),
                context
            ))?;
            SETTLERS.with(|s| s.borrow_mut().push(settler));
            Ok(&*settler)
        }
    }
}

/// The function's callback, on the JavaScript thread: settle one Promise.
unsafe extern "C" fn settle(
    env: sys::napi_env,
    _: sys::napi_value,
    ctx: *mut c_void,
    data: *mut c_void,
) {
    // SAFETY: boxed by `Pending::send`, given here once.
    let (deferred, settle) = *unsafe { Box::from_raw(data.cast::<(sys::napi_deferred, Settle)>()) };
    if env.is_null() {
        return; // the function closes with its environment: nothing to settle
    }
    // SAFETY: the context is this function's `Settler`, alive until `finalize`.
    let settler = unsafe { &*ctx.cast::<Settler>() };
    let env = Env::from_raw(env);
    let outcome = match settle {
        Some(settle) => settle(&env),
        None => {
            let dropped = signbridge::Error::internal("the call was dropped before it finished");
            Err(errors::to_napi(&env, &dropped, Kind::Error))
        }
    };
    // SAFETY: the deferred is settled once, here, on its own thread; the function is this
    // environment's.
    unsafe {
        match outcome {
            Ok(value) => sys::napi_resolve_deferred(env.raw(), deferred, value),
            Err(e) => {
                let error = napi::Error::to_napi_value(env.raw(), e).unwrap_or(ptr::null_mut());
                sys::napi_reject_deferred(env.raw(), deferred, error)
            }
        };
        settler.pending.set(settler.pending.get().saturating_sub(1));
        if settler.pending.get() == 0 {
            sys::napi_unref_threadsafe_function(env.raw(), settler.tsfn);
        }
    }
}

/// The environment is torn down: close its function (later settlements are dropped) and forget
/// its settler.
unsafe extern "C" fn teardown(data: *mut c_void) {
    let settler = data.cast::<Settler>().cast_const();
    SETTLERS.with(|s| s.borrow_mut().retain(|&p| p != settler));
    // SAFETY: alive until `finalize`, which runs after this hook; closed once, here.
    unsafe {
        if let Some(tsfn) = (*settler)
            .sender
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            sys::napi_release_threadsafe_function(
                tsfn.0,
                sys::ThreadsafeFunctionReleaseMode::abort,
            );
        }
    }
}

/// Node has closed the function: free its settler.
unsafe extern "C" fn finalize(_: sys::napi_env, data: *mut c_void, _: *mut c_void) {
    SETTLERS.with(|s| s.borrow_mut().retain(|&p| p != data.cast_const().cast()));
    // SAFETY: boxed by `Settler::of`; Node finalizes the function once.
    drop(unsafe { Box::from_raw(data.cast::<Settler>()) });
}

/// A result written as JSON text, settled as the value JavaScript's `JSON.parse` makes of it:
/// V8 builds an object from JSON text several times faster than an addon can, field by field,
/// and the text is written on the core's runtime, off the JavaScript thread.
pub(crate) struct JsonText(pub(crate) String);

impl ToNapiValue for JsonText {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let named = |object, name: &std::ffi::CStr| {
            let mut value = ptr::null_mut();
            // SAFETY: on the JavaScript thread of `env`, with an out-pointer to a local.
            check_status!(unsafe {
                sys::napi_get_named_property(env, object, name.as_ptr(), &mut value)
            })
            .map(|()| value)
        };
        let (mut global, mut parsed) = (ptr::null_mut(), ptr::null_mut());
        // SAFETY: called by napi on the JavaScript thread of `env`, with out-pointers to locals;
        // `JSON.parse` of text serde_json wrote does not throw.
        unsafe {
            let text = String::to_napi_value(env, val.0)?;
            check_status!(sys::napi_get_global(env, &mut global))?;
            let json = named(global, c"JSON")?;
            let parse = named(json, c"parse")?;
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
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        use napi::bindgen_prelude::Buffer;
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
