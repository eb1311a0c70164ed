//! The Node facades generated from the operation table ([`FACADES`]): `bindings-node/securosys.js`,
//! the class `client.securosys()` returns, with one method per `securosys.*` operation, and
//! `bindings-node/zignsec-eid.js`, the class `client.zignsecEid()` returns, with one method per
//! `zignsec.eid_*` operation (named without the prefix: `create`, `wait`…), and
//! `bindings-node/onespan.js`, the class `client.onespan()` returns, with one method per
//! `onespan.*` operation, `bindings-node/zignsec-signing.js` (`client.zignsecSigning()`: the
//! other `zignsec.*` operations, named without the word `signing`) and `bindings-node/signing.js`
//! (`client.signing()`: the `signing.*` operations, its `provider` filling the request field of
//! that name), each with its typings (`.d.ts`: camelCase request and result types
//! from the table's JSON Schemas). Each method takes one request object with camelCase keys (a
//! bytes field `x_base64`, at any depth, as a Buffer or Uint8Array named `x`) and, when the
//! operation waits, the options of `client.call`; it runs through `client.callCamelCase`, so the
//! translation of names, bytes, errors, cancellation and progress is the addon's one plumbing. A
//! result with one field is given unwrapped (bytes as a Buffer), an empty one as `undefined`;
//! a facade may ask for the bytes fields of whole results as Buffers too (OneSpan's downloads).
//!
//! This test fails when a committed file is stale;
//! `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test node_facades` rewrites them.

mod generate;
#[path = "generate/ts.rs"]
mod ts;

use std::fmt::Write as _;
use std::path::PathBuf;

use generate::split_names;
use serde_json::Value;
use signbridge::api;
use signbridge::naming::camel_case;
use ts::{doc, replace_type_name, Defs};

/// One generated facade: the operations whose names start with `prefix`, as the methods of
/// `class` (the operation's name after `prefix`, in camelCase).
struct Facade {
    /// The operations' name prefix, e.g. `securosys.` or `zignsec.eid_`.
    prefix: &'static str,
    /// Name prefixes of operations left out (another facade's, e.g. `zignsec.eid_`).
    exclude: &'static [&'static str],
    /// A word left out of the method names (`signing`: `create_signing` is `create`), when
    /// the facade's name already says it.
    drop_word: Option<&'static str>,
    /// The class, e.g. `Securosys`.
    class: &'static str,
    /// The file stem under `bindings-node/`.
    file: &'static str,
    /// The accessor on the client, e.g. `securosys`.
    accessor: &'static str,
    /// The class's JSDoc.
    doc: &'static str,
    /// What the read-only `baseUrl` of an instance is (none when the facade spans services).
    base_url: Option<&'static str>,
    /// Further read-only properties of an instance, given to its constructor by `index.js`:
    /// name, TypeScript type, JSDoc. A request field of the same name is filled from it when
    /// the request leaves it out.
    props: &'static [(&'static str, &'static str, &'static str)],
}

impl Facade {
    /// The namespace of the facade's named types.
    fn ns(&self) -> String {
        format!("{}Types", self.class)
    }

    /// The operations of the facade, in the table's order.
    fn operations(&self) -> impl Iterator<Item = &'static api::Operation> + '_ {
        api::OPERATIONS.iter().filter(|o| {
            o.name.starts_with(self.prefix)
                && !self.exclude.iter().any(|x| o.name.starts_with(x))
                && !api::STANDALONE.contains(&o.name)
        })
    }

    /// The method of operation `name`: its name after the prefix, without `drop_word`, in
    /// camelCase.
    fn method(&self, name: &str) -> String {
        let words: Vec<&str> = name[self.prefix.len()..]
            .split('_')
            .filter(|w| Some(*w) != self.drop_word)
            .collect();
        camel_case(&words.join("_"))
    }
}

/// The facades, each rendered into `<file>.js` and `<file>.d.ts`.
const FACADES: &[Facade] = &[
    Facade {
        prefix: "securosys.",
        exclude: &[],
        drop_word: None,
        class: "Securosys",
        file: "securosys",
        accessor: "securosys",
        doc: SECUROSYS_DOC,
        base_url: Some("The TSB base URL in use."),
        props: &[],
    },
    Facade {
        prefix: "zignsec.eid_",
        exclude: &[],
        drop_word: None,
        class: "ZignsecEid",
        file: "zignsec-eid",
        accessor: "zignsecEid",
        doc: EID_DOC,
        base_url: Some("The ZignSec gateway base URL in use."),
        props: &[],
    },
    Facade {
        prefix: "onespan.",
        exclude: &[],
        drop_word: None,
        class: "Onespan",
        file: "onespan",
        accessor: "onespan",
        doc: ONESPAN_DOC,
        base_url: Some("The OneSpan Sign base URL in use."),
        props: &[(
            "authMethod",
            "'api_key' | 'client_app' | 'oauth2'",
            "How calls authenticate: the credential of the config's `onespan` section.",
        )],
    },
    Facade {
        prefix: "zignsec.",
        exclude: &["zignsec.eid_"],
        drop_word: Some("signing"),
        class: "ZignsecSigning",
        file: "zignsec-signing",
        accessor: "zignsecSigning",
        doc: ZIGNSEC_SIGNING_DOC,
        base_url: Some("The ZignSec gateway base URL in use."),
        props: &[],
    },
    Facade {
        prefix: "signing.",
        exclude: &[],
        drop_word: None,
        class: "Signing",
        file: "signing",
        accessor: "signing",
        doc: SIGNING_DOC,
        base_url: None,
        props: &[(
            "provider",
            "'zignsec' | 'onespan'",
            "The provider `start` uses (a request's own `provider` wins); every other call goes \
             to the provider of the session reference.",
        )],
    },
];

/// What a method gives back, from its result schema.
enum Unwrap {
    /// Nothing (`{}`): `undefined`.
    Nothing,
    /// The one field's value (bytes: already a Buffer, named without `Base64`).
    Field(String),
    /// The whole result object.
    Whole,
}

fn unwrap(result: &Value) -> Unwrap {
    let props = result.get("properties").and_then(Value::as_object);
    let open = result
        .get("additionalProperties")
        .is_some_and(|a| a != false);
    match props {
        _ if result.get("type").and_then(Value::as_str) != Some("object") || open => Unwrap::Whole,
        None => Unwrap::Nothing,
        Some(p) if p.is_empty() => Unwrap::Nothing,
        Some(p) if p.len() == 1 => Unwrap::Field(p.keys().next().cloned().unwrap_or_default()),
        Some(_) => Unwrap::Whole,
    }
}

/// Whether a property's `schema` holds bytes: the core's `Base64` type (base64 text in the
/// table's JSON), optional or not, or a list of them. `client.callCamelCase` gives those as
/// Buffers named without `Base64`.
fn is_bytes(schema: &Value, root: &Value) -> bool {
    let schema = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| root.get("$defs").and_then(|d| d.get(name)))
        .unwrap_or(schema);
    schema.get("contentEncoding").and_then(Value::as_str) == Some("base64")
        || ["anyOf", "oneOf", "allOf"].iter().any(|k| {
            schema
                .get(*k)
                .and_then(Value::as_array)
                .is_some_and(|alts| alts.iter().any(|a| is_bytes(a, root)))
        })
        || schema.get("items").is_some_and(|i| is_bytes(i, root))
}

/// `result`'s schema with every bytes property `x_base64` ([`is_bytes`], of any object in it,
/// `$defs` included) renamed `x` and typed as a Buffer (`Buffer | null` when it may be null, an
/// array of them for a list), as `client.callCamelCase` gives it.
fn result_bytes_as_buffers(result: &mut Value) {
    fn walk(schema: &mut Value, root: &Value) {
        if let Some(o) = schema.as_object_mut() {
            if let Some(Value::Object(props)) = o.get_mut("properties") {
                let names: Vec<String> = props
                    .keys()
                    .filter(|k| k.ends_with("_base64") && is_bytes(&props[k.as_str()], root))
                    .cloned()
                    .collect();
                for name in &names {
                    let stem = &name[..name.len() - "_base64".len()];
                    let old = props.remove(name).unwrap_or_default();
                    let text = old.to_string();
                    let ts = if text.contains("\"items\"") {
                        "Array<Buffer>"
                    } else if text.contains("\"null\"") {
                        "Buffer | null"
                    } else {
                        "Buffer"
                    };
                    let mut new = serde_json::json!({ "tsType": ts });
                    if let Some(d) = old.get("description") {
                        new["description"] = d.clone();
                    }
                    props.insert(stem.to_string(), new);
                }
                if let Some(Value::Array(required)) = o.get_mut("required") {
                    for r in required.iter_mut() {
                        if let Some(stem) = r
                            .as_str()
                            .filter(|n| names.iter().any(|m| m == n))
                            .and_then(|n| n.strip_suffix("_base64"))
                        {
                            *r = Value::String(stem.to_string());
                        }
                    }
                }
            }
            for (_, v) in o.iter_mut() {
                walk(v, root);
            }
        } else if let Some(items) = schema.as_array_mut() {
            for v in items {
                walk(v, root);
            }
        }
    }
    let root = result.clone();
    walk(result, &root);
}

/// `schema` with every property `x_base64` (of any object in it, `$defs` included, or only of
/// the root object when not `deep`) renamed `x` and typed `ts_type`: bytes taken or given as a
/// Buffer. The description and whether the property is required are kept.
fn bytes_as_buffers(schema: &mut Value, ts_type: &str, deep: bool) {
    if let Some(o) = schema.as_object_mut() {
        if let Some(Value::Object(props)) = o.get_mut("properties") {
            let names: Vec<String> = props
                .keys()
                .filter(|k| k.ends_with("_base64"))
                .cloned()
                .collect();
            for name in &names {
                let stem = &name[..name.len() - "_base64".len()];
                let old = props.remove(name).unwrap_or_default();
                let mut new = serde_json::json!({ "tsType": ts_type });
                if let Some(d) = old.get("description") {
                    new["description"] = d.clone();
                }
                props.insert(stem.to_string(), new);
            }
            if let Some(Value::Array(required)) = o.get_mut("required") {
                for r in required.iter_mut() {
                    if let Some(stem) = r.as_str().and_then(|n| n.strip_suffix("_base64")) {
                        *r = Value::String(stem.to_string());
                    }
                }
            }
        }
        if !deep {
            return;
        }
        for (_, v) in o.iter_mut() {
            bytes_as_buffers(v, ts_type, deep);
        }
    } else if let Some(items) = schema.as_array_mut() {
        for v in items {
            bytes_as_buffers(v, ts_type, deep);
        }
    }
}

/// `schema` with a root `$ref` followed (a request whose type is named in `$defs`).
fn resolved(schema: &Value) -> &Value {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
        .and_then(|name| schema.get("$defs").and_then(|d| d.get(name)))
        .unwrap_or(schema)
}

/// The TypeScript type of a method's request: the table's request in camelCase, a bytes field
/// `x_base64` as `x: Buffer | Uint8Array`, an approver's key as an `ApproverKey` or its PEM.
/// Whether every field is optional comes second.
fn request_type(defs: &mut Defs, schema: &Value) -> (String, bool) {
    let schema = resolved(schema);
    let props = schema.get("properties").and_then(Value::as_object);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut s = String::from("{\n");
    for (name, p) in props.into_iter().flatten() {
        let (key, t) = if let Some(stem) = name.strip_suffix("_base64") {
            (camel_case(stem), "Buffer | Uint8Array".to_string())
        } else if name.ends_with("approver_key_pem") {
            (camel_case(name), "ApproverKey | string".to_string())
        } else {
            (camel_case(name), defs.ts(p, "    "))
        };
        let d = p.get("description").and_then(Value::as_str);
        doc(&mut s, "    ", d);
        let opt = if required.contains(&name.as_str()) {
            ""
        } else {
            "?"
        };
        let _ = writeln!(s, "    {key}{opt}: {t}");
    }
    s.push_str("  }");
    let optional = required.is_empty();
    if props.is_none_or(|p| p.is_empty()) {
        return ("Record<string, never>".into(), true);
    }
    (s, optional)
}

/// `text` as the lines of a JSDoc comment at `indent`.
fn jsdoc(out: &mut String, indent: &str, text: &str) {
    let _ = writeln!(out, "{indent}/**");
    for line in text.trim().lines() {
        let line = line.trim_end().replace("*/", "* /");
        if line.is_empty() {
            let _ = writeln!(out, "{indent} *");
        } else {
            let _ = writeln!(out, "{indent} * {line}");
        }
    }
    let _ = writeln!(out, "{indent} */");
}

const WAITS: &str = "Waits: `intervalMs` and `timeoutMs` in the request bound the polling; \
                     `options.signal` aborts the wait (`SB_ERR_ABORTED`), `options.onProgress` \
                     is given each polled state.";

const SECUROSYS_DOC: &str =
    "The Securosys Primus HSM (TSB REST API), as `client.securosys()` gives it: one method per
`securosys.*` operation of the operation table (`signbridge call --list`). Each takes one
request object with camelCase keys (bytes as a Buffer or Uint8Array; an approver's key as an
`ApproverKey`) and resolves with the result in camelCase: a result of one field is given
unwrapped (bytes as a Buffer), an empty one as `undefined`. Each call carries only the API key
of the role its endpoint needs. A bad request rejects with `SB_ERR_INVALID_ARGUMENT` naming the
field; every failure is an `Error` carrying `code` and `errno`.";

const EID_DOC: &str =
    "Browser-based eID sessions through the ZignSec gateway (BankID SE, MitID, Freja eID, BankID
NO, or any product by its path), as `client.zignsecEid()` gives it: one method per
`zignsec.eid_*` operation of the operation table, named without the `eid_` prefix (`create`,
`result`, `wait`, `completeRedirect`). Each takes one request object with camelCase keys
naming the product (`product: 'bankid_se'`, or `core: { category, product }`, or
`v5: { provider, operation }`) and resolves with the result in camelCase. Send the user to the
session's `redirectUrl`, then get the result by polling (`wait`), from the browser's return
(`completeRedirect`) or from a verified webhook (`WebhookVerifier`). A bad request rejects with
`SB_ERR_INVALID_ARGUMENT` naming the field; every failure is an `Error` carrying `code` and
`errno`.";

const ONESPAN_DOC: &str =
    "OneSpan Sign transactions, as `client.onespan()` gives it: one method per `onespan.*`
operation of the operation table (`createPackage`, `getPackage`, `send`, `wait`, `download`,
`list`…). Each takes one request object with camelCase keys (a document's PDF as `path` or
`content`, a Buffer or Uint8Array) and resolves with the result in camelCase: a result of one
field is given unwrapped (`createPackage` the transaction id, `status` the status), an empty
one as `undefined`; a download into memory has its bytes as the Buffer `content`. `list` gives
one page (`nextFrom` is the next page's `from`); `packages(query)` and `pages(query)` walk every
page with `for await`. A bad request rejects with `SB_ERR_INVALID_ARGUMENT` naming the field;
every failure is an `Error` carrying `code` and `errno`.";

const ZIGNSEC_SIGNING_DOC: &str =
    "BankID Norway document signing through the ZignSec gateway, as `client.zignsecSigning()`
gives it: one method per ZignSec signing operation of the operation table, named without the
word `signing` (`create`, `upload`, `start`, `status`, `wait`, `completeRedirect`,
`signDocuments`, `download`, `downloadTo`, `saveSignedFiles`…). Each takes one request object
with camelCase keys (a PDF as `path` or `data`, a Buffer or Uint8Array) and resolves with the
result in camelCase: a result of one field is given unwrapped (a download as a Buffer), an
empty one as `undefined`. A bad request rejects with `SB_ERR_INVALID_ARGUMENT` naming the
field; every failure is an `Error` carrying `code` and `errno`.";

const SIGNING_DOC: &str =
    "Provider-neutral document signing (ZignSec or OneSpan), as `client.signing()` or
`client.signingWith(provider)` gives it: one method per `signing.*` operation of the operation
table (`start`, `status`, `wait`, `result`, `download`, `saveAll`, `cancel`). `start` uses the
facade's `provider`; every other call goes to the provider named in the session reference
(`zignsec:<id>`, `onespan:<id>`). Each takes one request object with camelCase keys (a
document's PDF as `path` or `data`, a Buffer or Uint8Array) and resolves with the result in
camelCase: a result of one field is given unwrapped, an empty one as `undefined`; a download
has its bytes as the Buffer `pdf`. A bad request rejects with `SB_ERR_INVALID_ARGUMENT` naming
the field; every failure is an `Error` carrying `code` and `errno`.";

const BANNER: &str = "@generated by core/tests/node_facades.rs from the operation table.\n \
                      * Do not edit: run `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test \
                      node_facades`.";

fn render(f: &Facade) -> (String, String) {
    let (class, ns) = (f.class, f.ns());
    let mut defs = Defs {
        split: split_names(),
        camel: true,
        ..Defs::default()
    };
    let mut props_js = String::new();
    let mut props_dts = String::new();
    for (name, t, d) in f.props {
        let _ = write!(props_js, "    /** {d} */\n    this.{name} = props.{name}\n");
        let _ = write!(props_dts, "  /** {d} */\n  readonly {name}: {t}\n");
    }
    let (base_param, base_js) = match f.base_url {
        Some(d) => (
            ", baseUrl",
            format!("    /** {d} */\n    this.baseUrl = baseUrl\n"),
        ),
        None => ("", String::new()),
    };
    let mut js = format!(
        "'use strict'\n/* {BANNER} */\n\n/**\n * {}\n */\nclass {class} {{\n  #client\n\n  \
         /** Made by `client.{}()`. */\n  constructor (client{base_param}{}) {{\n    \
         this.#client = client\n{base_js}{props_js}    Object.freeze(this)\n  }}\n",
        f.doc.replace('\n', "\n * "),
        f.accessor,
        if f.props.is_empty() { "" } else { ", props" },
    );
    let mut methods = String::new();
    let mut fills_any = false;
    let mut seen = std::collections::BTreeSet::new();
    for op in f.operations() {
        let method = f.method(op.name);
        assert!(
            seen.insert(method.clone()),
            "{class}.{method} is two operations"
        );
        let mut req = serde_json::to_value((op.request_schema)()).expect("schema");
        // The facade's properties a request may name: filled in when it leaves them out.
        let fills: Vec<&str> = f
            .props
            .iter()
            .map(|(name, _, _)| *name)
            .filter(|name| {
                resolved(&req)
                    .get("properties")
                    .and_then(|p| p.get(signbridge::naming::snake_case(name)))
                    .is_some()
            })
            .collect();
        bytes_as_buffers(&mut req, "Buffer | Uint8Array", true);
        let mut res = serde_json::to_value((op.result_schema)()).expect("schema");
        result_bytes_as_buffers(&mut res);
        let how = unwrap(&res);
        defs.result_side = false;
        defs.collect(&req);
        let (req_t, optional) = request_type(&mut defs, &req);
        defs.result_side = true;
        defs.collect(&res);
        let res_t = match &how {
            Unwrap::Nothing => "void".to_string(),
            Unwrap::Field(_) => {
                let (_, p) = res
                    .get("properties")
                    .and_then(Value::as_object)
                    .and_then(|p| p.iter().next())
                    .expect("one field");
                defs.ts(p, "  ")
            }
            Unwrap::Whole => defs.ts(&res, "  "),
        };
        let mut text = op.doc.trim().to_string();
        if op.long_running {
            text.push_str("\n\n");
            text.push_str(WAITS);
        }
        let then = match &how {
            Unwrap::Nothing => ".then(() => undefined)".to_string(),
            Unwrap::Field(f) => format!(".then((r) => r.{})", camel_case(f)),
            Unwrap::Whole => String::new(),
        };
        js.push('\n');
        jsdoc(&mut js, "  ", &text);
        let request = if fills.is_empty() {
            "request".to_string()
        } else {
            fills_any = true;
            let fields: Vec<String> = fills.iter().map(|n| format!("{n}: this.{n}")).collect();
            format!("filled(request, {{ {} }})", fields.join(", "))
        };
        let _ = writeln!(
            js,
            "  {method} (request, options) {{\n    return this.#client.callCamelCase('{}', {request}, \
             options){then}\n  }}",
            op.name
        );
        methods.push('\n');
        jsdoc(&mut methods, "  ", &text);
        let q = if optional { "?" } else { "" };
        // The state `onProgress` is given is the polled one, which the table does not declare:
        // `any`, so that a caller's `WaitOptions<SessionState>` (or an annotated callback) fits.
        let opts = if op.long_running {
            ", options?: WaitOptions<any> | null"
        } else {
            ""
        };
        let _ = writeln!(
            methods,
            "  {method}(request{q}: {req_t}{}{opts}): Promise<{res_t}>",
            if optional { " | null" } else { "" }
        );
    }
    js.push_str("}\n");
    if fills_any {
        js.push_str(
            "\n/** `request` with `fields` where it leaves them out (anything but a plain object \
             as it is). */\nfunction filled (request, fields) {\n  if (request === null || \
             typeof request !== 'object' || Array.isArray(request) || ArrayBuffer.isView(request)) \
             return request\n  const out = { ...request }\n  for (const [k, v] of \
             Object.entries(fields)) if (out[k] === undefined) out[k] = v\n  return out\n}\n",
        );
    }
    let _ = write!(js, "\nmodule.exports = {{ {class} }}\n");

    let mut dts = format!(
        "/* {BANNER} */\n/* eslint-disable */\n\nimport type {{ ApproverKey, WaitOptions }} from \
         './index'\n\n/** The request and result types of `client.{}()`, in camelCase. */\n\
         export declare namespace {ns} {{\n",
        f.accessor
    );
    for (name, (t, d)) in &defs.types {
        doc(&mut dts, "  ", d.as_deref());
        let _ = writeln!(dts, "  type {name} = {t}");
    }
    dts.push_str("}\n\n");
    jsdoc(&mut dts, "", f.doc);
    let base_dts = f
        .base_url
        .map(|d| format!("  /** {d} */\n  readonly baseUrl: string\n"))
        .unwrap_or_default();
    let _ = write!(
        dts,
        "export declare class {class} {{\n  private constructor()\n{base_dts}{props_dts}"
    );
    let mut body = methods;
    for name in defs.types.keys() {
        body = replace_type_name(&body, &ns, name);
    }
    dts.push_str(&body);
    dts.push_str("}\n");
    (js, dts)
}

#[test]
fn node_facades_are_generated_from_the_table() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bindings-node");
    let bless = std::env::var_os("SIGNBRIDGE_BLESS").is_some();
    let mut stale = Vec::new();
    for f in FACADES {
        let (js, dts) = render(f);
        for (file, want) in [
            (format!("{}.js", f.file), js),
            (format!("{}.d.ts", f.file), dts),
        ] {
            let path = dir.join(&file);
            if bless {
                std::fs::write(&path, &want).expect("write a facade");
            } else if std::fs::read_to_string(&path).unwrap_or_default() != want {
                stale.push(file);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "bindings-node/{} stale: run `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test \
         node_facades` and commit the result",
        stale.join(", bindings-node/")
    );
}
