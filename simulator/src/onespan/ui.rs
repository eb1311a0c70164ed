//! The hosted signing page (`/access?sessionToken=...`), what a signer's browser sees at a
//! signing URL: the documents (each viewable), an "I have read and accept" checkbox with a Sign
//! button, a Decline form with a reason, and an opt-out. Each action is its own
//! `<form method="post" action="/access">` with a hidden `sessionToken` and `action`, so a
//! program can drive the page with one GET and one form POST. Also `/auth` (§3.5 token
//! redemption).

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde_json::json;

use super::state::{Package, PkgStatus};
use super::{packages, percent_encode_filename, query_get, query_pairs, AppState, OsBody, OsPath};
use crate::app::Json200;
use crate::ui::escape;

const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;background:#f2f4f7;\
color:#1d2433;margin:0}main{max-width:38rem;margin:3rem auto;background:#fff;border-radius:10px;\
box-shadow:0 2px 12px rgba(0,0,0,.08);padding:2rem}h1{font-size:1.35rem;margin-top:0}\
.brand{color:#4b2a85;font-weight:700;letter-spacing:.02em}ul.docs{padding-left:1.2rem}\
label{display:block;margin:.8rem 0 .2rem;font-weight:600}label.check{font-weight:400}\
textarea,input[type=text]{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #b9c0cc;\
border-radius:6px;font-size:1rem}button{padding:.6rem 1.4rem;border:0;border-radius:6px;font-size:1rem;\
cursor:pointer;margin-top:.8rem}button.sign{background:#4b2a85;color:#fff}button.secondary{background:#e4e7ee}\
.error{background:#fdecec;color:#8a1c1c;border:1px solid #f3b5b5;padding:.6rem .8rem;border-radius:6px}\
.note{color:#5b6474;font-size:.9rem}details{margin-top:1.2rem}.tag{font-size:.8rem;color:#4b2a85}";

const BRAND: &str = "OneSpan Sign &middot; signing ceremony (simulator)";

fn html(status: StatusCode, title: &str, body: &str) -> Response {
    let page = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>\
         <p class=\"brand\">{BRAND}</p>{body}</main></body></html>\n",
        escape(title)
    );
    let mut resp = (status, Html(page)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn invalid_link() -> Response {
    html(
        StatusCode::NOT_FOUND,
        "Signing link not valid",
        "<h1>This signing link is not valid</h1><p>The session was not found: the transaction may \
         have been deleted. Ask the sender for a new link.</p>",
    )
}

fn hidden(token: &str, action: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"sessionToken\" value=\"{}\">\
         <input type=\"hidden\" name=\"action\" value=\"{action}\">",
        escape(token)
    )
}

/// The `settings.ceremony.handOver` link, if it is an http(s) URL.
fn hand_over(p: &Package) -> String {
    let Some(h) = p.ceremony("handOver") else {
        return String::new();
    };
    let href = h["href"].as_str().unwrap_or_default().trim();
    let lower = href.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return String::new();
    }
    let text = h["text"]
        .as_str()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or("Continue");
    let title = h["title"].as_str().unwrap_or_default();
    format!(
        "<p><a class=\"handover\" href=\"{}\" title=\"{}\">{}</a></p>",
        escape(href),
        escape(title),
        escape(text)
    )
}

fn doc_list(p: &Package, role_id: &str, token: &str) -> String {
    let mut docs = String::new();
    for d in &p.documents {
        let mine = d.approvals.iter().any(|a| a.role == role_id);
        docs.push_str(&format!(
            "<li><a href=\"/access/documents/{}?sessionToken={}\" target=\"_blank\">{}</a>{}</li>",
            percent_encode_filename(&d.id),
            percent_encode_filename(token),
            escape(&d.name),
            if mine {
                " <span class=\"tag\">(needs your signature)</span>"
            } else {
                ""
            }
        ));
    }
    format!("<ul class=\"docs\">{docs}</ul>")
}

/// The page for signer `pos` of `p` in its current state.
fn render(p: &Package, pos: usize, token: &str, error: Option<&str>) -> Response {
    let Some(role) = p.roles.get(pos) else {
        return invalid_link();
    };
    let who = escape(&role.signer_name());
    let name = escape(&p.name);
    if p.trashed || p.status == PkgStatus::Draft {
        return html(
            StatusCode::CONFLICT,
            "Transaction not available",
            &format!(
                "<h1>{name}</h1><p>This transaction is not available for signing at the moment.</p>"
            ),
        );
    }
    match p.status {
        PkgStatus::Completed | PkgStatus::Archived => {
            return html(
                StatusCode::OK,
                "Thank you",
                &format!(
                "<h1>Thank you, {who}</h1><p>All documents of <strong>{name}</strong> have been \
                     signed. The transaction is complete.</p>{}{}",
                doc_list(p, &role.id, token),
                hand_over(p)
            ),
            )
        }
        PkgStatus::Declined | PkgStatus::OptedOut | PkgStatus::Expired => {
            let what = match p.status {
                PkgStatus::Declined => "was declined",
                PkgStatus::OptedOut => "was opted out of",
                _ => "has expired",
            };
            return html(
                StatusCode::OK,
                "Transaction closed",
                &format!(
                    "<h1>{name}</h1><p>This transaction {what} and can no longer be signed.</p>{}",
                    hand_over(p)
                ),
            );
        }
        PkgStatus::Draft | PkgStatus::Sent => {}
    }
    if p.role_signed(pos) {
        return html(
            StatusCode::OK,
            "Thank you",
            &format!(
                "<h1>Thank you, {who}</h1><p>You have signed <strong>{name}</strong>. The transaction \
                 is waiting for other signers to complete it.</p>{}{}",
                doc_list(p, &role.id, token),
                hand_over(p)
            ),
        );
    }
    if !p.role_turn(pos) {
        return html(
            StatusCode::OK,
            "Waiting for other signers",
            &format!(
                "<h1>{name}</h1><p class=\"note\">Hello {who}. It is not your turn yet: waiting for \
                 other signers to sign first. Come back to this link later.</p>{}",
                doc_list(p, &role.id, token)
            ),
        );
    }
    let error_html = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let decline = if p.ceremony("declineButton").and_then(|v| v.as_bool()) == Some(false) {
        String::new()
    } else {
        format!(
            "<details><summary>Decline to sign</summary>\
             <form method=\"post\" action=\"/access\">{}\
             <label for=\"decline_reason\">Reason for declining</label>\
             <textarea id=\"decline_reason\" name=\"reason\" rows=\"3\"></textarea>\
             <button class=\"secondary\" type=\"submit\">Decline</button></form></details>",
            hidden(token, "decline")
        )
    };
    let opt_out = if p.ceremony("optOutButton").and_then(|v| v.as_bool()) == Some(false) {
        String::new()
    } else {
        format!(
            "<details><summary>Opt out of electronic signing</summary>\
             <form method=\"post\" action=\"/access\">{}\
             <label for=\"opt_out_reason\">Reason for opting out</label>\
             <textarea id=\"opt_out_reason\" name=\"reason\" rows=\"3\"></textarea>\
             <button class=\"secondary\" type=\"submit\">Opt out</button></form></details>",
            hidden(token, "opt_out")
        )
    };
    let body = format!(
        "<h1>{name}</h1><p>Hello {who}, please review and sign the documents below.</p>{docs}\
         {error_html}<form method=\"post\" action=\"/access\">{h}\
         <label class=\"check\"><input type=\"checkbox\" name=\"accept\" value=\"on\"> \
         I have read and accept the documents above and agree to sign them electronically.</label>\
         <button class=\"sign\" type=\"submit\">Sign</button></form>{decline}{opt_out}",
        docs = doc_list(p, &role.id, token),
        h = hidden(token, "sign"),
    );
    html(StatusCode::OK, "Sign documents", &body)
}

fn lookup(os: &super::OsInner, token: &str) -> Option<(String, usize)> {
    let (pid, rid) = os.sessions.get(token)?;
    let pos = os
        .packages
        .get(pid)?
        .roles
        .iter()
        .position(|r| r.id == *rid)?;
    Some((pid.clone(), pos))
}

/// `GET /access?sessionToken=...`
pub(crate) async fn page(State(shared): State<AppState>, uri: Uri) -> Response {
    let q = query_pairs(&uri);
    let token = query_get(&q, "sessionToken").unwrap_or_default();
    let os = shared.onespan.lock();
    let Some((pid, pos)) = lookup(&os, &token) else {
        return invalid_link();
    };
    match os.packages.get(&pid) {
        Some(p) => render(p, pos, &token, None),
        None => invalid_link(),
    }
}

/// `POST /access` (form: `sessionToken`, `action` = sign | decline | opt_out, `accept`, `reason`).
pub(crate) async fn submit(State(shared): State<AppState>, OsBody(body): OsBody) -> Response {
    let mut token = String::new();
    let mut action = String::new();
    let mut accept = String::new();
    let mut reason = String::new();
    for (k, v) in url::form_urlencoded::parse(&body) {
        match k.as_ref() {
            "sessionToken" => token = v.into_owned(),
            "action" => action = v.into_owned(),
            "accept" => accept = v.into_owned(),
            "reason" => reason = v.into_owned(),
            _ => {}
        }
    }
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let Some((pid, pos)) = lookup(&os, &token) else {
        return invalid_link();
    };
    let Some(p) = os.packages.get_mut(&pid) else {
        return invalid_link();
    };
    let result = match action.trim().to_ascii_lowercase().as_str() {
        "sign" => {
            let accepted = matches!(
                accept.trim().to_ascii_lowercase().as_str(),
                "on" | "true" | "yes" | "1"
            );
            if !accepted {
                return render(
                    p,
                    pos,
                    &token,
                    Some("Please confirm that you have read and accept the documents before signing."),
                );
            }
            p.sign(pos, now)
        }
        "decline" => p.refuse(pos, false, Some(reason), now),
        "opt_out" | "optout" | "opt-out" => p.refuse(pos, true, Some(reason), now),
        _ => {
            return render(p, pos, &token, Some("Choose Sign, Decline or Opt out."));
        }
    };
    match result {
        Ok(evs) => {
            os.dispatch(&pid, evs);
            match os.packages.get(&pid) {
                Some(p) => render(p, pos, &token, None),
                None => invalid_link(),
            }
        }
        Err(e) => render(p, pos, &token, Some(&e.message)),
    }
}

/// `GET /access/documents/{doc}?sessionToken=...` — the document's current PDF, inline.
pub(crate) async fn document(
    State(shared): State<AppState>,
    OsPath(doc): OsPath<String>,
    uri: Uri,
) -> Response {
    let q = query_pairs(&uri);
    let token = query_get(&q, "sessionToken").unwrap_or_default();
    let now = shared.now();
    let mut os = shared.onespan.lock();
    let Some((pid, pos)) = lookup(&os, &token) else {
        return invalid_link();
    };
    let Some(p) = os.packages.get_mut(&pid) else {
        return invalid_link();
    };
    let Some((data, file_name)) = p
        .documents
        .iter()
        .find(|d| d.id == doc)
        .map(|d| (d.current.clone(), d.file_name()))
    else {
        return html(
            StatusCode::NOT_FOUND,
            "Document not found",
            "<h1>Document not found</h1><p>This document is not part of the transaction.</p>",
        );
    };
    let evs = if p.status == PkgStatus::Sent {
        p.viewed(pos, &doc, now)
    } else {
        Vec::new()
    };
    os.dispatch(&pid, evs);
    drop(os);
    let mut resp = (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        )],
        data,
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename*=UTF-8''{}",
        percent_encode_filename(&file_name)
    )) {
        resp.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    resp
}

/// `GET /auth?signerAuthenticationToken=|senderAuthenticationToken=|authenticationToken=...`
/// (§3.5): redeems the token. With `Accept: application/json` answers `{"sessionToken"}`;
/// otherwise a signer is redirected to the signing page, a sender or user to a small page.
pub(crate) async fn auth_redirect(State(shared): State<AppState>, req: Request) -> Response {
    let q = query_pairs(req.uri());
    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.to_ascii_lowercase().contains("application/json"));
    let token = match (
        query_get(&q, "signerAuthenticationToken"),
        query_get(&q, "senderAuthenticationToken").or_else(|| query_get(&q, "authenticationToken")),
    ) {
        (Some(t), _) | (None, Some(t)) => t,
        (None, None) => {
            return packages::error_response(super::OsError::bad_request(
                "error.validation.missingToken",
                "Give signerAuthenticationToken, senderAuthenticationToken or authenticationToken.",
            ))
        }
    };
    let now = shared.now();
    let session = {
        let mut os = shared.onespan.lock();
        packages::redeem(&mut os, &token, now)
    };
    let session = match session {
        Ok(s) => s,
        Err(e) => return packages::error_response(e),
    };
    match session {
        packages::Redeemed::Signer(s) if wants_json => {
            Json200(json!({"sessionToken": s})).into_response()
        }
        packages::Redeemed::Signer(s) => Redirect::to(&format!(
            "{}?sessionToken={}",
            super::ACCESS_PATH,
            percent_encode_filename(&s)
        ))
        .into_response(),
        packages::Redeemed::Sender { session, .. } if wants_json => {
            Json200(json!({"sessionToken": session})).into_response()
        }
        packages::Redeemed::Sender {
            user, package_id, ..
        } => html(
            StatusCode::OK,
            "Signed in",
            &format!(
                "<h1>Signed in as {} &lt;{}&gt;</h1>{}<p class=\"note\">The simulator has no \
                 designer or transaction pages for senders; use the API.</p>",
                escape(&user.name()),
                escape(user.email),
                package_id
                    .map(|p| format!("<p>Transaction {}</p>", escape(&p)))
                    .unwrap_or_default()
            ),
        ),
    }
}
