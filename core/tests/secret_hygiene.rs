//! Run flows with every log at TRACE level (signbridge, reqwest, hyper, rustls…) and scan all
//! log lines, error messages and Debug strings for the configured secrets: zero hits allowed.
//!
//! Every provider and every way it authenticates, each on its success path and its error paths:
//! ZignSec subscription keys (rotation, a revoked key, wrong keys), OAuth2 (bearer + key, an
//! expired token replaced after a 401, a wrong client secret) and two-way TLS; Securosys role
//! keys (rollover from an invalid key, all keys invalid), a static JWT (and a wrong one), a JWT
//! from OAuth2 and mutual TLS; OneSpan API key (and a wrong one), Client App and OAuth2 (revoked
//! tokens replaced after a 401, wrong secrets) and the callback key; webhook secrets. Access
//! tokens the client fetched are never known to the test: any JWT-shaped text is a hit.

use std::io::Write;

use base64::Engine as _;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use signbridge::blocking::Client;
use signbridge::providers::onespan::{
    CallbackVerifier, DocumentSpec, ListQuery, NewPackage, SignatureField, Signer,
};
use signbridge::providers::securosys::{CreateKey, KeySpec, PayloadKind};
use signbridge::providers::zignsec::{CreateSigning, Document};
use signbridge::webhook::{sign_v5, WebhookVerifier};
use signbridge::{Config, ErrorCode, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{BackgroundSimulator, SimConfig};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Everything a user could see (Debug output, error texts), and the secrets none may contain.
#[derive(Default)]
struct Scan {
    texts: Vec<String>,
    secrets: Vec<String>,
    /// How many opaque (not JWT) issued tokens are among the secrets.
    issued_opaque: usize,
}

impl Scan {
    fn secret(&mut self, s: &str) -> String {
        self.secrets.push(s.to_string());
        s.to_string()
    }
    /// A secret and the encodings it travels in: URL-encoded (form bodies), and base64 of
    /// `id:secret` (HTTP Basic client authentication, each part form-encoded first).
    fn client_secret(&mut self, id: &str, s: &str) -> String {
        let form = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        let b64 = |v: String| base64::engine::general_purpose::STANDARD.encode(v);
        self.secrets.push(form(s));
        self.secrets.push(b64(format!("{id}:{s}")));
        self.secrets.push(b64(format!("{}:{}", form(id), form(s))));
        self.secret(s)
    }
    fn saw(&mut self, t: impl Into<String>) {
        self.texts.push(t.into());
    }
    /// An error answer that reflected the request (the simulator's `echo` fault): the error
    /// has `code`, shows the echo reached it (the request line, with the credentials replaced),
    /// and none of its texts has a raw line break (log injection) or more than the capped
    /// amount of provider text. Its texts are kept for the scan.
    fn echoed<T: std::fmt::Debug>(
        &mut self,
        r: signbridge::Result<T>,
        code: ErrorCode,
        what: &str,
    ) {
        let e = match r {
            Ok(v) => panic!("{what}: expected {code:?}, got {v:?}"),
            Err(e) => e,
        };
        assert_eq!(e.code(), code, "{what}: {e}");
        let description = e.provider_description().unwrap_or_default();
        assert!(
            description.contains("\\n"),
            "{what}: the echo did not reach the error: {e:?}"
        );
        assert!(
            description.contains("[REDACTED]"),
            "{what}: the echoed credentials were not replaced: {e:?}"
        );
        for t in [
            e.message(),
            e.provider_code().unwrap_or_default(),
            description,
        ] {
            assert!(
                !t.contains(['\n', '\r']),
                "{what}: a raw line break in {t:?}"
            );
        }
        assert!(
            description.len() <= 2200 && e.message().len() <= 6000,
            "{what}: provider text is not capped ({} / {} bytes)",
            description.len(),
            e.message().len()
        );
        self.saw(format!("{e} {e:?}"));
    }
    /// An error the flow must produce, with `code`; its texts are kept for the scan.
    fn err<T: std::fmt::Debug>(&mut self, r: signbridge::Result<T>, code: ErrorCode, what: &str) {
        match r {
            Ok(v) => panic!("{what}: expected {code:?}, got {v:?}"),
            Err(e) => {
                assert_eq!(e.code(), code, "{what}: {e}");
                self.saw(format!("{e} {e:?}"));
            }
        }
    }
}

fn control(sim: &BackgroundSimulator, method: &str, path: &str, body: Value) {
    let r = http::send_json(method, &format!("{}{path}", sim.base_url()), &body).expect("control");
    assert!(r.status < 300, "{path}: {} {}", r.status, r.text());
}

fn client(scan: &mut Scan, cfg: Value) -> Client {
    let cfg = Config::from_json(&cfg.to_string()).expect("config");
    scan.saw(format!("{cfg:?}"));
    let c = Client::new(cfg).expect("client");
    scan.saw(format!("{c:?}"));
    c
}

/// Queue the simulator's `echo` fault: the next `count` requests under `path_prefix` are
/// answered with `status` and an error text that reflects their headers and body.
fn echo(sim: &BackgroundSimulator, status: u16, path_prefix: &str, count: u32) {
    control(
        sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "echo", "status": status, "path_prefix": path_prefix, "count": count}),
    );
}

fn sim_with(cfg: SimConfig) -> BackgroundSimulator {
    BackgroundSimulator::start(SimConfig { quiet: true, ..cfg }).expect("sim")
}

/// The lines of a PEM file's body: the key material, which must never be printed.
fn pem_body_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("pem")
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 40)
        .map(str::to_string)
        .collect()
}

/// Text that looks like a JWT (`eyJ…` header, a dot, `eyJ…` claims): an access token.
fn jwt_like(all: &str) -> Vec<String> {
    let b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let mut hits = Vec::new();
    for (i, _) in all.match_indices("eyJ") {
        let rest = &all[i..];
        let head: String = rest.chars().take_while(|&c| b64(c)).collect();
        if head.len() >= 10 && rest[head.len()..].starts_with(".eyJ") {
            hits.push(rest.chars().take(60).collect());
        }
    }
    hits
}

fn zignsec_keys(scan: &mut Scan) {
    let primary = scan.secret("hygiene-primary-7f3a9c21d4e8");
    let secondary = scan.secret("hygiene-secondary-0b6e5d4c3a21");
    let wrong = scan.secret("hygiene-wrong-key-5a5a5a5a5a");
    let also_wrong = scan.secret("hygiene-also-wrong-1234");
    let sim = sim_with(SimConfig {
        zignsec_keys: vec![primary.clone(), secondary.clone()],
        ..SimConfig::default()
    });
    let zs = |scan: &mut Scan, keys: &[&str]| {
        client(
            scan,
            json!({"zignsec": {"base_url": sim.base_url(), "keys": keys},
                   "transport": {"backoff_base_ms": 10}}),
        )
    };
    // A whole flow, with the first key rejected (rotation) and faults on the way.
    let c = zs(scan, &[&wrong, &secondary]);
    let s = c.zignsec_signing().expect("signing");
    scan.saw(format!("{s:?}"));
    let doc = Document {
        name: "a.pdf".into(),
        data: signbridge_sim::sample_pdf("hygiene", 1).into(),
        placement: None,
    };
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "status", "status": 500, "count": 1, "method": "GET"}),
    );
    let started = s
        .sign_documents(&CreateSigning::default(), &[doc])
        .expect("started");
    control(
        &sim,
        "POST",
        &format!("/_sim/zignsec/signing/{}/complete", started.id),
        json!({}),
    );
    let done = s
        .wait(
            &started.id,
            &WaitOptions {
                interval: Duration::from_millis(50),
                ..WaitOptions::default()
            },
        )
        .expect("finished");
    scan.saw(format!("{done:?}"));
    let dir = tempfile::tempdir().expect("tmp");
    s.save_signed_files(&done, dir.path()).expect("saved");

    // Failures: both keys wrong, unknown session.
    let bad = zs(scan, &[&wrong, &also_wrong]);
    let r = bad
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default());
    scan.err(r, ErrorCode::Auth, "wrong keys");
    let r = s.status("00000000-0000-4000-8000-000000000000");
    scan.err(r, ErrorCode::NotFound, "unknown session");

    // A revoked key: the other one takes over; with both revoked the call is refused.
    let c = zs(scan, &[&primary, &secondary]);
    let s = c.zignsec_signing().expect("signing");
    control(
        &sim,
        "POST",
        "/_sim/zignsec/keys/revoke",
        json!({"key": primary}),
    );
    s.create(&CreateSigning::default())
        .expect("the secondary key takes over");
    control(
        &sim,
        "POST",
        "/_sim/zignsec/keys/revoke",
        json!({"key": secondary}),
    );
    let r = s.create(&CreateSigning::default());
    scan.err(r, ErrorCode::Auth, "both keys revoked");

    // Configuration errors: a key in the wrong field or of the wrong type.
    for bad in [
        json!({"zignsec": {"keys": primary}}),
        json!({"zignsec": {"environment": primary}}),
        json!({"zignsec": {"key_header": secondary, "keys": [secondary]}}),
    ] {
        let r = Config::from_json(&bad.to_string());
        scan.err(r, ErrorCode::InvalidConfig, "bad config");
    }
}

/// A gateway that echoes what it refused (every header, the body) into its error answers.
fn zignsec_echo(scan: &mut Scan) {
    let primary = scan.secret("hygiene-echo-primary-3e9d1b");
    let secondary = scan.secret("hygiene-echo-secondary-77c2");
    let sim = sim_with(SimConfig {
        zignsec_keys: vec![primary.clone(), secondary.clone()],
        ..SimConfig::default()
    });
    let c = client(
        scan,
        json!({"zignsec": {"base_url": sim.base_url(), "keys": [primary, secondary]},
               "transport": {"backoff_base_ms": 10, "max_attempts": 2}}),
    );
    let s = c.zignsec_signing().expect("signing");
    // Both keys refused, each answer echoing the key it got.
    echo(&sim, 401, "/api/v5/", 2);
    scan.echoed(
        s.create(&CreateSigning::default()),
        ErrorCode::Auth,
        "echo 401",
    );
    echo(&sim, 400, "/api/v5/", 1);
    scan.echoed(
        s.create(&CreateSigning::default()),
        ErrorCode::Provider,
        "echo 400",
    );
    // An upload refused: the echo holds the whole PDF, far more than the cap.
    let session = s.create(&CreateSigning::default()).expect("create");
    echo(
        &sim,
        400,
        &format!("/api/v5/sessions/signing/{}/files", session.id),
        1,
    );
    let pdf = signbridge_sim::sample_pdf("hygiene echo", 3);
    scan.echoed(
        s.upload_bytes(&session.id, "a.pdf", pdf),
        ErrorCode::Provider,
        "echoed upload",
    );
    // A poll that fails (both attempts echoed) is logged as a warning; the wait goes on.
    let doc = Document {
        name: "a.pdf".into(),
        data: signbridge_sim::sample_pdf("hygiene", 1).into(),
        placement: None,
    };
    let started = s
        .sign_documents(&CreateSigning::default(), &[doc])
        .expect("started");
    control(
        &sim,
        "POST",
        &format!("/_sim/zignsec/signing/{}/complete", started.id),
        json!({}),
    );
    echo(&sim, 503, "/api/v5/sessions/signing/", 2);
    let done = s
        .wait(
            &started.id,
            &WaitOptions {
                interval: Duration::from_millis(50),
                ..WaitOptions::default()
            },
        )
        .expect("finished after an echoed failure");
    scan.saw(format!("{done:?}"));
}

fn zignsec_oauth2(scan: &mut Scan) {
    let key = scan.secret("hygiene-oauth-product-key-31c7");
    // Characters that are encoded in a form body and in HTTP Basic: the encoded forms are
    // scanned for too.
    let client_secret = scan.client_secret("hygiene-client", "hygiene-oauth/client+secret=8e2f");
    let wrong_secret = scan.client_secret("hygiene-client", "hygiene-wrong/client secret&77aa");
    let sim = sim_with(SimConfig {
        zignsec_keys: vec![key.clone()],
        oauth_clients: vec![("hygiene-client".into(), client_secret.clone())],
        ..SimConfig::default()
    });
    control(
        &sim,
        "PUT",
        "/_sim/zignsec/auth",
        json!({"require_bearer": true}),
    );
    let cfg = |secret: &str, auth: &str| {
        json!({"zignsec": {"base_url": sim.base_url(), "keys": [key],
                "oauth2": {"client_id": "hygiene-client", "client_secret": secret,
                           "client_auth": auth}},
               "transport": {"backoff_base_ms": 10}})
    };
    for auth in ["basic", "post"] {
        let c = client(scan, cfg(&client_secret, auth));
        let s = c.zignsec_signing().expect("signing");
        let session = s.create(&CreateSigning::default()).expect("bearer create");
        // The token expires at the gateway: 401, a new token, the call repeated.
        control(
            &sim,
            "POST",
            "/_sim/clock/advance",
            json!({"seconds": 1300}),
        );
        s.status(&session.id).expect("token replaced after a 401");
        scan.saw(format!("{c:?} {s:?}"));
        let bad = client(scan, cfg(&wrong_secret, auth));
        let r = bad
            .zignsec_signing()
            .expect("signing")
            .create(&CreateSigning::default());
        scan.err(r, ErrorCode::Auth, "wrong client secret");
        // A token endpoint, then a gateway, that echo what they refused: the client secret
        // (Basic header or form body), then the access token and the product key.
        let c = client(scan, cfg(&client_secret, auth));
        let s = c.zignsec_signing().expect("signing");
        echo(&sim, 401, signbridge_sim::TOKEN_PATH, 1);
        scan.echoed(
            s.create(&CreateSigning::default()),
            ErrorCode::Auth,
            "echoing token endpoint",
        );
        echo(&sim, 401, "/api/v5/", 2);
        scan.echoed(
            s.create(&CreateSigning::default()),
            ErrorCode::Auth,
            "echoing gateway (bearer)",
        );
    }
}

fn zignsec_mtls(scan: &mut Scan) {
    let dir = tempfile::tempdir().expect("tmp");
    let pki = signbridge_sim::issue_test_pki(dir.path()).expect("pki");
    for line in pem_body_lines(&pki.client_key)
        .into_iter()
        .chain(pem_body_lines(&pki.other_client_key))
    {
        scan.secret(&line);
    }
    let key = scan.secret("hygiene-mtls-product-key-4d11");
    let sim = sim_with(SimConfig {
        zignsec_keys: vec![key.clone()],
        tls_dir: Some(dir.path().to_path_buf()),
        ..SimConfig::default()
    });
    let url = sim.tls_base_url().expect("tls listener").to_string();
    let cfg = |cert: &Path, key_file: Option<&Path>| {
        let mut cc = json!({"cert": {"file": cert}});
        if let Some(k) = key_file {
            cc["key"] = json!({"file": k});
        }
        json!({"zignsec": {"base_url": url, "keys": [key], "client_cert": cc},
               "transport": {"ca_file": pki.ca_cert, "max_attempts": 1}})
    };
    let ok = client(scan, cfg(&pki.client_cert, Some(&pki.client_key)));
    ok.zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect("two-way TLS");
    let combined = client(scan, cfg(&pki.client_combined, None));
    combined
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect("combined PEM");
    // A certificate the server does not trust; a key that is not a key; the key inline.
    let other = client(
        scan,
        cfg(&pki.other_client_cert, Some(&pki.other_client_key)),
    );
    let r = other
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default());
    match r {
        Ok(v) => panic!("an untrusted client certificate was accepted: {v:?}"),
        Err(e) => scan.saw(format!("{e} {e:?}")),
    }
    let bad_key = Config::from_json(&cfg(&pki.client_cert, Some(&pki.ca_cert)).to_string())
        .and_then(Client::new);
    scan.err(
        bad_key,
        ErrorCode::InvalidConfig,
        "a certificate as the key",
    );
    let inline = std::fs::read_to_string(&pki.client_key).expect("key");
    let mut c = cfg(&pki.client_cert, None);
    c["zignsec"]["client_cert"]["key"] = json!(inline);
    client(scan, c);
    let mut c = cfg(&pki.client_cert, None);
    c["zignsec"]["client_cert"]["key"] = json!(inline.replace("-----END", "x-----END"));
    let r = Config::from_json(&c.to_string()).and_then(Client::new);
    scan.err(r, ErrorCode::InvalidConfig, "a broken inline key");
}

fn securosys(scan: &mut Scan) {
    let km = scan.secret("hygiene-tsb-key-management-6b0d");
    let op = scan.secret("hygiene-tsb-key-operation-2c9e");
    let svc = scan.secret("hygiene-tsb-service-5f31");
    let invalid = scan.secret("hygiene-tsb-invalid-key-9a7c");
    let jwt = scan.secret("hygiene-tsb-static-jwt-0e4b8d");
    let wrong_jwt = scan.secret("hygiene-tsb-wrong-jwt-13f5");
    let client_secret = scan.client_secret("hygiene-tsb-client", "hygiene-tsb-oauth-secret-c2a8");
    let dir = tempfile::tempdir().expect("tmp");
    let pki = signbridge_sim::issue_test_pki(dir.path()).expect("pki");
    for line in pem_body_lines(&pki.client_key) {
        scan.secret(&line);
    }
    let sim = sim_with(SimConfig {
        oauth_clients: vec![("hygiene-tsb-client".into(), client_secret.clone())],
        tls_dir: Some(dir.path().to_path_buf()),
        ..SimConfig::default()
    });
    control(
        &sim,
        "PUT",
        "/_sim/securosys/auth",
        json!({"api_keys": {"keyManagementToken": [km], "keyOperationToken": [op],
                            "serviceToken": [svc]},
               "require_jwt": true, "jwts": [jwt], "accept_oauth": true}),
    );
    let hsm = |scan: &mut Scan, base: &str, extra: Value| {
        let mut s = json!({"base_url": base,
            "api_keys": {"key_management": [invalid, km], "key_operation": [op],
                         "service": [svc]}});
        if let (Some(o), Some(e)) = (s.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        client(
            scan,
            json!({"securosys": s, "transport": {"backoff_base_ms": 10, "ca_file": pki.ca_cert}}),
        )
        .securosys()
        .expect("securosys")
    };
    // Role keys with a rollover from an invalid key, and the static JWT.
    let h = hsm(scan, sim.base_url(), json!({"jwt": jwt}));
    h.create_key(&CreateKey::new("hygiene", KeySpec::P256))
        .expect("create after rollover");
    let alg = KeySpec::P256.default_signature_algorithm();
    let sig = h
        .synchronous_sign("hygiene", b"data", PayloadKind::Raw, &alg)
        .expect("sign");
    scan.saw(format!("{sig:?} {h:?}"));
    // The JWT from OAuth2, over mutual TLS with the client certificate.
    let tls = sim.tls_base_url().expect("tls").to_string();
    let h = hsm(
        scan,
        &tls,
        json!({"oauth2": {"client_id": "hygiene-tsb-client", "client_secret": client_secret,
                          "token_url": format!("{}{}", sim.base_url(), signbridge_sim::TOKEN_PATH)},
               "client_cert": {"cert": {"file": pki.client_cert}, "key": {"file": pki.client_key}}}),
    );
    h.version_info().expect("OAuth2 JWT over mTLS");
    // Error paths: only invalid keys, a wrong JWT, a wrong client secret, no key for the role.
    let only_invalid = client(
        scan,
        json!({"securosys": {"base_url": sim.base_url(), "jwt": jwt,
                             "api_keys": {"service": [invalid]}}}),
    )
    .securosys()
    .expect("securosys");
    scan.err(only_invalid.version_info(), ErrorCode::Auth, "invalid key");
    scan.err(
        only_invalid.list_keys(),
        ErrorCode::AuthConfigMissing,
        "no key for the role",
    );
    let h = hsm(scan, sim.base_url(), json!({"jwt": wrong_jwt}));
    scan.err(h.version_info(), ErrorCode::Auth, "wrong JWT");
    let h = hsm(
        scan,
        sim.base_url(),
        json!({"oauth2": {"client_id": "hygiene-tsb-client", "client_secret": invalid,
                          "token_url": format!("{}{}", sim.base_url(), signbridge_sim::TOKEN_PATH)}}),
    );
    scan.err(h.version_info(), ErrorCode::Auth, "wrong client secret");
    let r = Config::from_json(
        &json!({"securosys": {"base_url": sim.base_url(), "jwt": [jwt]}}).to_string(),
    );
    scan.err(r, ErrorCode::InvalidConfig, "JWT of the wrong type");
    // A TSB and a token endpoint that echo what they refused: both key-management keys
    // (rollover on errorCode 631), the static JWT, a signing payload, the client secret.
    let h = hsm(scan, sim.base_url(), json!({"jwt": jwt}));
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "echo", "status": 401, "error_code": 631, "path_prefix": "/v1/key",
               "count": 2}),
    );
    // (The error keeps the TSB's reason, `res.error.invalid.api.key`, over its message.)
    scan.err(
        h.create_key(&CreateKey::new("hygiene-echo", KeySpec::P256)),
        ErrorCode::Auth,
        "echo 631",
    );
    echo(&sim, 400, "/v1/synchronousSign", 1);
    scan.echoed(
        h.synchronous_sign("hygiene", b"data", PayloadKind::Raw, &alg),
        ErrorCode::Provider,
        "echoed sign",
    );
    echo(&sim, 500, "/v1/versionInfo", 3);
    scan.echoed(h.version_info(), ErrorCode::ProviderUnavailable, "echo 500");
    let h = hsm(
        scan,
        sim.base_url(),
        json!({"oauth2": {"client_id": "hygiene-tsb-client", "client_secret": client_secret,
                          "token_url": format!("{}{}", sim.base_url(), signbridge_sim::TOKEN_PATH)}}),
    );
    echo(&sim, 401, signbridge_sim::TOKEN_PATH, 1);
    scan.echoed(h.version_info(), ErrorCode::Auth, "echoing token endpoint");
}

fn onespan(scan: &mut Scan) {
    let api_key = scan.secret(signbridge_sim::ONESPAN_API_KEY);
    // The API key is base64 of "account:secret": the decoded secret must not appear either.
    scan.secret("sbSimSecr001");
    let app_secret = scan.secret(signbridge_sim::ONESPAN_CLIENT_APP_SECRET);
    let oauth_secret = scan.client_secret(
        signbridge_sim::ONESPAN_OAUTH_CLIENT_ID,
        signbridge_sim::ONESPAN_OAUTH_CLIENT_SECRET,
    );
    let wrong = scan.secret("hygiene-onespan-wrong-secret-58e0");
    let callback_key = scan.secret("hygiene-onespan-callback-key-a4c3");
    let sim = sim_with(SimConfig::default());
    let os = |scan: &mut Scan, auth: Value| {
        let mut section = json!({"base_url": sim.base_url()});
        if let (Some(o), Some(a)) = (section.as_object_mut(), auth.as_object()) {
            o.extend(a.clone());
        }
        client(
            scan,
            json!({"onespan": section, "transport": {"backoff_base_ms": 10, "backoff_max_ms": 50}}),
        )
        .onespan()
        .expect("onespan")
    };
    let package = || {
        NewPackage::new("hygiene")
            .signer(Signer::new("signer1", "ann@example.com", "Ann", "Smith"))
            .document(
                DocumentSpec::from_bytes("Doc", signbridge_sim::sample_pdf("hygiene", 1))
                    .expect("pdf")
                    .field(SignatureField::new("signer1", 0, 100.0, 100.0)),
            )
    };
    let create = |o: &signbridge::blocking::Onespan| o.create_package(&package()).expect("create");
    let o = os(scan, json!({"api_key": api_key}));
    let id = create(&o);
    scan.saw(format!("{:?}", o.get_package(&id).expect("read")));
    let r = os(scan, json!({"api_key": wrong})).list_all(ListQuery::new());
    scan.err(r, ErrorCode::Auth, "wrong API key");
    // The API echoes what it refused: the API key in the Basic header.
    echo(&sim, 401, "/api/packages", 1);
    scan.echoed(
        o.list_all(ListQuery::new()),
        ErrorCode::Auth,
        "echo (API key)",
    );
    echo(&sim, 400, "/api/packages", 1);
    scan.echoed(
        o.create_package(&package()),
        ErrorCode::Provider,
        "echoed create",
    );
    for (method, token_path, good, bad) in [
        (
            "client_app",
            signbridge_sim::ONESPAN_CLIENT_APP_TOKEN_PATH,
            json!({"client_app": {"client_id": signbridge_sim::ONESPAN_CLIENT_APP_ID,
                                  "secret": app_secret}}),
            json!({"client_app": {"client_id": signbridge_sim::ONESPAN_CLIENT_APP_ID,
                                  "secret": wrong}}),
        ),
        (
            "oauth2",
            signbridge_sim::ONESPAN_OAUTH_TOKEN_PATH,
            json!({"oauth2": {"client_id": signbridge_sim::ONESPAN_OAUTH_CLIENT_ID,
                              "client_secret": oauth_secret}}),
            json!({"oauth2": {"client_id": signbridge_sim::ONESPAN_OAUTH_CLIENT_ID,
                              "client_secret": wrong}}),
        ),
    ] {
        control(&sim, "PUT", "/_sim/onespan/auth", json!({"method": method}));
        let o = os(scan, good.clone());
        let id = create(&o);
        // Revoked tokens: a 401, a new token, the call repeated.
        issued_tokens(&sim, scan);
        control(&sim, "POST", "/_sim/onespan/auth/revoke_tokens", json!({}));
        o.get_package(&id).expect("token replaced after a 401");
        control(
            &sim,
            "POST",
            "/_sim/clock/advance",
            json!({"seconds": 7200}),
        );
        o.get_package(&id).expect("expired token replaced");
        scan.saw(format!("{o:?}"));
        let r = os(scan, bad).list_all(ListQuery::new());
        scan.err(r, ErrorCode::Auth, "wrong secret");
        // The token endpoint echoes what it refused (the secret), then the API does (the
        // access token, twice: the first refusal replaces the token).
        let o = os(scan, good);
        echo(&sim, 401, token_path, 1);
        scan.echoed(
            o.list_all(ListQuery::new()),
            ErrorCode::Auth,
            "echoing token endpoint (first token)",
        );
        echo(&sim, 401, "/api/packages", 2);
        scan.echoed(
            o.list_all(ListQuery::new()),
            ErrorCode::Auth,
            "echoing API (bearer)",
        );
        issued_tokens(&sim, scan);
    }
    // Callbacks: the right key, a wrong one, none.
    let v = CallbackVerifier::new(callback_key.clone()).with_key(wrong.clone());
    scan.saw(format!("{v:?}"));
    let body = br#"{"name":"PACKAGE_COMPLETE","packageId":"p1","sessionUser":"u1"}"#;
    v.verify(Some(&format!("Basic {callback_key}")), body)
        .expect("callback key");
    let r = v.verify(Some("Basic not-the-key"), body);
    scan.err(r, ErrorCode::WebhookInvalid, "wrong callback key");
    let r = v.verify(None, body);
    scan.err(r, ErrorCode::WebhookInvalid, "no callback key");
    issued_tokens(&sim, scan);
    assert!(
        scan.issued_opaque > 0,
        "opaque Client App tokens were issued and scanned for"
    );
}

/// Every token the OneSpan simulator knows — opaque Client App tokens, which no JWT detector
/// sees, and OAuth2 JWTs — becomes a secret of the scan, literally.
fn issued_tokens(sim: &BackgroundSimulator, scan: &mut Scan) {
    let issued = http::get(&format!("{}/_sim/onespan/auth", sim.base_url()))
        .expect("auth state")
        .json()
        .expect("json");
    for t in issued["tokens"].as_array().expect("tokens") {
        if let Some(t) = t.as_str() {
            if !t.starts_with("eyJ") {
                scan.issued_opaque += 1;
            }
            scan.secret(t);
        }
    }
}

fn webhooks(scan: &mut Scan) {
    let secret = scan.secret("hygiene-webhook-secret-99");
    let next = scan.secret("hygiene-webhook-secret-next-42");
    let v = WebhookVerifier::new(vec![secret.clone().into(), next.into()]).expect("verifier");
    scan.saw(format!("{v:?}"));
    let body = br#"{"event":"session_finished","id":"x"}"#;
    let r = v.verify(&sign_v5("other", 1, body), body);
    scan.err(r, ErrorCode::WebhookReplay, "stale");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let r = v.verify(&sign_v5("other", now, body), body);
    scan.err(r, ErrorCode::WebhookInvalid, "wrong secret");
    let h = sign_v5(&secret, now, body);
    v.verify(&h, body).expect("valid");
    scan.err(v.verify(&h, body), ErrorCode::WebhookReplay, "replayed");
    scan.err(
        v.verify_legacy("zz", body),
        ErrorCode::WebhookInvalid,
        "legacy",
    );
}

#[test]
fn no_secret_in_trace_logs_errors_or_debug_output() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .init();

    let mut scan = Scan::default();
    zignsec_keys(&mut scan);
    zignsec_echo(&mut scan);
    zignsec_oauth2(&mut scan);
    zignsec_mtls(&mut scan);
    securosys(&mut scan);
    onespan(&mut scan);
    webhooks(&mut scan);

    let logs = String::from_utf8_lossy(&capture.0.lock().expect("lock")).into_owned();
    eprintln!(
        "scanned {} log lines and {} texts for {} secrets",
        logs.lines().count(),
        scan.texts.len(),
        scan.secrets.len()
    );
    assert!(
        logs.lines().count() > 100,
        "TRACE logging was captured ({} lines)",
        logs.lines().count()
    );
    // The flows went through the HTTP and TLS stacks at TRACE level.
    for layer in ["hyper", "rustls"] {
        assert!(logs.contains(layer), "no {layer} log line was captured");
    }
    scan.texts.push(logs);
    let all = scan.texts.join("\n");
    let mut leaks = Vec::new();
    for secret in &scan.secrets {
        for line in all.lines().filter(|l| l.contains(secret.as_str())) {
            leaks.push(format!("{secret}: {line}"));
        }
    }
    // The JWT detector finds a token like the simulator's (it is not vacuous).
    assert_eq!(
        jwt_like("Bearer eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjE3OTV9.c2ln and eyJ alone").len(),
        1
    );
    leaks.extend(jwt_like(&all).into_iter().map(|t| format!("a JWT: {t}")));
    assert!(
        leaks.is_empty(),
        "{} secret(s) leaked:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
}
