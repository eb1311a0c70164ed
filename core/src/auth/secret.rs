//! Secrets given in configuration either as a value or as a file to read.

use std::fmt;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use crate::error::{Error, Result};

/// A secret from the configuration: the value itself (`"..."`) or a file holding it
/// (`{"file": "/run/secrets/x"}`; surrounding whitespace is trimmed). Debug output shows the path,
/// never the value.
#[derive(Clone, Deserialize)]
#[serde(untagged)]
pub enum SecretSource {
    /// The secret itself.
    Value(SecretString),
    /// A file holding the secret.
    File {
        /// Path of the file.
        file: PathBuf,
    },
}

impl fmt::Debug for SecretSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSource::Value(_) => f.write_str("SecretSource::Value([REDACTED])"),
            SecretSource::File { file } => write!(f, "SecretSource::File({})", file.display()),
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
        }
    }
}
