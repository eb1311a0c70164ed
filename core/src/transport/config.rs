//! The transport's settings: one part of the one configuration schema.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Transport settings shared by every provider of a client (part of the one config schema).
///
/// Timeouts: a call's HTTP exchange may take `request_timeout_ms` plus the time its data needs at
/// `min_transfer_bytes_per_s` — for the bytes sent (an upload of 50 MB gets 500 s more at the
/// default 100 kB/s) and for the bytes received so far (never for what the server *announces*:
/// a `Content-Length` of 256 MiB trickled byte by byte does not buy 45 minutes). No byte for
/// `read_idle_timeout_ms` ends it too. A small JSON call therefore gets about
/// `request_timeout_ms`, a large document as long as a slow line needs, and a stalled transfer
/// still ends. Connecting has its own `connect_timeout_ms`. Time spent waiting for a free request
/// slot (`max_requests_per_origin`) does not count.
///
/// Proxy: `https` connections go through an HTTP proxy as a `CONNECT` tunnel when `proxy` (or,
/// when it is not set, `HTTPS_PROXY` / `ALL_PROXY`) names one; see [`TransportConfig::proxy`].
/// The `Debug` output never shows the proxy's password.
#[derive(Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
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
    /// Whether saving into a directory under a provider's document name replaces a file of that
    /// name. Default `false`: a taken name gets `-2`, `-3`… before its extension (see
    /// `core/src/files.rs`). A path you name yourself is always replaced.
    pub save_overwrite: bool,
    /// The permission bits of every file signbridge saves (Unix), default `0o600` (384: read and
    /// write for the service's user only — signed documents hold personal data). At most `0o777`.
    pub save_mode: u32,
    /// Longest pause between two pieces of an answer's body, in milliseconds (default 30 000):
    /// a server that stops sending (or trickles slower than this) fails the exchange with
    /// `SB_ERR_TIMEOUT` however long the whole exchange may take.
    pub read_idle_timeout_ms: u64,
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
            .field(
                "proxy",
                &self.proxy.as_deref().map(super::proxy::redact_userinfo),
            )
            .field("read_idle_timeout_ms", &self.read_idle_timeout_ms)
            .field("save_overwrite", &self.save_overwrite)
            .field("save_mode", &format_args!("{:#o}", self.save_mode))
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
            save_overwrite: false,
            save_mode: 0o600,
            read_idle_timeout_ms: 30_000,
        }
    }
}

impl TransportConfig {
    /// The configuration errors of these settings (checked when a client is built).
    pub(crate) fn validate(&self) -> Result<()> {
        if self.save_mode > 0o777 {
            return Err(Error::invalid_config(format!(
                "transport.save_mode must be permission bits from 0 to 0o777 (511), got {}",
                self.save_mode
            )));
        }
        if self.max_attempts == 0 {
            return Err(Error::invalid_config(
                "transport.max_attempts must be at least 1",
            ));
        }
        if self.request_timeout_ms == 0 || self.connect_timeout_ms == 0 {
            return Err(Error::invalid_config(
                "transport timeouts must be greater than 0",
            ));
        }
        if self.min_transfer_bytes_per_s == 0 {
            return Err(Error::invalid_config(
                "transport.min_transfer_bytes_per_s must be at least 1 (bytes per second a \
                 transfer is given time for; default 100000)",
            ));
        }
        if self.max_requests_per_origin == 0 {
            return Err(Error::invalid_config(
                "transport.max_requests_per_origin must be at least 1 (default 64)",
            ));
        }
        Ok(())
    }
}
