//! OneSpan Sign (ex eSignLive): transactions ("packages") with PDF documents and signers, send,
//! signing URLs, status and wait, signed-document / evidence downloads, audit, trash/archive,
//! paging, and callbacks (event notifications).
//!
//! Wire contract: `shared/api/onespan.md` §1–8. Every call carries
//! `Accept: application/json; esl-api-version=<api_version>` (binary downloads ask for
//! `application/octet-stream` or `*/*` with the same parameter), JSON bodies are sent as
//! `Content-Type: application/json; esl-api-version=<api_version>`, and the `User-Agent` names
//! signbridge. Ids are percent-encoded as single path segments (`=` becomes `%3D`, `/` `%2F`).
//!
//! Authentication (exactly one of, §3):
//! - `api_key`: `Authorization: Basic <key>`, the key sent as is;
//! - `client_app`: a Client App access token from `{web}/apitoken/clientApp/accessToken`
//!   (`Authorization: Bearer`), refreshed 60 s before its `expiresAt`;
//! - `oauth2`: an OAuth 2.0 client-credentials token from `{web}/oauth2/token` (or `token_url`),
//!   client id and secret only in the token request's `Authorization: Basic` header, refreshed
//!   before the JWT's `exp` (10 s at least, 60 s for 5-minute tokens).
//!
//! Tokens are single-flight (concurrent callers share one token request) and a 401 on a call
//! replaces the token and repeats the call once.
//!
//! ```no_run
//! use signbridge::{Client, Config};
//! use signbridge::providers::onespan::{DocumentSpec, NewPackage, Signer, SignatureField};
//!
//! # async fn run(pdf: Vec<u8>) -> signbridge::Result<()> {
//! let client = Client::new(Config::from_json(r#"{"onespan": {
//!     "environment": "sandbox", "api_key": {"file": "/run/secrets/onespan-key"}}}"#)?)?;
//! let onespan = client.onespan()?;
//! let package = NewPackage::new("Employment contract")
//!     .signer(Signer::new("employee", "ann@example.com", "Ann", "Smith"))
//!     .document(
//!         DocumentSpec::from_bytes("contract", pdf)?
//!             .field(SignatureField::new("employee", 0, 600.0, 100.0)),
//!     )
//!     .send_on_create(true);
//! let id = onespan.create_package(&package).await?;
//! let url = onespan.signing_url(&id, "employee").await?;
//! println!("send Ann to {url}");
//! let done = onespan.wait(&id, &Default::default()).await?;
//! let zip = onespan.download(&id, &signbridge::providers::onespan::DownloadKind::Zip).await?;
//! # let _ = (done, zip); Ok(()) }
//! ```

mod api;
mod callback;
pub(crate) mod download;
pub(crate) mod errors;
mod model;
mod pager;
pub mod request;

pub use api::{DEFAULT_POLL_INTERVAL, MAX_POLL_INTERVAL};
pub use callback::{
    parse_event as parse_callback_event, CallbackEvent, CallbackEventName, CallbackVerifier,
};
pub use download::{sanitize_file_name, Download, DownloadKind};
pub use model::{
    Approval, Audit, AuditEvent, Callback, Document, DocumentSpec, Field, Message, NewPackage,
    Package, PackageStatus, PackageUpdate, Role, SignatureField, SignatureKind, Signer, SignerInfo,
    SigningStatus, SigningUrl,
};
pub use pager::{ListQuery, PackagePager, Page, SortDirection};

pub use crate::auth::ClientAppType;

use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::auth::{
    ClientAppGrant, ClientAuth, ClientCredentials, Credentials, Endpoint, SecretSource,
    TokenOptions, TokenSource,
};
use crate::error::{Error, ErrorCode, Result};
use crate::transport::{Transport, TransportConfig};

/// The API version sent in `esl-api-version` unless `api_version` says otherwise (the version of
/// the official Java SDK the contract was written against).
pub const DEFAULT_API_VERSION: &str = "11.68.0";

/// A OneSpan environment with its documented host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum OnespanEnvironment {
    /// `https://sandbox.esignlive.com`.
    Sandbox,
    /// `https://apps.esignlive.com` (US production; other regions: set `base_url`).
    #[serde(alias = "prod")]
    Production,
}

impl OnespanEnvironment {
    /// The web base URL of this environment (the API is under `/api`).
    pub fn web_base(self) -> &'static str {
        match self {
            OnespanEnvironment::Sandbox => "https://sandbox.esignlive.com",
            OnespanEnvironment::Production => "https://apps.esignlive.com",
        }
    }
}

/// Client App credentials (the `onespan.client_app` object).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientAppConfig {
    /// The Client App id (Admin > API Access in the OneSpan UI).
    pub client_id: String,
    /// The Client App secret: the value or `{"file": "/path"}`.
    pub secret: SecretSource,
    /// `owner` (default) or `sender`.
    #[serde(default, rename = "type")]
    pub kind: ClientAppType,
    /// The sender to act as; required with `type` `sender`, refused with `owner`.
    #[serde(default)]
    pub email: Option<String>,
}

/// OAuth 2.0 client credentials (the `onespan.oauth2` object).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnespanOAuth2Config {
    /// The OAuth client id.
    pub client_id: String,
    /// The OAuth client secret: the value or `{"file": "/path"}`. Sent only in the token
    /// request's `Authorization: Basic` header.
    pub client_secret: SecretSource,
    /// The authorization server's token URL; default `{web base}/oauth2/token`. May be on
    /// another host (it then receives only the client credentials, never API calls).
    #[serde(default)]
    pub token_url: Option<String>,
    /// Act as this sender (`sender_id` form field).
    #[serde(default)]
    pub sender_id: Option<String>,
    /// Delegation: act on behalf of this user (`delegator_id` form field).
    #[serde(default)]
    pub delegator_id: Option<String>,
}

/// OneSpan Sign settings (the `onespan` object of the one config schema).
///
/// ```json
/// {"onespan": {
///   "base_url": "https://sandbox.esignlive.com",
///   "api_key": {"file": "/run/secrets/onespan-api-key"},
///   "api_version": "11.68.0"
/// }}
/// ```
///
/// Exactly one of `api_key`, `client_app` and `oauth2` must be given (an account has one active
/// API authentication method).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnespanConfig {
    /// The web base URL (`https://sandbox.esignlive.com`); the API base is `{base_url}/api`. A
    /// trailing `/api` is tolerated and removed. Overrides `environment`.
    #[serde(default)]
    pub base_url: Option<String>,
    /// `sandbox` or `production`, used when `base_url` is not set.
    #[serde(default)]
    pub environment: Option<OnespanEnvironment>,
    /// An API key, sent as `Authorization: Basic <key>` (value or `{"file": ...}`).
    #[serde(default)]
    pub api_key: Option<SecretSource>,
    /// Client App token credentials.
    #[serde(default)]
    pub client_app: Option<ClientAppConfig>,
    /// OAuth 2.0 client credentials.
    #[serde(default)]
    pub oauth2: Option<OnespanOAuth2Config>,
    /// The `esl-api-version` to send; default [`DEFAULT_API_VERSION`].
    #[serde(default)]
    pub api_version: Option<String>,
}

/// Which API authentication method a client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// `Authorization: Basic <api key>`.
    ApiKey,
    /// Client App bearer tokens.
    ClientApp,
    /// OAuth 2.0 client-credentials bearer tokens.
    OAuth2,
}

impl OnespanConfig {
    /// The web base URL, ending with `/`, without a trailing `/api`.
    pub fn web_base(&self) -> Result<Url> {
        let raw = match (&self.base_url, self.environment) {
            (Some(u), _) => u.trim(),
            (None, Some(e)) => e.web_base(),
            (None, None) => {
                return Err(Error::invalid_config(
                    "onespan needs base_url (e.g. \"https://sandbox.esignlive.com\") or \
                     environment (\"sandbox\" or \"production\")",
                ))
            }
        };
        let mut url = Url::parse(raw).map_err(|e| {
            Error::invalid_config(format!(
                "onespan.base_url is not a URL ({e}); give an absolute URL such as \
                 https://sandbox.esignlive.com"
            ))
        })?;
        if url.cannot_be_a_base() {
            return Err(Error::invalid_config(
                "onespan.base_url is not an absolute https:// URL; give e.g. \
                 https://sandbox.esignlive.com",
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(Error::invalid_config(
                "onespan.base_url must not contain a query or fragment",
            ));
        }
        let mut path = url.path().trim_end_matches('/').to_string();
        if path.ends_with("/api") {
            path.truncate(path.len() - 4);
        }
        path.push('/');
        url.set_path(&path);
        Ok(url)
    }

    /// The configured authentication method; an error naming the fields when none or several
    /// are given.
    pub fn auth_method(&self) -> Result<AuthMethod> {
        let mut given = Vec::new();
        if self.api_key.is_some() {
            given.push(AuthMethod::ApiKey);
        }
        if self.client_app.is_some() {
            given.push(AuthMethod::ClientApp);
        }
        if self.oauth2.is_some() {
            given.push(AuthMethod::OAuth2);
        }
        match given.as_slice() {
            [one] => Ok(*one),
            [] => Err(Error::new(
                ErrorCode::AuthConfigMissing,
                "onespan has no credentials: give exactly one of onespan.api_key, \
                 onespan.client_app {client_id, secret} or onespan.oauth2 {client_id, \
                 client_secret} (or set SIGNBRIDGE_ONESPAN_API_KEY)",
            )),
            _ => Err(Error::invalid_config(
                "onespan has more than one credential: give exactly one of onespan.api_key, \
                 onespan.client_app and onespan.oauth2 (a OneSpan account has one active API \
                 authentication method)",
            )),
        }
    }

    fn version(&self) -> Result<String> {
        let v = self
            .api_version
            .as_deref()
            .map(str::trim)
            .unwrap_or(DEFAULT_API_VERSION);
        let ok = !v.is_empty()
            && v.len() <= 32
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
        if !ok {
            return Err(Error::invalid_config(format!(
                "onespan.api_version {v:?} is not a version (expected e.g. \"11.68.0\")"
            )));
        }
        Ok(v.to_string())
    }
}

/// `raw` as a URL; the error names `field` and what is wrong, never the value (a URL may carry
/// a password or a key).
fn parse_url(field: &str, raw: &str) -> Result<Url> {
    Url::parse(raw.trim()).map_err(|e| {
        Error::invalid_config(format!(
            "{field} is not a URL ({e}); give an absolute https:// URL"
        ))
    })
}

fn header(v: &str) -> Result<HeaderValue> {
    HeaderValue::from_str(v).map_err(|_| Error::internal(format!("bad header value {v:?}")))
}

/// Refresh OAuth tokens at least this long before the JWT's `exp` (the official SDKs' leeway).
const OAUTH_LEEWAY: Duration = Duration::from_secs(10);

/// The OneSpan Sign part of a [`crate::Client`]. Cheap to clone (clones share connections and
/// the token cache); `Send + Sync`. Every operation is an async method; blocking twins are in
/// [`crate::blocking::Onespan`].
#[derive(Clone, Debug)]
pub struct OnespanClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    transport: Transport,
    /// `{web}/api/`.
    api: Url,
    /// `{web}/`.
    web: Url,
    method: AuthMethod,
    /// `application/json; esl-api-version=V`.
    json: HeaderValue,
    /// `application/octet-stream; esl-api-version=V`.
    octets: HeaderValue,
    /// `*/*; esl-api-version=V`.
    any: HeaderValue,
}

impl OnespanClient {
    pub(crate) fn new(cfg: &OnespanConfig, transport: &TransportConfig) -> Result<OnespanClient> {
        let method = cfg.auth_method()?;
        let web = cfg.web_base()?;
        let api = web
            .join("api/")
            .map_err(|e| Error::internal(format!("API base URL: {e}")))?;
        let version = cfg.version()?;
        let json = header(&format!("application/json; esl-api-version={version}"))?;
        let octets = header(&format!(
            "application/octet-stream; esl-api-version={version}"
        ))?;
        let any = header(&format!("*/*; esl-api-version={version}"))?;
        let creds = match method {
            AuthMethod::ApiKey => {
                let key = cfg
                    .api_key
                    .as_ref()
                    .ok_or_else(|| Error::internal("api_key vanished"))?
                    .resolve("onespan.api_key")?;
                Credentials::basic_key(key, "onespan.api_key")?
            }
            AuthMethod::ClientApp => {
                let c = cfg
                    .client_app
                    .as_ref()
                    .ok_or_else(|| Error::internal("client_app vanished"))?;
                let grant = ClientAppGrant {
                    url: web
                        .join("apitoken/clientApp/accessToken")
                        .map_err(|e| Error::internal(format!("token URL: {e}")))?,
                    client_id: c.client_id.trim().to_string(),
                    secret: c.secret.resolve("onespan.client_app.secret")?,
                    kind: c.kind,
                    email: c.email.as_ref().map(|e| e.trim().to_string()),
                    field: "onespan.client_app",
                };
                let options = TokenOptions {
                    headers: vec![
                        (http::header::ACCEPT, json.clone()),
                        (http::header::CONTENT_TYPE, json.clone()),
                    ],
                    ..TokenOptions::default()
                };
                let source = TokenSource::client_app(grant, transport, None)
                    .map_err(|e| {
                        if e.message().contains("onespan.") {
                            e
                        } else {
                            Error::new(e.code(), format!("onespan.client_app: {}", e.message()))
                        }
                    })?
                    .with_options(options)
                    .with_error_mapper(errors::map_error);
                Credentials::bearer(source)
            }
            AuthMethod::OAuth2 => {
                let o = cfg
                    .oauth2
                    .as_ref()
                    .ok_or_else(|| Error::internal("oauth2 vanished"))?;
                let token_url = match &o.token_url {
                    Some(t) => parse_url("onespan.oauth2.token_url", t)?,
                    None => web
                        .join("oauth2/token")
                        .map_err(|e| Error::internal(format!("token URL: {e}")))?,
                };
                let mut extra_form = Vec::new();
                for (name, v) in [
                    ("sender_id", &o.sender_id),
                    ("delegator_id", &o.delegator_id),
                ] {
                    if let Some(v) = v.as_deref().map(str::trim) {
                        if v.is_empty() {
                            return Err(Error::invalid_config(format!(
                                "onespan.oauth2.{name} is empty; remove it or give the id"
                            )));
                        }
                        extra_form.push((name.to_string(), v.to_string()));
                    }
                }
                let grant = ClientCredentials {
                    endpoint: Endpoint::Fixed(token_url),
                    client_id: o.client_id.trim().to_string(),
                    client_secret: o.client_secret.resolve("onespan.oauth2.client_secret")?,
                    auth: ClientAuth::Basic,
                    scope: None,
                };
                let options = TokenOptions {
                    extra_form,
                    prefer_jwt_exp: true,
                    min_margin: OAUTH_LEEWAY,
                    raw_basic: true,
                    ..TokenOptions::default()
                };
                let source = TokenSource::new(grant, transport, None)
                    .map_err(|e| Error::new(e.code(), format!("onespan.oauth2: {}", e.message())))?
                    .with_options(options)
                    .with_error_mapper(errors::map_error);
                Credentials::bearer(source)
            }
        };
        let transport = Transport::new(web.clone(), Some(Arc::new(creds)), transport, None)?
            .with_error_mapper(errors::map_error);
        Ok(OnespanClient {
            inner: Arc::new(Inner {
                transport,
                api,
                web,
                method,
                json,
                octets,
                any,
            }),
        })
    }

    /// The web base URL in use (`https://sandbox.esignlive.com/`); the API is under `api/`.
    pub fn base_url(&self) -> &str {
        self.inner.web.as_str()
    }

    /// The API authentication method this client uses.
    pub fn auth_method(&self) -> AuthMethod {
        self.inner.method
    }
}

#[cfg(test)]
mod tests;
