//! Where a [`crate::webhook::WebhookVerifier`] remembers the deliveries it accepted, so a
//! captured delivery cannot be replayed.
//!
//! - [`MemoryReplayStore`] (the default): in this process. Enough for one instance.
//! - [`RedisReplayStore`] (cargo feature `redis`, on by default): in a
//!   Redis server shared by every instance behind a load balancer. Each accepted delivery is
//!   one atomic `SET <key> 1 NX PX <ttl>`: the first instance to see a delivery stores it, every
//!   later one (in any process) finds it and refuses the replay. Keys expire when the delivery's
//!   timestamp leaves the tolerance window (after which the timestamp check refuses it anyway).
//!
//! Choose it with [`replay_store_from_url`] (`memory:` or `redis://[:password@]host[:port][/db]`,
//! exposed as `replay_store_url` / `replayStoreUrl` in every language).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// How many accepted deliveries [`MemoryReplayStore`] remembers at most; beyond that the oldest
/// are forgotten (use a shared store above ~300 deliveries per second with the default
/// 5-minute tolerance).
pub const MEMORY_REPLAY_CAPACITY: usize = 100_000;

/// A store of accepted deliveries. Implementations must make [`remember`](Self::remember)
/// atomic: of two concurrent calls with the same key, exactly one returns `Ok(true)`.
pub trait ReplayStore: Send + Sync {
    /// Remember `key` until `expires_at` (unix seconds; `now` is the verifier's clock).
    /// `Ok(true)` when the key was new, `Ok(false)` when it was already there (a replay).
    fn remember(&self, key: &str, now: u64, expires_at: u64) -> Result<bool>;
}

/// Accepted deliveries remembered in this process (the default store).
#[derive(Default)]
pub struct MemoryReplayStore {
    seen: Mutex<Seen>,
}

#[derive(Default)]
struct Seen {
    order: VecDeque<(u64, String)>,
    set: HashSet<String>,
}

impl MemoryReplayStore {
    /// An empty store.
    pub fn new() -> MemoryReplayStore {
        MemoryReplayStore::default()
    }
}

impl ReplayStore for MemoryReplayStore {
    fn remember(&self, key: &str, now: u64, expires_at: u64) -> Result<bool> {
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        // Forget what expired (entries are kept in the order they expire in, near enough: the
        // window is the same for all) and, past the capacity, the oldest.
        while let Some((exp, _)) = seen.order.front() {
            if *exp >= now && seen.order.len() < MEMORY_REPLAY_CAPACITY {
                break;
            }
            if let Some((_, k)) = seen.order.pop_front() {
                seen.set.remove(&k);
            }
        }
        if seen.set.contains(key) {
            return Ok(false);
        }
        seen.set.insert(key.to_string());
        seen.order.push_back((expires_at, key.to_string()));
        Ok(true)
    }
}

/// The store a URL names: `memory:` (or an empty string) for [`MemoryReplayStore`],
/// `redis://…` for [`RedisReplayStore`] (with the cargo feature `redis`). An unknown scheme or
/// a Redis URL in a build without the feature is [`ErrorCode::InvalidConfig`]; the URL is never
/// repeated in the error (it may carry a password).
pub fn replay_store_from_url(url: &str) -> Result<Arc<dyn ReplayStore>> {
    let url = url.trim();
    if url.is_empty() || url == "memory:" {
        return Ok(Arc::new(MemoryReplayStore::new()));
    }
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    match scheme.as_deref() {
        Some("redis") | Some("redis+unix") | Some("unix") => redis_store(url),
        _ => Err(Error::invalid_config(
            "the webhook replay store URL must be `memory:` or `redis://[:password@]host[:port][/db]`",
        )),
    }
}

#[cfg(feature = "redis")]
fn redis_store(url: &str) -> Result<Arc<dyn ReplayStore>> {
    Ok(Arc::new(RedisReplayStore::new(url)?))
}

#[cfg(not(feature = "redis"))]
fn redis_store(_url: &str) -> Result<Arc<dyn ReplayStore>> {
    Err(Error::invalid_config(
        "this build of signbridge has no Redis support (the core's cargo feature `redis`); the \
         C, Python and Node packages include it",
    ))
}

#[cfg(feature = "redis")]
pub use self::redis_store::RedisReplayStore;

#[cfg(feature = "redis")]
mod redis_store {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use super::ReplayStore;
    use crate::error::{Error, ErrorCode, Result};

    /// How long one Redis command may take before the delivery is refused.
    const COMMAND_TIMEOUT: Duration = Duration::from_secs(5);

    /// Accepted deliveries remembered in a Redis server shared by every instance (see the
    /// module docs). Connects lazily, reconnects after a failure or a `fork()`.
    pub struct RedisReplayStore {
        inner: Arc<Inner>,
    }

    struct Inner {
        client: redis::Client,
        /// The multiplexed connection and the process it was made in.
        conn: Mutex<Option<(u32, redis::aio::MultiplexedConnection)>>,
    }

    impl std::fmt::Debug for RedisReplayStore {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            // The URL may carry a password: never shown.
            f.write_str("RedisReplayStore")
        }
    }

    impl RedisReplayStore {
        /// A store at `url` (`redis://[:password@]host[:port][/db]`); nothing is connected
        /// until the first delivery.
        pub fn new(url: &str) -> Result<RedisReplayStore> {
            let client = redis::Client::open(url).map_err(|_| {
                Error::invalid_config(
                    "the webhook replay store URL is not a usable Redis URL \
                     (redis://[:password@]host[:port][/db])",
                )
            })?;
            Ok(RedisReplayStore {
                inner: Arc::new(Inner {
                    client,
                    conn: Mutex::new(None),
                }),
            })
        }
    }

    impl Inner {
        async fn set_nx(&self, key: String, ttl_ms: u64) -> Result<bool> {
            let pid = crate::runtime::pid();
            let cached = self
                .conn
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .as_ref()
                .filter(|(p, _)| *p == pid)
                .map(|(_, c)| c.clone());
            let mut conn = match cached {
                Some(c) => c,
                None => {
                    let c = self
                        .client
                        .get_multiplexed_async_connection()
                        .await
                        .map_err(|e| unavailable("connect to", &e))?;
                    *self.conn.lock().unwrap_or_else(|p| p.into_inner()) = Some((pid, c.clone()));
                    c
                }
            };
            let answer: Option<String> = redis::cmd("SET")
                .arg(&key)
                .arg(1)
                .arg("NX")
                .arg("PX")
                .arg(ttl_ms)
                .query_async(&mut conn)
                .await
                .map_err(|e| {
                    // The next delivery connects anew.
                    *self.conn.lock().unwrap_or_else(|p| p.into_inner()) = None;
                    unavailable("store the delivery in", &e)
                })?;
            Ok(answer.is_some())
        }
    }

    fn unavailable(what: &str, e: &redis::RedisError) -> Error {
        Error::new(
            ErrorCode::Network,
            format!(
                "could not {what} the webhook replay store (Redis: {:?}); the delivery is \
                 refused, the provider delivers it again later",
                e.kind()
            ),
        )
    }

    impl ReplayStore for RedisReplayStore {
        fn remember(&self, key: &str, now: u64, expires_at: u64) -> Result<bool> {
            let ttl_ms = expires_at.saturating_sub(now).max(1).saturating_mul(1000);
            let key = format!("signbridge:webhook:{key}");
            // Run on the shared runtime whatever the caller's context (a verifier is called
            // from synchronous handlers and from inside async frameworks alike).
            let (tx, rx) = std::sync::mpsc::channel();
            let this = self.inner.clone();
            crate::runtime::runtime().spawn(async move {
                let r = tokio::time::timeout(COMMAND_TIMEOUT, this.set_nx(key, ttl_ms)).await;
                let _ = tx.send(r);
            });
            match rx.recv_timeout(COMMAND_TIMEOUT + Duration::from_secs(1)) {
                Ok(Ok(r)) => r,
                _ => Err(Error::new(
                    ErrorCode::Timeout,
                    "the webhook replay store (Redis) did not answer in time; the delivery is \
                     refused, the provider delivers it again later",
                )),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn memory_store_refuses_a_key_until_it_expires() {
        let s = MemoryReplayStore::new();
        assert!(s.remember("a", 100, 400).expect("ok"));
        assert!(!s.remember("a", 200, 500).expect("ok"));
        assert!(s.remember("b", 200, 500).expect("ok"));
        // After "a" expired it is forgotten (its timestamp is outside the window by then).
        assert!(s.remember("a", 401, 700).expect("ok"));
    }

    #[test]
    fn store_urls() {
        assert!(replay_store_from_url("memory:").is_ok());
        assert!(replay_store_from_url("").is_ok());
        let e = replay_store_from_url("http://user:pw@host/")
            .err()
            .expect("refused");
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(!e.message().contains("pw"));
    }
}
