//! The one HTTP stack: hyper on rustls, timeouts, retries, credential origin pinning and the
//! mapping of HTTP answers onto [`ErrorCode`]s.
//!
//! Rules enforced here, for every provider:
//! - TLS verification is always on. A custom CA can be added to the trusted roots; there is no
//!   switch to turn verification off.
//! - Credentials are attached only to requests whose origin (scheme, host, port) equals the
//!   configured base URL's origin. A URL taken from a provider's answer that points elsewhere is
//!   fetched without credentials. Redirects are never followed, so a credential cannot be carried
//!   to another host by a `Location` header either.
//! - Plain `http://` is accepted only for loopback hosts (the simulator).
//! - Idempotent requests (GET) are retried on network errors, 5xx and 429 with full-jitter
//!   exponential backoff, honouring `Retry-After`. Non-idempotent requests (every create, upload
//!   and start) are retried only when the provider cannot have acted on them: 429, or a
//!   connection that was never established. A non-idempotent request that fails after it may
//!   have reached the provider (timeout, reset, lost answer) is never resent: it fails with
//!   [`ErrorCode::OutcomeUnknown`], telling the caller to look before retrying. A 5xx answer to
//!   one is returned as is ([`ErrorCode::ProviderUnavailable`]).
//! - On 401/403 the request is repeated once with each other configured key (zero-downtime
//!   rotation); the key that worked is used from then on.
//! - A request may need a role ([`Role`], role-based API keys): it carries only that role's key.
//!   When API keys are configured but none for the role, it fails with
//!   [`ErrorCode::AuthConfigMissing`] before anything is sent. A 401 whose body has
//!   `errorCode` 631 (invalid API key) is repeated with the role's next key (rollover); the key
//!   that worked is used from then on.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, StatusCode};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::CertificateDer;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::auth::{ClientIdentity, Credentials, Role};
use crate::error::{Error, ErrorCode, Result};

mod proxy;

/// Largest answer body accepted, to bound memory when a server misbehaves.
const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

/// Largest answer streamed into a file ([`Transport::download_to_file`]), to bound the disk space
/// a misbehaving server can fill.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024 * 1024;

/// Bytes read from a file per body chunk of a streamed upload.
const FILE_CHUNK: usize = 256 * 1024;

/// Idle keep-alive connections a calling thread's own pool keeps per origin. A blocking caller
/// has one call in flight at a time, so one or two are reused; more would only hold sockets.
const LOCAL_MAX_IDLE_PER_HOST: usize = 2;

/// How long an idle pooled connection is kept (shared and per-thread pools).
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// Transport settings shared by every provider of a client (part of the one config schema).
///
/// Timeouts: a call's HTTP exchange may take `request_timeout_ms` plus the time its data needs at
/// `min_transfer_bytes_per_s` — for the bytes sent (an upload of 50 MB gets 500 s more at the
/// default 100 kB/s) and for the bytes received (the answer's `Content-Length`, or what has
/// arrived so far when the server does not say). A small JSON call therefore gets about
/// `request_timeout_ms`, a large document as long as a slow line needs, and a stalled transfer
/// still ends. Connecting has its own `connect_timeout_ms`. Time spent waiting for a free request
/// slot (`max_requests_per_origin`) does not count.
///
/// Proxy: `https` connections go through an HTTP proxy as a `CONNECT` tunnel when `proxy` (or,
/// when it is not set, `HTTPS_PROXY` / `ALL_PROXY`) names one; see [`TransportConfig::proxy`].
/// The `Debug` output never shows the proxy's password.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransportConfig {
    /// Time allowed to establish a connection (TCP + TLS), in milliseconds.
    pub connect_timeout_ms: u64,
    /// Time allowed for one HTTP exchange, answer body included, in milliseconds, before the
    /// allowance for its size (see `min_transfer_bytes_per_s`).
    pub request_timeout_ms: u64,
    /// The slowest transfer rate a call is given time for, in bytes per second: every byte sent
    /// or received adds `1 / min_transfer_bytes_per_s` seconds to `request_timeout_ms`.
    /// Default 100 000 (100 kB/s, a slow uplink).
    pub min_transfer_bytes_per_s: u64,
    /// Most requests in flight at once to one origin (scheme, host, port), per process and TLS
    /// configuration; further requests wait for a free slot. It bounds the connections (and their
    /// memory) that many concurrent calls open, e.g. thousands of concurrent waits. Default 64.
    pub max_requests_per_origin: u32,
    /// Attempts per call for retryable failures (1 = no retry).
    pub max_attempts: u32,
    /// First backoff step in milliseconds; later steps double, with full jitter.
    pub backoff_base_ms: u64,
    /// Largest backoff step in milliseconds.
    pub backoff_max_ms: u64,
    /// Longest `Retry-After` honoured automatically, in seconds. A longer one is returned to the
    /// caller as [`ErrorCode::RateLimited`] with `retry_after` set.
    pub max_retry_after_s: u64,
    /// Extra trusted CA certificates, PEM text (added to the built-in Mozilla roots).
    pub ca_pem: Option<String>,
    /// Extra trusted CA certificates, path of a PEM file.
    pub ca_file: Option<std::path::PathBuf>,
    /// The HTTP proxy `https` connections go through, as a `CONNECT` tunnel (TLS stays end to
    /// end with the provider; the proxy sees only host and port):
    /// - not set (`None`): from the environment, like curl: `HTTPS_PROXY` / `https_proxy`, else
    ///   `ALL_PROXY` / `all_proxy` (read once when the client is built);
    /// - `"direct"`: never use a proxy;
    /// - `"http://[user:password@]host:port"`: this proxy (user name and password
    ///   percent-encoded; they are sent only to the proxy, as `Proxy-Authorization: Basic`).
    ///
    /// Hosts listed in `NO_PROXY` / `no_proxy` go direct either way, and so do loopback hosts
    /// (`localhost`, `127.0.0.1`, `::1`) and plain `http` (only ever the local simulator). Any
    /// other value (another scheme, a missing port) is [`ErrorCode::InvalidConfig`].
    pub proxy: Option<String>,
}

impl std::fmt::Debug for TransportConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransportConfig")
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("request_timeout_ms", &self.request_timeout_ms)
            .field("min_transfer_bytes_per_s", &self.min_transfer_bytes_per_s)
            .field("max_requests_per_origin", &self.max_requests_per_origin)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_base_ms", &self.backoff_base_ms)
            .field("backoff_max_ms", &self.backoff_max_ms)
            .field("max_retry_after_s", &self.max_retry_after_s)
            .field("ca_pem", &self.ca_pem)
            .field("ca_file", &self.ca_file)
            .field("proxy", &self.proxy.as_deref().map(proxy::redact_userinfo))
            .finish()
    }
}

impl Default for TransportConfig {
    fn default() -> Self {
        TransportConfig {
            connect_timeout_ms: 10_000,
            request_timeout_ms: 60_000,
            min_transfer_bytes_per_s: 100_000,
            max_requests_per_origin: 64,
            max_attempts: 3,
            backoff_base_ms: 200,
            backoff_max_ms: 5_000,
            max_retry_after_s: 60,
            ca_pem: None,
            ca_file: None,
            proxy: None,
        }
    }
}

/// A request body that can be sent again on retry.
#[derive(Clone)]
pub(crate) enum Body {
    Empty,
    Json(Bytes),
    /// `application/x-www-form-urlencoded` (token requests).
    Form(Bytes),
    Multipart {
        field: &'static str,
        file_name: String,
        content_type: &'static str,
        data: Bytes,
    },
    /// `multipart/form-data` with several parts, in order (OneSpan: a `payload` JSON part and
    /// one `file` part per document).
    Parts(Vec<Part>),
    /// `multipart/form-data` with one file part streamed from disk, never held in memory. The
    /// file is opened again for every attempt and must still be `len` bytes long.
    FileMultipart {
        field: &'static str,
        file_name: String,
        content_type: &'static str,
        path: PathBuf,
        len: u64,
    },
}

impl Body {
    /// The number of bytes the body sends (multipart framing aside).
    fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Json(b) | Body::Form(b) => b.len() as u64,
            Body::Multipart { data, .. } => data.len() as u64,
            Body::Parts(parts) => parts.iter().map(|p| p.data.len() as u64).sum(),
            Body::FileMultipart { len, .. } => *len,
        }
    }
}

/// One part of a [`Body::Parts`] body.
#[derive(Clone)]
pub(crate) struct Part {
    /// The form field name (`payload`, `file`).
    pub name: &'static str,
    /// The part's file name; `None` sends a plain form field.
    pub file_name: Option<String>,
    /// The part's content type; `None` sends none.
    pub content_type: Option<String>,
    pub data: Bytes,
}

/// One logical call (possibly several attempts).
pub(crate) struct Request {
    pub method: Method,
    pub url: Url,
    pub body: Body,
    /// Safe to repeat when the outcome of an attempt is unknown.
    pub idempotent: bool,
    /// What the call does, for error messages ("create signing session").
    pub what: &'static str,
    /// Extra headers of this call (e.g. a token request's client authentication), marked
    /// sensitive by whoever adds a secret.
    pub headers: Vec<(http::HeaderName, http::HeaderValue)>,
    /// The role whose API key the call needs (role-based API keys); `None` for none.
    pub role: Option<Role>,
}

impl Request {
    pub(crate) fn get(url: Url, what: &'static str) -> Request {
        Request {
            method: Method::GET,
            url,
            body: Body::Empty,
            idempotent: true,
            what,
            headers: Vec::new(),
            role: None,
        }
    }

    /// A request with a JSON body (or none, for `Value::Null`) and any method.
    pub(crate) fn json<T: Serialize>(
        method: Method,
        url: Url,
        body: Option<&T>,
        what: &'static str,
    ) -> Result<Request> {
        let body = match body {
            Some(b) => Body::Json(Bytes::from(serde_json::to_vec(b).map_err(|e| {
                Error::internal(format!("could not encode the {what} request: {e}"))
            })?)),
            None => Body::Empty,
        };
        Ok(Request {
            idempotent: method == Method::GET || method == Method::DELETE,
            method,
            url,
            body,
            what,
            headers: Vec::new(),
            role: None,
        })
    }

    /// The same request, needing `role`'s API key.
    pub(crate) fn with_role(mut self, role: Role) -> Request {
        self.role = Some(role);
        self
    }

    /// The same request, marked safe (or not) to repeat.
    pub(crate) fn idempotent(mut self, yes: bool) -> Request {
        self.idempotent = yes;
        self
    }

    pub(crate) fn post_json<T: Serialize>(
        url: Url,
        body: &T,
        what: &'static str,
    ) -> Result<Request> {
        let json = serde_json::to_vec(body)
            .map_err(|e| Error::internal(format!("could not encode the {what} request: {e}")))?;
        Ok(Request {
            method: Method::POST,
            url,
            body: Body::Json(Bytes::from(json)),
            idempotent: false,
            what,
            headers: Vec::new(),
            role: None,
        })
    }
}

/// A complete answer (2xx only; other answers become errors).
pub(crate) struct Response {
    pub status: StatusCode,
    #[allow(dead_code)]
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Maps a provider's non-2xx answer onto the error table (`what` the call did, the role it used).
pub(crate) type ErrorMapper = fn(&Response, &str, Option<Role>) -> Error;

/// The transport of one provider: its base URL, credentials and settings.
pub(crate) struct Transport {
    base: Url,
    credentials: Option<Arc<Credentials>>,
    settings: Arc<Settings>,
    error_mapper: Option<ErrorMapper>,
    /// The request slots of the configured origin, with the pid they were taken in (looked up
    /// once instead of in the process-wide table on every call).
    own_slots: std::sync::OnceLock<(u32, Arc<tokio::sync::Semaphore>)>,
}

struct Settings {
    config: TransportConfig,
    ca_certs: Vec<CertificateDer<'static>>,
    identity: Option<ClientIdentity>,
    /// The proxy of `https` connections, resolved once (environment included) at construction.
    proxy: Option<proxy::ProxyChoice>,
    client_key: u64,
    user_agent: http::HeaderValue,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base.as_str())
            .field("credentials", &self.credentials)
            .finish()
    }
}

impl Transport {
    pub(crate) fn new(
        base: Url,
        credentials: Option<Credentials>,
        config: &TransportConfig,
        identity: Option<&ClientIdentity>,
    ) -> Result<Transport> {
        check_base_url(&base)?;
        if config.max_attempts == 0 {
            return Err(Error::invalid_config(
                "transport.max_attempts must be at least 1",
            ));
        }
        if config.request_timeout_ms == 0 || config.connect_timeout_ms == 0 {
            return Err(Error::invalid_config(
                "transport timeouts must be greater than 0",
            ));
        }
        if config.min_transfer_bytes_per_s == 0 {
            return Err(Error::invalid_config(
                "transport.min_transfer_bytes_per_s must be at least 1 (bytes per second a \
                 transfer is given time for; default 100000)",
            ));
        }
        if config.max_requests_per_origin == 0 {
            return Err(Error::invalid_config(
                "transport.max_requests_per_origin must be at least 1 (default 64)",
            ));
        }
        let mut ca_certs = Vec::new();
        if let Some(pem) = &config.ca_pem {
            ca_certs.extend(parse_certs(pem.as_bytes(), "transport.ca_pem")?);
        }
        if let Some(path) = &config.ca_file {
            let data = std::fs::read(path).map_err(|e| {
                Error::invalid_config(format!(
                    "transport.ca_file {} cannot be read: {e}",
                    path.display()
                ))
            })?;
            ca_certs.extend(parse_certs(&data, "transport.ca_file")?);
        }
        let proxy = proxy::resolve(config.proxy.as_deref(), &proxy::process_env)?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for c in &ca_certs {
            c.as_ref().hash(&mut h);
        }
        // A different proxy (or NO_PROXY) needs a different pooled client.
        proxy.hash(&mut h);
        config.connect_timeout_ms.hash(&mut h);
        config.max_requests_per_origin.hash(&mut h);
        if let Some(id) = identity {
            id.fingerprint(&mut h);
        }
        let settings = Settings {
            config: config.clone(),
            ca_certs,
            identity: identity.cloned(),
            proxy,
            client_key: h.finish(),
            user_agent: http::HeaderValue::from_static(concat!(
                "signbridge/",
                env!("CARGO_PKG_VERSION"),
                " (rust)"
            )),
        };
        // Build the client now so TLS configuration errors surface at construction.
        http_client(&settings)?;
        Ok(Transport {
            base,
            credentials: credentials.map(Arc::new),
            settings: Arc::new(settings),
            error_mapper: None,
            own_slots: std::sync::OnceLock::new(),
        })
    }

    /// Map the provider's error answers with `mapper` instead of the generic mapping.
    pub(crate) fn with_error_mapper(mut self, mapper: ErrorMapper) -> Transport {
        self.error_mapper = Some(mapper);
        self
    }

    fn map_error(&self, resp: &Response, req: &Request) -> Error {
        match self.error_mapper {
            Some(m) => m(resp, req.what, req.role),
            None => error_from_response(resp, req.what),
        }
    }

    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    /// `base` joined with `path` (which starts with `/`).
    pub(crate) fn url(&self, path: &str) -> Result<Url> {
        self.base
            .join(path.trim_start_matches('/'))
            .map_err(|e| Error::internal(format!("bad path {path}: {e}")))
    }

    /// Whether `url` shares the configured origin (and so may carry credentials): the same
    /// scheme, host and port (the default port of the scheme when none is written).
    pub(crate) fn is_own_origin(&self, url: &Url) -> bool {
        same_origin(url, &self.base)
    }

    /// Perform `req` with retries, key rotation and error mapping.
    pub(crate) async fn send(&self, req: Request) -> Result<Response> {
        // The request slot first, then the call's state (kilobytes, boxed): thousands of calls
        // queued for a slot (e.g. polls of thousands of concurrent waits) then hold only a few
        // hundred bytes each, and an operation future that is not sending holds none of it.
        // Not when the credentials may fetch a token first: that fetch needs a slot itself,
        // and holding one while waiting for it could use up every slot.
        let bearer = self.is_own_origin(&req.url)
            && self.credentials.as_deref().is_some_and(|c| c.has_bearer());
        let held = if bearer {
            None
        } else {
            Some(self.slot(&req.url).await?)
        };
        Box::pin(self.send_to(req, None, held))
            .await
            .map(|(resp, _)| resp)
    }

    /// [`send`](Self::send); a 2xx answer's body goes to a fresh sink on `target` (truncated at
    /// every attempt) instead of memory. `held` is a request slot already taken for the first
    /// attempt (later attempts take their own).
    async fn send_to(
        &self,
        req: Request,
        target: Option<&std::fs::File>,
        mut held: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> Result<(Response, Option<FileSink>)> {
        let own = self.is_own_origin(&req.url);
        let creds = if own {
            self.credentials.as_deref()
        } else {
            None
        };
        if !own {
            tracing::warn!(
                host = req.url.host_str().unwrap_or(""),
                "URL points outside the configured gateway; sending it without credentials"
            );
        }
        let mut slot = creds.and_then(|c| c.first_slot());
        // Fails here, before any I/O, when the role's key is missing.
        let mut role_slot = match creds {
            Some(c) => c.first_role_slot(req.role, req.what)?,
            None => None,
        };
        let mut role_keys_tried = 1usize;
        let mut keys_tried = 1usize;
        let mut token_refreshed = false;
        let mut attempt = 0u32;
        let cfg = &self.settings.config;
        loop {
            let (auth_headers, applied) = match creds {
                Some(c) => {
                    let (h, a) = c.headers(slot, role_slot).await?;
                    (h, Some(a))
                }
                None => (Vec::new(), None),
            };
            let outcome = self.attempt(&req, auth_headers, target, held.take()).await;
            let retry_delay = match outcome {
                Ok((resp, sink)) if resp.status.is_success() => {
                    if let Some(c) = creds {
                        c.accepted(slot, role_slot);
                    }
                    return Ok((resp, sink));
                }
                Ok((resp, _))
                    if resp.status == StatusCode::UNAUTHORIZED
                        || resp.status == StatusCode::FORBIDDEN =>
                {
                    // An invalid role API key (401 + errorCode 631): the role's next key.
                    if let (Some(c), Some(rs)) = (creds, role_slot) {
                        if resp.status == StatusCode::UNAUTHORIZED
                            && body_error_code(&resp.body) == Some(INVALID_API_KEY)
                        {
                            if let Some(next) = c.next_role_slot(rs, role_keys_tried) {
                                tracing::info!(
                                    role = rs.role.config_name(),
                                    "API key rejected as invalid; rolling over to the role's next key"
                                );
                                role_slot = Some(next);
                                role_keys_tried += 1;
                                continue;
                            }
                            return Err(role_keys_exhausted(&resp, c, rs.role, req.what));
                        }
                    }
                    if let (Some(c), Some(a)) = (creds, &applied) {
                        // An expired or revoked token first: fetch a new one and retry once.
                        if resp.status == StatusCode::UNAUTHORIZED
                            && c.has_bearer()
                            && !token_refreshed
                        {
                            tracing::info!("access token rejected; fetching a new one");
                            c.invalidate(a).await;
                            token_refreshed = true;
                            continue;
                        }
                        if let Some(next) = slot.and_then(|s| c.next_slot(s, keys_tried)) {
                            tracing::info!(
                                status = resp.status.as_u16(),
                                "credential rejected; retrying with the other key"
                            );
                            slot = Some(next);
                            keys_tried += 1;
                            continue;
                        }
                    }
                    if self.error_mapper.is_some() {
                        return Err(self.map_error(&resp, &req));
                    }
                    return Err(auth_error(
                        &resp,
                        creds.map_or(0, |c| c.key_count()),
                        req.what,
                    ));
                }
                Ok((resp, _)) => {
                    if let Some(c) = creds {
                        c.accepted(slot, role_slot);
                    }
                    let err = self.map_error(&resp, &req);
                    let retryable = resp.status == StatusCode::TOO_MANY_REQUESTS
                        || (req.idempotent && resp.status.is_server_error());
                    if !retryable || attempt + 1 >= cfg.max_attempts {
                        return Err(err);
                    }
                    match err.retry_after() {
                        Some(after) if after > Duration::from_secs(cfg.max_retry_after_s) => {
                            return Err(err)
                        }
                        Some(after) => after,
                        None => self.backoff(attempt),
                    }
                }
                Err((err, never_sent)) => {
                    let retryable = err.is_retryable() && (req.idempotent || never_sent);
                    if !retryable || attempt + 1 >= cfg.max_attempts {
                        if !req.idempotent && !never_sent && err.is_retryable() {
                            return Err(outcome_unknown(err, req.what));
                        }
                        return Err(err);
                    }
                    self.backoff(attempt)
                }
            };
            tracing::debug!(
                what = req.what,
                attempt = attempt + 1,
                delay_ms = retry_delay.as_millis() as u64,
                "retrying"
            );
            tokio::time::sleep(retry_delay).await;
            attempt += 1;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let cfg = &self.settings.config;
        let cap = cfg
            .backoff_base_ms
            .saturating_mul(1u64 << attempt.min(20))
            .min(cfg.backoff_max_ms);
        Duration::from_millis(rand::random_range(0..=cap.max(1)))
    }

    /// One HTTP exchange. Transport failures come back with a flag saying whether the request
    /// certainly never reached the server.
    ///
    /// Where it runs: inside a blocking call, on the calling thread with that thread's own pool;
    /// on the shared runtime's threads (Node, async users' spawned exchanges), inline with the
    /// shared pool; from any other runtime (an async Rust caller's own), spawned onto the shared
    /// runtime, so pooled connections always belong to a runtime that outlives them (a caller's
    /// short-lived runtime would otherwise leave dead connections in the pool).
    async fn attempt(
        &self,
        req: &Request,
        auth_headers: Vec<(http::HeaderName, http::HeaderValue)>,
        target: Option<&std::fs::File>,
        held: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> std::result::Result<(Response, Option<FileSink>), (Error, bool)> {
        // At most `max_requests_per_origin` exchanges in flight per origin; the wait for a slot
        // happens before anything is built or counted against the timeout.
        let _permit = match held {
            Some(p) => p,
            None => self.slot(&req.url).await.map_err(|e| (e, true))?,
        };
        let mode = if crate::runtime::on_calling_thread() {
            match local_http_client(&self.settings).map_err(|e| (e, true))? {
                Some(http) => Mode::Inline(http, true),
                None => Mode::Spawn(http_client(&self.settings).map_err(|e| (e, true))?),
            }
        } else if crate::runtime::on_shared_runtime() {
            Mode::Inline(http_client(&self.settings).map_err(|e| (e, true))?, false)
        } else {
            Mode::Spawn(http_client(&self.settings).map_err(|e| (e, true))?)
        };
        let (http, inline_io) = match &mode {
            Mode::Inline(h, calling) => (h.clone(), *calling),
            Mode::Spawn(h) => (h.clone(), false),
        };
        let request = self.build_request(req, auth_headers, inline_io).await?;
        let sink = match target {
            Some(file) => Some(FileSink::new(file, inline_io).map_err(|e| (e, true))?),
            None => None,
        };
        let limits = Limits {
            request_timeout: Duration::from_millis(self.settings.config.request_timeout_ms),
            min_rate: self.settings.config.min_transfer_bytes_per_s.max(1),
            sent: req.body.len(),
        };
        let what = req.what;
        let url = req.url.clone();
        match mode {
            // Boxed, like `send`: a request waiting for a slot holds none of this state.
            Mode::Inline(..) => Box::pin(exchange(http, request, what, url, limits, sink)).await,
            Mode::Spawn(_) => {
                let task = crate::runtime::spawn(async move {
                    exchange(http, request, what, url, limits, sink).await
                });
                AbortOnDrop(task).await
            }
        }
    }

    /// A request slot for `url`'s origin (see [`origin_slots`]).
    async fn slot(&self, url: &Url) -> Result<tokio::sync::OwnedSemaphorePermit> {
        let slots = if self.is_own_origin(url) {
            let pid = crate::runtime::pid();
            match self.own_slots.get() {
                Some((p, s)) if *p == pid => s.clone(),
                Some(_) => origin_slots(&self.settings, url)?,
                None => {
                    let s = origin_slots(&self.settings, url)?;
                    let _ = self.own_slots.set((pid, s.clone()));
                    s
                }
            }
        } else {
            origin_slots(&self.settings, url)?
        };
        if let Ok(permit) = slots.clone().try_acquire_owned() {
            return Ok(permit);
        }
        slots
            .acquire_owned()
            .await
            .map_err(|_| Error::internal("request slots closed"))
    }

    /// The HTTP request of `req`. File bodies are read inline when the exchange runs on the
    /// calling thread (`inline_io`), through the runtime's blocking pool otherwise.
    async fn build_request(
        &self,
        req: &Request,
        auth_headers: Vec<(http::HeaderName, http::HeaderValue)>,
        inline_io: bool,
    ) -> std::result::Result<http::Request<OutBody>, (Error, bool)> {
        use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};
        let uri = http::Uri::try_from(req.url.as_str()).map_err(|e| {
            (
                Error::internal(format!("{}: unusable URL: {e}", req.what)),
                true,
            )
        })?;
        // A request's own Accept / Content-Type (e.g. OneSpan's `esl-api-version` media-type
        // parameter) replaces the default instead of being sent next to it.
        let own = |name: &http::HeaderName| req.headers.iter().any(|(n, _)| n == name);
        let (body, content_type) = match &req.body {
            Body::Empty => (OutBody::empty(), None),
            Body::Form(b) => (
                OutBody::full(b.clone()),
                Some(http::HeaderValue::from_static(
                    "application/x-www-form-urlencoded",
                )),
            ),
            Body::Json(b) => (
                OutBody::full(b.clone()),
                (!own(&CONTENT_TYPE)).then(|| http::HeaderValue::from_static("application/json")),
            ),
            Body::Parts(parts) => {
                let mut form = MultipartWriter::new();
                for p in parts {
                    form.part(
                        p.name,
                        p.file_name.as_deref(),
                        p.content_type.as_deref(),
                        Segment::Bytes(p.data.clone()),
                        p.data.len() as u64,
                    );
                }
                form.finish()
            }
            Body::Multipart {
                field,
                file_name,
                content_type,
                data,
            } => {
                let mut form = MultipartWriter::new();
                form.part(
                    field,
                    Some(file_name),
                    Some(content_type),
                    Segment::Bytes(data.clone()),
                    data.len() as u64,
                );
                form.finish()
            }
            Body::FileMultipart {
                field,
                file_name,
                content_type,
                path,
                len,
            } => {
                let file = FileBody::open(path.clone(), *len, inline_io)
                    .await
                    .map_err(|e| (e, true))?;
                let mut form = MultipartWriter::new();
                form.part(
                    field,
                    Some(file_name),
                    Some(content_type),
                    Segment::File(file),
                    *len,
                );
                form.finish()
            }
        };
        let content_length = match &body {
            OutBody::Chain { remaining, .. } => Some(http::HeaderValue::from(*remaining)),
            _ => None,
        };
        let mut request = http::Request::new(body);
        *request.method_mut() = req.method.clone();
        *request.uri_mut() = uri;
        let headers = request.headers_mut();
        headers.insert(USER_AGENT, self.settings.user_agent.clone());
        if !own(&ACCEPT) {
            headers.insert(
                ACCEPT,
                http::HeaderValue::from_static(
                    "application/json, application/pdf;q=0.9, */*;q=0.1",
                ),
            );
        }
        for (name, value) in auth_headers.into_iter().chain(req.headers.iter().cloned()) {
            headers.append(name, value);
        }
        if let Some(ct) = content_type {
            headers.append(CONTENT_TYPE, ct);
        }
        if let Some(len) = content_length {
            headers.insert(CONTENT_LENGTH, len);
        }
        Ok(request)
    }

    /// Download what `req` answers straight into the file at `path`, never holding it in memory:
    /// the body is written to a temporary file beside `path` while its md5 is computed; `check`
    /// then looks at the result (e.g. compares the md5 with the one the provider reported), and
    /// only when it passes is the file flushed to disk and renamed to `path`. On any error
    /// nothing is left at `path` (an existing file there is untouched) and the temporary file
    /// is removed. Retries, credentials and error mapping are those of [`send`](Self::send).
    pub(crate) async fn download_to_file(
        &self,
        req: Request,
        path: &Path,
        check: impl FnOnce(&Downloaded) -> Result<()>,
    ) -> Result<Downloaded> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let tmp = crate::runtime::blocking_io(move || {
            tempfile::Builder::new()
                .prefix(".signbridge-")
                .suffix(".part")
                .tempfile_in(&dir)
                .map_err(|e| Error::io("create a temporary file in", &dir, e))
        })
        .await?;
        let outcome = match self.send_to(req, Some(tmp.as_file()), None).await {
            Ok((resp, Some(sink))) => sink.finish(resp).await,
            Ok((_, None)) => Err(Error::internal("the download produced no file")),
            Err(e) => Err(e),
        };
        let done = match outcome.and_then(|d| check(&d).map(|()| d)) {
            Ok(d) => d,
            Err(e) => {
                // Removing the temporary file is file-system work like any other.
                let _ = crate::runtime::blocking_io(move || {
                    drop(tmp);
                    Ok(())
                })
                .await;
                return Err(e);
            }
        };
        let path = path.to_path_buf();
        crate::runtime::blocking_io(move || {
            tmp.as_file()
                .sync_all()
                .map_err(|e| Error::io("write", tmp.path(), e))?;
            tmp.persist(&path)
                .map_err(|e| Error::io("move the download into", &path, e.error))?;
            Ok(())
        })
        .await?;
        Ok(done)
    }
}

/// Where an exchange runs (see [`Transport::attempt`]).
enum Mode {
    /// On the current thread: the calling thread's own pool (`true`) or the shared pool.
    Inline(HttpClient, bool),
    /// Spawned onto the shared runtime, with the shared pool.
    Spawn(HttpClient),
}

/// The time limits of one exchange (see [`TransportConfig`]).
#[derive(Clone, Copy)]
struct Limits {
    request_timeout: Duration,
    min_rate: u64,
    /// Bytes of the request body.
    sent: u64,
}

impl Limits {
    /// The time `bytes` need at the minimum transfer rate.
    fn allowance(&self, bytes: u64) -> Duration {
        Duration::from_secs_f64(bytes as f64 / self.min_rate as f64)
    }

    /// When an exchange started at `start` times out, `received` bytes of the answer expected.
    fn deadline(&self, start: tokio::time::Instant, received: u64) -> tokio::time::Instant {
        start + self.request_timeout + self.allowance(self.sent.saturating_add(received))
    }
}

/// Aborts the spawned exchange when the caller stops waiting for it.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> std::future::Future for AbortOnDrop<std::result::Result<T, (Error, bool)>> {
    type Output = std::result::Result<T, (Error, bool)>;
    fn poll(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        std::pin::Pin::new(&mut self.0).poll(cx).map(|r| match r {
            Ok(v) => v,
            Err(e) => Err((
                Error::new(
                    if e.is_panic() {
                        ErrorCode::Panic
                    } else {
                        ErrorCode::Aborted
                    },
                    format!("the HTTP exchange task ended early: {e}"),
                ),
                false,
            )),
        })
    }
}

fn timeout_error(what: &str, url: &Url, after: Duration) -> Error {
    let host = url.host_str().unwrap_or("?");
    let port = url.port_or_known_default().unwrap_or(0);
    Error::new(
        ErrorCode::Timeout,
        format!(
            "{what}: timed out after {:.1} s ({host}:{port}); allow more time with \
             transport.request_timeout_ms (or, for large transfers, a lower \
             transport.min_transfer_bytes_per_s)",
            after.as_secs_f64()
        ),
    )
}

async fn exchange(
    http: HttpClient,
    request: http::Request<OutBody>,
    what: &'static str,
    url: Url,
    limits: Limits,
    mut sink: Option<FileSink>,
) -> std::result::Result<(Response, Option<FileSink>), (Error, bool)> {
    let start = tokio::time::Instant::now();
    // One timer for the whole exchange, moved later as the answer's size becomes known.
    let timer = tokio::time::sleep_until(limits.deadline(start, 0));
    tokio::pin!(timer);
    let sent = tokio::select! {
        biased;
        r = http.client.request(request) => r,
        () = &mut timer => return Err((timeout_error(what, &url, start.elapsed()), false)),
    };
    let mut resp = match sent {
        Ok(r) => r,
        Err(e) => {
            let err = transport_error(&e, e.is_connect(), false, what, &url);
            // A proxy failure is already explained: the provider was never reached.
            if url.scheme() == "https"
                && err.code() == ErrorCode::Network
                && proxy::find_failure(&e).is_none()
            {
                // Boxed: only this error path needs the (large) handshake future.
                if let Some(reason) =
                    Box::pin(diagnose_tls(http.tls.clone(), http.route.clone(), &url)).await
                {
                    // The TLS layer refused us: the request was never processed.
                    return Err((
                        Error::new(
                            ErrorCode::Tls,
                            format!(
                                "{what}: the TLS server refused the connection ({reason}); if \
                                 it requires two-way TLS, configure the client certificate it \
                                 trusts (client_cert) — and check transport.ca_file for the \
                                 server's CA"
                            ),
                        ),
                        true,
                    ));
                }
            }
            return Err((err, e.is_connect() || not_processed(&e)));
        }
    };
    let status = resp.status();
    let headers = std::mem::take(resp.headers_mut());
    let mut incoming = resp.into_body();
    if status.is_redirection() {
        return Err((
            Error::protocol(format!(
                "{what} was answered with a redirect (HTTP {}); redirects are not followed so \
                 credentials cannot leak; check the configured base URL",
                status.as_u16()
            ))
            .with_http_status(status.as_u16()),
            false,
        ));
    }
    // Only a successful answer goes to the file; an error answer is read for its details.
    let to_file = status.is_success() && sink.is_some();
    let limit = if to_file {
        MAX_FILE_BYTES
    } else {
        MAX_BODY_BYTES as u64
    };
    // The length as hyper frames the body (a Content-Length header beside chunked encoding, or
    // on an answer without a body, is not the length).
    let expected = http_body::Body::size_hint(&incoming).exact();
    if let Some(len) = expected {
        if len > limit {
            return Err((
                Error::protocol(format!(
                    "the answer to {what} is {len} bytes, more than the {limit} accepted"
                )),
                false,
            ));
        }
    }
    // A small answer usually arrives as one chunk: it is kept as is, not copied.
    let mut first: Option<Bytes> = None;
    let mut body = Vec::new();
    let mut received = 0u64;
    loop {
        let deadline = limits.deadline(start, expected.unwrap_or(0).max(received));
        // The timer's resolution is a millisecond: smaller moves are not worth a reset.
        if deadline >= timer.deadline() + Duration::from_millis(1) {
            timer.as_mut().reset(deadline);
        }
        let chunk = tokio::select! {
            biased;
            c = http_body_util::BodyExt::frame(&mut incoming) => c,
            () = &mut timer => return Err((timeout_error(what, &url, start.elapsed()), false)),
        };
        let chunk = match chunk {
            Some(Ok(frame)) => match frame.into_data() {
                Ok(data) => data,
                // Trailers carry nothing the calls use.
                Err(_) => continue,
            },
            None => break,
            Some(Err(e)) => return Err((transport_error(&e, false, true, what, &url), false)),
        };
        received += chunk.len() as u64;
        if received > limit {
            return Err((
                Error::protocol(format!("the answer to {what} exceeds {limit} bytes")),
                false,
            ));
        }
        match (&mut sink, to_file) {
            (Some(s), true) => s.write(&chunk).await.map_err(|e| (e, false))?,
            _ => match first.take() {
                None if body.is_empty() => first = Some(chunk),
                None => body.extend_from_slice(&chunk),
                Some(f) => {
                    body.reserve(f.len() + chunk.len());
                    body.extend_from_slice(&f);
                    body.extend_from_slice(&chunk);
                }
            },
        }
    }
    let body = match first {
        Some(f) => f,
        None => Bytes::from(body),
    };
    Ok((
        Response {
            status,
            headers,
            body,
        },
        sink.filter(|_| to_file),
    ))
}

/// A non-idempotent request failed after it may have reached the provider: resending could
/// create a second resource, so the caller must look first.
fn outcome_unknown(err: Error, what: &str) -> Error {
    Error::new(
        ErrorCode::OutcomeUnknown,
        format!(
            "{what}: the request may or may not have been carried out ({}); it was not resent \
             so nothing is created twice. Look it up (e.g. by your relay_state) before trying again",
            err.message()
        ),
    )
}

fn check_base_url(base: &Url) -> Result<()> {
    match base.scheme() {
        "https" => {}
        "http" => {
            let loopback = match base.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
                Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(Error::invalid_config(format!(
                    "base URL {base} uses plain http to a non-loopback host; credentials would \
                     travel unencrypted. Use https:// (plain http is only allowed for the local \
                     simulator on 127.0.0.1/localhost)"
                )));
            }
        }
        other => {
            return Err(Error::invalid_config(format!(
                "base URL {base} has scheme {other:?}; use https://"
            )))
        }
    }
    if !base.username().is_empty() || base.password().is_some() {
        return Err(Error::invalid_config(
            "the base URL must not contain a user name or password; put credentials in the \
             credential fields",
        ));
    }
    if base.query().is_some() {
        return Err(Error::invalid_config(
            "the base URL must not contain a query string (never put keys in URLs)",
        ));
    }
    Ok(())
}

fn parse_certs(pem: &[u8], field: &str) -> Result<Vec<CertificateDer<'static>>> {
    let mut out = Vec::new();
    for c in CertificateDer::pem_slice_iter(pem) {
        out.push(c.map_err(|e| {
            Error::invalid_config(format!("{field} holds an unreadable PEM certificate: {e}"))
        })?);
    }
    if out.is_empty() {
        return Err(Error::invalid_config(format!(
            "{field} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)"
        )));
    }
    Ok(out)
}

/// hyper's pooled client: HTTP/1.1, and HTTP/2 where a TLS server offers it (ALPN); TCP
/// direct or through the proxy ([`proxy::Route`]).
type HyperClient = hyper_util::client::legacy::Client<
    ConnectTimeout<hyper_rustls::HttpsConnector<proxy::Route>>,
    OutBody,
>;

/// A connector whose whole connection set-up — name resolution, TCP and TLS handshake — must
/// finish within `timeout` (`transport.connect_timeout_ms`). Expiry is an `io::ErrorKind::TimedOut`
/// connect error: the request was certainly not sent, and it maps to [`ErrorCode::Timeout`]; its
/// text names the proxy when the connection went through one (it may be the cause).
#[derive(Clone)]
struct ConnectTimeout<C> {
    inner: C,
    timeout: Duration,
    route: proxy::Route,
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<C> tower_service::Service<http::Uri> for ConnectTimeout<C>
where
    C: tower_service::Service<http::Uri>,
    C::Error: Into<BoxError>,
    C::Future: Send + 'static,
{
    type Response = C::Response;
    type Error = BoxError;
    type Future = Pin<
        Box<dyn std::future::Future<Output = std::result::Result<C::Response, BoxError>> + Send>,
    >;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<std::result::Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let via = self.route.proxy_for(&uri).map(|p| {
            format!(
                " through the HTTPS proxy {p} (check that it is reachable, and transport.proxy / \
                 HTTPS_PROXY)"
            )
        });
        let connecting = self.inner.call(uri);
        let timeout = self.timeout;
        Box::pin(async move {
            match tokio::time::timeout(timeout, connecting).await {
                Ok(r) => r.map_err(Into::into),
                Err(_) => Err(Box::new(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "connecting (name resolution, TCP and TLS) took longer than {} ms{}",
                        timeout.as_millis(),
                        via.unwrap_or_default()
                    ),
                )) as BoxError),
            }
        })
    }
}

/// A pooled HTTP client and the TLS configuration and route it was built with (kept for
/// diagnosis).
#[derive(Clone)]
struct HttpClient {
    client: HyperClient,
    tls: Arc<rustls::ClientConfig>,
    route: proxy::Route,
}

/// The shared pool: one HTTP client per distinct TLS configuration per process, used on the
/// shared runtime (a forked child builds its own: a client's pooled connections belong to the
/// runtime that opened them).
fn http_client(settings: &Settings) -> Result<HttpClient> {
    type Cache = Option<(u32, HashMap<u64, HttpClient>)>;
    static CLIENTS: Mutex<Cache> = Mutex::new(None);
    let pid = crate::runtime::pid();
    let mut guard = CLIENTS.lock().unwrap_or_else(|p| p.into_inner());
    if guard.as_ref().map(|(p, _)| *p) != Some(pid) {
        *guard = Some((pid, HashMap::new()));
    }
    let Some((_, map)) = guard.as_mut() else {
        return Err(Error::internal("client cache unavailable"));
    };
    if let Some(c) = map.get(&settings.client_key) {
        return Ok(c.clone());
    }
    let tls = Arc::new(tls_config(settings)?);
    let max_idle = settings.config.max_requests_per_origin as usize;
    let (client, route) = build_client(settings, &tls, max_idle)?;
    let c = HttpClient { client, tls, route };
    map.insert(settings.client_key, c.clone());
    Ok(c)
}

thread_local! {
    /// A calling thread's own pool: one HTTP client per TLS configuration, used only from
    /// this thread's runtime (`runtime::block_on`), with the pid it was built in.
    static LOCAL_CLIENTS: RefCell<Option<(u32, HashMap<u64, HttpClient>)>> =
        const { RefCell::new(None) };
}

/// This thread's own client for `settings` (see `runtime.rs`): hyper spawns each connection's
/// task on the runtime that opened it, so a connection of this pool is only ever used from this
/// thread's runtime. At most [`LOCAL_MAX_IDLE_PER_HOST`] idle connections per origin are kept,
/// each for at most [`POOL_IDLE_TIMEOUT`] (checked when the thread next makes a call); they are
/// closed when the thread exits. `None` while the thread is being torn down.
fn local_http_client(settings: &Settings) -> Result<Option<HttpClient>> {
    let pid = crate::runtime::pid();
    let found = LOCAL_CLIENTS.try_with(|slot| {
        let Ok(mut slot) = slot.try_borrow_mut() else {
            return Ok(None);
        };
        if slot.as_ref().map(|(p, _)| *p) != Some(pid) {
            if let Some(inherited) = slot.take() {
                // Built by the parent process: its sockets are the parent's too.
                std::mem::forget(inherited);
            }
            *slot = Some((pid, HashMap::new()));
        }
        let Some((_, map)) = slot.as_mut() else {
            return Ok(None);
        };
        if let Some(c) = map.get(&settings.client_key) {
            return Ok(Some(c.clone()));
        }
        // The TLS configuration (and its session cache) is the shared pool's.
        let tls = http_client(settings)?.tls;
        let (client, route) = build_client(settings, &tls, LOCAL_MAX_IDLE_PER_HOST)?;
        let c = HttpClient { client, tls, route };
        map.insert(settings.client_key, c.clone());
        Ok(Some(c))
    });
    found.unwrap_or(Ok(None))
}

fn tls_config(settings: &Settings) -> Result<rustls::ClientConfig> {
    let mut roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for cert in &settings.ca_certs {
        roots.add(cert.clone()).map_err(|e| {
            Error::invalid_config(format!("a configured CA certificate is not usable: {e}"))
        })?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::internal(format!("TLS setup failed: {e}")))?
        .with_root_certificates(roots);
    let mut tls = match &settings.identity {
        Some(id) => tls
            .with_client_auth_cert(id.certs.clone(), id.key.clone_key())
            .map_err(|e| {
                Error::invalid_config(format!(
                    "the client certificate and key do not form a usable identity: {e}"
                ))
            })?,
        None => tls.with_no_client_auth(),
    };
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(tls)
}

fn build_client(
    settings: &Settings,
    tls: &rustls::ClientConfig,
    max_idle_per_host: usize,
) -> Result<(HyperClient, proxy::Route)> {
    use hyper_util::rt::{TokioExecutor, TokioTimer};
    let connect_timeout = Duration::from_millis(settings.config.connect_timeout_ms);
    let mut tcp = hyper_util::client::legacy::connect::HttpConnector::new();
    tcp.enforce_http(false);
    tcp.set_nodelay(true);
    tcp.set_connect_timeout(Some(connect_timeout));
    // Pooled connections are kept for up to 90 s: keepalive probes find one that a NAT or load
    // balancer dropped meanwhile, and unacknowledged data gives up after 30 s instead of waiting
    // for the request deadline.
    tcp.set_keepalive(Some(Duration::from_secs(15)));
    tcp.set_keepalive_interval(Some(Duration::from_secs(15)));
    tcp.set_keepalive_retries(Some(3));
    #[cfg(any(target_os = "android", target_os = "fuchsia", target_os = "linux"))]
    tcp.set_tcp_user_timeout(Some(Duration::from_secs(30)));
    // Direct, or a CONNECT tunnel through the proxy for https destinations.
    let route = proxy::Route::new(tcp, settings.proxy.as_ref());
    // The connector sets ALPN itself (h2, http/1.1) from the versions enabled below.
    let mut tls = tls.clone();
    tls.alpn_protocols.clear();
    // Plain http is only ever reached for loopback base URLs (`check_base_url`).
    let connector = hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(tls)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(route.clone());
    Ok((
        hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_max_idle_per_host(max_idle_per_host)
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(ConnectTimeout {
                inner: connector,
                timeout: connect_timeout,
                route: route.clone(),
            }),
        route,
    ))
}

/// Whether two http(s) URLs have the same origin (scheme, host, port), as `Url::origin` equality
/// but without allocating. Other schemes have opaque origins, equal to nothing.
fn same_origin(a: &Url, b: &Url) -> bool {
    matches!(a.scheme(), "http" | "https")
        && a.scheme() == b.scheme()
        && a.host() == b.host()
        && a.port_or_known_default() == b.port_or_known_default()
}

/// The request slots of `url`'s origin: at most `max_requests_per_origin` exchanges at once per
/// process and TLS configuration (all threads and runtimes together). A forked child starts
/// with free slots (the parent's holders do not exist there).
fn origin_slots(settings: &Settings, url: &Url) -> Result<Arc<tokio::sync::Semaphore>> {
    type Slots = Option<(u32, HashMap<(u64, u64), Arc<tokio::sync::Semaphore>>)>;
    static SLOTS: Mutex<Slots> = Mutex::new(None);
    let pid = crate::runtime::pid();
    let mut guard = SLOTS.lock().unwrap_or_else(|p| p.into_inner());
    if guard.as_ref().map(|(p, _)| *p) != Some(pid) {
        *guard = Some((pid, HashMap::new()));
    }
    let Some((_, map)) = guard.as_mut() else {
        return Err(Error::internal("request slot table unavailable"));
    };
    // The origin, hashed (two origins sharing a hash would only share their bound).
    let mut h = std::collections::hash_map::DefaultHasher::new();
    (url.scheme(), url.host(), url.port_or_known_default()).hash(&mut h);
    let key = (settings.client_key, h.finish());
    Ok(map
        .entry(key)
        .or_insert_with(|| {
            Arc::new(tokio::sync::Semaphore::new(
                settings.config.max_requests_per_origin as usize,
            ))
        })
        .clone())
}

/// A streamed upload body: `len` bytes of a file, read in chunks as the connection takes them.
struct FileBody {
    source: FileSource,
    path: PathBuf,
    remaining: u64,
}

enum FileSource {
    /// Read with plain blocking reads: the exchange runs on the blocked calling thread.
    Inline(std::fs::File),
    /// Read through the runtime's blocking pool.
    Async(tokio::fs::File),
}

impl FileBody {
    async fn open(path: PathBuf, len: u64, inline_io: bool) -> Result<FileBody> {
        let opened = path.clone();
        let file = if inline_io {
            open_sized(&opened, len)?
        } else {
            crate::runtime::blocking_io(move || open_sized(&opened, len)).await?
        };
        Ok(FileBody {
            source: if inline_io {
                FileSource::Inline(file)
            } else {
                FileSource::Async(tokio::fs::File::from_std(file))
            },
            path,
            remaining: len,
        })
    }

    fn shrank(&self) -> std::io::Error {
        std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            format!(
                "{} became shorter while it was being uploaded",
                self.path.display()
            ),
        )
    }
}

/// Open `path` for reading and check it still has `len` bytes.
fn open_sized(path: &Path, len: u64) -> Result<std::fs::File> {
    let file = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let now = file
        .metadata()
        .map_err(|e| Error::io("read", path, e))?
        .len();
    if now != len {
        return Err(Error::new(
            ErrorCode::InvalidDocument,
            format!(
                "{} changed while it was being uploaded ({len} bytes, now {now}); upload it \
                 again once it is complete",
                path.display()
            ),
        ));
    }
    Ok(file)
}

impl http_body::Body for FileBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, std::io::Error>>> {
        use std::io::Read as _;
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = (FILE_CHUNK as u64).min(this.remaining) as usize;
        let mut buf = vec![0u8; want];
        let n = match &mut this.source {
            FileSource::Inline(f) => match f.read(&mut buf) {
                Ok(n) => n,
                Err(e) => return Poll::Ready(Some(Err(e))),
            },
            FileSource::Async(f) => {
                let mut rb = tokio::io::ReadBuf::new(&mut buf);
                match tokio::io::AsyncRead::poll_read(Pin::new(f), cx, &mut rb) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                    Poll::Ready(Ok(())) => rb.filled().len(),
                }
            }
        };
        if n == 0 {
            return Poll::Ready(Some(Err(this.shrank())));
        }
        buf.truncate(n);
        this.remaining -= n as u64;
        Poll::Ready(Some(Ok(http_body::Frame::data(Bytes::from(buf)))))
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.remaining)
    }
}

/// The body of an outgoing request: nothing, bytes already in memory, or a sequence of
/// segments (a multipart form whose file part may stream from disk).
enum OutBody {
    /// Bytes sent in one frame (`None` once sent, or for no body).
    Full(Option<Bytes>),
    /// Segments sent in order; `remaining` bytes in all.
    Chain {
        segments: std::collections::VecDeque<Segment>,
        remaining: u64,
    },
}

/// One piece of an [`OutBody::Chain`].
enum Segment {
    Bytes(Bytes),
    File(FileBody),
}

impl OutBody {
    fn empty() -> OutBody {
        OutBody::Full(None)
    }

    fn full(b: Bytes) -> OutBody {
        OutBody::Full((!b.is_empty()).then_some(b))
    }
}

impl http_body::Body for OutBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<std::result::Result<http_body::Frame<Bytes>, std::io::Error>>> {
        match self.get_mut() {
            OutBody::Full(b) => Poll::Ready(b.take().map(|b| Ok(http_body::Frame::data(b)))),
            OutBody::Chain {
                segments,
                remaining,
            } => loop {
                let Some(front) = segments.front_mut() else {
                    return Poll::Ready(None);
                };
                let frame = match front {
                    Segment::Bytes(b) => {
                        let b = std::mem::take(b);
                        segments.pop_front();
                        if b.is_empty() {
                            continue;
                        }
                        Ok(http_body::Frame::data(b))
                    }
                    Segment::File(f) => match Pin::new(f).poll_frame(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(None) => {
                            segments.pop_front();
                            continue;
                        }
                        Poll::Ready(Some(r)) => r,
                    },
                };
                if let Ok(f) = &frame {
                    if let Some(d) = f.data_ref() {
                        *remaining = remaining.saturating_sub(d.len() as u64);
                    }
                }
                return Poll::Ready(Some(frame));
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            OutBody::Full(b) => b.is_none(),
            OutBody::Chain { remaining, .. } => *remaining == 0,
        }
    }

    fn size_hint(&self) -> http_body::SizeHint {
        match self {
            OutBody::Full(b) => {
                http_body::SizeHint::with_exact(b.as_ref().map_or(0, |b| b.len() as u64))
            }
            OutBody::Chain { remaining, .. } => http_body::SizeHint::with_exact(*remaining),
        }
    }
}

/// A `multipart/form-data` body (RFC 7578) built part by part, as browsers encode it.
struct MultipartWriter {
    boundary: String,
    segments: std::collections::VecDeque<Segment>,
    len: u64,
}

impl MultipartWriter {
    fn new() -> MultipartWriter {
        MultipartWriter {
            boundary: format!(
                "{:016x}-{:016x}-{:016x}-{:016x}",
                rand::random::<u64>(),
                rand::random::<u64>(),
                rand::random::<u64>(),
                rand::random::<u64>()
            ),
            segments: std::collections::VecDeque::new(),
            len: 0,
        }
    }

    fn push(&mut self, seg: Segment, len: u64) {
        self.len += len;
        self.segments.push_back(seg);
    }

    /// A part named `name` (a fixed ASCII field name), with an optional file name and content
    /// type, whose data is `data` (`len` bytes).
    fn part(
        &mut self,
        name: &str,
        file_name: Option<&str>,
        content_type: Option<&str>,
        data: Segment,
        len: u64,
    ) {
        let mut head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{name}\"",
            self.boundary
        );
        if let Some(f) = file_name {
            // Quoted-string escapes, as the field value may hold any character.
            let f = f
                .replace('\\', "\\\\")
                .replace('"', "\\\"")
                .replace('\r', "\\\r")
                .replace('\n', "\\\n");
            head.push_str(&format!("; filename=\"{f}\""));
        }
        if let Some(ct) = content_type {
            let ct: String = ct.chars().filter(|c| !c.is_control()).collect();
            head.push_str(&format!("\r\nContent-Type: {ct}"));
        }
        head.push_str("\r\n\r\n");
        let head = Bytes::from(head);
        let head_len = head.len() as u64;
        self.push(Segment::Bytes(head), head_len);
        self.push(data, len);
        self.push(Segment::Bytes(Bytes::from_static(b"\r\n")), 2);
    }

    /// The body and its `Content-Type`.
    fn finish(mut self) -> (OutBody, Option<http::HeaderValue>) {
        let tail = Bytes::from(format!("--{}--\r\n", self.boundary));
        let tail_len = tail.len() as u64;
        self.push(Segment::Bytes(tail), tail_len);
        let content_type =
            http::HeaderValue::try_from(format!("multipart/form-data; boundary={}", self.boundary))
                .ok();
        (
            OutBody::Chain {
                segments: self.segments,
                remaining: self.len,
            },
            content_type,
        )
    }
}

/// A downloaded answer streamed into a file ([`Transport::download_to_file`]).
pub(crate) struct Downloaded {
    /// The answer's status.
    #[allow(dead_code)]
    pub status: StatusCode,
    /// The answer's headers (e.g. `Content-Disposition`).
    #[allow(dead_code)]
    pub headers: HeaderMap,
    /// Bytes written.
    pub len: u64,
    /// The md5 of the bytes written.
    pub md5: [u8; 16],
    /// The first bytes (up to 1 KiB), for content checks.
    #[allow(dead_code)]
    pub head: Vec<u8>,
    /// The last bytes (up to 1 KiB), for content checks.
    #[allow(dead_code)]
    pub tail: Vec<u8>,
}

/// Bytes of the start and of the end of a download kept for content checks.
const SNIFF_BYTES: usize = 1024;

/// Where one attempt writes a streamed download: the temporary file (truncated first), with the
/// md5 computed as the bytes go by.
pub(crate) struct FileSink {
    file: SinkFile,
    md5: md5::Md5,
    len: u64,
    head: Vec<u8>,
    tail: Vec<u8>,
}

enum SinkFile {
    /// Plain blocking writes: the exchange runs on the blocked calling thread.
    Inline(std::fs::File),
    /// Writes through the runtime's blocking pool (buffered, at most one write in flight).
    Async(tokio::fs::File),
}

impl FileSink {
    fn new(file: &std::fs::File, inline_io: bool) -> Result<FileSink> {
        use md5::Digest as _;
        use std::io::Seek as _;
        let mut file = file
            .try_clone()
            .map_err(|e| Error::internal(format!("cannot reopen the download file: {e}")))?;
        file.set_len(0)
            .and_then(|()| file.rewind())
            .map_err(|e| Error::internal(format!("cannot reset the download file: {e}")))?;
        Ok(FileSink {
            file: if inline_io {
                SinkFile::Inline(file)
            } else {
                SinkFile::Async(tokio::fs::File::from_std(file))
            },
            md5: md5::Md5::new(),
            len: 0,
            head: Vec::new(),
            tail: Vec::new(),
        })
    }

    async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        use md5::Digest as _;
        let written = match &mut self.file {
            SinkFile::Inline(f) => std::io::Write::write_all(f, chunk),
            SinkFile::Async(f) => tokio::io::AsyncWriteExt::write_all(f, chunk).await,
        };
        written.map_err(|e| {
            Error::new(
                ErrorCode::Io,
                format!("could not write the download to its temporary file: {e}"),
            )
        })?;
        self.md5.update(chunk);
        self.len += chunk.len() as u64;
        if self.head.len() < SNIFF_BYTES {
            let n = (SNIFF_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..n]);
        }
        if chunk.len() >= SNIFF_BYTES {
            self.tail.clear();
            self.tail
                .extend_from_slice(&chunk[chunk.len() - SNIFF_BYTES..]);
        } else {
            self.tail.extend_from_slice(chunk);
            let excess = self.tail.len().saturating_sub(SNIFF_BYTES);
            self.tail.drain(..excess);
        }
        Ok(())
    }

    /// Wait for the last write and describe what was written.
    async fn finish(mut self, resp: Response) -> Result<Downloaded> {
        use md5::Digest as _;
        if let SinkFile::Async(f) = &mut self.file {
            tokio::io::AsyncWriteExt::flush(f).await.map_err(|e| {
                Error::new(
                    ErrorCode::Io,
                    format!("could not write the download to its temporary file: {e}"),
                )
            })?;
        }
        Ok(Downloaded {
            status: resp.status,
            headers: resp.headers,
            len: self.len,
            md5: self.md5.finalize().into(),
            head: self.head,
            tail: self.tail,
        })
    }
}

/// Find out why a TLS server closed the connection without answering. Under TLS 1.3 a server
/// that refuses the client certificate says so with an alert after the handshake, which the HTTP
/// layer only reports as "connection closed". A fresh handshake plus a short read surfaces the
/// alert (or a handshake error) so the caller gets SB_ERR_TLS with the real reason.
///
/// The connection is made like the client's own (`route`: direct or through the proxy).
async fn diagnose_tls(
    tls: Arc<rustls::ClientConfig>,
    mut route: proxy::Route,
    url: &Url,
) -> Option<String> {
    use tokio::io::AsyncReadExt;
    use tower_service::Service;
    let host = url
        .host_str()?
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    let port = url.port_or_known_default()?;
    let name = rustls_pki_types::ServerName::try_from(host).ok()?;
    let dst = http::Uri::builder()
        .scheme("https")
        .authority(format!("{}:{port}", url.host_str()?))
        .path_and_query("/")
        .build()
        .ok()?;
    let fut = async move {
        let tcp = route.call(dst).await.ok()?.into_inner();
        let connector = tokio_rustls::TlsConnector::from(tls);
        let mut stream = match connector.connect(name, tcp).await {
            Ok(s) => s,
            Err(e) => return Some(e.to_string()),
        };
        let mut buf = [0u8; 1];
        match tokio::time::timeout(Duration::from_millis(1500), stream.read(&mut buf)).await {
            Ok(Err(e)) => Some(e.to_string()),
            _ => None,
        }
    };
    tokio::time::timeout(Duration::from_secs(5), fut)
        .await
        .ok()
        .flatten()
}

/// Whether an HTTP/2 server said it did not process the request: a graceful shutdown (GOAWAY
/// with NO_ERROR) or a refused stream (RFC 9113 §8.7). Such a request may be sent again, on a
/// new stream or connection, whatever its method.
fn not_processed(e: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(e), |e| e.source()).any(|e| {
        e.downcast_ref::<h2::Error>().is_some_and(|h| {
            h.is_remote()
                && ((h.is_go_away() && h.reason() == Some(h2::Reason::NO_ERROR))
                    || (h.is_reset() && h.reason() == Some(h2::Reason::REFUSED_STREAM)))
        })
    })
}

/// The error of a failed exchange: `connect` when no connection could be made, `body` when the
/// answer broke off while it was being read.
fn transport_error(
    e: &(dyn std::error::Error + 'static),
    connect: bool,
    body: bool,
    what: &str,
    url: &Url,
) -> Error {
    let host = url.host_str().unwrap_or("?");
    let port = url.port_or_known_default().unwrap_or(0);
    if let Some(failure) = proxy::find_failure(e) {
        return failure.to_error(what, host, port);
    }
    let chain = error_chain(e);
    // Only the causes, never the top-level text, and only where TLS is spoken at all: an id or
    // path with "tls" or "certificate" in it must not turn a reset into a TLS error.
    let causes = e.source().map(error_chain).unwrap_or_default();
    let timed_out = std::iter::successors(Some(e), |e| e.source()).any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
    });
    let (code, kind) = if timed_out {
        (ErrorCode::Timeout, "timed out")
    } else if url.scheme() == "https" && looks_like_tls(&causes) {
        (ErrorCode::Tls, "TLS handshake failed")
    } else if connect {
        (ErrorCode::Network, "could not connect")
    } else if body {
        (
            ErrorCode::Network,
            "connection broke while reading the answer",
        )
    } else {
        (ErrorCode::Network, "request failed")
    };
    Error::new(code, format!("{what}: {kind} ({host}:{port}): {chain}"))
}

fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !parts.iter().any(|p| p.contains(&t)) {
            parts.push(t);
        }
        cur = s.source();
    }
    // The URL is never part of these texts; ours carry no credentials anyway (no userinfo,
    // no query keys: see `check_base_url`).
    parts.join(": ")
}

fn looks_like_tls(chain: &str) -> bool {
    let c = chain.to_ascii_lowercase();
    [
        "certificate",
        "tls",
        "handshake",
        "invalid peer",
        "unknownissuer",
        "alert",
    ]
    .iter()
    .any(|w| c.contains(w))
}

/// The provider's error item, in any of the shapes the contracts document.
#[derive(Debug, Default, Clone, Deserialize)]
pub(crate) struct ProviderError {
    #[serde(default, alias = "error")]
    pub code: Option<String>,
    #[serde(
        default,
        alias = "message",
        alias = "messageKey",
        alias = "error_description"
    )]
    pub description: Option<String>,
}

pub(crate) fn parse_provider_error(body: &[u8]) -> Option<ProviderError> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let v = match v.get("data") {
        Some(d) if d.get("errors").is_some() => d.clone(),
        _ => v,
    };
    if let Some(first) = v
        .get("errors")
        .and_then(|e| e.as_array())
        .and_then(|a| a.first())
    {
        return serde_json::from_value(first.clone()).ok();
    }
    let pe: ProviderError = serde_json::from_value(v).ok()?;
    (pe.code.is_some() || pe.description.is_some()).then_some(pe)
}

/// Map a non-2xx answer onto the error table.
pub(crate) fn error_from_response(resp: &Response, what: &str) -> Error {
    let status = resp.status.as_u16();
    let pe = parse_provider_error(&resp.body).unwrap_or_default();
    let code = match status {
        400 | 422 => ErrorCode::Provider,
        401 => ErrorCode::Auth,
        403 => ErrorCode::Forbidden,
        404 => ErrorCode::NotFound,
        409 => ErrorCode::InvalidState,
        410 => ErrorCode::SessionExpired,
        415 => ErrorCode::InvalidDocument,
        429 => ErrorCode::RateLimited,
        500..=599 => ErrorCode::ProviderUnavailable,
        _ => ErrorCode::Provider,
    };
    let detail = match (&pe.code, &pe.description) {
        (Some(c), Some(d)) => format!("{c}: {d}"),
        (Some(c), None) => c.clone(),
        (None, Some(d)) => d.clone(),
        (None, None) => "no error details in the answer".to_string(),
    };
    let mut err = Error::new(
        code,
        format!(
            "{what} failed with HTTP {status} ({detail}); {}",
            code.message()
        ),
    )
    .with_http_status(status)
    .with_provider(pe.code, pe.description);
    if let Some(after) = retry_after(&resp.headers) {
        err = err.with_retry_after(after);
    }
    err
}

fn auth_error(resp: &Response, keys: usize, what: &str) -> Error {
    let status = resp.status.as_u16();
    let pe = parse_provider_error(&resp.body).unwrap_or_default();
    let tried = match keys {
        0 => "no credentials were sent".to_string(),
        1 => "the configured key was rejected".to_string(),
        n => format!("all {n} configured keys were rejected"),
    };
    Error::new(
        ErrorCode::Auth,
        format!(
            "{what} was refused with HTTP {status} ({}): {tried}. Check SIGNBRIDGE_ZIGNSEC_KEY and \
             SIGNBRIDGE_ZIGNSEC_SECONDARY_KEY (or the config's keys) against the pair the provider \
             issued for this environment, and the key header scheme",
            pe.code.as_deref().unwrap_or("no code")
        ),
    )
    .with_http_status(status)
    .with_provider(pe.code, pe.description)
}

/// Securosys' error code for an invalid API key (`res.error.invalid.api.key`).
pub(crate) const INVALID_API_KEY: i64 = 631;

/// The numeric `errorCode` of a JSON error body (`{"errorCode": 631, ...}`; a numeric string
/// is accepted too).
pub(crate) fn body_error_code(body: &[u8]) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    match v.get("errorCode")? {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn role_keys_exhausted(resp: &Response, c: &Credentials, role: Role, what: &str) -> Error {
    let (n, field) = c
        .roles()
        .map_or((0, String::new()), |r| (r.count(role), r.field(role)));
    let reason = serde_json::from_slice::<serde_json::Value>(&resp.body)
        .ok()
        .and_then(|v| {
            v.get("reason")
                .or_else(|| v.get("message"))
                .and_then(|r| r.as_str().map(str::to_string))
        });
    Error::new(
        ErrorCode::Auth,
        format!(
            "{what} was refused with HTTP 401 (errorCode {INVALID_API_KEY}, invalid API key): all \
             {n} API key(s) of role {role} ({}) are invalid; check {field}",
            role.securosys_name()
        ),
    )
    .with_http_status(resp.status.as_u16())
    .with_provider(Some(INVALID_API_KEY.to_string()), reason)
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    v.parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        let ok = |s: &str| check_base_url(&Url::parse(s).expect("url")).is_ok();
        assert!(ok("https://gateway.zignsec.com"));
        assert!(ok("http://127.0.0.1:8080"));
        assert!(ok("http://localhost:1"));
        assert!(ok("http://[::1]:1"));
        assert!(!ok("http://example.com"));
        assert!(!ok("https://user:pw@example.com"));
        assert!(!ok("https://example.com/?key=1"));
        assert!(!ok("ftp://example.com"));
    }

    #[test]
    fn provider_error_shapes() {
        let e = parse_provider_error(
            br#"{"errors":[{"code":"NOT_FOUND","description":"x","statusCode":404}]}"#,
        )
        .expect("parsed");
        assert_eq!(e.code.as_deref(), Some("NOT_FOUND"));
        let e = parse_provider_error(br#"{"data":{"errors":[{"code":"A"}]}}"#).expect("parsed");
        assert_eq!(e.code.as_deref(), Some("A"));
        let e = parse_provider_error(br#"{"code":"X","message":"m"}"#).expect("parsed");
        assert_eq!(e.description.as_deref(), Some("m"));
        assert!(parse_provider_error(b"<html>").is_none());
    }

    #[test]
    fn origins_are_scheme_host_and_port() {
        let u = |s: &str| Url::parse(s).expect("url");
        let base = u("https://gateway.example.com/api/");
        assert!(same_origin(&u("https://gateway.example.com/x?y"), &base));
        assert!(same_origin(&u("https://GATEWAY.example.com:443/"), &base));
        assert!(!same_origin(&u("http://gateway.example.com/"), &base));
        assert!(!same_origin(&u("https://gateway.example.com:8443/"), &base));
        assert!(!same_origin(
            &u("https://gateway.example.com.evil.test/"),
            &base
        ));
        assert!(!same_origin(
            &u("https://evil.test/gateway.example.com"),
            &base
        ));
        assert!(same_origin(
            &u("http://127.0.0.1:80/"),
            &u("http://127.0.0.1/")
        ));
        assert!(!same_origin(
            &u("http://[::1]:8080/"),
            &u("http://127.0.0.1:8080/")
        ));
        assert!(!same_origin(&u("file:///x"), &u("file:///x")));
        for (a, b) in [
            ("https://a.example/", "https://a.example:443/p"),
            ("https://a.example/", "https://b.example/"),
            ("http://127.0.0.1:1/", "http://127.0.0.1:2/"),
        ] {
            assert_eq!(same_origin(&u(a), &u(b)), u(a).origin() == u(b).origin());
        }
    }

    #[test]
    fn exchanges_can_move_between_threads() {
        // The Node addon and async users spawn operations on multi-thread runtimes.
        fn is_send<T: Send>(_: &T) {}
        let t = Transport::new(
            Url::parse("http://127.0.0.1:9").expect("url"),
            None,
            &TransportConfig::default(),
            None,
        )
        .expect("transport");
        let url = Url::parse("http://127.0.0.1:9/x").expect("url");
        is_send(&t.send(Request::get(url.clone(), "x")));
        is_send(&t.download_to_file(Request::get(url, "x"), Path::new("x"), |_| Ok(())));
    }

    #[test]
    fn size_adds_time_at_the_minimum_rate() {
        let limits = Limits {
            request_timeout: Duration::from_secs(60),
            min_rate: 100_000,
            sent: 50_000_000,
        };
        let t0 = tokio::time::Instant::now();
        assert_eq!(limits.deadline(t0, 0), t0 + Duration::from_secs(560));
        assert_eq!(
            limits.deadline(t0, 10_000_000),
            t0 + Duration::from_secs(660)
        );
        let small = Limits { sent: 0, ..limits };
        assert_eq!(small.deadline(t0, 0), t0 + Duration::from_secs(60));
    }

    #[test]
    fn bad_ca_is_a_config_error() {
        let cfg = TransportConfig {
            ca_pem: Some("not a pem".into()),
            ..TransportConfig::default()
        };
        let e = Transport::new(
            Url::parse("https://x.example").expect("url"),
            None,
            &cfg,
            None,
        )
        .expect_err("refused");
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
    }
}
