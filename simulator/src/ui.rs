//! The hosted pages: the signing page (`/ui/{id}`) and the eID identification page
//! (`/ui/eid/{id}`), what the end-user's browser sees at `redirect_url`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use uuid::Uuid;

use crate::eid::{
    EidSession, EidStatus, IdentifyOutcome, CANCEL_TEXT, DECLINED_TEXT, OAUTH_CANCEL_TEXT,
};
use crate::state::{find_user, Session, Shared, Status, TEST_OTP, TEST_PASSWORD, TEST_USERS};

type AppState = Arc<Shared>;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;background:#f3f5f9;\
color:#1d2433;margin:0}main{max-width:34rem;margin:3rem auto;background:#fff;border-radius:10px;\
box-shadow:0 2px 12px rgba(0,0,0,.08);padding:2rem}h1{font-size:1.35rem;margin-top:0}\
.brand{color:#39134c;font-weight:700;letter-spacing:.02em}ul.docs{padding-left:1.2rem}\
label{display:block;margin:.8rem 0 .2rem;font-weight:600}input{width:100%;box-sizing:border-box;\
padding:.55rem;border:1px solid #b9c0cc;border-radius:6px;font-size:1rem}\
.actions{display:flex;gap:.8rem;margin-top:1.4rem}button{flex:1;padding:.65rem;border:0;border-radius:6px;\
font-size:1rem;cursor:pointer}button.sign{background:#39134c;color:#fff}button.cancel{background:#e4e7ee}\
.error{background:#fdecec;color:#8a1c1c;border:1px solid #f3b5b5;padding:.6rem .8rem;border-radius:6px}\
.note{color:#5b6474;font-size:.85rem}table{border-collapse:collapse;font-size:.85rem}\
td,th{padding:.15rem .6rem .15rem 0;text-align:left}details{margin-top:1.2rem}\
fieldset{border:1px solid #d5dae3;border-radius:8px;padding:.6rem 1rem}legend{font-weight:600}\
label.user{display:flex;gap:.6rem;align-items:center;font-weight:400;margin:.45rem 0}\
label.user input{width:auto}";

const SIGNING_BRAND: &str = "BankID &middot; ZignSec signing (simulator)";

pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A full page; `brand` is trusted HTML.
fn layout(brand: &str, title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>\
         <p class=\"brand\">{brand}</p>{body}</main></body></html>\n",
        escape(title)
    )
}

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    branded(SIGNING_BRAND, status, title, body)
}

fn branded(brand: &str, status: StatusCode, title: &str, body: &str) -> Response {
    let mut resp = (status, Html(layout(brand, title, body))).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn not_found() -> Response {
    html(
        StatusCode::NOT_FOUND,
        "Signing session not found",
        "<h1>Signing session not found</h1><p>This signing link is not valid.</p>",
    )
}

fn not_pending(session: &Session) -> Response {
    let status = session.status.as_str();
    html(
        StatusCode::CONFLICT,
        "Signing session not available",
        &format!(
            "<h1>This signing session is not open</h1><p>The session is <strong>{status}</strong> \
             and can no longer be signed here.</p>"
        ),
    )
}

fn form_page(id: Uuid, session: &Session, error: Option<&str>, personal_number: &str) -> Response {
    let mut docs = String::new();
    for (file_id, _) in &session.to_sign {
        if let Some(f) = session.input_files.iter().find(|f| f.id == *file_id) {
            docs.push_str(&format!(
                "<li><a href=\"/ui/{id}/documents/{}\" target=\"_blank\">{}</a></li>",
                f.id,
                escape(&f.name)
            ));
        }
    }
    let error_html = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let mut users = String::new();
    for u in &TEST_USERS {
        users.push_str(&format!(
            "<tr><td>{}</td><td><code>{}</code></td></tr>",
            escape(u.name),
            u.personal_number
        ));
    }
    let body = format!(
        "<h1>Sign {count} document{plural} with BankID</h1>\
         <p>You are asked to sign:</p><ul class=\"docs\">{docs}</ul>{error_html}\
         <form method=\"post\" action=\"/ui/{id}\">\
         <label for=\"personal_number\">Personal number (f&oslash;dselsnummer)</label>\
         <input id=\"personal_number\" name=\"personal_number\" inputmode=\"numeric\" autocomplete=\"off\" value=\"{pn}\">\
         <label for=\"otp\">One-time code</label>\
         <input id=\"otp\" name=\"otp\" autocomplete=\"off\">\
         <label for=\"password\">Personal password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"off\">\
         <div class=\"actions\"><button class=\"sign\" type=\"submit\" name=\"action\" value=\"sign\">Sign</button>\
         <button class=\"cancel\" type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button></div></form>\
         <details class=\"note\"><summary>Test users</summary><p>One-time code <code>{TEST_OTP}</code>, \
         password <code>{TEST_PASSWORD}</code>.</p><table>{users}</table></details>",
        count = session.to_sign.len(),
        plural = if session.to_sign.len() == 1 { "" } else { "s" },
        pn = escape(personal_number),
    );
    html(StatusCode::OK, "Sign with BankID", &body)
}

/// `GET /ui/{id}`: the signing form.
pub(crate) async fn page(State(shared): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return not_found();
    };
    let inner = shared.lock();
    let Some(session) = inner.sessions.get(&id) else {
        return not_found();
    };
    if session.status != Status::Pending {
        return not_pending(session);
    }
    form_page(id, session, None, "")
}

/// `GET /ui/{id}/documents/{file_id}`: lets the signer read a document before signing.
pub(crate) async fn document(
    State(shared): State<AppState>,
    Path((id, file_id)): Path<(String, String)>,
) -> Response {
    let (Ok(id), Ok(file_id)) = (Uuid::parse_str(id.trim()), Uuid::parse_str(file_id.trim()))
    else {
        return not_found();
    };
    let inner = shared.lock();
    let Some(session) = inner.sessions.get(&id) else {
        return not_found();
    };
    if session.status != Status::Pending {
        return not_pending(session);
    }
    match session.input_files.iter().find(|f| f.id == file_id) {
        Some(f) => crate::app::pdf_response(f, true),
        None => not_found(),
    }
}

/// Appends query pairs to a URL, keeping an existing query and fragment.
pub(crate) fn append_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let (base, fragment) = match url.find('#') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    let query = ser.finish();
    if query.is_empty() {
        return url.to_owned();
    }
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    format!("{base}{sep}{query}{fragment}")
}

fn see_other(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(v) => {
            let mut resp = StatusCode::SEE_OTHER.into_response();
            resp.headers_mut().insert(header::LOCATION, v);
            resp
        }
        Err(_) => html(
            StatusCode::OK,
            "Done",
            "<h1>Done</h1><p>The return address is not a valid URL.</p>",
        ),
    }
}

/// `POST /ui/{id}`: sign or cancel from the form.
pub(crate) async fn submit(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return not_found();
    };
    let mut action = String::new();
    let mut personal_number = String::new();
    let mut otp = String::new();
    let mut password = String::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "action" => action = v.into_owned(),
            "personal_number" => personal_number = v.trim().to_owned(),
            "otp" => otp = v.into_owned(),
            "password" => password = v.into_owned(),
            _ => {}
        }
    }

    let mut inner = shared.lock();
    let Some(session) = inner.sessions.get_mut(&id) else {
        return not_found();
    };
    if session.status != Status::Pending {
        return not_pending(session);
    }
    let resp = sign_or_cancel(id, session, &action, &personal_number, &otp, &password);
    shared.signing_changed(&mut inner, id, Status::Pending);
    resp
}

fn sign_or_cancel(
    id: Uuid,
    session: &mut Session,
    action: &str,
    personal_number: &str,
    otp: &str,
    password: &str,
) -> Response {
    let relay = session.relay_state.clone().unwrap_or_default();
    let session_id = id.to_string();

    if action == "cancel" {
        session.cancel();
        return match session.redirect_failure.clone() {
            Some(url) => {
                let mut pairs = vec![
                    ("errorCode", "CANCELLED"),
                    ("errorText", "Signing cancelled by the end-user"),
                ];
                if session.relay_state.is_some() {
                    pairs.push(("relay_state", relay.as_str()));
                }
                pairs.push(("session_id", session_id.as_str()));
                see_other(&append_query(&url, &pairs))
            }
            None => html(
                StatusCode::OK,
                "Signing cancelled",
                "<h1>Signing cancelled</h1><p>You cancelled the signing. You can close this window.</p>",
            ),
        };
    }
    if action != "sign" {
        return form_page(id, session, Some("Choose Sign or Cancel."), personal_number);
    }

    let Some(user) = find_user(personal_number) else {
        return form_page(
            id,
            session,
            Some("Unknown personal number: no BankID was found for it."),
            personal_number,
        );
    };
    if otp != TEST_OTP {
        return form_page(id, session, Some("Wrong one-time code."), personal_number);
    }
    if password != TEST_PASSWORD {
        return form_page(
            id,
            session,
            Some("Wrong personal password."),
            personal_number,
        );
    }
    if let Err(e) = session.finish(user) {
        session.fail();
        return html(
            StatusCode::OK,
            "Signing failed",
            &format!(
                "<h1>Signing failed</h1><p>The document could not be signed: {}</p>",
                escape(&e)
            ),
        );
    }
    match session.redirect_success.clone() {
        Some(url) => {
            let mut pairs = Vec::new();
            if session.relay_state.is_some() {
                pairs.push(("relay_state", relay.as_str()));
            }
            pairs.push(("session_id", session_id.as_str()));
            see_other(&append_query(&url, &pairs))
        }
        None => html(
            StatusCode::OK,
            "Done",
            &format!(
                "<h1>Done</h1><p>Signed by {}. You can close this window.</p>",
                escape(user.name)
            ),
        ),
    }
}

// ---------------------------------------------------------------------------------------------
// eID identification page

fn eid_brand(session: &EidSession) -> String {
    format!(
        "{} &middot; ZignSec eID (simulator)",
        escape(session.product.name)
    )
}

fn eid_html(session: &EidSession, status: StatusCode, title: &str, body: &str) -> Response {
    branded(&eid_brand(session), status, title, body)
}

fn eid_not_found() -> Response {
    branded(
        "ZignSec eID (simulator)",
        StatusCode::NOT_FOUND,
        "Session not found",
        "<h1>Session not found</h1><p>This identification link is not valid.</p>",
    )
}

fn eid_not_open(session: &EidSession) -> Response {
    eid_html(
        session,
        StatusCode::CONFLICT,
        "Session not available",
        &format!(
            "<h1>This session is not open</h1><p>The session is <strong>{}</strong> and can no \
             longer be used here.</p>",
            session.status.as_str()
        ),
    )
}

fn eid_form(session: &EidSession, error: Option<&str>, chosen: &str) -> Response {
    let product = session.product;
    let chosen = if chosen.is_empty() {
        session.default_user().personal_number
    } else {
        chosen
    };
    let mut users = String::new();
    for (i, u) in product.users.iter().enumerate() {
        let checked = if u.personal_number == chosen {
            " checked"
        } else {
            ""
        };
        users.push_str(&format!(
            "<label class=\"user\" for=\"u{i}\"><input type=\"radio\" id=\"u{i}\" \
             name=\"personal_number\" value=\"{pn}\"{checked}> <span>{name} &middot; \
             <code>{pn}</code> &middot; born {dob}</span></label>",
            pn = u.personal_number,
            name = escape(&u.full_name()),
            dob = u.date_of_birth,
        ));
    }
    let error_html = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let restriction = match (&session.required_person, product.cpr_match) {
        (Some(pn), true) => format!(
            "<p class=\"note\">The service provider asks MitID to match CPR number \
             <code>{}</code>; anyone else is declined.</p>",
            escape(pn)
        ),
        (Some(pn), false) => format!(
            "<p class=\"note\">Only the person with personal number <code>{}</code> may \
             identify in this session.</p>",
            escape(pn)
        ),
        (None, _) => String::new(),
    };
    let body = format!(
        "<h1>Identify with {name}</h1>\
         <p>Choose one of the simulator's {name} test users ({country}) and identify, or cancel.</p>\
         {restriction}{error_html}\
         <form method=\"post\" action=\"/ui/eid/{id}\">\
         <fieldset><legend>Test users</legend>{users}</fieldset>\
         <div class=\"actions\"><button class=\"sign\" type=\"submit\" name=\"action\" value=\"identify\">Identify</button>\
         <button class=\"cancel\" type=\"submit\" name=\"action\" value=\"cancel\">Cancel</button></div></form>\
         <p class=\"note\">These are simulator-only identities; no real eID is contacted.</p>",
        name = escape(product.name),
        country = product.country,
        id = session.id,
    );
    eid_html(
        session,
        StatusCode::OK,
        &format!("Identify with {}", product.name),
        &body,
    )
}

/// `GET /ui/eid/{id}`: the identification page. Opening it moves the session to `pending`.
pub(crate) async fn eid_page(State(shared): State<AppState>, Path(id): Path<String>) -> Response {
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return eid_not_found();
    };
    let mut inner = shared.lock();
    let Some(session) = inner.eid_sessions.get_mut(&id) else {
        return eid_not_found();
    };
    if session.status.is_final() {
        return eid_not_open(session);
    }
    session.status = EidStatus::Pending;
    eid_form(session, None, "")
}

/// `POST /ui/eid/{id}`: identify or cancel from the form.
pub(crate) async fn eid_submit(
    State(shared): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let Ok(id) = Uuid::parse_str(id.trim()) else {
        return eid_not_found();
    };
    let mut action = String::new();
    let mut personal_number = String::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "action" => action = v.into_owned(),
            "personal_number" => personal_number = v.trim().to_owned(),
            _ => {}
        }
    }
    let mut inner = shared.lock();
    let Some(session) = inner.eid_sessions.get_mut(&id) else {
        return eid_not_found();
    };
    if session.status.is_final() {
        return eid_not_open(session);
    }
    session.status = EidStatus::Pending;
    let resp = identify_or_cancel(session, &action, &personal_number);
    shared.eid_changed(&mut inner, id, false);
    resp
}

/// Query pairs for a redirect: `extra`, then `relay_state` (when set) and `session_id`.
fn redirect_pairs<'a>(
    session: &'a EidSession,
    session_id: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut pairs = extra.to_vec();
    if let Some(relay) = &session.relay_state {
        pairs.push(("relay_state", relay.as_str()));
    }
    pairs.push(("session_id", session_id));
    pairs
}

fn identify_or_cancel(session: &mut EidSession, action: &str, personal_number: &str) -> Response {
    let session_id = session.id.to_string();
    match action {
        "cancel" => {
            session.cancel();
            let extra: &[(&str, &str)] = if session.product.oauth_errors {
                &[
                    ("error", "access_denied"),
                    ("error_description", OAUTH_CANCEL_TEXT),
                ]
            } else {
                &[("errorCode", "CANCELLED"), ("errorText", CANCEL_TEXT)]
            };
            match session.redirect_failure.clone() {
                Some(url) => see_other(&append_query(
                    &url,
                    &redirect_pairs(session, &session_id, extra),
                )),
                None => eid_html(
                    session,
                    StatusCode::OK,
                    "Cancelled",
                    "<h1>Cancelled</h1><p>You cancelled the identification. You can close this \
                     window.</p>",
                ),
            }
        }
        "identify" => {
            let Some(user) = session.find_user(personal_number) else {
                return eid_form(
                    session,
                    Some("Choose one of the test users."),
                    personal_number,
                );
            };
            match session.identify(user) {
                Err(msg) => eid_form(session, Some(&msg), personal_number),
                Ok(IdentifyOutcome::Declined) => match session.redirect_failure.clone() {
                    Some(url) => see_other(&append_query(
                        &url,
                        &redirect_pairs(
                            session,
                            &session_id,
                            &[("errorCode", "DECLINED"), ("errorText", DECLINED_TEXT)],
                        ),
                    )),
                    None => eid_html(
                        session,
                        StatusCode::OK,
                        "Declined",
                        &format!("<h1>Declined</h1><p>{}</p>", escape(DECLINED_TEXT)),
                    ),
                },
                Ok(IdentifyOutcome::Finished) => match session.redirect_success.clone() {
                    Some(url) => see_other(&append_query(
                        &url,
                        &redirect_pairs(session, &session_id, &[]),
                    )),
                    None => eid_html(
                        session,
                        StatusCode::OK,
                        "Done",
                        &format!(
                            "<h1>Done</h1><p>Identified as {}. You can close this window.</p>",
                            escape(&user.full_name())
                        ),
                    ),
                },
            }
        }
        _ => eid_form(session, Some("Choose Identify or Cancel."), personal_number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_appending() {
        assert_eq!(
            append_query("https://a/b", &[("x", "1 2")]),
            "https://a/b?x=1+2"
        );
        assert_eq!(
            append_query("https://a/b?y=2", &[("x", "1")]),
            "https://a/b?y=2&x=1"
        );
        assert_eq!(
            append_query("https://a/b?#f", &[("x", "1")]),
            "https://a/b?x=1#f"
        );
        assert_eq!(escape("<a href=\"x\">"), "&lt;a href=&quot;x&quot;&gt;");
    }
}
