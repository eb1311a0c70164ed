//! The options of every wait (`{ intervalMs, timeoutMs, signal, onProgress }`): milliseconds
//! range-checked by the core, an `AbortSignal` wired to a [`signbridge::CancelToken`], and the
//! progress callback called on the JavaScript thread.

use std::time::Duration;

use napi::bindgen_prelude::{FromNapiValue, Function, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use signbridge::CancelToken;

use crate::args::{self, is_nullish, Obj};
use crate::errors::{self, type_error, Kind};
use crate::promise::Cleanup;

/// `n` milliseconds, range checked by the core (`signbridge::numbers::millis`): `1e300` is
/// `SB_ERR_INVALID_ARGUMENT`, never a panic that aborts the process.
pub(crate) fn ms(env: &Env, n: f64, what: &str) -> napi::Result<Duration> {
    signbridge::numbers::millis(n, what).map_err(|e| errors::to_napi(env, &e, Kind::TypeError))
}

/// Read `{ intervalMs, timeoutMs, signal, onProgress }` into the core's wait options; the
/// `signal` is wired to a [`CancelToken`] and the returned cleanup removes its listener when the
/// wait settles. `onProgress` is called on the JavaScript thread with each state polled,
/// converted by `progress` (a thread-safe function that does not keep the process alive; it is
/// released when the wait ends).
pub(crate) fn read_wait<T, D>(
    env: &Env,
    options: Option<Unknown<'_>>,
    progress: fn(T) -> D,
) -> napi::Result<(signbridge::WaitOptions<T>, Option<Cleanup>)>
where
    T: Clone + Send + 'static,
    D: napi::bindgen_prelude::ToNapiValue + 'static,
{
    let mut opts = signbridge::WaitOptions::<T>::default();
    let mut cleanup = None;
    if let Some(o) = Obj::opt(
        env,
        options,
        "options",
        &["intervalMs", "timeoutMs", "signal", "onProgress"],
    )? {
        if let Some(i) = o.opt_number("intervalMs")? {
            opts.interval = ms(env, i, &o.path("intervalMs"))?;
        }
        opts.timeout = match o.opt_number("timeoutMs")? {
            Some(t) => Some(ms(env, t, &o.path("timeoutMs"))?),
            None => None,
        };
        let on_progress = o.get("onProgress")?;
        if !is_nullish(&on_progress) {
            opts.on_progress = Some(progress_fn(env, on_progress, progress)?);
        }
        let signal = o.get("signal")?;
        if !is_nullish(&signal) {
            // A token only where a signal can cancel: most calls have none.
            let token = CancelToken::new();
            match wire_signal(env, signal, &token)? {
                Some(c) => cleanup = Some(c),
                None => token.cancel(),
            }
            opts.cancel = Some(token);
        }
    }
    Ok((opts, cleanup))
}

/// The core's progress callback calling the JavaScript function `f` with each state.
fn progress_fn<T, D>(
    env: &Env,
    f: Unknown<'_>,
    to_js: fn(T) -> D,
) -> napi::Result<signbridge::session::ProgressFn<T>>
where
    T: Clone + Send + 'static,
    D: napi::bindgen_prelude::ToNapiValue + 'static,
{
    use napi::threadsafe_function::ThreadsafeFunctionCallMode;
    if f.get_type()? != ValueType::Function {
        return Err(type_error(
            env,
            format!(
                "options.onProgress must be a function, got {}",
                args::describe(&f)
            ),
        ));
    }
    // SAFETY: checked to be a function just above; `f` belongs to `env`.
    let f: Function<'_, Unknown<'_>, Unknown<'_>> =
        unsafe { Function::from_napi_value(env.raw(), f.raw()) }?;
    let tsfn = f
        .build_threadsafe_function::<T>()
        .callee_handled::<false>()
        .weak::<true>()
        .build_callback(move |ctx| Ok(to_js(ctx.value)))?;
    Ok(std::sync::Arc::new(move |state: &T| {
        // Non-blocking: a full queue or a closing environment drops this one report.
        let _ = tsfn.call(state.clone(), ThreadsafeFunctionCallMode::NonBlocking);
    }))
}

/// Wire an `AbortSignal` to a core [`CancelToken`]: `abort` cancels the token. Returns the
/// cleanup that removes the listener when the wait settles, or `None` when the signal is
/// already aborted.
fn wire_signal(
    env: &Env,
    signal: Unknown<'_>,
    token: &CancelToken,
) -> napi::Result<Option<Cleanup>> {
    use napi::bindgen_prelude::JsObjectValue as _;
    let not_signal = |env: &Env, v: &Unknown<'_>| {
        type_error(
            env,
            format!(
                "options.signal must be an AbortSignal, got {}",
                args::describe(v)
            ),
        )
    };
    if signal.get_type()? != ValueType::Object {
        return Err(not_signal(env, &signal));
    }
    // SAFETY: `signal` is an object of this environment.
    let obj: Object<'_> = unsafe { Object::from_napi_value(env.raw(), signal.raw()) }?;
    let aborted: Unknown<'_> = obj.get_named_property("aborted")?;
    let add: Unknown<'_> = obj.get_named_property("addEventListener")?;
    if aborted.get_type()? != ValueType::Boolean || add.get_type()? != ValueType::Function {
        return Err(not_signal(env, &signal));
    }
    // SAFETY: checked to be a boolean just above.
    if unsafe { bool::from_napi_value(env.raw(), aborted.raw()) }? {
        return Ok(None);
    }
    let t = token.clone();
    let listener =
        env.create_function_from_closure::<(), (), _>("onSignbridgeAbort", move |_ctx| {
            t.cancel();
            Ok(())
        })?;
    call_method(env, &obj, "addEventListener", listener.raw())?;
    let signal_ref = obj.create_ref::<false>()?;
    // SAFETY: `listener` is a function of this environment, referenced like an object.
    let listener_ref: napi::bindgen_prelude::ObjectRef<false> =
        unsafe { FromNapiValue::from_napi_value(env.raw(), listener.raw()) }?;
    Ok(Some(Box::new(move |env: &Env| {
        if let (Ok(signal), Ok(listener)) = (signal_ref.get_value(env), listener_ref.get_value(env))
        {
            // Best effort: a signal whose removeEventListener throws keeps a dead listener.
            let _ = call_method(env, &signal, "removeEventListener", listener.raw());
        }
        let _ = signal_ref.unref(env);
        let _ = listener_ref.unref(env);
    })))
}

/// `obj[method]('abort', listener)`.
fn call_method(
    env: &Env,
    obj: &Object<'_>,
    method: &str,
    listener: napi::sys::napi_value,
) -> napi::Result<()> {
    use napi::bindgen_prelude::JsObjectValue as _;
    let f: Function<'_, Unknown<'_>, Unknown<'_>> = obj.get_named_property(method)?;
    let event = env.create_string("abort")?;
    let mut out = std::ptr::null_mut();
    let argv = [event.raw(), listener];
    // SAFETY: all values belong to this environment and the JS thread is the caller's.
    let status = unsafe {
        napi::sys::napi_call_function(
            env.raw(),
            obj.raw(),
            f.raw(),
            argv.len(),
            argv.as_ptr(),
            &mut out,
        )
    };
    if status == napi::sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            napi::Status::PendingException,
            format!("signal.{method} failed"),
        ))
    }
}
