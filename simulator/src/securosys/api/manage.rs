//! Changing a key's Smart Key Attributes policy (contract §5, §6):
//! `POST /v1/synchronousModify` and `POST /v1/modify` (with approvals under the key's
//! `ruleModify`), key-management role.

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use bytes::Bytes;
use serde::Deserialize;
use serde_json::Value;

use super::keyops::{created, label_of, no_approvals_needed, Job};
use super::{check_password, key_not_found, ok_empty, parse_rule, submit_request, AsyncOp, HsmKey};
use crate::securosys::{parse_body, AppState, SecError, SecInner, SecResult};

/// The routes of this module.
pub(crate) fn routes(r: Router<AppState>) -> Router<AppState> {
    r.route("/v1/synchronousModify", post(synchronous_modify))
        .route("/v1/modify", post(async_modify))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ModifyInner {
    modify_key_name: Option<String>,
    key_password: Option<Value>,
    policy: Option<Value>,
    meta_data: Option<String>,
    meta_data_signature: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
struct ModifyEnvelope {
    modify_request: Option<ModifyInner>,
}

/// Replaces `key`'s policy rules with those of `policy` (its key status stays the key's own).
pub(super) fn apply_policy(key: &mut HsmKey, policy: &Value) -> Result<(), SecError> {
    let rule = |name: &str| parse_rule(policy.get(name).unwrap_or(&Value::Null));
    let (u, b, ub, m) = (
        rule("ruleUse")?,
        rule("ruleBlock")?,
        rule("ruleUnblock")?,
        rule("ruleModify")?,
    );
    let mut stored = policy.clone();
    if let Some(o) = stored.as_object_mut() {
        o.insert(
            "keyStatus".to_owned(),
            serde_json::json!({"blocked": key.blocked}),
        );
    }
    key.policy = stored;
    key.rule_use = u;
    key.rule_block = b;
    key.rule_unblock = ub;
    key.rule_modify = m;
    Ok(())
}

/// The checked request: the key's label and the new policy.
fn prepare(sec: &SecInner, body: &Bytes) -> Result<(String, Value, ModifyInner), SecError> {
    let env: ModifyEnvelope = parse_body(body)?;
    let r = env
        .modify_request
        .ok_or_else(|| SecError::validation("\"modifyRequest\" is required"))?;
    let label = label_of(&r.modify_key_name, "modifyKeyName")?;
    let policy = r
        .policy
        .clone()
        .filter(Value::is_object)
        .ok_or_else(|| SecError::validation("\"policy\" is required (an object)"))?;
    let key = sec.keys.get(&label).ok_or_else(|| key_not_found(&label))?;
    check_password(key, &r.key_password)?;
    if key.policy.is_null() {
        return Err(SecError::new(
            614,
            format!(
                "Key {label} has no policy: a plain key cannot become a Smart Key Attribute key"
            ),
        ));
    }
    if !key.can("modifiable") {
        return Err(SecError::new(614, format!("Key {label} is not modifiable")));
    }
    // Checked now, so a bad policy fails the request rather than its execution.
    for name in ["ruleUse", "ruleBlock", "ruleUnblock", "ruleModify"] {
        parse_rule(policy.get(name).unwrap_or(&Value::Null))?;
    }
    Ok((label, policy, r))
}

async fn synchronous_modify(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let mut sec = shared.securosys.lock();
    let (label, policy, _) = prepare(&sec, &body)?;
    let key = sec
        .keys
        .get_mut(&label)
        .ok_or_else(|| key_not_found(&label))?;
    no_approvals_needed(&key.rule_modify, &label, "/v1/modify")?;
    apply_policy(key, &policy)?;
    ok_empty()
}

async fn async_modify(State(shared): State<AppState>, body: Bytes) -> SecResult {
    let now = shared.now();
    let mut sec = shared.securosys.lock();
    let (label, policy, r) = prepare(&sec, &body)?;
    let shown = serde_json::to_vec(&policy).unwrap_or_default();
    let id = submit_request(
        &mut sec,
        now,
        &label,
        AsyncOp::Key(Job::Modify(policy)),
        shown,
        "UNSPECIFIED".to_owned(),
        r.meta_data,
        r.meta_data_signature,
    )?;
    created("modifyKeyRequestId", id)
}
