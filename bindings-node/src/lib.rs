//! # signbridge for Node
//!
//! The Node addon of signbridge: a thin translation of the Rust core (DESIGN.md principle 1).
//! Arguments are read from JavaScript, the core's async operation is spawned on the core's own
//! runtime, and a Promise is settled from it (principle 2, see [`promise`]). Errors become
//! JavaScript `Error`s carrying the core's code (see [`errors`]).
//!
//! ```js
//! const { Client } = require('signbridge')
//! const client = new Client({ zignsec: { base_url: 'http://127.0.0.1:8080', keys: ['k'] } })
//! const signing = client.zignsecSigning()
//! const started = await signing.signDocuments({}, [{ path: 'contract.pdf' }])
//! const done = await signing.wait(started.id, { intervalMs: 500, signal })
//! await signing.saveSignedFiles(done, 'signed/')
//! ```

mod args;
mod errors;
pub mod onespan;
mod promise;
pub mod securosys;
pub mod signing;
pub mod types;
pub mod webhook;

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use napi::bindgen_prelude::{Buffer, FromNapiValue, Function, Object, Unknown};
use napi::{Env, JsValue, ValueType};
use napi_derive::napi;
use signbridge::providers::zignsec as core;
use signbridge::{CancelToken, ErrorCode as CoreCode};

use crate::args::{is_nullish, Obj};
use crate::errors::{type_error, Kind};
use crate::promise::Cleanup;
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
    promise::spawn(
        env,
        async move {
            if camel {
                signbridge::api::call_standalone_camel_case(&name, value).await
            } else {
                signbridge::api::call_standalone(&name, value).await
            }
        },
        |v: serde_json::Value| v,
        None,
    )
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

    /// ZignSec BankID Norway document signing (`client.zignsec().signing()` in Rust).
    #[napi]
    pub fn zignsec_signing(&self, env: Env) -> napi::Result<SigningApi> {
        self.inner
            .zignsec()
            .map(|z| SigningApi { inner: z.signing() })
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// The base URL of the configured ZignSec gateway. `index.js` makes `client.zignsecEid()`
    /// of it: the eID facade generated from the operation table (`zignsec-eid.js`). Throws
    /// `SB_ERR_AUTH_CONFIG_MISSING` when the config has no `zignsec` section.
    #[napi(skip_typescript)]
    pub fn zignsec_base_url(&self, env: Env) -> napi::Result<String> {
        self.inner
            .zignsec()
            .map(|z| z.base_url().to_string())
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// The base URL of the configured OneSpan Sign (the API is under `api/`). `index.js` makes
    /// `client.onespan()` of it: the facade generated from the operation table (`onespan.js`).
    /// Throws `SB_ERR_AUTH_CONFIG_MISSING` when the config has no `onespan` section.
    #[napi(skip_typescript)]
    pub fn onespan_base_url(&self, env: Env) -> napi::Result<String> {
        self.inner
            .onespan()
            .map(|o| o.base_url().to_string())
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// How the configured OneSpan Sign client authenticates (`'api_key'`, `'client_app'` or
    /// `'oauth2'`): `client.onespan().authMethod`.
    #[napi(skip_typescript)]
    pub fn onespan_auth_method(&self, env: Env) -> napi::Result<String> {
        use signbridge::providers::onespan::AuthMethod;
        let method = self
            .inner
            .onespan()
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))?
            .auth_method();
        Ok(match method {
            AuthMethod::ApiKey => "api_key",
            AuthMethod::ClientApp => "client_app",
            AuthMethod::OAuth2 => "oauth2",
        }
        .to_string())
    }

    /// The base URL of the configured Securosys TSB. `index.js` makes `client.securosys()` of
    /// it: the facade generated from the operation table (`securosys.js`). Throws
    /// `SB_ERR_AUTH_CONFIG_MISSING` when the config has no `securosys` section.
    #[napi(skip_typescript)]
    pub fn securosys_base_url(&self, env: Env) -> napi::Result<String> {
        self.inner
            .securosys()
            .map(|s| s.base_url().to_string())
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// `call` in camelCase, what the facades generated from the operation table
    /// (`client.securosys()`) run through: the request's fields in camelCase
    /// ([`signbridge::Client::call_camel_case`]), a bytes field `x_base64` given as a Buffer or
    /// Uint8Array named `x`, an `ApproverKey` as its request JSON; the result in camelCase.
    /// `options` as for `call`. Every bad request rejects with `SB_ERR_INVALID_ARGUMENT`.
    #[napi(skip_typescript)]
    pub fn call_camel_case<'e>(
        &self,
        env: &'e Env,
        operation: Unknown<'_>,
        request: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let name = args::string(env, operation, "operation")?;
        let op =
            signbridge::api::operation(&name).map_err(|e| errors::to_napi(env, &e, Kind::Error))?;
        let value = camel_request(env, op, request)?;
        let (opts, cleanup) = read_wait(env, options, |v: serde_json::Value| v)?;
        let value = value.map(|mut value| {
            if let serde_json::Value::Object(map) = &mut value {
                if opts.interval != signbridge::WaitOptions::<()>::default().interval {
                    map.entry("intervalMs")
                        .or_insert_with(|| (opts.interval.as_millis() as u64).into());
                }
                if let Some(t) = opts.timeout {
                    map.entry("timeoutMs")
                        .or_insert_with(|| (t.as_millis() as u64).into());
                }
            }
            value
        });
        let ctx = signbridge::api::CallContext {
            cancel: opts.cancel.clone(),
            progress: opts.on_progress.clone(),
        };
        let client = self.inner.clone();
        promise::spawn(
            env,
            async move { client.call_camel_case(op.name, value?, &ctx).await },
            |v: serde_json::Value| v,
            cleanup,
        )
    }
}

#[napi]
impl Client {
    /// Provider-neutral document signing (`client.signing()` in Rust) with the configured
    /// provider: `config.signing.provider`, else the only configured document-signing provider
    /// (ZignSec or OneSpan). Both configured and none chosen throws `SB_ERR_INVALID_CONFIG`
    /// (the message says how to choose); none configured `SB_ERR_AUTH_CONFIG_MISSING`.
    #[napi]
    pub fn signing(&self, env: Env) -> napi::Result<signing::SigningService> {
        self.inner
            .signing()
            .map(signing::SigningService::new)
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }

    /// Run an operation of the core's operation table by name (`'securosys.createKey'` or
    /// `'securosys.create_key'`; `operations()` lists them) with a request object in the core's
    /// JSON spelling (snake_case fields; bytes as base64 text in `*_base64` fields). Resolves
    /// with the result object. `options`: `{ signal, onProgress, intervalMs, timeoutMs }` for
    /// long-running operations (`intervalMs`/`timeoutMs` become the request's `interval_ms` /
    /// `timeout_ms`). Rejects with `SB_ERR_INVALID_ARGUMENT` naming the path of a bad field.
    #[napi(
        ts_generic_types = "K extends OperationName",
        ts_args_type = "operation: K, request: Operations[K]['request'], options?: WaitOptions<Record<string, unknown>> | null",
        ts_return_type = "Promise<Operations[K]['result']>"
    )]
    pub fn call<'e>(
        &self,
        env: &'e Env,
        operation: Unknown<'_>,
        request: Option<Unknown<'_>>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let name = args::string(env, operation, "operation")?;
        let mut value = match request {
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
        let (opts, cleanup) = read_wait(env, options, |v: serde_json::Value| v)?;
        if let serde_json::Value::Object(map) = &mut value {
            if opts.interval != signbridge::WaitOptions::<()>::default().interval {
                map.entry("interval_ms")
                    .or_insert_with(|| (opts.interval.as_millis() as u64).into());
            }
            if let Some(t) = opts.timeout {
                map.entry("timeout_ms")
                    .or_insert_with(|| (t.as_millis() as u64).into());
            }
        }
        let ctx = signbridge::api::CallContext {
            cancel: opts.cancel.clone(),
            progress: opts.on_progress.clone(),
        };
        let client = self.inner.clone();
        promise::spawn(
            env,
            async move { client.call(&name, value, &ctx).await },
            |v: serde_json::Value| v,
            cleanup,
        )
    }

    /// Provider-neutral document signing with `provider` (`'zignsec'` or `'onespan'`), whatever
    /// the configuration chose; `SB_ERR_AUTH_CONFIG_MISSING` when it is not configured.
    #[napi(ts_args_type = "provider: SigningProvider")]
    pub fn signing_with(
        &self,
        env: Env,
        provider: Unknown<'_>,
    ) -> napi::Result<signing::SigningService> {
        signing::read_provider(&env, provider)?
            .and_then(|p| self.inner.signing_with(p))
            .map(signing::SigningService::new)
            .map_err(|e| errors::to_napi(&env, &e, Kind::Error))
    }
}

/// The request of a camelCase call, as JSON: a plain object (or nothing); a field `x` standing
/// for the table's bytes field `x_base64` taken as a Buffer or Uint8Array; an object of this
/// addon (an `ApproverKey`) as its request JSON; `undefined` fields left out. A request the
/// operation cannot take is the inner `Err`, to reject the Promise with.
fn camel_request(
    env: &Env,
    op: &signbridge::api::Operation,
    request: Option<Unknown<'_>>,
) -> napi::Result<signbridge::Result<serde_json::Value>> {
    use napi::bindgen_prelude::JsObjectValue as _;
    let bad = |m: String| Ok(Err(signbridge::Error::invalid_argument(m)));
    let what = format!("{}: request", op.camel_name());
    let Some(r) = request.filter(|r| !is_nullish(r)) else {
        return Ok(Ok(serde_json::Value::Null));
    };
    if r.get_type()? != ValueType::Object || r.is_array()? || r.is_typedarray()? {
        return bad(format!(
            "{what} must be an object, got {}",
            args::describe(&r)
        ));
    }
    let schema = serde_json::to_value((op.request_schema)()).unwrap_or_default();
    let declared = schema.get("properties").and_then(|p| p.as_object());
    // SAFETY: checked to be an object just above; `r` belongs to `env`.
    let obj: Object<'_> = unsafe { Object::from_napi_value(env.raw(), r.raw()) }?;
    let mut map = serde_json::Map::new();
    for key in Object::keys(&obj)? {
        let v: Unknown<'_> = obj.get_named_property(&key)?;
        if v.get_type()? == ValueType::Undefined {
            continue;
        }
        let bytes_field = format!("{}_base64", signbridge::naming::snake_case(&key));
        if declared.is_some_and(|d| d.contains_key(&bytes_field)) {
            let ok = v.get_type()? == ValueType::Object && (v.is_buffer()? || v.is_typedarray()?);
            let data = if ok {
                args::bytes(env, v, &key).ok()
            } else {
                None
            };
            let Some(data) = data else {
                return bad(format!(
                    "{what}.{key} must be a Buffer or Uint8Array, got {}",
                    args::describe(&v)
                ));
            };
            let text = serde_json::to_value(signbridge::api::Base64(data)).unwrap_or_default();
            map.insert(signbridge::naming::camel_case(&bytes_field), text);
            continue;
        }
        match request_value(env, &v, &format!("{what}.{key}"))? {
            Ok(value) => map.insert(key, value),
            Err(why) => return bad(why),
        };
    }
    Ok(Ok(serde_json::Value::Object(map)))
}

/// `v`, a value in a camelCase request, as JSON: an `ApproverKey` as its request JSON; in an
/// object at any depth, a field `x` holding a Buffer or Uint8Array as the field `xBase64` with
/// the bytes in base64 (a document's `content`); `undefined` fields left out. The inner `Err`
/// says why `v` (at `what`) cannot be given.
fn request_value(
    env: &Env,
    v: &Unknown<'_>,
    what: &str,
) -> napi::Result<Result<serde_json::Value, String>> {
    use napi::bindgen_prelude::JsObjectValue as _;
    if let Some(key) = securosys::request_json(env, v)? {
        return Ok(key.map_err(|why| format!("{what} {why}")));
    }
    if v.get_type()? != ValueType::Object || v.is_typedarray()? {
        return Ok(
            args::try_json(env, v).map_err(|e| format!("{what} must be JSON-like data: {e}"))
        );
    }
    if v.is_array()? {
        let mut items = Vec::new();
        for (i, item) in args::array(env, *v, what)?.iter().enumerate() {
            match request_value(env, item, &format!("{what}[{i}]"))? {
                Ok(j) => items.push(j),
                Err(why) => return Ok(Err(why)),
            }
        }
        return Ok(Ok(serde_json::Value::Array(items)));
    }
    // SAFETY: checked to be an object just above; `v` belongs to `env`.
    let obj: Object<'_> = unsafe { Object::from_napi_value(env.raw(), v.raw()) }?;
    let mut map = serde_json::Map::new();
    for key in Object::keys(&obj)? {
        let field: Unknown<'_> = obj.get_named_property(&key)?;
        match field.get_type()? {
            ValueType::Undefined => continue,
            ValueType::Object if field.is_typedarray()? => {
                let Ok(data) = args::bytes(env, field, &key) else {
                    return Ok(Err(format!(
                        "{what}.{key} must be a Buffer or Uint8Array (of bytes), got another \
                         typed array"
                    )));
                };
                let text = serde_json::to_value(signbridge::api::Base64(data)).unwrap_or_default();
                map.insert(format!("{key}Base64"), text);
            }
            _ => match request_value(env, &field, &format!("{what}.{key}"))? {
                Ok(j) => {
                    map.insert(key, j);
                }
                Err(why) => return Ok(Err(why)),
            },
        }
    }
    Ok(Ok(serde_json::Value::Object(map)))
}

/// BankID Norway signing through the ZignSec gateway. Every method returns a Promise settled
/// from the core's runtime; it rejects with an `Error` carrying `code` and `errno`.
#[napi]
pub struct SigningApi {
    inner: core::SigningApi,
}

const CREATE_FIELDS: &[&str] = &[
    "locale",
    "redirectSuccess",
    "redirectFailure",
    "relayState",
    "gdprUserId",
    "webhook",
    "metadata",
];

pub(crate) fn read_create(
    env: &Env,
    v: Option<Unknown<'_>>,
    what: &str,
) -> napi::Result<core::CreateSigning> {
    let mut req = core::CreateSigning::default();
    let Some(o) = Obj::opt(env, v, what, CREATE_FIELDS)? else {
        return Ok(req);
    };
    req.locale = o.opt_string("locale")?;
    req.redirect_success = o.opt_string("redirectSuccess")?;
    req.redirect_failure = o.opt_string("redirectFailure")?;
    req.relay_state = o.opt_string("relayState")?;
    req.gdpr_user_id = o.opt_string("gdprUserId")?;
    req.webhook = o.opt_string("webhook")?;
    if let Some(m) = o.opt_json("metadata")? {
        if !m.is_object() {
            return Err(type_error(
                env,
                format!("{} must be a plain object", o.path("metadata")),
            ));
        }
        req.metadata = m;
    }
    Ok(req)
}

fn read_placement(o: &Obj<'_>, key: &str) -> napi::Result<Option<core::Placement>> {
    let v = o.get(key)?;
    if is_nullish(&v) {
        return Ok(None);
    }
    let p = Obj::new(o.env(), v, &o.path(key), &["page", "x", "y"])?;
    let page = p.number("page")?;
    if page.fract() != 0.0 || page > f64::from(u32::MAX) {
        return Err(type_error(
            o.env(),
            format!("{} must be a whole page number", p.path("page")),
        ));
    }
    Ok(Some(core::Placement {
        page: page as u32,
        x: p.number("x")?,
        y: p.number("y")?,
    }))
}

fn read_start(env: &Env, v: Unknown<'_>) -> napi::Result<core::StartSigning> {
    let o = Obj::new(
        env,
        v,
        "request",
        &["files", "redirectSuccess", "redirectFailure"],
    )?;
    let files = o.opt_array("files")?.ok_or_else(|| {
        type_error(
            env,
            "request.files is required: an array of { fileId, placement? }",
        )
    })?;
    let mut out = Vec::with_capacity(files.len());
    for (i, f) in files.into_iter().enumerate() {
        let f = Obj::new(
            env,
            f,
            &format!("request.files[{i}]"),
            &["fileId", "placement"],
        )?;
        out.push(core::FileToSign {
            file_id: f.string("fileId")?,
            placement: read_placement(&f, "placement")?,
        });
    }
    Ok(core::StartSigning {
        files: out,
        redirect_success: o.opt_string("redirectSuccess")?,
        redirect_failure: o.opt_string("redirectFailure")?,
    })
}

/// A document as given to `signDocuments`: bytes now, or a path read on the runtime.
enum DocSource {
    Bytes(core::Document),
    Path(PathBuf, Option<String>, Option<core::Placement>),
}

fn read_documents(env: &Env, v: Unknown<'_>) -> napi::Result<Vec<DocSource>> {
    let items = args::array(env, v, "documents")?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let what = format!("documents[{i}]");
        let d = Obj::new(env, item, &what, &["name", "data", "path", "placement"])?;
        let name = d.opt_string("name")?;
        let placement = read_placement(&d, "placement")?;
        let data = d.get("data")?;
        let path = d.opt_string("path")?;
        match (is_nullish(&data), path) {
            (false, None) => {
                let bytes = args::bytes(env, data, &d.path("data"))?;
                out.push(DocSource::Bytes(core::Document {
                    name: name.unwrap_or_else(|| "document.pdf".to_string()),
                    data: Bytes::from(bytes),
                    placement,
                }));
            }
            (true, Some(path)) => out.push(DocSource::Path(path.into(), name, placement)),
            _ => {
                return Err(type_error(
                    env,
                    format!("{what} needs exactly one of `data` (a Buffer) or `path` (a string)"),
                ))
            }
        }
    }
    Ok(out)
}

fn read_file_ref(env: &Env, v: Unknown<'_>, what: &str) -> napi::Result<core::FileRef> {
    if v.get_type()? != ValueType::Object {
        return Err(type_error(
            env,
            format!(
                "{what} must be a file object from status() or wait(), got {}",
                args::describe(&v)
            ),
        ));
    }
    // SAFETY: `v` is an object of this environment.
    let f = unsafe { FileRef::from_napi_value(env.raw(), v.raw()) }.map_err(|e| {
        type_error(
            env,
            format!(
                "{what} must be a file object ({{ id, name, url, md5 }}) from status() or wait(): {}",
                e.reason
            ),
        )
    })?;
    Ok(f.into())
}

fn read_status(env: &Env, v: Unknown<'_>) -> napi::Result<core::SigningStatus> {
    if v.get_type()? != ValueType::Object {
        return Err(type_error(
            env,
            format!(
                "state must be the object returned by status() or wait(), got {}",
                args::describe(&v)
            ),
        ));
    }
    // SAFETY: `v` is an object of this environment.
    let s = unsafe { SigningStatus::from_napi_value(env.raw(), v.raw()) }.map_err(|e| {
        type_error(
            env,
            format!(
                "state must be the object returned by status() or wait(): {}",
                e.reason
            ),
        )
    })?;
    Ok(s.into())
}

/// `n` milliseconds, range checked by the core (`signbridge::numbers::millis`): `1e300` is
/// `SB_ERR_INVALID_ARGUMENT`, never a panic that aborts the process.
pub(crate) fn ms(env: &Env, n: f64, what: &str) -> napi::Result<Duration> {
    signbridge::numbers::millis(n, what).map_err(|e| errors::to_napi(env, &e, Kind::TypeError))
}

/// Read `{ intervalMs, timeoutMs, signal, onProgress }` into the core's wait options; the
/// `signal` is wired to a [`CancelToken`] and the returned cleanup removes its listener when the
/// wait settles. `onProgress` is called on the JavaScript thread with each state polled,
/// converted by `progress` (a thread-safe function that does not keep the process alive; it is
/// released when the wait ends).
pub(crate) fn read_wait<T, D>(
    env: &Env,
    options: Option<Unknown<'_>>,
    progress: fn(T) -> D,
) -> napi::Result<(signbridge::WaitOptions<T>, Option<Cleanup>)>
where
    T: Clone + Send + 'static,
    D: napi::bindgen_prelude::ToNapiValue + 'static,
{
    let mut opts = signbridge::WaitOptions::<T>::default();
    let token = CancelToken::new();
    let mut cleanup = None;
    if let Some(o) = Obj::opt(
        env,
        options,
        "options",
        &["intervalMs", "timeoutMs", "signal", "onProgress"],
    )? {
        if let Some(i) = o.opt_number("intervalMs")? {
            opts.interval = ms(env, i, &o.path("intervalMs"))?;
        }
        opts.timeout = match o.opt_number("timeoutMs")? {
            Some(t) => Some(ms(env, t, &o.path("timeoutMs"))?),
            None => None,
        };
        let on_progress = o.get("onProgress")?;
        if !is_nullish(&on_progress) {
            opts.on_progress = Some(progress_fn(env, on_progress, progress)?);
        }
        let signal = o.get("signal")?;
        if !is_nullish(&signal) {
            match wire_signal(env, signal, &token)? {
                Some(c) => cleanup = Some(c),
                None => token.cancel(),
            }
        }
    }
    opts.cancel = Some(token);
    Ok((opts, cleanup))
}

/// The core's progress callback calling the JavaScript function `f` with each state.
fn progress_fn<T, D>(
    env: &Env,
    f: Unknown<'_>,
    to_js: fn(T) -> D,
) -> napi::Result<signbridge::session::ProgressFn<T>>
where
    T: Clone + Send + 'static,
    D: napi::bindgen_prelude::ToNapiValue + 'static,
{
    use napi::threadsafe_function::ThreadsafeFunctionCallMode;
    if f.get_type()? != ValueType::Function {
        return Err(type_error(
            env,
            format!(
                "options.onProgress must be a function, got {}",
                args::describe(&f)
            ),
        ));
    }
    // SAFETY: checked to be a function just above; `f` belongs to `env`.
    let f: Function<'_, Unknown<'_>, Unknown<'_>> =
        unsafe { Function::from_napi_value(env.raw(), f.raw()) }?;
    let tsfn = f
        .build_threadsafe_function::<T>()
        .callee_handled::<false>()
        .weak::<true>()
        .build_callback(move |ctx| Ok(to_js(ctx.value)))?;
    Ok(std::sync::Arc::new(move |state: &T| {
        // Non-blocking: a full queue or a closing environment drops this one report.
        let _ = tsfn.call(state.clone(), ThreadsafeFunctionCallMode::NonBlocking);
    }))
}

/// Wire an `AbortSignal` to a core [`CancelToken`]: `abort` cancels the token. Returns the
/// cleanup that removes the listener when the wait settles, or `None` when the signal is
/// already aborted.
fn wire_signal(
    env: &Env,
    signal: Unknown<'_>,
    token: &CancelToken,
) -> napi::Result<Option<Cleanup>> {
    use napi::bindgen_prelude::JsObjectValue as _;
    let not_signal = |env: &Env, v: &Unknown<'_>| {
        type_error(
            env,
            format!(
                "options.signal must be an AbortSignal, got {}",
                args::describe(v)
            ),
        )
    };
    if signal.get_type()? != ValueType::Object {
        return Err(not_signal(env, &signal));
    }
    // SAFETY: `signal` is an object of this environment.
    let obj: Object<'_> = unsafe { Object::from_napi_value(env.raw(), signal.raw()) }?;
    let aborted: Unknown<'_> = obj.get_named_property("aborted")?;
    let add: Unknown<'_> = obj.get_named_property("addEventListener")?;
    if aborted.get_type()? != ValueType::Boolean || add.get_type()? != ValueType::Function {
        return Err(not_signal(env, &signal));
    }
    // SAFETY: checked to be a boolean just above.
    if unsafe { bool::from_napi_value(env.raw(), aborted.raw()) }? {
        return Ok(None);
    }
    let t = token.clone();
    let listener =
        env.create_function_from_closure::<(), (), _>("onSignbridgeAbort", move |_ctx| {
            t.cancel();
            Ok(())
        })?;
    call_method(env, &obj, "addEventListener", listener.raw())?;
    let signal_ref = obj.create_ref::<false>()?;
    // SAFETY: `listener` is a function of this environment, referenced like an object.
    let listener_ref: napi::bindgen_prelude::ObjectRef<false> =
        unsafe { FromNapiValue::from_napi_value(env.raw(), listener.raw()) }?;
    Ok(Some(Box::new(move |env: &Env| {
        if let (Ok(signal), Ok(listener)) = (signal_ref.get_value(env), listener_ref.get_value(env))
        {
            // Best effort: a signal whose removeEventListener throws keeps a dead listener.
            let _ = call_method(env, &signal, "removeEventListener", listener.raw());
        }
        let _ = signal_ref.unref(env);
        let _ = listener_ref.unref(env);
    })))
}

/// `obj[method]('abort', listener)`.
fn call_method(
    env: &Env,
    obj: &Object<'_>,
    method: &str,
    listener: napi::sys::napi_value,
) -> napi::Result<()> {
    use napi::bindgen_prelude::JsObjectValue as _;
    let f: Function<'_, Unknown<'_>, Unknown<'_>> = obj.get_named_property(method)?;
    let event = env.create_string("abort")?;
    let mut out = std::ptr::null_mut();
    let argv = [event.raw(), listener];
    // SAFETY: all values belong to this environment and the JS thread is the caller's.
    let status = unsafe {
        napi::sys::napi_call_function(
            env.raw(),
            obj.raw(),
            f.raw(),
            argv.len(),
            argv.as_ptr(),
            &mut out,
        )
    };
    if status == napi::sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::new(
            napi::Status::PendingException,
            format!("signal.{method} failed"),
        ))
    }
}

#[napi]
impl SigningApi {
    /// Create a signing session. Every field of `request` is optional.
    #[napi(
        ts_args_type = "request?: CreateSigning | null",
        ts_return_type = "Promise<SigningSession>"
    )]
    pub fn create<'e>(
        &self,
        env: &'e Env,
        request: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let req = read_create(env, request, "request")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.create(&req).await },
            SigningSession::from,
            None,
        )
    }

    /// Upload one PDF from memory (checked locally first: a bad document rejects with
    /// `SB_ERR_INVALID_DOCUMENT` before anything is sent).
    #[napi(
        ts_args_type = "sessionId: string, name: string, data: Buffer | Uint8Array",
        ts_return_type = "Promise<UploadedFile>"
    )]
    pub fn upload_bytes<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        name: Unknown<'_>,
        data: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let name = args::string(env, name, "name")?;
        let data = args::bytes(env, data, "data")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.upload_bytes(&session_id, &name, data).await },
            UploadedFile::from,
            None,
        )
    }

    /// Upload one PDF from a file.
    #[napi(
        ts_args_type = "sessionId: string, path: string",
        ts_return_type = "Promise<UploadedFile>"
    )]
    pub fn upload_path<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        path: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let path = args::string(env, path, "path")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.upload_path(&session_id, path).await },
            UploadedFile::from,
            None,
        )
    }

    /// Start signing the uploaded files; resolves with the URL to send the signer to.
    #[napi(
        ts_args_type = "sessionId: string, request: StartSigning",
        ts_return_type = "Promise<StartedSigning>"
    )]
    pub fn start<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        request: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let req = read_start(env, request)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.start(&session_id, &req).await },
            StartedSigning::from,
            None,
        )
    }

    /// Create a session, upload every document and start signing, in one call. Each document
    /// is `{ data, name }` (a Buffer) or `{ path }`, with an optional `placement`.
    #[napi(
        ts_args_type = "request: CreateSigning | null | undefined, documents: Array<Document>",
        ts_return_type = "Promise<StartedSession>"
    )]
    pub fn sign_documents<'e>(
        &self,
        env: &'e Env,
        request: Option<Unknown<'_>>,
        documents: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let req = read_create(env, request, "request")?;
        let docs = read_documents(env, documents)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                let mut ready = Vec::with_capacity(docs.len());
                for d in docs {
                    ready.push(match d {
                        DocSource::Bytes(doc) => doc,
                        DocSource::Path(path, name, placement) => {
                            let mut doc = core::Document::from_path(&path, placement).await?;
                            if let Some(name) = name {
                                doc.name = name;
                            }
                            doc
                        }
                    });
                }
                api.sign_documents(&req, &ready).await
            },
            StartedSession::from,
            None,
        )
    }

    /// Read the session's state.
    #[napi(
        ts_args_type = "sessionId: string",
        ts_return_type = "Promise<SigningStatus>"
    )]
    pub fn status<'e>(&self, env: &'e Env, session_id: Unknown<'_>) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.status(&session_id).await },
            SigningStatus::from,
            None,
        )
    }

    /// Handle the signer's browser coming back to your redirect URL (like the eID
    /// `completeRedirect`): a cancel or error in the URL rejects with its code
    /// (`SB_ERR_CANCELLED`…) without a request; a `relay_state` other than
    /// `expectedRelayState`, or another session's id, rejects with `SB_ERR_INVALID_ARGUMENT`;
    /// otherwise the finished session's state.
    #[napi(
        ts_args_type = "sessionId: string, returnedUrl: string, expectedRelayState?: string | null",
        ts_return_type = "Promise<SigningStatus>"
    )]
    pub fn complete_redirect<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        returned_url: Unknown<'_>,
        expected_relay_state: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let returned_url = args::string(env, returned_url, "returnedUrl")?;
        let expected = match expected_relay_state {
            Some(v) => args::opt_string(env, v, "expectedRelayState")?,
            None => None,
        };
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move {
                api.complete_redirect(&session_id, &returned_url, expected.as_deref())
                    .await
            },
            SigningStatus::from,
            None,
        )
    }

    /// Poll until the session is final. `'Finished'` resolves with the state; `Cancelled`,
    /// `Failed`, `Rejected` and `Expired` reject with the matching code (`SB_ERR_CANCELLED`...)
    /// and the gateway's `providerCode`. `signal` aborts the wait (`SB_ERR_ABORTED`); `timeoutMs`
    /// bounds it (`SB_ERR_TIMEOUT`). The session itself goes on at the provider either way.
    #[napi(
        ts_args_type = "sessionId: string, options?: WaitOptions<SigningStatus> | null",
        ts_return_type = "Promise<SigningStatus>"
    )]
    pub fn wait<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        options: Option<Unknown<'_>>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let (opts, cleanup) = read_wait(env, options, SigningStatus::from)?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.wait(&session_id, &opts).await },
            SigningStatus::from,
            cleanup,
        )
    }

    /// Download a file (`FileRef` from `status`/`wait`) and verify it against the md5 the
    /// gateway reported (`SB_ERR_INTEGRITY` on mismatch).
    #[napi(ts_args_type = "file: FileRef", ts_return_type = "Promise<Buffer>")]
    pub fn download<'e>(&self, env: &'e Env, file: Unknown<'_>) -> napi::Result<Object<'e>> {
        let file = read_file_ref(env, file, "file")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download(&file).await },
            |b: Bytes| Buffer::from(b.to_vec()),
            None,
        )
    }

    /// Download a file to `path` atomically (verified, written beside it, then renamed);
    /// resolves with the number of bytes written.
    #[napi(
        ts_args_type = "file: FileRef, path: string",
        ts_return_type = "Promise<number>"
    )]
    pub fn download_to<'e>(
        &self,
        env: &'e Env,
        file: Unknown<'_>,
        path: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let file = read_file_ref(env, file, "file")?;
        let path = args::string(env, path, "path")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download_to(&file, path).await },
            |n: u64| n as f64,
            None,
        )
    }

    /// Download a file by ids, without md5 check.
    #[napi(
        ts_args_type = "sessionId: string, fileId: string",
        ts_return_type = "Promise<Buffer>"
    )]
    pub fn download_file<'e>(
        &self,
        env: &'e Env,
        session_id: Unknown<'_>,
        file_id: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let session_id = args::string(env, session_id, "sessionId")?;
        let file_id = args::string(env, file_id, "fileId")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.download_file(&session_id, &file_id).await },
            |b: Bytes| Buffer::from(b.to_vec()),
            None,
        )
    }

    /// Save every signed file of a finished session into `dir` (created if missing); resolves
    /// with the paths written. A session that is not `'Finished'` rejects with
    /// `SB_ERR_INVALID_STATE`.
    #[napi(
        ts_args_type = "state: SigningStatus, dir: string",
        ts_return_type = "Promise<Array<string>>"
    )]
    pub fn save_signed_files<'e>(
        &self,
        env: &'e Env,
        state: Unknown<'_>,
        dir: Unknown<'_>,
    ) -> napi::Result<Object<'e>> {
        let state = read_status(env, state)?;
        let dir = args::string(env, dir, "dir")?;
        let api = self.inner.clone();
        promise::spawn(
            env,
            async move { api.save_signed_files(&state, dir).await },
            |paths: Vec<PathBuf>| {
                paths
                    .into_iter()
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect::<Vec<String>>()
            },
            None,
        )
    }
}
