//! Changing a key's Smart Key Attributes policy (contract §5, §6): synchronously
//! (`POST /v1/synchronousModify`) or under the key's modify rule's approvals
//! (`POST /v1/modify`: a request id for [`SecurosysClient::wait_request_done`]). Both are
//! key-management endpoints (seed 003): they send only the `keyManagementToken` key.

use serde_json::{json, Value};

use super::api::{acted, check_label, check_request_id, metadata, parse};
use super::model::{Policy, SignOptions};
use super::SecurosysClient;
use crate::auth::Role;
use crate::error::{Error, Result};
use crate::transport::Request;

fn modify_body(label: &str, policy: &Policy, meta: Option<String>) -> Result<Value> {
    check_label(label)?;
    policy.validate()?;
    let mut inner = json!({"modifyKeyName": label, "policy": policy});
    if let Some(m) = meta {
        inner["metaData"] = json!(m);
        inner["metaDataSignature"] = Value::Null;
        return Ok(json!({"modifyRequest": inner, "requestSignature": null}));
    }
    Ok(json!({ "modifyRequest": inner }))
}

impl SecurosysClient {
    /// Replace the approval policy of Smart Key Attributes key `label` now
    /// (`POST /v1/synchronousModify`, key-management role). The key's block status is kept.
    /// A key whose policy has a modify rule needs [`SecurosysClient::modify`]; a plain key
    /// (created without a policy) cannot get one.
    pub async fn synchronous_modify(&self, label: &str, policy: &Policy) -> Result<()> {
        let body = modify_body(label, policy, None)?;
        let r = Request::post_json(self.url("v1/synchronousModify")?, &body, "modify key")?
            .idempotent(true)
            .with_role(Role::KeyManagement);
        self.send(r).await?;
        Ok(())
    }

    /// Ask to replace key `label`'s policy under its modify rule's approvals
    /// (`POST /v1/modify`, key-management role): the request id.
    pub async fn modify(
        &self,
        label: &str,
        policy: &Policy,
        options: &SignOptions,
    ) -> Result<String> {
        let body = modify_body(label, policy, Some(metadata(options, "Modify")?))?;
        let what = "submit modify request";
        let r =
            Request::post_json(self.url("v1/modify")?, &body, what)?.with_role(Role::KeyManagement);
        let resp = self.send(r).await?;
        acted(what, resp.status.as_u16(), || {
            let v: Value = parse(&resp, what)?;
            let id = v
                .get("modifyKeyRequestId")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::protocol(format!("the answer to {what} has no id")))?;
            check_request_id(id).map_err(|e| Error::protocol(e.message()))?;
            Ok(id.to_string())
        })
    }
}
