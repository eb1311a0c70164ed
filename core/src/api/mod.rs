//! The operation table: every operation of the client declared once — its name, what it does,
//! its request and result models, whether it is long-running — and callable by name with a JSON
//! request. The wrappers, the CLI (`signbridge call`) and the shared scenarios
//! (`tests/scenarios/`) reach the core through it:
//!
//! - C: `sb_call(client, "securosys.create_key", request_json, &result_json, &err)`;
//! - Python: `client.call("securosys.create_key", {...})`;
//! - Node: `await client.call("securosys.createKey", {...})` (the name in either spelling; the
//!   request and result are the table's JSON, fields in snake_case as in every language);
//! - Rust: [`crate::Client::call`] (async) and [`crate::blocking::Client::call`].
//!
//! Requests are JSON objects read with `deny_unknown_fields`: a misspelt or unknown field, a
//! wrong type or a bad value is [`ErrorCode::InvalidArgument`] naming the operation and the path
//! of the offending value (`request.documents[1].fields[0].page`), never its content. Bytes
//! travel as base64 text in fields named `*_base64`. Results are JSON objects.
//!
//! Long-running operations (waits) take `interval_ms` and `timeout_ms` in their request and
//! honour the [`CallContext`]'s cancel token and progress callback, which is given each polled
//! state as JSON.

mod camel;
mod ops;
mod ops_eid;
mod ops_onespan;
mod ops_securosys;
mod ops_securosys_keys;
mod ops_securosys_local;
mod ops_securosys_models;
mod ops_signing;
mod ops_zignsec;
mod wire;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::client::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::CancelToken;

pub use camel::{
    call_standalone_camel_case, call_standalone_camel_case_json, camel_case_keys,
    request_from_camel_case, result_to_camel_case, result_to_camel_case_json, CamelCaseJson,
};
pub use ops::OPERATIONS;
pub use schemars::Schema;
pub use wire::{open_set_schema, Base64};

/// How an operation is run: the client, the JSON request, the call's context; its typed result.
type Runner = for<'a> fn(&'a Client, Value, &'a CallContext) -> RunFuture<'a>;

/// An operation's run, ending with its typed result.
type RunFuture<'a> = Pin<Box<dyn Future<Output = Result<Box<dyn TypedResult>>> + Send + 'a>>;

/// An operation's result as its model, written as JSON in the form the caller asks for.
pub(crate) trait TypedResult: Send {
    /// As a JSON value, field names as the table spells them.
    fn to_value(&self, op: &str) -> Result<Value>;
    /// As camelCase JSON text with its bytes apart, without building the JSON value first
    /// (`None`: a shape only [`TypedResult::to_value`] writes).
    fn to_camel_case_json(&self, op: &Operation) -> Option<camel::CamelCaseJson>;
}

impl<T: Serialize + Send> TypedResult for T {
    fn to_value(&self, op: &str) -> Result<Value> {
        result(op, self)
    }

    fn to_camel_case_json(&self, op: &Operation) -> Option<camel::CamelCaseJson> {
        camel::typed_result_to_camel_case_json(op, self)
    }
}

/// A progress callback: given each polled state of a long-running operation, as JSON.
pub type ProgressCallback = Arc<dyn Fn(&Value) + Send + Sync>;

/// What a caller gives an operation besides its request.
#[derive(Clone, Default)]
pub struct CallContext {
    /// Aborts a long-running operation from elsewhere ([`ErrorCode::Aborted`]).
    pub cancel: Option<CancelToken>,
    /// Given each polled state of a long-running operation.
    pub progress: Option<ProgressCallback>,
}

impl std::fmt::Debug for CallContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CallContext")
            .field("cancel", &self.cancel)
            .field("progress", &self.progress.as_ref().map(|_| "callback"))
            .finish()
    }
}

/// One operation of the table.
pub struct Operation {
    /// The operation's name, `provider.operation` in snake_case (`securosys.create_key`).
    pub name: &'static str,
    /// What it does (the first line is its summary).
    pub doc: &'static str,
    /// The Rust type its request is read into (documented in the crate docs).
    pub request: &'static str,
    /// The Rust type its result is written from.
    pub result: &'static str,
    /// Whether it waits for something to happen (polls): it then takes `interval_ms` and
    /// `timeout_ms`, and honours cancellation and progress.
    pub long_running: bool,
    /// The JSON Schema of its request, derived from the request type.
    pub request_schema: fn() -> Schema,
    /// The JSON Schema of its result, derived from the result type.
    pub result_schema: fn() -> Schema,
    /// Runs it.
    run: Runner,
}

impl std::fmt::Debug for Operation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Operation")
            .field("name", &self.name)
            .field("request", &self.request)
            .field("result", &self.result)
            .field("long_running", &self.long_running)
            .finish()
    }
}

impl Operation {
    /// Whether it talks to a service, so needs a client (everything but [`STANDALONE`]).
    pub fn needs_client(&self) -> bool {
        !STANDALONE.contains(&self.name)
    }

    /// The operation as every language's `operations()` lists it: `{"name", "summary",
    /// "request", "result", "long_running", "needs_client"}` (the Node addon gives it in
    /// camelCase).
    pub fn listing(&self) -> Value {
        serde_json::json!({
            "name": self.name,
            "summary": self.summary(),
            "request": self.request,
            "result": self.result,
            "long_running": self.long_running,
            "needs_client": self.needs_client(),
        })
    }

    /// The first line of [`Operation::doc`].
    pub fn summary(&self) -> &'static str {
        self.doc.lines().next().unwrap_or("").trim()
    }

    /// The operation's name in camelCase (`securosys.createKey`), as the Node addon spells it.
    pub fn camel_name(&self) -> String {
        camel_case(self.name)
    }

    /// Its request and result JSON Schemas as JSON, rendered on first use and then kept (a
    /// wrapper reading a request along its schema calls this per call; deriving the schema
    /// each time would cost more than the call's own work).
    pub fn schemas_json(&self) -> std::sync::Arc<(Value, Value)> {
        camel::schemas(self)
    }

    /// Whether `key`, a top-level request field, names bytes this operation takes as base64
    /// text in the field `key_base64`: `payload` (for `payload_base64`), `pdfData` or
    /// `pdf_data` (for `pdf_data_base64`). A wrapper takes the bytes themselves there (a
    /// Buffer in Node).
    pub fn is_bytes_field(&self, key: &str) -> bool {
        camel::is_bytes_field(self, key)
    }
}

/// The operation called `name`: its snake_case name (`securosys.create_key`), or the camelCase
/// spelling (`securosys.createKey`). An unknown name is [`ErrorCode::InvalidArgument`] naming
/// the closest known ones.
pub fn operation(name: &str) -> Result<&'static Operation> {
    // Both spellings of every name, looked up without building the snake_case name: a wrapper
    // looks its operation up on every call.
    static BY_NAME: std::sync::LazyLock<std::collections::HashMap<String, &'static Operation>> =
        std::sync::LazyLock::new(|| {
            OPERATIONS
                .iter()
                .flat_map(|o| [(o.name.to_string(), o), (o.camel_name(), o)])
                .collect()
        });
    if let Some(op) = BY_NAME.get(name) {
        return Ok(op);
    }
    let wanted = snake_case(name);
    if let Some(op) = OPERATIONS.iter().find(|o| o.name == wanted) {
        return Ok(op);
    }
    let provider = wanted.split('.').next().unwrap_or("");
    let mut near: Vec<&str> = OPERATIONS
        .iter()
        .filter(|o| o.name.starts_with(&format!("{provider}.")))
        .map(|o| o.name)
        .collect();
    if near.is_empty() {
        near = OPERATIONS.iter().map(|o| o.name).collect();
    }
    near.truncate(12);
    Err(Error::new(
        ErrorCode::InvalidArgument,
        format!(
            "there is no operation {:?}; known operations include {} (`signbridge call --list` \
             lists them all)",
            name.chars().take(80).collect::<String>(),
            near.join(", ")
        ),
    ))
}

/// The operations that need no client: nothing is sent anywhere, so no provider has to be
/// configured ([`call_standalone`]; every wrapper's client-less entry point).
pub const STANDALONE: &[&str] = &[
    "pdf.verify",
    "zignsec.parse_redirect",
    "securosys.key_spec",
    "securosys.quorum_policy",
    "securosys.approver_key",
];

/// Run an operation that needs no client (one of [`STANDALONE`], e.g. `pdf.verify`) by name
/// with a JSON `request`; its result as JSON. Any other operation is
/// [`ErrorCode::InvalidArgument`] saying that it needs a client.
pub async fn call_standalone(name: &str, request: Value) -> Result<Value> {
    let op = operation(name)?;
    match op.name {
        "pdf.verify" => {
            let r: ops_signing::VerifyRequest = self::request(op.name, request)?;
            result(op.name, &r.run().await?)
        }
        "zignsec.parse_redirect" => {
            let r: ops_eid::ReturnedUrl = self::request(op.name, request)?;
            let outcome = crate::providers::zignsec::RedirectOutcome::parse(&r.returned_url)?;
            result(op.name, &outcome)
        }
        "securosys.key_spec" => {
            let r: ops_securosys_local::KeySpecRequest = self::request(op.name, request)?;
            result(op.name, &r.run())
        }
        "securosys.quorum_policy" => {
            let r: ops_securosys_local::QuorumPolicyRequest = self::request(op.name, request)?;
            result(op.name, &r.run())
        }
        "securosys.approver_key" => {
            let r: ops_securosys_local::ApproverKeyRequest = self::request(op.name, request)?;
            result(op.name, &r.run()?)
        }
        other => Err(Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "{other} talks to a service: call it on a client configured for it (only {} \
                 run without one)",
                STANDALONE.join(", ")
            ),
        )),
    }
}

impl Client {
    /// Run the operation called `name` (see [`crate::api`]) with a JSON `request`; its result
    /// as JSON.
    pub async fn call(&self, name: &str, request: Value, ctx: &CallContext) -> Result<Value> {
        let op = operation(name)?;
        (op.run)(self, request, ctx).await?.to_value(op.name)
    }
}

/// Read `value` as the request of `op`: unknown fields, wrong types and bad values are
/// [`ErrorCode::InvalidArgument`] naming the path of the offending value, never the value.
pub(crate) fn request<T: DeserializeOwned>(op: &str, value: Value) -> Result<T> {
    // `null` or nothing stands for an empty request.
    let value = match value {
        Value::Null => Value::Object(Default::default()),
        v => v,
    };
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." || path.is_empty() {
            "request".to_string()
        } else {
            format!("request.{path}")
        };
        Error::new(
            ErrorCode::InvalidArgument,
            format!(
                "{op}: {at}: {}; see `signbridge call --help {op}` for the request's fields",
                crate::config::redact_values(&e.inner().to_string())
            ),
        )
    })
}

/// The JSON Schema of a result type as it is written (a type may read one spelling from the
/// provider and write another, e.g. camelCase in, snake_case out).
pub(crate) fn result_schema<T: schemars::JsonSchema>() -> Schema {
    schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>()
}

/// `value` as the JSON result of `op`.
pub(crate) fn result<T: Serialize>(op: &str, value: &T) -> Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| Error::internal(format!("{op}: the result cannot be written as JSON: {e}")))
}

use crate::naming::{camel_case, snake_case};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_a_unique_documented_name_in_both_spellings() {
        let mut seen = std::collections::BTreeSet::new();
        for op in OPERATIONS {
            assert!(seen.insert(op.name), "{} twice", op.name);
            assert!(!op.summary().is_empty(), "{} has no doc", op.name);
            assert!(
                op.name.contains('.') && op.name == op.name.to_ascii_lowercase(),
                "{}",
                op.name
            );
            assert_eq!(snake_case(&op.camel_name()), op.name);
            assert_eq!(
                operation(&op.camel_name()).map(|o| o.name).ok(),
                Some(op.name)
            );
        }
    }

    #[test]
    fn an_unknown_operation_names_the_close_ones() {
        let e = operation("securosys.create_kee").expect_err("unknown");
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(e.message().contains("securosys.create_key"), "{e}");
    }

    #[test]
    fn bad_requests_name_the_path_not_the_value() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct R {
            label: String,
            items: Vec<u32>,
        }
        let e = request::<R>(
            "x.y",
            serde_json::json!({"label": "a", "items": [1, "s3cret"]}),
        )
        .expect_err("bad");
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(e.message().contains("request.items[1]"), "{e}");
        assert!(!e.message().contains("s3cret"), "{e}");
        let e = request::<R>(
            "x.y",
            serde_json::json!({"label": "a", "items": [], "lable": 1}),
        )
        .expect_err("unknown field");
        assert!(e.message().contains("lable"), "{e}");
    }
}
