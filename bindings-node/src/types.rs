//! The typed objects of the JavaScript API: results (camelCase fields, `Buffer` for bytes) and the
//! request shapes the methods accept. Field names are the core's, in camelCase, the config
//! object's included (`Client.fromJson` takes the schema's snake_case JSON text).

use napi_derive::napi;
use signbridge::providers::zignsec as core;

// ---------------------------------------------------------------------------------------------
// Configuration (the one config schema; typings only: the object is handed to
// `signbridge::Config::from_value`, which refuses unknown keys).

/// The configuration of a `Client`: the one config schema of signbridge, with camelCase keys
/// (`Client.fromJson` takes the same document as JSON text with its snake_case keys, as C and
/// Python do).
#[napi(object, object_to_js = false)]
pub struct Config {
    /// ZignSec gateway settings.
    pub zignsec: Option<ZignsecConfig>,
    /// Securosys Primus HSM (TSB REST API) settings.
    pub securosys: Option<SecurosysConfig>,
    /// OneSpan Sign settings.
    pub onespan: Option<OnespanConfig>,
    /// Which provider `client.signing()` uses when both ZignSec and OneSpan are configured.
    pub signing: Option<SigningConfig>,
    /// Timeouts, retries and trusted CAs, shared by every provider.
    pub transport: Option<TransportConfig>,
}

/// ZignSec gateway settings (`config.zignsec`).
#[napi(object, object_to_js = false)]
pub struct ZignsecConfig {
    /// `'test'` (default) or `'prod'`; ignored when `baseUrl` is set.
    #[napi(ts_type = "'test' | 'prod' | 'production'")]
    pub environment: Option<String>,
    /// A gateway base URL overriding `environment` (e.g. the local simulator).
    pub base_url: Option<String>,
    /// The active subscription keys: primary first, then the optional secondary (rotation).
    /// Each is the key itself or `{ file: '/path' }` (a file holding it).
    #[napi(ts_type = "Array<SecretSource>")]
    pub keys: Option<Vec<serde_json::Value>>,
    /// Which header carries the key: `'product-key'` (default, `Zs-Product-Key`) or
    /// `'authorization'` (legacy).
    #[napi(ts_type = "'product-key' | 'authorization'")]
    pub key_header: Option<String>,
    /// OAuth2/OIDC client credentials: a bearer token is sent with the subscription key.
    pub oauth2: Option<OAuth2Config>,
    /// Two-way TLS with the client certificate ZignSec issued. Without `baseUrl`, the
    /// environment's two-way TLS host is used.
    pub client_cert: Option<ClientCertConfig>,
    /// Further origins of this service (credentials, the client certificate and document
    /// downloads go there too), e.g. `['https://files.example']`.
    pub service_origins: Option<Vec<String>>,
    /// Accept a signed document whose answer carries no md5 (refused by default).
    pub allow_unverified_downloads: Option<bool>,
}

/// An OAuth2 client-credentials grant (`config.zignsec.oauth2`, `config.securosys.oauth2`).
#[napi(object, object_to_js = false)]
pub struct OAuth2Config {
    /// The client id the provider issued.
    pub client_id: String,
    /// The client secret, or `{ file: '/path' }` (a file holding it).
    #[napi(ts_type = "SecretSource")]
    pub client_secret: serde_json::Value,
    /// The OpenID configuration URL (default
    /// `{gateway}/auth/realms/zignsec/.well-known/openid-configuration`).
    pub discovery_url: Option<String>,
    /// The OpenID issuer; discovery reads `{issuer}/.well-known/openid-configuration`.
    pub issuer: Option<String>,
    /// A token endpoint to use as is (skips discovery; may be on another host).
    pub token_url: Option<String>,
    /// How the client authenticates at the token endpoint: `'basic'` (default, HTTP Basic) or
    /// `'post'` (id and secret in the form body).
    #[napi(ts_type = "'basic' | 'post'")]
    pub client_auth: Option<String>,
    /// Scope to ask for (none by default).
    pub scope: Option<String>,
}

/// A client certificate for two-way TLS (`config.zignsec.client_cert`): PEM text or
/// `{ file: '/path' }` each, or a PKCS#12 file.
#[napi(object, object_to_js = false)]
pub struct ClientCertConfig {
    /// The certificate chain, PEM (leaf first). Not with `pkcs12`.
    #[napi(ts_type = "SecretSource")]
    pub cert: Option<serde_json::Value>,
    /// The private key, PEM (PKCS#8, PKCS#1 or SEC1, or an encrypted PKCS#8 key with
    /// `password`). Omit when `cert` holds both.
    #[napi(ts_type = "SecretSource")]
    pub key: Option<serde_json::Value>,
    /// A PKCS#12 (`.p12`/`.pfx`) file with the certificate and key: `{ file: '/path' }` or its
    /// bytes in base64.
    #[napi(ts_type = "string | { file: string }")]
    pub pkcs12: Option<serde_json::Value>,
    /// The password of an encrypted key or of the PKCS#12 file.
    #[napi(ts_type = "SecretSource")]
    pub password: Option<serde_json::Value>,
}

/// Securosys Primus HSM settings (`config.securosys`).
#[napi(object, object_to_js = false)]
pub struct SecurosysConfig {
    /// The TSB base URL, with its path prefix if it has one (`https://host/tsb`); the `/v1/...`
    /// paths are appended.
    pub base_url: String,
    /// Role-based API keys (`X-API-KEY`), a list per role (later keys are rolled over to when
    /// the TSB says a key is invalid). Each call carries only its role's key; a call whose role
    /// has no key fails before sending. Absent: no API key is sent (JWT and/or mTLS only).
    pub api_keys: Option<SecurosysApiKeys>,
    /// A JWT issued by Securosys, sent as `Authorization: Bearer` on every call, or
    /// `{ file: '/path' }`.
    #[napi(ts_type = "SecretSource")]
    pub jwt: Option<serde_json::Value>,
    /// Instead of `jwt`: fetch the JWT with an OAuth2 client-credentials grant (`tokenUrl` or
    /// `discoveryUrl` required); tokens are cached, refreshed before they expire, and replaced
    /// once when the TSB refuses one.
    pub oauth2: Option<OAuth2Config>,
    /// Mutual TLS: the client certificate and key the TSB trusts.
    pub client_cert: Option<ClientCertConfig>,
    /// The role whose API key the certificate endpoints get: `'key_management'` (default, the
    /// newer Securosys documentation) or `'key_operation'` (the older table).
    #[napi(ts_type = "'key_management' | 'key_operation'")]
    pub certificate_role: Option<String>,
}

/// The API keys of each Securosys role (`config.securosys.api_keys`): the key itself or
/// `{ file: '/path' }` each.
#[napi(object, object_to_js = false)]
pub struct SecurosysApiKeys {
    /// `keyManagementToken`: create, read, list and delete keys.
    #[napi(ts_type = "Array<SecretSource>")]
    pub key_management: Option<Vec<serde_json::Value>>,
    /// `keyOperationToken`: sign, verify, requests.
    #[napi(ts_type = "Array<SecretSource>")]
    pub key_operation: Option<Vec<serde_json::Value>>,
    /// `approverToken`: approval tasks, approve, reject.
    #[napi(ts_type = "Array<SecretSource>")]
    pub approver: Option<Vec<serde_json::Value>>,
    /// `serviceToken`: version and license information.
    #[napi(ts_type = "Array<SecretSource>")]
    pub service: Option<Vec<serde_json::Value>>,
    /// `approverKeyManagementToken`: approver management.
    #[napi(ts_type = "Array<SecretSource>")]
    pub approver_key_management: Option<Vec<serde_json::Value>>,
}

/// OneSpan Sign settings (`config.onespan`): `baseUrl` or `environment`, and exactly one of
/// `apiKey`, `clientApp` and `oauth2`.
#[napi(object, object_to_js = false)]
pub struct OnespanConfig {
    /// The web base URL (`https://sandbox.esignlive.com`, or the simulator); overrides
    /// `environment`.
    pub base_url: Option<String>,
    /// `'sandbox'` or `'production'`, when `baseUrl` is not set.
    #[napi(ts_type = "'sandbox' | 'production' | 'prod'")]
    pub environment: Option<String>,
    /// An API key, sent as `Authorization: Basic <key>`; or `{ file: '/path' }`.
    #[napi(ts_type = "SecretSource")]
    pub api_key: Option<serde_json::Value>,
    /// Client App credentials (bearer tokens fetched and refreshed for you).
    pub client_app: Option<OnespanClientAppConfig>,
    /// OAuth 2.0 client credentials (bearer tokens fetched and refreshed for you).
    pub oauth2: Option<OnespanOAuth2Config>,
    /// The `esl-api-version` to send (default `'11.68.0'`).
    pub api_version: Option<String>,
}

/// OneSpan Client App credentials (`config.onespan.client_app`).
#[napi(object, object_to_js = false)]
pub struct OnespanClientAppConfig {
    /// The Client App id.
    pub client_id: String,
    /// The Client App secret, or `{ file: '/path' }`.
    #[napi(ts_type = "SecretSource")]
    pub secret: serde_json::Value,
    /// `'owner'` (default) or `'sender'` (then `email` names the sender).
    #[napi(js_name = "type", ts_type = "'owner' | 'sender' | 'OWNER' | 'SENDER'")]
    pub kind: Option<String>,
    /// The sender to act as (`type: 'sender'`).
    pub email: Option<String>,
}

/// OneSpan OAuth 2.0 client credentials (`config.onespan.oauth2`).
#[napi(object, object_to_js = false)]
pub struct OnespanOAuth2Config {
    /// The OAuth client id.
    pub client_id: String,
    /// The OAuth client secret, or `{ file: '/path' }`.
    #[napi(ts_type = "SecretSource")]
    pub client_secret: serde_json::Value,
    /// The token URL (default `{base_url}/oauth2/token`).
    pub token_url: Option<String>,
    /// Act as this sender.
    pub sender_id: Option<String>,
    /// Act on behalf of this user (delegation).
    pub delegator_id: Option<String>,
}

/// `config.signing`: which provider the neutral signing session uses.
#[napi(object, object_to_js = false)]
pub struct SigningConfig {
    /// `'zignsec'` or `'onespan'` (needed only when both are configured).
    #[napi(ts_type = "SigningProvider")]
    pub provider: Option<String>,
}

/// Transport settings (`config.transport`).
#[napi(object, object_to_js = false)]
pub struct TransportConfig {
    /// Time allowed to establish a connection, in milliseconds (default 10000).
    pub connect_timeout_ms: Option<u32>,
    /// Time allowed for one HTTP exchange, in milliseconds, before the allowance for its size
    /// (see `minTransferBytesPerS`; default 60000).
    pub request_timeout_ms: Option<u32>,
    /// The slowest transfer rate a call is given time for, in bytes per second: every byte
    /// sent or received adds `1 / min_transfer_bytes_per_s` seconds to `requestTimeoutMs`, so
    /// a large document gets as long as a slow line needs (default 100000, i.e. 100 kB/s).
    pub min_transfer_bytes_per_s: Option<u32>,
    /// Most requests in flight at once to one origin (scheme, host, port); further requests
    /// wait for a free slot, which does not count against the timeout (default 64).
    pub max_requests_per_origin: Option<u32>,
    /// Attempts per call for retryable failures (default 3; 1 = no retry).
    pub max_attempts: Option<u32>,
    /// First backoff step in milliseconds (default 200).
    pub backoff_base_ms: Option<u32>,
    /// Largest backoff step in milliseconds (default 5000).
    pub backoff_max_ms: Option<u32>,
    /// Longest `Retry-After` honoured automatically, in seconds (default 60).
    pub max_retry_after_s: Option<u32>,
    /// Extra trusted CA certificates, PEM text.
    pub ca_pem: Option<String>,
    /// Extra trusted CA certificates, path of a PEM file (e.g. the CA of a two-way TLS
    /// gateway).
    pub ca_file: Option<String>,
    /// The HTTP proxy https connections go through, as a CONNECT tunnel (TLS stays end to end):
    /// `'http://[user:password@]host:port'`, or `'direct'` for none. When not set,
    /// `HTTPS_PROXY` / `ALL_PROXY` are used, like curl; `NO_PROXY` hosts and loopback hosts go
    /// direct either way. The password is sent only to the proxy and never shown.
    pub proxy: Option<String>,
    /// Whether saving into a directory under a provider's document name replaces a file of that
    /// name. Default `false`: a taken name gets `-2`, `-3`… before its extension. A path you
    /// name yourself is always replaced.
    pub save_overwrite: Option<bool>,
    /// The permission bits of every file signbridge saves (Unix), default `0o600` (read and
    /// write for the service's user only: signed documents hold personal data). At most `0o777`.
    pub save_mode: Option<u32>,
    /// Longest pause between two pieces of an answer's body, in milliseconds (default 30000):
    /// a server that stops sending fails the exchange with `SB_ERR_TIMEOUT`.
    pub read_idle_timeout_ms: Option<u32>,
}

// ---------------------------------------------------------------------------------------------
// Results the addon's own plumbing gives (the operations' results are typed from the table).

/// An error item the gateway reported for a session.
#[napi(object)]
pub struct ProviderErrorItem {
    /// E.g. `'CANCELLED_BY_USER'`.
    pub code: String,
    /// Human-readable description.
    pub description: String,
    /// The HTTP-like status the gateway attached.
    pub status_code: Option<u32>,
}

/// One row of the core's error table (`errorCodes()`).
#[napi(object)]
pub struct ErrorCodeInfo {
    /// The stable name, as `err.code` spells it (`'SB_ERR_AUTH'`).
    pub name: String,
    /// The stable number, as `err.errno` carries it.
    pub code: i32,
    /// What the code means and what to do about it.
    pub message: String,
    /// Whether retrying later can succeed without changing anything.
    pub retryable: bool,
}

// ---------------------------------------------------------------------------------------------
// The identified person of an eID session, as a webhook delivery carries it.

/// The identified person. Absent fields are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Identity {
    /// Full name.
    pub full_name: Option<String>,
    /// First (given) name.
    pub first_name: Option<String>,
    /// Last (family) name.
    pub last_name: Option<String>,
    /// National identity number (personnummer, fødselsnummer, CPR…).
    pub personal_number: Option<String>,
    /// Date of birth, `YYYY-MM-DD` as the provider gives it.
    pub date_of_birth: Option<String>,
    /// ISO country code (`'SE'`, `'NO'`, `'DK'`…).
    pub country_code: Option<String>,
    /// Gender as reported.
    pub gender: Option<String>,
    /// Age as reported.
    pub age: Option<u32>,
}

// ---------------------------------------------------------------------------------------------
// Webhooks (`WebhookVerifier`).

/// Options of `new WebhookVerifier(secrets, options)`.
#[napi(object, object_to_js = false)]
pub struct WebhookVerifierOptions {
    /// Accepted distance between a delivery's timestamp and now, in seconds (default 300).
    pub tolerance_seconds: Option<f64>,
    /// Where accepted deliveries are remembered, shared by every instance behind a load
    /// balancer: `redis://[:password@]host[:port][/db]` (default: this process's memory).
    pub replay_store_url: Option<String>,
}

/// A verified webhook delivery. Absent fields are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct WebhookEvent {
    /// The event name (`'session_created'`, `'session_finished'`, `'session_updated'`…).
    pub event: String,
    /// The session id.
    pub session_id: Option<String>,
    /// The product that sent it (`'Zignsec.v5.bankid_se'`…).
    pub integration_id: Option<String>,
    /// Your `relayState`, echoed.
    pub relay_state: Option<String>,
    /// The session's status, when the event carries one.
    #[napi(ts_type = "SessionStatus")]
    pub status: Option<String>,
    /// Errors reported with the event.
    pub errors: Vec<ProviderErrorItem>,
    /// The identified person, when the event carries one.
    pub identity: Option<Identity>,
    /// The workflow session id, for workflow products.
    pub workflow_session_id: Option<String>,
    /// The whole payload, parsed.
    #[napi(ts_type = "Record<string, any>")]
    pub raw: serde_json::Value,
}

fn error_items(items: Vec<core::ProviderErrorItem>) -> Vec<ProviderErrorItem> {
    items
        .into_iter()
        .map(|e| ProviderErrorItem {
            code: e.code,
            description: e.description,
            status_code: e.status_code.map(u32::from),
        })
        .collect()
}

impl From<core::Identity> for Identity {
    fn from(i: core::Identity) -> Self {
        Identity {
            full_name: i.full_name,
            first_name: i.first_name,
            last_name: i.last_name,
            personal_number: i.personal_number,
            date_of_birth: i.date_of_birth,
            country_code: i.country_code,
            gender: i.gender,
            age: i.age,
        }
    }
}

impl From<signbridge::webhook::WebhookEvent> for WebhookEvent {
    fn from(e: signbridge::webhook::WebhookEvent) -> Self {
        WebhookEvent {
            event: e.event,
            session_id: e.session_id,
            integration_id: e.integration_id,
            relay_state: e.relay_state,
            status: e.status.map(|s| s.as_str().to_string()),
            errors: error_items(e.errors),
            identity: e.identity.map(Into::into),
            workflow_session_id: e.workflow_session_id,
            raw: e.raw,
        }
    }
}
