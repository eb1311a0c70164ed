//! The Python facades, rendered from the operation table: each module of [`FACADES`] (such as
//! `bindings-python/python/signbridge/_securosys.py`, with `Securosys` and `AsyncSecurosys`)
//! holds one method per operation of its provider, each a thin call of `Client.call` /
//! `AsyncClient.call`. Its types are those of `call_types.py` (generated from the same table by
//! `python_call_types.rs`), read from that file so both stay one declaration.
//!
//! The rules:
//! - the method's name is the operation's suffix, its docstring the operation's doc and its
//!   fields' descriptions;
//! - required request fields are positional-or-keyword, in the schema's `required` order;
//!   optional ones keyword-only, defaulting to `None` (= not sent);
//! - a field `x_base64` is taken as bytes-like under the name `x`; a model read in either
//!   spelling takes its result-side class too (a listed `ApprovalTaskOut`); a value of the native
//!   classes with a `__signbridge_json__` hook (`Policy`, `KeyAttributes`, `ApproverKey`) is
//!   accepted where the request takes its JSON, and the native str enums where it takes their
//!   values;
//! - a result without fields is `None`; a result with exactly one field is returned unwrapped
//!   (a `x_base64` one decoded to `bytes`); any other is the typed result dict;
//! - long-running operations take `on_progress`, as `call` does.
//!
//! This test fails when a file is stale; `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test
//! python_facades` rewrites them.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;
use signbridge::api;

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Request fields that take a native object through its `__signbridge_json__` hook, besides
/// the types named like a native class: the field and the class.
const HOOKED_FIELDS: &[(&str, &str)] = &[("approver_key_pem", "ApproverKey")];

/// One generated module: a class and its asyncio twin over some operations of the table.
struct Facade {
    /// The module's file under `bindings-python/python/signbridge/`.
    file: &'static str,
    /// The sync class (the asyncio one is `Async…`).
    class: &'static str,
    /// The `Client` method that returns it.
    accessor: &'static str,
    /// What the class's docstring says it holds.
    title: &'static str,
    /// The module docstring's first paragraph.
    intro: &'static str,
    /// Its provider-specific last sentences (may be empty).
    extra: &'static str,
    /// What the accessor gives the class besides the client: a read-only property (its name,
    /// annotation and docstring). A request field of that name left out is sent with it.
    property: (&'static str, &'static str, &'static str),
    /// The method for an operation of this facade (its name), `None` for the others.
    method: fn(&str) -> Option<String>,
    /// Whether the `x_base64` fields of a result dict (not only of a one-field result) are
    /// given decoded, as the bytes `x` (OneSpan's downloads).
    result_bytes: bool,
}

/// An operation's name without its provider's `prefix` and without the facade's own `topic`
/// word (`zignsec.wait_signing` → `wait` in the signing facade); `None` when the name has not
/// that prefix or starts with one of `others` (the prefixes of other facades of the provider).
fn suffix_without(op: &str, prefix: &str, others: &[&str], topic: &str) -> Option<String> {
    let rest = op.strip_prefix(prefix)?;
    if others.iter().any(|o| rest.starts_with(o)) {
        return None;
    }
    let words: Vec<&str> = rest.split('_').filter(|w| *w != topic).collect();
    Some(if words.is_empty() {
        rest.to_string()
    } else {
        words.join("_")
    })
}

/// The generated facades.
const FACADES: &[Facade] = &[
    Facade {
        file: "_zignsec_signing.py",
        class: "ZignsecSigning",
        accessor: "zignsec_signing",
        title: "BankID Norway document signing through the ZignSec gateway",
        intro: "BankID Norway document signing through the ZignSec gateway: one method per\n\
                ``zignsec.*`` signing operation of the core's operation table (``eid_*`` are\n\
                ``ZignsecEid``'s)",
        extra: " The usual flow:\n``sign_documents([{\"path\": \"a.pdf\"}])``, send the signer \
                to its ``redirect_url``,\n``wait(session_id, on_progress=...)``, \
                ``save_signed_files(session_id, dir)``.",
        property: ("base_url", "str", "The ZignSec gateway base URL in use."),
        method: |op| suffix_without(op, "zignsec.", &["eid_"], "signing"),
        result_bytes: false,
    },
    Facade {
        file: "_signing.py",
        class: "Signing",
        accessor: "signing",
        title: "Provider-neutral document signing (ZignSec or OneSpan)",
        intro: "Provider-neutral document signing: one method per ``signing.*`` operation of the\n\
                core's operation table; the same calls sign with ZignSec BankID Norway or\n\
                OneSpan Sign",
        extra: "\nSessions are named by their reference (``\"zignsec:<id>\"``); ``start`` uses the \
                facade's\n``provider`` unless given another, the other calls the reference's.",
        property: (
            "provider",
            "_native.Provider",
            "The provider new sessions start with.",
        ),
        method: |op| suffix_without(op, "signing.", &[], ""),
        result_bytes: false,
    },
    Facade {
        file: "_securosys.py",
        class: "Securosys",
        accessor: "securosys",
        title: "Securosys Primus HSM operations",
        intro: "Securosys Primus HSM (the TSB REST API): one method per ``securosys.*`` operation of the\n\
                core's operation table",
        extra: " An ``ApproverKey`` is accepted where a request takes an approver's\n\
                key, the str enums (``SignatureAlgorithm``, ``TaskKind``, …) where it takes their values;\n\
                ``signbridge.quorum_policy`` builds the usual ``policy``.",
        property: ("base_url", "str", "The TSB base URL in use."),
        method: |op| op.strip_prefix("securosys.").map(String::from),
        result_bytes: false,
    },
    Facade {
        file: "_onespan.py",
        class: "Onespan",
        accessor: "onespan",
        title: "OneSpan Sign operations",
        intro: "OneSpan Sign: one method per ``onespan.*`` operation of the core's operation table",
        extra: " A download into memory has its bytes as ``content``; ``packages(...)``\n\
                (``signbridge.onespan_packages``) walks every page of ``list``. ``PackageStatus`` and\n\
                ``CallbackEventName`` are accepted where a request takes their values.",
        property: ("base_url", "str", "The OneSpan Sign base URL in use."),
        method: |op| op.strip_prefix("onespan.").map(String::from),
        result_bytes: true,
    },
    Facade {
        file: "_zignsec_eid.py",
        class: "ZignsecEid",
        accessor: "zignsec_eid",
        title: "Browser-based eID sessions through ZignSec",
        intro: "Browser-based eID through ZignSec (BankID SE, MitID, Freja eID, BankID NO): one method per\n\
                ``zignsec.eid_*`` operation of the core's operation table (``create``, ``result``,\n\
                ``wait``, ``complete_redirect``)",
        extra: " A product is named (``product=\"bankid_se\"``) or given by its path\n\
                (``core={...}``, ``v5={...}``).",
        property: ("base_url", "str", "The ZignSec gateway base URL in use."),
        method: |op| op.strip_prefix("zignsec.eid_").map(String::from),
        result_bytes: false,
    },
];

/// A schema that is a reference to one of its definitions (a request that is a named model):
/// that definition.
fn resolved(schema: Value) -> Value {
    let target = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| schema.get("$defs")?.get(name))
        .cloned();
    target.unwrap_or(schema)
}

/// `securosys.create_key` → `SecurosysCreateKey`.
fn pascal(name: &str) -> String {
    name.split(['.', '_'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fields of every `TypedDict` class of `call_types.py` (with those of its `_…Required`
/// base), as annotated there.
fn typed_dicts(text: &str) -> BTreeMap<String, Vec<(String, String)>> {
    let mut classes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut in_doc = false;
    for line in text.lines() {
        // A class docstring may span lines, some of them unindented.
        if in_doc {
            in_doc = !line.contains("\"\"\"");
            continue;
        }
        if current.is_some() && line.trim_start().starts_with("\"\"\"") {
            in_doc = line.matches("\"\"\"").count() == 1;
            continue;
        }
        // `X = Y` (a request that is a named model) and `X = TypedDict("X", {"k": "T"}, ...)`
        // (a class with a keyword among its fields).
        if let Some((alias, target)) = line.split_once(" = ").filter(|_| !line.starts_with(' ')) {
            current = None;
            if let Some(fields) = classes.get(target.trim()).cloned() {
                classes.insert(alias.to_string(), fields);
            } else if let Some(body) = target
                .strip_prefix("TypedDict(")
                .and_then(|t| t.split_once('{'))
                .and_then(|(_, t)| t.rsplit_once('}'))
                .map(|(t, _)| t)
            {
                let quoted: Vec<&str> = body.split('"').skip(1).step_by(2).collect();
                let fields = quoted
                    .chunks(2)
                    .filter_map(|kv| Some((kv.first()?.to_string(), kv.get(1)?.to_string())))
                    .collect();
                classes.insert(alias.to_string(), fields);
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("class ") {
            let name = rest.split('(').next().unwrap_or("").to_string();
            let base = rest
                .split('(')
                .nth(1)
                .and_then(|b| b.split([',', ')']).next())
                .unwrap_or("")
                .trim()
                .to_string();
            let inherited = classes.get(&base).cloned().unwrap_or_default();
            classes.insert(name.clone(), inherited);
            current = Some(name);
            continue;
        }
        if !line.starts_with(' ') && !line.is_empty() {
            current = None;
            continue;
        }
        let Some(name) = &current else { continue };
        let Some(field) = line.strip_prefix("    ") else {
            continue;
        };
        if field.starts_with('#') || field.starts_with('"') {
            continue;
        }
        if let Some((f, t)) = field.split_once(": ") {
            if f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                if let Some(fields) = classes.get_mut(name) {
                    fields.push((f.to_string(), t.to_string()));
                }
            }
        }
    }
    classes
}

/// The str enums of `_native.pyi` with their values, and the classes with a
/// `__signbridge_json__` hook.
fn native_classes(stub: &str) -> (BTreeMap<String, Vec<String>>, Vec<String>) {
    let mut enums: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut hooked = Vec::new();
    let mut current = String::new();
    for line in stub.lines() {
        if let Some(rest) = line.strip_prefix("class ") {
            current = rest
                .split(['(', ':'])
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if rest.contains("(str, enum.Enum)") {
                enums.insert(current.clone(), Vec::new());
            }
        } else if line.trim_start().starts_with("def __signbridge_json__") {
            hooked.push(current.clone());
        } else if let Some((_, value)) = line
            .strip_prefix("    ")
            .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
            .and_then(|l| l.split_once(" = \""))
        {
            if let Some(values) = enums.get_mut(&current) {
                values.push(value.trim_end_matches('"').to_string());
            }
        }
    }
    (enums, hooked)
}

/// The string values of a `Literal[...]` annotation (`None` left out).
fn literal_values(t: &str) -> Option<Vec<String>> {
    let inner = t.strip_prefix("Literal[")?.strip_suffix(']')?;
    let mut values: Vec<String> = inner
        .split(", ")
        .filter(|v| *v != "None")
        .map(|v| v.trim_matches('"').to_string())
        .collect();
    values.sort();
    Some(values)
}

/// `ty` or `extra` (one flat `Union`).
fn union_with(ty: &str, extra: &str) -> String {
    match ty.strip_prefix("Union[").and_then(|t| t.strip_suffix(']')) {
        Some(parts) => format!("Union[{parts}, {extra}]"),
        None => format!("Union[{ty}, {extra}]"),
    }
}

/// `Optional[T]` → `T`.
fn strip_optional(t: &str) -> &str {
    t.strip_prefix("Optional[")
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(t)
}

fn docstring(text: &str, indent: &str) -> String {
    let text = text.trim().replace('\\', "\\\\").replace("\"\"\"", "'''");
    let mut s = format!("{indent}\"\"\"");
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            s.push('\n');
            if !line.trim().is_empty() {
                s.push_str(indent);
            }
        }
        s.push_str(line.trim_end());
    }
    if text.contains('\n') {
        let _ = write!(s, "\n{indent}");
    }
    s.push_str("\"\"\"\n");
    s
}

struct Param {
    /// The request field.
    field: String,
    /// The Python parameter.
    name: String,
    ty: String,
    required: bool,
    doc: Option<String>,
}

struct Method {
    name: String,
    op: &'static str,
    doc: String,
    params: Vec<Param>,
    long_running: bool,
    /// The return annotation.
    returns: String,
    /// How the body turns `result` into the return value (`None`: nothing to return).
    convert: Option<String>,
    /// A result dict whose `x_base64` fields are given decoded as `x`: the `TypedDict` the
    /// module declares for it (its name, its fields).
    decoded: Option<(String, Vec<DictField>)>,
}

/// A field of a generated `TypedDict`: its name, its annotation, whether it is required.
type DictField = (String, String, bool);

fn methods(facade: &Facade) -> Vec<Method> {
    let ct =
        std::fs::read_to_string(root().join("bindings-python/python/signbridge/call_types.py"))
            .expect("read call_types.py");
    let stub =
        std::fs::read_to_string(root().join("bindings-python/python/signbridge/_native.pyi"))
            .expect("read _native.pyi");
    let classes = typed_dicts(&ct);
    let (enums, hooked) = native_classes(&stub);
    let mut out = Vec::new();
    for (op, method) in api::OPERATIONS.iter().filter_map(|o| {
        let m = (facade.method)(o.name).filter(|_| !api::STANDALONE.contains(&o.name))?;
        Some((o, m))
    }) {
        let base = pascal(op.name);
        let request = resolved(serde_json::to_value((op.request_schema)()).expect("schema"));
        let result = serde_json::to_value((op.result_schema)()).expect("schema");
        // A request without fields is an alias (`dict[str, object]`), not a class.
        let req_fields = classes
            .get(&format!("{base}Request"))
            .cloned()
            .unwrap_or_default();
        let required: Vec<&str> = request
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let props = request
            .get("properties")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let mut params = Vec::new();
        let order = required.iter().map(|f| f.to_string()).chain(
            props
                .keys()
                .filter(|k| !required.contains(&k.as_str()))
                .cloned(),
        );
        for field in order {
            if op.long_running && field == "on_progress" {
                continue;
            }
            let annotated = req_fields
                .iter()
                .find(|(f, _)| *f == field)
                .map(|(_, t)| t.clone())
                .unwrap_or_else(|| panic!("{base}Request has no field {field}"));
            let bytes = field.ends_with("_base64");
            let mut name = field.strip_suffix("_base64").unwrap_or(&field).to_string();
            if KEYWORDS.contains(&name.as_str()) {
                name.push('_');
            }
            let inner = strip_optional(&annotated).to_string();
            let mut ty = if bytes {
                inner.replace("Union[str, bytes]", "_Bytes")
            } else {
                inner.clone()
            };
            // A file or directory path: any os.PathLike too (converted to its text by `call`).
            let pathish = ["path", "dir"]
                .iter()
                .any(|w| field == *w || field.ends_with(&format!("_{w}")));
            if pathish && inner == "str" {
                ty = "Union[str, os.PathLike[str]]".to_string();
            }
            // A model spelt differently in results (`ApprovalTaskOut`): what an operation
            // listed can be given back.
            if classes.contains_key(&format!("{inner}Out")) {
                ty = format!("Union[{inner}, {inner}Out]");
            }
            // A task as `list_approval_tasks` gives it (with its decoded metadata) is taken
            // back as it is.
            if inner == "ApprovalTask" && classes.contains_key("ListedTask") {
                ty = union_with(&ty, "ListedTask");
            }
            if enums.contains_key(&inner) || hooked.contains(&inner) {
                ty = union_with(&ty, &format!("_native.{inner}"));
            }
            // An inline list of values that is a native enum's: that enum too.
            if let Some(values) = literal_values(&inner) {
                let native = enums.iter().find(|(_, v)| {
                    let mut v = (*v).clone();
                    v.sort();
                    v == values
                });
                if let Some((name, _)) = native {
                    ty = union_with(&ty, &format!("_native.{name}"));
                }
            }
            if let Some((_, class)) = HOOKED_FIELDS.iter().find(|(f, _)| *f == field) {
                ty = union_with(&ty, &format!("_native.{class}"));
            }
            let doc = props
                .get(&field)
                .and_then(|p| p.get("description"))
                .and_then(Value::as_str)
                .map(String::from);
            params.push(Param {
                required: required.contains(&field.as_str()),
                field,
                name,
                ty,
                doc,
            });
        }
        let res_name = format!("{base}Result");
        let res_props: Vec<String> = result
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        let mut decoded = None;
        let (returns, convert) = match res_props.as_slice() {
            [] => ("None".to_string(), None),
            [only] => {
                let t = classes
                    .get(&res_name)
                    .and_then(|c| c.iter().find(|(f, _)| f == only))
                    .map(|(_, t)| t.clone())
                    .unwrap_or_else(|| panic!("{res_name} has no field {only}"));
                if only.ends_with("_base64") {
                    if t.starts_with("Optional[") {
                        (
                            "Optional[bytes]".to_string(),
                            Some(format!(
                                "None if result[{only:?}] is None else base64.b64decode(result[{only:?}])"
                            )),
                        )
                    } else {
                        (
                            "bytes".to_string(),
                            Some(format!("base64.b64decode(result[{only:?}])")),
                        )
                    }
                } else {
                    (t.clone(), Some(format!("cast({t:?}, result[{only:?}])")))
                }
            }
            fields if facade.result_bytes && fields.iter().any(|f| f.ends_with("_base64")) => {
                // The bytes of a result dict (a download into memory) decoded, under the name
                // without `_base64`, in a dict of their own type.
                let typed = classes
                    .get(&res_name)
                    .unwrap_or_else(|| panic!("no class {res_name}"));
                let required: Vec<&str> = result
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let name = base.clone();
                let mut out_fields = Vec::new();
                let mut names = Vec::new();
                for (f, t) in typed {
                    let req = required.contains(&f.as_str());
                    match f.strip_suffix("_base64") {
                        Some(short) => {
                            let t = if t.starts_with("Optional[") {
                                "Optional[builtins.bytes]"
                            } else {
                                "builtins.bytes"
                            };
                            out_fields.push((short.to_string(), t.to_string(), req));
                            names.push(format!("{short:?}"));
                        }
                        None => out_fields.push((f.clone(), t.clone(), req)),
                    }
                }
                decoded = Some((name.clone(), out_fields));
                (
                    name.clone(),
                    Some(format!(
                        "cast({name:?}, _decoded(result, ({},)))",
                        names.join(", ")
                    )),
                )
            }
            _ => (
                res_name.clone(),
                Some(format!("cast({res_name:?}, result)")),
            ),
        };
        out.push(Method {
            name: method,
            op: op.name,
            doc: op.doc.to_string(),
            params,
            long_running: op.long_running,
            returns,
            convert,
            decoded,
        });
    }
    out
}

/// `ty` with the builtins that methods of the class shadow (a method `list`) spelt
/// `builtins.…`: a signature's annotations are read in the class's scope.
fn unshadowed(ty: &str, shadowed: &[&str]) -> String {
    let mut ty = ty.to_string();
    for name in shadowed {
        let mut out = String::new();
        let mut rest = ty.as_str();
        while let Some(i) = rest.find(&format!("{name}[")) {
            let before = &rest[..i];
            out.push_str(before);
            let qualified = before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.');
            if !qualified {
                out.push_str("builtins.");
            }
            out.push_str(name);
            rest = &rest[i + name.len()..];
        }
        out.push_str(rest);
        ty = out;
    }
    ty
}

/// `m` in Python; `carried` is the facade's property, which fills a request field of its name.
fn render_method(m: &Method, is_async: bool, shadowed: &[&str], carried: &str) -> String {
    let mut s = String::new();
    let mut sig = vec!["self".to_string()];
    let mut star = false;
    for p in &m.params {
        let ty = unshadowed(&p.ty, shadowed);
        if p.required {
            sig.push(format!("{}: {ty}", p.name));
        } else {
            if !star {
                sig.push("*".into());
                star = true;
            }
            // `Optional` already admits `None`: not again inside a `Literal`.
            let ty = ty.replace(", None]", "]");
            sig.push(format!("{}: Optional[{ty}] = None", p.name));
        }
    }
    if m.long_running {
        if !star {
            sig.push("*".into());
        }
        sig.push("on_progress: _Progress = None".into());
    }
    let def = if is_async { "async def" } else { "def" };
    let _ = writeln!(s, "    {def} {}(", m.name);
    for a in &sig {
        let _ = writeln!(s, "        {a},");
    }
    let _ = writeln!(s, "    ) -> {}:", unshadowed(&m.returns, shadowed));
    let mut doc = m.doc.trim().to_string();
    let described: Vec<&Param> = m.params.iter().filter(|p| p.doc.is_some()).collect();
    if !described.is_empty() || m.long_running {
        doc.push_str("\n\nArguments:\n");
        for p in described {
            let text = p
                .doc
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>();
            let _ = writeln!(doc, "    {}: {}", p.name, text.join(" "));
        }
        if m.long_running {
            doc.push_str("    on_progress: Given each polled state (a dict); raising in it stops the wait.\n");
        }
    }
    s.push_str(&docstring(&doc, "        "));
    let fields: Vec<String> = m
        .params
        .iter()
        .filter(|p| p.required)
        .map(|p| format!("{:?}: {}", p.field, p.name))
        .collect();
    let _ = writeln!(
        s,
        "        request: dict[str, object] = {{{}}}",
        fields.join(", ")
    );
    for p in m.params.iter().filter(|p| !p.required) {
        if p.field == carried {
            let _ = writeln!(s, "        if {} is None:", p.name);
            let _ = writeln!(s, "            {} = self._{carried}", p.name);
        }
        let _ = writeln!(s, "        if {} is not None:", p.name);
        let _ = writeln!(s, "            request[{:?}] = {}", p.field, p.name);
    }
    let progress = if m.long_running {
        ", on_progress=on_progress"
    } else {
        ""
    };
    let awaiting = if is_async { "await " } else { "" };
    let call = format!("{awaiting}self._client.call({:?}, request{progress})", m.op);
    match &m.convert {
        None => {
            let _ = writeln!(s, "        {call}");
        }
        Some(c) => {
            // `Any`: the generic overload of `call` (an operation without request fields matches
            // its typed one, which would make the cast redundant).
            let _ = writeln!(s, "        result: Any = {call}");
            let _ = writeln!(s, "        return {c}");
        }
    }
    s
}

/// The `TypedDict` of a result whose bytes are decoded, and the helper that decodes them.
fn render_decoded(methods: &[Method]) -> String {
    let mut s = String::new();
    for (name, fields) in methods.iter().filter_map(|m| m.decoded.as_ref()) {
        let required: Vec<_> = fields.iter().filter(|f| f.2).collect();
        let optional: Vec<_> = fields.iter().filter(|f| !f.2).collect();
        let _ = write!(s, "\n\nclass _{name}Required(TypedDict):\n");
        for (f, t, _) in &required {
            let _ = writeln!(s, "    {f}: {t}");
        }
        if required.is_empty() {
            s.push_str("    pass\n");
        }
        let _ = write!(
            s,
            "\n\nclass {name}(_{name}Required, total=False):\n    \"\"\"``{name}Result`` with its bytes \
             decoded (``x`` for ``x_base64``).\"\"\"\n\n"
        );
        for (f, t, _) in &optional {
            let _ = writeln!(s, "    {f}: {t}");
        }
    }
    if !s.is_empty() {
        s.push_str(
            "\n\ndef _decoded(result: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:\n    \
             \"\"\"``result`` with each field ``x_base64`` given as the bytes ``x``.\"\"\"\n    \
             for name in names:\n        value = result.pop(name + \"_base64\", None)\n        \
             result[name] = None if value is None else base64.b64decode(value)\n    \
             return result\n",
        );
    }
    s
}

fn render(facade: &Facade) -> String {
    let methods = methods(facade);
    let shadowed: Vec<&str> = ["list", "dict", "bytes", "type"]
        .into_iter()
        .filter(|b| methods.iter().any(|m| m.name == *b))
        .collect();
    let decoded = render_decoded(&methods);
    let builtins = if shadowed.is_empty() && decoded.is_empty() {
        ""
    } else {
        "import builtins\n"
    };
    let typed_dict = if decoded.is_empty() {
        ""
    } else {
        ", TypedDict"
    };
    let class = facade.class;
    let mut s = format!(
        "# @generated by core/tests/python_facades.rs from the operation table.\n\
         # Do not edit: run `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test python_facades`.\n\
         \"\"\"{intro}, each a call of ``Client.call`` (``AsyncClient.call`` for\n\
         ``Async{class}``), so errors, cancellation and progress are those of ``call``.\n\n\
         Required request fields are positional, optional ones keyword-only (``None`` = not sent);\n\
         bytes go in as bytes (``bytes``, ``bytearray`` or ``memoryview``) and come back as\n\
         ``bytes``; a result of one field is that field, others are the ``TypedDict`` of\n\
         ``signbridge.call_types``.{extra}\n\"\"\"\n\n\
         from __future__ import annotations\n\n\
         import base64\n\
         {builtins}\
         import os\n\
         from typing import TYPE_CHECKING, Any, Callable, Literal, Optional, Union, cast{typed_dict}\n\n\
         from . import _native\n\
         from .call_types import *  # noqa: F403 (the request and result types)\n\n\
         if TYPE_CHECKING:\n    from ._native import AsyncClient, Client\n\n\
         __all__ = [\"Async{class}\", \"{class}\"]\n\n\
         _Bytes = Union[bytes, bytearray, memoryview]\n\
         _Progress = Optional[Callable[[dict[str, Any]], object]]\n",
        intro = facade.intro,
        extra = facade.extra,
    );
    s.push_str(&decoded);
    for (class, client, is_async) in [
        (class.to_string(), "Client", false),
        (format!("Async{class}"), "AsyncClient", true),
    ] {
        let _ = write!(
            s,
            "\n\nclass {class}:\n{}\n    __slots__ = (\"_client\", \"_{prop}\")\n\n    \
             def __init__(self, client: {client}, {prop}: {ty}) -> None:\n        \
             self._client = client\n        self._{prop} = {prop}\n\n    \
             @property\n    def client(self) -> {client}:\n        \"\"\"The client the calls go \
             through.\"\"\"\n        return self._client\n\n    \
             @property\n    def {prop}(self) -> {ty}:\n        \"\"\"{}\"\"\"\n        \
             return self._{prop}\n\n    \
             def __repr__(self) -> str:\n        return f\"{class}({prop}={{self._{prop}!r}})\"\n",
            docstring(
                &format!(
                    "{}{} through ``{client}.call``: what\n``{client}.{}()`` returns.",
                    facade.title,
                    if is_async { " (asyncio)" } else { "" },
                    facade.accessor,
                ),
                "    "
            )
            .trim_end(),
            facade.property.2,
            prop = facade.property.0,
            ty = facade.property.1,
        );
        for m in &methods {
            s.push('\n');
            s.push_str(&render_method(m, is_async, &shadowed, facade.property.0));
        }
    }
    s
}

#[test]
fn python_facades_are_generated_from_the_table() {
    let bless = std::env::var_os("SIGNBRIDGE_BLESS").is_some();
    let mut stale = Vec::new();
    for facade in FACADES {
        let text = render(facade);
        let path = root()
            .join("bindings-python/python/signbridge")
            .join(facade.file);
        if bless {
            std::fs::write(&path, &text).expect("write a facade");
        } else if std::fs::read_to_string(&path).unwrap_or_default() != text {
            stale.push(facade.file);
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} stale: run `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test python_facades` \
         and commit them"
    );
}

#[test]
fn every_operation_has_at_most_one_method() {
    for op in api::OPERATIONS {
        let n = FACADES
            .iter()
            .filter(|f| (f.method)(op.name).is_some())
            .count();
        assert!(n <= 1, "{} is in {n} facades", op.name);
    }
}

#[test]
fn every_securosys_operation_has_a_method() {
    let methods = methods(facade("Securosys"));
    let n = api::OPERATIONS
        .iter()
        .filter(|o| o.name.starts_with("securosys.") && !api::STANDALONE.contains(&o.name))
        .count();
    assert_eq!(methods.len(), n);
    assert!(n >= 50, "{n}");
    let sign = methods
        .iter()
        .find(|m| m.name == "synchronous_sign")
        .expect("synchronous_sign");
    assert_eq!(sign.returns, "bytes");
    assert_eq!(sign.params[0].name, "label");
    let verify = methods.iter().find(|m| m.name == "verify").expect("verify");
    assert_eq!(verify.returns, "bool");
    let list = methods
        .iter()
        .find(|m| m.name == "list_keys")
        .expect("list_keys");
    assert_eq!(list.returns, "list[str]");
    let wait = methods
        .iter()
        .find(|m| m.name == "wait_request")
        .expect("wait_request");
    assert!(wait.long_running);
}

#[test]
fn every_onespan_operation_has_a_method() {
    let methods = methods(facade("Onespan"));
    let n = api::OPERATIONS
        .iter()
        .filter(|o| o.name.starts_with("onespan.") && !api::STANDALONE.contains(&o.name))
        .count();
    assert_eq!(methods.len(), n);
    assert!(n >= 20, "{n}");
    let find = |name: &str| {
        methods
            .iter()
            .find(|m| m.name == name)
            .unwrap_or_else(|| panic!("{name}"))
    };
    let create = find("create_package");
    assert_eq!(create.returns, "str");
    assert_eq!(create.params[0].name, "name");
    assert_eq!(find("status").returns, "PackageStatus");
    assert!(find("wait").long_running);
    // A download into memory: its bytes decoded in a dict of their own type.
    let download = find("download");
    assert_eq!(download.returns, "OnespanDownload");
    let (_, fields) = download.decoded.as_ref().expect("decoded");
    assert!(fields
        .iter()
        .any(|(f, t, _)| f == "content" && t.contains("bytes")));
    assert!(!fields.iter().any(|(f, _, _)| f.ends_with("_base64")));
    let dir = download
        .params
        .iter()
        .find(|p| p.field == "dir")
        .expect("dir");
    assert!(dir.ty.contains("os.PathLike"), "{}", dir.ty);
    // `from` is a keyword: `from_`.
    let list = find("list");
    assert!(list
        .params
        .iter()
        .any(|p| p.name == "from_" && p.field == "from"));
    let status = list
        .params
        .iter()
        .find(|p| p.field == "status")
        .expect("status");
    assert!(status.ty.contains("_native.PackageStatus"), "{}", status.ty);
    // A method `list` shadows the builtin in the class: later signatures say `builtins.list`.
    let text = render(facade("Onespan"));
    assert!(text.contains("events: builtins.list["), "register_callback");
}

#[test]
fn every_eid_operation_has_a_method() {
    let methods = methods(facade("ZignsecEid"));
    let names: Vec<&str> = methods.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["create", "result", "wait", "complete_redirect"]);
    let n = api::OPERATIONS
        .iter()
        .filter(|o| o.name.starts_with("zignsec.eid_"))
        .count();
    assert_eq!(methods.len(), n);
    let wait = &methods[2];
    assert!(wait.long_running);
    assert_eq!(wait.params[0].name, "session_id");
    assert_eq!(wait.returns, "ZignsecEidWaitResult");
    // Every parameter of create is optional: the product is one of three fields.
    assert!(methods[0].params.iter().all(|p| !p.required));
}

/// The facade of class `class`.
fn facade(class: &str) -> &'static Facade {
    FACADES
        .iter()
        .find(|f| f.class == class)
        .unwrap_or_else(|| panic!("no facade {class}"))
}

#[test]
fn zignsec_signing_and_neutral_signing_have_their_methods() {
    let zs = methods(facade("ZignsecSigning"));
    let names: Vec<&str> = zs.iter().map(|m| m.name.as_str()).collect();
    for expected in [
        "create",
        "upload",
        "start",
        "sign_documents",
        "status",
        "wait",
        "save_signed_files",
        "complete_redirect",
        "download",
        "download_to",
        "download_file",
        "session_call",
    ] {
        assert!(names.contains(&expected), "{expected} not in {names:?}");
    }
    assert!(names.iter().all(|n| !n.starts_with("eid")), "{names:?}");
    let download = zs.iter().find(|m| m.name == "download").expect("download");
    assert_eq!(download.returns, "bytes");
    let neutral = methods(facade("Signing"));
    let start = neutral.iter().find(|m| m.name == "start").expect("start");
    assert!(start.params.iter().any(|p| p.field == "provider"));
    assert!(neutral.iter().any(|m| m.name == "wait" && m.long_running));
}
