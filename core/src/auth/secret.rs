//! Secrets given in configuration either as a value or as a file to read.

use std::fmt;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::error::{Error, Result};

/// A secret from the configuration: the value itself (`"..."`), a file holding it
/// (`{"file": "/run/secrets/x"}`; surrounding whitespace is trimmed) or an environment variable
/// (`{"env": "VARIABLE"}`). Debug output shows the path or the variable's name, never the value.
#[derive(Clone, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum SecretSource {
    /// The secret itself.
    Value(#[schemars(with = "String")] SecretString),
    /// A file holding the secret.
    File {
        /// Path of the file.
        file: PathBuf,
    },
    /// An environment variable holding the secret.
    Env {
        /// Name of the variable.
        env: String,
    },
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Value(_) => f.write_str("SecretSource::Value([REDACTED])"),
            SecretSource::File { file } => write!(f, "SecretSource::File({})", file.display()),
            SecretSource::Env { env } => write!(f, "SecretSource::Env({env})"),
        }
    }
}

impl From<&str> for SecretSource {
    fn from(s: &str) -> Self {
        SecretSource::Value(SecretString::from(s.to_string()))
    }
}

impl SecretSource {
    /// The secret, reading the file if needed. `field` names it in errors.
    pub fn resolve(&self, field: &str) -> Result<SecretString> {
        match self {
            SecretSource::Value(v) => {
                if v.expose_secret().is_empty() {
                    return Err(Error::invalid_config(format!("{field} is empty")));
                }
                Ok(v.clone())
            }
            SecretSource::File { file } => {
                let text = std::fs::read_to_string(file).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::InvalidData {
                        return Error::invalid_config(format!(
                            "{field}: {} is binary, not text (a PKCS#12 .p12/.pfx certificate \
                             goes in client_cert.pkcs12, with client_cert.password)",
                            file.display()
                        ));
                    }
                    Error::invalid_config(format!("{field}: cannot read {}: {e}", file.display()))
                })?;
                let trimmed = text.trim();
                if trimmed.is_empty() {
                    return Err(Error::invalid_config(format!(
                        "{field}: {} is empty",
                        file.display()
                    )));
                }
                Ok(SecretString::from(trimmed.to_string()))
            }
            SecretSource::Env { env } => match std::env::var(env) {
                Ok(v) if !v.is_empty() => Ok(SecretString::from(v)),
                Ok(_) => Err(Error::invalid_config(format!(
                    "{field}: the environment variable {env} is empty"
                ))),
                Err(_) => Err(Error::invalid_config(format!(
                    "{field}: the environment variable {env} is not set (or not UTF-8)"
                ))),
            },
        }
    }
}
