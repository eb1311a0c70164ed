//! [`Credentials`] as the transport's [`Authenticator`]: which headers each attempt carries, and
//! what may turn a refusal around — the role's next API key (Securosys' invalid-key answer), one
//! fresh token after an expired or revoked one, the other subscription key (rotation).

use http::StatusCode;

use super::{Applied, CredentialSlot, Credentials, Role, RoleSlot};
use crate::error::{Error, ErrorCode, Result};
use crate::scrub::Scrubber;
use crate::transport::{
    body_error_code, Authenticator, HeadersFuture, Refusal, RequestAuth, Response,
};

/// Securosys' error code for an invalid API key (`res.error.invalid.api.key`).
pub(crate) const INVALID_API_KEY: i64 = 631;

impl Authenticator for Credentials {
    fn scrubber(&self) -> Scrubber {
        Credentials::scrubber(self)
    }

    fn fetches_tokens(&self) -> bool {
        self.has_bearer()
    }

    fn key_count(&self) -> usize {
        Credentials::key_count(self)
    }

    fn begin<'a>(&'a self, role: Option<Role>, what: &str) -> Result<Box<dyn RequestAuth + 'a>> {
        Ok(Box::new(Attempts {
            creds: self,
            slot: self.first_slot(),
            role_slot: self.first_role_slot(role, what)?,
            role_keys_tried: 1,
            keys_tried: 1,
            token_refreshed: false,
            applied: None,
        }))
    }
}

/// One request's credentials across its attempts.
struct Attempts<'a> {
    creds: &'a Credentials,
    /// The subscription key the next attempt carries.
    slot: Option<CredentialSlot>,
    /// The role key the next attempt carries.
    role_slot: Option<RoleSlot>,
    role_keys_tried: usize,
    keys_tried: usize,
    /// Whether a fresh token was already fetched for this request.
    token_refreshed: bool,
    /// What the last attempt carried.
    applied: Option<Applied>,
}

impl RequestAuth for Attempts<'_> {
    fn headers(&mut self) -> HeadersFuture<'_> {
        Box::pin(async move {
            let (headers, applied) = self.creds.headers(self.slot, self.role_slot).await?;
            self.applied = Some(applied);
            Ok(headers)
        })
    }

    fn accepted(&self) {
        self.creds
            .accepted(self.slot, self.role_slot, self.applied.as_ref());
    }

    fn refused(&mut self, resp: &Response, what: &str, scrub: &Scrubber) -> Refusal {
        let c = self.creds;
        // An invalid role API key (401 + errorCode 631): the role's next key.
        if let Some(rs) = self.role_slot {
            if resp.status == StatusCode::UNAUTHORIZED
                && body_error_code(&resp.body) == Some(INVALID_API_KEY)
            {
                if let Some(next) = c.next_role_slot(rs, self.role_keys_tried) {
                    tracing::info!(
                        role = rs.role.config_name(),
                        "API key rejected as invalid; rolling over to the role's next key"
                    );
                    self.role_slot = Some(next);
                    self.role_keys_tried += 1;
                    return Refusal::Retry;
                }
                return Refusal::Fail(role_keys_exhausted(resp, c, rs.role, what, scrub));
            }
        }
        if let Some(a) = &self.applied {
            // An expired or revoked token first: fetch a new one and retry once.
            if resp.status == StatusCode::UNAUTHORIZED && c.has_bearer() && !self.token_refreshed {
                tracing::info!("access token rejected; fetching a new one");
                c.invalidate(a);
                self.token_refreshed = true;
                return Refusal::Retry;
            }
            if resp.status == StatusCode::UNAUTHORIZED && c.has_bearer() {
                // The token fetched for this retry was rejected too.
                c.rejected_fresh(a);
            }
            if let Some(next) = self.slot.and_then(|s| c.next_slot(s, self.keys_tried)) {
                tracing::info!(
                    status = resp.status.as_u16(),
                    "credential rejected; retrying with the other key"
                );
                self.slot = Some(next);
                self.keys_tried += 1;
                return Refusal::Retry;
            }
        }
        Refusal::Report
    }
}

/// Every API key of `role` was refused as invalid.
fn role_keys_exhausted(
    resp: &Response,
    c: &Credentials,
    role: Role,
    what: &str,
    scrub: &Scrubber,
) -> Error {
    let (n, field) = c
        .roles()
        .map_or((0, String::new()), |r| (r.count(role), r.field(role)));
    let reason = serde_json::from_slice::<serde_json::Value>(&resp.body)
        .ok()
        .and_then(|v| {
            v.get("reason")
                .or_else(|| v.get("message"))
                .and_then(|r| r.as_str().map(|r| scrub.text(r)))
        });
    Error::new(
        ErrorCode::Auth,
        format!(
            "{what} was refused with HTTP 401 (errorCode {INVALID_API_KEY}, invalid API key): all \
             {n} API key(s) of role {role} ({}) are invalid; check {field}",
            role.securosys_name()
        ),
    )
    .with_http_status(resp.status.as_u16())
    .with_provider(Some(INVALID_API_KEY.to_string()), reason)
}
