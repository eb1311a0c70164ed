//! The `oauth2` object of a provider's configuration: an OAuth2 client-credentials grant whose
//! bearer tokens a [`super::TokenSource`] fetches, caches and refreshes (single-flight; a 401
//! invalidates the token and the call is retried once). ZignSec sends the token with its product
//! key; Securosys uses it as the JWT of every call.

use serde::Deserialize;
use url::Url;

use super::{ClientAuth, ClientCredentials, Endpoint, SecretSource};
use crate::error::{Error, Result};

/// An OAuth2 client-credentials grant (the `oauth2` object of a provider).
///
/// ```json
/// {"client_id": "signbridge", "client_secret": {"file": "/run/secrets/client-secret"},
///  "discovery_url": "https://idp.example.com/realms/x/.well-known/openid-configuration",
///  "client_auth": "basic", "scope": "tsb"}
/// ```
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OAuth2Config {
    /// The client id the provider issued.
    pub client_id: String,
    /// The client secret: the value, or `{"file": "/path"}`.
    pub client_secret: SecretSource,
    /// The OpenID configuration URL naming the token endpoint. ZignSec's default is
    /// `{gateway}/auth/realms/zignsec/.well-known/openid-configuration`; Securosys has none (set
    /// this or `token_url`).
    #[serde(default)]
    pub discovery_url: Option<String>,
    /// The OpenID issuer (e.g. `https://idp.example.com/realms/x`): discovery then reads
    /// `{issuer}/.well-known/openid-configuration`. An alternative to `discovery_url`.
    #[serde(default)]
    pub issuer: Option<String>,
    /// A token endpoint to use as is (skips discovery; may be on another host).
    #[serde(default)]
    pub token_url: Option<String>,
    /// `basic` (default) or `post`.
    #[serde(default)]
    pub client_auth: ClientAuth,
    /// Scope to ask for (none by default).
    #[serde(default)]
    pub scope: Option<String>,
}

impl OAuth2Config {
    /// The grant with its secret read. `field` names the object in errors (`securosys.oauth2`);
    /// `default_discovery` is used when neither `token_url` nor `discovery_url` is set (without
    /// one that is an [`crate::ErrorCode::InvalidConfig`] error).
    pub(crate) fn grant(
        &self,
        field: &str,
        default_discovery: Option<Url>,
    ) -> Result<ClientCredentials> {
        let parse = |name: &str, raw: &str| {
            // The value is not shown: a URL may carry a password or a key.
            let u = Url::parse(raw).map_err(|e| {
                Error::invalid_config(format!(
                    "{field}.{name} is not a URL ({e}); give an absolute https:// URL"
                ))
            })?;
            let loopback = crate::transport::is_loopback(&u);
            match u.scheme() {
                "https" => Ok(u),
                "http" if loopback => Ok(u),
                _ => Err(Error::invalid_config(format!(
                    "{field}.{name} must be an https:// URL (plain http only to loopback, the \
                     simulator): the client secret and tokens would travel unencrypted"
                ))),
            }
        };
        if self.discovery_url.is_some() && self.issuer.is_some() {
            return Err(Error::invalid_config(format!(
                "{field} has both discovery_url and issuer; give one of them"
            )));
        }
        let issuer = match &self.issuer {
            Some(i) => Some(issuer_discovery(&parse("issuer", i)?, field)?),
            None => None,
        };
        let default_discovery = issuer.or(default_discovery);
        let endpoint = match (&self.token_url, &self.discovery_url, default_discovery) {
            (Some(t), _, _) => Endpoint::Fixed(parse("token_url", t)?),
            (None, Some(d), _) => Endpoint::Discover(parse("discovery_url", d)?),
            (None, None, Some(d)) => Endpoint::Discover(d),
            (None, None, None) => {
                return Err(Error::invalid_config(format!(
                    "{field} needs token_url (the token endpoint), issuer or discovery_url (the \
                     OpenID configuration naming it)"
                )))
            }
        };
        Ok(ClientCredentials {
            endpoint,
            client_id: self.client_id.clone(),
            client_secret: self
                .client_secret
                .resolve(&format!("{field}.client_secret"))?,
            auth: self.client_auth,
            scope: self.scope.clone(),
        })
    }
}

/// The OpenID configuration URL of `issuer`: `{issuer}/.well-known/openid-configuration`
/// (OpenID Connect Discovery 1.0 §4; an issuer with a path keeps it).
fn issuer_discovery(issuer: &Url, field: &str) -> Result<Url> {
    if issuer.query().is_some() || issuer.fragment().is_some() || issuer.cannot_be_a_base() {
        return Err(Error::invalid_config(format!(
            "{field}.issuer must be a plain https:// URL without query or fragment"
        )));
    }
    let mut u = issuer.clone();
    let path = format!(
        "{}/.well-known/openid-configuration",
        issuer.path().trim_end_matches('/')
    );
    u.set_path(&path);
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    fn cfg(json: &str) -> OAuth2Config {
        serde_json::from_str(json).expect("json")
    }

    fn refused(r: Result<ClientCredentials>) -> crate::Error {
        match r {
            Ok(_) => panic!("expected a configuration error"),
            Err(e) => e,
        }
    }

    #[test]
    fn endpoint_choice_and_errors_name_the_field() {
        let g = cfg(r#"{"client_id":"c","client_secret":"s","token_url":"https://a/t","discovery_url":"https://b/d"}"#)
            .grant("securosys.oauth2", None)
            .expect("grant");
        assert!(matches!(g.endpoint, Endpoint::Fixed(ref u) if u.as_str() == "https://a/t"));
        let d = Url::parse("https://gw/.well-known/openid-configuration").expect("url");
        let g = cfg(r#"{"client_id":"c","client_secret":"s"}"#)
            .grant("zignsec.oauth2", Some(d.clone()))
            .expect("default");
        assert!(matches!(g.endpoint, Endpoint::Discover(ref u) if *u == d));
        // An issuer is discovered at {issuer}/.well-known/openid-configuration.
        for issuer in [
            "https://idp.example/realms/x",
            "https://idp.example/realms/x/",
        ] {
            let g = cfg(&format!(
                r#"{{"client_id":"c","client_secret":"s","issuer":"{issuer}"}}"#
            ))
            .grant("zignsec.oauth2", Some(d.clone()))
            .expect("issuer");
            assert!(
                matches!(g.endpoint, Endpoint::Discover(ref u)
                    if u.as_str() == "https://idp.example/realms/x/.well-known/openid-configuration"),
                "{issuer}"
            );
        }
        let both = r#"{"client_id":"c","client_secret":"s","issuer":"https://i","discovery_url":"https://d"}"#;
        assert!(refused(cfg(both).grant("zignsec.oauth2", None))
            .message()
            .contains("discovery_url and issuer"));
        let e = refused(
            cfg(r#"{"client_id":"c","client_secret":"s"}"#).grant("securosys.oauth2", None),
        );
        assert_eq!(e.code(), ErrorCode::InvalidConfig);
        assert!(e.message().contains("securosys.oauth2"), "{}", e.message());
        let e = refused(
            cfg(r#"{"client_id":"c","client_secret":"","token_url":"https://a/t"}"#)
                .grant("securosys.oauth2", None),
        );
        assert!(
            e.message().contains("securosys.oauth2.client_secret"),
            "{}",
            e.message()
        );
        let e = refused(
            cfg(r#"{"client_id":"c","client_secret":"s","token_url":"not a url"}"#)
                .grant("securosys.oauth2", None),
        );
        assert!(e.message().contains("securosys.oauth2.token_url"));
        assert!(serde_json::from_str::<OAuth2Config>(
            r#"{"client_id":"c","client_secret":"s","tokenUrl":"x"}"#
        )
        .is_err());
        let dbg = format!(
            "{:?}",
            cfg(r#"{"client_id":"c","client_secret":"top-secret-value"}"#)
        );
        assert!(!dbg.contains("top-secret-value"), "{dbg}");
    }
}
