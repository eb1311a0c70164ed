//! The typed objects of the addon's own plumbing (the error table, webhook deliveries and their
//! options), camelCase. The operations' requests and results are typed from the operation table
//! (`operations.d.ts` and the facades), the configuration from its JSON Schema (`config.d.ts`).

use napi_derive::napi;
use signbridge::providers::zignsec as core;

// ---------------------------------------------------------------------------------------------
// Results the addon's own plumbing gives (the operations' results are typed from the table).

/// An error item the gateway reported for a session.
#[napi(object)]
pub struct ProviderErrorItem {
    /// E.g. `'CANCELLED_BY_USER'`.
    pub code: String,
    /// Human-readable description.
    pub description: String,
    /// The HTTP-like status the gateway attached.
    pub status_code: Option<u32>,
}

/// One row of the core's error table (`errorCodes()`).
#[napi(object)]
pub struct ErrorCodeInfo {
    /// The stable name, as `err.code` spells it (`'SB_ERR_AUTH'`).
    pub name: String,
    /// The stable number, as `err.errno` carries it.
    pub code: i32,
    /// What the code means and what to do about it.
    pub message: String,
    /// Whether retrying later can succeed without changing anything.
    pub retryable: bool,
}

// ---------------------------------------------------------------------------------------------
// The identified person of an eID session, as a webhook delivery carries it.

/// The identified person. Absent fields are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Identity {
    /// Full name.
    pub full_name: Option<String>,
    /// First (given) name.
    pub first_name: Option<String>,
    /// Last (family) name.
    pub last_name: Option<String>,
    /// National identity number (personnummer, fødselsnummer, CPR…).
    pub personal_number: Option<String>,
    /// Date of birth, `YYYY-MM-DD` as the provider gives it.
    pub date_of_birth: Option<String>,
    /// ISO country code (`'SE'`, `'NO'`, `'DK'`…).
    pub country_code: Option<String>,
    /// Gender as reported.
    pub gender: Option<String>,
    /// Age as reported.
    pub age: Option<u32>,
}

// ---------------------------------------------------------------------------------------------
// Webhooks (`WebhookVerifier`).

/// Options of `new WebhookVerifier(secrets, options)`.
#[napi(object, object_to_js = false)]
pub struct WebhookVerifierOptions {
    /// Accepted distance between a delivery's timestamp and now, in seconds (default 300).
    pub tolerance_seconds: Option<f64>,
    /// Where accepted deliveries are remembered, shared by every instance behind a load
    /// balancer: `redis://[:password@]host[:port][/db]` (default: this process's memory).
    pub replay_store_url: Option<String>,
}

/// A verified webhook delivery. Absent fields are `null`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct WebhookEvent {
    /// The event name (`'session_created'`, `'session_finished'`, `'session_updated'`…).
    pub event: String,
    /// The session id.
    pub session_id: Option<String>,
    /// The product that sent it (`'Zignsec.v5.bankid_se'`…).
    pub integration_id: Option<String>,
    /// Your `relayState`, echoed.
    pub relay_state: Option<String>,
    /// The session's status, when the event carries one.
    #[napi(ts_type = "SessionStatus")]
    pub status: Option<String>,
    /// Errors reported with the event.
    pub errors: Vec<ProviderErrorItem>,
    /// The identified person, when the event carries one.
    pub identity: Option<Identity>,
    /// The workflow session id, for workflow products.
    pub workflow_session_id: Option<String>,
    /// The whole payload, parsed.
    #[napi(ts_type = "Record<string, any>")]
    pub raw: serde_json::Value,
}

fn error_items(items: Vec<core::ProviderErrorItem>) -> Vec<ProviderErrorItem> {
    items
        .into_iter()
        .map(|e| ProviderErrorItem {
            code: e.code,
            description: e.description,
            status_code: e.status_code.map(u32::from),
        })
        .collect()
}

impl From<core::Identity> for Identity {
    fn from(i: core::Identity) -> Self {
        Identity {
            full_name: i.full_name,
            first_name: i.first_name,
            last_name: i.last_name,
            personal_number: i.personal_number,
            date_of_birth: i.date_of_birth,
            country_code: i.country_code,
            gender: i.gender,
            age: i.age,
        }
    }
}

impl From<signbridge::webhook::WebhookEvent> for WebhookEvent {
    fn from(e: signbridge::webhook::WebhookEvent) -> Self {
        WebhookEvent {
            event: e.event,
            session_id: e.session_id,
            integration_id: e.integration_id,
            relay_state: e.relay_state,
            status: e.status.map(|s| s.as_str().to_string()),
            errors: error_items(e.errors),
            identity: e.identity.map(Into::into),
            workflow_session_id: e.workflow_session_id,
            raw: e.raw,
        }
    }
}
