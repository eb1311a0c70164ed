//! Forwards the core's `tracing` events to Python's `logging` (`logging.getLogger("signbridge")`).
//!
//! A minimal `tracing` subscriber: events whose target is in the `signbridge` crate and whose
//! level the Python logger would accept are formatted (message, then `field=value` pairs) and
//! queued. The queue is handed to `logging` by the thread that called into signbridge, each time
//! it takes the GIL back (between wait slices and at the end of every call). No thread of the
//! runtime ever takes the GIL, so logging cannot deadlock or run during interpreter shutdown.
//!
//! The core never puts credentials in log fields or messages (DESIGN.md principle 5). As a second
//! line of defence the bridge still replaces the value of any field whose name says it is a
//! credential (see [`is_secret_field`]). The target `signbridge::transport` becomes the logger
//! `signbridge.transport`, a child of `signbridge`.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::Mutex;

use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

/// Records waiting to be handed to `logging`; bounded so a process that never calls again
/// cannot grow it without limit.
static QUEUE: Mutex<Vec<LogRecord>> = Mutex::new(Vec::new());
const QUEUE_MAX: usize = 1000;

/// The most verbose level the `signbridge` logger accepts, as a Python level number
/// (WARNING until the logger is first asked).
static PY_LEVEL: AtomicU8 = AtomicU8::new(30);

static LOGGING: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

struct LogRecord {
    logger: String,
    level: u8,
    message: String,
}

fn py_level(level: &Level) -> u8 {
    match *level {
        Level::ERROR => 40,
        Level::WARN => 30,
        Level::INFO => 20,
        Level::DEBUG => 10,
        Level::TRACE => 5,
    }
}

fn is_ours(target: &str) -> bool {
    target == "signbridge" || target.starts_with("signbridge::")
}

struct Bridge {
    next_span: AtomicU64,
}

#[derive(Default)]
struct Fields {
    message: String,
    rest: String,
}

/// Field names whose values are never forwarded. (The core's `key` field is a label such as
/// `"primary"`, not a key, so it is kept.)
fn is_secret_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "secret",
        "token",
        "password",
        "authorization",
        "product_key",
        "api_key",
        "private",
    ]
    .iter()
    .any(|s| n.contains(s))
}

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else if is_secret_field(field.name()) {
            let _ = write!(self.rest, " {}=<redacted>", field.name());
        } else {
            let _ = write!(self.rest, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else if is_secret_field(field.name()) {
            let _ = write!(self.rest, " {}=<redacted>", field.name());
        } else {
            let _ = write!(self.rest, " {}={value:?}", field.name());
        }
    }
}

impl Subscriber for Bridge {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if is_ours(meta.target()) {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        is_ours(meta.target())
            && meta.is_event()
            && py_level(meta.level()) >= PY_LEVEL.load(Ordering::Relaxed)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(self.next_span.fetch_add(1, Ordering::Relaxed))
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let meta = event.metadata();
        let mut fields = Fields::default();
        event.record(&mut fields);
        let record = LogRecord {
            logger: meta.target().replace("::", "."),
            level: py_level(meta.level()),
            message: format!("{}{}", fields.message, fields.rest),
        };
        // Never block a runtime thread on the queue: a lock poisoned by a panic is still usable,
        // and a lock inherited locked across fork() is skipped rather than waited on forever.
        for _ in 0..100 {
            match QUEUE.try_lock() {
                Ok(mut q) => {
                    if q.len() < QUEUE_MAX {
                        q.push(record);
                    }
                    return;
                }
                Err(std::sync::TryLockError::Poisoned(p)) => {
                    let mut q = p.into_inner();
                    if q.len() < QUEUE_MAX {
                        q.push(record);
                    }
                    return;
                }
                Err(std::sync::TryLockError::WouldBlock) => std::thread::yield_now(),
            }
        }
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}

fn logging(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    LOGGING
        .get_or_try_init(py, || {
            Ok::<_, PyErr>(py.import("logging")?.into_any().unbind())
        })
        .map(|m| m.bind(py))
}

/// Read the effective level of the `signbridge` logger, so events it would drop are not built.
///
/// Running `logging`'s Python code also runs pending signal handlers: a `KeyboardInterrupt`
/// (Ctrl-C) raised there is returned, never swallowed, or the interrupt would be lost.
pub fn refresh_level(py: Python<'_>) -> PyResult<()> {
    let n: i64 = logging(py)?
        .call_method1("getLogger", ("signbridge",))?
        .call_method0("getEffectiveLevel")?
        .extract()?;
    PY_LEVEL.store(n.clamp(1, 255) as u8, Ordering::Relaxed);
    Ok(())
}

/// Hand the queued records to `logging` (called with the GIL held).
///
/// An `Exception` from a logging handler is reported as unraisable (a failing handler must not
/// turn a successful call into an error); a `BaseException` that is not an `Exception` — the
/// `KeyboardInterrupt` of a Ctrl-C whose handler ran inside the handler's Python code,
/// `SystemExit` — is returned once every record is handed over.
pub fn flush(py: Python<'_>) -> PyResult<()> {
    let records = match QUEUE.try_lock() {
        Ok(mut q) if !q.is_empty() => std::mem::take(&mut *q),
        _ => return Ok(()),
    };
    let logging = logging(py)?;
    let mut interrupted: Option<PyErr> = None;
    for r in records {
        let sent = logging
            .call_method1("getLogger", (r.logger.as_str(),))
            .and_then(|l| l.call_method1("log", (r.level, r.message.as_str())));
        match sent {
            Ok(_) => {}
            Err(e) if e.is_instance_of::<PyException>(py) => e.write_unraisable(py, None),
            Err(e) => {
                interrupted.get_or_insert(e);
            }
        }
    }
    interrupted.map_or(Ok(()), Err)
}

/// Install the bridge as the `tracing` subscriber of this extension (once per process).
pub fn install(py: Python<'_>) -> PyResult<()> {
    refresh_level(py)?;
    // Fails only when a subscriber is already installed (module imported twice): keep that one.
    let _ = tracing::subscriber::set_global_default(Bridge {
        next_span: AtomicU64::new(1),
    });
    Ok(())
}
