//! # signbridge for Node
//!
//! The Node addon of signbridge: a thin translation of the Rust core (DESIGN.md principle 1).
//! Arguments are read from JavaScript, the core's async operation is spawned on the core's own
//! runtime, and a Promise is settled from it (principle 2, see [`promise`]). Errors become
//! JavaScript `Error`s carrying the core's code (see [`errors`]).
//!
//! Every operation is reached through `Client.callCamelCase` (and `call`); `index.js` gives the
//! facades generated from the operation table on top of it:
//!
//! ```js
//! const { Client } = require('signbridge')
//! const client = new Client({ zignsec: { baseUrl: 'http://127.0.0.1:8080', keys: ['k'] } })
//! const signing = client.zignsecSigning()
//! const started = await signing.signDocuments({ documents: [{ path: 'contract.pdf' }] })
//! await signing.wait({ sessionId: started.id }, { intervalMs: 500, signal })
//! await signing.saveSignedFiles({ sessionId: started.id, dir: 'signed/' })
//! ```

mod args;
mod errors;
pub mod onespan;
mod promise;
mod request;
pub mod securosys;
pub mod types;
mod wait;
pub mod webhook;

use napi::bindgen_prelude::{Object, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use signbridge::ErrorCode as CoreCode;

use crate::args::is_nullish;
use crate::errors::{type_error, Kind};
pub use crate::types::*;

// `ErrorCode` of the typings: rendered from the core's error table by
// core/tests/node_error_code.rs (which fails when it is stale).
include!("error_code.rs");

/// The core's error table, every code in numeric order (generated from
/// `signbridge::ErrorCode::ALL`). `index.js` builds the exported `ErrorCode` object from it.
#[napi]
pub fn error_codes() -> Vec<ErrorCodeInfo> {
    CoreCode::ALL
        .iter()
        .map(|c| ErrorCodeInfo {
            name: c.name().to_string(),
            code: c.as_i32(),
            message: c.message().to_string(),
            retryable: c.is_retryable(),
        })
        .collect()
}

/// The core's operation table (what `Client.call` runs): `{ name, camelName, summary, request,
/// result, longRunning, needsClient }` for each operation (one without `needsClient` runs
/// through the module-level `call`).
#[napi(
    ts_return_type = "Array<{ name: string; camelName: string; summary: string; request: string; result: string; longRunning: boolean; needsClient: boolean }>"
)]
pub fn operations() -> serde_json::Value {
    serde_json::Value::Array(
        signbridge::api::OPERATIONS
            .iter()
            .map(|op| {
                let mut listed = signbridge::api::camel_case_keys(op.listing());
                listed["camelName"] = op.camel_name().into();
                listed
            })
            .collect(),
    )
}

/// Run an operation that needs no client (nothing is sent anywhere; the core's `STANDALONE`
/// list, `StandaloneOperationName`): `await call('pdf.verify', { pdf_base64,
/// trust_anchors_pem: [root] })` verifies a signed PDF without configuring a provider,
/// `await call('zignsec.parse_redirect', { returned_url })` reads the URL a browser came back
/// to, `await call('securosys.quorum_policy', { quorum, approvers })` builds an approval policy.
/// The request and result are in the core's JSON spelling, as for `client.call`; an operation
/// that talks to a service rejects with `SB_ERR_INVALID_ARGUMENT` (call it on a client).
#[napi(
    ts_generic_types = "K extends StandaloneOperationName",
    ts_args_type = "operation: K, request: Operations[K]['request']",
    ts_return_type = "Promise<Operations[K]['result']>"
)]
pub fn call<'e>(
    env: &'e Env,
    operation: Unknown<'_>,
    request: Option<Unknown<'_>>,
) -> napi::Result<Object<'e>> {
    standalone(env, operation, request, false)
}

/// `call` in camelCase: the request's fields read in camelCase (or the core's spelling), the
/// result's written in camelCase, as `client.callCamelCase` does for `client.call`
/// (`parseRedirect` is `callCamelCase('zignsec.parse_redirect', { returnedUrl })`).
#[napi(
    ts_generic_types = "K extends StandaloneOperationName",
    ts_args_type = "operation: K, request: Record<string, any>",
    ts_return_type = "Promise<Record<string, any>>"
)]
pub fn call_camel_case<'e>(
    env: &'e Env,
    operation: Unknown<'_>,
    request: Option<Unknown<'_>>,
) -> napi::Result<Object<'e>> {
    standalone(env, operation, request, true)
}

/// The module-level `call` and `callCamelCase`.
fn standalone<'e>(
    env: &'e Env,
    operation: Unknown<'_>,
    request: Option<Unknown<'_>>,
    camel: bool,
) -> napi::Result<Object<'e>> {
    let name = args::string(env, operation, "operation")?;
    let value = match request {
        Some(r) if !is_nullish(&r) => {
            if r.get_type()? != ValueType::Object || r.is_array()? {
                return Err(type_error(
                    env,
                    format!("request must be an object, got {}", args::describe(&r)),
                ));
            }
            args::json(env, r, "request")?
        }
        _ => serde_json::Value::Null,
    };
    if camel {
        promise::spawn(
            env,
            async move { signbridge::api::call_standalone_camel_case_json(&name, value).await },
            promise::CamelResult,
            None,
        )
    } else {
        promise::spawn(
            env,
            async move {
                let result = signbridge::api::call_standalone(&name, value).await?;
                // A `Value` has string keys and finite numbers only: writing it cannot fail.
                Ok(serde_json::to_string(&result).unwrap_or_else(|_| "null".to_string()))
            },
            promise::JsonText,
            None,
        )
    }
}

/// The version of the signbridge core inside this addon.
#[napi]
pub fn version() -> String {
    signbridge::VERSION.to_string()
}

/// A signbridge client, built from the one config schema. Cheap to keep for the life of the
/// process; every provider service hangs off it.
#[napi]
pub struct Client {
    inner: signbridge::Client,
}

#[napi]
impl Client {
    /// Build a client from a config object with camelCase keys, as JavaScript spells them:
    /// `{ zignsec: { baseUrl, keys: [primary, secondary], keyHeader }, transport: {...} }`
    /// (the snake_case keys of the JSON schema are accepted too; a key given in both spellings
    /// is refused). Throws `SB_ERR_INVALID_CONFIG` for a malformed or misspelt field (named in
    /// camelCase) and
    /// `SB_ERR_AUTH_CONFIG_MISSING` when no provider is configured. Nothing is sent.
    #[napi(constructor, ts_args_type = "config: Config")]
    pub fn new(env: Env, config: Unknown<'_>) -> napi::Result<Self> {
        if config.get_type()? != ValueType::Object || config.is_array()? {
            return Err(type_error(
                &env,
                format!(
                    "config must be an object such as {{ zignsec: {{ baseUrl, keys }} }}, got {}",
                    args::describe(&config)
                ),
            ));
        }
        let value = args::json(&env, config, "config")?;
        let built = signbridge::Config::from_camel_case_value(value).and_then(|config| {
            // The configuration's checks name fields as the schema does: in camelCase here.
            signbridge::Client::new(config).map_err(|e| {
                signbridge::Error::new(
                    e.code(),
                    signbridge::naming::camel_case_config_message(e.message()),
                )
            })
        });
        match built {
            Ok(inner) => Ok(Client { inner }),
            Err(e) => Err(errors::to_napi(&env, &e, Kind::Error)),
        }
    }

    /// A client from the configuration as JSON text: the one documented spelling shared by
    /// every language (snake_case keys, as C's `sb_client_new_json`, Python's `Client(text)` and
    /// configuration files use), e.g. `Client.fromJson(fs.readFileSync('signbridge.json',
    /// 'utf8'))`.
    #[napi(factory)]
    pub fn from_json(env: Env, json: String) -> napi::Result<Self> {
        signbridge::Config::from_json(&json)
            .and_then(signbridge::Client::new)
            .map(|inner| Client { inner })
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// A client configured from the `SIGNBRIDGE_*` environment variables
    /// (`SIGNBRIDGE_ZIGNSEC_KEY`, `SIGNBRIDGE_ZIGNSEC_URL`, ...).
    #[napi(factory)]
    pub fn from_env(env: Env) -> napi::Result<Self> {
        signbridge::Client::from_env()
            .map(|inner| Client { inner })
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// The base URL of the configured `service` (`'zignsec'`, `'onespan'`, `'securosys'`), of
    /// which `index.js` makes the facades generated from the operation table
    /// (`client.zignsecSigning()`…), and for OneSpan how it authenticates (`'api_key'`,
    /// `'client_app'` or `'oauth2'`: `client.onespan().authMethod`). Throws
    /// `SB_ERR_AUTH_CONFIG_MISSING` when the config has no section for it.
    #[napi(skip_typescript)]
    pub fn service_base_url(&self, env: Env, service: String) -> napi::Result<Vec<String>> {
        use signbridge::providers::onespan::AuthMethod;
        let found = match service.as_str() {
            "zignsec" => self.inner.zignsec().map(|z| vec![z.base_url().to_string()]),
            "securosys" => self
                .inner
                .securosys()
                .map(|s| vec![s.base_url().to_string()]),
            _ => self.inner.onespan().map(|o| {
                let auth = match o.auth_method() {
                    AuthMethod::ApiKey => "api_key",
                    AuthMethod::ClientApp => "client_app",
                    AuthMethod::OAuth2 => "oauth2",
                };
                vec![o.base_url().to_string(), auth.to_string()]
            }),
        };
        found.map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// `call` in camelCase, what the facades generated from the operation table
    /// (`client.securosys()`) run through: the request's fields in camelCase
    /// ([`signbridge::Client::call_camel_case`]), a bytes field `x_base64` given as a Buffer or
    /// Uint8Array named `x`, an `ApproverKey` as its request JSON; the result in camelCase.
    /// `options` as for `call`. Every bad request rejects with `SB_ERR_INVALID_ARGUMENT`.
    ///
    /// The result crosses as JSON text written on the core's runtime ([`promise::JsonText`]).
    #[napi(skip_typescript)]
    pub fn call_camel_case<'e>(
        &self,
        env: &'e Env,
        operation: Unknown<'_>,
        request: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let op = named_operation(env, operation)?;
        let request = request::camel_case(env, op, request)?;
        self.spawn_call(env, Run::CamelCase(op), request, options)
    }

    /// `callCamelCase` with the request as JSON text (`index.js` says when), parsed on the
    /// core's runtime.
    #[napi(skip_typescript)]
    pub fn call_camel_case_text<'e>(
        &self,
        env: &'e Env,
        operation: Unknown<'_>,
        request: String,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let op = named_operation(env, operation)?;
        let request = Ok(request::Request::Text(op, request));
        self.spawn_call(env, Run::CamelCase(op), request, options)
    }
}

/// What a call runs: an operation by name in the table's spelling (`call`, which rejects an
/// unknown name), or one looked up for a camelCase call.
enum Run {
    Named(String),
    CamelCase(&'static signbridge::api::Operation),
}

impl Client {
    /// Run `request` on the core's runtime; `options` (`{ signal, onProgress, intervalMs,
    /// timeoutMs }`) give a wait its cancellation, progress, and `interval_ms` / `timeout_ms`
    /// (`intervalMs` / `timeoutMs` in camelCase) unless the request has them.
    fn spawn_call<'e>(
        &self,
        env: &'e Env,
        run: Run,
        request: signbridge::Result<request::Request>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let (opts, cleanup) = read_wait(env, options, |v: serde_json::Value| v)?;
        let interval = (opts.interval != signbridge::WaitOptions::<()>::default().interval)
            .then_some(opts.interval.as_millis() as u64);
        let timeout = opts.timeout.map(|t| t.as_millis() as u64);
        let keys = match run {
            Run::Named(_) => ["interval_ms", "timeout_ms"],
            Run::CamelCase(_) => ["intervalMs", "timeoutMs"],
        };
        let ctx = signbridge::api::CallContext {
            cancel: opts.cancel.clone(),
            progress: opts.on_progress.clone(),
        };
        let client = self.inner.clone();
        promise::spawn(
            env,
            async move {
                let mut value = request?.into_json()?;
                if let serde_json::Value::Object(map) = &mut value {
                    for (key, ms) in keys.into_iter().zip([interval, timeout]) {
                        if let Some(ms) = ms {
                            map.entry(key).or_insert_with(|| ms.into());
                        }
                    }
                }
                match run {
                    Run::CamelCase(op) => {
                        client.call_operation_camel_case_json(op, value, &ctx).await
                    }
                    Run::Named(name) => Ok(signbridge::api::CamelCaseJson {
                        // A `Value` has string keys and finite numbers only: writing it cannot fail.
                        text: serde_json::to_string(&client.call(&name, value, &ctx).await?)
                            .unwrap_or_else(|_| "null".to_string()),
                        bytes: Vec::new(),
                    }),
                }
            },
            promise::CamelResult,
            cleanup,
        )
    }
}

/// The operation a call names (either spelling); an unknown one throws
/// `SB_ERR_INVALID_ARGUMENT`, a non-string a `TypeError`.
fn named_operation(
    env: &Env,
    name: Unknown<'_>,
) -> napi::Result<&'static signbridge::api::Operation> {
    let name = args::string(env, name, "operation")?;
    signbridge::api::operation(&name).map_err(|e| errors::to_napi(env, &e, Kind::Error))
}

#[napi]
impl Client {
    /// The provider of provider-neutral signing: `provider` (`'zignsec'` or `'onespan'`) when
    /// given, else the configured one (`config.signing.provider`, or the only configured
    /// document-signing provider). `index.js` makes `client.signing()` and
    /// `client.signingWith(provider)` of it (the facade generated from the `signing.*`
    /// operations, `signing.js`). Throws `SB_ERR_INVALID_CONFIG` when both are configured and
    /// none is chosen, `SB_ERR_AUTH_CONFIG_MISSING` when the provider is not configured,
    /// `SB_ERR_INVALID_ARGUMENT` for an unknown provider, a `TypeError` for a non-string.
    #[napi(skip_typescript)]
    pub fn signing_provider(
        &self,
        env: Env,
        provider: Option<Unknown<'_>>,
    ) -> napi::Result<String> {
        let service = match provider.filter(|p| !is_nullish(p)) {
            Some(p) => args::string(&env, p, "provider")?
                .parse()
                .and_then(|p| self.inner.signing_with(p)),
            None => self.inner.signing(),
        };
        service
            .map(|s| s.provider().as_str().to_string())
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// Run an operation of the core's operation table by name (`'securosys.createKey'` or
    /// `'securosys.create_key'`; `operations()` lists them) with a request object in the core's
    /// JSON spelling (snake_case fields; bytes as base64 text in `*_base64` fields; typed in
    /// `dts-header.d.ts`). Resolves with the result object, which crosses as JSON text
    /// ([`promise::JsonText`]). `options`: `{ signal, onProgress, intervalMs, timeoutMs }` for long-running operations
    /// (`intervalMs`/`timeoutMs` become the request's `interval_ms` / `timeout_ms`). Rejects
    /// with `SB_ERR_INVALID_ARGUMENT` naming the path of a bad field.
    #[napi(skip_typescript)]
    pub fn call<'e>(
        &self,
        env: &'e Env,
        operation: Unknown<'_>,
        request: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let name = args::string(env, operation, "operation")?;
        let value = match request {
            Some(r) if !is_nullish(&r) => {
                if r.get_type()? != ValueType::Object || r.is_array()? {
                    return Err(type_error(
                        env,
                        format!("request must be an object, got {}", args::describe(&r)),
                    ));
                }
                args::json(env, r, "request")?
            }
            _ => serde_json::Value::Null,
        };
        self.spawn_call(
            env,
            Run::Named(name),
            Ok(request::Request::Json(value, Vec::new())),
            options,
        )
    }
}

pub(crate) use wait::read_wait;
