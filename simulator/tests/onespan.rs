//! OneSpan Sign simulation: authentication methods, packages and their state machine, downloads,
//! the signing page, callbacks and the error shape, against a started simulator on loopback.

mod common;

use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::{json, Value};
use signbridge_sim::{
    sample_pdf, SimConfig, Simulator, ONESPAN_API_KEY, ONESPAN_CLIENT_APP_ID,
    ONESPAN_CLIENT_APP_SECRET, ONESPAN_OAUTH_CLIENT_ID, ONESPAN_OAUTH_CLIENT_SECRET,
    ONESPAN_OWNER_EMAIL, ONESPAN_SENDER_EMAIL,
};

const ACCEPT: &str = "application/json; esl-api-version=11.68.0";
const JSON_CT: &str = "application/json; esl-api-version=11.68.0";

struct Os {
    sim: Simulator,
    http: reqwest::Client,
    /// The `Authorization` value for API calls.
    auth: String,
}

async fn start() -> Os {
    let sim = Simulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .await
    .expect("start simulator");
    Os {
        sim,
        http: common::client(),
        auth: format!("Basic {ONESPAN_API_KEY}"),
    }
}

/// Percent-encodes a path segment (everything but unreserved characters).
fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Os {
    fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path)
    }

    fn api(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(&format!("/api{path}")))
            .header("Authorization", &self.auth)
            .header("Accept", ACCEPT)
    }

    async fn send_json(
        &self,
        method: reqwest::Method,
        path: &str,
        body: &Value,
    ) -> reqwest::Response {
        self.api(method, path)
            .header("Content-Type", JSON_CT)
            .body(serde_json::to_vec(body).expect("json"))
            .send()
            .await
            .expect("request")
    }

    async fn get_json(&self, path: &str) -> Value {
        let resp = self
            .api(reqwest::Method::GET, path)
            .send()
            .await
            .expect("get");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert_eq!(status, 200, "GET {path}: {text}");
        serde_json::from_str(&text).expect("json")
    }

    async fn create(&self, body: &Value) -> String {
        let resp = self
            .send_json(reqwest::Method::POST, "/packages", body)
            .await;
        let status = resp.status();
        let v: Value = resp.json().await.expect("json");
        assert_eq!(status, 200, "create: {v}");
        v["id"].as_str().expect("id").to_owned()
    }

    async fn package(&self, id: &str) -> Value {
        self.get_json(&format!("/packages/{}", enc(id))).await
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Value) -> reqwest::Response {
        self.http
            .request(method, self.url(path))
            .json(&body)
            .send()
            .await
            .expect("control request")
    }

    async fn set_auth(&self, body: Value) -> Value {
        let resp = self
            .control(reqwest::Method::PUT, "/_sim/onespan/auth", body)
            .await;
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }

    async fn sim_now(&self) -> f64 {
        let v: Value = self
            .http
            .get(self.url("/_sim/clock"))
            .send()
            .await
            .expect("clock")
            .json()
            .await
            .expect("json");
        v["now"].as_f64().expect("now")
    }

    async fn advance(&self, seconds: f64) {
        let resp = self
            .control(
                reqwest::Method::POST,
                "/_sim/clock/advance",
                json!({"seconds": seconds}),
            )
            .await;
        assert_eq!(resp.status(), 200);
    }

    async fn act(&self, id: &str, role: &str, action: &str, body: Value) -> reqwest::Response {
        self.control(
            reqwest::Method::POST,
            &format!(
                "/_sim/onespan/packages/{}/roles/{}/{action}",
                enc(id),
                enc(role)
            ),
            body,
        )
        .await
    }

    async fn set_status(&self, id: &str, body: Value) -> reqwest::Response {
        self.send_json(
            reqwest::Method::POST,
            &format!("/packages/{}", enc(id)),
            &body,
        )
        .await
    }

    async fn download(&self, path: &str) -> (Vec<u8>, String) {
        let resp = self
            .api(reqwest::Method::GET, path)
            .header(
                "Accept",
                "application/octet-stream; esl-api-version=11.68.0",
            )
            .send()
            .await
            .expect("download");
        assert_eq!(resp.status(), 200, "GET {path}");
        let cd = resp
            .headers()
            .get("content-disposition")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (resp.bytes().await.expect("bytes").to_vec(), cd)
    }

    /// Waits (real time) until no callback delivery is pending and at least `n` were made.
    async fn deliveries(&self, n: usize) -> Vec<Value> {
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        loop {
            let v: Value = self
                .http
                .get(self.url("/_sim/onespan/callbacks"))
                .send()
                .await
                .expect("callbacks")
                .json()
                .await
                .expect("json");
            let list = v.as_array().cloned().unwrap_or_default();
            if list.len() >= n && list.iter().all(|d| d["pending"] == false) {
                return list;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {n} finished deliveries, got {list:?}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// Asserts the §8 error shape and returns the body.
async fn os_error(resp: reqwest::Response, status: u16, key: &str) -> Value {
    assert_eq!(resp.status().as_u16(), status);
    let ct = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(ct.starts_with("application/json"), "content-type {ct}");
    let text = resp.text().await.expect("body");
    assert!(
        !text.trim_start().starts_with('<'),
        "HTML error body: {text}"
    );
    let v: Value = serde_json::from_str(&text).expect("error body is JSON");
    assert_eq!(v["code"], status, "{v}");
    assert!(v["name"].as_str().is_some_and(|n| !n.is_empty()), "{v}");
    assert!(v["message"].as_str().is_some_and(|n| !n.is_empty()), "{v}");
    assert!(v["technical"].is_string(), "{v}");
    assert_eq!(v["messageKey"], key, "{v}");
    v
}

fn pdf_b64(title: &str) -> String {
    STANDARD.encode(sample_pdf(title, 2))
}

/// A package with two signers (index 1 then 2) on one base64 document.
fn two_signers(name: &str) -> Value {
    json!({
        "name": name,
        "type": "PACKAGE",
        "roles": [
            {"id": "Signer1", "index": 1, "signers": [{"email": "alice@example.com", "firstName": "Alice", "lastName": "Signer"}]},
            {"id": "Signer2", "index": 2, "signers": [{"email": "bob@example.com", "firstName": "Bob", "lastName": "Second"}]}
        ],
        "documents": [{
            "name": "Contract",
            "base64Content": pdf_b64("Contract"),
            "approvals": [
                {"role": "Signer1", "fields": [{"page": 0, "top": 600, "left": 80, "width": 200, "height": 50, "type": "SIGNATURE", "subtype": "FULLNAME"}]},
                {"role": "Signer2", "fields": [{"page": 1, "top": 600, "left": 80, "width": 200, "height": 50, "type": "SIGNATURE", "subtype": "FULLNAME"}]}
            ]
        }],
        "settings": {"ceremony": {"handOver": {"href": "https://example.com/done", "text": "Back to the shop", "title": "Done"}}},
        "data": {"sdk": "signbridge tests"}
    })
}

/// `qpdf --check` on `bytes`; `false` (test skipped) when qpdf is not installed.
fn qpdf_check(bytes: &[u8]) -> bool {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, bytes).expect("write");
    match std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "qpdf --check failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            true
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("qpdf not installed: skipping the qpdf check");
            false
        }
        Err(e) => panic!("cannot run qpdf: {e}"),
    }
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

// ---------------------------------------------------------------------------------------------
// Authentication

#[tokio::test]
async fn api_key_is_the_default_and_other_credentials_are_refused() {
    let os = start().await;
    let ok = os
        .api(reqwest::Method::GET, "/packages")
        .send()
        .await
        .expect("list");
    assert_eq!(ok.status(), 200);

    let none = os
        .http
        .get(os.url("/api/packages"))
        .send()
        .await
        .expect("list");
    os_error(none, 401, "error.unauthorised.noAuthorization").await;
    let wrong = os
        .http
        .get(os.url("/api/packages"))
        .header("Authorization", "Basic bm90OmFrZXk=")
        .send()
        .await
        .expect("list");
    os_error(wrong, 401, "error.unauthorised.invalidApiKey").await;

    // The Client App endpoint refuses while the API key is the active method.
    let resp = os
        .http
        .post(os.url("/apitoken/clientApp/accessToken"))
        .header("Content-Type", JSON_CT)
        .body(
            json!({"clientId": ONESPAN_CLIENT_APP_ID, "secret": ONESPAN_CLIENT_APP_SECRET, "type": "OWNER"})
                .to_string(),
        )
        .send()
        .await
        .expect("token");
    os_error(resp, 401, "error.unauthorised.authMethodDisabled").await;

    // Switching the method disables the API key.
    let state = os.set_auth(json!({"method": "client_app"})).await;
    assert_eq!(state["method"], "client_app");
    let resp = os
        .api(reqwest::Method::GET, "/packages")
        .send()
        .await
        .expect("list");
    os_error(resp, 401, "error.unauthorised.authMethodDisabled").await;
}

async fn client_app_token(os: &Os, body: &[u8]) -> reqwest::Response {
    os.http
        .post(os.url("/apitoken/clientApp/accessToken"))
        .header("Content-Type", JSON_CT)
        .header("Accept", ACCEPT)
        .body(body.to_vec())
        .send()
        .await
        .expect("token request")
}

#[tokio::test]
async fn client_app_tokens_utf16_expiry_in_ms_clock_and_revocation() {
    let mut os = start().await;
    os.set_auth(json!({"method": "client_app"})).await;

    // OWNER, UTF-8.
    let owner = json!({"clientId": ONESPAN_CLIENT_APP_ID, "secret": ONESPAN_CLIENT_APP_SECRET, "type": "OWNER"});
    let resp = client_app_token(&os, owner.to_string().as_bytes()).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    let token = v["accessToken"].as_str().expect("accessToken").to_owned();
    let expires_ms = v["expiresAt"].as_i64().expect("expiresAt");
    let now = os.sim_now().await;
    assert!(
        expires_ms > 1_000_000_000_000,
        "expiresAt is in milliseconds"
    );
    let left = expires_ms as f64 / 1000.0 - now;
    assert!(
        (1700.0..=1801.0).contains(&left),
        "about 30 minutes left: {left}"
    );

    // SENDER, UTF-16LE without BOM (the .NET SDK's encoding).
    let sender = json!({"clientId": ONESPAN_CLIENT_APP_ID, "secret": ONESPAN_CLIENT_APP_SECRET,
                        "type": "SENDER", "email": ONESPAN_SENDER_EMAIL});
    let utf16: Vec<u8> = sender
        .to_string()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let resp = client_app_token(&os, &utf16).await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    let sender_token = v["accessToken"].as_str().expect("token").to_owned();
    assert_ne!(sender_token, token);

    // The sender token acts as the sender.
    os.auth = format!("Bearer {sender_token}");
    let id = os.create(&json!({"name": "By the sender"})).await;
    assert_eq!(
        os.package(&id).await["sender"]["email"],
        ONESPAN_SENDER_EMAIL
    );
    os.auth = format!("Bearer {token}");
    assert_eq!(os.package(&id).await["status"], "DRAFT");

    // Failures.
    let wrong = json!({"clientId": ONESPAN_CLIENT_APP_ID, "secret": "nope", "type": "OWNER"});
    os_error(
        client_app_token(&os, wrong.to_string().as_bytes()).await,
        401,
        "error.unauthorised.invalidClientCredentials",
    )
    .await;
    let no_email = json!({"clientId": ONESPAN_CLIENT_APP_ID, "secret": ONESPAN_CLIENT_APP_SECRET, "type": "SENDER"});
    os_error(
        client_app_token(&os, no_email.to_string().as_bytes()).await,
        400,
        "error.validation.emailRequired",
    )
    .await;
    let unknown = json!({"clientId": ONESPAN_CLIENT_APP_ID, "secret": ONESPAN_CLIENT_APP_SECRET,
                         "type": "SENDER", "email": "stranger@example.com"});
    os_error(
        client_app_token(&os, unknown.to_string().as_bytes()).await,
        401,
        "error.unauthorised.unknownSender",
    )
    .await;
    let api_key = os
        .http
        .get(os.url("/api/packages"))
        .header("Authorization", format!("Basic {ONESPAN_API_KEY}"))
        .send()
        .await
        .expect("list");
    os_error(api_key, 401, "error.unauthorised.authMethodDisabled").await;

    let auth: Value = os
        .http
        .get(os.url("/_sim/onespan/auth"))
        .send()
        .await
        .expect("auth")
        .json()
        .await
        .expect("json");
    assert_eq!(auth["client_app_tokens_issued"], 2);
    assert_eq!(auth["client_app_lifetime_s"], 1800);

    // Expiry on the simulated clock.
    os.advance(1801.0).await;
    let resp = os
        .api(reqwest::Method::GET, "/packages")
        .send()
        .await
        .expect("list");
    os_error(resp, 401, "error.unauthorised.tokenExpired").await;

    // A shorter lifetime, then revocation.
    os.set_auth(json!({"token_lifetime_s": 60})).await;
    let resp = client_app_token(&os, owner.to_string().as_bytes()).await;
    let v: Value = resp.json().await.expect("json");
    let left = v["expiresAt"].as_i64().expect("ms") as f64 / 1000.0 - os.sim_now().await;
    assert!((0.0..=61.0).contains(&left), "{left}");
    os.auth = format!("Bearer {}", v["accessToken"].as_str().expect("token"));
    assert_eq!(
        os.api(reqwest::Method::GET, "/packages")
            .send()
            .await
            .expect("list")
            .status(),
        200
    );
    let resp = os
        .control(
            reqwest::Method::POST,
            "/_sim/onespan/auth/revoke_tokens",
            json!({}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let resp = os
        .api(reqwest::Method::GET, "/packages")
        .send()
        .await
        .expect("list");
    os_error(resp, 401, "error.unauthorised.invalidToken").await;
}

async fn oauth_request(os: &Os, basic: Option<(&str, &str)>, form: &str) -> reqwest::Response {
    let mut req = os
        .http
        .post(os.url("/oauth2/token"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(form.to_owned());
    if let Some((id, secret)) = basic {
        req = req.header(
            "Authorization",
            format!("Basic {}", STANDARD.encode(format!("{id}:{secret}"))),
        );
    }
    req.send().await.expect("token request")
}

#[tokio::test]
async fn oauth2_jwt_exp_header_only_credentials_and_expiry() {
    let mut os = start().await;
    // A Client App token issued before the switch stops working after it.
    os.set_auth(json!({"method": "client_app"})).await;
    let resp = client_app_token(
        &os,
        json!({"clientId": ONESPAN_CLIENT_APP_ID, "secret": ONESPAN_CLIENT_APP_SECRET, "type": "OWNER"})
            .to_string()
            .as_bytes(),
    )
    .await;
    let client_app: Value = resp.json().await.expect("json");

    // While Client App is active the OAuth endpoint refuses.
    let resp = oauth_request(
        &os,
        Some((ONESPAN_OAUTH_CLIENT_ID, ONESPAN_OAUTH_CLIENT_SECRET)),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["error"], "unauthorized_client");

    os.set_auth(json!({"method": "oauth2"})).await;
    let resp = oauth_request(
        &os,
        Some((ONESPAN_OAUTH_CLIENT_ID, ONESPAN_OAUTH_CLIENT_SECRET)),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["expires_in"], 299);
    let jwt = v["access_token"].as_str().expect("token").to_owned();
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "a JWT");
    let claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).expect("b64")).expect("claims");
    let exp = claims["exp"].as_i64().expect("exp");
    let iat = claims["iat"].as_i64().expect("iat");
    assert_eq!(exp - iat, 300);
    let now = os.sim_now().await;
    assert!((exp as f64 - now) <= 300.0 && (exp as f64 - now) > 200.0);

    os.auth = format!("Bearer {jwt}");
    assert_eq!(
        os.api(reqwest::Method::GET, "/packages")
            .send()
            .await
            .expect("list")
            .status(),
        200
    );
    os.auth = format!(
        "Bearer {}",
        client_app["accessToken"].as_str().expect("token")
    );
    let resp = os
        .api(reqwest::Method::GET, "/packages")
        .send()
        .await
        .expect("list");
    os_error(resp, 401, "error.unauthorised.authMethodDisabled").await;

    // Credentials in the form body are refused; a wrong secret is invalid_client.
    let resp = oauth_request(
        &os,
        None,
        &format!(
            "grant_type=client_credentials&client_id={ONESPAN_OAUTH_CLIENT_ID}&client_secret={ONESPAN_OAUTH_CLIENT_SECRET}"
        ),
    )
    .await;
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["error"], "invalid_request");
    assert_eq!(
        v["error_description"],
        "client credentials must be sent in the Authorization header"
    );
    let resp = oauth_request(
        &os,
        Some((ONESPAN_OAUTH_CLIENT_ID, "wrong")),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(resp.status(), 401);
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["error"], "invalid_client");
    // Contract §3.3: the credentials as they are, base64(clientId:clientSecret); a
    // URL-encoded form of them (here the id's `-` as %2D) is not the same credential.
    let resp = oauth_request(
        &os,
        Some((
            &ONESPAN_OAUTH_CLIENT_ID.replace('-', "%2D"),
            ONESPAN_OAUTH_CLIENT_SECRET,
        )),
        "grant_type=client_credentials",
    )
    .await;
    assert_eq!(resp.status(), 401);

    // sender_id makes the token act as that sender.
    let resp = oauth_request(
        &os,
        Some((ONESPAN_OAUTH_CLIENT_ID, ONESPAN_OAUTH_CLIENT_SECRET)),
        &format!("grant_type=client_credentials&sender_id={ONESPAN_SENDER_EMAIL}"),
    )
    .await;
    let v: Value = resp.json().await.expect("json");
    os.auth = format!("Bearer {}", v["access_token"].as_str().expect("token"));
    let id = os.create(&json!({"name": "OAuth sender"})).await;
    assert_eq!(
        os.package(&id).await["sender"]["email"],
        ONESPAN_SENDER_EMAIL
    );

    let auth: Value = os
        .http
        .get(os.url("/_sim/onespan/auth"))
        .send()
        .await
        .expect("auth")
        .json()
        .await
        .expect("json");
    assert_eq!(auth["oauth_tokens_issued"], 2);
    assert_eq!(auth["method"], "oauth2");

    // Expiry on the simulated clock.
    os.auth = format!("Bearer {jwt}");
    os.advance(301.0).await;
    let resp = os
        .api(reqwest::Method::GET, "/packages")
        .send()
        .await
        .expect("list");
    os_error(resp, 401, "error.unauthorised.tokenExpired").await;
}

// ---------------------------------------------------------------------------------------------
// Packages

#[tokio::test]
async fn json_create_and_get_with_percent_encoded_ids() {
    let os = start().await;
    let id = os.create(&two_signers("Lease agreement")).await;
    assert_eq!(id.len(), 28);
    assert!(id.ends_with('='), "ids keep '=': {id}");

    let p = os.package(&id).await;
    assert_eq!(p["id"], id.as_str());
    assert_eq!(p["name"], "Lease agreement");
    assert_eq!(p["status"], "DRAFT");
    assert_eq!(p["trashed"], false);
    assert_eq!(p["autocomplete"], true);
    assert_eq!(p["sender"]["email"], ONESPAN_OWNER_EMAIL);
    assert!(p["created"]
        .as_str()
        .is_some_and(|c| c.ends_with('Z') && c.contains('T')));
    assert!(p["completed"].is_null());
    assert_eq!(p["data"]["sdk"], "signbridge tests");
    assert_eq!(
        p["settings"]["ceremony"]["handOver"]["href"],
        "https://example.com/done"
    );
    let roles = p["roles"].as_array().expect("roles");
    assert_eq!(roles.len(), 2);
    assert_eq!(roles[0]["id"], "Signer1");
    assert_eq!(roles[0]["signers"][0]["email"], "alice@example.com");
    assert_eq!(
        roles[0]["signers"][0]["id"].as_str().map(str::len),
        Some(12)
    );
    let doc = &p["documents"][0];
    assert_eq!(doc["name"], "Contract");
    assert_eq!(doc["pages"].as_array().map(Vec::len), Some(2));
    let approvals = doc["approvals"].as_array().expect("approvals");
    assert_eq!(approvals.len(), 2);
    assert_eq!(approvals[1]["role"], "Signer2");
    assert!(approvals[0]["signed"].is_null());
    assert!(approvals[0]["fields"][0]["id"].is_string());
    assert!(doc.get("base64Content").is_none(), "content is not echoed");

    // The id with '=' works percent-encoded; the original round-trips.
    let doc_id = doc["id"].as_str().expect("doc id").to_owned();
    let one = os
        .get_json(&format!(
            "/packages/{}/documents/{}",
            enc(&id),
            enc(&doc_id)
        ))
        .await;
    assert_eq!(one["name"], "Contract");
    let (bytes, cd) = os
        .download(&format!(
            "/packages/{}/documents/{}/original",
            enc(&id),
            enc(&doc_id)
        ))
        .await;
    assert_eq!(bytes, sample_pdf("Contract", 2));
    assert!(cd.contains("filename*=UTF-8''Contract.pdf"), "{cd}");

    // Roles: list and one (by role id or signer email).
    let list = os.get_json(&format!("/packages/{}/roles", enc(&id))).await;
    assert_eq!(list["count"], 2);
    let bob = os
        .get_json(&format!(
            "/packages/{}/roles/{}",
            enc(&id),
            enc("bob@example.com")
        ))
        .await;
    assert_eq!(bob["id"], "Signer2");
}

#[tokio::test]
async fn multipart_create_payload_as_field_or_file_part() {
    let os = start().await;
    let pdf_a = sample_pdf("First", 1);
    let pdf_b = sample_pdf("Second", 3);
    let payload = json!({
        "name": "Multipart",
        "roles": [{"id": "R1", "signers": [{"email": "r1@example.com", "firstName": "R", "lastName": "One"}]}],
        "documents": [
            {"name": "First doc", "approvals": [{"role": "R1", "fields": [{"page": 0, "top": 100, "left": 100}]}]},
            {"name": "Second doc"}
        ]
    });
    // Java style: payload is a plain text field, files named after the documents.
    let form = reqwest::multipart::Form::new()
        .text("payload", payload.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf_a.clone())
                .file_name("First doc")
                .mime_str("application/pdf")
                .expect("mime"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf_b.clone())
                .file_name("second.pdf")
                .mime_str("application/pdf")
                .expect("mime"),
        );
    let resp = os
        .api(reqwest::Method::POST, "/packages")
        .multipart(form)
        .send()
        .await
        .expect("create");
    assert_eq!(resp.status(), 200);
    let id = resp.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let p = os.package(&id).await;
    let docs = p["documents"].as_array().expect("docs");
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["name"], "First doc");
    assert_eq!(docs[1]["name"], "Second doc");
    assert_eq!(docs[1]["pages"].as_array().map(Vec::len), Some(3));
    let (b, _) = os
        .download(&format!(
            "/packages/{}/documents/{}/original",
            enc(&id),
            enc(docs[1]["id"].as_str().expect("id"))
        ))
        .await;
    assert_eq!(b, pdf_b);

    // .NET style: payload as a file-style part named "payload", no part content types.
    let form = reqwest::multipart::Form::new()
        .part(
            "payload",
            reqwest::multipart::Part::bytes(
                json!({"name": "DotNet", "documents": [{"name": "Only"}]})
                    .to_string()
                    .into_bytes(),
            )
            .file_name("payload"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(pdf_a.clone()).file_name("only.pdf"),
        );
    let resp = os
        .api(reqwest::Method::POST, "/packages")
        .multipart(form)
        .send()
        .await
        .expect("create");
    assert_eq!(resp.status(), 200);
    let id2 = resp.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(os.package(&id2).await["documents"][0]["name"], "Only");

    // A file that is not a PDF.
    let form = reqwest::multipart::Form::new()
        .text(
            "payload",
            json!({"name": "Bad", "documents": [{"name": "x"}]}).to_string(),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(b"hello, not a pdf".to_vec()).file_name("x.txt"),
        );
    let resp = os
        .api(reqwest::Method::POST, "/packages")
        .multipart(form)
        .send()
        .await
        .expect("create");
    os_error(resp, 400, "error.validation.invalidDocument").await;
}

#[tokio::test]
async fn add_and_delete_documents_in_draft() {
    let os = start().await;
    let id = os
        .create(&json!({"name": "Docs later", "roles": [{"id": "S", "signers": [{"email": "s@example.com"}]}]}))
        .await;
    let path = format!("/packages/{}/documents", enc(&id));

    // Multipart file + payload object → one Document.
    let form = reqwest::multipart::Form::new()
        .text(
            "payload",
            json!({"name": "One", "approvals": [{"role": "S"}]}).to_string(),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(sample_pdf("One", 1)).file_name("One"),
        );
    let resp = os
        .api(reqwest::Method::POST, &path)
        .multipart(form)
        .send()
        .await
        .expect("add");
    assert_eq!(resp.status(), 200);
    let one: Value = resp.json().await.expect("json");
    assert_eq!(one["name"], "One");
    assert_eq!(one["approvals"][0]["role"], "S");

    // Payload array + two files → array.
    let form = reqwest::multipart::Form::new()
        .text(
            "payload",
            json!([{"name": "Two"}, {"name": "Three"}]).to_string(),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(sample_pdf("Two", 1)).file_name("Two"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(sample_pdf("Three", 1)).file_name("Three"),
        );
    let resp = os
        .api(reqwest::Method::POST, &path)
        .multipart(form)
        .send()
        .await
        .expect("add");
    assert_eq!(resp.status(), 200);
    let two: Value = resp.json().await.expect("json");
    assert_eq!(two.as_array().map(Vec::len), Some(2));

    // JSON array with base64Content.
    let resp = os
        .send_json(
            reqwest::Method::POST,
            &path,
            &json!([{"name": "Four", "base64Content": pdf_b64("Four")}]),
        )
        .await;
    assert_eq!(resp.status(), 200);

    // An approval for a role that does not exist.
    let resp = os
        .send_json(
            reqwest::Method::POST,
            &path,
            &json!([{"name": "Bad", "base64Content": pdf_b64("Bad"), "approvals": [{"role": "Nobody"}]}]),
        )
        .await;
    os_error(resp, 400, "error.validation.approvalRoleNotFound").await;

    let p = os.package(&id).await;
    let names: Vec<&str> = p["documents"]
        .as_array()
        .expect("docs")
        .iter()
        .filter_map(|d| d["name"].as_str())
        .collect();
    assert_eq!(names, ["One", "Two", "Three", "Four"]);

    let doc_two = two[0]["id"].as_str().expect("id");
    let resp = os
        .api(
            reqwest::Method::DELETE,
            &format!("/packages/{}/documents/{}", enc(&id), enc(doc_two)),
        )
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), 204);
    assert_eq!(
        os.package(&id).await["documents"].as_array().map(Vec::len),
        Some(3)
    );
    let resp = os
        .api(
            reqwest::Method::GET,
            &format!("/packages/{}/documents/{}", enc(&id), enc(doc_two)),
        )
        .send()
        .await
        .expect("get");
    os_error(resp, 404, "error.notFound.documentNotFound").await;
}

#[tokio::test]
async fn two_signers_in_order_signed_pdfs_zip_evidence_and_audit() {
    let os = start().await;
    let id = os.create(&two_signers("Two signers")).await;
    let resp = os.set_status(&id, json!({"status": "SENT"})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(os.package(&id).await["status"], "SENT");
    let st = |signer: &str| {
        format!(
            "/packages/{}/signingStatus?signer={}&document=",
            enc(&id),
            enc(signer)
        )
    };
    assert_eq!(
        os.get_json(&st("Signer1")).await["status"],
        "SIGNING_PENDING"
    );

    // The second signer cannot sign first.
    let resp = os.act(&id, "Signer2", "sign", json!({})).await;
    os_error(resp, 400, "error.validation.signingOrder").await;

    let resp = os.act(&id, "Signer1", "sign", json!({})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        os.get_json(&st("Signer1")).await["status"],
        "SIGNING_COMPLETED"
    );
    assert_eq!(
        os.get_json(&st("Signer2")).await["status"],
        "SIGNING_PENDING"
    );
    assert_eq!(os.package(&id).await["status"], "SENT");
    let resp = os.act(&id, "Signer1", "sign", json!({})).await;
    os_error(resp, 400, "error.validation.alreadySigned").await;

    let resp = os.act(&id, "Signer2", "sign", json!({})).await;
    assert_eq!(resp.status(), 200);
    let p = os.package(&id).await;
    assert_eq!(p["status"], "COMPLETED");
    assert!(p["completed"].as_str().is_some_and(|c| c.ends_with('Z')));
    assert!(p["documents"][0]["approvals"][1]["signed"].is_string());
    assert_eq!(os.get_json(&st("")).await["status"], "COMPLETED");

    // The signed PDF: the original is a byte prefix, both stamps are in it, qpdf accepts it.
    let doc_id = p["documents"][0]["id"].as_str().expect("doc id").to_owned();
    let (signed, cd) = os
        .download(&format!(
            "/packages/{}/documents/{}/pdf",
            enc(&id),
            enc(&doc_id)
        ))
        .await;
    let original = sample_pdf("Contract", 2);
    assert!(signed.len() > original.len());
    assert!(
        signed.starts_with(&original),
        "the original is a byte prefix"
    );
    assert!(contains(&signed, b"Alice Signer"));
    assert!(contains(&signed, b"Bob Second"));
    assert!(
        cd.starts_with("attachment;") && cd.contains("filename*=UTF-8''Contract.pdf"),
        "{cd}"
    );
    qpdf_check(&signed);

    // The ZIP holds the current PDF; python's zipfile checks the CRCs.
    let (zip, cd) = os
        .download(&format!("/packages/{}/documents/zip", enc(&id)))
        .await;
    assert!(cd.contains("filename*=UTF-8''Two%20signers.zip"), "{cd}");
    assert!(zip.starts_with(b"PK\x03\x04"));
    assert!(
        contains(&zip, &signed),
        "the entry is the signed PDF, stored"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let zpath = dir.path().join("docs.zip");
    std::fs::write(&zpath, &zip).expect("write zip");
    match std::process::Command::new("python3")
        .args(["-m", "zipfile", "-t"])
        .arg(&zpath)
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "zipfile -t: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let list = std::process::Command::new("python3")
                .args(["-m", "zipfile", "-l"])
                .arg(&zpath)
                .output()
                .expect("zipfile -l");
            assert!(String::from_utf8_lossy(&list.stdout).contains("Contract.pdf"));
        }
        Err(e) => eprintln!("python3 not available ({e}): skipping the CRC check"),
    }

    // Evidence summary: a PDF qpdf accepts, naming the signers and the events.
    let (evidence, cd) = os
        .download(&format!("/packages/{}/evidence/summary", enc(&id)))
        .await;
    assert!(evidence.starts_with(b"%PDF-"));
    assert!(cd.contains("evidence-summary.pdf"), "{cd}");
    assert!(contains(&evidence, b"alice@example.com"));
    assert!(contains(&evidence, b"bob@example.com"));
    assert!(contains(&evidence, id.as_bytes()));
    assert!(contains(&evidence, b"Complete"));
    qpdf_check(&evidence);

    // Audit trail.
    let audit = os.get_json(&format!("/packages/{}/audit", enc(&id))).await;
    assert_eq!(audit["package-id"], id.as_str());
    let kinds: Vec<&str> = audit["audit-events"]
        .as_array()
        .expect("events")
        .iter()
        .filter_map(|e| e["type"].as_str())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "Sign").count(),
        2,
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&"Send") && kinds.contains(&"Complete"),
        "{kinds:?}"
    );

    // ARCHIVED from COMPLETED.
    let resp = os.set_status(&id, json!({"status": "ARCHIVED"})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(os.package(&id).await["status"], "ARCHIVED");
}

#[tokio::test]
async fn decline_and_opt_out_with_reasons() {
    let os = start().await;
    let id = os.create(&two_signers("To decline")).await;
    // Not yet sent: signer actions are refused.
    let resp = os
        .act(&id, "Signer1", "decline", json!({"reason": "x"}))
        .await;
    os_error(resp, 400, "error.validation.packageNotActive").await;
    os.set_status(&id, json!({"status": "SENT"})).await;
    let resp = os
        .act(
            &id,
            "Signer1",
            "decline",
            json!({"reason": "Wrong address"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let p = os.package(&id).await;
    assert_eq!(p["status"], "DECLINED");
    assert_eq!(p["messages"][0]["content"], "Wrong address");
    assert_eq!(p["messages"][0]["from"]["email"], "alice@example.com");
    let audit = os.get_json(&format!("/packages/{}/audit", enc(&id))).await;
    assert!(audit["audit-events"]
        .as_array()
        .expect("events")
        .iter()
        .any(|e| e["type"] == "Decline" && e["data"] == "Wrong address"));
    let st = os
        .get_json(&format!("/packages/{}/signingStatus", enc(&id)))
        .await;
    assert_eq!(st["status"], "DECLINED");

    let id2 = os.create(&two_signers("To opt out")).await;
    os.set_status(&id2, json!({"status": "SENT"})).await;
    let resp = os
        .act(
            &id2,
            "Signer1",
            "opt_out",
            json!({"reason": "Paper please"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(os.package(&id2).await["status"], "OPTED_OUT");
}

#[tokio::test]
async fn edits_after_send_are_refused_and_transitions_checked() {
    let os = start().await;
    let id = os.create(&two_signers("Editable")).await;
    let pkg = format!("/packages/{}", enc(&id));

    // A signing URL needs a sent package; archiving needs a completed one.
    let resp = os
        .api(
            reqwest::Method::GET,
            &format!("{pkg}/roles/Signer1/signingUrl"),
        )
        .send()
        .await
        .expect("url");
    os_error(resp, 400, "error.validation.packageNotActive").await;
    let resp = os.set_status(&id, json!({"status": "ARCHIVED"})).await;
    os_error(resp, 400, "error.validation.invalidStatusTransition").await;

    // Sparse update in DRAFT (PUT), then send with PUT.
    let resp = os
        .send_json(
            reqwest::Method::PUT,
            &pkg,
            &json!({"name": "Renamed", "description": "d"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let p = os.package(&id).await;
    assert_eq!(p["name"], "Renamed");
    assert_eq!(
        p["roles"].as_array().map(Vec::len),
        Some(2),
        "sparse update keeps the rest"
    );
    let resp = os
        .send_json(reqwest::Method::PUT, &pkg, &json!({"status": "SENT"}))
        .await;
    assert_eq!(resp.status(), 200);

    let resp = os
        .send_json(reqwest::Method::PUT, &pkg, &json!({"name": "Too late"}))
        .await;
    os_error(resp, 400, "error.validation.packageActive").await;
    let resp = os
        .send_json(
            reqwest::Method::POST,
            &format!("{pkg}/documents"),
            &json!([{"name": "Late", "base64Content": pdf_b64("Late")}]),
        )
        .await;
    os_error(resp, 400, "error.validation.packageActive").await;
    let resp = os
        .send_json(
            reqwest::Method::POST,
            &format!("{pkg}/roles"),
            &json!({"id": "Late", "signers": [{"email": "late@example.com"}]}),
        )
        .await;
    os_error(resp, 400, "error.validation.packageActive").await;
    let doc_id = os.package(&id).await["documents"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let resp = os
        .api(
            reqwest::Method::DELETE,
            &format!("{pkg}/documents/{}", enc(&doc_id)),
        )
        .send()
        .await
        .expect("delete");
    os_error(resp, 400, "error.validation.packageActive").await;
    let resp = os.set_status(&id, json!({"status": "COMPLETED"})).await;
    os_error(resp, 400, "error.validation.invalidStatusTransition").await;
    assert_eq!(os.package(&id).await["name"], "Renamed");

    // Back to DRAFT: edits work again.
    let resp = os.set_status(&id, json!({"status": "DRAFT"})).await;
    assert_eq!(resp.status(), 200);
    let resp = os
        .send_json(
            reqwest::Method::PUT,
            &pkg,
            &json!({"name": "Edited in draft"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    assert_eq!(os.package(&id).await["name"], "Edited in draft");
}

#[tokio::test]
async fn autocomplete_off_needs_mark_complete_and_due_expires_on_the_clock() {
    let os = start().await;
    let mut body = two_signers("Manual completion");
    body["autocomplete"] = json!(false);
    body["status"] = json!("SENT");
    let id = os.create(&body).await;
    assert_eq!(os.package(&id).await["status"], "SENT");
    for role in ["Signer1", "Signer2"] {
        assert_eq!(os.act(&id, role, "sign", json!({})).await.status(), 200);
    }
    assert_eq!(os.package(&id).await["status"], "SENT");
    let st = os
        .get_json(&format!("/packages/{}/signingStatus", enc(&id)))
        .await;
    assert_eq!(st["status"], "SIGNING_COMPLETED");
    let resp = os.set_status(&id, json!({"status": "COMPLETED"})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(os.package(&id).await["status"], "COMPLETED");

    // `due` one hour ahead on the simulated clock, written the way the SDKs write it.
    let due = os.sim_now().await + 3600.0;
    let days = (due / 86_400.0).floor() as i64;
    let secs = (due as i64).rem_euclid(86_400);
    let (y, m, d) = civil(days);
    let due_text = format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    );
    let mut body = two_signers("Expiring");
    body["due"] = json!(due_text);
    body["status"] = json!("SENT");
    let id = os.create(&body).await;
    assert!(os.package(&id).await["due"]
        .as_str()
        .is_some_and(|s| s.starts_with(&due_text)));
    os.advance(3601.0).await;
    assert_eq!(os.package(&id).await["status"], "EXPIRED");
    let resp = os.act(&id, "Signer1", "sign", json!({})).await;
    os_error(resp, 400, "error.validation.packageNotActive").await;
}

fn civil(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[tokio::test]
async fn trash_restore_and_delete() {
    let os = start().await;
    let id = os.create(&two_signers("Trash me")).await;
    let keep = os.create(&two_signers("Keep me")).await;
    let resp = os.set_status(&id, json!({"trashed": true})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(os.package(&id).await["trashed"], true);
    let list = os.get_json("/packages?from=1&to=10").await;
    assert_eq!(list["count"], 1);
    assert_eq!(list["results"][0]["id"], keep.as_str());
    let trash = os.get_json("/packages?query=TRASHED&from=1&to=10").await;
    assert_eq!(trash["count"], 1);
    assert_eq!(trash["results"][0]["id"], id.as_str());

    let resp = os.set_status(&id, json!({"trashed": false})).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(os.get_json("/packages?from=1&to=10").await["count"], 2);

    let resp = os
        .api(reqwest::Method::DELETE, &format!("/packages/{}", enc(&id)))
        .send()
        .await
        .expect("delete");
    assert_eq!(resp.status(), 204);
    let resp = os
        .api(reqwest::Method::GET, &format!("/packages/{}", enc(&id)))
        .send()
        .await
        .expect("get");
    os_error(resp, 404, "error.notFound.packageNotFound").await;
    let ctl: Value = os
        .http
        .get(os.url("/_sim/onespan/packages"))
        .send()
        .await
        .expect("ctl")
        .json()
        .await
        .expect("json");
    assert_eq!(ctl["created"], 2, "deleted packages still count as created");
    assert_eq!(ctl["packages"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn list_pages_over_250_packages() {
    let os = start().await;
    let content = pdf_b64("Paged");
    for i in 0..250 {
        let body = json!({"name": format!("Paged {i:03}"),
                          "documents": [{"name": "D", "base64Content": content}]});
        os.create(&body).await;
    }
    let mut seen = std::collections::HashSet::new();
    for (from, to, expect) in [(1, 100, 100), (101, 200, 100), (201, 300, 50)] {
        let page = os.get_json(&format!("/packages?from={from}&to={to}")).await;
        assert_eq!(page["count"], 250);
        let results = page["results"].as_array().expect("results");
        assert_eq!(results.len(), expect);
        for r in results {
            assert!(seen.insert(r["id"].as_str().expect("id").to_owned()));
        }
    }
    assert_eq!(seen.len(), 250);
    let first = os.get_json("/packages?from=1&to=1").await;
    assert_eq!(first["results"].as_array().map(Vec::len), Some(1));
    assert_eq!(first["results"][0]["name"], "Paged 249", "newest first");
    let default = os.get_json("/packages").await;
    assert_eq!(default["results"].as_array().map(Vec::len), Some(10));
    let sent = os.get_json("/packages?query=SENT&from=1&to=10").await;
    assert_eq!(sent["count"], 0);
    let drafts = os.get_json("/packages?query=DRAFT&from=241&to=260").await;
    assert_eq!(drafts["count"], 250);
    assert_eq!(drafts["results"].as_array().map(Vec::len), Some(10));

    let resp = os
        .api(reqwest::Method::GET, "/packages?from=0&to=10")
        .send()
        .await
        .expect("list");
    os_error(resp, 400, "error.validation.invalidPaging").await;
    let resp = os
        .api(reqwest::Method::GET, "/packages?from=1&to=101")
        .send()
        .await
        .expect("list");
    os_error(resp, 400, "error.validation.invalidPaging").await;
    let resp = os
        .api(reqwest::Method::GET, "/packages?query=NOPE")
        .send()
        .await
        .expect("list");
    os_error(resp, 400, "error.validation.invalidQuery").await;
    let ctl: Value = os
        .http
        .get(os.url("/_sim/onespan/packages"))
        .send()
        .await
        .expect("ctl")
        .json()
        .await
        .expect("json");
    assert_eq!(ctl["created"], 250);
}

// ---------------------------------------------------------------------------------------------
// Callbacks

#[tokio::test]
async fn callbacks_carry_the_key_and_events_in_order_and_failures_replay() {
    let os = start().await;
    let receiver = common::Receiver::start(vec![]);
    let events = [
        "PACKAGE_CREATE",
        "PACKAGE_ACTIVATE",
        "DOCUMENT_SIGNED",
        "SIGNER_COMPLETE",
        "PACKAGE_COMPLETE",
        "PACKAGE_DECLINE",
    ];
    let resp = os
        .send_json(
            reqwest::Method::POST,
            "/callback",
            &json!({"url": receiver.url, "key": "cb-secret-0001", "events": events}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let reg = os.get_json("/callback").await;
    assert_eq!(reg["url"], receiver.url.as_str());
    assert!(
        reg.get("key").is_none(),
        "the key is not served back: {reg}"
    );
    assert_eq!(reg["events"].as_array().map(Vec::len), Some(events.len()));

    let mut body = two_signers("Notified");
    body["roles"] = json!([{"id": "Solo", "signers": [{"id": "soloSigner01", "email": "solo@example.com", "firstName": "Solo", "lastName": "Signer"}]}]);
    body["documents"][0]["approvals"] = json!([{"role": "Solo"}]);
    body["status"] = json!("SENT");
    let id = os.create(&body).await;
    assert_eq!(os.act(&id, "Solo", "sign", json!({})).await.status(), 200);

    let got = receiver.wait_for(5, Duration::from_secs(20)).await;
    let names: Vec<String> = got
        .iter()
        .map(|r| r.json()["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        names,
        [
            "PACKAGE_CREATE",
            "PACKAGE_ACTIVATE",
            "DOCUMENT_SIGNED",
            "SIGNER_COMPLETE",
            "PACKAGE_COMPLETE"
        ]
    );
    for r in &got {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("authorization"), Some("Basic cb-secret-0001"));
        assert!(r
            .header("content-type")
            .is_some_and(|c| c.starts_with("application/json")));
        let v = r.json();
        assert_eq!(
            v["@class"],
            "com.silanis.esl.packages.event.ESLProcessEvent"
        );
        assert_eq!(v["packageId"], id.as_str());
        assert!(v["createdDate"].as_str().is_some_and(|d| d.ends_with('Z')));
    }
    let signed = got[2].json();
    assert_eq!(signed["sessionUser"], "soloSigner01");
    assert!(signed["documentId"].is_string());
    assert_eq!(got[0].json()["sessionUser"], "sbSimOwner01");

    // The decline reason travels in `message`.
    let mut body = two_signers("Declined");
    body["status"] = json!("SENT");
    let id2 = os.create(&body).await;
    os.act(&id2, "Signer1", "decline", json!({"reason": "Not today"}))
        .await;
    let got = receiver.wait_for(8, Duration::from_secs(20)).await;
    let decline = got
        .iter()
        .map(|r| r.json())
        .find(|v| v["name"] == "PACKAGE_DECLINE")
        .expect("decline event");
    assert_eq!(decline["message"], "Not today");
    assert_eq!(decline["packageId"], id2.as_str());
    let log = os.deliveries(8).await;
    assert!(log.iter().all(|d| d["status"] == 200), "{log:?}");
    drop(receiver);

    // A receiver that fails once: recorded, then replayed.
    let flaky = common::Receiver::start(vec![500]);
    os.send_json(
        reqwest::Method::POST,
        "/callback",
        &json!({"url": flaky.url, "key": "k2", "events": ["PACKAGE_TRASH"]}),
    )
    .await;
    os.set_status(&id, json!({"trashed": true})).await;
    let log = os.deliveries(9).await;
    let last = log.last().expect("delivery");
    assert_eq!(last["event"], "PACKAGE_TRASH");
    assert_eq!(last["status"], 500);
    let resp = os
        .control(
            reqwest::Method::POST,
            "/_sim/onespan/callbacks/replay",
            json!({}),
        )
        .await;
    let v: Value = resp.json().await.expect("json");
    assert_eq!(v["replayed"], 1);
    let got = flaky.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(got[1].json()["name"], "PACKAGE_TRASH");
    let log = os.deliveries(9).await;
    let last = log.last().expect("delivery");
    assert_eq!(last["status"], 200);
    assert_eq!(last["attempts"], 2);
    drop(flaky);

    // A receiver that is gone: status null and an error.
    let gone = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/gone", l.local_addr().expect("addr"))
    };
    os.send_json(
        reqwest::Method::POST,
        "/callback",
        &json!({"url": gone, "key": "k3", "events": ["PACKAGE_RESTORE"]}),
    )
    .await;
    os.set_status(&id, json!({"trashed": false})).await;
    let log = os.deliveries(10).await;
    let last = log.last().expect("delivery");
    assert_eq!(last["event"], "PACKAGE_RESTORE");
    assert!(last["status"].is_null());
    assert!(last["error"].as_str().is_some_and(|e| !e.is_empty()));

    // Unknown events are refused.
    let resp = os
        .send_json(
            reqwest::Method::POST,
            "/callback",
            &json!({"url": gone, "events": ["NOT_AN_EVENT"]}),
        )
        .await;
    os_error(resp, 400, "error.validation.unknownEvent").await;
}

// ---------------------------------------------------------------------------------------------
// Signing page

#[tokio::test]
async fn signing_page_by_get_and_form_post() {
    let os = start().await;
    let mut body = two_signers("Página de firma");
    body["status"] = json!("SENT");
    let id = os.create(&body).await;
    let url_of = |role: &str| format!("/packages/{}/roles/{role}/signingUrl", enc(&id));
    let u1 = os.get_json(&url_of("Signer1")).await;
    assert_eq!(u1["packageId"], id.as_str());
    assert_eq!(u1["roleId"], "Signer1");
    let url1 = u1["url"].as_str().expect("url").to_owned();
    assert!(url1.starts_with(&format!("{}/access?sessionToken=", os.sim.base_url())));
    assert_eq!(
        os.get_json(&url_of("Signer1")).await["url"],
        url1.as_str(),
        "stable URL"
    );
    let url2 = os.get_json(&url_of("Signer2")).await["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let token1 = common::query_get(&url1, "sessionToken").expect("token");

    // The second signer waits.
    let page2 = os
        .http
        .get(&url2)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page2.contains("waiting for other signers"), "{page2}");
    assert!(!page2.contains("name=\"accept\""));

    // The first signer's page.
    let page = os.http.get(&url1).send().await.expect("page");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("html");
    assert!(html.contains("Página de firma"), "{html}");
    assert!(html.contains("Contract"));
    assert!(html.contains("I have read and accept"));
    assert!(html.contains("Decline"));
    assert!(html.contains("Opt out"));
    let action = signbridge_sim::client::form_action(&html).expect("form action");
    assert_eq!(action, "/access");
    let doc_href = html
        .split("href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("document link")
        .replace("&amp;", "&");
    let doc = os.http.get(os.url(&doc_href)).send().await.expect("doc");
    assert_eq!(doc.status(), 200);
    assert!(doc.bytes().await.expect("pdf").starts_with(b"%PDF-"));

    // Sign without accepting: the page shows an error, nothing is signed.
    let resp = os
        .http
        .post(os.url(&action))
        .form(&[("sessionToken", token1.as_str()), ("action", "sign")])
        .send()
        .await
        .expect("post");
    let html = resp.text().await.expect("html");
    assert!(html.contains("class=\"error\""), "{html}");
    assert!(html.contains("accept the documents before signing"));
    let st = os
        .get_json(&format!(
            "/packages/{}/signingStatus?signer=Signer1",
            enc(&id)
        ))
        .await;
    assert_eq!(st["status"], "SIGNING_PENDING");

    // With the checkbox.
    let resp = os
        .http
        .post(os.url(&action))
        .form(&[
            ("sessionToken", token1.as_str()),
            ("action", "sign"),
            ("accept", "on"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.expect("html");
    assert!(html.contains("Thank you"), "{html}");
    assert!(html.contains("waiting for other signers"));

    // Now the second signer can sign; the completion page hands over.
    let html = os
        .http
        .get(&url2)
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("name=\"accept\""));
    let token2 = common::query_get(&url2, "sessionToken").expect("token");
    let resp = os
        .http
        .post(os.url("/access"))
        .form(&[
            ("sessionToken", token2.as_str()),
            ("action", "sign"),
            ("accept", "on"),
        ])
        .send()
        .await
        .expect("post");
    let html = resp.text().await.expect("html");
    assert!(html.contains("The transaction is complete"), "{html}");
    assert!(html.contains("href=\"https://example.com/done\""));
    assert!(html.contains("Back to the shop"));
    assert_eq!(os.package(&id).await["status"], "COMPLETED");

    // Declining through the page.
    let mut body = two_signers("Decline on the page");
    body["status"] = json!("SENT");
    let id = os.create(&body).await;
    let url = os
        .get_json(&format!("/packages/{}/roles/Signer1/signingUrl", enc(&id)))
        .await["url"]
        .as_str()
        .expect("url")
        .to_owned();
    let token = common::query_get(&url, "sessionToken").expect("token");
    let resp = os
        .http
        .post(os.url("/access"))
        .form(&[
            ("sessionToken", token.as_str()),
            ("action", "decline"),
            ("reason", "The price is wrong"),
        ])
        .send()
        .await
        .expect("post");
    let html = resp.text().await.expect("html");
    assert!(html.contains("was declined"), "{html}");
    assert_eq!(os.package(&id).await["status"], "DECLINED");

    // An unknown session token.
    let resp = os
        .http
        .get(os.url("/access?sessionToken=nope"))
        .send()
        .await
        .expect("page");
    assert_eq!(resp.status(), 404);
}

// ---------------------------------------------------------------------------------------------
// Errors and plumbing

#[tokio::test]
async fn every_failure_is_json_in_the_onespan_shape() {
    let os = start().await;
    let id = os.create(&two_signers("Errors")).await;
    let missing = "AAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let resp = os
        .api(reqwest::Method::GET, &format!("/packages/{}", enc(missing)))
        .send()
        .await
        .expect("get");
    os_error(resp, 404, "error.notFound.packageNotFound").await;
    let resp = os
        .api(
            reqwest::Method::GET,
            &format!("/packages/{}/documents/{}/pdf", enc(&id), enc(missing)),
        )
        .send()
        .await
        .expect("get");
    os_error(resp, 404, "error.notFound.documentNotFound").await;
    let resp = os
        .api(
            reqwest::Method::GET,
            &format!("/packages/{}/roles/Nobody", enc(&id)),
        )
        .send()
        .await
        .expect("get");
    os_error(resp, 404, "error.notFound.roleNotFound").await;
    let resp = os
        .api(
            reqwest::Method::GET,
            &format!("/packages/{}/nonsense", enc(&id)),
        )
        .send()
        .await
        .expect("get");
    os_error(resp, 404, "error.notFound.endpoint").await;
    let resp = os
        .api(reqwest::Method::PATCH, &format!("/packages/{}", enc(&id)))
        .send()
        .await
        .expect("patch");
    os_error(resp, 405, "error.methodNotAllowed").await;
    let resp = os
        .api(reqwest::Method::POST, "/packages")
        .header("Content-Type", JSON_CT)
        .body("{not json")
        .send()
        .await
        .expect("create");
    os_error(resp, 400, "error.validation.invalidJson").await;
    let resp = os
        .send_json(
            reqwest::Method::POST,
            "/packages",
            &json!({"name": "No email", "roles": [{"id": "R", "signers": [{"firstName": "X"}]}]}),
        )
        .await;
    os_error(resp, 400, "error.validation.signerEmail").await;
    let resp = os
        .send_json(
            reqwest::Method::POST,
            "/packages",
            &json!({"name": "Not a pdf", "documents": [{"name": "x", "base64Content": STANDARD.encode("plain text")}]}),
        )
        .await;
    os_error(resp, 400, "error.validation.invalidDocument").await;
    let resp = os
        .send_json(
            reqwest::Method::POST,
            "/packages",
            &json!({"name": "Ghost role", "documents": [{"name": "x", "base64Content": pdf_b64("x"), "approvals": [{"role": "Ghost"}]}]}),
        )
        .await;
    os_error(resp, 400, "error.validation.approvalRoleNotFound").await;
    let resp = os
        .send_json(reqwest::Method::POST, "/packages", &json!({"roles": []}))
        .await;
    os_error(resp, 400, "error.validation.packageName").await;
    let resp = os
        .http
        .get(os.url(&format!("/api/packages/{}", enc(&id))))
        .header("Authorization", "Bearer not-a-token")
        .send()
        .await
        .expect("get");
    os_error(resp, 401, "error.unauthorised.invalidToken").await;
    let resp = os
        .control(
            reqwest::Method::POST,
            &format!("/_sim/onespan/packages/{}/roles/Signer1/sign", enc(missing)),
            json!({}),
        )
        .await;
    os_error(resp, 404, "error.notFound.packageNotFound").await;

    // ZignSec's surface keeps its own shape.
    let resp = os
        .http
        .get(os.url("/api/v5/nothing/here/at/all"))
        .header("Zs-Product-Key", signbridge_sim::DEFAULT_PRIMARY_KEY)
        .send()
        .await
        .expect("zignsec");
    let v: Value = resp.json().await.expect("json");
    assert!(v["errors"].is_array(), "{v}");
}

#[tokio::test]
async fn requests_are_logged_and_faults_apply_to_onespan_paths() {
    let os = start().await;
    let resp = os
        .control(
            reqwest::Method::POST,
            "/_sim/faults",
            json!({"kind": "status", "status": 503, "path_prefix": "/api/packages", "count": 1}),
        )
        .await;
    assert_eq!(resp.status(), 204);
    let resp = os
        .api(reqwest::Method::GET, "/packages")
        .send()
        .await
        .expect("list");
    os_error(resp, 503, "error.simulator.injectedFault").await;
    let resp = os
        .api(reqwest::Method::GET, "/packages")
        .send()
        .await
        .expect("list");
    assert_eq!(resp.status(), 200);
    let log: Value = os
        .http
        .get(os.url("/_sim/requests"))
        .send()
        .await
        .expect("log")
        .json()
        .await
        .expect("json");
    let paths: Vec<&str> = log
        .as_array()
        .expect("log")
        .iter()
        .filter_map(|r| r["path"].as_str())
        .collect();
    assert_eq!(paths.iter().filter(|p| **p == "/api/packages").count(), 2);
}

#[tokio::test]
async fn signer_authentication_tokens_redeem_to_the_signing_page() {
    let os = start().await;
    let mut body = two_signers("Token login");
    body["status"] = json!("SENT");
    let id = os.create(&body).await;
    let resp = os
        .send_json(
            reqwest::Method::POST,
            "/authenticationTokens/signer/singleUse",
            &json!({"packageId": id, "signerId": "Signer1"}),
        )
        .await;
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.expect("json");
    let token = v["value"].as_str().expect("value").to_owned();
    let resp = os
        .http
        .get(os.url(&format!("/auth?signerAuthenticationToken={}", enc(&token))))
        .send()
        .await
        .expect("auth");
    assert_eq!(resp.status(), 303);
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_owned();
    assert!(location.starts_with("/access?sessionToken="));
    let html = os
        .http
        .get(os.url(&location))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("Token login"));
    // Single use.
    let resp = os
        .http
        .get(os.url(&format!("/auth?signerAuthenticationToken={}", enc(&token))))
        .send()
        .await
        .expect("auth");
    os_error(resp, 401, "error.unauthorised.invalidAuthenticationToken").await;
}

#[tokio::test]
async fn served_on_the_mutual_tls_listener_with_its_own_base_url() {
    use rustls::pki_types::pem::PemObject as _;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};

    let dir = tempfile::tempdir().expect("tempdir");
    let sim = Simulator::start(SimConfig {
        quiet: true,
        tls_dir: Some(dir.path().to_path_buf()),
        ..SimConfig::default()
    })
    .await
    .expect("start with TLS");
    let pki = signbridge_sim::TestPki::in_dir(dir.path());
    let _ = common::client(); // installs the ring provider once
    let certs = |p: &std::path::Path| {
        CertificateDer::pem_file_iter(p)
            .expect("pem")
            .collect::<Result<Vec<_>, _>>()
            .expect("certs")
    };
    let mut roots = rustls::RootCertStore::empty();
    for c in certs(&pki.ca_cert) {
        roots.add(c).expect("root");
    }
    let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_root_certificates(roots)
    .with_client_auth_cert(
        certs(&pki.client_cert),
        PrivateKeyDer::from_pem_file(&pki.client_key).expect("key"),
    )
    .expect("client auth");
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(config)
        .build()
        .expect("client");
    let tls_base = sim.tls_base_url().expect("tls base").to_owned();

    let mut body = two_signers("Over mTLS");
    body["status"] = json!("SENT");
    let resp = http
        .post(format!("{tls_base}/api/packages"))
        .header("Authorization", format!("Basic {ONESPAN_API_KEY}"))
        .header("Content-Type", JSON_CT)
        .body(body.to_string())
        .send()
        .await
        .expect("create over mTLS");
    assert_eq!(resp.status(), 200);
    let id = resp.json::<Value>().await.expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let resp = http
        .get(format!(
            "{tls_base}/api/packages/{}/roles/Signer1/signingUrl",
            enc(&id)
        ))
        .header("Authorization", format!("Basic {ONESPAN_API_KEY}"))
        .send()
        .await
        .expect("signing url");
    let url = resp.json::<Value>().await.expect("json")["url"]
        .as_str()
        .expect("url")
        .to_owned();
    assert!(
        url.starts_with(&format!("{tls_base}/access?sessionToken=")),
        "{url}"
    );
    let page = http.get(&url).send().await.expect("page");
    assert_eq!(page.status(), 200);
    assert!(page.text().await.expect("html").contains("Over mTLS"));
}
