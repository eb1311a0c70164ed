//! Browser-based eID sessions (seed 002, contract §3 and §5): identify (or sign) a person with
//! BankID SE, MitID, Freja eID, BankID NO… in a hosted browser flow, then get the result by
//! polling, from the browser's return to your target URL, or from a webhook ([`crate::webhook`]).
//!
//! Flow: [`EidApi::create`] (or a typed helper such as [`EidApi::bankid_se`]) → send the user to
//! `redirect_url` → one of [`EidApi::wait`] (polling, 2 s default), [`EidApi::complete_redirect`]
//! (the URL the browser came back to) or a verified webhook → [`EidResult`] with a typed
//! [`Identity`] and the raw result.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use url::Url;

use super::model::{CreateSigning, ProviderErrorItem};
use super::redirect::{check_final_relay, check_return, Flow};
use super::Inner;
use crate::error::{Error, ErrorCode, Result};
use crate::polling::{poll_until, WaitOptions};
use crate::providers::{check_id, IdSyntax};
use crate::session::SessionStatus;
use crate::transport::Request;

/// The create-session envelope shared by every v5 product (§3.2): `locale`, `redirect_success`,
/// `redirect_failure`, `relay_state`, `gdpr_user_id`, `webhook`, `metadata`.
pub type EidRequest = CreateSigning;

/// Which product a session is for, and so which paths create and read it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EidProduct {
    /// Path (under the gateway) that creates a session.
    pub create_path: String,
    /// Path prefix that reads a session: the id is appended.
    pub result_prefix: String,
}

fn check_segment(what: &str, s: &str) -> Result<()> {
    check_id(what, s, IdSyntax::Plain)
}

impl EidProduct {
    /// A "core sessions" product: `POST /core/api/sessions/{category}/{product}`, results at
    /// `GET /core/api/sessions/{id}`.
    pub fn core(category: &str, product: &str) -> Result<EidProduct> {
        check_segment("product category", category)?;
        check_segment("product", product)?;
        Ok(EidProduct {
            create_path: format!("core/api/sessions/{category}/{product}"),
            result_prefix: "core/api/sessions/".to_string(),
        })
    }

    /// A newer-style product: `POST /api/v5/sessions/{provider}/{operation}`, results at
    /// `GET /api/v5/sessions/{provider}/{id}`.
    pub fn v5(provider: &str, operation: &str) -> Result<EidProduct> {
        check_segment("provider", provider)?;
        check_segment("operation", operation)?;
        Ok(EidProduct {
            create_path: format!("api/v5/sessions/{provider}/{operation}"),
            result_prefix: format!("api/v5/sessions/{provider}/"),
        })
    }

    /// BankID Sweden identification (`identity_verification/bankid_se`).
    pub fn bankid_se() -> EidProduct {
        Self::fixed(
            "core/api/sessions/identity_verification/bankid_se",
            "core/api/sessions/",
        )
    }

    /// MitID (Denmark) identification (`identity_verification/mitid`).
    pub fn mitid() -> EidProduct {
        Self::fixed(
            "core/api/sessions/identity_verification/mitid",
            "core/api/sessions/",
        )
    }

    /// MitID identification with a CPR-number match (`match_cpr/mitid`).
    pub fn mitid_cpr_match() -> EidProduct {
        Self::fixed("core/api/sessions/match_cpr/mitid", "core/api/sessions/")
    }

    /// Freja eID identification by SSN (`identity_verification/freja_id_ssn`).
    pub fn freja() -> EidProduct {
        Self::fixed(
            "core/api/sessions/identity_verification/freja_id_ssn",
            "core/api/sessions/",
        )
    }

    /// BankID Norway identification (`/api/v5/sessions/bankidno/auth`, PROPOSAL path mirroring
    /// the documented MitID v5 style).
    pub fn bankid_no() -> EidProduct {
        Self::fixed("api/v5/sessions/bankidno/auth", "api/v5/sessions/bankidno/")
    }

    fn fixed(create: &str, result: &str) -> EidProduct {
        EidProduct {
            create_path: create.to_string(),
            result_prefix: result.to_string(),
        }
    }
}

/// A created eID session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EidSession {
    /// The session id (ZignSec's RequestID).
    pub id: String,
    /// Send the user's browser here (an iframe works too).
    pub redirect_url: String,
    /// Its status (normally `Created`).
    pub status: SessionStatus,
}

#[derive(Deserialize)]
struct WireCreated {
    #[serde(alias = "sessionId", alias = "session_id")]
    id: String,
    #[serde(alias = "redirectUrl")]
    redirect_url: String,
    #[serde(default = "created_status")]
    status: SessionStatus,
}

fn created_status() -> SessionStatus {
    SessionStatus::Created
}

/// The identified person. Products spell fields differently (camelCase in v5, PascalCase in
/// legacy v2, snake_case in some): all are accepted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Identity {
    /// Full name.
    #[serde(default, alias = "fullName", alias = "FullName")]
    pub full_name: Option<String>,
    /// First (given) name.
    #[serde(default, alias = "firstName", alias = "FirstName")]
    pub first_name: Option<String>,
    /// Last (family) name.
    #[serde(default, alias = "lastName", alias = "LastName")]
    pub last_name: Option<String>,
    /// National identity number (personnummer, fødselsnummer, CPR…).
    #[serde(
        default,
        alias = "personalNumber",
        alias = "PersonalNumber",
        alias = "ssn"
    )]
    pub personal_number: Option<String>,
    /// Date of birth, `YYYY-MM-DD` as the provider gives it.
    #[serde(default, alias = "dateOfBirth", alias = "DateOfBirth")]
    pub date_of_birth: Option<String>,
    /// ISO country code (`SE`, `NO`, `DK`…).
    #[serde(default, alias = "countryCode", alias = "CountryCode")]
    pub country_code: Option<String>,
    /// Gender as reported.
    #[serde(default, alias = "Gender")]
    pub gender: Option<String>,
    /// Age as reported.
    #[serde(default, alias = "Age")]
    pub age: Option<u32>,
}

/// The state and result of an eID session.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct EidResult {
    /// Session id.
    pub id: String,
    /// Current state.
    pub status: SessionStatus,
    /// Whether `status` is final (it no longer changes).
    pub is_terminal: bool,
    /// Your `relay_state`, echoed.
    pub relay_state: Option<String>,
    /// Errors the gateway reported.
    pub errors: Vec<ProviderErrorItem>,
    /// The identified person, once `Finished`.
    pub identity: Option<Identity>,
    /// The product's whole `result` object, for fields without a typed accessor.
    pub raw_result: serde_json::Value,
}

impl EidResult {
    /// The error for a final, unsuccessful state (`None` for Finished or non-final states).
    pub fn failure(&self) -> Option<Error> {
        session_failure("eID session", &self.id, &self.status, &self.errors)
    }
}

/// The error a final unsuccessful session maps to, carrying the provider's first error item.
pub(crate) fn session_failure(
    kind: &str,
    id: &str,
    status: &SessionStatus,
    errors: &[ProviderErrorItem],
) -> Option<Error> {
    let mut code = status.failure_code()?;
    let first = errors.first();
    if let Some(e) = first {
        // A provider's own code refines a generic Failed (e.g. MitID's DECLINED).
        if let Some(c) = redirect_code(&e.code) {
            if *status == SessionStatus::Failed {
                code = c;
            }
        }
    }
    // Provider text: one capped line (see `crate::scrub`).
    let clean = crate::scrub::Scrubber::new();
    let first_text = first.map(|e| (clean.text(&e.code), clean.text(&e.description)));
    let detail = first_text
        .as_ref()
        .map(|(c, d)| format!(": {d} ({c})"))
        .unwrap_or_default();
    let meaning = match (code, kind) {
        (ErrorCode::Cancelled, "eID session") => Flow::Identification.cancelled(),
        (ErrorCode::Cancelled, "signing session") => Flow::Signing.cancelled(),
        _ => code.message(),
    };
    let mut err = Error::new(
        code,
        format!("{kind} {id} ended {status}{detail}; {meaning}"),
    );
    if let (Some(e), Some((c, d))) = (first, first_text) {
        err = err.with_provider(Some(c), Some(d));
        if let Some(s) = e.status_code {
            err = err.with_http_status(s);
        }
    }
    Some(err)
}

#[derive(Deserialize)]
struct WireResult {
    #[serde(default, alias = "sessionId", alias = "session_id")]
    id: Option<String>,
    #[serde(default)]
    status: Option<SessionStatus>,
    #[serde(default, alias = "relayState")]
    relay_state: Option<String>,
    #[serde(default)]
    errors: Option<Vec<ProviderErrorItem>>,
    #[serde(default)]
    result: Option<serde_json::Value>,
    #[serde(default)]
    identity: Option<Identity>,
}

pub(crate) fn parse_eid_result(body: &[u8], requested_id: &str) -> Result<EidResult> {
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        Error::protocol(format!(
            "the eID session answer is not JSON ({})",
            crate::scrub::answer_error(&e)
        ))
    })?;
    let v = match v {
        serde_json::Value::Object(mut m) if m.contains_key("data") && !m.contains_key("status") => {
            m.remove("data").unwrap_or(serde_json::Value::Null)
        }
        other => other,
    };
    let w: WireResult = serde_json::from_value(v).map_err(|e| {
        Error::protocol(format!(
            "the eID session answer does not have the documented shape ({})",
            crate::scrub::answer_error(&e)
        ))
    })?;
    let raw_result = w.result.unwrap_or(serde_json::Value::Null);
    let identity = match raw_result.get("identity") {
        Some(i) if i.is_object() => serde_json::from_value(i.clone()).ok(),
        _ => w.identity,
    };
    let status = w
        .status
        .ok_or_else(|| Error::protocol("the eID session answer has no status field"))?;
    Ok(EidResult {
        id: w.id.unwrap_or_else(|| requested_id.to_string()),
        is_terminal: status.is_terminal(),
        status,
        relay_state: w.relay_state,
        errors: w.errors.unwrap_or_default(),
        identity,
        raw_result,
    })
}

/// What the browser's return to your target URL says (contract §3.5).
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct RedirectOutcome {
    /// `true` when no error parameter was present.
    pub success: bool,
    /// `relay_state` from the URL, if any.
    pub relay_state: Option<String>,
    /// `session_id` from the URL, if any.
    pub session_id: Option<String>,
    /// `errorCode` (e.g. `CANCELLED`, `DECLINED`) or the OAuth-style `error` (`access_denied`).
    pub error_code: Option<String>,
    /// `errorText` or `error_description`.
    pub error_text: Option<String>,
}

impl RedirectOutcome {
    /// Read the query of the URL the browser came back to (full URL, or just `?query`).
    pub fn parse(returned_url: &str) -> Result<RedirectOutcome> {
        let url = Url::parse(returned_url)
            .or_else(|_| Url::parse("http://return.invalid/").and_then(|b| b.join(returned_url)))
            .map_err(|e| {
                Error::invalid_argument(format!("the returned URL cannot be parsed: {e}"))
            })?;
        let mut out = RedirectOutcome {
            success: true,
            relay_state: None,
            session_id: None,
            error_code: None,
            error_text: None,
        };
        for (k, v) in url.query_pairs() {
            let v = v.into_owned();
            match k.as_ref() {
                "relay_state" | "relaystate" | "relayState" => out.relay_state = Some(v),
                "session_id" | "sessionId" | "id" => out.session_id = Some(v),
                "errorCode" | "error_code" | "error" => out.error_code = Some(v),
                "errorText" | "error_text" | "error_description" => out.error_text = Some(v),
                _ => {}
            }
        }
        out.success = out.error_code.is_none();
        Ok(out)
    }

    /// The error this outcome stands for (`None` on success).
    pub fn error(&self) -> Option<Error> {
        let raw = self.error_code.as_deref()?;
        let code = redirect_code(raw).unwrap_or(ErrorCode::SigningFailed);
        // Text from a URL anyone can craft: one capped line (see `crate::scrub`).
        let clean = crate::scrub::Scrubber::new();
        let shown_code = clean.text(raw);
        let shown_text = clean.opt(self.error_text.as_deref());
        let text = shown_text.as_deref().unwrap_or("no description");
        Some(
            Error::new(
                code,
                format!(
                    "the browser came back with {shown_code}: {text}; {}",
                    code.message()
                ),
            )
            .with_provider(Some(shown_code.clone()), shown_text.clone()),
        )
    }
}

/// Map a provider's outcome word to a code.
fn redirect_code(raw: &str) -> Option<ErrorCode> {
    match raw.to_ascii_uppercase().as_str() {
        "CANCELLED" | "CANCELED" | "CANCELLED_BY_USER" | "USER_CANCEL" | "ACCESS_DENIED" => {
            Some(ErrorCode::Cancelled)
        }
        "DECLINED" | "REJECTED" => Some(ErrorCode::Rejected),
        "EXPIRED" | "EXPIRED_TRANSACTION" | "TIMEOUT" | "SESSION_EXPIRED" => {
            Some(ErrorCode::SessionExpired)
        }
        _ => None,
    }
}

/// Options of a BankID Sweden identification.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BankIdSeOptions {
    /// Only this person (12-digit personnummer) may identify.
    #[serde(default)]
    pub personal_number: Option<String>,
}

/// Options of a MitID identification (§5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MitIdOptions {
    /// `LogOn` (default) or another documented action.
    #[serde(default)]
    pub action: Option<String>,
    /// `Low`, `Substantial` or `High`.
    #[serde(default)]
    pub level: Option<String>,
    /// `En`, `Da` or `Kl`.
    #[serde(default)]
    pub language: Option<String>,
    /// e.g. `["DATE_OF_BIRTH", "IDENTITY_NAME"]`.
    #[serde(default)]
    pub requested_attributes: Vec<String>,
    /// With a CPR number the session is a CPR match (`match_cpr/mitid`).
    #[serde(default)]
    pub cpr_number: Option<String>,
}

/// Options of a Freja eID identification (§5).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FrejaOptions {
    /// `SE`, `NO`, `FI` or `DK`.
    pub country: String,
    /// The person's SSN (SE: 12 digits, NO: 11).
    pub ssn: String,
    /// e.g. `["BASIC_USER_INFO", "DATE_OF_BIRTH"]`.
    #[serde(default)]
    pub attributes_to_return: Vec<String>,
    /// `BASIC`, `EXTENDED` or `PLUS`.
    #[serde(default)]
    pub min_registration_level: Option<String>,
}

/// Browser-based eID sessions. Cheap to clone; from
/// [`ZignsecClient::eid`](super::ZignsecClient::eid).
#[derive(Clone, Debug)]
pub struct EidApi {
    inner: Arc<Inner>,
}

impl EidApi {
    pub(crate) fn new(inner: Arc<Inner>) -> EidApi {
        EidApi { inner }
    }

    /// Create a session for any product with the common envelope.
    pub async fn create(&self, product: &EidProduct, req: &EidRequest) -> Result<EidSession> {
        req.check_urls()?;
        let t = &self.inner.transport;
        let what = "create eID session";
        let body = req.with_object_metadata()?;
        let resp = t
            .send(Request::post_json(
                t.url(&product.create_path)?,
                &body,
                what,
            )?)
            .await?;
        let w: WireCreated = super::wire::acted(what, resp.status.as_u16(), || {
            let v = super::wire::unwrap_data(&resp.body, what, resp.status.as_u16())?;
            let w: WireCreated = super::wire::from_value(v, what)?;
            check_id("session id from the gateway", &w.id, IdSyntax::Plain)
                .map_err(|e| Error::protocol(e.message()))?;
            Ok(w)
        })?;
        Ok(EidSession {
            id: w.id,
            redirect_url: w.redirect_url,
            status: w.status,
        })
    }

    /// BankID Sweden identification.
    pub async fn bankid_se(&self, req: &EidRequest, opts: &BankIdSeOptions) -> Result<EidSession> {
        let mut req = req.clone();
        if let Some(pn) = &opts.personal_number {
            if pn.len() != 12 || !pn.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::invalid_argument(
                    "a Swedish personal number has 12 digits (YYYYMMDDNNNN)",
                ));
            }
            set_meta(&mut req, "personalnumber", serde_json::json!(pn))?;
        }
        self.create(&EidProduct::bankid_se(), &req).await
    }

    /// MitID identification; with `cpr_number` set, a CPR match.
    pub async fn mitid(&self, req: &EidRequest, opts: &MitIdOptions) -> Result<EidSession> {
        let mut req = req.clone();
        set_meta(
            &mut req,
            "action",
            serde_json::json!(opts.action.as_deref().unwrap_or("LogOn")),
        )?;
        if let Some(l) = &opts.level {
            set_meta(&mut req, "level", serde_json::json!(l))?;
        }
        if let Some(l) = &opts.language {
            set_meta(&mut req, "language", serde_json::json!(l))?;
        }
        if !opts.requested_attributes.is_empty() {
            set_meta(
                &mut req,
                "requested_attributes",
                serde_json::json!(opts.requested_attributes),
            )?;
        }
        let product = match &opts.cpr_number {
            Some(cpr) => {
                if cpr.len() != 10 || !cpr.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::invalid_argument(
                        "a CPR number has 10 digits (DDMMYYNNNN)",
                    ));
                }
                set_meta(&mut req, "cpr_number", serde_json::json!(cpr))?;
                EidProduct::mitid_cpr_match()
            }
            None => EidProduct::mitid(),
        };
        self.create(&product, &req).await
    }

    /// Freja eID identification by SSN.
    pub async fn freja(&self, req: &EidRequest, opts: &FrejaOptions) -> Result<EidSession> {
        let country = opts.country.to_ascii_uppercase();
        let digits = match country.as_str() {
            "SE" => 12,
            "NO" => 11,
            "FI" | "DK" => 0,
            _ => {
                return Err(Error::invalid_argument(format!(
                    "Freja country must be SE, NO, FI or DK, got {:?}",
                    opts.country
                )))
            }
        };
        if digits > 0 && (opts.ssn.len() != digits || !opts.ssn.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(Error::invalid_argument(format!(
                "a {country} SSN for Freja has {digits} digits"
            )));
        }
        let mut req = req.clone();
        set_meta(
            &mut req,
            "user_info",
            serde_json::json!({"country": country, "ssn": opts.ssn}),
        )?;
        if !opts.attributes_to_return.is_empty() {
            set_meta(
                &mut req,
                "attributes_to_return",
                serde_json::json!(opts.attributes_to_return),
            )?;
        }
        if let Some(l) = &opts.min_registration_level {
            set_meta(&mut req, "min_registration_level", serde_json::json!(l))?;
        }
        self.create(&EidProduct::freja(), &req).await
    }

    /// BankID Norway identification.
    pub async fn bankid_no(&self, req: &EidRequest) -> Result<EidSession> {
        self.create(&EidProduct::bankid_no(), req).await
    }

    /// Read a session's state and result (one GET; poll with [`EidApi::wait`]).
    pub async fn result(&self, product: &EidProduct, session_id: &str) -> Result<EidResult> {
        check_id("session id", session_id, IdSyntax::Plain)?;
        let t = &self.inner.transport;
        let resp = t
            .send(Request::get(
                t.url(&format!("{}{session_id}", product.result_prefix))?,
                "get eID session",
            ))
            .await?;
        parse_eid_result(&resp.body, session_id)
    }

    /// Poll (2 s by default, as the provider recommends) until the session is final. `Finished`
    /// returns the result; other final states return their error code.
    pub async fn wait(
        &self,
        product: &EidProduct,
        session_id: &str,
        opts: &WaitOptions<EidResult>,
    ) -> Result<EidResult> {
        check_id("session id", session_id, IdSyntax::Plain)?;
        crate::polling::note_poll_interval(opts.interval, self.inner.transport.base());
        let what = format!("eID session {session_id}");
        let r = poll_until(
            opts,
            &what,
            || self.result(product, session_id),
            |r| r.status.is_terminal(),
        )
        .await?;
        match r.failure() {
            Some(e) => Err(e),
            None => Ok(r),
        }
    }

    /// Handle the browser's return to your target URL: check the outcome and the relay state,
    /// then fetch the final result. A cancel or error in the URL returns its error code without
    /// a request. With `expected_relay_state` (the relay state your session was created with),
    /// the URL must carry exactly it and so must the session's final result: a missing or
    /// different one is refused with [`ErrorCode::InvalidArgument`] (that browser did not come
    /// from your session — e.g. a crafted link to someone else's finished session, login
    /// CSRF). Without it, nothing is compared: give it whenever you set a relay state.
    pub async fn complete_redirect(
        &self,
        product: &EidProduct,
        session_id: &str,
        returned_url: &str,
        expected_relay_state: Option<&str>,
    ) -> Result<EidResult> {
        let outcome = RedirectOutcome::parse(returned_url)?;
        check_return(
            &outcome,
            session_id,
            expected_relay_state,
            Flow::Identification,
        )?;
        // The redirect comes after the last step, but allow the result a moment to settle.
        // Seed 002: every two seconds against the service (faster only on the simulator).
        let opts = WaitOptions {
            interval: crate::session::default_poll_interval(self.inner.transport.base().as_str()),
            timeout: Some(Duration::from_secs(10)),
            ..WaitOptions::default()
        };
        check_id("session id", session_id, IdSyntax::Plain)?;
        let what = format!("eID session {session_id}");
        let r = poll_until(
            &opts,
            &what,
            || self.result(product, session_id),
            |r| r.status.is_terminal(),
        )
        .await?;
        // The URL can be forged; the session's own relay state cannot.
        check_final_relay(
            r.relay_state.as_deref(),
            expected_relay_state,
            session_id,
            Flow::Identification,
        )?;
        match r.failure() {
            Some(e) => Err(e),
            None => Ok(r),
        }
    }
}

fn set_meta(req: &mut EidRequest, key: &str, value: serde_json::Value) -> Result<()> {
    if req.metadata.is_null() {
        req.metadata = serde_json::json!({});
    }
    match req.metadata.as_object_mut() {
        Some(m) => {
            m.insert(key.to_string(), value);
            Ok(())
        }
        None => Err(Error::invalid_argument("metadata must be a JSON object")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_outcomes() {
        let ok =
            RedirectOutcome::parse("https://app/ok?relay_state=r%201&session_id=s").expect("ok");
        assert!(ok.success && ok.error().is_none());
        assert_eq!(ok.relay_state.as_deref(), Some("r 1"));
        let c = RedirectOutcome::parse("https://app/fail?errorCode=CANCELLED&errorText=User+left")
            .expect("c");
        let e = c.error().expect("error");
        assert_eq!(e.code(), ErrorCode::Cancelled);
        assert_eq!(e.provider_description(), Some("User left"));
        let d = RedirectOutcome::parse("?errorCode=DECLINED").expect("d");
        assert_eq!(d.error().map(|e| e.code()), Some(ErrorCode::Rejected));
        let o = RedirectOutcome::parse("https://app/fail?error=access_denied&error_description=x")
            .expect("o");
        assert_eq!(o.error().map(|e| e.code()), Some(ErrorCode::Cancelled));
        let u = RedirectOutcome::parse("https://app/fail?errorCode=SOMETHING").expect("u");
        assert_eq!(u.error().map(|e| e.code()), Some(ErrorCode::SigningFailed));
    }

    #[test]
    fn results_in_every_casing() {
        let v5 = br#"{"data":{"id":"s","status":"Finished","relay_state":"r","errors":[],"result":{"identity":{"fullName":"Mette Hansen","personalNumber":"0101901234","countryCode":"DK","dateOfBirth":"1990-01-01"}}}}"#;
        let r = parse_eid_result(v5, "s").expect("v5");
        let i = r.identity.expect("identity");
        assert_eq!(i.full_name.as_deref(), Some("Mette Hansen"));
        assert_eq!(i.country_code.as_deref(), Some("DK"));
        let legacy = br#"{"id":"s","status":"completed","errors":[],"identity":{"CountryCode":"NO","FirstName":"Aksel","LastName":"Herseth","PersonalNumber":"06046517928","Age":60}}"#;
        let r = parse_eid_result(legacy, "s").expect("legacy");
        assert_eq!(r.status, SessionStatus::Finished);
        assert_eq!(r.identity.expect("identity").age, Some(60));
        let declined = br#"{"data":{"id":"s","status":"Failed","errors":[{"code":"DECLINED","description":"CPR mismatch","statusCode":403}]}}"#;
        let r = parse_eid_result(declined, "s").expect("declined");
        assert_eq!(r.failure().map(|e| e.code()), Some(ErrorCode::Rejected));
    }
}
