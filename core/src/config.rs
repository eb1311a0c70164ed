//! The one configuration schema, shared by Rust, C (as JSON), Python (as keyword arguments or a
//! dict) and Node (as an object).
//!
//! ```json
//! {
//!   "zignsec": {
//!     "environment": "test",
//!     "base_url": "http://127.0.0.1:8080",
//!     "keys": ["<primary>", "<secondary>"],
//!     "key_header": "product-key"
//!   },
//!   "transport": { "request_timeout_ms": 60000, "ca_file": "/etc/my-ca.pem" }
//! }
//! ```
//!
//! A `securosys` section (see [`SecurosysConfig`]) configures the Securosys Primus HSM: its
//! `base_url`, role-based `api_keys`, `jwt` and `client_cert`. An `onespan` section (see
//! [`OnespanConfig`]) configures OneSpan Sign: `base_url` or `environment`, and exactly one of
//! `api_key`, `client_app` and `oauth2`.
//!
//! Unknown fields are refused (a misspelt field would otherwise be silently ignored).

use std::path::Path;

use secrecy::SecretString;
use serde::Deserialize;

use crate::auth::{KeyHeader, SecretSource};
use crate::error::{Error, Result};
use crate::providers::onespan::OnespanConfig;
use crate::providers::securosys::SecurosysConfig;
use crate::providers::zignsec::{Environment, ZignsecConfig};
use crate::signing::SigningConfig;
use crate::transport::TransportConfig;

/// Environment variables read by [`Config::from_env`].
pub mod env {
    /// Primary ZignSec subscription key.
    pub const ZIGNSEC_KEY: &str = "SIGNBRIDGE_ZIGNSEC_KEY";
    /// Secondary ZignSec subscription key (for zero-downtime rotation).
    pub const ZIGNSEC_SECONDARY_KEY: &str = "SIGNBRIDGE_ZIGNSEC_SECONDARY_KEY";
    /// `test` (default) or `prod`.
    pub const ZIGNSEC_ENV: &str = "SIGNBRIDGE_ZIGNSEC_ENV";
    /// Gateway base URL overriding the environment (e.g. the simulator).
    pub const ZIGNSEC_URL: &str = "SIGNBRIDGE_ZIGNSEC_URL";
    /// `product-key` (default) or `authorization` (legacy).
    pub const ZIGNSEC_KEY_HEADER: &str = "SIGNBRIDGE_ZIGNSEC_KEY_HEADER";
    /// PEM file of extra trusted CA certificates.
    pub const CA_FILE: &str = "SIGNBRIDGE_CA_FILE";
    /// Per-request timeout in milliseconds.
    pub const REQUEST_TIMEOUT_MS: &str = "SIGNBRIDGE_REQUEST_TIMEOUT_MS";
    /// OneSpan Sign web base URL (`https://sandbox.esignlive.com`, or the simulator).
    pub const ONESPAN_URL: &str = "SIGNBRIDGE_ONESPAN_URL";
    /// OneSpan Sign API key (sent as `Authorization: Basic <key>`).
    pub const ONESPAN_API_KEY: &str = "SIGNBRIDGE_ONESPAN_API_KEY";
}

/// The configuration of a [`crate::Client`]: one optional section per provider, plus transport
/// settings shared by all of them.
#[derive(Debug, Clone, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// ZignSec gateway settings.
    #[serde(default)]
    pub zignsec: Option<ZignsecConfig>,
    /// Securosys Primus HSM (TSB REST API) settings.
    #[serde(default)]
    pub securosys: Option<SecurosysConfig>,
    /// OneSpan Sign settings.
    #[serde(default)]
    pub onespan: Option<OnespanConfig>,
    /// Which provider the provider-neutral [`crate::Client::signing`] uses:
    /// `{"signing": {"provider": "zignsec" | "onespan"}}`. Needed only when both are configured.
    #[serde(default)]
    pub signing: Option<SigningConfig>,
    /// Timeouts, retries and trusted CAs.
    #[serde(default)]
    pub transport: TransportConfig,
}

impl Config {
    /// The JSON Schema of the configuration, in its JSON spelling (snake_case keys): what
    /// `from_json` and `from_value` read, with every field's documentation. The Node typings of
    /// `new Client(config)` are generated from it (camelCase).
    pub fn json_schema() -> schemars::Schema {
        schemars::schema_for!(Config)
    }

    /// Parse the JSON form of the schema.
    pub fn from_json(text: &str) -> Result<Config> {
        serde_json::from_str(text).map_err(|e| {
            Error::invalid_config(format!(
                "configuration JSON is invalid: {}",
                redact_values(&e.to_string())
            ))
        })
    }

    /// Parse any serde value of the schema (used by the Python and Node wrappers).
    pub fn from_value(value: serde_json::Value) -> Result<Config> {
        serde_json::from_value(value).map_err(|e| {
            Error::invalid_config(format!(
                "configuration is invalid: {}",
                redact_values(&e.to_string())
            ))
        })
    }

    /// Parse the schema as JavaScript spells objects: camelCase keys (`baseUrl`, `keyHeader`,
    /// `apiKeys.keyManagement`), as the Node addon's `new Client({...})` takes them (snake_case
    /// keys are accepted as well). A key given in both spellings is refused; errors name the
    /// fields in camelCase.
    pub fn from_camel_case_value(value: serde_json::Value) -> Result<Config> {
        let value = crate::naming::snake_case_keys(value)
            .map_err(|e| Error::invalid_config(format!("configuration is invalid: {e}")))?;
        Config::from_value(value).map_err(|e| {
            Error::invalid_config(crate::naming::camel_case_config_message(e.message()))
        })
    }

    /// Read a JSON configuration file.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Config> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        Config::from_json(&text)
            .map_err(|e| Error::invalid_config(format!("{}: {}", path.display(), e.message())))
    }

    /// Build a configuration from `SIGNBRIDGE_*` environment variables (see [`env`](mod@env)). Providers
    /// without variables are left unconfigured.
    pub fn from_env() -> Result<Config> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// [`Config::from_env`] over any variable source (testable without touching the process env).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let mut cfg = Config::default();
        let keys: Vec<SecretSource> = [env::ZIGNSEC_KEY, env::ZIGNSEC_SECONDARY_KEY]
            .iter()
            .filter_map(|k| get(k))
            .map(|v| SecretSource::Value(SecretString::from(v)))
            .collect();
        let url = get(env::ZIGNSEC_URL);
        let envname = get(env::ZIGNSEC_ENV);
        if !keys.is_empty() || url.is_some() || envname.is_some() {
            let environment = match envname {
                Some(e) => Environment::parse(&e).ok_or_else(|| {
                    Error::invalid_config(format!(
                        "{} must be 'test' or 'prod', got {e:?}",
                        env::ZIGNSEC_ENV
                    ))
                })?,
                None => Environment::Test,
            };
            let key_header = match get(env::ZIGNSEC_KEY_HEADER) {
                Some(h) => KeyHeader::parse(&h).ok_or_else(|| {
                    Error::invalid_config(format!(
                        "{} must be 'product-key' or 'authorization', got {h:?}",
                        env::ZIGNSEC_KEY_HEADER
                    ))
                })?,
                None => KeyHeader::default(),
            };
            cfg.zignsec = Some(ZignsecConfig {
                environment,
                base_url: url,
                keys,
                key_header,
                ..ZignsecConfig::default()
            });
        }
        let onespan_url = get(env::ONESPAN_URL);
        let onespan_key = get(env::ONESPAN_API_KEY);
        if onespan_url.is_some() || onespan_key.is_some() {
            cfg.onespan = Some(OnespanConfig {
                base_url: onespan_url,
                api_key: onespan_key.map(|k| SecretSource::Value(SecretString::from(k))),
                ..OnespanConfig::default()
            });
        }
        if let Some(ca) = get(env::CA_FILE) {
            cfg.transport.ca_file = Some(ca.into());
        }
        if let Some(t) = get(env::REQUEST_TIMEOUT_MS) {
            cfg.transport.request_timeout_ms = t.parse().map_err(|_| {
                Error::invalid_config(format!(
                    "{} must be a number of milliseconds, got {t:?}",
                    env::REQUEST_TIMEOUT_MS
                ))
            })?;
        }
        Ok(cfg)
    }
}

/// serde quotes offending values in its messages (`invalid type: string "..."`, `invalid
/// type: integer `12345``); a misplaced key would end up in an error. Every double-quoted
/// string (escaped quotes inside it included) becomes `"<redacted>"`, and so does a
/// backtick-quoted number or character; field names, which serde quotes with backticks too, are
/// kept — except the value of `unknown variant `...`, expected ...` (a key given as
/// `environment`, say).
pub(crate) fn redact_values(msg: &str) -> String {
    let mut msg = msg.to_string();
    if let Some(start) = msg
        .find("unknown variant `")
        .map(|i| i + "unknown variant `".len())
    {
        if let Some(len) = msg[start..]
            .rfind("`, expected")
            .or_else(|| msg[start..].rfind("`, there are no variants"))
        {
            msg.replace_range(start..start + len, "<redacted>");
        }
    }
    let mut out = String::with_capacity(msg.len());
    let mut rest = msg.as_str();
    while let Some(i) = rest.find(['"', '`']) {
        out.push_str(&rest[..i]);
        let quote = &rest[i..i + 1];
        let after = &rest[i + 1..];
        if quote == "\"" {
            // Up to the closing quote that is not escaped (serde writes strings as Debug does).
            let mut end = None;
            let mut escaped = false;
            for (j, c) in after.char_indices() {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => {
                        end = Some(j);
                        break;
                    }
                    _ => {}
                }
            }
            out.push_str("\"<redacted>\"");
            match end {
                Some(j) => rest = &after[j + 1..],
                None => return out,
            }
        } else {
            let Some(j) = after.find('`') else {
                out.push_str(rest);
                return out;
            };
            let inner = &after[..j];
            let before = out.trim_end();
            let value = inner.trim().parse::<f64>().is_ok()
                || before.ends_with("integer")
                || before.ends_with("floating point")
                || before.ends_with("character");
            out.push('`');
            out.push_str(if value { "<redacted>" } else { inner });
            out.push('`');
            rest = &after[j + 1..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_schema_and_unknown_fields() {
        let c = Config::from_json(
            r#"{"zignsec":{"base_url":"http://127.0.0.1:1","keys":["k1","k2"],"key_header":"authorization"}}"#,
        )
        .expect("valid");
        let z = c.zignsec.expect("zignsec");
        assert_eq!(z.keys.len(), 2);
        assert_eq!(z.key_header, KeyHeader::Authorization);
        let e = Config::from_json(r#"{"zignsec":{"kyes":["topsecret"]}}"#).expect_err("typo");
        assert!(e.message().contains("kyes"));
        assert!(!e.message().contains("topsecret"));
        let e = Config::from_json(r#"{"zignsec":{"keys":"topsecret"}}"#).expect_err("wrong type");
        assert!(!e.message().contains("topsecret"), "{}", e.message());
        assert!(e.message().contains("<redacted>"), "{}", e.message());
        let e = Config::from_json(r#"{"zignsec":{"keys":[1]}}"#).expect_err("wrong type");
        assert_eq!(e.code(), crate::ErrorCode::InvalidConfig);
    }

    #[test]
    fn misplaced_values_never_reach_the_message() {
        for (doc, secret) in [
            // A numeric key where a string (or a list) belongs: serde quotes it in backticks.
            (r#"{"zignsec":{"keys":[73914285016]}}"#, "73914285016"),
            (r#"{"zignsec":{"keys":73914285016}}"#, "73914285016"),
            (
                r#"{"transport":{"max_attempts":"73914285016"}}"#,
                "73914285016",
            ),
            (
                r#"{"transport":{"max_attempts":-73914285016}}"#,
                "73914285016",
            ),
            (
                r#"{"transport":{"request_timeout_ms":7391.4285016}}"#,
                "4285016",
            ),
            // A key with a quote in it: the part after the quote is not shown either.
            (r#"{"zignsec":{"keys":"top\"SECRET-tail"}}"#, "SECRET-tail"),
            (
                r#"{"zignsec":{"environment":"top\"SECRET-tail"}}"#,
                "SECRET-tail",
            ),
            (
                r#"{"zignsec":{"keys":"a\\\"SECRET-tail\\"}}"#,
                "SECRET-tail",
            ),
        ] {
            let e = Config::from_json(doc).expect_err(doc);
            assert_eq!(e.code(), crate::ErrorCode::InvalidConfig, "{doc}");
            assert!(!e.message().contains(secret), "{doc}: {}", e.message());
        }
        // Field names stay: they say what to fix.
        let e = Config::from_json(r#"{"transport":{"max_atempts":1}}"#).expect_err("typo");
        assert!(e.message().contains("`max_atempts`"), "{}", e.message());
        assert!(e.message().contains("`max_attempts`"), "{}", e.message());
    }

    #[test]
    fn env_lookup() {
        let vars = |k: &str| match k {
            env::ZIGNSEC_KEY => Some("p".to_string()),
            env::ZIGNSEC_ENV => Some("PROD".to_string()),
            _ => None,
        };
        let c = Config::from_lookup(vars).expect("valid");
        let z = c.zignsec.expect("zignsec");
        assert_eq!(z.environment, Environment::Prod);
        assert_eq!(z.keys.len(), 1);
        let bad = |k: &str| (k == env::ZIGNSEC_ENV).then(|| "staging".to_string());
        assert!(Config::from_lookup(bad).is_err());
        assert!(Config::from_lookup(|_| None)
            .expect("empty")
            .zignsec
            .is_none());
    }

    #[test]
    fn onespan_env_lookup() {
        let vars = |k: &str| match k {
            env::ONESPAN_URL => Some("http://127.0.0.1:9".to_string()),
            env::ONESPAN_API_KEY => Some("k3y".to_string()),
            _ => None,
        };
        let o = Config::from_lookup(vars)
            .expect("valid")
            .onespan
            .expect("onespan");
        assert_eq!(o.base_url.as_deref(), Some("http://127.0.0.1:9"));
        assert!(o.api_key.is_some() && o.client_app.is_none() && o.oauth2.is_none());
        assert!(Config::from_lookup(|_| None)
            .expect("empty")
            .onespan
            .is_none());
    }
}
