//! Names as each language spells them: the core's snake_case (`base_url`,
//! `securosys.create_key`) and JavaScript's camelCase (`baseUrl`, `securosys.createKey`).
//! The wrappers that speak camelCase translate through here, so the rules live in one place.

use serde_json::{Map, Value};

/// `securosys.create_key` → `securosys.createKey`, `base_url` → `baseUrl`.
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// `securosys.createKey` → `securosys.create_key`, `baseUrl` → `base_url` (snake_case names are
/// unchanged).
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every object key of `value` (at any depth) in snake_case. A key given in both spellings in
/// one object (`baseUrl` and `base_url`) is an error naming it, so nothing is silently dropped.
/// Only for documents whose keys are all field names (the configuration), never for ones that
/// carry user data as keys.
pub fn snake_case_keys(value: Value) -> Result<Value, String> {
    Ok(match value {
        Value::Object(map) => {
            let mut out = Map::with_capacity(map.len());
            for (k, v) in map {
                let key = snake_case(&k);
                if out.contains_key(&key) {
                    return Err(format!(
                        "`{}` is given twice (as `{}` and `{key}`): give it once",
                        camel_case(&key),
                        k
                    ));
                }
                out.insert(key, snake_case_keys(v)?);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(snake_case_keys)
                .collect::<Result<_, _>>()?,
        ),
        other => other,
    })
}

/// `message` with every `` `snake_name` `` in camelCase (``unknown field `base_urlx`, expected
/// `base_url` `` → ``unknown field `baseUrlx`, expected `baseUrl` ``), for a reader who wrote
/// camelCase.
pub fn camel_case_quoted(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut parts = message.split('`');
    // After serde's "unknown variant", the quoted names are values (`evidence_summary`), kept
    // as they are, up to the end of that clause.
    let variants = |text: &str, before: bool| {
        if text.contains(';') || text.contains("field") {
            false
        } else {
            before || text.contains("variant")
        }
    };
    let mut values = false;
    if let Some(first) = parts.next() {
        values = variants(first, values);
        out.push_str(first);
    }
    for (i, part) in parts.enumerate() {
        out.push('`');
        let quoted = i % 2 == 0;
        if !quoted {
            values = variants(part, values);
        }
        let ident = !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if quoted && ident && !values {
            out.push_str(&camel_case(part));
        } else {
            out.push_str(part);
        }
    }
    out
}

/// `message` with every configuration path (`transport.save_mode`, `zignsec.client_cert`,
/// `securosys.api_keys.key_management`), operation name (`signing.save_all`) and every quoted
/// field name in camelCase, for a reader whose configuration is written in camelCase (the Node
/// addon: `new Client({...})`, and every error it raises). Request paths (`request.page_size`)
/// stay as they are: `client.call` requests are the table's JSON, spelled as every language
/// spells it.
pub fn camel_case_config_message(message: &str) -> String {
    const SECTIONS: [&str; 6] = [
        "zignsec.",
        "securosys.",
        "onespan.",
        "transport.",
        "signing.",
        "oauth2.",
    ];
    let quoted = camel_case_quoted(message);
    let mut out = String::with_capacity(quoted.len());
    let mut rest = quoted.as_str();
    while !rest.is_empty() {
        let at = SECTIONS
            .iter()
            .filter_map(|s| {
                rest.match_indices(s)
                    .find(|(i, _)| *i == 0 || !rest.as_bytes()[*i - 1].is_ascii_alphanumeric())
                    .map(|(i, _)| i)
            })
            .min();
        let Some(i) = at else {
            out.push_str(rest);
            break;
        };
        out.push_str(&rest[..i]);
        let path_len = rest[i..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len() - i);
        let path = rest[i..i + path_len].trim_end_matches('.');
        out.push_str(&camel_case(path));
        rest = &rest[i + path.len()..];
        // `onespan.oauth2 {client_id, client_secret}`: the fields of that section.
        if let Some(fields) = rest.strip_prefix(" {") {
            if let Some(end) = fields.find('}') {
                let names: Vec<String> = fields[..end]
                    .split(',')
                    .map(|f| {
                        let t = f.trim();
                        format!("{}{}", &f[..f.len() - f.trim_start().len()], camel_case(t))
                    })
                    .collect();
                out.push_str(" {");
                out.push_str(&names.join(","));
                out.push('}');
                rest = &fields[end + 1..];
            }
        }
    }
    out
}

/// `message` with every request path (`request.key_size`, `request.documents[1].page_size`) and
/// every quoted field name in camelCase, for a reader whose request was written in camelCase
/// (the Node facades: `client.securosys().createKey({...})`). Operation names and configuration
/// paths are translated as [`camel_case_config_message`] does.
pub fn camel_case_request_message(message: &str) -> String {
    let message = camel_case_config_message(message);
    let mut out = String::with_capacity(message.len());
    let mut rest = message.as_str();
    while let Some(i) = rest
        .match_indices("request.")
        .find(|(i, _)| *i == 0 || !rest.as_bytes()[*i - 1].is_ascii_alphanumeric())
        .map(|(i, _)| i)
    {
        let start = i + "request.".len();
        out.push_str(&rest[..start]);
        let len = rest[start..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || "_.[]".contains(c)))
            .unwrap_or(rest.len() - start);
        out.push_str(&camel_case(&rest[start..start + len]));
        rest = &rest[start + len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_ways() {
        for (s, c) in [
            ("base_url", "baseUrl"),
            ("securosys.create_key", "securosys.createKey"),
            ("keys", "keys"),
            ("api_keys", "apiKeys"),
        ] {
            assert_eq!(camel_case(s), c);
            assert_eq!(snake_case(c), s);
            assert_eq!(snake_case(s), s);
        }
    }

    #[test]
    fn keys_at_every_depth_and_no_silent_duplicates() {
        let v = json!({"zignsec": {"baseUrl": "u", "clientCert": {"certFile": "f"}},
                       "securosys": {"apiKeys": {"keyManagement": ["k"]}},
                       "transport": {"caFiles": ["a"], "backoff_base_ms": 1}});
        assert_eq!(
            snake_case_keys(v).expect("ok"),
            json!({"zignsec": {"base_url": "u", "client_cert": {"cert_file": "f"}},
                   "securosys": {"api_keys": {"key_management": ["k"]}},
                   "transport": {"ca_files": ["a"], "backoff_base_ms": 1}})
        );
        let e = snake_case_keys(json!({"zignsec": {"baseUrl": "a", "base_url": "b"}}))
            .expect_err("twice");
        assert!(e.contains("`baseUrl` is given twice"), "{e}");
    }

    #[test]
    fn config_paths_in_messages() {
        assert_eq!(
            camel_case_config_message(
                "transport.save_mode must be permission bits from 0 to 0o777, got 1023."
            ),
            "transport.saveMode must be permission bits from 0 to 0o777, got 1023."
        );
        assert_eq!(
            camel_case_config_message("set securosys.api_keys.key_management (or `base_url`)"),
            "set securosys.apiKeys.keyManagement (or `baseUrl`)"
        );
        assert_eq!(camel_case_config_message("no_path here"), "no_path here");
        assert_eq!(
            camel_case_config_message(
                "signing.save_all: request.interval_ms: invalid type; check oauth2.client_secret"
            ),
            "signing.saveAll: request.interval_ms: invalid type; check oauth2.clientSecret"
        );
        assert_eq!(
            camel_case_config_message("give onespan.oauth2 {client_id, client_secret} or x"),
            "give onespan.oauth2 {clientId, clientSecret} or x"
        );
    }

    #[test]
    fn request_paths_in_messages() {
        assert_eq!(
            camel_case_request_message(
                "securosys.create_key: request.key_size: invalid type; not `page_size`"
            ),
            "securosys.createKey: request.keySize: invalid type; not `pageSize`"
        );
        assert_eq!(
            camel_case_request_message("request.documents[1].page_no, subrequest.a_b"),
            "request.documents[1].pageNo, subrequest.a_b"
        );
    }

    #[test]
    fn quoted_names_in_messages() {
        assert_eq!(
            camel_case_quoted("unknown field `base_urlx`, expected `base_url` or `keys`"),
            "unknown field `baseUrlx`, expected `baseUrl` or `keys`"
        );
        assert_eq!(camel_case_quoted("no quotes"), "no quotes");
        // Values after serde's "unknown variant" are not field names.
        assert_eq!(
            camel_case_quoted(
                "request.kind: unknown variant `x`, expected one of `zip`, `evidence_summary`; \
                 see `call_list` or field `page_size`"
            ),
            "request.kind: unknown variant `x`, expected one of `zip`, `evidence_summary`; \
             see `callList` or field `pageSize`"
        );
        assert_eq!(camel_case_quoted("`Not ident` `a_b"), "`Not ident` `aB");
    }
}
