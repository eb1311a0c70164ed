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

    /// A document download (`/folders/…`): the key in `Authorization` (seed 001).
    pub fn get_media(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .get(self.url(path))
            .header("Authorization", &self.key)
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
        let resp = self.sign(&id, json!({"id": id, "file_id": file_id})).await;
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

/// One request a [`Receiver`] got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("webhook body is JSON")
    }
}

/// A tiny std-only HTTP receiver for webhooks on 127.0.0.1. It answers the given statuses in
/// order, then 200 for everything after. Stops when dropped.
pub struct Receiver {
    pub url: String,
    got: std::sync::Arc<std::sync::Mutex<Vec<Received>>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Receiver {
    pub fn start(statuses: Vec<u16>) -> Receiver {
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::{Arc, Mutex};

        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind receiver");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!(
            "http://{}/hooks/zignsec",
            listener.local_addr().expect("addr")
        );
        let got = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (got2, stop2) = (got.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            let mut statuses = std::collections::VecDeque::from(statuses);
            while !stop2.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let status = statuses.pop_front().unwrap_or(200);
                        if let Some(r) = serve_one(stream, status) {
                            got2.lock().expect("lock").push(r);
                        }
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(2)),
                }
            }
        });
        Receiver {
            url,
            got,
            stop,
            thread: Some(thread),
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.got.lock().expect("lock").clone()
    }

    /// Waits (real time) until at least `n` requests arrived.
    pub async fn wait_for(&self, n: usize, timeout: std::time::Duration) -> Vec<Received> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "expected {n} webhook requests, got {}: {got:?}",
                got.len()
            );
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn serve_one(mut stream: std::net::TcpStream, status: u16) -> Option<Received> {
    use std::io::{Read as _, Write as _};
    stream.set_nonblocking(false).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .ok()?;
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split_whitespace();
    let method = first.next()?.to_owned();
    let path = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = raw[head_end + 4..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    let answer =
        format!("HTTP/1.1 {status} Simulated\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = stream.write_all(answer.as_bytes());
    Some(Received {
        method,
        path,
        headers,
        body,
    })
}

/// Lowercase hex HMAC-SHA256, computed independently of the simulator.
pub fn hmac_hex(secret: &str, data: &[u8]) -> String {
    use hmac::Mac as _;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("hmac key");
    mac.update(data);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The query pairs of a redirect `Location`.
pub fn query_pairs(location: &str) -> Vec<(String, String)> {
    url::Url::parse(location)
        .expect("absolute location")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub fn query_get(location: &str, key: &str) -> Option<String> {
    query_pairs(location)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}
