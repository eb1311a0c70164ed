//! The shared scenarios (`tests/scenarios/*.json`, see its README), run through the Rust
//! operation table (`Client::call`) against the simulator. The C, Python and Node suites run the
//! same files through `sb_call`, `Client.call` and `client.call`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde_json::Value;
use signbridge::api::CallContext;
use signbridge::blocking::Client;
use signbridge::Config;
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios")
}

/// Replace `${name}` in every string of `v`; a whole-string `${name}` keeps the value's type.
fn substitute(v: &Value, vars: &BTreeMap<String, Value>) -> Value {
    match v {
        Value::String(s) => {
            if let Some(name) = s.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
                if !name.contains("${") {
                    if let Some(val) = vars.get(name) {
                        return val.clone();
                    }
                }
            }
            let mut out = s.clone();
            for (k, val) in vars {
                let text = match val {
                    Value::String(t) => t.clone(),
                    other => other.to_string(),
                };
                out = out.replace(&format!("${{{k}}}"), &text);
            }
            Value::String(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute(x, vars)).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, x)| (k.clone(), substitute(x, vars)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether `actual` matches the subset `expected` (see the README); the first mismatch's path.
fn matches(expected: &Value, actual: &Value, at: &str) -> Result<(), String> {
    match (expected, actual) {
        (Value::String(s), _) if s == "<any>" => Ok(()),
        (Value::String(s), Value::String(a)) if s == "<nonempty>" && !a.is_empty() => Ok(()),
        (Value::String(s), Value::Array(a)) if s == "<nonempty>" && !a.is_empty() => Ok(()),
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let av = a.get(k).ok_or_else(|| format!("{at}.{k} is missing"))?;
                matches(ev, av, &format!("{at}.{k}"))?;
            }
            Ok(())
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => e
            .iter()
            .zip(a)
            .enumerate()
            .try_for_each(|(i, (ev, av))| matches(ev, av, &format!("{at}[{i}]"))),
        (e, a) if e == a => Ok(()),
        (e, a) => Err(format!("{at}: expected {e}, got {a}")),
    }
}

/// The value at a dotted path (`files.0.id`).
fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, seg| match cur {
        Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
        Value::Object(o) => o.get(seg),
        _ => None,
    })
}

fn run_scenario(file: &Path, sim: &BackgroundSimulator, client: &Client, n: usize) -> Vec<String> {
    let text = std::fs::read_to_string(file).expect("scenario readable");
    let scenario: Value = serde_json::from_str(&text).expect("scenario is JSON");
    let tmp = tempfile::tempdir().expect("tmp");
    let pdf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/assets/sample-contract.pdf");
    let pdf_bytes = std::fs::read(&pdf).expect("sample pdf");
    let mut vars = BTreeMap::new();
    vars.insert("sim".to_string(), Value::from(sim.base_url()));
    vars.insert(
        "run".to_string(),
        Value::from(format!("rs{}x{n}", std::process::id())),
    );
    vars.insert(
        "tmp".to_string(),
        Value::from(tmp.path().display().to_string()),
    );
    vars.insert("pdf".to_string(), Value::from(pdf.display().to_string()));
    vars.insert(
        "pdf_base64".to_string(),
        Value::from(base64::engine::general_purpose::STANDARD.encode(&pdf_bytes)),
    );
    let mut failures = Vec::new();
    let steps = scenario["steps"].as_array().cloned().unwrap_or_default();
    for (i, step) in steps.iter().enumerate() {
        let step = substitute(step, &vars);
        let here = format!("{} step {i}", file.display());
        if let Some(sim_call) = step["sim"].as_str() {
            let (method, path) = sim_call.split_once(' ').expect("METHOD /path");
            let body = step.get("body").cloned().unwrap_or(Value::Null);
            let r = http::send_json(method, &format!("{}{path}", sim.base_url()), &body)
                .expect("simulator control");
            if r.status >= 300 {
                failures.push(format!("{here}: {sim_call} answered {}", r.status));
            }
            continue;
        }
        let op = step["call"].as_str().expect("call or sim");
        let request = step.get("request").cloned().unwrap_or(Value::Null);
        let outcome = client.call(op, request, &CallContext::default());
        match (outcome, step.get("error")) {
            (Ok(result), None) => {
                if let Some(expect) = step.get("expect") {
                    if let Err(why) = matches(expect, &result, "result") {
                        failures.push(format!("{here} ({op}): {why}"));
                    }
                }
                if let Some(save) = step["save"].as_object() {
                    for (var, path) in save {
                        match lookup(&result, path.as_str().unwrap_or("")) {
                            Some(v) => {
                                vars.insert(var.clone(), v.clone());
                            }
                            None => failures.push(format!("{here} ({op}): no {path} to save")),
                        }
                    }
                }
            }
            (Ok(result), Some(_)) => {
                failures.push(format!("{here} ({op}): expected an error, got {result}"))
            }
            (Err(e), Some(want)) => {
                let code = want["code"].as_str().unwrap_or("");
                let fragment = want["message"].as_str().unwrap_or("");
                if e.code().name() != code || !e.message().contains(fragment) {
                    failures.push(format!(
                        "{here} ({op}): expected {code} containing {fragment:?}, got {}: {}",
                        e.code().name(),
                        e.message()
                    ));
                }
            }
            (Err(e), None) => failures.push(format!("{here} ({op}): {e}")),
        }
    }
    failures
}

#[test]
fn every_shared_scenario_passes_through_the_operation_table() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("simulator");
    let template: Value = serde_json::from_str(
        &std::fs::read_to_string(dir().join("config.json")).expect("config.json"),
    )
    .expect("config.json is JSON");
    let mut vars = BTreeMap::new();
    vars.insert("sim".to_string(), Value::from(sim.base_url()));
    let config = Config::from_value(substitute(&template, &vars)).expect("config");
    let client = Client::new(config).expect("client");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("tests/scenarios")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "json")
                && p.file_name().is_some_and(|n| n != "config.json")
        })
        .collect();
    files.sort();
    assert!(files.len() >= 2, "scenarios found: {files:?}");
    let mut failures = Vec::new();
    for (n, f) in files.iter().enumerate() {
        failures.extend(run_scenario(f, &sim, &client, n));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_operation_appears_in_a_scenario() {
    let mut used = std::collections::BTreeSet::new();
    for e in std::fs::read_dir(dir()).expect("tests/scenarios").flatten() {
        let text = std::fs::read_to_string(e.path()).unwrap_or_default();
        if let Ok(v) = serde_json::from_str::<Value>(&text) {
            for step in v["steps"].as_array().into_iter().flatten() {
                if let Some(op) = step["call"].as_str() {
                    used.insert(op.to_string());
                }
            }
        }
    }
    let missing: Vec<&str> = signbridge::api::OPERATIONS
        .iter()
        .map(|o| o.name)
        .filter(|n| !used.contains(*n))
        .collect();
    assert!(
        missing.is_empty(),
        "operations no scenario calls: {missing:?}"
    );
}
