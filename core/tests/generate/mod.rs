//! What the generators of typed surfaces (`node_operations_dts.rs`, `python_call_types.rs`)
//! share: reading the operation table's schemas.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use signbridge::api;

/// The names defined differently on the request and the result side (a type read in one
/// spelling and written in another), and those that refer to one.
pub fn split_names() -> BTreeSet<String> {
    let mut sides: [BTreeMap<String, Value>; 2] = Default::default();
    for op in api::OPERATIONS {
        for (i, schema) in [(op.request_schema)(), (op.result_schema)()]
            .into_iter()
            .enumerate()
        {
            let v = serde_json::to_value(schema).expect("schema");
            for (name, def) in v
                .get("$defs")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                sides[i].insert(name.clone(), def.clone());
            }
        }
    }
    let mut split: BTreeSet<String> = sides[0]
        .iter()
        .filter(|(n, d)| sides[1].get(*n).is_some_and(|r| r != *d))
        .map(|(n, _)| n.clone())
        .collect();
    loop {
        let more: Vec<String> = sides[0]
            .iter()
            .filter(|(n, _)| sides[1].contains_key(*n) && !split.contains(*n))
            .filter(|(_, d)| {
                let text = d.to_string();
                split
                    .iter()
                    .any(|x| text.contains(&format!("\"#/$defs/{x}\"")))
            })
            .map(|(n, _)| n.clone())
            .collect();
        if more.is_empty() {
            return split;
        }
        split.extend(more);
    }
}
