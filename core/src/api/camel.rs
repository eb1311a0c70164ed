//! The operation table spoken in camelCase, for the wrappers whose users write camelCase (the
//! Node facades: `client.securosys().createKey({ label, keySize })`).
//!
//! The translation follows the operation's JSON Schemas, so only the names the request and
//! result models declare are renamed: maps that carry user data as keys (approval `metadata`,
//! a session's `metadata`…) keep their keys as given. A request field may be given in either
//! spelling (`keySize` or `key_size`); given in both, it is [`ErrorCode::InvalidArgument`]
//! naming it, so nothing is silently dropped. Errors about the request name its fields as the
//! caller wrote them (`request.keySize`).

mod typed;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock, OnceLock};

use serde::ser::{SerializeMap as _, SerializeSeq as _};
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::{operation, CallContext, Operation, OPERATIONS};
use crate::client::Client;
use crate::error::{Error, ErrorCode, Result};
use crate::naming::{camel_case, camel_case_request_message};

/// An operation's schemas, rendered once and compiled into the renaming plans every call
/// follows: deriving a schema, or walking one, costs far more than translating a value along a
/// plan.
struct Compiled {
    schemas: Arc<(Value, Value)>,
    request: Plan,
    result: Plan,
    /// The request's fields that carry bytes as base64 text (`payload_base64`), by the names a
    /// caller gives the bytes themselves: (`payload`, `payload`), (`pdf_data`, `pdfData`).
    bytes_fields: Vec<(String, String)>,
}

/// The compiled schemas of `op`, made on first use and kept for the process (one slot per
/// operation of the table, so no lock is taken once made).
fn compiled(op: &Operation) -> &'static Compiled {
    static SLOTS: LazyLock<Vec<OnceLock<Compiled>>> =
        LazyLock::new(|| OPERATIONS.iter().map(|_| OnceLock::new()).collect());
    static EMPTY: LazyLock<Compiled> =
        LazyLock::new(|| compile(&Value::Bool(true), &Value::Bool(true)));
    let render = || {
        let json = |s| serde_json::to_value(s).unwrap_or(Value::Bool(true));
        compile(&json((op.request_schema)()), &json((op.result_schema)()))
    };
    // The slot of the table's entry at `op`'s address (every caller holds a `&'static` entry
    // of the table): no hashing of its name on every call.
    let at = (op as *const Operation as usize).wrapping_sub(OPERATIONS.as_ptr() as usize)
        / std::mem::size_of::<Operation>().max(1);
    let slot = OPERATIONS
        .get(at)
        .filter(|o| std::ptr::eq(*o, op))
        .and_then(|_| SLOTS.get(at));
    match slot {
        Some(slot) => slot.get_or_init(render),
        // Every operation is in the table; an unknown one is translated along no schema.
        None => &EMPTY,
    }
}

fn compile(request: &Value, result: &Value) -> Compiled {
    let request_plan = Plan::new(request);
    let bytes_fields = request_plan.nodes[request_plan.root]
        .props
        .iter()
        .filter_map(|p| p.name.strip_suffix("_base64"))
        .map(|stem| (stem.to_string(), camel_case(stem)))
        .collect();
    Compiled {
        schemas: Arc::new((request.clone(), result.clone())),
        request: request_plan,
        result: Plan::new(result),
        bytes_fields,
    }
}

/// An operation's request and result JSON Schemas as JSON, rendered once per operation and
/// kept.
pub(crate) fn schemas(op: &Operation) -> Arc<(Value, Value)> {
    compiled(op).schemas.clone()
}

/// Whether `key`, a top-level field of a request of `op`, names bytes the operation takes as
/// base64 text in the field `key_base64` (`payload` for `payload_base64`; `pdfData` or
/// `pdf_data` for `pdf_data_base64`): a wrapper takes the bytes themselves there.
pub(crate) fn is_bytes_field(op: &Operation, key: &str) -> bool {
    compiled(op)
        .bytes_fields
        .iter()
        .any(|(snake, camel)| key == camel || key == snake)
}

/// `request` (camelCase field names, or the table's own) as the table's request of `op`.
pub fn request_from_camel_case(op: &Operation, request: Value) -> Result<Value> {
    let plan = &compiled(op).request;
    plan.to_table(request, Some(plan.root), &At::Root, op.name)
}

/// `result`, a result of `op` as the table writes it, with the field names its result model
/// declares in camelCase (every other key kept).
pub fn result_to_camel_case(op: &Operation, result: Value) -> Value {
    let plan = &compiled(op).result;
    plan.to_camel(result, Some(plan.root))
}

/// A result in camelCase as JSON text, with its bytes apart: [`result_to_camel_case_json`].
#[derive(Debug, Default)]
pub struct CamelCaseJson {
    /// The result as JSON text, each bytes field `x_base64` (of the `Base64` type) written as
    /// `x: null`.
    pub text: String,
    /// The bytes of those fields, each with the JSON pointer of its place in `text`
    /// (`/der`, `/documents/0/content`).
    pub bytes: Vec<(String, Vec<u8>)>,
}

/// [`result_to_camel_case`] written straight to JSON text, in one pass and without building
/// the renamed value, for a wrapper whose language parses JSON faster than it builds objects
/// field by field (JavaScript's `JSON.parse`). Bytes are given apart, decoded, for the wrapper
/// to put there in its own bytes type (a Node `Buffer`): a field `x_base64` of the `Base64`
/// type is `x` in the text, `null` until then. Large files then cross neither as base64 text
/// nor through the language's JSON parser.
pub fn result_to_camel_case_json(op: &Operation, result: &Value) -> CamelCaseJson {
    let plan = &compiled(op).result;
    let bytes = std::cell::RefCell::new(Vec::new());
    let renamed = Renamed {
        plan,
        node: Some(plan.root),
        value: result,
        at: &At::Root,
        bytes: &bytes,
    };
    // A `Value` has string keys and finite numbers only: writing it cannot fail.
    let text = serde_json::to_string(&renamed).unwrap_or_else(|_| "null".to_string());
    CamelCaseJson {
        text,
        bytes: bytes.into_inner(),
    }
}

/// [`result_to_camel_case_json`] of a typed result, written without building its JSON value
/// first; `None` for a shape only the JSON value's way writes (an enum variant with data).
pub(crate) fn typed_result_to_camel_case_json<T: Serialize + ?Sized>(
    op: &Operation,
    result: &T,
) -> Option<CamelCaseJson> {
    typed::to_camel_case_json(&compiled(op).result, result)
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
        let op = operation(name).map_err(camel_case_error)?;
        self.call_renamed(op, request, ctx, |op, result| {
            Ok(result_to_camel_case(op, result.to_value(op.name)?))
        })
        .await
    }

    /// [`Client::call_camel_case`] with the result as JSON text and its bytes apart
    /// ([`result_to_camel_case_json`]).
    pub async fn call_camel_case_json(
        &self,
        name: &str,
        request: Value,
        ctx: &CallContext,
    ) -> Result<CamelCaseJson> {
        let op = operation(name).map_err(camel_case_error)?;
        self.call_operation_camel_case_json(op, request, ctx).await
    }

    /// [`Client::call_camel_case_json`] of an operation of the table already looked up (as a
    /// wrapper does to refuse an unknown name before anything is spawned).
    pub async fn call_operation_camel_case_json(
        &self,
        op: &Operation,
        request: Value,
        ctx: &CallContext,
    ) -> Result<CamelCaseJson> {
        self.call_renamed(op, request, ctx, |op, result| {
            match result.to_camel_case_json(op) {
                Some(json) => Ok(json),
                None => Ok(result_to_camel_case_json(op, &result.to_value(op.name)?)),
            }
        })
        .await
    }

    async fn call_renamed<T>(
        &self,
        op: &Operation,
        request: Value,
        ctx: &CallContext,
        write: impl FnOnce(&Operation, Box<dyn super::TypedResult>) -> Result<T>,
    ) -> Result<T> {
        let run = async {
            let request = request_from_camel_case(op, request)?;
            let mut ctx = ctx.clone();
            if let Some(progress) = ctx.progress.take() {
                ctx.progress = Some(Arc::new(move |state: &Value| {
                    progress(&camel_case_keys(state.clone()));
                }));
            }
            let result = (op.run)(self, request, &ctx).await?;
            write(op, result)
        };
        run.await.map_err(camel_case_error)
    }
}

/// A bad request's error naming its fields in camelCase.
fn camel_case_error(e: Error) -> Error {
    match e.code() {
        ErrorCode::InvalidArgument => e.map_message(camel_case_request_message),
        _ => e,
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
    run.await.map_err(camel_case_error)
}

/// [`call_standalone_camel_case`] with the result as JSON text and its bytes apart
/// ([`result_to_camel_case_json`]).
pub async fn call_standalone_camel_case_json(name: &str, request: Value) -> Result<CamelCaseJson> {
    let run = async {
        let op = operation(name)?;
        let request = request_from_camel_case(op, request)?;
        let result = super::call_standalone(op.name, request).await?;
        Ok::<_, Error>(result_to_camel_case_json(op, &result))
    };
    run.await.map_err(camel_case_error)
}

/// Where a value is in a request (`request.documents[1].fields`), rendered only for an error.
enum At<'a> {
    Root,
    Field(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    /// As a JSON pointer (`/documents/0/content`).
    fn pointer(&self) -> String {
        match self {
            At::Root => String::new(),
            At::Field(parent, name) => format!(
                "{}/{}",
                parent.pointer(),
                name.replace('~', "~0").replace('/', "~1")
            ),
            At::Index(parent, i) => format!("{}/{i}", parent.pointer()),
        }
    }
}

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            At::Root => f.write_str("request"),
            At::Field(parent, name) => write!(f, "{parent}.{name}"),
            At::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// A schema compiled for renaming: one node per object/array shape, linked by index (a schema
/// may refer to itself).
struct Plan {
    nodes: Vec<Node>,
    root: usize,
}

/// The shape a schema (with all its alternatives) allows.
#[derive(Default)]
struct Node {
    /// The declared properties.
    props: Vec<Prop>,
    /// The node of any other key's value (`None`: kept as given).
    extra: Option<usize>,
    /// The node of an array's items (`None`: kept as given).
    items: Option<usize>,
    /// Whether the schema describes objects (or null) and never a list.
    only_objects: bool,
    /// Whether its strings are bytes as base64 text (the `Base64` type).
    bytes: bool,
}

struct Prop {
    name: String,
    camel: String,
    node: usize,
    /// For a bytes field `x_base64` (or a list of bytes): `x` in camelCase, the name its bytes
    /// are given under apart from the text.
    bytes_name: Option<String>,
}

impl Node {
    fn prop(&self, name: &str) -> Option<&Prop> {
        // Sorted by name when compiled: a result's every field is looked up here.
        self.props
            .binary_search_by(|p| p.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.props[i])
    }
}

impl Plan {
    fn new(root: &Value) -> Plan {
        let mut compiler = Compiler {
            defs: root.get("$defs").and_then(Value::as_object),
            memo: HashMap::new(),
            nodes: Vec::new(),
        };
        let root = compiler.compile(root);
        let mut nodes = compiler.nodes;
        // A bytes field (`x_base64` of the `Base64` type, or a list of them) is given apart as
        // `x`: known once every node is made (a schema may refer to itself).
        let is_bytes = |nodes: &[Node], i: usize| {
            nodes[i].bytes || nodes[i].items.is_some_and(|item| nodes[item].bytes)
        };
        for n in 0..nodes.len() {
            for p in 0..nodes[n].props.len() {
                let prop = &nodes[n].props[p];
                if let Some(stem) = prop.name.strip_suffix("_base64") {
                    if is_bytes(&nodes, prop.node) {
                        nodes[n].props[p].bytes_name = Some(camel_case(stem));
                    }
                }
            }
        }
        Plan { nodes, root }
    }

    fn to_table(&self, value: Value, node: Option<usize>, at: &At<'_>, op: &str) -> Result<Value> {
        let Some(node) = node.map(|i| &self.nodes[i]) else {
            return Ok(value);
        };
        Ok(match value {
            Value::Object(map) => {
                if node.props.is_empty() && node.extra.is_none() {
                    return Ok(Value::Object(map));
                }
                let mut out = Map::new();
                for (key, v) in map {
                    let declared = node
                        .prop(&key)
                        .or_else(|| node.props.iter().find(|p| p.camel == key));
                    match declared {
                        Some(prop) => {
                            let here = At::Field(at, &prop.camel);
                            if out.contains_key(&prop.name) {
                                // The other spelling came first (JSON keys are unique).
                                let first = if key == prop.name {
                                    &prop.camel
                                } else {
                                    &prop.name
                                };
                                return Err(Error::new(
                                    ErrorCode::InvalidArgument,
                                    format!(
                                        "{op}: {here} is given twice (as \"{first}\" and \
                                         \"{key}\"): give it once"
                                    ),
                                ));
                            }
                            let v = self.to_table(v, Some(prop.node), &here, op)?;
                            out.insert(prop.name.clone(), v);
                        }
                        // User data as keys, or a field the model does not know (the operation
                        // refuses it, naming it).
                        None => {
                            let v = self.to_table(v, node.extra, &At::Field(at, &key), op)?;
                            out.insert(key, v);
                        }
                    }
                }
                Value::Object(out)
            }
            Value::Array(_) if node.only_objects => {
                // serde reads a struct from a list of its fields too: `policy: []` would be an
                // empty policy, silently.
                return Err(Error::new(
                    ErrorCode::InvalidArgument,
                    format!("{op}: {at}: invalid type: an array, expected an object"),
                ));
            }
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| self.to_table(v, node.items, &At::Index(at, i), op))
                    .collect::<Result<_>>()?,
            ),
            other => other,
        })
    }

    fn to_camel(&self, value: Value, node: Option<usize>) -> Value {
        let Some(node) = node.map(|i| &self.nodes[i]) else {
            return value;
        };
        match value {
            Value::Object(map) => map
                .into_iter()
                .map(|(key, v)| match node.prop(&key) {
                    Some(prop) => (prop.camel.clone(), self.to_camel(v, Some(prop.node))),
                    None => {
                        let v = self.to_camel(v, node.extra);
                        (key, v)
                    }
                })
                .collect::<Map<_, _>>()
                .into(),
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|v| self.to_camel(v, node.items))
                    .collect(),
            ),
            other => other,
        }
    }
}

/// A value written along a plan, its declared field names in camelCase and its bytes set apart
/// (decoded, with the JSON pointer of their place).
struct Renamed<'a> {
    plan: &'a Plan,
    node: Option<usize>,
    value: &'a Value,
    at: &'a At<'a>,
    bytes: &'a std::cell::RefCell<Vec<(String, Vec<u8>)>>,
}

impl Renamed<'_> {
    /// `value`, inside this one at `at`, written along `node`.
    fn inner<'v>(&'v self, node: Option<usize>, value: &'v Value, at: &'v At<'v>) -> Renamed<'v> {
        Renamed {
            plan: self.plan,
            node,
            value,
            at,
            bytes: self.bytes,
        }
    }
}

impl Serialize for Renamed<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let Some(node) = self.node.map(|i| &self.plan.nodes[i]) else {
            return self.value.serialize(s);
        };
        match self.value {
            Value::Object(map) => {
                let mut out = s.serialize_map(Some(map.len()))?;
                for (key, v) in map {
                    match node.prop(key) {
                        Some(prop) => {
                            let name = prop.bytes_name.as_ref().unwrap_or(&prop.camel);
                            let here = At::Field(self.at, name);
                            out.serialize_entry(name, &self.inner(Some(prop.node), v, &here))?
                        }
                        None => {
                            let here = At::Field(self.at, key);
                            out.serialize_entry(key, &self.inner(node.extra, v, &here))?
                        }
                    }
                }
                out.end()
            }
            Value::Array(items) => {
                let mut out = s.serialize_seq(Some(items.len()))?;
                for (i, v) in items.iter().enumerate() {
                    let here = At::Index(self.at, i);
                    out.serialize_element(&self.inner(node.items, v, &here))?;
                }
                out.end()
            }
            Value::String(text) if node.bytes => {
                use base64::Engine as _;
                match base64::engine::general_purpose::STANDARD.decode(text) {
                    Ok(data) => {
                        self.bytes.borrow_mut().push((self.at.pointer(), data));
                        s.serialize_unit()
                    }
                    // Not written by the core's `Base64`: kept as it is.
                    Err(_) => s.serialize_str(text),
                }
            }
            other => other.serialize(s),
        }
    }
}

/// Compiles a root schema (with its `$defs`) into a [`Plan`].
struct Compiler<'s> {
    defs: Option<&'s Map<String, Value>>,
    /// The node made for each schema (by address), so a schema referring to itself ends.
    memo: HashMap<*const Value, usize>,
    nodes: Vec<Node>,
}

impl<'s> Compiler<'s> {
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

    fn compile(&mut self, schema: &'s Value) -> usize {
        let schema = self.resolve(schema);
        if let Some(&id) = self.memo.get(&(schema as *const Value)) {
            return id;
        }
        let id = self.nodes.len();
        self.nodes.push(Node::default());
        self.memo.insert(schema as *const Value, id);

        let mut alts = Vec::new();
        self.alternatives(schema, &mut alts, 0);
        let mut props: Vec<(&'s str, &'s Value)> = Vec::new();
        let mut extra = None;
        for alt in &alts {
            for (name, s) in alt
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if !props.iter().any(|(n, _)| *n == name) {
                    props.push((name.as_str(), s));
                }
            }
            if let Some(e) = alt.get("additionalProperties").filter(|e| e.is_object()) {
                extra.get_or_insert(e);
            }
        }
        let items = alts.iter().find_map(|a| a.get("items"));
        let types: Vec<&str> = alts
            .iter()
            .flat_map(|a| match a.get("type") {
                Some(Value::String(t)) => vec![t.as_str()],
                Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            })
            .collect();
        let only_objects = types.contains(&"object") && !types.contains(&"array");
        let bytes = alts
            .iter()
            .any(|a| a.get("contentEncoding").and_then(Value::as_str) == Some("base64"));

        let mut props: Vec<Prop> = props
            .into_iter()
            .map(|(name, s)| {
                let node = self.compile(s);
                Prop {
                    name: name.to_string(),
                    camel: camel_case(name),
                    node,
                    bytes_name: None,
                }
            })
            .collect();
        props.sort_by(|a, b| a.name.cmp(&b.name));
        let extra = extra.map(|e| self.compile(e));
        let items = items.map(|i| self.compile(i));
        self.nodes[id] = Node {
            props,
            extra,
            items,
            only_objects,
            bytes,
        };
        id
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
    fn the_json_text_is_the_renamed_result() {
        let result = json!({"tasks": [{"id": "t", "approval_to_be_signed": "x",
                                       "approver_public_key": null, "meta_data": null,
                                       "payload": null, "payload_type": null, "user_key": 1}]});
        let op = op("securosys.list_approval_tasks");
        let out = result_to_camel_case_json(op, &result);
        assert!(out.bytes.is_empty());
        let parsed: Value = serde_json::from_str(&out.text).expect("JSON text");
        assert_eq!(parsed, result_to_camel_case(op, result));
        assert_eq!(parsed["tasks"][0]["approvalToBeSigned"], "x");
        // A key the model does not declare is written as given.
        assert_eq!(parsed["tasks"][0]["user_key"], 1);
    }

    #[test]
    fn bytes_in_a_result_are_given_apart() {
        let out =
            result_to_camel_case_json(op("zignsec.download"), &json!({"data_base64": "JVBERg=="}));
        assert_eq!(out.text, r#"{"data":null}"#);
        assert_eq!(out.bytes, vec![("/data".to_string(), b"%PDF".to_vec())]);
        // Elsewhere bytes stay base64 text.
        assert_eq!(
            result_to_camel_case(op("zignsec.download"), json!({"data_base64": "JVBERg=="})),
            json!({"dataBase64": "JVBERg=="})
        );
    }

    #[test]
    fn bytes_fields_are_known_by_either_spelling() {
        let sign = op("securosys.sign");
        assert!(sign.is_bytes_field("payload"));
        assert!(!sign.is_bytes_field("payloadBase64"));
        assert!(!sign.is_bytes_field("label"));
        assert_eq!(
            operation("securosys.createKey").expect("camelCase").name,
            "securosys.create_key"
        );
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
