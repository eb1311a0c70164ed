//! Shared helpers for the simulator's integration tests.
#![allow(dead_code)]

use std::sync::Once;

use serde_json::{json, Value};
use signbridge_sim::{SimConfig, Simulator, DEFAULT_PRIMARY_KEY};

static PROVIDER: Once = Once::new();

/// A reqwest client that never follows redirects (rustls/ring installed for completeness).
pub fn client() -> reqwest::Client {
    PROVIDER.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub struct Ctx {
    pub sim: Simulator,
    pub http: reqwest::Client,
    pub key: String,
}

pub async fn start() -> Ctx {
    let sim = Simulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .await
    .expect("start simulator");
    Ctx {
        sim,
        http: client(),
        key: DEFAULT_PRIMARY_KEY.to_owned(),
    }
}

impl Ctx {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(self.url(path))
            .header("Zs-Product-Key", &self.key)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(self.url(path))
            .header("Zs-Product-Key", &self.key)
    }

    pub async fn create(&self, body: Value) -> String {
        let resp = self
            .post("/api/v5/sessions/signing")
            .json(&body)
            .send()
            .await
            .expect("create");
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.expect("json");
        assert_eq!(v["status"], "Created");
        v["id"].as_str().expect("id").to_owned()
    }

    pub async fn upload(&self, id: &str, name: &str, pdf: Vec<u8>) -> Value {
        let part = reqwest::multipart::Part::bytes(pdf)
            .file_name(name.to_owned())
            .mime_str("application/pdf")
            .expect("mime");
        let form = reqwest::multipart::Form::new().part("file", part);
        let resp = self
            .post(&format!("/api/v5/sessions/signing/{id}/files"))
            .multipart(form)
            .send()
            .await
            .expect("upload");
        assert_eq!(resp.status(), 201);
        resp.json().await.expect("json")
    }

    pub async fn sign(&self, id: &str, body: Value) -> reqwest::Response {
        self.post(&format!("/api/v5/sessions/signing/{id}/sign"))
            .json(&body)
            .send()
            .await
            .expect("sign")
    }

    pub async fn session(&self, id: &str) -> Value {
        let resp = self
            .get(&format!("/api/v5/sessions/signing/{id}"))
            .send()
            .await
            .expect("get session");
        assert_eq!(resp.status(), 200);
        resp.json().await.expect("json")
    }

    /// Creates a session with one uploaded sample file and starts signing it.
    pub async fn pending_session(&self, create: Value) -> (String, String) {
        let id = self.create(create).await;
        let up = self
            .upload(
                &id,
                "contract.pdf",
                signbridge_sim::sample_pdf("Contract", 1),
            )
            .await;
        let file_id = up["file_id"].as_str().expect("file_id").to_owned();
        let resp = self
            .sign(&id, json!({"files": [{"file_id": file_id}]}))
            .await;
        assert_eq!(resp.status(), 200);
        (id, file_id)
    }

    pub async fn control(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Value,
    ) -> reqwest::Response {
        self.http
            .request(method, self.url(path))
            .json(&body)
            .send()
            .await
            .expect("control request")
    }

    pub async fn fault(&self, body: Value) {
        let resp = self
            .control(reqwest::Method::POST, "/_sim/faults", body)
            .await;
        assert_eq!(resp.status(), 204);
    }
}

/// Asserts the contract error shape and returns the code.
pub async fn error_code(resp: reqwest::Response, status: u16) -> String {
    assert_eq!(resp.status().as_u16(), status);
    let v: Value = resp.json().await.expect("error json");
    let item = &v["errors"][0];
    assert_eq!(item["statusCode"], status, "body: {v}");
    assert!(item["description"].as_str().is_some(), "body: {v}");
    item["code"].as_str().expect("code").to_owned()
}

/// Base64 of the 16-byte MD5 digest, the format of the provider's `md5` field.
pub fn md5_b64(data: &[u8]) -> String {
    use base64::Engine as _;
    use md5::Digest as _;
    base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(data))
}
