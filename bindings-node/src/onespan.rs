//! The verifier of incoming OneSpan Sign callbacks (`OnespanCallbackVerifier`), local and
//! synchronous. Everything else of `client.onespan()` is the facade generated from the
//! operation table (`onespan.js`, through `client.callCamelCase`).

use napi::bindgen_prelude::Unknown;
use napi::{Env, ValueType};
use napi_derive::napi;
use signbridge::providers::onespan as core;
use signbridge::{Error as SbError, ErrorCode as CoreCode};

use crate::args;
use crate::errors::{self, type_error, Kind};

/// An authenticated callback delivery (`OnespanCallbackVerifier.verify`). Absent fields are
/// `null`. Events carry only ids: read the package (`getPackage`) to act on one.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OnespanCallbackEvent {
    /// What happened (`'PACKAGE_COMPLETE'`…).
    #[napi(ts_type = "OnespanEventName")]
    pub name: String,
    /// The package it happened to.
    pub package_id: Option<String>,
    /// The sender id (sender events) or signer id (signer events).
    pub session_user: Option<String>,
    /// The decline or opt-out reason, when there is one.
    pub message: Option<String>,
    /// The document, for document events.
    pub document_id: Option<String>,
    /// When (ISO 8601, UTC), as OneSpan wrote it.
    pub created_date: Option<String>,
    /// The whole payload, parsed.
    #[napi(ts_type = "Record<string, any>")]
    pub raw: serde_json::Value,
}

fn event_to_js(e: core::CallbackEvent) -> OnespanCallbackEvent {
    OnespanCallbackEvent {
        name: e.name.as_str().to_string(),
        package_id: e.package_id,
        session_user: e.session_user,
        message: e.message,
        document_id: e.document_id,
        created_date: e.created_date,
        raw: e.raw,
    }
}

/// Authenticates and parses OneSpan callback deliveries: OneSpan sends the registered key as
/// `Authorization: Basic <key>`, compared here in constant time. Give several keys during a
/// rotation. Nothing touches the network.
#[napi]
pub struct OnespanCallbackVerifier {
    inner: core::CallbackVerifier,
}

#[napi]
impl OnespanCallbackVerifier {
    /// A verifier accepting deliveries that carry `key` (or any of `keys`), as registered with
    /// `registerCallback`.
    #[napi(constructor, ts_args_type = "keys: string | Array<string>")]
    pub fn new(env: Env, keys: Unknown<'_>) -> napi::Result<Self> {
        let list = if keys.get_type()? == ValueType::String {
            vec![args::string(&env, keys, "keys")?]
        } else {
            let items = args::array(&env, keys, "keys").map_err(|_| {
                type_error(
                    &env,
                    "keys must be the callback key (a string) or an array of keys",
                )
            })?;
            let mut list = Vec::with_capacity(items.len());
            for (i, k) in items.into_iter().enumerate() {
                list.push(args::string(&env, k, &format!("keys[{i}]"))?);
            }
            list
        };
        let mut it = list.into_iter();
        let Some(first) = it.next() else {
            return Err(errors::to_napi(
                &env,
                &SbError::new(
                    CoreCode::AuthConfigMissing,
                    "no callback key given: pass the key registered with registerCallback",
                ),
                Kind::Error,
            ));
        };
        let inner = it.fold(core::CallbackVerifier::new(first), |v, k| v.with_key(k));
        Ok(OnespanCallbackVerifier { inner })
    }

    /// Check a delivery's `Authorization` header (`req.get('authorization')`; absent is
    /// refused) and parse its raw body. Throws `SB_ERR_WEBHOOK_INVALID` for a missing or wrong
    /// key (answer 401) and `SB_ERR_PROTOCOL` for a body that is not a OneSpan event (answer
    /// 400).
    #[napi(
        ts_args_type = "authorization: string | null | undefined, rawBody: Buffer | Uint8Array | string"
    )]
    pub fn verify(
        &self,
        env: Env,
        authorization: Unknown<'_>,
        raw_body: Unknown<'_>,
    ) -> napi::Result<OnespanCallbackEvent> {
        let header = args::opt_string(&env, authorization, "authorization")?;
        let body = crate::webhook::read_body(&env, raw_body)?;
        self.inner
            .verify(header.as_deref(), &body)
            .map(event_to_js)
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }
}
