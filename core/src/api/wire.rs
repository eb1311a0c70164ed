//! Pieces of the operation table's JSON: bytes as base64, and the wait settings of long-running
//! operations.

use std::time::Duration;

use base64::Engine as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::CallContext;
use crate::error::{Error, ErrorCode, Result};
use crate::session::WaitOptions;

/// Bytes, written in JSON as standard base64 text (with padding; whitespace is ignored when
/// read).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Base64(pub Vec<u8>);

impl std::fmt::Debug for Base64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Base64({} bytes)", self.0.len())
    }
}

impl Serialize for Base64 {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        // Line breaks (a PEM-style wrapped text) are allowed; most texts have none, and are
        // decoded as they are rather than copied first.
        let mut bytes = text.into_bytes();
        if bytes.iter().any(u8::is_ascii_whitespace) {
            bytes.retain(|b| !b.is_ascii_whitespace());
        }
        base64::engine::general_purpose::STANDARD
            .decode(&bytes)
            .map(Base64)
            .map_err(|_| serde::de::Error::custom("not base64 text (standard alphabet, padded)"))
    }
}

impl schemars::JsonSchema for Base64 {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Base64".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "contentEncoding": "base64",
            "description": "Bytes as standard base64 text (padded)."
        })
    }
}

/// The JSON Schema of an open set of names (`KeySpec`, `PackageStatus`…): a string, the known
/// spellings as examples, any other spelling kept as given.
pub fn open_set_schema(known: &[&str]) -> schemars::Schema {
    schemars::json_schema!({
        "type": "string",
        "description": "One of the known values (see examples; case-insensitive), or another the provider uses.",
        "examples": known
    })
}

/// The wait settings of a long-running operation's request.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct WaitFields {
    /// Time between two polls, in milliseconds (default: the provider's recommendation).
    pub interval_ms: Option<u64>,
    /// Give up after this long with `SB_ERR_TIMEOUT` (default: wait until a final state).
    pub timeout_ms: Option<u64>,
}

/// Longest wait setting accepted (a year): beyond it a number is a mistake.
const MAX_WAIT_MS: u64 = 365 * 24 * 3600 * 1000;

impl WaitFields {
    /// The wait options of `op`: these settings, the context's cancel token, and its progress
    /// callback given each polled state as JSON.
    pub(crate) fn options<T: Serialize + Send + Sync + 'static>(
        &self,
        op: &str,
        ctx: &CallContext,
    ) -> Result<WaitOptions<T>> {
        let check = |field: &str, v: Option<u64>| -> Result<Option<Duration>> {
            match v {
                Some(ms) if ms == 0 || ms > MAX_WAIT_MS => Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!(
                        "{op}: request.{field} must be between 1 and {MAX_WAIT_MS} milliseconds, \
                         got {ms}"
                    ),
                )),
                Some(ms) => Ok(Some(Duration::from_millis(ms))),
                None => Ok(None),
            }
        };
        let mut opts = WaitOptions::<T>::default();
        if let Some(i) = check("interval_ms", self.interval_ms)? {
            opts.interval = i;
        }
        opts.timeout = check("timeout_ms", self.timeout_ms)?;
        opts.cancel = ctx.cancel.clone();
        if let Some(progress) = ctx.progress.clone() {
            opts.on_progress = Some(std::sync::Arc::new(move |state: &T| {
                if let Ok(v) = serde_json::to_value(state) {
                    progress(&v);
                }
            }));
        }
        Ok(opts)
    }
}

#[cfg(test)]
mod tests {
    use super::Base64;

    fn decode(text: &str) -> Result<Vec<u8>, serde_json::Error> {
        serde_json::from_value::<Base64>(serde_json::Value::String(text.into())).map(|b| b.0)
    }

    #[test]
    fn base64_text_is_decoded_with_or_without_line_breaks() {
        assert_eq!(decode("JVBERi0xLjQ=").expect("plain"), b"%PDF-1.4");
        assert_eq!(
            decode("JVBE\r\nRi0x\nLjQ=\n").expect("wrapped"),
            b"%PDF-1.4"
        );
        assert_eq!(decode("").expect("empty"), b"");
        let e = decode("JVBERi0xLjQ").expect_err("unpadded");
        assert!(e.to_string().contains("not base64 text"), "{e}");
        assert!(decode("%PDF").is_err());
    }
}
