//! Promises settled from the core's runtime (DESIGN.md principle 2).
//!
//! A call creates a Promise, spawns the core's future on the one shared tokio runtime
//! (`signbridge::runtime::spawn`) and returns the Promise at once. When the future ends, the
//! settlement is queued to the JavaScript thread that made the call through its environment's
//! one thread-safe function ([`Settler`]), which settles the Promise there. No libuv pool thread
//! is held while the call runs, and napi never starts a runtime of its own.
//!
//! One thread-safe function per environment, not one per call: creating one (a libuv async
//! handle, an environment cleanup hook, the locks around them) and closing it again cost the
//! JavaScript thread more than the rest of a short call, and 10,000 pending waits held 10,000
//! of them. The function keeps the event loop alive only while a call of its environment is
//! pending, as a per-call one did. When the environment is torn down (a worker ends), the
//! function is closed first; settlements that come later are dropped, never sent into a closed
//! function.

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
    let sender = Settler::of(env)?;
    let mut deferred = ptr::null_mut();
    let mut promise = ptr::null_mut();
    // SAFETY: on the JavaScript thread of `env`, with out-pointers to locals.
    check_status!(unsafe { sys::napi_create_promise(env.raw(), &mut deferred, &mut promise) })?;
    let pending = sender.pending(env, deferred)?;
    signbridge::runtime::spawn(async move {
        let outcome = AssertUnwindSafe(fut)
            .catch_unwind()
            .await
            .unwrap_or_else(|panic| Err(errors::from_panic(panic)));
        pending.settle(Box::new(move |env: &Env| {
            if let Some(cleanup) = cleanup {
                cleanup(env);
            }
            match outcome {
                // SAFETY: on the JavaScript thread of `env` (the settler's callback).
                Ok(value) => unsafe { D::to_napi_value(env.raw(), to_js(value)) },
                Err(err) => Err(errors::to_napi(env, &err, Kind::Error)),
            }
        }));
    });
    Ok(Object::from_raw(env.raw(), promise))
}

/// Makes a settlement's value on the JavaScript thread (the `Err` rejects the Promise).
type Settle = Box<dyn FnOnce(&Env) -> napi::Result<sys::napi_value> + Send>;

/// A settlement on its way to the JavaScript thread: the Promise's deferred, and how to settle
/// it (`None`: the call was dropped unfinished, which rejects it).
struct Settlement {
    deferred: sys::napi_deferred,
    settle: Option<Settle>,
}

// SAFETY: the deferred is only used on the JavaScript thread, by the settler's callback (or
// dropped unused when its environment has been torn down).
unsafe impl Send for Settlement {}

/// An environment's thread-safe function, as the runtime's threads reach it: `None` once the
/// environment is being torn down.
struct Sender {
    tsfn: RwLock<Option<Tsfn>>,
}

struct Tsfn(sys::napi_threadsafe_function);

// SAFETY: a thread-safe function is made to be called from any thread; it is only called while
// the `Sender`'s lock says it is open.
unsafe impl Send for Tsfn {}
unsafe impl Sync for Tsfn {}

impl Sender {
    fn send(&self, settlement: Settlement) {
        let open = self.tsfn.read().unwrap_or_else(|e| e.into_inner());
        let Some(tsfn) = open.as_ref() else {
            return; // torn down: no Promise is left to settle
        };
        let data = Box::into_raw(Box::new(settlement));
        // SAFETY: the function is open (the teardown hook closes it under the write lock);
        // the queue is unbounded, so the call does not block.
        let status = unsafe {
            sys::napi_call_threadsafe_function(
                tsfn.0,
                data.cast(),
                sys::ThreadsafeFunctionCallMode::nonblocking,
            )
        };
        if status != sys::Status::napi_ok {
            // SAFETY: not queued, so still ours.
            drop(unsafe { Box::from_raw(data) });
        }
    }
}

/// A call not settled yet. Dropped unsettled (its future dropped by the runtime), it rejects
/// the Promise, so that the event loop is never kept alive by a Promise nothing will settle.
struct Pending {
    sender: Arc<Sender>,
    deferred: Option<sys::napi_deferred>,
}

// SAFETY: as for `Settlement`.
unsafe impl Send for Pending {}

impl Pending {
    fn settle(mut self, settle: Settle) {
        if let Some(deferred) = self.deferred.take() {
            self.sender.send(Settlement {
                deferred,
                settle: Some(settle),
            });
        }
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(deferred) = self.deferred.take() {
            self.sender.send(Settlement {
                deferred,
                settle: None,
            });
        }
    }
}

/// The JavaScript thread's side of an environment's thread-safe function (its context).
struct Settler {
    env: sys::napi_env,
    tsfn: sys::napi_threadsafe_function,
    sender: Arc<Sender>,
    /// Calls made in this environment and not settled yet; the function keeps the event loop
    /// alive only while there are some.
    pending: Cell<usize>,
}

thread_local! {
    /// The settlers of the environments of this thread (one, unless the thread has several).
    static SETTLERS: RefCell<Vec<*const Settler>> = const { RefCell::new(Vec::new()) };
}

impl Settler {
    /// The settler of `env`, made on its first call.
    fn of(env: &Env) -> napi::Result<&'static Settler> {
        let found = SETTLERS.with(|s| {
            s.borrow()
                .iter()
                // SAFETY: listed settlers are alive (removed at teardown before being freed).
                .map(|&p| unsafe { &*p })
                .find(|s| s.env == env.raw())
        });
        match found {
            Some(s) => Ok(s),
            None => Self::make(env),
        }
    }

    fn make(env: &Env) -> napi::Result<&'static Settler> {
        // The core's runtime lives in this addon's image and outlives any one environment:
        // keep the image mapped when the environment that loaded it goes (a worker ends).
        napi::bindgen_prelude::retain_current_module_for_unload_safety();
        let sender = Arc::new(Sender {
            tsfn: RwLock::new(None),
        });
        let settler = Box::into_raw(Box::new(Settler {
            env: env.raw(),
            tsfn: ptr::null_mut(),
            sender: sender.clone(),
            pending: Cell::new(0),
        }));
        let mut name = ptr::null_mut();
        let mut tsfn = ptr::null_mut();
        // SAFETY: on the JavaScript thread of `env`; `settler` is freed by `finalize` only,
        // which Node calls once the function is closed.
        unsafe {
            check_status!(sys::napi_create_string_utf8(
                env.raw(),
                c"signbridge settle".as_ptr(),
                17,
                &mut name,
            ))?;
            if let Err(e) = check_status!(sys::napi_create_threadsafe_function(
                env.raw(),
                ptr::null_mut(),
                ptr::null_mut(),
                name,
                0,
                1,
                settler.cast(),
                Some(finalize),
                settler.cast(),
                Some(settle),
                &mut tsfn,
            )) {
                drop(Box::from_raw(settler));
                return Err(e);
            }
            (*settler).tsfn = tsfn;
            *sender.tsfn.write().unwrap_or_else(|e| e.into_inner()) = Some(Tsfn(tsfn));
            check_status!(sys::napi_unref_threadsafe_function(env.raw(), tsfn))?;
            // Registered after the function, so run before Node's own teardown of it.
            check_status!(sys::napi_add_env_cleanup_hook(
                env.raw(),
                Some(teardown),
                settler.cast(),
            ))?;
        }
        SETTLERS.with(|s| s.borrow_mut().push(settler));
        // SAFETY: just made; freed only after teardown removed it from the list.
        Ok(unsafe { &*settler })
    }

    /// Count a call in; the function keeps the loop alive from the first pending call.
    fn pending(&'static self, env: &Env, deferred: sys::napi_deferred) -> napi::Result<Pending> {
        if self.pending.get() == 0 {
            // SAFETY: on the JavaScript thread of `env`, with this environment's function.
            check_status!(unsafe { sys::napi_ref_threadsafe_function(env.raw(), self.tsfn) })?;
        }
        self.pending.set(self.pending.get() + 1);
        Ok(Pending {
            sender: self.sender.clone(),
            deferred: Some(deferred),
        })
    }
}

/// The thread-safe function's callback, on the JavaScript thread: settle one Promise.
unsafe extern "C" fn settle(
    env: sys::napi_env,
    _js_callback: sys::napi_value,
    context: *mut c_void,
    data: *mut c_void,
) {
    // SAFETY: `data` is a `Settlement` boxed by `Sender::send`, given to this callback once.
    let settlement = unsafe { Box::from_raw(data.cast::<Settlement>()) };
    if env.is_null() {
        return; // the function is being torn down with its environment: nothing to settle
    }
    // SAFETY: the context is this function's `Settler`, alive until `finalize`.
    let settler = unsafe { &*context.cast::<Settler>() };
    // Called by Node on the JavaScript thread of `env`, in a handle scope.
    let env = Env::from_raw(env);
    let outcome = match settlement.settle {
        Some(settle) => settle(&env),
        None => Err(errors::to_napi(
            &env,
            &signbridge::Error::internal("the call was dropped before it finished"),
            Kind::Error,
        )),
    };
    // SAFETY: the deferred is settled once, here, on its own thread.
    unsafe {
        match outcome {
            Ok(value) => sys::napi_resolve_deferred(env.raw(), settlement.deferred, value),
            Err(e) => match napi::Error::to_napi_value(env.raw(), e) {
                Ok(error) => sys::napi_reject_deferred(env.raw(), settlement.deferred, error),
                Err(_) => {
                    sys::napi_reject_deferred(env.raw(), settlement.deferred, ptr::null_mut())
                }
            },
        };
    }
    let left = settler.pending.get().saturating_sub(1);
    settler.pending.set(left);
    if left == 0 {
        // SAFETY: on the JavaScript thread, with this environment's function.
        unsafe { sys::napi_unref_threadsafe_function(env.raw(), settler.tsfn) };
    }
}

/// The environment is being torn down: close its function, so that later settlements are
/// dropped rather than sent into it, and forget its settler.
unsafe extern "C" fn teardown(data: *mut c_void) {
    let settler = data.cast::<Settler>().cast_const();
    SETTLERS.with(|s| s.borrow_mut().retain(|&p| p != settler));
    // SAFETY: the settler is alive until `finalize`, which runs after this hook.
    let settler = unsafe { &*settler };
    let mut open = settler
        .sender
        .tsfn
        .write()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(tsfn) = open.take() {
        // SAFETY: the function is open and is closed once, here.
        unsafe {
            sys::napi_release_threadsafe_function(tsfn.0, sys::ThreadsafeFunctionReleaseMode::abort)
        };
    }
}

/// Node has closed the function: free its settler.
unsafe extern "C" fn finalize(_env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    let settler = data.cast::<Settler>();
    SETTLERS.with(|s| s.borrow_mut().retain(|&p| p != settler.cast_const()));
    // SAFETY: boxed by `Settler::make`; Node finalizes the function once.
    drop(unsafe { Box::from_raw(settler) });
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
