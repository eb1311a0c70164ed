//! The cache behind a [`super::TokenSource`]: one token request however many callers wait,
//! without a lock held across the request, safe across `fork()`, and a growing back-off when the
//! provider rejects the tokens it just issued.
//!
//! - **No lock across I/O.** The state sits behind a `std::sync::Mutex` held only for a few
//!   field reads and writes, never across an `.await`. A fetch in flight is a record (its id,
//!   the process that started it, a [`Notify`] its waiters sleep on); the fetching caller clears
//!   it and wakes them when done, or when its future is dropped (cancellation).
//! - **fork().** A child inherits the parent's record of a fetch in flight, but not the task
//!   doing it: a flight started by another process id is ignored, and the child fetches its own
//!   token (`core/tests/fork.rs`).
//! - **No token storm.** When the provider rejects a token fetched to retry a rejected call,
//!   or any never-accepted token while a storm is on, no new token is requested for a back-off
//!   (1 s, doubling up to 60 s): calls that need one fail at once with `SB_ERR_AUTH`. One call
//!   the provider accepts ends it (`core/tests/token_storm.rs`).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::token::Cached;
use crate::error::{Error, ErrorCode, Result};

/// The first back-off after a freshly issued token was rejected; it doubles with each further one.
const STORM_BASE: Duration = Duration::from_secs(1);
/// The longest back-off.
const STORM_MAX: Duration = Duration::from_secs(60);

/// A fetch in flight.
struct Flight {
    id: u64,
    pid: u32,
    done: Arc<Notify>,
}

#[derive(Default)]
struct State {
    cached: Option<Cached>,
    /// Whether the provider accepted the cached token at least once.
    cached_accepted: bool,
    flight: Option<Flight>,
    next_id: u64,
    /// The error of the last failed flight (its id), handed to the callers that waited for it.
    failed: Option<(u64, ErrorCopy)>,
    /// Consecutive rejections of freshly issued tokens.
    storm_failures: u32,
    /// No token is requested before this instant.
    hold_until: Option<Instant>,
    /// The last token counted as a storm rejection (each token counts once).
    storm_token: Option<SecretString>,
}

/// What an [`Error`] says, to hand the same failure to every waiter (`Error` is not `Clone`).
struct ErrorCopy {
    code: ErrorCode,
    message: String,
    http_status: Option<u16>,
    provider: (Option<String>, Option<String>),
    retry_after: Option<Duration>,
}

impl ErrorCopy {
    fn of(e: &Error) -> ErrorCopy {
        ErrorCopy {
            code: e.code(),
            message: e.message().to_string(),
            http_status: e.http_status(),
            provider: (
                e.provider_code().map(str::to_string),
                e.provider_description().map(str::to_string),
            ),
            retry_after: e.retry_after(),
        }
    }

    fn error(&self) -> Error {
        let mut e = Error::new(self.code, self.message.clone())
            .with_provider(self.provider.0.clone(), self.provider.1.clone());
        if let Some(s) = self.http_status {
            e = e.with_http_status(s);
        }
        if let Some(r) = self.retry_after {
            e = e.with_retry_after(r);
        }
        e
    }
}

/// The token cache of one source (see the module docs).
#[derive(Default)]
pub(super) struct TokenCache {
    state: Mutex<State>,
}

/// What a caller of [`TokenCache::get`] does next.
enum Step {
    /// Done: the cached token, or the back-off's error.
    Ready(Result<SecretString>),
    /// Wait for the flight with this id.
    Wait(u64, Arc<Notify>),
    /// Fetch, as the flight with this id.
    Fetch(u64),
}

/// Clears the flight `id` and wakes its waiters when the fetching future ends or is dropped.
struct FlightGuard<'a> {
    cache: &'a TokenCache,
    id: u64,
}

impl Drop for FlightGuard<'_> {
    fn drop(&mut self) {
        let mut s = self.cache.lock();
        if s.flight.as_ref().is_some_and(|f| f.id == self.id) {
            if let Some(f) = s.flight.take() {
                f.done.notify_waiters();
            }
        }
    }
}

/// Two secrets are the same token.
fn same(a: &SecretString, b: &SecretString) -> bool {
    a.expose_secret() == b.expose_secret()
}

impl TokenCache {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while the lock was held leaves plain data behind: keep using it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A valid token: the cached one, the one a fetch in flight (of this process) brings, or a
    /// new one from `fetch` (one request however many callers wait).
    pub(super) async fn get<F, Fut>(&self, fetch: F) -> Result<SecretString>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Cached>>,
    {
        let mut fetch = Some(fetch);
        let pid = crate::runtime::pid();
        loop {
            let step = self.step(pid);
            let (id, notify) = match step {
                Step::Ready(r) => return r,
                Step::Wait(id, notify) => (id, notify),
                Step::Fetch(id) => {
                    let Some(fetch) = fetch.take() else {
                        return Err(Error::internal("token fetch started twice"));
                    };
                    let guard = FlightGuard { cache: self, id };
                    let result = fetch().await;
                    self.finish(id, &result);
                    drop(guard);
                    return result.map(|fresh| fresh.value);
                }
            };
            // Register for the wake-up first, then check that the flight is still on: it may
            // have ended between the two locks (then there is nothing to wait for).
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.flying(id, pid) {
                notified.await;
            }
            if let Some(e) = self.failed_flight(id) {
                return Err(e);
            }
        }
    }

    /// What a caller in process `pid` does next: take the cached token (or the back-off's
    /// error), wait for the flight in progress, or start one.
    fn step(&self, pid: u32) -> Step {
        let mut s = self.lock();
        let now = Instant::now();
        if let Some(c) = s.cached.as_ref().filter(|c| now < c.refresh_at) {
            return Step::Ready(Ok(c.value.clone()));
        }
        if let Some(until) = s.hold_until.filter(|u| now < *u) {
            return Step::Ready(Err(storm_error(s.storm_failures, until - now)));
        }
        if let Some(f) = s.flight.as_ref().filter(|f| f.pid == pid) {
            return Step::Wait(f.id, f.done.clone());
        }
        // No flight, or one inherited from the parent of a fork: fetch here.
        let id = s.next_id;
        s.next_id += 1;
        s.flight = Some(Flight {
            id,
            pid,
            done: Arc::new(Notify::new()),
        });
        Step::Fetch(id)
    }

    /// Record the outcome of flight `id` (its [`FlightGuard`] then wakes the waiters).
    fn finish(&self, id: u64, result: &Result<Cached>) {
        let mut s = self.lock();
        match result {
            Ok(fresh) => {
                s.cached = Some(Cached {
                    value: fresh.value.clone(),
                    refresh_at: fresh.refresh_at,
                });
                s.cached_accepted = false;
            }
            Err(e) => s.failed = Some((id, ErrorCopy::of(e))),
        }
    }

    /// Whether flight `id` of process `pid` is still in progress.
    fn flying(&self, id: u64, pid: u32) -> bool {
        self.lock()
            .flight
            .as_ref()
            .is_some_and(|f| f.id == id && f.pid == pid)
    }

    /// The error flight `id` ended with, if it failed.
    fn failed_flight(&self, id: u64) -> Option<Error> {
        let s = self.lock();
        match &s.failed {
            Some((failed, e)) if *failed == id => Some(e.error()),
            _ => None,
        }
    }

    /// Forget `rejected` if it is still the cached token. A rejected token the provider never
    /// accepted, while a storm is on, extends the back-off.
    pub(super) fn invalidate(&self, rejected: &SecretString) {
        let mut s = self.lock();
        if s.cached.as_ref().is_some_and(|c| same(&c.value, rejected)) {
            let never_accepted = !s.cached_accepted;
            s.cached = None;
            if never_accepted && s.storm_failures > 0 {
                count_storm(&mut s, rejected);
            }
        }
    }

    /// The provider rejected `rejected`, a token fetched to retry a call whose token it had
    /// rejected: start (or extend) the back-off.
    pub(super) fn rejected_fresh(&self, rejected: &SecretString) {
        let mut s = self.lock();
        let accepted_before =
            s.cached_accepted && s.cached.as_ref().is_some_and(|c| same(&c.value, rejected));
        if !accepted_before {
            count_storm(&mut s, rejected);
        }
    }

    /// The provider accepted `token`: a storm is over.
    pub(super) fn accepted(&self, token: &SecretString) {
        let mut s = self.lock();
        if s.cached.as_ref().is_some_and(|c| same(&c.value, token)) {
            s.cached_accepted = true;
        }
        if s.storm_failures > 0 || s.hold_until.is_some() {
            tracing::info!("an access token was accepted again; token requests resume");
            s.storm_failures = 0;
            s.hold_until = None;
            s.storm_token = None;
        }
    }
}

/// Count one rejection of a fresh token (once per token) and hold token requests back.
fn count_storm(s: &mut State, rejected: &SecretString) {
    if s.storm_token.as_ref().is_some_and(|t| same(t, rejected)) {
        return;
    }
    s.storm_token = Some(rejected.clone());
    s.storm_failures = s.storm_failures.saturating_add(1);
    let hold = storm_hold(s.storm_failures);
    s.hold_until = Some(Instant::now() + hold);
    tracing::warn!(
        rejections = s.storm_failures,
        hold_ms = hold.as_millis() as u64,
        "the provider rejected a freshly issued access token; no new token is requested for a while"
    );
}

/// The back-off after `failures` consecutive rejections of fresh tokens.
fn storm_hold(failures: u32) -> Duration {
    STORM_BASE
        .saturating_mul(1u32 << failures.saturating_sub(1).min(16))
        .min(STORM_MAX)
}

fn storm_error(failures: u32, left: Duration) -> Error {
    Error::new(
        ErrorCode::Auth,
        format!(
            "the provider rejected {failures} freshly issued access token(s) in a row; no new \
             token is requested for another {:.1} s (check the credentials and the gateway in \
             front of the service); a call it accepts ends the pause",
            left.as_secs_f64()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hold_doubles_up_to_a_minute() {
        assert_eq!(storm_hold(1), Duration::from_secs(1));
        assert_eq!(storm_hold(2), Duration::from_secs(2));
        assert_eq!(storm_hold(4), Duration::from_secs(8));
        assert_eq!(storm_hold(7), STORM_MAX);
        assert_eq!(storm_hold(u32::MAX), STORM_MAX);
    }
}
