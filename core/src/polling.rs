//! The wait/poll engine below the providers: how every `wait` polls (interval, jitter,
//! deadline, cancellation, progress, `Retry-After`), whatever it waits for.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::cancel::CancelToken;
use crate::error::{Error, ErrorCode, Result};

/// A callback told about every state seen while waiting (for progress displays).
pub type ProgressFn<T> = Arc<dyn Fn(&T) + Send + Sync>;

/// How [`wait`](crate::providers::zignsec::SigningApi::wait) polls.
#[derive(Clone)]
pub struct WaitOptions<T> {
    /// Time between two polls. Default 2 s, the providers' recommendation.
    pub interval: Duration,
    /// Give up after this long with [`ErrorCode::Timeout`]. `None` waits until a final state.
    pub timeout: Option<Duration>,
    /// Abort the wait from elsewhere; the wait then fails with [`ErrorCode::Aborted`].
    pub cancel: Option<CancelToken>,
    /// Called with each state polled.
    pub on_progress: Option<ProgressFn<T>>,
}

impl<T> Default for WaitOptions<T> {
    fn default() -> Self {
        WaitOptions {
            interval: Duration::from_secs(2),
            timeout: None,
            cancel: None,
            on_progress: None,
        }
    }
}

impl<T> fmt::Debug for WaitOptions<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("interval", &self.interval)
            .field("timeout", &self.timeout)
            .field("cancel", &self.cancel.is_some())
            .finish()
    }
}

/// The interval ZignSec recommends between two polls (seed 002: "Recommended interval is every
/// two seconds", with a caution about the load polling puts on Norwegian BankID).
pub const RECOMMENDED_POLL_INTERVAL: Duration = Duration::from_secs(2);

/// The interval a poll loop of the product uses by default against the service at `base_url`:
/// [`RECOMMENDED_POLL_INTERVAL`] for a real service, 250 ms for a loopback one (the local
/// simulator, where nothing is loaded and tests should not wait).
pub fn default_poll_interval(base_url: &str) -> Duration {
    match url::Url::parse(base_url) {
        Ok(u) if crate::transport::is_loopback(&u) => Duration::from_millis(250),
        _ => RECOMMENDED_POLL_INTERVAL,
    }
}

/// Honour a poll interval shorter than the provider recommends, but say so once per process
/// (a WARN naming the recommendation), unless the service is on loopback (the simulator).
pub(crate) fn note_poll_interval(interval: Duration, base: &url::Url) {
    static TOLD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    note_poll_interval_once(&TOLD, interval, base);
}

/// [`note_poll_interval`] with its own once-flag `told`; true when it logged.
fn note_poll_interval_once(
    told: &std::sync::atomic::AtomicBool,
    interval: Duration,
    base: &url::Url,
) -> bool {
    if interval >= RECOMMENDED_POLL_INTERVAL || crate::transport::is_loopback(base) {
        return false;
    }
    let first = !told.swap(true, std::sync::atomic::Ordering::Relaxed);
    if first {
        tracing::warn!(
            interval_ms = interval.as_millis() as u64,
            recommended_ms = RECOMMENDED_POLL_INTERVAL.as_millis() as u64,
            "poll interval is below the provider's recommendation of every two seconds \
             (polling loads the provider, notably Norwegian BankID); it is honoured, but \
             consider the recommended interval, a redirect target or a webhook"
        );
    }
    first
}

/// Smallest poll interval accepted, so a mistake cannot hammer the provider.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_millis(50);

/// Longest random delay before a wait's first poll (see [`first_poll_delay`]).
pub const MAX_FIRST_POLL_JITTER: Duration = Duration::from_millis(500);

/// The random delay before a wait's first poll: up to a quarter of the interval, at most
/// [`MAX_FIRST_POLL_JITTER`]. Waits started together (a service resuming thousands of sessions)
/// then poll spread out instead of in lockstep, every interval, for their whole life.
pub(crate) fn first_poll_delay(interval: Duration) -> Duration {
    let max = (interval / 4).min(MAX_FIRST_POLL_JITTER);
    Duration::from_micros(rand::random_range(0..=max.as_micros() as u64))
}

/// How long a provider keeps a session when nothing says otherwise: ZignSec expires sessions
/// and files after 48 hours. A wait without a timeout stops after this (or the provider's own
/// lifetime, see [`poll_until_within`]) instead of polling forever.
pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(48 * 3600);

/// Poll `fetch` until `done` says the state is final, honouring the options; a wait without a
/// timeout ends after [`DEFAULT_SESSION_LIFETIME`] (see [`poll_until_within`]).
pub(crate) async fn poll_until<T, F, Fut>(
    opts: &WaitOptions<T>,
    what: &str,
    fetch: F,
    done: impl Fn(&T) -> bool,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    poll_until_within(DEFAULT_SESSION_LIFETIME, opts, what, fetch, done).await
}

/// Poll `fetch` until `done` says the state is final, honouring the options.
///
/// The first poll comes after a short random delay ([`first_poll_delay`]), the next ones every
/// `interval` after the previous answer. Transient (retryable) errors while polling do not end
/// the wait: the transport already retried them, and the next poll tries again, until the
/// deadline — after the `Retry-After` the provider asked for when it is longer than the interval
/// (a rate limit longer than the transport waits for itself). Without a timeout, the wait ends
/// with [`ErrorCode::Timeout`] once `lifetime` — how long the provider keeps a session — has
/// passed: the session cannot become final any more. The interval and timeout are at most
/// [`crate::numbers::MAX_DURATION`] ([`ErrorCode::InvalidArgument`] otherwise).
pub(crate) async fn poll_until_within<T, F, Fut>(
    lifetime: Duration,
    opts: &WaitOptions<T>,
    what: &str,
    mut fetch: F,
    done: impl Fn(&T) -> bool,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    if opts.interval < MIN_POLL_INTERVAL {
        return Err(Error::invalid_argument(format!(
            "poll interval {:?} is below the minimum of {MIN_POLL_INTERVAL:?}",
            opts.interval
        )));
    }
    crate::numbers::duration(opts.interval, "the poll interval")?;
    if let Some(t) = opts.timeout {
        crate::numbers::duration(t, "the wait's timeout")?;
    }
    let started = tokio::time::Instant::now();
    let lifetime = lifetime.min(crate::numbers::MAX_DURATION);
    let deadline = Some(started + opts.timeout.unwrap_or(lifetime));
    let timed_out = |last: Option<Error>| match opts.timeout {
        Some(_) => timed_out(what, opts.timeout, last),
        None => outlived(what, lifetime, last),
    };
    let never = CancelToken::new();
    let cancel = opts.cancel.as_ref().unwrap_or(&never);
    let mut last_err: Option<Error> = None;
    tokio::select! {
        _ = tokio::time::sleep(first_poll_delay(opts.interval)) => {}
        _ = cancel.cancelled() => return Err(aborted(what)),
        _ = sleep_until_opt(deadline) => return Err(timed_out(last_err)),
    }
    loop {
        if cancel.is_cancelled() {
            return Err(aborted(what));
        }
        let polled = tokio::select! {
            r = fetch() => r,
            _ = cancel.cancelled() => return Err(aborted(what)),
            _ = sleep_until_opt(deadline) => return Err(timed_out(last_err)),
        };
        let mut pause = opts.interval;
        match polled {
            Ok(state) => {
                if let Some(cb) = &opts.on_progress {
                    cb(&state);
                }
                if done(&state) {
                    return Ok(state);
                }
                last_err = None;
            }
            Err(e) if e.is_retryable() => {
                tracing::warn!(error = %e, "poll failed; polling again");
                if let Some(after) = e.retry_after() {
                    pause = pause.max(after.min(crate::numbers::MAX_DURATION));
                }
                last_err = Some(e);
            }
            Err(e) => return Err(e),
        }
        tokio::select! {
            _ = tokio::time::sleep(pause) => {}
            _ = cancel.cancelled() => return Err(aborted(what)),
            _ = sleep_until_opt(deadline) => return Err(timed_out(last_err)),
        }
    }
}
async fn sleep_until_opt(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

fn aborted(what: &str) -> Error {
    Error::new(
        ErrorCode::Aborted,
        format!("waiting for {what} was aborted by the caller; the session itself goes on"),
    )
}

fn outlived(what: &str, lifetime: Duration, last: Option<Error>) -> Error {
    let mut msg = format!(
        "{what} did not reach a final state within {} h, longer than the provider keeps a \
         session; it will not finish any more (give the wait a timeout to stop sooner)",
        lifetime.as_secs() / 3600
    );
    if let Some(e) = last {
        msg.push_str(&format!(" (last poll failed: {e})"));
    }
    Error::new(ErrorCode::Timeout, msg)
}

fn timed_out(what: &str, timeout: Option<Duration>, last: Option<Error>) -> Error {
    let mut msg = format!(
        "{what} did not reach a final state within {:?}; the session goes on at the provider: \
         wait again or raise the timeout",
        timeout.unwrap_or_default()
    );
    if let Some(e) = last {
        msg.push_str(&format!(" (last poll failed: {e})"));
    }
    Error::new(ErrorCode::Timeout, msg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poll_engine_deadline_cancel_and_success() {
        let rt = crate::runtime::runtime();
        // Finishes on the third poll.
        let mut n = 0;
        let opts = WaitOptions::<u32> {
            interval: Duration::from_millis(50),
            ..WaitOptions::default()
        };
        let r = rt.block_on(poll_until(
            &opts,
            "x",
            || {
                n += 1;
                let v = n;
                async move { Ok(v) }
            },
            |v| *v >= 3,
        ));
        assert_eq!(r.ok(), Some(3));
        // Deadline.
        let opts = WaitOptions::<u32> {
            interval: Duration::from_millis(50),
            timeout: Some(Duration::from_millis(200)),
            ..WaitOptions::default()
        };
        let r = rt.block_on(poll_until(&opts, "x", || async { Ok(0u32) }, |_| false));
        assert_eq!(r.err().map(|e| e.code()), Some(ErrorCode::Timeout));
        // Cancelled from another thread.
        let token = CancelToken::new();
        let t2 = token.clone();
        let opts = WaitOptions::<u32> {
            interval: Duration::from_millis(50),
            cancel: Some(token),
            ..WaitOptions::default()
        };
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(150));
            t2.cancel();
        });
        let r = rt.block_on(poll_until(&opts, "x", || async { Ok(0u32) }, |_| false));
        assert_eq!(r.err().map(|e| e.code()), Some(ErrorCode::Aborted));
        // Too small an interval is refused.
        let opts = WaitOptions::<u32> {
            interval: Duration::from_millis(1),
            ..WaitOptions::default()
        };
        let r = rt.block_on(poll_until(&opts, "x", || async { Ok(0u32) }, |_| true));
        assert_eq!(r.err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
    }

    /// A rate limit longer than the interval is waited out, not polled on;
    /// a wait without a timeout ends after the session lifetime; absurd durations are refused.
    #[test]
    fn waits_honour_retry_after_and_end_with_the_session_lifetime() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("runtime");
        let opts = WaitOptions::<u32>::default();
        let polls = std::sync::atomic::AtomicU32::new(0);
        let (r, waited) = rt.block_on(async {
            let started = tokio::time::Instant::now();
            let r = poll_until(
                &opts,
                "x",
                || {
                    let n = polls.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    async move {
                        if n == 0 {
                            Err(Error::new(ErrorCode::RateLimited, "slow down")
                                .with_retry_after(Duration::from_secs(600)))
                        } else {
                            Ok(n)
                        }
                    }
                },
                |_| true,
            )
            .await;
            (r, started.elapsed())
        });
        assert_eq!(r.ok(), Some(1));
        assert!(
            waited >= Duration::from_secs(600),
            "polled after {waited:?}"
        );
        assert_eq!(polls.load(std::sync::atomic::Ordering::SeqCst), 2);

        // No timeout: ends after the lifetime (virtual time) instead of polling forever.
        let r = rt.block_on(async {
            let wait = poll_until_within(
                Duration::from_secs(3600),
                &opts,
                "x",
                || async { Ok(0u32) },
                |_| false,
            );
            tokio::time::timeout(Duration::from_secs(7200), wait).await
        });
        let e = r.expect("ended by itself").expect_err("not final");
        assert_eq!(e.code(), ErrorCode::Timeout);
        assert!(
            e.message().contains("longer than the provider keeps"),
            "{e}"
        );

        for bad in [
            WaitOptions::<u32> {
                timeout: Some(Duration::MAX),
                ..WaitOptions::default()
            },
            WaitOptions::<u32> {
                interval: Duration::MAX,
                ..WaitOptions::default()
            },
        ] {
            let r = rt.block_on(poll_until(&bad, "x", || async { Ok(0u32) }, |_| true));
            assert_eq!(r.err().map(|e| e.code()), Some(ErrorCode::InvalidArgument));
        }
    }

    #[test]
    fn polls_default_to_two_seconds_and_a_shorter_interval_is_noted_once() {
        use std::sync::atomic::AtomicBool;
        // Seed 002: "Recommended interval is every two seconds"; the simulator may be faster.
        assert_eq!(
            default_poll_interval("https://test-gateway.zignsec.com"),
            Duration::from_secs(2)
        );
        assert_eq!(default_poll_interval("not a url"), Duration::from_secs(2));
        assert!(default_poll_interval("http://127.0.0.1:9") < Duration::from_secs(1));
        let told = AtomicBool::new(false);
        let real = url::Url::parse("https://gateway.zignsec.com").expect("url");
        let sim = url::Url::parse("http://127.0.0.1:9").expect("url");
        let short = Duration::from_millis(500);
        assert!(!note_poll_interval_once(
            &told,
            Duration::from_secs(2),
            &real
        ));
        assert!(!note_poll_interval_once(&told, short, &sim));
        assert!(note_poll_interval_once(&told, short, &real), "logged");
        assert!(!note_poll_interval_once(&told, short, &real), "only once");
    }

    #[test]
    fn first_polls_are_spread_within_a_quarter_interval() {
        let interval = Duration::from_secs(2);
        let delays: Vec<Duration> = (0..200).map(|_| first_poll_delay(interval)).collect();
        assert!(delays.iter().all(|d| *d <= MAX_FIRST_POLL_JITTER));
        let distinct: std::collections::HashSet<_> = delays.iter().collect();
        assert!(distinct.len() > 100, "polls are spread, not in lockstep");
        let short = Duration::from_millis(100);
        assert!((0..200).all(|_| first_poll_delay(short) <= short / 4));
        assert!((0..200).all(|_| first_poll_delay(MIN_POLL_INTERVAL) <= MIN_POLL_INTERVAL / 4));
    }
}
