//! Verifying webhook deliveries (`new WebhookVerifier(secrets)`): a thin translation of
//! `signbridge::webhook::WebhookVerifier`, so an HTTP handler authenticates a delivery with one
//! synchronous call. Nothing here touches the network.

use std::time::Duration;

use napi::bindgen_prelude::Unknown;
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use signbridge::webhook as core;

use crate::args::{self, Obj};
use crate::errors::{self, type_error, Kind};
use crate::types::WebhookEvent;

/// The header ZignSec signs deliveries with: `'X-ZignSec-Hmac-SHA256'`
/// (`req.get(SIGNATURE_HEADER)` in Express).
#[napi]
pub const SIGNATURE_HEADER: &str = core::SIGNATURE_HEADER;

/// Verifies webhook deliveries against one or more secrets (give the old and the new one during
/// a rotation). Keep one verifier per endpoint for the life of the process: it remembers the
/// deliveries it accepted, to refuse replays.
#[napi]
pub struct WebhookVerifier {
    inner: core::WebhookVerifier,
}

/// The signature header as given: absent (`undefined`/`null`, as `req.get()` returns for a
/// missing header) is the empty header, which the core refuses as `SB_ERR_WEBHOOK_INVALID`.
fn read_header(env: &Env, v: Unknown<'_>) -> napi::Result<String> {
    Ok(args::opt_string(env, v, "signatureHeader")?.unwrap_or_default())
}

/// The raw body: bytes, or a string taken as its UTF-8 bytes.
pub(crate) fn read_body(env: &Env, v: Unknown<'_>) -> napi::Result<Vec<u8>> {
    if v.get_type()? == ValueType::String {
        return args::string(env, v, "rawBody").map(String::into_bytes);
    }
    if v.get_type()? == ValueType::Object && (v.is_buffer()? || v.is_typedarray()?) {
        return args::bytes(env, v, "rawBody");
    }
    Err(type_error(
        env,
        format!(
            "rawBody must be the body exactly as received, a Buffer, Uint8Array or string, got {} \
             (in Express, read it with express.raw({{ type: 'application/json' }}))",
            args::describe(&v)
        ),
    ))
}

#[napi]
impl WebhookVerifier {
    /// A verifier accepting any of `secrets` (non-empty strings). `toleranceSeconds` is the
    /// accepted distance between a delivery's timestamp and now (default 300, at most 86400:
    /// more throws `SB_ERR_INVALID_ARGUMENT`). No secret throws `SB_ERR_AUTH_CONFIG_MISSING`.
    /// `replayStoreUrl` (`redis://…`) shares the memory of accepted deliveries between
    /// instances; a bad one throws `SB_ERR_INVALID_CONFIG`.
    #[napi(
        constructor,
        ts_args_type = "secrets: Array<string>, options?: WebhookVerifierOptions | null"
    )]
    pub fn new(env: Env, secrets: Unknown<'_>, options: Option<Unknown<'_>>) -> napi::Result<Self> {
        let items = args::array(&env, secrets, "secrets")?;
        let mut list = Vec::with_capacity(items.len());
        for (i, s) in items.into_iter().enumerate() {
            list.push(args::string(&env, s, &format!("secrets[{i}]"))?);
        }
        let mut tolerance = None;
        let mut store = None;
        if let Some(o) = Obj::opt(
            &env,
            options,
            "options",
            &["toleranceSeconds", "replayStoreUrl"],
        )? {
            tolerance = o.opt_number("toleranceSeconds")?;
            store = o.opt_string("replayStoreUrl")?;
        }
        let mut inner = core::WebhookVerifier::new(list.into_iter().map(Into::into).collect())
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))?;
        if let Some(t) = tolerance {
            // A number too large for a Duration is refused by the core's bound like any other.
            let d = Duration::try_from_secs_f64(t).unwrap_or(Duration::MAX);
            inner = inner
                .with_tolerance(d)
                .map_err(|e| errors::to_napi(&env, &e, Kind::Error))?;
        }
        if let Some(url) = store {
            inner = inner
                .with_replay_store_url(&url)
                .map_err(|e| errors::to_napi(&env, &e, Kind::Error))?;
        }
        Ok(WebhookVerifier { inner })
    }

    /// Verify a v5 delivery (`X-ZignSec-Hmac-SHA256: t=…,v1=…`, HMAC-SHA256 over
    /// `t + "." + rawBody`) and parse it into a typed event. Pass the body exactly as received.
    /// Throws `SB_ERR_WEBHOOK_INVALID` (tampered body, wrong secret, missing or malformed header:
    /// answer 401) or `SB_ERR_WEBHOOK_REPLAY` (timestamp outside the tolerance, or a delivery
    /// already accepted: answer 400).
    #[napi(
        ts_args_type = "signatureHeader: string | null | undefined, rawBody: Buffer | Uint8Array | string"
    )]
    pub fn verify(
        &self,
        env: Env,
        signature_header: Unknown<'_>,
        raw_body: Unknown<'_>,
    ) -> napi::Result<WebhookEvent> {
        let header = read_header(&env, signature_header)?;
        let body = read_body(&env, raw_body)?;
        self.inner
            .verify(&header, &body)
            .map(Into::into)
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// Verify a legacy (v2) delivery, whose header is `hex(HMAC-SHA256(secret, rawBody))`, and
    /// parse it. There is no timestamp, so no replay check: deduplicate by event id yourself.
    #[napi(
        ts_args_type = "signatureHeader: string | null | undefined, rawBody: Buffer | Uint8Array | string"
    )]
    pub fn verify_legacy(
        &self,
        env: Env,
        signature_header: Unknown<'_>,
        raw_body: Unknown<'_>,
    ) -> napi::Result<WebhookEvent> {
        let header = read_header(&env, signature_header)?;
        let body = read_body(&env, raw_body)?;
        self.inner
            .verify_legacy(&header, &body)
            .map(Into::into)
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }
}
