//! Browser-based eID sessions (contract §3 and §5): BankID SE, MitID (with and without CPR match),
//! Freja eID and BankID NO identification.
//!
//! The integrator creates a session, sends the end-user to `redirect_url` (the hosted page in
//! [`crate::ui`]), and gets the result by polling the GET endpoint, from the browser's redirect
//! back, or from a webhook.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use serde_json::{json, Map, Value};
use uuid::Uuid;

use crate::app::{non_empty, parse_json, ApiError, Json200};
use crate::state::{error_item, Shared, SESSION_TTL_SECS};

type AppState = Arc<Shared>;
type ApiResult = Result<Response, ApiError>;

/// A simulator-only test identity.
#[derive(Debug)]
pub(crate) struct EidUser {
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub personal_number: &'static str,
    /// `YYYY-MM-DD`.
    pub date_of_birth: &'static str,
    /// `male` or `female`.
    pub gender: &'static str,
}

impl EidUser {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

const fn user(
    first_name: &'static str,
    last_name: &'static str,
    personal_number: &'static str,
    date_of_birth: &'static str,
    gender: &'static str,
) -> EidUser {
    EidUser {
        first_name,
        last_name,
        personal_number,
        date_of_birth,
        gender,
    }
}

/// BankID Sweden test users (12-digit personal numbers).
pub(crate) const BANKID_SE_USERS: [EidUser; 3] = [
    user(
        "Astrid",
        "Lindqvist",
        "199001011234",
        "1990-01-01",
        "female",
    ),
    user("Erik", "Johansson", "198505152385", "1985-05-15", "male"),
    user("Sven", "Karlsson", "197702022396", "1977-02-02", "male"),
];

/// MitID Denmark test users (10-digit CPR numbers).
pub(crate) const MITID_USERS: [EidUser; 3] = [
    user("Mette", "Hansen", "0101901234", "1990-01-01", "female"),
    user("Lars", "Jensen", "1505851237", "1985-05-15", "male"),
    user("Anders", "Sorensen", "3112751235", "1975-12-31", "male"),
];

/// Freja eID (Sweden) test users.
pub(crate) const FREJA_USERS: [EidUser; 2] = [
    user("Karin", "Berg", "198212121236", "1982-12-12", "female"),
    user("Johan", "Ek", "199507074415", "1995-07-07", "male"),
];

/// BankID Norway test users: the seed-001 users of the signing page.
pub(crate) const BANKID_NO_USERS: [EidUser; 4] = [
    user("Aksel", "Herseth", "06046517928", "1965-04-06", "male"),
    user("Ole", "Bramserud", "11920287974", "2002-12-11", "male"),
    user("Sanna", "Hansen", "12829025475", "1990-02-12", "female"),
    user("Test", "Testsen", "20872329758", "1923-07-20", "male"),
];

/// How a product's create path looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PathStyle {
    /// `/core/api/sessions/{category}/{product}`.
    Core,
    /// `/api/v5/sessions/{provider}/{operation}`.
    V5,
}

/// One eID product the simulator serves.
#[derive(Debug)]
pub(crate) struct Product {
    pub style: PathStyle,
    /// `{category}` or `{provider}`.
    pub first: &'static str,
    /// `{product}` or `{operation}`.
    pub second: &'static str,
    /// Shown on the hosted page.
    pub name: &'static str,
    /// `integration_id` of webhooks.
    pub integration_id: &'static str,
    pub country: &'static str,
    pub users: &'static [EidUser],
    /// MitID with CPR match: a different person is DECLINED rather than refused on the page.
    pub cpr_match: bool,
    /// The failure redirect uses OAuth-style `error` / `error_description` (BankID NO OIDC).
    pub oauth_errors: bool,
}

/// Every product served.
pub(crate) const PRODUCTS: [Product; 6] = [
    Product {
        style: PathStyle::Core,
        first: "identity_verification",
        second: "bankid_se",
        name: "BankID Sweden",
        integration_id: "Zignsec.v5.bankid_se",
        country: "SE",
        users: &BANKID_SE_USERS,
        cpr_match: false,
        oauth_errors: false,
    },
    Product {
        style: PathStyle::Core,
        first: "identity_verification",
        second: "mitid",
        name: "MitID",
        integration_id: "Zignsec.v5.mitid",
        country: "DK",
        users: &MITID_USERS,
        cpr_match: false,
        oauth_errors: false,
    },
    Product {
        style: PathStyle::Core,
        first: "match_cpr",
        second: "mitid",
        name: "MitID with CPR match",
        integration_id: "Zignsec.v5.match_cpr_mitid",
        country: "DK",
        users: &MITID_USERS,
        cpr_match: true,
        oauth_errors: false,
    },
    Product {
        style: PathStyle::Core,
        first: "identity_verification",
        second: "freja_id_ssn",
        name: "Freja eID",
        integration_id: "Zignsec.v5.freja_id_ssn",
        country: "SE",
        users: &FREJA_USERS,
        cpr_match: false,
        oauth_errors: false,
    },
    Product {
        style: PathStyle::V5,
        first: "mitid",
        second: "auth",
        name: "MitID",
        integration_id: "Zignsec.v5.mitid_auth",
        country: "DK",
        users: &MITID_USERS,
        cpr_match: false,
        oauth_errors: false,
    },
    Product {
        style: PathStyle::V5,
        first: "bankidno",
        second: "auth",
        name: "BankID Norway",
        integration_id: "Zignsec.v5.bankidno_auth",
        country: "NO",
        users: &BANKID_NO_USERS,
        cpr_match: false,
        oauth_errors: true,
    },
];

fn find_product(style: PathStyle, first: &str, second: &str) -> Option<&'static Product> {
    PRODUCTS
        .iter()
        .find(|p| p.style == style && p.first == first && p.second == second)
}

/// Status of an eID session, with the contract's mixed casing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EidStatus {
    Created,
    Pending,
    Finished,
    Cancelled,
    Failed,
    Expired,
}

impl EidStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EidStatus::Created => "created",
            EidStatus::Pending => "pending",
            EidStatus::Finished => "Finished",
            EidStatus::Cancelled => "Cancelled",
            EidStatus::Failed => "Failed",
            EidStatus::Expired => "Expired",
        }
    }

    pub fn is_final(self) -> bool {
        !matches!(self, EidStatus::Created | EidStatus::Pending)
    }
}

/// Text of the errors (and redirects) the simulator produces.
pub(crate) const CANCEL_TEXT: &str = "Identification cancelled by the end-user";
pub(crate) const DECLINED_TEXT: &str =
    "The CPR number given by the service provider does not match the MitID identity";
pub(crate) const OAUTH_CANCEL_TEXT: &str = "The end-user cancelled the login";

/// One eID session.
#[derive(Debug, Clone)]
pub(crate) struct EidSession {
    pub id: Uuid,
    pub product: &'static Product,
    pub status: EidStatus,
    pub redirect_success: Option<String>,
    pub redirect_failure: Option<String>,
    pub relay_state: Option<String>,
    pub webhook: Option<String>,
    pub metadata: Value,
    /// From metadata `personalnumber` / `personal_number` / `cpr_number` / `user_info.ssn`.
    pub required_person: Option<String>,
    pub identity: Option<&'static EidUser>,
    pub errors: Vec<Value>,
    /// Simulated Unix time of creation.
    pub created_at: f64,
}

/// Digits of a personal number (`010190-1234` → `0101901234`).
pub(crate) fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn person_from_metadata(meta: &Map<String, Value>) -> Option<String> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(digits(s)),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let keys = [
        "personalnumber",
        "personal_number",
        "personalNumber",
        "cpr_number",
        "cprNumber",
    ];
    keys.iter()
        .filter_map(|k| meta.get(*k))
        .chain(
            ["user_info", "userInfo"]
                .iter()
                .filter_map(|k| meta.get(*k))
                .filter_map(|u| u.get("ssn")),
        )
        .filter_map(text)
        .find(|s| !s.is_empty())
}

/// What happened when a person tried to identify.
pub(crate) enum IdentifyOutcome {
    /// Session `Finished` with this identity.
    Finished,
    /// MitID CPR match failed: session `Failed` with `DECLINED`.
    Declined,
}

impl EidSession {
    pub fn is_stale(&self, now: f64) -> bool {
        now >= self.created_at + SESSION_TTL_SECS
    }

    pub fn find_user(&self, personal_number: &str) -> Option<&'static EidUser> {
        let pn = digits(personal_number);
        self.product.users.iter().find(|u| u.personal_number == pn)
    }

    /// The user the control API's `complete` uses when none is named.
    pub fn default_user(&self) -> &'static EidUser {
        self.required_person
            .as_deref()
            .and_then(|pn| self.find_user(pn))
            .unwrap_or(&self.product.users[0])
    }

    /// `person` tries to identify. `Err` is a message for the page (session unchanged).
    pub fn identify(&mut self, person: &'static EidUser) -> Result<IdentifyOutcome, String> {
        if let Some(required) = self.required_person.clone() {
            if required != person.personal_number {
                if self.product.cpr_match {
                    self.status = EidStatus::Failed;
                    self.identity = None;
                    self.errors = vec![error_item("DECLINED", DECLINED_TEXT, 403)];
                    return Ok(IdentifyOutcome::Declined);
                }
                return Err(format!(
                    "Only the person with personal number {required} may identify in this session."
                ));
            }
        }
        self.status = EidStatus::Finished;
        self.identity = Some(person);
        self.errors.clear();
        Ok(IdentifyOutcome::Finished)
    }

    pub fn cancel(&mut self) {
        self.status = EidStatus::Cancelled;
        self.errors = vec![error_item("CANCELLED_BY_USER", CANCEL_TEXT, 410)];
    }

    pub fn fail(&mut self) {
        self.status = EidStatus::Failed;
        self.errors = vec![error_item(
            "IDENTIFICATION_FAILED",
            "The identification failed at the identity provider",
            500,
        )];
    }

    pub fn expire(&mut self) {
        self.status = EidStatus::Expired;
        self.errors = vec![error_item(
            "SESSION_EXPIRED",
            "The session has expired",
            410,
        )];
    }

    fn result(&self) -> Value {
        let Some(u) = self.identity else {
            return json!({});
        };
        let mut identity = json!({
            "fullName": u.full_name(),
            "firstName": u.first_name,
            "lastName": u.last_name,
            "personalNumber": u.personal_number,
            "dateOfBirth": u.date_of_birth,
            "countryCode": self.product.country,
            "gender": u.gender,
        });
        if let (true, Some(obj)) = (self.product.cpr_match, identity.as_object_mut()) {
            obj.insert("cprNumberMatch".to_owned(), Value::Bool(true));
        }
        json!({ "identity": identity })
    }

    /// The `data` object of the GET answer.
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "status": self.status.as_str(),
            "relay_state": self.relay_state,
            "errors": self.errors,
            "result": self.result(),
            "metadata": self.metadata,
        })
    }

    /// The webhook body for `event` (contract §6).
    pub fn webhook_payload(&self, event: &str) -> Value {
        json!({
            "event": event,
            "id": self.id,
            "integration_id": self.product.integration_id,
            "relay_state": self.relay_state,
            "result": {
                "errors": self.errors,
                "status": self.status.as_str(),
                "eventSpecificData": self.result(),
            },
            "workflow_session_id": null,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// API handlers

fn data(v: Value) -> Value {
    json!({ "data": v })
}

/// `POST /core/api/sessions/{category}/{product}`.
pub(crate) async fn create_core(
    State(shared): State<AppState>,
    Path((category, product)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let product = find_product(PathStyle::Core, &category, &product)
        .ok_or_else(|| ApiError::not_found(format!("Unknown product {category}/{product}")))?;
    create(&shared, product, &body)
}

/// `POST /api/v5/sessions/{provider}/{operation}`.
pub(crate) async fn create_v5(
    State(shared): State<AppState>,
    Path((provider, operation)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult {
    let product = find_product(PathStyle::V5, &provider, &operation)
        .ok_or_else(|| ApiError::not_found(format!("Unknown product {provider}/{operation}")))?;
    create(&shared, product, &body)
}

fn create(shared: &AppState, product: &'static Product, body: &Bytes) -> ApiResult {
    let req: Value = parse_json(body)?;
    let obj = match req {
        Value::Object(o) => o,
        Value::Null => Map::new(),
        _ => return Err(ApiError::validation("The body must be a JSON object")),
    };
    let metadata = match obj.get("metadata") {
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(ApiError::validation("\"metadata\" must be an object")),
        None => return Err(ApiError::validation("\"metadata\" is required")),
    };
    let text = |key: &str| -> Result<Option<String>, ApiError> {
        match obj.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(ApiError::validation(format!("\"{key}\" must be a string"))),
        }
    };
    let webhook = non_empty(text("webhook")?);
    if let Some(url) = &webhook {
        crate::app::check_webhook_url(url)?;
    }
    let id = Uuid::new_v4();
    let mut inner = shared.lock();
    let session = EidSession {
        id,
        product,
        status: EidStatus::Created,
        redirect_success: non_empty(text("redirect_success")?),
        redirect_failure: non_empty(text("redirect_failure")?),
        relay_state: text("relay_state")?,
        webhook,
        required_person: person_from_metadata(&metadata),
        metadata: Value::Object(metadata),
        identity: None,
        errors: Vec::new(),
        created_at: shared.now(),
    };
    let payload = session.webhook_payload("session_created");
    let url = session.webhook.clone();
    inner.eid_sessions.insert(id, session);
    shared.webhook(&mut inner, id, url.as_deref(), "session_created", &payload);
    let redirect_url = format!("{}/ui/eid/{id}", shared.base_url);
    Ok((
        StatusCode::CREATED,
        Json200(data(json!({
            "id": id,
            "redirect_url": redirect_url,
            "status": "created",
        }))),
    )
        .into_response())
}

fn get_json(shared: &AppState, id: &str, provider: Option<&str>) -> ApiResult {
    let id = crate::app::parse_id(id, "Session")?;
    let inner = shared.lock();
    let session = inner
        .eid_sessions
        .get(&id)
        .filter(|s| match provider {
            None => true,
            Some(p) => s.product.style == PathStyle::V5 && s.product.first == p,
        })
        .ok_or_else(|| ApiError::not_found("Session not found"))?;
    Ok(Json200(data(session.to_json())).into_response())
}

/// `GET /core/api/sessions/{id}`.
pub(crate) async fn get_core(State(shared): State<AppState>, Path(id): Path<String>) -> ApiResult {
    get_json(&shared, &id, None)
}

/// `GET /api/v5/sessions/{provider}/{id}`.
pub(crate) async fn get_v5(
    State(shared): State<AppState>,
    Path((provider, id)): Path<(String, String)>,
) -> ApiResult {
    get_json(&shared, &id, Some(&provider))
}

// ---------------------------------------------------------------------------------------------
// Control API

fn control<F>(shared: &AppState, id: &str, action: F) -> ApiResult
where
    F: FnOnce(&mut EidSession) -> Result<(), ApiError>,
{
    let id = crate::app::parse_id(id, "Session")?;
    let mut inner = shared.lock();
    let session = inner
        .eid_sessions
        .get_mut(&id)
        .ok_or_else(|| ApiError::not_found("Session not found"))?;
    let was_final = session.status.is_final();
    action(session)?;
    let body = data(session.to_json());
    shared.eid_changed(&mut inner, id, was_final);
    Ok(Json200(body).into_response())
}

fn require_open(s: &EidSession) -> Result<(), ApiError> {
    if s.status.is_final() {
        return Err(ApiError::invalid_state(format!(
            "Session is {}",
            s.status.as_str()
        )));
    }
    Ok(())
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct CompleteRequest {
    personal_number: Option<String>,
}

/// `POST /_sim/zignsec/sessions/{id}/complete`.
pub(crate) async fn ctl_complete(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> ApiResult {
    let req: CompleteRequest = parse_json(&body)?;
    control(&shared, &id, |s| {
        require_open(s)?;
        let user = match &req.personal_number {
            Some(pn) => s.find_user(pn).ok_or_else(|| {
                ApiError::validation(format!("Unknown {} test user {pn:?}", s.product.name))
            })?,
            None => s.default_user(),
        };
        s.identify(user).map(|_| ()).map_err(ApiError::validation)
    })
}

/// `POST /_sim/zignsec/sessions/{id}/cancel`.
pub(crate) async fn ctl_cancel(
    State(shared): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult {
    control(&shared, &id, |s| {
        require_open(s)?;
        s.cancel();
        Ok(())
    })
}

/// `POST /_sim/zignsec/sessions/{id}/fail`.
pub(crate) async fn ctl_fail(State(shared): State<AppState>, Path(id): Path<String>) -> ApiResult {
    control(&shared, &id, |s| {
        require_open(s)?;
        s.fail();
        Ok(())
    })
}

/// `POST /_sim/zignsec/sessions/{id}/expire`.
pub(crate) async fn ctl_expire(
    State(shared): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult {
    control(&shared, &id, |s| {
        if s.status == EidStatus::Expired {
            return Err(ApiError::invalid_state("Session is Expired"));
        }
        s.expire();
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_keys() {
        let m = |v: Value| v.as_object().cloned().unwrap_or_default();
        assert_eq!(
            person_from_metadata(&m(json!({"cpr_number": "010190-1234"}))).as_deref(),
            Some("0101901234")
        );
        assert_eq!(
            person_from_metadata(&m(
                json!({"user_info": {"country": "SE", "ssn": "198212121236"}})
            ))
            .as_deref(),
            Some("198212121236")
        );
        assert_eq!(
            person_from_metadata(&m(json!({"personalnumber": ""}))),
            None
        );
    }

    #[test]
    fn products_have_users() {
        for p in &PRODUCTS {
            assert!(!p.users.is_empty(), "{}", p.name);
        }
    }
}
