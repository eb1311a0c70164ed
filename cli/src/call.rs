//! `signbridge call`: every operation of the core's operation table from the command line, with
//! a JSON request; the JSON result on stdout.

use std::io::Read as _;

use signbridge::api::{self, CallContext};
use signbridge::blocking::Client;
use signbridge::{Error, ErrorCode};

/// `signbridge call --list`: every operation, one per line, with its summary.
pub fn list() {
    let width = api::OPERATIONS
        .iter()
        .map(|o| o.name.len())
        .max()
        .unwrap_or(0);
    for op in api::OPERATIONS {
        let wait = if op.long_running { " (waits)" } else { "" };
        println!("{:width$}  {}{wait}", op.name, op.summary());
    }
}

/// `signbridge call --help OPERATION`: what it does, and the JSON Schema of its request and
/// result (derived from the core's types: every field, its type and its doc).
pub fn help(name: &str) -> signbridge::Result<()> {
    let op = api::operation(name)?;
    println!("{}\n", op.name);
    for line in op.doc.lines() {
        println!("  {}", line.trim());
    }
    if op.long_running {
        println!(
            "\n  waits: takes interval_ms and timeout_ms; progress is printed to stderr, \
             Ctrl-C stops it"
        );
    }
    let pretty = |s: api::Schema| {
        serde_json::to_string_pretty(&s)
            .map_err(|e| Error::internal(format!("cannot print the schema: {e}")))
    };
    println!("\nrequest ({}), JSON Schema:", op.request);
    println!("{}", pretty((op.request_schema)())?);
    println!("\nresult ({}), JSON Schema:", op.result);
    println!("{}", pretty((op.result_schema)())?);
    Ok(())
}

/// Whether `name` runs without a client (nothing is sent anywhere), so without configuration.
pub fn standalone(name: &str) -> bool {
    signbridge::api::operation(name).is_ok_and(|op| signbridge::api::STANDALONE.contains(&op.name))
}

/// `signbridge call OPERATION --json TEXT` (or `--json -` for stdin): run it, print the result.
/// `client` is `None` for the operations that need none ([`standalone`]).
pub fn run(client: Option<&Client>, name: &str, json: Option<&str>) -> signbridge::Result<()> {
    let text = match json {
        Some("-") => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Error::new(
                    ErrorCode::Io,
                    format!("could not read the request from stdin: {e}"),
                )
            })?;
            s
        }
        Some(t) => t.to_string(),
        None => "{}".to_string(),
    };
    let request: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Error::invalid_argument(format!(
            "--json is not JSON ({e}); give an object such as '{{\"label\": \"my-key\"}}'"
        ))
    })?;
    let ctx = CallContext {
        cancel: None,
        progress: Some(std::sync::Arc::new(|state: &serde_json::Value| {
            eprintln!("progress: {state}");
        })),
    };
    let out = match client {
        Some(c) => c.call(name, request, &ctx)?,
        None => signbridge::blocking::call_standalone(name, request)?,
    };
    let pretty = serde_json::to_string_pretty(&out)
        .map_err(|e| Error::internal(format!("cannot print the result: {e}")))?;
    println!("{pretty}");
    Ok(())
}
