//! [`Client`]: the entry point. Cheap to clone, `Send + Sync`, built from a [`Config`].

use std::sync::Arc;

use crate::config::Config;
use crate::error::{Error, ErrorCode, Result};
use crate::providers::zignsec::ZignsecClient;

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
}

impl Client {
    /// Build a client. Fails with [`ErrorCode::InvalidConfig`] or
    /// [`ErrorCode::AuthConfigMissing`] when the configuration cannot work; nothing is sent.
    pub fn new(config: Config) -> Result<Client> {
        if config.zignsec.is_none() {
            return Err(Error::new(
                ErrorCode::AuthConfigMissing,
                "no provider is configured; add a \"zignsec\" section (or set \
                 SIGNBRIDGE_ZIGNSEC_KEY and SIGNBRIDGE_ZIGNSEC_URL)",
            ));
        }
        let zignsec = config
            .zignsec
            .as_ref()
            .map(|z| ZignsecClient::new(z, &config.transport))
            .transpose()?;
        Ok(Client {
            inner: Arc::new(Inner { zignsec }),
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
}
