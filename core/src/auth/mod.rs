//! Credentials, and how each kind is applied to a request.
//!
//! A provider's [`Credentials`] combine what its service documents: subscription keys rotated on
//! rejection, and/or a bearer token from an OAuth2 client-credentials grant (ZignSec sends both).
//! The transport asks for the headers of each attempt and reports back what the provider said.
//! Credentials are only ever applied to requests for the origin they were configured for: the
//! transport checks the origin before it asks. Client certificates (mutual TLS) are part of the
//! transport's TLS configuration ([`ClientIdentity`]).

mod identity;
mod keys;
mod secret;
mod token;

pub use identity::{ClientCertConfig, ClientIdentity};
pub use keys::{KeyHeader, KeyRing};
pub use secret::SecretSource;
pub use token::ClientAuth;
pub(crate) use token::{ClientCredentials, Endpoint, TokenSource};

use http::{HeaderName, HeaderValue};
use secrecy::SecretString;

use crate::error::Result;

/// Which key an attempt used, so a rejection can be answered with another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialSlot(pub(crate) usize);

/// What one attempt carried, so the transport can react to a rejection.
#[derive(Debug, Clone)]
pub(crate) struct Applied {
    pub token: Option<SecretString>,
}

/// The credentials of one provider.
#[derive(Debug, Default)]
pub struct Credentials {
    pub(crate) keys: Option<KeyRing>,
    pub(crate) bearer: Option<TokenSource>,
}

impl Credentials {
    /// Subscription keys only.
    pub fn keys(ring: KeyRing) -> Credentials {
        Credentials {
            keys: Some(ring),
            bearer: None,
        }
    }

    pub(crate) fn with_bearer(mut self, source: TokenSource) -> Credentials {
        self.bearer = Some(source);
        self
    }

    /// The key slot to start a new request with.
    pub(crate) fn first_slot(&self) -> Option<CredentialSlot> {
        self.keys.as_ref().map(|k| k.active_slot())
    }

    /// Another key to try after `rejected` was refused, if any is left untried.
    pub(crate) fn next_slot(
        &self,
        rejected: CredentialSlot,
        tried: usize,
    ) -> Option<CredentialSlot> {
        self.keys.as_ref()?.next_slot(rejected, tried)
    }

    /// How many keys can be tried for one request.
    pub(crate) fn key_count(&self) -> usize {
        self.keys.as_ref().map_or(0, |k| k.len())
    }

    /// Remember that `slot` was accepted, so later requests start with it.
    pub(crate) fn accepted(&self, slot: Option<CredentialSlot>) {
        if let (Some(k), Some(s)) = (&self.keys, slot) {
            k.promote(s);
        }
    }

    /// Whether a bearer token is part of these credentials.
    pub(crate) fn has_bearer(&self) -> bool {
        self.bearer.is_some()
    }

    /// Forget a token the provider rejected.
    pub(crate) async fn invalidate(&self, applied: &Applied) {
        if let (Some(b), Some(t)) = (&self.bearer, &applied.token) {
            b.invalidate(t).await;
        }
    }

    /// The headers of one attempt (all marked sensitive), fetching a token if needed.
    pub(crate) async fn headers(
        &self,
        slot: Option<CredentialSlot>,
    ) -> Result<(Vec<(HeaderName, HeaderValue)>, Applied)> {
        let mut out = Vec::new();
        let mut token = None;
        if let Some(b) = &self.bearer {
            // Boxed: fetching a token goes through a transport, whose requests ask for headers.
            let t = Box::pin(b.token()).await?;
            if let Some(h) = TokenSource::header(&t) {
                out.push(h);
            }
            token = Some(t);
        }
        if let (Some(k), Some(s)) = (&self.keys, slot) {
            out.extend(k.headers(s));
        }
        Ok((out, Applied { token }))
    }
}
