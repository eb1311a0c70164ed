//! [`Client`]: the entry point. Cheap to clone, `Send + Sync`, built from a [`Config`].

use std::sync::Arc;

use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::onespan::OnespanClient;
use crate::providers::securosys::SecurosysClient;
use crate::providers::zignsec::ZignsecClient;
use crate::signing::{Provider, SigningService};

/// A signbridge client. Provider services hang off it: `client.zignsec()?.signing()`.
///
/// Clones share connections and credentials state (e.g. which rotated key is active).
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    zignsec: Option<ZignsecClient>,
    securosys: Option<SecurosysClient>,
    onespan: Option<OnespanClient>,
    signing: Option<Provider>,
}

impl Client {
    /// Build a client. Fails with [`ErrorCode::InvalidConfig`] or
    /// [`ErrorCode::AuthConfigMissing`] when the configuration cannot work; nothing is sent.
    pub fn new(config: Config) -> Result<Client> {
        if config.zignsec.is_none() && config.securosys.is_none() && config.onespan.is_none() {
            return Err(Error::new(
                ErrorCode::AuthConfigMissing,
                "no provider is configured; add a \"zignsec\" section (or set \
                 SIGNBRIDGE_ZIGNSEC_KEY and SIGNBRIDGE_ZIGNSEC_URL), a \"securosys\" section or \
                 an \"onespan\" section (or set SIGNBRIDGE_ONESPAN_URL and \
                 SIGNBRIDGE_ONESPAN_API_KEY)",
            ));
        }
        let zignsec = config
            .zignsec
            .as_ref()
            .map(|z| ZignsecClient::new(z, &config.transport))
            .transpose()?;
        let securosys = config
            .securosys
            .as_ref()
            .map(|s| SecurosysClient::new(s, &config.transport))
            .transpose()?;
        let onespan = config
            .onespan
            .as_ref()
            .map(|o| OnespanClient::new(o, &config.transport))
            .transpose()?;
        Ok(Client {
            inner: Arc::new(Inner {
                zignsec,
                securosys,
                onespan,
                signing: config.signing.as_ref().and_then(|s| s.provider),
            }),
        })
    }

    /// A client configured from `SIGNBRIDGE_*` environment variables.
    pub fn from_env() -> Result<Client> {
        Client::new(Config::from_env()?)
    }

    /// The ZignSec gateway, or [`ErrorCode::AuthConfigMissing`] when it is not configured.
    pub fn zignsec(&self) -> Result<&ZignsecClient> {
        self.inner.zignsec.as_ref().ok_or_else(|| {
            Error::new(
                ErrorCode::AuthConfigMissing,
                "ZignSec is not configured in this client; add a \"zignsec\" section with keys",
            )
        })
    }

    /// The Securosys Primus HSM (TSB), or [`ErrorCode::AuthConfigMissing`] when it is not
    /// configured.
    pub fn securosys(&self) -> Result<&SecurosysClient> {
        self.inner.securosys.as_ref().ok_or_else(|| {
            Error::new(
                ErrorCode::AuthConfigMissing,
                "Securosys is not configured in this client; add a \"securosys\" section with \
                 base_url and api_keys",
            )
        })
    }

    /// OneSpan Sign, or [`ErrorCode::AuthConfigMissing`] when it is not configured.
    pub fn onespan(&self) -> Result<&OnespanClient> {
        self.inner.onespan.as_ref().ok_or_else(|| {
            Error::new(
                ErrorCode::AuthConfigMissing,
                "OneSpan is not configured in this client; add an \"onespan\" section with \
                 base_url (or environment) and one of api_key, client_app or oauth2",
            )
        })
    }

    /// Provider-neutral document signing ([`crate::signing`]) with the configured provider:
    /// `config.signing.provider`, else the only configured document-signing provider (ZignSec or
    /// OneSpan). Both configured and none chosen is [`ErrorCode::InvalidConfig`] (the message
    /// says how to choose); none configured is [`ErrorCode::AuthConfigMissing`].
    pub fn signing(&self) -> Result<SigningService> {
        let mut available = Vec::new();
        if self.inner.zignsec.is_some() {
            available.push(Provider::Zignsec);
        }
        if self.inner.onespan.is_some() {
            available.push(Provider::Onespan);
        }
        let provider = crate::signing::choose_provider(self.inner.signing, &available)?;
        self.signing_with(provider)
    }

    /// Provider-neutral document signing with `provider`, whatever the configuration chose;
    /// [`ErrorCode::AuthConfigMissing`] when that provider is not configured.
    pub fn signing_with(&self, provider: Provider) -> Result<SigningService> {
        SigningService::new(
            provider,
            self.inner.zignsec.as_ref(),
            self.inner.onespan.as_ref(),
        )
    }
}
