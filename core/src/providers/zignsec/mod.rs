//! ZignSec gateway: configuration, authentication and the BankID Norway signing API.
//!
//! Wire contract: `shared/api/zignsec.md` §2 and §4 (the provider's seed documents 000 and 001).

pub(crate) mod eid;
pub(crate) mod signing;

pub use eid::{
    BankIdSeOptions, EidApi, EidProduct, EidRequest, EidResult, EidSession, FrejaOptions, Identity,
    MitIdOptions, RedirectOutcome,
};

pub use crate::auth::{ClientAuth, OAuth2Config};
pub use signing::{
    CreateSigning, Document, FileRef, FileToSign, Placement, ProviderErrorItem, SignerInfo,
    SigningApi, SigningSession, SigningStatus, StartSigning, StartedSession, StartedSigning,
    UploadedFile,
};

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::auth::{
    ClientCertConfig, ClientCredentials, ClientIdentity, Credentials, Endpoint, KeyHeader, KeyRing,
    SecretSource, TokenSource,
};
use crate::error::{Error, Result};
use crate::transport::{Transport, TransportConfig};

/// A ZignSec environment with its documented gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
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
#[derive(Debug, Clone, Default, Deserialize)]
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

/// `raw` as a URL; the error names `field` and what is wrong, never the value (a URL may carry
/// a password or a key).
fn parse_url(field: &str, raw: &str) -> Result<Url> {
    Url::parse(raw).map_err(|e| {
        Error::invalid_config(format!(
            "{field} is not a URL ({e}); give an absolute https:// URL"
        ))
    })
}

/// The ZignSec part of a [`crate::Client`]. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ZignsecClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) transport: Transport,
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
            let endpoint = match (&o.token_url, &o.discovery_url) {
                (Some(t), _) => Endpoint::Fixed(parse_url("zignsec.oauth2.token_url", t)?),
                (None, Some(d)) => {
                    Endpoint::Discover(parse_url("zignsec.oauth2.discovery_url", d)?)
                }
                (None, None) => Endpoint::Discover(
                    base.join("auth/realms/zignsec/.well-known/openid-configuration")
                        .map_err(|e| Error::internal(format!("discovery URL: {e}")))?,
                ),
            };
            let grant = ClientCredentials {
                endpoint,
                client_id: o.client_id.clone(),
                client_secret: o.client_secret.resolve("zignsec.oauth2.client_secret")?,
                auth: o.client_auth,
                scope: o.scope.clone(),
            };
            creds = creds.with_bearer(TokenSource::new(grant, transport, identity.as_ref())?);
        }
        let transport = Transport::new(base, Some(creds), transport, identity.as_ref())?;
        Ok(ZignsecClient {
            inner: Arc::new(Inner { transport }),
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
