//! Imported seeds and derived keys (contract §4), key-management role:
//! `POST /v1/importedKey` `{label, seed: b64, curveOid, attributes, policy?, password?}` makes a
//! SLIP-0010 master key from a seed ([DTO] `ImportKeyDto`); `POST /v1/derivedKey`
//! `{masterKeyLabel, masterKeyPassword?, derivationPath, attributes?}` derives a child
//! ([DTO] `DeriveKeyDto`). Both answer 201 with the key document of the new key.
//!
//! PROPOSAL (no public source shows where a derived key lives): the derived key is kept under
//! the label `<masterKeyLabel>/<path below m>` (the [DTO]'s `signKeyName` form
//! `"MASTER/0'/1'/2"`), so every key operation can use it; deriving the same path again answers
//! the same key. It has the master's policy; `attributes` default to the master's. Errors: 600
//! (bad seed or path), 634 `derivation.not.supported.by.algorithm` (a curve without SLIP-0010
//! here, a non-hardened Ed25519 index, a master without a seed), 650, 608, 620.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::manage::apply_policy;
use super::{
    attributes_of, b64_decode, check_password, key_not_found, parse_rule, password_of, rfc3339,
    HsmKey,
};
use crate::app::Json200;
use crate::securosys::crypto::{OID_ED25519, OID_P256};
use crate::securosys::slip10::{parse_path, HdCurve, Node, HARDENED};
use crate::securosys::{parse_body, AppState, SecError, SecInner, SecResult};

/// The routes of this module.
pub(crate) fn routes(r: Router<AppState>) -> Router<AppState> {
    r.route("/v1/importedKey", post(imported_key))
        .route("/v1/derivedKey", post(derived_key))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ImportBody {
    label: Option<String>,
    seed: Option<String>,
    curve_oid: Option<String>,
    attributes: Option<Map<String, Value>>,
    policy: Option<Value>,
    password: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct DeriveBody {
    master_key_label: Option<String>,
    master_key_password: Option<Value>,
    derivation_path: Option<String>,
    attributes: Option<Map<String, Value>>,
}

fn not_derivable(msg: impl Into<String>) -> SecError {
    SecError::new(634, msg)
}

/// Builds the stored key of `node`.
fn hd_key(
    node: &Node,
    label: String,
    attributes: Map<String, Value>,
    policy: &Value,
    password: Option<String>,
    now: f64,
) -> Result<HsmKey, SecError> {
    let material = node.material().map_err(|e| SecError::new(701, e))?;
    let mut key = HsmKey {
        label,
        id: None,
        kind: node.curve.kind(),
        spki: material.public_spki(),
        material: Arc::new(material),
        create_time: rfc3339(now),
        attributes,
        policy: Value::Null,
        rule_use: Vec::new(),
        rule_block: Vec::new(),
        rule_unblock: Vec::new(),
        rule_modify: Vec::new(),
        blocked: policy
            .pointer("/keyStatus/blocked")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        password,
    };
    if !policy.is_null() {
        apply_policy(&mut key, policy)?;
    }
    Ok(key)
}

/// `attributes` with `derive` and `slip10` set (an HD key can derive).
fn hd_attributes(input: &Map<String, Value>) -> Result<Map<String, Value>, SecError> {
    let mut a = attributes_of(input)?;
    a.insert("derive".to_owned(), Value::Bool(true));
    a.insert("slip10".to_owned(), Value::Bool(true));
    Ok(a)
}

fn insert(sec: &mut SecInner, key: HsmKey, node: Node) -> SecResult {
    let doc = key.to_json();
    let label = key.label.clone();
    sec.keys.insert(label.clone(), key);
    sec.hd_nodes.insert(label, node);
    Ok((StatusCode::CREATED, Json200(doc)).into_response())
}

async fn imported_key(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let b: ImportBody = parse_body(&body)?;
    let label = b
        .label
        .filter(|l| !l.trim().is_empty() && l.len() <= 256)
        .ok_or_else(|| SecError::new(610, "\"label\" is required (1-256 characters)"))?;
    let curve = match b.curve_oid.as_deref() {
        Some(OID_P256) => HdCurve::P256,
        Some(OID_ED25519) => HdCurve::Ed25519,
        Some(other) => {
            return Err(not_derivable(format!(
                "curveOid {other}: the simulated HSM derives keys on P-256 ({OID_P256}) and \
                 Ed25519 ({OID_ED25519}) only"
            )))
        }
        None => return Err(SecError::validation("\"curveOid\" is required")),
    };
    let seed = b64_decode("seed", b.seed.as_deref().unwrap_or(""))?;
    if !(16..=64).contains(&seed.len()) {
        return Err(SecError::validation(format!(
            "\"seed\" must be 16 to 64 bytes (128 to 512 bits), got {}",
            seed.len()
        )));
    }
    let attributes = hd_attributes(
        b.attributes
            .as_ref()
            .ok_or_else(|| SecError::validation("\"attributes\" is required"))?,
    )?;
    let policy = b.policy.unwrap_or(Value::Null);
    for rule in ["ruleUse", "ruleBlock", "ruleUnblock", "ruleModify"] {
        parse_rule(policy.get(rule).unwrap_or(&Value::Null))?;
    }
    let password = password_of(&b.password)?;
    let node = Node::master(curve, &seed);
    let key = hd_key(
        &node,
        label.clone(),
        attributes,
        &policy,
        password,
        shared.now(),
    )?;
    let mut sec = shared.securosys.lock();
    if sec.keys.contains_key(&label) {
        return Err(SecError::new(
            608,
            format!("A key with label {label} already exists"),
        ));
    }
    insert(&mut sec, key, node)
}

async fn derived_key(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let b: DeriveBody = parse_body(&body)?;
    let master = b
        .master_key_label
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| SecError::new(610, "\"masterKeyLabel\" is required"))?;
    let path_text = b
        .derivation_path
        .ok_or_else(|| SecError::validation("\"derivationPath\" is required (e.g. m/0'/1')"))?;
    let path = parse_path(&path_text).map_err(SecError::validation)?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    let parent = sec
        .keys
        .get(&master)
        .ok_or_else(|| key_not_found(&master))?;
    check_password(parent, &b.master_key_password)?;
    let node = sec.hd_nodes.get(&master).cloned().ok_or_else(|| {
        not_derivable(format!(
            "Key {master} was not imported from a seed (POST /v1/importedKey): it has no \
             chain code to derive from"
        ))
    })?;
    let mut child = node;
    for index in &path {
        child = child.child(*index).map_err(not_derivable)?;
    }
    let suffix = path
        .iter()
        .map(|i| {
            if *i >= HARDENED {
                format!("{}'", i - HARDENED)
            } else {
                i.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    let label = format!("{master}/{suffix}");
    if let Some(existing) = sec.keys.get(&label) {
        if sec.hd_nodes.get(&label).map(Node::key_bytes) == Some(child.key_bytes()) {
            let doc = existing.to_json();
            return Ok((StatusCode::CREATED, Json200(doc)).into_response());
        }
        return Err(SecError::new(
            608,
            format!("A key with label {label} already exists"),
        ));
    }
    let attributes = match &b.attributes {
        Some(a) => hd_attributes(a)?,
        None => parent.attributes.clone(),
    };
    let policy = parent.policy.clone();
    let password = parent.password.clone();
    let key = hd_key(&child, label, attributes, &policy, password, now)?;
    insert(&mut sec, key, child)
}
