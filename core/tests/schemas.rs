//! The operation table's JSON Schemas (`signbridge call --help-op`, and what typed surfaces are
//! generated from) describe what the operations really read and write: every request of the
//! shared scenarios that succeeds uses only fields its schema names and gives every field it
//! requires, and every field a scenario expects in a result is one its schema names.

use std::path::Path;

use serde_json::Value;
use signbridge::api;

/// The object schema `schema` stands for (a top-level `$ref` followed into `$defs`).
fn object<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let name = r.trim_start_matches("#/$defs/");
            &root["$defs"][name]
        }
        None => schema,
    }
}

#[test]
fn every_operation_has_object_schemas() {
    for op in api::OPERATIONS {
        for (what, schema) in [
            ("request", (op.request_schema)()),
            ("result", (op.result_schema)()),
        ] {
            let v = serde_json::to_value(&schema).expect("schema as JSON");
            let o = object(&v, &v);
            // Free-form JSON is declared as such (a product's body, a transaction description
            // read by its own path-precise parser); everything else is an object.
            let free = if what == "request" {
                op.request
            } else {
                op.result
            } == "serde_json::Value";
            if free {
                assert!(o.get("type").is_none(), "{} {what}: {v}", op.name);
                continue;
            }
            assert_eq!(o["type"], "object", "{} {what}: {v}", op.name);
        }
        if op.request == "serde_json::Value" {
            continue;
        }
        let req = serde_json::to_value((op.request_schema)()).expect("json");
        // Requests are read with deny_unknown_fields: the schema says so.
        assert_eq!(
            object(&req, &req)["additionalProperties"],
            Value::Bool(false),
            "{}",
            op.name
        );
    }
}

#[test]
fn scenario_requests_and_results_match_the_schemas() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios");
    let mut checked = 0;
    let mut problems = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("scenarios")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| p.file_name().is_some_and(|n| n != "config.json"))
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        let scenario: Value = serde_json::from_str(&text).expect("scenario JSON");
        let steps = scenario["steps"].as_array().cloned().unwrap_or_default();
        for (i, step) in steps.iter().enumerate() {
            let Some(name) = step.get("call").and_then(Value::as_str) else {
                continue;
            };
            if step.get("error").is_some() {
                continue; // bad requests on purpose
            }
            let here = format!("{}#{i} {name}", file.display());
            let op = api::operation(name).expect("known operation");
            if op.request == "serde_json::Value" {
                continue;
            }
            let req_schema = serde_json::to_value((op.request_schema)()).expect("json");
            let req_obj = object(&req_schema, &req_schema);
            let props = req_obj["properties"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let request = step.get("request").cloned().unwrap_or(Value::Null);
            if let Some(fields) = request.as_object() {
                for k in fields.keys() {
                    if !props.contains_key(k) {
                        problems.push(format!("{here}: request field {k} not in the schema"));
                    }
                }
            }
            for r in req_obj["required"].as_array().cloned().unwrap_or_default() {
                let r = r.as_str().unwrap_or_default();
                if request.get(r).is_none() {
                    problems.push(format!("{here}: required field {r} missing"));
                }
            }
            if let Some(expect) = step.get("expect").and_then(Value::as_object) {
                let res_schema = serde_json::to_value((op.result_schema)()).expect("json");
                let res_obj = object(&res_schema, &res_schema);
                let rprops = res_obj["properties"]
                    .as_object()
                    .cloned()
                    .unwrap_or_default();
                for k in expect.keys() {
                    if !rprops.contains_key(k) {
                        problems.push(format!(
                            "{here}: expected result field {k} not in the schema"
                        ));
                    }
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} steps checked");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
