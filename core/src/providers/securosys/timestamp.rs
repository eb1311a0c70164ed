//! RFC 3161 time stamps from the TSB (`POST /v1/createRfcTimestamp`, key-operation role).
//!
//! PROPOSAL: the contract gives only `{"payload": b64, "hashAlgorithm": "SHA256"}` →
//! `{"timestamp": b64}`. The client sends the digest of the data as `payload` (the message
//! imprint a time-stamp request carries) and reads `timestamp` as a DER TimeStampToken (CMS
//! SignedData over a TSTInfo), which `openssl ts -verify -token_in` checks.

use serde_json::{json, Value};
use sha2::{Digest as _, Sha256, Sha384, Sha512};

use super::api::{b64, b64_decode, parse};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::transport::Request;

/// The digest of a time stamp's message imprint (`hashAlgorithm`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
pub enum TimestampHash {
    /// SHA-256 (default).
    #[default]
    #[serde(rename = "SHA256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA384")]
    Sha384,
    /// SHA-512.
    #[serde(rename = "SHA512")]
    Sha512,
}

impl TimestampHash {
    fn name(self) -> &'static str {
        match self {
            TimestampHash::Sha256 => "SHA256",
            TimestampHash::Sha384 => "SHA384",
            TimestampHash::Sha512 => "SHA512",
        }
    }

    fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            TimestampHash::Sha256 => Sha256::digest(data).to_vec(),
            TimestampHash::Sha384 => Sha384::digest(data).to_vec(),
            TimestampHash::Sha512 => Sha512::digest(data).to_vec(),
        }
    }
}

impl SecurosysClient {
    /// An RFC 3161 time-stamp token (DER) over `data`, hashed here with `hash`
    /// (`POST /v1/createRfcTimestamp`, key-operation role). The data never leaves the machine;
    /// only its digest is sent.
    pub async fn create_rfc_timestamp(&self, data: &[u8], hash: TimestampHash) -> Result<Vec<u8>> {
        let body = json!({"payload": b64(&hash.digest(data)), "hashAlgorithm": hash.name()});
        let what = "create RFC 3161 time stamp";
        let r = Request::post_json(self.url("v1/createRfcTimestamp")?, &body, what)?
            .idempotent(true)
            .with_role(Role::KeyOperation);
        let v: Value = parse(&self.send(r).await?, what)?;
        let t = v
            .get("timestamp")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::protocol("the answer to create time stamp has no timestamp"))?;
        b64_decode(t, "timestamp")
    }
}
