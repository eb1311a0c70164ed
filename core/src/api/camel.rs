//! The operation table spoken in camelCase, for the wrappers whose users write camelCase (the
//! Node facades: `client.securosys().createKey({ label, keySize })`).
//!
//! The translation follows the operation's JSON Schemas, so only the names the request and
//! result models declare are renamed: maps that carry user data as keys (approval `metadata`,
//! a session's `metadata`…) keep their keys as given. A request field may be given in either
//! spelling (`keySize` or `key_size`); given in both, it is [`ErrorCode::InvalidArgument`]
//! naming it, so nothing is silently dropped. Errors about the request name its fields as the
//! caller wrote them (`request.keySize`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

use super::{operation, CallContext, Operation};
use crate::client::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::naming::{camel_case, camel_case_request_message};

/// An operation's request and result JSON Schemas as JSON, rendered once per operation and
/// kept: deriving a schema costs far more than translating a request along it.
pub(crate) fn schemas(op: &Operation) -> Arc<(Value, Value)> {
    type Rendered = Mutex<HashMap<&'static str, Arc<(Value, Value)>>>;
    static RENDERED: OnceLock<Rendered> = OnceLock::new();
    let cache = RENDERED.get_or_init(Default::default);
    let render = || {
        let json = |s| serde_json::to_value(s).unwrap_or(Value::Bool(true));
        Arc::new((json((op.request_schema)()), json((op.result_schema)())))
    };
    match cache.lock() {
        Ok(mut map) => map.entry(op.name).or_insert_with(render).clone(),
        // A panic elsewhere while holding the lock: render without the cache.
        Err(_) => render(),
    }
}

/// `request` (camelCase field names, or the table's own) as the table's request of `op`.
pub fn request_from_camel_case(op: &Operation, request: Value) -> Result<Value> {
    let schemas = schemas(op);
    let schema = &schemas.0;
    Walker::new(schema, op.name).to_table(request, Some(schema), "request")
}

/// `result`, a result of `op` as the table writes it, with the field names its result model
/// declares in camelCase (every other key kept).
pub fn result_to_camel_case(op: &Operation, result: Value) -> Value {
    let schemas = schemas(op);
    let schema = &schemas.1;
    Walker::new(schema, op.name).to_camel(result, Some(schema))
}

/// Every object key of `value` (at any depth) in camelCase: for the polled states a
/// long-running operation gives its progress callback, which carry no user data as keys.
pub fn camel_case_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (camel_case(&k), camel_case_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(camel_case_keys).collect()),
        other => other,
    }
}

impl Client {
    /// [`Client::call`] in camelCase: the request's fields read in camelCase (or the table's
    /// spelling), the result's and each progress state's written in camelCase, and a bad
    /// request's error naming the fields in camelCase (see [`crate::api`]'s `camel` module).
    pub async fn call_camel_case(
        &self,
        name: &str,
        request: Value,
        ctx: &CallContext,
    ) -> Result<Value> {
        let run = async {
            let op = operation(name)?;
            let request = request_from_camel_case(op, request)?;
            let mut ctx = ctx.clone();
            if let Some(progress) = ctx.progress.take() {
                ctx.progress = Some(Arc::new(move |state: &Value| {
                    progress(&camel_case_keys(state.clone()));
                }));
            }
            let result = self.call(op.name, request, &ctx).await?;
            Ok::<_, Error>(result_to_camel_case(op, result))
        };
        run.await.map_err(|e: Error| match e.code() {
            ErrorCode::InvalidArgument => e.map_message(camel_case_request_message),
            _ => e,
        })
    }
}

/// [`super::call_standalone`] in camelCase, as [`Client::call_camel_case`] is [`Client::call`]:
/// an operation that needs no client (`zignsec.parse_redirect`…), its request read and its
/// result written with camelCase field names.
pub async fn call_standalone_camel_case(name: &str, request: Value) -> Result<Value> {
    let run = async {
        let op = operation(name)?;
        let request = request_from_camel_case(op, request)?;
        let result = super::call_standalone(op.name, request).await?;
        Ok::<_, Error>(result_to_camel_case(op, result))
    };
    run.await.map_err(|e: Error| match e.code() {
        ErrorCode::InvalidArgument => e.map_message(camel_case_request_message),
        _ => e,
    })
}

/// Walks a value along a root schema (with its `$defs`).
struct Walker<'s> {
    defs: Option<&'s Map<String, Value>>,
    op: &'static str,
}

/// The object shape a schema allows: its declared properties, and the schema of any other key
/// (`None`: other keys are not described, their values are kept as they are).
struct Shape<'s> {
    props: Vec<(&'s str, &'s Value)>,
    extra: Option<&'s Value>,
}

impl<'s> Walker<'s> {
    fn new(root: &'s Value, op: &'static str) -> Walker<'s> {
        Walker {
            defs: root.get("$defs").and_then(Value::as_object),
            op,
        }
    }

    /// `schema` with its `$ref`s followed.
    fn resolve(&self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..64 {
            let target = schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .and_then(|name| self.defs.and_then(|d| d.get(name)));
            match target {
                Some(t) => schema = t,
                None => break,
            }
        }
        schema
    }

    /// Every alternative of `schema` (itself, and those of its `anyOf`/`oneOf`/`allOf`).
    fn alternatives(&self, schema: &'s Value, out: &mut Vec<&'s Value>, depth: usize) {
        let schema = self.resolve(schema);
        out.push(schema);
        if depth > 16 {
            return;
        }
        for key in ["anyOf", "oneOf", "allOf"] {
            for alt in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                self.alternatives(alt, out, depth + 1);
            }
        }
    }

    fn shape(&self, schema: &'s Value) -> Shape<'s> {
        let mut alts = Vec::new();
        self.alternatives(schema, &mut alts, 0);
        let mut shape = Shape {
            props: Vec::new(),
            extra: None,
        };
        for alt in alts {
            for (name, s) in alt
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if !shape.props.iter().any(|(n, _)| *n == name) {
                    shape.props.push((name.as_str(), s));
                }
            }
            if let Some(extra) = alt.get("additionalProperties").filter(|e| e.is_object()) {
                shape.extra.get_or_insert(extra);
            }
        }
        shape
    }

    /// Whether `schema` describes objects (or null) and never a list.
    fn only_objects(&self, schema: &'s Value) -> bool {
        let mut alts = Vec::new();
        self.alternatives(schema, &mut alts, 0);
        let types: Vec<&str> = alts
            .iter()
            .flat_map(|a| match a.get("type") {
                Some(Value::String(t)) => vec![t.as_str()],
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            })
            .collect();
        types.contains(&"object") && !types.contains(&"array")
    }

    /// The schema of the items of an array `schema` describes.
    fn items(&self, schema: &'s Value) -> Option<&'s Value> {
        let mut alts = Vec::new();
        self.alternatives(schema, &mut alts, 0);
        alts.into_iter().find_map(|a| a.get("items"))
    }

    fn to_table(&self, value: Value, schema: Option<&'s Value>, path: &str) -> Result<Value> {
        let Some(schema) = schema else {
            return Ok(value);
        };
        Ok(match value {
            Value::Object(map) => {
                let shape = self.shape(schema);
                if shape.props.is_empty() && shape.extra.is_none() {
                    return Ok(Value::Object(map));
                }
                let mut out = Map::with_capacity(map.len());
                let mut given: Vec<(&str, String)> = Vec::new();
                for (key, v) in map {
                    let declared = shape
                        .props
                        .iter()
                        .find(|(name, _)| *name == key)
                        .or_else(|| shape.props.iter().find(|(name, _)| camel_case(name) == key));
                    match declared {
                        Some(&(name, s)) => {
                            let at = format!("{path}.{}", camel_case(name));
                            if let Some((_, first)) = given.iter().find(|(n, _)| *n == name) {
                                return Err(Error::new(
                                    ErrorCode::InvalidArgument,
                                    format!(
                                        "{}: {at} is given twice (as \"{first}\" and \"{key}\"): \
                                         give it once",
                                        self.op
                                    ),
                                ));
                            }
                            given.push((name, key));
                            out.insert(name.to_string(), self.to_table(v, Some(s), &at)?);
                        }
                        // User data as keys, or a field the model does not know (the operation
                        // refuses it, naming it).
                        None => {
                            let at = format!("{path}.{key}");
                            let v = self.to_table(v, shape.extra, &at)?;
                            out.insert(key, v);
                        }
                    }
                }
                Value::Object(out)
            }
            Value::Array(_) if self.only_objects(schema) => {
                // serde reads a struct from a list of its fields too: `policy: []` would be an
                // empty policy, silently.
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!(
                        "{}: {path}: invalid type: an array, expected an object",
                        self.op
                    ),
                ));
            }
            Value::Array(items) => {
                let item = self.items(schema);
                Value::Array(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| self.to_table(v, item, &format!("{path}[{i}]")))
                        .collect::<Result<_>>()?,
                )
            }
            other => other,
        })
    }

    fn to_camel(&self, value: Value, schema: Option<&'s Value>) -> Value {
        let Some(schema) = schema else {
            return value;
        };
        match value {
            Value::Object(map) => {
                let shape = self.shape(schema);
                map.into_iter()
                    .map(
                        |(key, v)| match shape.props.iter().find(|(name, _)| *name == key) {
                            Some(&(name, s)) => (camel_case(name), self.to_camel(v, Some(s))),
                            None => {
                                let v = self.to_camel(v, shape.extra);
                                (key, v)
                            }
                        },
                    )
                    .collect::<Map<_, _>>()
                    .into()
            }
            Value::Array(items) => {
                let item = self.items(schema);
                Value::Array(items.into_iter().map(|v| self.to_camel(v, item)).collect())
            }
            other => other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn op(name: &str) -> &'static Operation {
        operation(name).expect("operation")
    }

    #[test]
    fn declared_fields_are_renamed_user_data_keys_are_kept() {
        let req = request_from_camel_case(
            op("securosys.sign"),
            json!({"label": "k", "payloadBase64": "eA==", "algorithm": "EDDSA",
                   "payloadKind": "raw",
                   "options": {"payloadType": "PDF", "metadata": {"invoiceNo": 7, "a_b": 1}}}),
        )
        .expect("request");
        assert_eq!(
            req,
            json!({"label": "k", "payload_base64": "eA==", "algorithm": "EDDSA",
                   "payload_kind": "raw",
                   "options": {"payload_type": "PDF", "metadata": {"invoiceNo": 7, "a_b": 1}}})
        );
        // The table's own spelling is read too, and unknown fields are left for the operation
        // to refuse.
        let req =
            request_from_camel_case(op("securosys.get_key"), json!({"label": "k", "lable": 1}))
                .expect("request");
        assert_eq!(req, json!({"label": "k", "lable": 1}));
    }

    #[test]
    fn a_field_in_both_spellings_is_an_error_naming_it() {
        let e = request_from_camel_case(
            op("securosys.list_approval_tasks"),
            json!({"approverKeyPem": "p", "pageSize": 1, "page_size": 2}),
        )
        .expect_err("twice");
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(
            e.message().contains("request.pageSize is given twice"),
            "{e}"
        );
    }

    #[test]
    fn nested_and_listed_results_are_renamed() {
        let out = result_to_camel_case(
            op("securosys.list_approval_tasks"),
            json!({"tasks": [{"id": "t", "approval_to_be_signed": "x", "approver_public_key": null,
                              "meta_data": null, "payload": null, "payload_type": null}]}),
        );
        assert_eq!(
            out,
            json!({"tasks": [{"id": "t", "approvalToBeSigned": "x", "approverPublicKey": null,
                              "metaData": null, "payload": null, "payloadType": null}]})
        );
        // The task given back to `approve` is read as listed.
        let task = out["tasks"][0].clone();
        let req = request_from_camel_case(
            op("securosys.approve"),
            json!({"approverKeyPem": "p", "task": task}),
        )
        .expect("request");
        assert_eq!(req["task"]["approvalToBeSigned"], "x");
        assert_eq!(req["approver_key_pem"], "p");
    }

    #[test]
    fn a_list_where_an_object_goes_is_refused() {
        let e = request_from_camel_case(
            op("securosys.create_key"),
            json!({"label": "k", "spec": "p256", "policy": []}),
        )
        .expect_err("a list");
        assert!(
            e.message()
                .contains("request.policy: invalid type: an array"),
            "{e}"
        );
    }

    #[test]
    fn progress_states_in_camel_case() {
        assert_eq!(
            camel_case_keys(json!({"rejected_by": [{"a_b": 1}]})),
            json!({"rejectedBy": [{"aB": 1}]})
        );
    }

    #[tokio::test]
    async fn a_standalone_operation_in_camel_case() {
        let out = call_standalone_camel_case(
            "zignsec.parse_redirect",
            json!({"returnedUrl": "https://app.example/ok?relay_state=r&session_id=s&errorCode=CANCELLED"}),
        )
        .await
        .expect("parsed");
        assert_eq!(
            out,
            json!({"success": false, "relayState": "r", "sessionId": "s",
                   "errorCode": "CANCELLED", "errorText": null})
        );
        let e = call_standalone_camel_case("zignsec.parse_redirect", json!({"returned": 1}))
            .await
            .expect_err("a misspelt field");
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert!(e.message().contains("returnedUrl"), "{e}");
    }
}
