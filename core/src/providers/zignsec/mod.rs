//! ZignSec gateway: configuration, authentication and the BankID Norway signing API.
//!
//! Wire contract: `shared/api/zignsec.md` §2 and §4 (the provider's seed documents 000 and 001).

mod call;
pub(crate) mod eid;
mod model;
pub mod origins;
mod redirect;
pub(crate) mod signing;
pub mod webhook;
pub(crate) mod wire;

pub use eid::{
    BankIdSeOptions, EidApi, EidProduct, EidRequest, EidResult, EidSession, FrejaOptions, Identity,
    MitIdOptions, RedirectOutcome,
};

pub use crate::auth::{ClientAuth, OAuth2Config};
pub use call::SessionCall;
pub use model::{
    CreateSigning, Document, FileRef, FileToSign, Placement, ProviderErrorItem, SignerInfo,
    SigningSession, SigningStatus, StartSigning, StartedSession, StartedSigning, UploadedFile,
};
pub use signing::SigningApi;

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::auth::{
    ClientCertConfig, ClientIdentity, Credentials, KeyHeader, KeyRing, SecretSource, TokenSource,
};
use crate::error::{Error, Result};
use crate::transport::{Transport, TransportConfig};

/// A ZignSec environment with its documented gateway.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// `https://test-gateway.zignsec.com` (default); `https://api-test.zignsec.com` with a
    /// client certificate (two-way TLS).
    #[default]
    Test,
    /// `https://gateway.zignsec.com`; `https://api-prod.zignsec.com` with a client certificate.
    #[serde(alias = "production")]
    Prod,
}

impl Environment {
    /// The gateway base URL of this environment.
    pub fn gateway(self) -> &'static str {
        match self {
            Environment::Test => "https://test-gateway.zignsec.com",
            Environment::Prod => "https://gateway.zignsec.com",
        }
    }

    /// The two-way TLS base URL of this environment (seed 000).
    pub fn mtls_gateway(self) -> &'static str {
        match self {
            Environment::Test => "https://api-test.zignsec.com",
            Environment::Prod => "https://api-prod.zignsec.com",
        }
    }

    /// Parse `test` / `prod` / `production` (case-insensitive).
    pub fn parse(s: &str) -> Option<Environment> {
        match s.trim().to_ascii_lowercase().as_str() {
            "test" => Some(Environment::Test),
            "prod" | "production" => Some(Environment::Prod),
            _ => None,
        }
    }
}

/// ZignSec settings (the `zignsec` object of the one config schema).
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ZignsecConfig {
    /// Which gateway to use when `base_url` is not set.
    #[serde(default)]
    pub environment: Environment,
    /// A gateway base URL that overrides `environment` (e.g. the local simulator).
    #[serde(default)]
    pub base_url: Option<String>,
    /// The active subscription keys: primary first, then the optional secondary. Each is the
    /// value or `{"file": "/path"}`.
    #[serde(default)]
    pub keys: Vec<SecretSource>,
    /// Which header carries the key.
    #[serde(default)]
    pub key_header: KeyHeader,
    /// OAuth2/OIDC: a bearer token is sent with the subscription key (seed 000).
    #[serde(default)]
    pub oauth2: Option<OAuth2Config>,
    /// Two-way TLS: the client certificate ZignSec issued. Without `base_url`, the environment's
    /// two-way TLS host is used.
    #[serde(default)]
    pub client_cert: Option<ClientCertConfig>,
    /// Further origins (`https://host[:port]`) of this service besides the base URL and, for
    /// the documented hosts, the environment's other host ([`origins`]): credentials, the client
    /// certificate and downloads go to them too. Downloads from any other origin are refused.
    #[serde(default)]
    pub service_origins: Vec<String>,
    /// Accept a signed document whose answer carries no md5 (refused by default: it cannot be
    /// verified).
    #[serde(default)]
    pub allow_unverified_downloads: bool,
}

impl ZignsecConfig {
    /// The effective gateway base URL.
    pub fn gateway_url(&self) -> Result<Url> {
        let raw = match (&self.base_url, &self.client_cert) {
            (Some(u), _) => u.as_str(),
            (None, Some(_)) => self.environment.mtls_gateway(),
            (None, None) => self.environment.gateway(),
        };
        let mut url = Url::parse(raw).map_err(|e| {
            Error::invalid_config(format!(
                "zignsec.base_url is not a URL ({e}); give an absolute URL such as \
                 https://test-gateway.zignsec.com"
            ))
        })?;
        if url.cannot_be_a_base() {
            return Err(Error::invalid_config(
                "zignsec.base_url is not an absolute https:// URL; give e.g. \
                 https://test-gateway.zignsec.com",
            ));
        }
        if !url.path().ends_with('/') {
            let p = format!("{}/", url.path());
            url.set_path(&p);
        }
        Ok(url)
    }
}

/// The ZignSec part of a [`crate::Client`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ZignsecClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) transport: Transport,
    /// The transport of document downloads (`/folders/…/media/…`): the key in `Authorization`.
    pub(crate) media: Transport,
    /// The service's origins besides the base URL ([`origins::service_origins`]).
    pub(crate) origins: Vec<Url>,
    /// The origins the user configured (`base_url`, `service_origins`).
    pub(crate) configured_origins: Vec<Url>,
    /// `zignsec.allow_unverified_downloads`.
    pub(crate) allow_unverified_downloads: bool,
}

impl ZignsecClient {
    pub(crate) fn new(cfg: &ZignsecConfig, transport: &TransportConfig) -> Result<ZignsecClient> {
        let base = cfg.gateway_url()?;
        let identity = cfg
            .client_cert
            .as_ref()
            .map(|c| ClientIdentity::load(c, "zignsec.client_cert"))
            .transpose()?;
        let keys = cfg
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| k.resolve(&format!("zignsec.keys[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        let ring = KeyRing::new(keys, cfg.key_header)?;
        let mut creds = Credentials::keys(ring);
        if let Some(o) = &cfg.oauth2 {
            if cfg.key_header == KeyHeader::Authorization {
                return Err(Error::invalid_config(
                    "zignsec.oauth2 needs key_header \"product-key\": the bearer token takes the \
                     Authorization header",
                ));
            }
            let default = base
                .join("auth/realms/zignsec/.well-known/openid-configuration")
                .map_err(|e| Error::internal(format!("discovery URL: {e}")))?;
            let grant = o.grant("zignsec.oauth2", Some(default))?;
            creds = creds.with_bearer(TokenSource::new(grant, transport, identity.as_ref())?);
        }
        let service = origins::service_origins(&base, &cfg.service_origins)?;
        let configured: Vec<Url> = cfg
            .base_url
            .as_ref()
            .map(|_| base.clone())
            .into_iter()
            .chain(
                cfg.service_origins
                    .iter()
                    .filter_map(|o| Url::parse(o.trim()).ok()),
            )
            .collect();
        // Documents (seed 001): "You must use Authorization header with your Subscription
        // key" — the raw key in `Authorization`, whatever the API calls send, rotated the same
        // way; no bearer token there.
        let media_keys = cfg
            .keys
            .iter()
            .enumerate()
            .map(|(i, k)| k.resolve(&format!("zignsec.keys[{i}]")))
            .collect::<Result<Vec<_>>>()?;
        let media = Transport::new(
            base.clone(),
            Some(Arc::new(Credentials::keys(KeyRing::new(
                media_keys,
                KeyHeader::Authorization,
            )?))),
            transport,
            identity.as_ref(),
        )?
        .with_origins(service.clone())?;
        let transport = Transport::new(base, Some(Arc::new(creds)), transport, identity.as_ref())?
            .with_origins(service.clone())?;
        Ok(ZignsecClient {
            inner: Arc::new(Inner {
                transport,
                media,
                origins: service,
                configured_origins: configured,
                allow_unverified_downloads: cfg.allow_unverified_downloads,
            }),
        })
    }

    /// The gateway base URL in use.
    pub fn base_url(&self) -> &str {
        self.inner.transport.base().as_str()
    }

    /// Browser-based eID sessions (BankID SE, MitID, Freja, BankID NO…).
    pub fn eid(&self) -> EidApi {
        EidApi::new(self.inner.clone())
    }

    /// BankID Norway document signing (`/api/v5/sessions/signing`).
    pub fn signing(&self) -> SigningApi {
        SigningApi::new(self.inner.clone())
    }
}
