//! ZignSec gateway: configuration, authentication and the BankID Norway signing API.
//!
//! Wire contract: `shared/api/zignsec.md` §2 and §4 (the provider's seed documents 000 and 001).

mod eid;
mod signing;

pub use eid::{
    BankIdSeOptions, EidApi, EidProduct, EidRequest, EidResult, EidSession, FrejaOptions, Identity,
    MitIdOptions, RedirectOutcome,
};

pub use signing::{
    CreateSigning, Document, FileRef, FileToSign, Placement, ProviderErrorItem, SignerInfo,
    SigningApi, SigningSession, SigningStatus, StartSigning, StartedSession, StartedSigning,
    UploadedFile,
};

use std::sync::Arc;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::auth::{Credentials, KeyHeader, KeyRing};
use crate::error::{Error, Result};
use crate::transport::{Transport, TransportConfig};

/// A ZignSec environment with its documented gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// `https://test-gateway.zignsec.com` (default).
    #[default]
    Test,
    /// `https://gateway.zignsec.com`.
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
    /// The active subscription keys: primary first, then the optional secondary.
    #[serde(default)]
    pub keys: Vec<SecretString>,
    /// Which header carries the key.
    #[serde(default)]
    pub key_header: KeyHeader,
}

impl ZignsecConfig {
    /// The effective gateway base URL.
    pub fn gateway_url(&self) -> Result<Url> {
        let raw = self
            .base_url
            .as_deref()
            .unwrap_or_else(|| self.environment.gateway());
        let mut url = Url::parse(raw).map_err(|e| {
            Error::invalid_config(format!("zignsec.base_url {raw:?} is not a URL: {e}"))
        })?;
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
}

impl ZignsecClient {
    pub(crate) fn new(cfg: &ZignsecConfig, transport: &TransportConfig) -> Result<ZignsecClient> {
        let base = cfg.gateway_url()?;
        let ring = KeyRing::new(cfg.keys.clone(), cfg.key_header)?;
        let transport = Transport::new(base, Some(Credentials::Keys(ring)), transport)?;
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
