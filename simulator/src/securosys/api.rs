//! Handlers of the Securosys `/v1/` endpoints: service information (§9), keys (§4), synchronous
//! sign and verify (§5), asynchronous sign and request status (§6), approvals (§7) and
//! certificates (§8).

pub(crate) mod approvers;
pub(crate) mod attest;
pub(crate) mod data;
pub(crate) mod derive;
pub(crate) mod file;
pub(crate) mod keyops;
pub(crate) mod manage;
mod wrap;

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::cert::{CertBody, CertJob, CertKind};
use super::crypto::{
    AlgError, Hash, KeyKind, KeyMaterial, PublicKey, SigAlg, OID_ED25519, OID_P256, OID_P384,
};
use super::{parse_body, AppState, SecError, SecInner, SecResult};
use crate::app::Json200;

/// TSB version reported by `GET /v1/versionInfo`.
const TSB_VERSION: &str = "2.5.1";
/// How far (seconds) an approver's timestamp may lie in the past (`maxTimestampDiffApprovalClient`).
const MAX_TIMESTAMP_AGE_S: f64 = 600.0;
/// How far (seconds) an approver's timestamp may lie in the future (clock skew allowance).
const MAX_TIMESTAMP_FUTURE_S: f64 = 5.0;
/// Payload types of contract §12.
const PAYLOAD_TYPES: [&str; 5] = ["UNSPECIFIED", "ISO_20022", "PDF", "BTC", "ETH"];

fn ok_json(v: Value) -> SecResult {
    Ok(Json200(v).into_response())
}

fn ok_empty() -> SecResult {
    Ok(StatusCode::OK.into_response())
}

fn b64_decode(field: &str, value: &str) -> Result<Vec<u8>, SecError> {
    let v = value.trim();
    STANDARD
        .decode(v)
        .or_else(|_| STANDARD_NO_PAD.decode(v.trim_end_matches('=')))
        .map_err(|_| SecError::validation(format!("\"{field}\" must be standard base64")))
}

/// A password: a string or an array of one-character strings (contract §3).
fn password_of(v: &Option<Value>) -> Result<Option<String>, SecError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Array(items)) => items
            .iter()
            .map(|c| c.as_str().map(str::to_owned))
            .collect::<Option<String>>()
            .map(Some)
            .ok_or_else(|| SecError::validation("a password must be a string or a char array")),
        Some(_) => Err(SecError::validation(
            "a password must be a string or a char array",
        )),
    }
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
fn rfc3339(secs: f64) -> String {
    let secs = secs.max(0.0).floor() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Parses an ISO-8601 date-time with `Z` or a `±HH:MM` offset into Unix seconds.
fn parse_iso8601(s: &str) -> Option<f64> {
    let s = s.trim();
    let num = |a: usize, b: usize| s.get(a..b).and_then(|x| x.parse::<i64>().ok());
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, sec) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    if s.get(4..5)? != "-" || s.get(7..8)? != "-" || s.get(13..14)? != ":" {
        return None;
    }
    let mut rest = &s[19..];
    let mut frac = 0.0;
    if let Some(r) = rest.strip_prefix('.') {
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        frac = format!("0.{}", &r[..n]).parse().ok()?;
        rest = &r[n..];
    }
    let offset = match rest {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match rest.get(..1)? {
                "+" => 1,
                "-" => -1,
                _ => return None,
            };
            let digits: String = rest[1..].chars().filter(char::is_ascii_digit).collect();
            let oh: i64 = digits.get(..2)?.parse().ok()?;
            let om: i64 = digits.get(2..4).unwrap_or("0").parse().ok()?;
            sign * (oh * 3600 + om * 60)
        }
    };
    let (yy, mm) = if mo <= 2 {
        (y - 1, mo + 9)
    } else {
        (y, mo - 3)
    };
    let era = yy.div_euclid(400);
    let yoe = yy - era * 400;
    let doy = (153 * mm + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + sec - offset) as f64 + frac)
}

// ---------------------------------------------------------------------------------------------
// Service (§9)

pub(crate) async fn version_info() -> SecResult {
    ok_json(json!({"Version": TSB_VERSION, "Vendor": "Securosys SA"}))
}

pub(crate) async fn license_info() -> SecResult {
    ok_json(json!({"clientFlags": ["KEY_AUTH", "REST_API", "TSB_ENGINE"]}))
}

pub(crate) async fn keystore_statistics(State(shared): State<AppState>) -> SecResult {
    let n = shared.securosys.lock().keys.len();
    ok_json(json!({"keyStoreStatistics": format!("signbridge-sim keystore: {n} keys")}))
}

/// The lines of the simulated HSM log: every authenticated `/v1/` request so far (method,
/// path, the role it needed, status), oldest first.
fn hsm_log_lines(sec: &SecInner) -> Vec<String> {
    sec.log
        .iter()
        .enumerate()
        .map(|(i, e)| {
            format!(
                "{i} {} {} role={} status={}",
                e.method,
                e.path,
                e.required_role.as_deref().unwrap_or("-"),
                e.status
            )
        })
        .collect()
}

/// `GET /v1/hsm/log`: the whole log as text.
pub(crate) async fn hsm_log(State(shared): State<AppState>) -> SecResult {
    let lines = hsm_log_lines(&shared.securosys.lock());
    ok_json(json!({"log": lines.join("\n")}))
}

/// `GET /v1/hsm/log/{pageNumber}/{pageSize}` (PROPOSAL: sub-paths of `/v1/hsm/log/**` are not
/// documented): one page of lines; past the end, an empty text.
pub(crate) async fn hsm_log_page(
    State(shared): State<AppState>,
    Path((page, size)): Path<(String, String)>,
) -> SecResult {
    let num = |s: &str| s.trim().parse::<usize>().ok();
    let (Some(page), Some(size)) = (num(&page), num(&size).filter(|n| (1..=10_000).contains(n)))
    else {
        return Err(SecError::new(
            619,
            "pageNumber must be a number from 0 and pageSize from 1 to 10000",
        ));
    };
    let lines = hsm_log_lines(&shared.securosys.lock());
    let page: Vec<String> = lines
        .into_iter()
        .skip(page.saturating_mul(size))
        .take(size)
        .collect();
    ok_json(json!({"log": page.join("\n")}))
}

pub(crate) async fn not_implemented() -> SecError {
    SecError::new(101, "This endpoint is not implemented by the simulator")
}

// ---------------------------------------------------------------------------------------------
// Keys (§4)

/// One approval group: `quorum` approvals out of `approvers` (DER SPKI).
#[derive(Debug, Clone)]
pub(crate) struct Group {
    quorum: usize,
    approvers: Vec<Vec<u8>>,
}

/// One token of `ruleUse`: all groups must reach their quorum inside the time window.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    timelock: f64,
    timeout: f64,
    groups: Vec<Group>,
}

/// A key held by the simulated HSM.
#[derive(Debug)]
pub(crate) struct HsmKey {
    label: String,
    id: Option<String>,
    kind: KeyKind,
    material: Arc<KeyMaterial>,
    spki: Vec<u8>,
    create_time: String,
    attributes: Map<String, Value>,
    /// The `policy` as given (`Null` for a plain key).
    policy: Value,
    /// Parsed `ruleUse` tokens (empty: operations run without approvals).
    rule_use: Vec<Token>,
    /// Parsed `ruleBlock` / `ruleUnblock` tokens (empty: no approvals needed).
    rule_block: Vec<Token>,
    rule_unblock: Vec<Token>,
    /// Parsed `ruleModify` tokens (empty: the policy changes without approvals).
    rule_modify: Vec<Token>,
    /// `keyStatus.blocked`: a blocked key refuses every operation until unblocked.
    blocked: bool,
    password: Option<String>,
}

impl HsmKey {
    fn can(&self, attr: &str) -> bool {
        self.attributes.get(attr).and_then(Value::as_bool) == Some(true)
    }

    /// The signed-attributes document of create and attributes (contract §4).
    fn to_json(&self) -> Value {
        let (algorithm, algorithm_oid, curve_oid, key_size) = match self.kind {
            KeyKind::Rsa(bits) => ("RSA", "1.2.840.113549.1.1.1", None, bits),
            KeyKind::P256 => ("EC", "1.2.840.10045.2.1", Some(OID_P256), 256),
            KeyKind::P384 => ("EC", "1.2.840.10045.2.1", Some(OID_P384), 384),
            KeyKind::Ed25519 => ("ED", OID_ED25519, Some(OID_ED25519), 255),
            KeyKind::Aes(bits) => ("AES", "2.16.840.1.101.3.4.1", None, bits),
            KeyKind::Hmac(bits) => ("HMACSHA256", "1.2.840.113549.2.9", None, bits),
        };
        let public_key = STANDARD.encode(&self.spki);
        let public_json = if self.spki.is_empty() {
            Value::Null
        } else {
            json!(public_key)
        };
        let mut policy = self.policy.clone();
        if let Some(status) = policy.get_mut("keyStatus") {
            *status = json!({"blocked": self.blocked});
        }
        let doc = json!({
            "label": self.label,
            "id": self.id,
            "algorithm": algorithm,
            "algorithmOid": algorithm_oid,
            "curveOid": curve_oid,
            "keySize": key_size,
            "createTime": self.create_time,
            "attestTime": self.create_time,
            "publicKey": public_json,
            "addressTruncated": null,
            "derivedAttributes": null,
            "attributes": self.attributes,
            "policy": policy,
        });
        let xml = format!(
            "<key><label>{}</label><algorithm>{algorithm}</algorithm><publicKey>{public_key}</publicKey></key>",
            xml_escape(&self.label)
        );
        let xml_signature = STANDARD.encode(Sha256::digest(xml.as_bytes()));
        json!({
            "xml": xml,
            "xmlSignature": xml_signature,
            "attestationKeyName": "attestation-key",
            "json": doc,
        })
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct CreateKeyBody {
    label: Option<String>,
    password: Option<Value>,
    id: Option<String>,
    algorithm: Option<String>,
    algorithm_oid: Option<String>,
    key_size: Option<u64>,
    curve_oid: Option<String>,
    attributes: Option<Map<String, Value>>,
    policy: Option<Value>,
}

fn key_kind(body: &CreateKeyBody) -> Result<KeyKind, SecError> {
    let algorithm = match (body.algorithm.as_deref(), body.algorithm_oid.as_deref()) {
        (Some(a), _) => a.to_ascii_uppercase(),
        (None, Some("1.2.840.113549.1.1.1")) => "RSA".to_owned(),
        (None, Some("1.2.840.10045.2.1")) => "EC".to_owned(),
        (None, Some(OID_ED25519)) => "ED".to_owned(),
        (None, Some(o)) => {
            return Err(SecError::new(
                101,
                format!("algorithmOid {o} is not supported by the simulator"),
            ))
        }
        (None, None) => return Err(SecError::validation("\"algorithm\" is required")),
    };
    match algorithm.as_str() {
        "RSA" => match body.key_size {
            Some(bits @ (2048 | 3072 | 4096)) => Ok(KeyKind::Rsa(bits as usize)),
            Some(8192) => Err(SecError::new(
                101,
                "RSA 8192 is not supported by the simulator",
            )),
            Some(other) => Err(SecError::new(603, format!("Invalid RSA key size {other}"))),
            None => Err(SecError::new(603, "\"keySize\" is required for RSA")),
        },
        "AES" => match body.key_size {
            Some(bits @ (128 | 192 | 256)) => Ok(KeyKind::Aes(bits as usize)),
            Some(other) => Err(SecError::new(603, format!("Invalid AES key size {other}"))),
            None => Err(SecError::new(603, "\"keySize\" is required for AES")),
        },
        "HMACSHA256" => match body.key_size {
            Some(bits) if (128..=1024).contains(&bits) && bits % 8 == 0 => {
                Ok(KeyKind::Hmac(bits as usize))
            }
            Some(other) => Err(SecError::new(603, format!("Invalid HMAC key size {other}"))),
            None => Err(SecError::new(603, "\"keySize\" is required for HMACSHA256")),
        },
        "EC" | "ED" => {
            let Some(curve) = body.curve_oid.as_deref() else {
                return Err(SecError::validation(format!(
                    "\"curveOid\" is required for {algorithm}"
                )));
            };
            match (algorithm.as_str(), curve) {
                ("EC", OID_P256) => Ok(KeyKind::P256),
                ("EC", OID_P384) => Ok(KeyKind::P384),
                ("ED", OID_ED25519) => Ok(KeyKind::Ed25519),
                _ => Err(SecError::new(
                    101,
                    format!("curve {curve} for {algorithm} is not supported by the simulator"),
                )),
            }
        }
        other => Err(SecError::new(
            101,
            format!("algorithm {other} is not supported by the simulator"),
        )),
    }
}

/// Output attributes: the input flags with the contract's defaults, plus derived ones.
fn attributes_of(input: &Map<String, Value>) -> Result<Map<String, Value>, SecError> {
    for required in ["decrypt", "sign", "unwrap"] {
        if !input.get(required).is_some_and(Value::is_boolean) {
            return Err(SecError::validation(format!(
                "attributes.{required} is required (true or false)"
            )));
        }
    }
    let flag =
        |name: &str, default: bool| input.get(name).and_then(Value::as_bool).unwrap_or(default);
    let mut out = Map::new();
    for (name, default) in [
        ("encrypt", false),
        ("decrypt", false),
        ("verify", false),
        ("sign", false),
        ("wrap", false),
        ("unwrap", false),
        ("derive", false),
        ("bip32", false),
        ("slip10", false),
        ("extractable", false),
        ("modifiable", true),
        ("destroyable", false),
        ("sensitive", true),
        ("copyable", false),
    ] {
        out.insert(name.to_owned(), Value::Bool(flag(name, default)));
    }
    out.insert("ekaSign".to_owned(), Value::Null);
    out.insert(
        "alwaysSensitive".to_owned(),
        Value::Bool(flag("sensitive", true)),
    );
    out.insert(
        "neverExtractable".to_owned(),
        Value::Bool(!flag("extractable", false)),
    );
    Ok(out)
}

fn parse_rule(rule: &Value) -> Result<Vec<Token>, SecError> {
    if rule.is_null() {
        return Ok(Vec::new());
    }
    let tokens = match rule.get("tokens") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(t)) => t,
        Some(_) => return Err(SecError::validation("ruleUse.tokens must be an array")),
    };
    let secs = |v: &Value, what: &str| -> Result<f64, SecError> {
        match v {
            Value::Null => Ok(0.0),
            v => match v.as_u64() {
                Some(n) if n % 60 == 0 => Ok(n as f64),
                _ => Err(SecError::validation(format!(
                    "{what} must be a non-negative multiple of 60 seconds"
                ))),
            },
        }
    };
    let mut out = Vec::new();
    for token in tokens {
        let mut groups = Vec::new();
        for group in token["groups"].as_array().into_iter().flatten() {
            let mut approvers = Vec::new();
            for a in group["approvals"].as_array().into_iter().flatten() {
                match a["type"].as_str() {
                    Some("public_key") => {}
                    Some(t @ ("certificate" | "onboarded_approver_certificate")) => {
                        // Onboarded approvers are resolved to their public key before this
                        // (approvers::resolve_onboarded); here only where that is not done.
                        return Err(SecError::new(
                            101,
                            format!("approval type {t} is not supported by the simulator"),
                        ))
                    }
                    _ => {
                        return Err(SecError::validation(
                            "approval type must be public_key, certificate or onboarded_approver_certificate",
                        ))
                    }
                }
                let der = b64_decode("approvals.value", a["value"].as_str().unwrap_or(""))?;
                if PublicKey::from_spki(&der).is_none() {
                    return Err(SecError::new(
                        601,
                        "approver public keys must be RSA, EC P-256/P-384 or Ed25519 SPKI",
                    ));
                }
                approvers.push(der);
            }
            let quorum = group["quorum"].as_u64().unwrap_or(0) as usize;
            if quorum == 0 || quorum > approvers.len() {
                return Err(SecError::validation(
                    "a group's quorum must be between 1 and the number of its approvals",
                ));
            }
            groups.push(Group { quorum, approvers });
        }
        if groups.is_empty() {
            return Err(SecError::validation("a token needs at least one group"));
        }
        out.push(Token {
            timelock: secs(&token["timelock"], "timelock")?,
            timeout: secs(&token["timeout"], "timeout")?,
            groups,
        });
    }
    Ok(out)
}

pub(crate) async fn create_key(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let body: CreateKeyBody = parse_body(&body)?;
    let label = body
        .label
        .clone()
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| SecError::new(610, "\"label\" is required"))?;
    let kind = key_kind(&body)?;
    let attributes = attributes_of(
        body.attributes
            .as_ref()
            .ok_or_else(|| SecError::validation("\"attributes\" is required"))?,
    )?;
    let policy = body.policy.clone().unwrap_or(Value::Null);
    let resolved = approvers::resolve_onboarded(&shared.securosys.lock(), &policy)?;
    let rule_use = parse_rule(resolved.get("ruleUse").unwrap_or(&Value::Null))?;
    let rule_block = parse_rule(resolved.get("ruleBlock").unwrap_or(&Value::Null))?;
    let rule_unblock = parse_rule(resolved.get("ruleUnblock").unwrap_or(&Value::Null))?;
    let rule_modify = parse_rule(resolved.get("ruleModify").unwrap_or(&Value::Null))?;
    let blocked = policy
        .pointer("/keyStatus/blocked")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if !policy.is_null() && attributes.get("extractable") == Some(&Value::Bool(true)) {
        return Err(SecError::new(
            606,
            "an extractable key cannot have a policy",
        ));
    }
    let password = password_of(&body.password)?;
    if shared.securosys.lock().keys.contains_key(&label) {
        return Err(SecError::new(
            608,
            format!("A key with label {label} already exists"),
        ));
    }
    let material = tokio::task::spawn_blocking(move || KeyMaterial::generate(kind))
        .await
        .map_err(|e| SecError::new(701, format!("key generation failed: {e}")))?
        .map_err(|e| SecError::new(701, e))?;
    let key = HsmKey {
        label: label.clone(),
        id: body.id,
        kind,
        spki: material.public_spki(),
        material: Arc::new(material),
        create_time: rfc3339(shared.now()),
        attributes,
        policy,
        rule_use,
        rule_block,
        rule_unblock,
        rule_modify,
        blocked,
        password,
    };
    let doc = key.to_json();
    let mut sec = shared.securosys.lock();
    if sec.keys.contains_key(&label) {
        return Err(SecError::new(
            608,
            format!("A key with label {label} already exists"),
        ));
    }
    sec.keys.insert(label, key);
    Ok((StatusCode::CREATED, Json200(doc)).into_response())
}

pub(crate) async fn list_keys(State(shared): State<AppState>) -> SecResult {
    let sec = shared.securosys.lock();
    ok_json(json!(sec.keys.keys().collect::<Vec<_>>()))
}

fn key_not_found(label: &str) -> SecError {
    SecError::new(650, format!("Key {label} does not exist"))
}

fn check_password(key: &HsmKey, given: &Option<Value>) -> Result<(), SecError> {
    match &key.password {
        Some(p) if password_of(given)?.as_deref() != Some(p.as_str()) => {
            Err(SecError::new(620, "The key password does not match"))
        }
        _ => Ok(()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct LabelBody {
    label: Option<String>,
    password: Option<Value>,
}

fn attributes_response(sec: &SecInner, label: &str, password: &Option<Value>) -> SecResult {
    let key = sec.keys.get(label).ok_or_else(|| key_not_found(label))?;
    check_password(key, password)?;
    ok_json(key.to_json())
}

pub(crate) async fn key_attributes_get(
    State(shared): State<AppState>,
    Path(label): Path<String>,
) -> SecResult {
    attributes_response(&shared.securosys.lock(), &label, &None)
}

pub(crate) async fn key_attributes_post(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let body: LabelBody = parse_body(&body)?;
    let label = body
        .label
        .ok_or_else(|| SecError::new(610, "\"label\" is required"))?;
    attributes_response(&shared.securosys.lock(), &label, &body.password)
}

fn remove_key(shared: &AppState, label: &str, password: &Option<Value>) -> SecResult {
    let mut sec = shared.securosys.lock();
    let key = sec.keys.get(label).ok_or_else(|| key_not_found(label))?;
    check_password(key, password)?;
    if !key.can("destroyable") {
        return Err(SecError::new(
            614,
            format!("Key {label} is not destroyable"),
        ));
    }
    sec.keys.remove(label);
    sec.hd_nodes.remove(label);
    for r in sec.requests.values_mut() {
        if r.key_label == label && matches!(r.status, "PENDING" | "APPROVED") {
            r.status = "CANCELLED";
        }
    }
    ok_empty()
}

pub(crate) async fn delete_key(
    State(shared): State<AppState>,
    Path(label): Path<String>,
) -> SecResult {
    remove_key(&shared, &label, &None)
}

pub(crate) async fn delete_key_post(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let body: LabelBody = parse_body(&body)?;
    let label = body
        .label
        .ok_or_else(|| SecError::new(610, "\"label\" is required"))?;
    remove_key(&shared, &label, &body.password)
}

// ---------------------------------------------------------------------------------------------
// Synchronous sign and verify (§5)

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct SignInner {
    payload: Option<String>,
    payload_type: Option<String>,
    sign_key_name: Option<String>,
    key_password: Option<Value>,
    signature_algorithm: Option<String>,
    signature_type: Option<String>,
    meta_data: Option<String>,
    meta_data_signature: Option<String>,
    signed_approvals: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct SignEnvelope {
    sign_request: Option<SignInner>,
    #[allow(dead_code)]
    request_signature: Option<Value>,
}

fn parse_alg(name: Option<&str>) -> Result<SigAlg, SecError> {
    let name = name.ok_or_else(|| SecError::validation("\"signatureAlgorithm\" is required"))?;
    SigAlg::parse(name).map_err(|e| match e {
        AlgError::Unsupported => SecError::new(
            101,
            format!("signatureAlgorithm {name} is not supported by the simulator"),
        ),
        AlgError::Unknown => SecError::validation(format!("unknown signatureAlgorithm {name}")),
    })
}

/// A validated sign request.
struct Prepared {
    label: String,
    alg: SigAlg,
    payload: Vec<u8>,
    payload_type: String,
    raw: bool,
}

fn prepare_sign(sec: &SecInner, r: &SignInner) -> Result<Prepared, SecError> {
    let label = r
        .sign_key_name
        .clone()
        .ok_or_else(|| SecError::new(610, "\"signKeyName\" is required"))?;
    let payload = b64_decode(
        "payload",
        r.payload
            .as_deref()
            .ok_or_else(|| SecError::validation("\"payload\" is required"))?,
    )?;
    let payload_type = r
        .payload_type
        .clone()
        .unwrap_or_else(|| "UNSPECIFIED".to_owned());
    if !PAYLOAD_TYPES.contains(&payload_type.as_str()) {
        return Err(SecError::validation(format!(
            "unknown payloadType {payload_type}"
        )));
    }
    let raw = match r.signature_type.as_deref() {
        None | Some("DER") => false,
        Some("RAW") => true,
        Some("ETH") => {
            return Err(SecError::new(
                101,
                "signatureType ETH is not supported by the simulator",
            ))
        }
        Some(other) => {
            return Err(SecError::validation(format!(
                "unknown signatureType {other}"
            )))
        }
    };
    let alg = parse_alg(r.signature_algorithm.as_deref())?;
    let key = sec.keys.get(&label).ok_or_else(|| key_not_found(&label))?;
    check_password(key, &r.key_password)?;
    keyops::check_not_blocked(key)?;
    if !key.can("sign") {
        return Err(SecError::new(
            614,
            format!("Key {label} does not have the sign attribute"),
        ));
    }
    if !alg.fits(key.kind) {
        return Err(SecError::new(
            607,
            format!(
                "signatureAlgorithm {} cannot be used with key {label}",
                r.signature_algorithm.as_deref().unwrap_or_default()
            ),
        ));
    }
    Ok(Prepared {
        label,
        alg,
        payload,
        payload_type,
        raw,
    })
}

fn sign_with(sec: &SecInner, p: &Prepared) -> Result<Vec<u8>, SecError> {
    let key = sec
        .keys
        .get(&p.label)
        .ok_or_else(|| key_not_found(&p.label))?;
    key.material
        .sign(p.alg, &p.payload, p.raw)
        .map_err(|e| SecError::new(612, e))
}

pub(crate) async fn synchronous_sign(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: SignEnvelope = parse_body(&body)?;
    let r = env
        .sign_request
        .ok_or_else(|| SecError::validation("\"signRequest\" is required"))?;
    let sec = shared.securosys.lock();
    let p = prepare_sign(&sec, &r)?;
    let key = sec
        .keys
        .get(&p.label)
        .ok_or_else(|| key_not_found(&p.label))?;
    if !key.rule_use.is_empty() {
        if r.signed_approvals.as_ref().is_some_and(|a| !a.is_empty()) {
            return Err(SecError::new(
                101,
                "signedApprovals are not supported by the simulator: use POST /v1/sign",
            ));
        }
        return Err(SecError::new(
            401,
            format!("Key {} needs approvals: use POST /v1/sign", p.label),
        ));
    }
    let sig = sign_with(&sec, &p)?;
    ok_json(json!({"signature": STANDARD.encode(sig)}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct VerifyInner {
    sign_key_name: Option<String>,
    signature_algorithm: Option<String>,
    payload: Option<String>,
    signature: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct VerifyEnvelope {
    verify_signature_request: Option<VerifyInner>,
    verify_hmac_request: Option<Value>,
}

pub(crate) async fn verify(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: VerifyEnvelope = parse_body(&body)?;
    if let Some(h) = env.verify_hmac_request {
        return keyops::verify_hmac(&shared, h);
    }
    let r = env
        .verify_signature_request
        .ok_or_else(|| SecError::validation("\"verifySignatureRequest\" is required"))?;
    let label = r
        .sign_key_name
        .ok_or_else(|| SecError::new(610, "\"signKeyName\" is required"))?;
    let payload = b64_decode(
        "payload",
        r.payload
            .as_deref()
            .ok_or_else(|| SecError::validation("\"payload\" is required"))?,
    )?;
    let signature = b64_decode(
        "signature",
        r.signature
            .as_deref()
            .ok_or_else(|| SecError::validation("\"signature\" is required"))?,
    )?;
    let alg = parse_alg(r.signature_algorithm.as_deref())?;
    let sec = shared.securosys.lock();
    let key = sec.keys.get(&label).ok_or_else(|| key_not_found(&label))?;
    if !alg.fits(key.kind) {
        return Err(SecError::new(
            607,
            format!("signatureAlgorithm cannot be used with key {label}"),
        ));
    }
    let public = PublicKey::from_spki(&key.spki)
        .ok_or_else(|| SecError::new(701, "cannot read the key's public key"))?;
    ok_json(json!({"signatureValid": public.verify(alg, &payload, &signature)}))
}

// ---------------------------------------------------------------------------------------------
// Asynchronous sign and requests (§6)

/// What an asynchronous request does when it executes.
#[derive(Debug)]
pub(crate) enum AsyncOp {
    /// `POST /v1/sign`: sign the payload.
    Sign { alg: SigAlg, raw: bool },
    /// `POST /v1/certificate/selfsign` or `/v1/certificate/request`.
    Certificate(CertJob),
    /// Decrypt, block, unblock or unwrap (key operation role).
    Key(keyops::Job),
}

impl AsyncOp {
    /// The `filtered{Kind}ApprovalTask` kind whose list shows this request.
    fn task_kind(&self) -> &'static str {
        match self {
            AsyncOp::Sign { .. } | AsyncOp::Certificate(_) => "Sign",
            AsyncOp::Key(job) => job.task_kind(),
        }
    }
}

/// An asynchronous request (sign, or certificate made with the key).
#[derive(Debug)]
pub(crate) struct AsyncRequest {
    id: Uuid,
    pub(crate) key_label: String,
    op: AsyncOp,
    /// What the approvers are shown (`payload` of a task): the data to sign, or the JSON of a
    /// certificate request.
    payload: Vec<u8>,
    payload_type: String,
    meta_data: Option<String>,
    meta_data_signature: Option<String>,
    created: f64,
    /// `PENDING`, `APPROVED`, `EXECUTED`, `FAILED`, `EXPIRED`, `REJECTED` or `CANCELLED`.
    pub(crate) status: &'static str,
    execution_time: Option<String>,
    tokens: Vec<Token>,
    /// Every approver of any token (DER SPKI, unique, in policy order).
    approvers: Vec<Vec<u8>>,
    approved: Vec<Vec<u8>>,
    rejected: Vec<Vec<u8>>,
    result: Option<String>,
}

impl AsyncRequest {
    fn is_open(&self) -> bool {
        matches!(self.status, "PENDING" | "APPROVED")
    }

    /// The opaque bytes an approver signs (PROPOSAL: recognisable, not the HSM's TLV structure).
    fn approval_to_be_signed(&self, approver: &[u8]) -> Vec<u8> {
        format!(
            "signbridge-sim approval v1\nrequest={}\napprover={}\npayload-sha256={}\n",
            self.id,
            hex(&Sha256::digest(approver)),
            hex(&Sha256::digest(&self.payload)),
        )
        .into_bytes()
    }

    fn to_json(&self) -> Value {
        let b64s = |v: &[Vec<u8>]| v.iter().map(|k| STANDARD.encode(k)).collect::<Vec<_>>();
        let not_yet: Vec<Vec<u8>> = self
            .approvers
            .iter()
            .filter(|a| !self.approved.contains(a) && !self.rejected.contains(a))
            .cloned()
            .collect();
        json!({
            "id": self.id,
            "status": self.status,
            "executionTime": self.execution_time,
            "approvedBy": b64s(&self.approved),
            "notYetApprovedBy": b64s(&not_yet),
            "rejectedBy": b64s(&self.rejected),
            "result": self.result,
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Moves an open request on: execute, expire or reject (contract §7 semantics).
fn evaluate(sec: &mut SecInner, id: Uuid, now: f64) {
    let Some(r) = sec.requests.get(&id) else {
        return;
    };
    if !r.is_open() {
        return;
    }
    let count =
        |list: &[Vec<u8>], g: &Group| g.approvers.iter().filter(|a| list.contains(a)).count();
    let mut execute = false;
    let mut waiting_timelock = false;
    let mut any_reachable = r.tokens.is_empty();
    let mut all_timed_out = !r.tokens.is_empty();
    for t in &r.tokens {
        let timed_out = t.timeout > 0.0 && now > r.created + t.timeout;
        all_timed_out &= timed_out;
        if timed_out {
            continue;
        }
        let satisfied = t.groups.iter().all(|g| count(&r.approved, g) >= g.quorum);
        let reachable = t
            .groups
            .iter()
            .all(|g| g.approvers.len() - count(&r.rejected, g) >= g.quorum);
        any_reachable |= reachable;
        if satisfied {
            if now >= r.created + t.timelock {
                execute = true;
            } else {
                waiting_timelock = true;
            }
        }
    }
    if r.tokens.is_empty() {
        execute = true;
    }
    let outcome = if execute {
        if let AsyncOp::Key(job) = &r.op {
            let (job, label) = (job.clone(), r.key_label.clone());
            Some(keyops::execute(sec, &label, &job, now))
        } else {
            let signed = sec
                .keys
                .get(&r.key_label)
                .ok_or_else(|| "the key no longer exists".to_owned())
                .and_then(|k| match &r.op {
                    AsyncOp::Sign { alg, raw } => k.material.sign(*alg, &r.payload, *raw),
                    AsyncOp::Certificate(job) => job.run(&k.material, now),
                    AsyncOp::Key(_) => Err("unreachable".to_owned()),
                });
            Some(signed.map(Some))
        }
    } else {
        None
    };
    let Some(r) = sec.requests.get_mut(&id) else {
        return;
    };
    match outcome {
        Some(Ok(result)) => {
            r.status = "EXECUTED";
            r.execution_time = Some(rfc3339(now));
            r.result = result.map(|b| STANDARD.encode(b));
        }
        Some(Err(_)) => {
            r.status = "FAILED";
            r.execution_time = Some(rfc3339(now));
        }
        None if waiting_timelock => r.status = "APPROVED",
        None if all_timed_out => r.status = "EXPIRED",
        None if !any_reachable => r.status = "REJECTED",
        None => {}
    }
}

fn evaluate_all(sec: &mut SecInner, now: f64) {
    let ids: Vec<Uuid> = sec
        .requests
        .values()
        .filter(|r| r.is_open())
        .map(|r| r.id)
        .collect();
    for id in ids {
        evaluate(sec, id, now);
    }
}

/// Registers an asynchronous request on key `label` (which exists) and evaluates it once (a key
/// without approvals executes at once). Returns its id.
#[allow(clippy::too_many_arguments)]
fn submit_request(
    sec: &mut SecInner,
    now: f64,
    label: &str,
    op: AsyncOp,
    payload: Vec<u8>,
    payload_type: String,
    meta_data: Option<String>,
    meta_data_signature: Option<String>,
) -> Result<Uuid, SecError> {
    let key = sec.keys.get(label).ok_or_else(|| key_not_found(label))?;
    let tokens = match &op {
        AsyncOp::Key(job) => job.rule(key).to_vec(),
        _ => key.rule_use.clone(),
    };
    let mut approvers: Vec<Vec<u8>> = Vec::new();
    for a in tokens
        .iter()
        .flat_map(|t| t.groups.iter())
        .flat_map(|g| g.approvers.iter())
    {
        if !approvers.contains(a) {
            approvers.push(a.clone());
        }
    }
    let id = Uuid::new_v4();
    let req = AsyncRequest {
        id,
        key_label: label.to_owned(),
        op,
        payload,
        payload_type,
        meta_data,
        meta_data_signature,
        created: now,
        status: "PENDING",
        execution_time: None,
        tokens,
        approvers,
        approved: Vec::new(),
        rejected: Vec::new(),
        result: None,
    };
    sec.requests.insert(id, req);
    evaluate(sec, id, now);
    Ok(id)
}

pub(crate) async fn async_sign(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let env: SignEnvelope = parse_body(&body)?;
    let r = env
        .sign_request
        .ok_or_else(|| SecError::validation("\"signRequest\" is required"))?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    let p = prepare_sign(&sec, &r)?;
    let id = submit_request(
        &mut sec,
        now,
        &p.label,
        AsyncOp::Sign {
            alg: p.alg,
            raw: p.raw,
        },
        p.payload,
        p.payload_type,
        r.meta_data,
        r.meta_data_signature,
    )?;
    Ok((StatusCode::CREATED, Json200(json!({"signRequestId": id}))).into_response())
}

fn request_id(raw: &str) -> Result<Uuid, SecError> {
    Uuid::parse_str(raw.trim())
        .map_err(|_| SecError::new(651, format!("Request {raw} does not exist")))
}

pub(crate) async fn get_request(
    State(shared): State<AppState>,
    Path(id): Path<String>,
) -> SecResult {
    let id = request_id(&id)?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    evaluate(&mut sec, id, now);
    let r = sec
        .requests
        .get(&id)
        .ok_or_else(|| SecError::new(651, format!("Request {id} does not exist")))?;
    ok_json(r.to_json())
}

pub(crate) async fn cancel_request(
    State(shared): State<AppState>,
    Path(id): Path<String>,
) -> SecResult {
    let id = request_id(&id)?;
    let mut sec = shared.securosys.lock();
    let r = sec
        .requests
        .get_mut(&id)
        .ok_or_else(|| SecError::new(651, format!("Request {id} does not exist")))?;
    if r.is_open() {
        r.status = "CANCELLED";
    }
    ok_empty()
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct FilteredRequestsBody {
    request_status_list: Option<Vec<String>>,
}

pub(crate) async fn filtered_requests(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let body: FilteredRequestsBody = parse_body(&body)?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    evaluate_all(&mut sec, now);
    let mut list: Vec<&AsyncRequest> = sec
        .requests
        .values()
        .filter(|r| {
            body.request_status_list
                .as_ref()
                .is_none_or(|l| l.iter().any(|s| s == r.status))
        })
        .collect();
    list.sort_by(|a, b| a.created.total_cmp(&b.created));
    ok_json(json!({
        "requests": list.iter().map(|r| json!({"id": r.id, "status": r.status})).collect::<Vec<_>>(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Certificates (§8)

/// Self-signed certificate or CSR, from the path (`…/selfsign` or `…/request`).
fn cert_kind(uri: &axum::http::Uri) -> CertKind {
    if uri.path().ends_with("/selfsign") {
        CertKind::SelfSigned
    } else {
        CertKind::Request
    }
}

/// Checks the key of a certificate request and validates the request against it.
fn prepare_certificate(
    sec: &SecInner,
    kind: CertKind,
    b: &CertBody,
) -> Result<(String, CertJob), SecError> {
    let label = b
        .sign_key_name
        .clone()
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| SecError::new(610, "\"signKeyName\" is required"))?;
    let key = sec.keys.get(&label).ok_or_else(|| key_not_found(&label))?;
    check_password(key, &b.key_password)?;
    if !key.can("sign") {
        return Err(SecError::new(
            614,
            format!("Key {label} does not have the sign attribute"),
        ));
    }
    let job = CertJob::parse(kind, b, key.kind)?;
    Ok((label, job))
}

/// `POST /v1/certificate/synchronous/selfsign` and `POST /v1/certificate/synchronous/request`.
pub(crate) async fn certificate_synchronous(
    State(shared): State<AppState>,
    uri: axum::http::Uri,
    body: Bytes,
) -> SecResult {
    let kind = cert_kind(&uri);
    let b: CertBody = parse_body(&body)?;
    let now = shared.now();
    let (label, job, material) = {
        let sec = shared.securosys.lock();
        let (label, job) = prepare_certificate(&sec, kind, &b)?;
        let key = sec.keys.get(&label).ok_or_else(|| key_not_found(&label))?;
        if !key.rule_use.is_empty() {
            let path = match kind {
                CertKind::SelfSigned => "/v1/certificate/selfsign",
                CertKind::Request => "/v1/certificate/request",
            };
            return Err(SecError::new(
                401,
                format!("Key {label} needs approvals: use POST {path}"),
            ));
        }
        (label, job, key.material.clone())
    };
    let der = tokio::task::spawn_blocking(move || job.run(&material, now))
        .await
        .map_err(|e| SecError::new(701, format!("certificate creation failed: {e}")))?
        .map_err(|e| SecError::new(701, e))?;
    let der = STANDARD.encode(der);
    ok_json(match kind {
        CertKind::SelfSigned => json!({"label": label, "certificate": der}),
        CertKind::Request => json!({"label": label, "certificateSigningRequest": der}),
    })
}

/// `POST /v1/certificate/selfsign` (`selfSignCertificateRequest`) and
/// `POST /v1/certificate/request` (`csrSignRequest`): the certificate is made when the key's
/// approvals are in; `GET /v1/request/{id}` then holds it (base64 DER) as `result`.
pub(crate) async fn certificate_async(
    State(shared): State<AppState>,
    uri: axum::http::Uri,
    body: Bytes,
) -> SecResult {
    let kind = cert_kind(&uri);
    let envelope = match kind {
        CertKind::SelfSigned => "selfSignCertificateRequest",
        CertKind::Request => "csrSignRequest",
    };
    let env: Value = parse_body(&body)?;
    let inner = env
        .get(envelope)
        .filter(|v| v.is_object())
        .ok_or_else(|| SecError::validation(format!("\"{envelope}\" is required")))?;
    let b: CertBody = serde_json::from_value(inner.clone())
        .map_err(|e| SecError::validation(format!("Invalid {envelope}: {e}")))?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    let (label, job) = prepare_certificate(&sec, kind, &b)?;
    let id = submit_request(
        &mut sec,
        now,
        &label,
        AsyncOp::Certificate(job),
        inner.to_string().into_bytes(),
        "UNSPECIFIED".to_owned(),
        b.meta_data.clone(),
        b.meta_data_signature.clone(),
    )?;
    Ok((StatusCode::CREATED, Json200(json!({"signRequestId": id}))).into_response())
}

// ---------------------------------------------------------------------------------------------
// Approvals (§7)

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct Paging {
    page_number: Option<u64>,
    page_size: Option<u64>,
    sort_order: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct TimestampedBody {
    timestamp: Option<String>,
    timestamp_signature: Option<String>,
    approver_certificate: Option<String>,
    approver_public_key: Option<String>,
    timestamp_signing_certificate: Option<String>,
    timestamp_digest_algorithm: Option<String>,
    id: Option<String>,
    detail_level: Option<String>,
    paging: Option<Paging>,
}

/// Checks the approver's signed timestamp and returns the approver's DER SPKI.
fn authenticate_approver(shared: &AppState, b: &TimestampedBody) -> Result<Vec<u8>, SecError> {
    if b.approver_certificate.is_some() || b.timestamp_signing_certificate.is_some() {
        return Err(SecError::new(
            101,
            "certificate approvers are not supported by the simulator: send approverPublicKey",
        ));
    }
    let spki = b64_decode(
        "approverPublicKey",
        b.approver_public_key
            .as_deref()
            .ok_or_else(|| SecError::validation("\"approverPublicKey\" is required"))?,
    )?;
    let public = PublicKey::from_spki(&spki)
        .ok_or_else(|| SecError::new(601, "unsupported approver key type"))?;
    let ts = b
        .timestamp
        .as_deref()
        .ok_or_else(|| SecError::validation("\"timestamp\" is required"))?;
    let at =
        parse_iso8601(ts).ok_or_else(|| SecError::validation("\"timestamp\" must be ISO-8601"))?;
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0);
    let fresh = |now: f64| at >= now - MAX_TIMESTAMP_AGE_S && at <= now + MAX_TIMESTAMP_FUTURE_S;
    if !fresh(shared.now()) && !fresh(wall) {
        return Err(SecError::new(
            404,
            "The timestamp is too far from the server time",
        ));
    }
    let digest = b.timestamp_digest_algorithm.as_deref().unwrap_or("SHA-256");
    let hash = Hash::from_digest_name(digest).ok_or_else(|| {
        SecError::validation(format!("unknown timestampDigestAlgorithm {digest}"))
    })?;
    let sig = b64_decode(
        "timestampSignature",
        b.timestamp_signature
            .as_deref()
            .ok_or_else(|| SecError::validation("\"timestampSignature\" is required"))?,
    )?;
    if !public.verify_approver(hash, ts.as_bytes(), &sig) {
        return Err(SecError::new(403, "The timestamp signature is not valid"));
    }
    Ok(spki)
}

pub(crate) async fn filtered_tasks(
    State(shared): State<AppState>,
    uri: axum::http::Uri,
    body: Bytes,
) -> SecResult {
    let b: TimestampedBody = parse_body(&body)?;
    let approver = authenticate_approver(&shared, &b)?;
    let kind = uri
        .path()
        .strip_prefix("/v1/filtered")
        .and_then(|k| k.strip_suffix("ApprovalTask"))
        .unwrap_or("All")
        .to_owned();
    let level: u8 = b
        .detail_level
        .as_deref()
        .unwrap_or("level1")
        .strip_prefix("level")
        .and_then(|n| n.parse().ok())
        .filter(|n| (1..=6).contains(n))
        .ok_or_else(|| SecError::validation("detailLevel must be level1 ... level6"))?;
    let paging = b.paging.unwrap_or_default();
    let page_size = paging.page_size.unwrap_or(25).max(1) as usize;
    let page_number = paging.page_number.unwrap_or(0) as usize;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    evaluate_all(&mut sec, now);
    let mut open: Vec<&AsyncRequest> = sec
        .requests
        .values()
        .filter(|r| {
            (kind == "All" || r.op.task_kind() == kind)
                && r.is_open()
                && r.approvers.contains(&approver)
                && !r.approved.contains(&approver)
                && !r.rejected.contains(&approver)
        })
        .collect();
    open.sort_by(|a, b| a.created.total_cmp(&b.created));
    if paging
        .sort_order
        .as_deref()
        .is_some_and(|s| s.ends_with("DESC"))
    {
        open.reverse();
    }
    let approver_b64 = STANDARD.encode(&approver);
    let tasks: Vec<Value> = open
        .iter()
        .skip(page_number.saturating_mul(page_size))
        .take(page_size)
        .map(|r| {
            let mut t = json!({
                "id": r.id,
                "detailLevel": format!("level{level}"),
                "approvalToBeSigned": STANDARD.encode(r.approval_to_be_signed(&approver)),
                "approverPublicKey": approver_b64,
            });
            if level >= 2 {
                t["metaData"] = json!(r.meta_data);
                t["metaDataSignature"] = json!(r.meta_data_signature);
                t["payload"] = json!(STANDARD.encode(&r.payload));
                t["payloadType"] = json!(r.payload_type);
            }
            if level >= 6 {
                t["requestStatus"] = r.to_json();
            }
            t
        })
        .collect();
    ok_json(json!({"tasks": tasks}))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct ApprovalBody {
    id: Option<String>,
    approval_to_be_signed: Option<String>,
    signature: Option<String>,
    approval_digest_algorithm: Option<String>,
    approver_certificate: Option<String>,
    approver_public_key: Option<String>,
}

fn task_not_found(id: &str) -> SecError {
    SecError::new(652, format!("Task {id} does not exist"))
}

pub(crate) async fn submit_approval(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let b: ApprovalBody = parse_body(&body)?;
    if b.approver_certificate.is_some() {
        return Err(SecError::new(
            101,
            "certificate approvers are not supported by the simulator: send approverPublicKey",
        ));
    }
    let raw_id =
        b.id.as_deref()
            .ok_or_else(|| SecError::validation("\"id\" is required"))?;
    let id = Uuid::parse_str(raw_id.trim()).map_err(|_| task_not_found(raw_id))?;
    let approver = b64_decode(
        "approverPublicKey",
        b.approver_public_key
            .as_deref()
            .ok_or_else(|| SecError::validation("\"approverPublicKey\" is required"))?,
    )?;
    let public = PublicKey::from_spki(&approver)
        .ok_or_else(|| SecError::new(601, "unsupported approver key type"))?;
    let to_sign = b64_decode(
        "approvalToBeSigned",
        b.approval_to_be_signed
            .as_deref()
            .ok_or_else(|| SecError::validation("\"approvalToBeSigned\" is required"))?,
    )?;
    let signature = b64_decode(
        "signature",
        b.signature
            .as_deref()
            .ok_or_else(|| SecError::validation("\"signature\" is required"))?,
    )?;
    let digest = b.approval_digest_algorithm.as_deref().unwrap_or("SHA-256");
    let hash = Hash::from_digest_name(digest)
        .ok_or_else(|| SecError::validation(format!("unknown approvalDigestAlgorithm {digest}")))?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    evaluate(&mut sec, id, now);
    let r = sec
        .requests
        .get_mut(&id)
        .ok_or_else(|| task_not_found(raw_id))?;
    if !r.is_open() || !r.approvers.contains(&approver) || r.rejected.contains(&approver) {
        return Err(task_not_found(raw_id));
    }
    if to_sign != r.approval_to_be_signed(&approver) {
        return Err(SecError::new(
            612,
            "approvalToBeSigned does not belong to this task",
        ));
    }
    if !public.verify_approver(hash, &to_sign, &signature) {
        return Err(SecError::new(403, "The approval signature is not valid"));
    }
    if !r.approved.contains(&approver) {
        r.approved.push(approver);
    }
    evaluate(&mut sec, id, now);
    ok_empty()
}

pub(crate) async fn reject_task(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let b: TimestampedBody = parse_body(&body)?;
    let approver = authenticate_approver(&shared, &b)?;
    let raw_id =
        b.id.as_deref()
            .ok_or_else(|| SecError::validation("\"id\" is required"))?;
    let id = Uuid::parse_str(raw_id.trim()).map_err(|_| task_not_found(raw_id))?;
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    evaluate(&mut sec, id, now);
    let r = sec
        .requests
        .get_mut(&id)
        .ok_or_else(|| task_not_found(raw_id))?;
    if !r.is_open() || !r.approvers.contains(&approver) || r.approved.contains(&approver) {
        return Err(task_not_found(raw_id));
    }
    if !r.rejected.contains(&approver) {
        r.rejected.push(approver);
    }
    evaluate(&mut sec, id, now);
    ok_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00Z");
        assert_eq!(parse_iso8601("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(
            parse_iso8601("2024-02-29T01:00:00+01:00"),
            Some(1_709_164_800.0)
        );
        assert_eq!(rfc3339(1_709_164_800.0), "2024-02-29T00:00:00Z");
        assert_eq!(
            parse_iso8601("2024-02-29T00:00:00.5Z"),
            Some(1_709_164_800.5)
        );
        assert_eq!(parse_iso8601("nope"), None);
    }
}
