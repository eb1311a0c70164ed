//! Credentials, and how each kind is applied to a request.
//!
//! A provider's [`Credentials`] combine what its service documents: subscription keys rotated on
//! rejection, and/or a bearer token from an OAuth2 client-credentials grant (ZignSec sends both),
//! and/or role-based API keys with a static JWT (Securosys: each request carries only the key of
//! the role its endpoint needs, see [`RoleKeys`]), and/or a static API key sent as
//! `Authorization: Basic <key>` (OneSpan), or OneSpan Client App tokens ([`ClientAppType`]).
//! The transport asks for the headers of each attempt and reports back what the provider said,
//! through the [`crate::transport`]'s authenticator interface (implemented in `authenticate.rs`).
//! Credentials are only ever applied to requests for the origin they were configured for: the
//! transport checks the origin before it asks. Client certificates (mutual TLS) are part of the
//! transport's TLS configuration ([`ClientIdentity`]).

mod authenticate;
mod client_app;
mod identity;
mod keys;
mod oauth2;
mod roles;
mod secret;
mod token;
mod token_cache;

pub use crate::transport::{ClientIdentity, Role};
pub(crate) use client_app::ClientAppGrant;
pub use client_app::ClientAppType;
pub use identity::{ClientCertConfig, Pkcs12Source};
pub use keys::{KeyHeader, KeyRing};
pub use oauth2::OAuth2Config;
pub use roles::{RoleKeys, RoleKeysConfig, API_KEY_HEADER};
pub use secret::SecretSource;
pub use token::ClientAuth;
pub(crate) use token::{ClientCredentials, Endpoint, TokenOptions, TokenSource};

use http::{HeaderName, HeaderValue};
use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, Result};

/// Which key an attempt used, so a rejection can be answered with another one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CredentialSlot(pub(crate) usize);

/// What one attempt carried, so the transport can react to a rejection.
#[derive(Debug, Clone)]
pub(crate) struct Applied {
    pub token: Option<SecretString>,
}

/// Which key of which role an attempt used (role-based API keys).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RoleSlot {
    pub role: Role,
    pub idx: usize,
}

/// The credentials of one provider: any combination of the parts below.
#[derive(Default)]
pub struct Credentials {
    pub(crate) keys: Option<KeyRing>,
    pub(crate) bearer: Option<TokenSource>,
    /// Role-based API keys (`X-API-KEY`). `None`: API-key authentication is not used.
    pub(crate) roles: Option<RoleKeys>,
    /// A static bearer token (`Authorization: Bearer <jwt>`), sent as is, never parsed.
    pub(crate) jwt: Option<SecretString>,
    /// A static API key sent as `Authorization: Basic <key>`, the key as is (OneSpan).
    pub(crate) basic: Option<SecretString>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("keys", &self.keys)
            .field("bearer", &self.bearer)
            .field("roles", &self.roles)
            .field("jwt", &self.jwt.as_ref().map(|_| "[REDACTED]"))
            .field("basic", &self.basic.as_ref().map(|_| "[REDACTED]"))
            .finish()
    }
}

impl Credentials {
    /// Subscription keys only.
    pub fn keys(ring: KeyRing) -> Credentials {
        Credentials {
            keys: Some(ring),
            ..Credentials::default()
        }
    }

    /// Role-based API keys (`None`: none) and an optional static JWT. Fails when the JWT cannot
    /// be sent in a header.
    pub fn role_based(roles: Option<RoleKeys>, jwt: Option<SecretString>) -> Result<Credentials> {
        if let Some(j) = &jwt {
            let v = j.expose_secret();
            if v.is_empty()
                || v.trim() != v
                || HeaderValue::from_str(&format!("Bearer {v}")).is_err()
            {
                return Err(Error::invalid_config(
                    "the JWT contains characters that cannot be sent in a header (whitespace or \
                     control characters)",
                ));
            }
        }
        Ok(Credentials {
            roles,
            jwt,
            ..Credentials::default()
        })
    }

    /// A static API key sent as `Authorization: Basic <key>` exactly as given (OneSpan: the key
    /// is already the Basic credential, it is not encoded again). Fails when the key cannot be
    /// sent in a header; `field` names it in the error.
    pub fn basic_key(key: SecretString, field: &str) -> Result<Credentials> {
        let v = key.expose_secret();
        if v.is_empty()
            || v.chars().any(char::is_whitespace)
            || HeaderValue::from_str(&format!("Basic {v}")).is_err()
        {
            return Err(Error::invalid_config(format!(
                "{field} contains characters that cannot be sent in a header (whitespace or \
                 control characters); give the API key exactly as the OneSpan admin pages show it"
            )));
        }
        Ok(Credentials {
            basic: Some(key),
            ..Credentials::default()
        })
    }

    /// Bearer tokens from `source` only (OAuth2 client credentials, OneSpan Client App).
    pub(crate) fn bearer(source: TokenSource) -> Credentials {
        Credentials {
            bearer: Some(source),
            ..Credentials::default()
        }
    }

    /// The role key to start a request needing `role` with. `Ok(None)` when the request needs
    /// no role or API keys are not used; an [`crate::ErrorCode::AuthConfigMissing`] error when
    /// API keys are used but none is configured for `role`.
    pub(crate) fn first_role_slot(
        &self,
        role: Option<Role>,
        what: &str,
    ) -> Result<Option<RoleSlot>> {
        match (role, &self.roles) {
            (Some(role), Some(r)) => Ok(Some(RoleSlot {
                role,
                idx: r.first(role, what)?,
            })),
            _ => Ok(None),
        }
    }

    /// The next key of the same role after `rejected`, if one is left untried.
    pub(crate) fn next_role_slot(&self, rejected: RoleSlot, tried: usize) -> Option<RoleSlot> {
        let idx = self
            .roles
            .as_ref()?
            .next(rejected.role, rejected.idx, tried)?;
        Some(RoleSlot {
            role: rejected.role,
            idx,
        })
    }

    /// A scrubber that knows every secret of these credentials, in the forms they are sent in
    /// (see [`crate::scrub`]).
    pub(crate) fn scrubber(&self) -> crate::scrub::Scrubber {
        let mut s = crate::scrub::Scrubber::new();
        if let Some(k) = &self.keys {
            k.scrub_into(&mut s);
        }
        if let Some(r) = &self.roles {
            r.scrub_into(&mut s);
        }
        if let Some(j) = &self.jwt {
            s.secret(j.expose_secret());
        }
        if let Some(b) = &self.basic {
            s.basic_key(b.expose_secret());
        }
        if let Some(b) = &self.bearer {
            b.scrub_into(&mut s);
        }
        s
    }

    /// The role keys, when configured.
    pub(crate) fn roles(&self) -> Option<&RoleKeys> {
        self.roles.as_ref()
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

    /// Remember that `slot` (and the role key `role`, and the token `applied` carried) was
    /// accepted, so later requests start with it.
    pub(crate) fn accepted(
        &self,
        slot: Option<CredentialSlot>,
        role: Option<RoleSlot>,
        applied: Option<&Applied>,
    ) {
        if let (Some(b), Some(t)) = (&self.bearer, applied.and_then(|a| a.token.as_ref())) {
            b.accepted(t);
        }
        if let (Some(k), Some(s)) = (&self.keys, slot) {
            k.promote(s);
        }
        if let (Some(r), Some(s)) = (&self.roles, role) {
            r.promote(s.role, s.idx);
        }
    }

    /// Whether a bearer token is part of these credentials.
    pub(crate) fn has_bearer(&self) -> bool {
        self.bearer.is_some()
    }

    /// Forget a token the provider rejected.
    pub(crate) fn invalidate(&self, applied: &Applied) {
        if let (Some(b), Some(t)) = (&self.bearer, &applied.token) {
            b.invalidate(t);
        }
    }

    /// The provider rejected the token fetched to retry a call it had refused.
    pub(crate) fn rejected_fresh(&self, applied: &Applied) {
        if let (Some(b), Some(t)) = (&self.bearer, &applied.token) {
            b.rejected_fresh(t);
        }
    }

    /// The headers of one attempt (all marked sensitive), fetching a token if needed.
    pub(crate) async fn headers(
        &self,
        slot: Option<CredentialSlot>,
        role: Option<RoleSlot>,
    ) -> Result<(Vec<(HeaderName, HeaderValue)>, Applied)> {
        let mut out = Vec::new();
        let mut token = None;
        if let Some(j) = &self.jwt {
            if let Ok(mut v) = HeaderValue::from_str(&format!("Bearer {}", j.expose_secret())) {
                v.set_sensitive(true);
                out.push((http::header::AUTHORIZATION, v));
            }
        }
        if let Some(k) = &self.basic {
            if let Ok(mut v) = HeaderValue::from_str(&format!("Basic {}", k.expose_secret())) {
                v.set_sensitive(true);
                out.push((http::header::AUTHORIZATION, v));
            }
        }
        if let (Some(r), Some(s)) = (&self.roles, role) {
            out.extend(r.header(s.role, s.idx));
        }
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
