//! The one HTTP stack: reqwest on rustls, with what no HTTP library does for us — credential
//! origin pinning, the retry and lost-answer rules per request, key rotation and token refresh,
//! time limits that grow with a transfer's size, streamed downloads checked on the way, and the
//! mapping of HTTP answers and failures onto [`ErrorCode`]s.
//!
//! The floors, each in its module: [`config`] (the settings), [`client`] (one `reqwest::Client`
//! — one connection pool — per TLS configuration per process, TLS, origins), [`request`] (what
//! providers send and get back), [`exchange`] (one exchange and its time limit), [`body`]
//! (streamed uploads and the download sink), [`errors`] (failures and provider answers onto the
//! error table), [`proxy`] (the route of `https` connections).
//!
//! What reqwest does here: connections, pooling (HTTP/1.1 keep-alive, HTTP/2 multiplexing by
//! ALPN), TLS through the given rustls configuration, the proxy tunnel, multipart encoding, the
//! connect timeout, TCP keepalive, and resending a request an HTTP/2 server refused unprocessed
//! (GOAWAY/REFUSED_STREAM). Redirects are off; reqwest's client-wide timeout is not used (the
//! limit of an exchange depends on its size, see [`TransportConfig`]).
//!
//! Rules enforced here, for every provider:
//! - TLS verification is always on. A custom CA can be added to the trusted roots; there is no
//!   switch to turn verification off.
//! - Credentials are attached only to requests whose origin (scheme, host, port) equals the
//!   configured base URL's origin or one of the service's other origins (a provider's documented
//!   set, see [`Transport::with_origins`]). A URL taken from a provider's answer that points
//!   elsewhere is fetched without credentials, and the TLS client certificate is presented only
//!   to the service's origins (other hosts get a client without it). Redirects are never
//!   followed, so a credential cannot be carried
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

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use http::StatusCode;
use url::Url;

use crate::error::{Error, Result};
use crate::scrub::Scrubber;

mod authenticate;
mod body;
mod client;
mod config;
mod errors;
mod exchange;
mod identity;
mod proxy;
mod request;
mod resolve;
mod role;

pub(crate) use authenticate::{Authenticator, HeadersFuture, Refusal, RequestAuth};
pub(crate) use body::Downloaded;
pub(crate) use client::{is_loopback, shown_url};
pub use config::TransportConfig;
#[cfg(feature = "fuzzing")]
pub(crate) use errors::parse_provider_error;
pub(crate) use errors::{body_error_code, error_from_response};
pub use identity::ClientIdentity;
pub(crate) use request::{Body, Part, Request, Response};
pub use resolve::is_link_local_or_metadata;
pub use role::Role;

use body::FileSink;
use client::{http_client, HttpClient, Settings};
use errors::{auth_error, outcome_unknown};
use exchange::{exchange, AbortOnDrop, Exchange, Limits, Outcome};

/// Maps a provider's non-2xx answer onto the error table (`what` the call did, the role it used).
/// Every string it takes from the answer goes through the [`Scrubber`] (the transport's secrets
/// and the credentials the refused request carried) before it is stored in the error.
pub(crate) type ErrorMapper = fn(&Response, &str, Option<Role>, &Scrubber) -> Error;

/// The transport of one provider: its base URL, credentials and settings.
pub(crate) struct Transport {
    base: Url,
    credentials: Option<Arc<dyn Authenticator>>,
    settings: Arc<Settings>,
    /// The settings for origins outside the service: the same, without the client certificate
    /// (`None` when none is configured).
    foreign: Option<Arc<Settings>>,
    /// The service's origins besides the base URL's (credentials and the client certificate go
    /// there too).
    origins: Vec<Url>,
    error_mapper: Option<ErrorMapper>,
    /// Removes the secrets this transport sends from provider text (see [`crate::scrub`]).
    scrubber: Scrubber,
    /// The state of the configured origin, with the pid it was looked up in (looked up once
    /// instead of in the process-wide table on every call).
    own_origin: OnceLock<(u32, Arc<client::Origin>)>,
    /// The pooled client, with the pid it was looked up in (likewise).
    http: OnceLock<(u32, HttpClient)>,
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
        credentials: Option<Arc<dyn Authenticator>>,
        config: &TransportConfig,
        identity: Option<&ClientIdentity>,
    ) -> Result<Transport> {
        client::check_base_url(&base)?;
        let settings = Settings::new(config, identity)?;
        // Build the client now so TLS configuration errors surface at construction.
        http_client(&settings)?;
        let foreign = match identity {
            Some(_) => Some(Arc::new(Settings::new(config, None)?)),
            None => None,
        };
        let scrubber = credentials
            .as_deref()
            .map(Authenticator::scrubber)
            .unwrap_or_default();
        Ok(Transport {
            base,
            credentials,
            settings: Arc::new(settings),
            foreign,
            origins: Vec::new(),
            error_mapper: None,
            scrubber,
            own_origin: OnceLock::new(),
            http: OnceLock::new(),
        })
    }

    /// The service also answers on `origins` (e.g. a provider's documented download host): the
    /// credentials and the client certificate go to them as to the base URL. Each is checked
    /// like a base URL (https, or http to loopback; no user info or query).
    pub(crate) fn with_origins(mut self, origins: Vec<Url>) -> Result<Transport> {
        for o in &origins {
            client::check_base_url(o)?;
        }
        self.origins = origins;
        Ok(self)
    }

    /// Map the provider's error answers with `mapper` instead of the generic mapping.
    pub(crate) fn with_error_mapper(mut self, mapper: ErrorMapper) -> Transport {
        self.error_mapper = Some(mapper);
        self
    }

    /// Also scrub `secrets` from provider text (a token endpoint's transport sends its client
    /// secret in the request, not as configured credentials).
    pub(crate) fn with_secrets(mut self, secrets: &Scrubber) -> Transport {
        self.scrubber.extend(secrets);
        self
    }

    /// The scrubber of this transport's secrets, for provider text read outside an error answer.
    pub(crate) fn scrubber(&self) -> &Scrubber {
        &self.scrubber
    }

    /// The scrubber for the answer to a request that carried the credential headers `sent`.
    fn scrubber_for(&self, sent: &[http::HeaderValue]) -> Scrubber {
        let mut s = self.scrubber.clone();
        for v in sent {
            s.header_value(v);
        }
        s
    }

    fn map_error(&self, resp: &Response, req: &Request, scrub: &Scrubber) -> Error {
        match self.error_mapper {
            Some(m) => m(resp, req.what, req.role, scrub),
            None => error_from_response(resp, req.what, scrub),
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

    /// Whether `url` is on one of the service's origins (and so may carry credentials): the
    /// same scheme, host and port (the default port of the scheme when none is written) as the
    /// base URL or one of [`with_origins`](Self::with_origins).
    pub(crate) fn is_own_origin(&self, url: &Url) -> bool {
        client::same_origin(url, &self.base)
            || self.origins.iter().any(|o| client::same_origin(url, o))
    }

    /// The settings a request to `url` uses: the client certificate only for the service's
    /// origins.
    fn settings_for(&self, url: &Url) -> &Settings {
        match &self.foreign {
            Some(f) if !self.is_own_origin(url) => f,
            _ => &self.settings,
        }
    }

    /// Perform `req` with retries, key rotation and error mapping.
    pub(crate) async fn send(&self, req: Request) -> Result<Response> {
        // The request slot first, then the call's state (kilobytes, boxed): thousands of calls
        // queued for a slot (e.g. polls of thousands of concurrent waits) then hold only a few
        // hundred bytes each, and an operation future that is not sending holds none of it.
        // Not when the credentials may fetch a token first: that fetch needs a slot itself,
        // and holding one while waiting for it could use up every slot.
        let bearer = self.is_own_origin(&req.url)
            && self
                .credentials
                .as_deref()
                .is_some_and(|c| c.fetches_tokens());
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
        // Fails here, before any I/O, when the role's key is missing.
        let mut auth = match creds {
            Some(c) => Some(c.begin(req.role, req.what)?),
            None => None,
        };
        let mut attempt = 0u32;
        let cfg = &self.settings.config;
        loop {
            let auth_headers = match auth.as_mut() {
                Some(a) => a.headers().await?,
                None => Vec::new(),
            };
            // The credentials this attempt carries, so an answer echoing them can be scrubbed.
            let sent: Vec<http::HeaderValue> = auth_headers
                .iter()
                .chain(req.headers.iter())
                .filter(|(_, v)| v.is_sensitive())
                .map(|(_, v)| v.clone())
                .collect();
            let outcome = self.attempt(&req, auth_headers, target, held.take()).await;
            let retry_delay = match outcome {
                Ok((resp, sink)) if resp.status.is_success() => {
                    if let Some(a) = &auth {
                        a.accepted();
                    }
                    return Ok((resp, sink));
                }
                Ok((resp, _))
                    if resp.status == StatusCode::UNAUTHORIZED
                        || resp.status == StatusCode::FORBIDDEN =>
                {
                    let scrub = self.scrubber_for(&sent);
                    if let Some(a) = auth.as_mut() {
                        match a.refused(&resp, req.what, &scrub) {
                            Refusal::Retry => continue,
                            Refusal::Fail(e) => return Err(e),
                            Refusal::Report => {}
                        }
                    }
                    if self.error_mapper.is_some() {
                        return Err(self.map_error(&resp, &req, &scrub));
                    }
                    return Err(auth_error(
                        &resp,
                        creds.map_or(0, |c| c.key_count()),
                        req.what,
                        &scrub,
                    ));
                }
                Ok((resp, _)) => {
                    if let Some(a) = &auth {
                        a.accepted();
                    }
                    let err = self.map_error(&resp, &req, &self.scrubber_for(&sent));
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
    /// Where it runs: inside a blocking call (on the calling thread, which is blocked on it
    /// anyway) and on the shared runtime's threads (Node, async users' spawned work), inline;
    /// from any other runtime (an async Rust caller's own), spawned onto the shared runtime, so
    /// that the connections reqwest opens always belong to a runtime that outlives them (a
    /// caller's short-lived runtime would otherwise leave dead connections in the pool). Either
    /// way it uses the one pool of its TLS configuration.
    async fn attempt(
        &self,
        req: &Request,
        auth_headers: Vec<(http::HeaderName, http::HeaderValue)>,
        target: Option<&std::fs::File>,
        held: Option<tokio::sync::OwnedSemaphorePermit>,
    ) -> Outcome {
        // At most `max_requests_per_origin` exchanges in flight per origin; the wait for a slot
        // happens before anything is built or counted against the timeout.
        let _permit = match held {
            Some(p) => p,
            None => self.slot(&req.url).await.map_err(|e| (e, true))?,
        };
        let route = self.settings.proxy.as_ref();
        if let Some(e) = route.and_then(|r| r.unusable_for(&req.url, req.what)) {
            return Err((e, true));
        }
        let http = if self.is_own_origin(&req.url) {
            self.http()
        } else {
            http_client(self.settings_for(&req.url))
        }
        .map_err(|e| (e, true))?;
        let request = self.build_request(&http.client, req, auth_headers).await?;
        let inline_io = crate::runtime::on_calling_thread();
        let sink = match target {
            Some(file) => Some(FileSink::new(file, inline_io).map_err(|e| (e, true))?),
            None => None,
        };
        let x = Exchange {
            client: http.client,
            tls: http.tls,
            what: req.what,
            url: req.url.clone(),
            limits: Limits {
                request_timeout: Duration::from_millis(self.settings.config.request_timeout_ms),
                min_rate: self.settings.config.min_transfer_bytes_per_s.max(1),
                sent: req.body.len(),
                idle: Duration::from_millis(self.settings.config.read_idle_timeout_ms.max(1)),
            },
            proxy: route
                .and_then(|r| r.proxy_for(&req.url))
                .map(str::to_string),
        };
        let first = if req.body.len() <= client::FIRST_EXCHANGE_MAX_BODY {
            let max_wait = Duration::from_millis(self.settings.config.connect_timeout_ms);
            self.origin(&req.url)
                .map_err(|e| (e, true))?
                .first(max_wait)
                .await
        } else {
            None
        };
        if inline_io || crate::runtime::on_shared_runtime() {
            // Boxed, like `send`: a request waiting for a slot holds none of this state.
            Box::pin(exchange(x, request, sink, first)).await
        } else {
            AbortOnDrop(crate::runtime::spawn(exchange(x, request, sink, first))).await
        }
    }

    /// The pooled client of this transport's TLS configuration (see [`client::http_client`]).
    fn http(&self) -> Result<HttpClient> {
        let pid = crate::runtime::pid();
        match self.http.get() {
            Some((p, c)) if *p == pid => Ok(c.clone()),
            Some(_) => http_client(&self.settings),
            None => {
                let c = http_client(&self.settings)?;
                let _ = self.http.set((pid, c.clone()));
                Ok(c)
            }
        }
    }

    /// The state of `url`'s origin (see [`client::origin`]).
    fn origin(&self, url: &Url) -> Result<Arc<client::Origin>> {
        if !client::same_origin(url, &self.base) {
            return client::origin(self.settings_for(url), url);
        }
        let pid = crate::runtime::pid();
        match self.own_origin.get() {
            Some((p, o)) if *p == pid => Ok(o.clone()),
            Some(_) => client::origin(&self.settings, url),
            None => {
                let o = client::origin(&self.settings, url)?;
                let _ = self.own_origin.set((pid, o.clone()));
                Ok(o)
            }
        }
    }

    /// A request slot for `url`'s origin (see [`client::Origin::slots`]). The wait counts: a
    /// call that gets no slot within `request_timeout_ms` (every slot held by exchanges that do
    /// not end, e.g. a stalled server) is [`ErrorCode::Timeout`], never sent.
    async fn slot(&self, url: &Url) -> Result<tokio::sync::OwnedSemaphorePermit> {
        let slots = self.origin(url)?.slots.clone();
        if let Ok(permit) = slots.clone().try_acquire_owned() {
            return Ok(permit);
        }
        let cfg = &self.settings.config;
        let limit = Duration::from_millis(cfg.request_timeout_ms);
        match tokio::time::timeout(limit, slots.acquire_owned()).await {
            Ok(permit) => permit.map_err(|_| Error::internal("request slots closed")),
            Err(_) => Err(Error::new(
                crate::ErrorCode::Timeout,
                format!(
                    "{}: all {} request slots (transport.max_requests_per_origin) stayed busy \
                     for transport.request_timeout_ms ({} ms); the request was not sent — the \
                     service is slow or stalled, retry later",
                    url.origin().ascii_serialization(),
                    cfg.max_requests_per_origin,
                    cfg.request_timeout_ms
                ),
            )),
        }
    }

    /// The HTTP request of `req`, with `auth_headers`, for `http`.
    async fn build_request(
        &self,
        http: &reqwest::Client,
        req: &Request,
        auth_headers: Vec<(http::HeaderName, http::HeaderValue)>,
    ) -> std::result::Result<reqwest::Request, (Error, bool)> {
        use http::header::{ACCEPT, CONTENT_TYPE};
        use reqwest::multipart::{Form, Part as FormPart};
        let never_sent = |e: Error| (e, true);
        let unusable = |e: reqwest::Error| {
            never_sent(Error::internal(format!(
                "{}: the request could not be built: {e}",
                req.what
            )))
        };
        // A request's own Accept / Content-Type (e.g. OneSpan's `esl-api-version` media-type
        // parameter) replaces the default instead of being sent next to it.
        let own = |name: &http::HeaderName| req.headers.iter().any(|(n, _)| n == name);
        let mut headers = http::HeaderMap::new();
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
        let part = |data: bytes::Bytes, file_name: Option<&str>, content_type: Option<&str>| {
            let len = data.len() as u64;
            let mut p = FormPart::stream_with_length(reqwest::Body::from(data), len);
            if let Some(n) = file_name {
                p = p.file_name(n.to_string());
            }
            match content_type {
                Some(ct) => p.mime_str(ct).map_err(unusable),
                None => Ok(p),
            }
        };
        let builder = http
            .request(req.method.clone(), req.url.clone())
            .headers(headers);
        let builder = match &req.body {
            Body::Empty => builder,
            Body::Form(b) => builder
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(b.clone()),
            Body::Json(b) if own(&CONTENT_TYPE) => builder.body(b.clone()),
            Body::Json(b) => builder
                .header(CONTENT_TYPE, "application/json")
                .body(b.clone()),
            Body::Parts(parts) => {
                let mut form = Form::new();
                for p in parts {
                    form = form.part(
                        p.name,
                        part(
                            p.data.clone(),
                            p.file_name.as_deref(),
                            p.content_type.as_deref(),
                        )?,
                    );
                }
                builder.multipart(form)
            }
            Body::Multipart {
                field,
                file_name,
                content_type,
                data,
            } => builder.multipart(Form::new().part(
                *field,
                part(data.clone(), Some(file_name), Some(content_type))?,
            )),
            Body::FileMultipart {
                field,
                file_name,
                content_type,
                path,
                len,
            } => {
                let file = body::file_body(path.clone(), *len)
                    .await
                    .map_err(never_sent)?;
                let p = FormPart::stream_with_length(file, *len)
                    .file_name(file_name.clone())
                    .mime_str(content_type)
                    .map_err(unusable)?;
                builder.multipart(Form::new().part(*field, p))
            }
        };
        builder.build().map_err(unusable)
    }

    /// How files are saved: (replace a taken name, permission bits); see `crate::files`.
    pub(crate) fn save_options(&self) -> (bool, u32) {
        let c = &self.settings.config;
        (c.save_overwrite, c.save_mode)
    }

    /// Download what `req` answers straight into the file at `path`, never holding it in memory
    /// (created with mode `transport.save_mode`):
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
        let mode = self.settings.config.save_mode;
        let tmp = crate::runtime::blocking_io(move || {
            crate::files::temp_builder(mode)
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
