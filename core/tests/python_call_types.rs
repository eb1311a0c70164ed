//! The Python surface of `Client.call`, rendered from the operation table's JSON Schemas:
//! `bindings-python/python/signbridge/call_types.py` (a `TypedDict` for every operation's
//! request and result and the models they share) and the typed overloads of `Client.call` in
//! `_native.pyi` (between its "call overloads" markers; `stubgen_async.py` gives
//! `AsyncClient` the same). This test fails when either is stale;
//! `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test python_call_types` rewrites both (then
//! run `python3 bindings-python/stubgen_async.py`).

use std::collections::BTreeSet;

mod generate;
use generate::split_names;
use std::fmt::Write as _;
use std::path::PathBuf;

use serde_json::Value;
use signbridge::api;

const BEGIN: &str =
    "    # ---- generated: call overloads (core/tests/python_call_types.rs); do not edit ----\n";
const END: &str = "    # ---- end of generated call overloads ----\n";

const KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

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

#[derive(Default)]
struct Gen {
    /// Rendered classes and aliases, in the order they were made.
    out: Vec<(String, String)>,
    names: BTreeSet<String>,
    /// `$defs` names rendered differently on the result side (see `split_names`).
    split: BTreeSet<String>,
    result_side: bool,
    /// Inside a shared model (`$defs`), which requests may use too: free-form JSON is `object`.
    in_def: u32,
    /// The `$defs` of the schema being rendered.
    defs: serde_json::Map<String, Value>,
}

impl Gen {
    /// The type of free-form JSON: `Any` in results (convenient to read), `object` in requests
    /// (anything is accepted; an `Any` inside an argument would make every overload of `call`
    /// match and the result `Any`).
    fn any(&self) -> String {
        if self.result_side && self.in_def == 0 {
            "Any"
        } else {
            "object"
        }
        .to_string()
    }

    fn def_name(&self, name: &str) -> String {
        if self.result_side && self.split.contains(name) {
            format!("{name}Out")
        } else {
            name.to_string()
        }
    }

    /// The Python type of `schema`; `hint` names a class made for an inline object.
    fn ty(&mut self, schema: &Value, hint: &str) -> String {
        let Some(o) = schema.as_object() else {
            return self.any();
        };
        if let Some(r) = o.get("$ref").and_then(Value::as_str) {
            let name = r.trim_start_matches("#/$defs/");
            if name == "Base64" {
                // Results give base64 text; a request takes bytes too (encoded for you).
                return if self.result_side && self.in_def == 0 {
                    "str".into()
                } else {
                    "Union[str, bytes]".into()
                };
            }
            let py = self.def_name(name);
            if !self.names.contains(&py) {
                let def = self.defs.get(name).cloned().unwrap_or(Value::Bool(true));
                self.names.insert(py.clone());
                self.define(&py, &def);
            }
            return py;
        }
        if let Some(c) = o.get("const") {
            return format!("Literal[{c}]");
        }
        if let Some(e) = o.get("enum").and_then(Value::as_array) {
            // JSON `null` among the values is Python's `None` (`Literal["a", None]`).
            let lits: Vec<String> = e
                .iter()
                .map(|v| match v {
                    Value::Null => "None".to_string(),
                    v => v.to_string(),
                })
                .collect();
            return format!("Literal[{}]", lits.join(", "));
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(alts) = o.get(key).and_then(Value::as_array) {
                let mut parts: Vec<String> = Vec::new();
                for (i, a) in alts.iter().enumerate() {
                    let t = self.ty(a, &format!("{hint}{i}"));
                    if !parts.contains(&t) {
                        parts.push(t);
                    }
                }
                return union(parts);
            }
        }
        let types: Vec<&str> = match o.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return self.any(),
        };
        let parts: Vec<String> = types
            .iter()
            .map(|t| match *t {
                "string" => "str".into(),
                "integer" => "int".into(),
                "number" => "float".into(),
                "boolean" => "bool".into(),
                "null" => "None".into(),
                "array" => {
                    let item = o
                        .get("items")
                        .map(|i| self.ty(i, &format!("{hint}Item")))
                        .unwrap_or_else(|| self.any());
                    format!("list[{item}]")
                }
                "object" => self.object(o, hint),
                _ => self.any(),
            })
            .collect();
        union(parts)
    }

    fn object(&mut self, o: &serde_json::Map<String, Value>, hint: &str) -> String {
        let props = o.get("properties").and_then(Value::as_object);
        if props.is_none_or(|p| p.is_empty()) {
            return match o.get("additionalProperties") {
                Some(v @ Value::Object(_)) => {
                    let t = self.ty(v, &format!("{hint}Value"));
                    format!("dict[str, {t}]")
                }
                _ => format!("dict[str, {}]", self.any()),
            };
        }
        let name = self.unique(hint);
        self.names.insert(name.clone());
        self.class(&name, o);
        name
    }

    fn unique(&self, hint: &str) -> String {
        let mut name = hint.to_string();
        let mut n = 2;
        while self.names.contains(&name) {
            name = format!("{hint}{n}");
            n += 1;
        }
        name
    }

    /// Render `$defs` entry `name`.
    fn define(&mut self, name: &str, def: &Value) {
        self.in_def += 1;
        self.define_inner(name, def);
        self.in_def -= 1;
    }

    fn define_inner(&mut self, name: &str, def: &Value) {
        match def.as_object() {
            Some(o)
                if o.get("type").and_then(Value::as_str) == Some("object")
                    && o.get("properties").is_some() =>
            {
                self.class(name, o);
            }
            _ => {
                let t = self.ty(def, &format!("{name}Value"));
                let doc = comment(def.get("description").and_then(Value::as_str), "");
                self.out
                    .push((name.to_string(), format!("{doc}{name} = {t}\n")));
            }
        }
    }

    /// A TypedDict class `name` for object schema `o`.
    fn class(&mut self, name: &str, o: &serde_json::Map<String, Value>) {
        let required: Vec<&str> = o
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut req = Vec::new();
        let mut opt = Vec::new();
        for (field, p) in o
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let t = self.ty(p, &format!("{name}{}", pascal(field)));
            let doc = p
                .get("description")
                .and_then(Value::as_str)
                .map(String::from);
            if required.contains(&field.as_str()) {
                req.push((field.clone(), t, doc));
            } else {
                opt.push((field.clone(), t, doc));
            }
        }
        let doc = o.get("description").and_then(Value::as_str);
        let functional = req.iter().chain(&opt).any(|(f, _, _)| {
            KEYWORDS.contains(&f.as_str())
                || !f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        let mut s = String::new();
        if functional {
            let fields = |list: &[(String, String, Option<String>)]| {
                list.iter()
                    .map(|(f, t, _)| format!("{f:?}: {t:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            s.push_str(&comment(doc, ""));
            // The functional form cannot inherit: with required and optional fields mixed, every
            // field is optional (total=False).
            let (list, total) = match (req.is_empty(), opt.is_empty()) {
                (_, true) => (req.clone(), ""),
                (true, false) => (opt.clone(), ", total=False"),
                (false, false) => ([req.clone(), opt.clone()].concat(), ", total=False"),
            };
            let _ = writeln!(
                s,
                "{name} = TypedDict({name:?}, {{{}}}{total})",
                fields(&list)
            );
        } else {
            let body = |list: &[(String, String, Option<String>)], s: &mut String| {
                for (f, t, d) in list {
                    s.push_str(&comment(d.as_deref(), "    "));
                    let _ = writeln!(s, "    {f}: {t}");
                }
            };
            let docline = |s: &mut String| {
                if let Some(d) = doc.map(str::trim).filter(|d| !d.is_empty()) {
                    let _ = writeln!(
                        s,
                        "    \"\"\"{}\"\"\"\n",
                        d.replace('\\', "\\\\").replace("\"\"\"", "'''")
                    );
                }
            };
            match (req.is_empty(), opt.is_empty()) {
                (false, false) => {
                    let _ = writeln!(s, "class _{name}Required(TypedDict):");
                    body(&req, &mut s);
                    let _ = writeln!(s, "\n\nclass {name}(_{name}Required, total=False):");
                    docline(&mut s);
                    body(&opt, &mut s);
                }
                (false, true) => {
                    let _ = writeln!(s, "class {name}(TypedDict):");
                    docline(&mut s);
                    body(&req, &mut s);
                }
                (true, _) => {
                    let _ = writeln!(s, "class {name}(TypedDict, total=False):");
                    docline(&mut s);
                    body(&opt, &mut s);
                }
            }
        }
        self.out.push((name.to_string(), s));
    }
}

fn union(parts: Vec<String>) -> String {
    match parts.len() {
        0 => "Any".into(),
        1 => parts.into_iter().next().unwrap_or_default(),
        _ if parts.len() == 2 && parts.contains(&"None".to_string()) => {
            let other = parts
                .iter()
                .find(|p| *p != "None")
                .cloned()
                .unwrap_or_default();
            format!("Optional[{other}]")
        }
        _ => format!("Union[{}]", parts.join(", ")),
    }
}

fn comment(text: Option<&str>, indent: &str) -> String {
    let mut s = String::new();
    for line in text.map(str::trim).unwrap_or("").lines() {
        let _ = writeln!(s, "{indent}# {}", line.trim_end());
    }
    s
}

/// `call_types.py` and the overload block for `_native.pyi`.
fn render() -> (String, String) {
    let mut g = Gen {
        split: split_names(),
        ..Gen::default()
    };
    let mut overloads = String::from(BEGIN);
    let progress = "on_progress: Optional[Callable[[dict[str, Any]], object]] = None";
    for op in api::OPERATIONS {
        let base = pascal(op.name);
        let mut names = Vec::new();
        for (side, schema) in [
            ("Request", (op.request_schema)()),
            ("Result", (op.result_schema)()),
        ] {
            let v = serde_json::to_value(schema).expect("schema");
            g.result_side = side == "Result";
            g.defs = v
                .get("$defs")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let name = format!("{base}{side}");
            let is_object = v.get("type").and_then(Value::as_str) == Some("object")
                && v.get("properties").is_some();
            g.names.insert(name.clone());
            if is_object {
                let o = v.as_object().cloned().unwrap_or_default();
                g.class(&name, &o);
            } else {
                let t = g.ty(&v, &format!("{name}Value"));
                let t = if t == "Any" || t == "object" {
                    format!("dict[str, {}]", g.any())
                } else {
                    t
                };
                g.out.push((name.clone(), format!("{name} = {t}\n")));
            }
            names.push(name);
        }
        let _ = writeln!(
            overloads,
            "    @overload\n    def call(self, operation: Literal[{:?}], request: _ct.{}, *, {progress}) -> _ct.{}: ...",
            op.name, names[0], names[1]
        );
    }
    let _ = writeln!(
        overloads,
        "    @overload\n    def call(self, operation: str, request: Optional[Mapping[str, Any]] = None, *, {progress}) -> Any: ..."
    );
    overloads.push_str(END);

    let mut py = String::from(
        "# @generated by core/tests/python_call_types.rs from the operation table's JSON Schemas.\n\
         # Do not edit: run `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test python_call_types`.\n\
         \"\"\"The request and result types of ``Client.call``, one ``TypedDict`` per operation\n\
         (``SecurosysCreateKeyRequest`` / ``SecurosysCreateKeyResult`` for\n\
         ``\"securosys.create_key\"``) and the models they share, generated from the core's\n\
         operation table: ``client.call(\"securosys.create_key\", {...})`` is type-checked by mypy or\n\
         pyright, and annotations such as ``req: SecurosysCreateKeyRequest = {...}`` document a\n\
         request. Fields are the table's snake_case; bytes are base64 text.\n\"\"\"\n\n\
         from __future__ import annotations\n\n\
         from typing import Any, Literal, Optional, TypedDict, Union\n\n\
         __all__ = [\n",
    );
    let mut all: Vec<&String> = g
        .out
        .iter()
        .map(|(n, _)| n)
        .filter(|n| !n.starts_with('_'))
        .collect();
    all.sort();
    for n in &all {
        let _ = writeln!(py, "    {n:?},");
    }
    py.push_str("]\n");
    for (_, text) in &g.out {
        py.push_str("\n\n");
        py.push_str(text);
    }
    (py, overloads)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn python_call_types_are_generated_from_the_table() {
    let (py, overloads) = render();
    let py_path = root().join("bindings-python/python/signbridge/call_types.py");
    let stub_path = root().join("bindings-python/python/signbridge/_native.pyi");
    let stub = std::fs::read_to_string(&stub_path).expect("read _native.pyi");
    let (Some(b), Some(e)) = (stub.find(BEGIN), stub.find(END)) else {
        panic!("_native.pyi lacks the call overload markers in Client");
    };
    let wanted_stub = format!("{}{}{}", &stub[..b], overloads, &stub[e + END.len()..]);
    if std::env::var_os("SIGNBRIDGE_BLESS").is_some() {
        std::fs::write(&py_path, &py).expect("write call_types.py");
        std::fs::write(&stub_path, &wanted_stub).expect("write _native.pyi");
        return;
    }
    let have = std::fs::read_to_string(&py_path).unwrap_or_default();
    assert!(
        have == py && stub == wanted_stub,
        "call_types.py or the call overloads of _native.pyi are stale: run `SIGNBRIDGE_BLESS=1 \
         cargo test -p signbridge --test python_call_types`, then `python3 \
         bindings-python/stubgen_async.py` and `SIGNBRIDGE_BLESS=1 cargo test -p signbridge \
         --test python_facades`, and commit them"
    );
}
