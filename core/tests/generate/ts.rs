//! Rendering the operation table's JSON Schemas as TypeScript types, for the Node typings
//! (`node_operations_dts.rs`: the table's own spelling; `node_facades.rs`: camelCase).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;

/// Named types collected from every schema's `$defs`: name → TypeScript text.
#[derive(Default)]
pub struct Defs {
    pub types: BTreeMap<String, (String, Option<String>)>,
    /// Names whose result-side schema differs from the request side's (a type read in one
    /// spelling and written in another): the result side's is `<name>Out`.
    pub split: std::collections::BTreeSet<String>,
    /// Whether result schemas are being rendered.
    pub result_side: bool,
    /// Whether declared property names are written in camelCase (`keySize`).
    pub camel: bool,
}

pub fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

pub fn doc(out: &mut String, indent: &str, text: Option<&str>) {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return;
    };
    let text = text.replace("*/", "* /");
    if !text.contains('\n') {
        let _ = writeln!(out, "{indent}/** {text} */");
        return;
    }
    let _ = writeln!(out, "{indent}/**");
    for line in text.lines() {
        let _ = writeln!(out, "{indent} * {}", line.trim_end());
    }
    let _ = writeln!(out, "{indent} */");
}

impl Defs {
    /// The TypeScript type of `schema`; `indent` is the indentation of the line it starts on.
    pub fn ts(&mut self, schema: &Value, indent: &str) -> String {
        let Some(o) = schema.as_object() else {
            return match schema {
                Value::Bool(false) => "never".into(),
                _ => "unknown".into(),
            };
        };
        // A type the generator names itself (bytes as a Buffer).
        if let Some(t) = o.get("tsType").and_then(Value::as_str) {
            return t.into();
        }
        if let Some(r) = o.get("$ref").and_then(Value::as_str) {
            return self.def_name(r.trim_start_matches("#/$defs/"));
        }
        if let Some(c) = o.get("const") {
            return c.to_string();
        }
        if let Some(e) = o.get("enum").and_then(Value::as_array) {
            return e
                .iter()
                .map(Value::to_string)
                .collect::<Vec<_>>()
                .join(" | ");
        }
        for key in ["anyOf", "oneOf"] {
            if let Some(alts) = o.get(key).and_then(Value::as_array) {
                let mut parts: Vec<String> = Vec::new();
                for a in alts {
                    let t = self.ts(a, indent);
                    if !parts.contains(&t) {
                        parts.push(t);
                    }
                }
                return parts.join(" | ");
            }
        }
        let types: Vec<&str> = match o.get("type") {
            Some(Value::String(t)) => vec![t.as_str()],
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
            _ => return "unknown".into(),
        };
        let parts: Vec<String> = types
            .iter()
            .map(|t| match *t {
                "string" => match o.get("examples").and_then(Value::as_array) {
                    // An open set: the known values, and any other string.
                    Some(ex) if !ex.is_empty() => format!(
                        "{} | (string & {{}})",
                        ex.iter()
                            .map(Value::to_string)
                            .collect::<Vec<_>>()
                            .join(" | ")
                    ),
                    _ => "string".into(),
                },
                "integer" | "number" => "number".into(),
                "boolean" => "boolean".into(),
                "null" => "null".into(),
                "array" => {
                    let item = o
                        .get("items")
                        .map(|i| self.ts(i, indent))
                        .unwrap_or_else(|| "unknown".into());
                    format!("Array<{item}>")
                }
                "object" => self.object(o, indent),
                _ => "unknown".into(),
            })
            .collect();
        parts.join(" | ")
    }

    pub fn object(&mut self, o: &serde_json::Map<String, Value>, indent: &str) -> String {
        let props = o.get("properties").and_then(Value::as_object);
        let extra = o.get("additionalProperties");
        let required: Vec<&str> = o
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let inner = format!("{indent}  ");
        let mut s = String::from("{\n");
        for (name, p) in props.into_iter().flatten() {
            doc(&mut s, &inner, p.get("description").and_then(Value::as_str));
            let name = if self.camel {
                signbridge::naming::camel_case(name)
            } else {
                name.clone()
            };
            let key = if is_ident(&name) {
                name.clone()
            } else {
                Value::String(name.clone()).to_string()
            };
            let opt = if required
                .iter()
                .any(|r| *r == name || signbridge::naming::camel_case(r) == name)
            {
                ""
            } else {
                "?"
            };
            let t = self.ts(p, &inner);
            let _ = writeln!(s, "{inner}{key}{opt}: {t}");
        }
        match extra {
            Some(Value::Bool(false)) => {}
            Some(Value::Object(_)) if props.is_none_or(|p| p.is_empty()) => {
                let t = self.ts(extra.unwrap_or(&Value::Null), &inner);
                return format!("Record<string, {t}>");
            }
            Some(e @ Value::Object(_)) => {
                let t = self.ts(e, &inner);
                let _ = writeln!(s, "{inner}[key: string]: {t} | undefined");
            }
            _ if props.is_none_or(|p| p.is_empty()) => return "Record<string, unknown>".into(),
            _ => {}
        }
        s.push_str(indent);
        s.push('}');
        s
    }

    pub fn def_name(&self, name: &str) -> String {
        if self.result_side && self.split.contains(name) {
            format!("{name}Out")
        } else {
            name.to_string()
        }
    }

    /// Collect the `$defs` of a root schema.
    pub fn collect(&mut self, root: &Value) {
        for (name, def) in root
            .get("$defs")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let t = self.ts(def, "");
            let d = def
                .get("description")
                .and_then(Value::as_str)
                .map(String::from);
            let prev = self.types.insert(self.def_name(name), (t.clone(), d));
            assert!(
                prev.as_ref().is_none_or(|(p, _)| *p == t),
                "two different types are named {name} in the operation table's schemas: \
                 rename one (schemars(rename))"
            );
        }
    }
}

/// `text` with every whole-word use of the type `name` (outside quotes and comments) qualified
/// as `Ops.name`.
pub fn replace_type_name(text: &str, ns: &str, name: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('*') || t.starts_with("/**") {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        let mut rest = line;
        let mut in_quote = false;
        let mut cur = String::new();
        while let Some(c) = rest.chars().next() {
            rest = &rest[c.len_utf8()..];
            if c == '\'' || c == '"' {
                in_quote = !in_quote;
            }
            cur.push(c);
            if !in_quote && cur.ends_with(name) {
                let start = cur.len() - name.len();
                let before = cur[..start].chars().last();
                let after = rest.chars().next();
                let word = |c: Option<char>| {
                    c.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                };
                if !word(before) && !word(after) && !rest.starts_with('?') && !rest.starts_with(':')
                {
                    cur.replace_range(start.., &format!("{ns}.{name}"));
                }
            }
        }
        out.push_str(&cur);
        out.push('\n');
    }
    out
}
