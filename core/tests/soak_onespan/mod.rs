//! The OneSpan Sign flow of the soak (`core/tests/soak.rs`): create a transaction with one PDF
//! and one signer, sent on create; the signer signs through the simulator's control API; wait;
//! download the signed PDF atomically into a file and check it.
//!
//! A create whose outcome is unknown is never resent blindly: the transaction is looked up by
//! its unique name with the client's list API, as the error message tells users to do.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use signbridge::blocking::{Client, Onespan};
use signbridge::providers::onespan::{
    DocumentSpec, DownloadKind, ListQuery, NewPackage, Package, SignatureField, Signer,
};
use signbridge::{Config, Error, ErrorCode, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{
    ONESPAN_API_KEY, ONESPAN_CLIENT_APP_ID, ONESPAN_CLIENT_APP_SECRET, ONESPAN_OAUTH_CLIENT_ID,
    ONESPAN_OAUTH_CLIENT_SECRET,
};

use super::{app_retryable, verify_signed, Fault, Outcome, Soak, Target, STEP_ATTEMPTS};

/// The role of the one signer, and the document id chosen for the contract.
const ROLE: &str = "signer1";
const DOCUMENT: &str = "contract";

/// How long a request that timed out may still be on its way to the provider (the slow-answer
/// fault holds a request 700 ms; the client gives up after 500 ms).
const IN_FLIGHT_GRACE: Duration = Duration::from_millis(800);

/// The OneSpan API authentication method of a part of the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Method {
    ApiKey,
    ClientApp,
    OAuth2,
}

impl Method {
    /// The simulator's name for it (`PUT /_sim/onespan/auth {"method"}`).
    pub(crate) fn name(self) -> &'static str {
        match self {
            Method::ApiKey => "api_key",
            Method::ClientApp => "client_app",
            Method::OAuth2 => "oauth2",
        }
    }

    /// The token endpoint's path prefix, for token methods.
    pub(crate) fn token_prefix(self) -> Option<&'static str> {
        match self {
            Method::ApiKey => None,
            Method::ClientApp => Some("/apitoken/"),
            Method::OAuth2 => Some("/oauth2/"),
        }
    }

    /// The method of the `k`-th OneSpan flow: the run switches every 5 flows, token methods
    /// first, so each part of the run (before and after every revocation and clock jump) sees
    /// all three.
    pub(crate) fn for_flow(k: usize) -> Method {
        [Method::ClientApp, Method::OAuth2, Method::ApiKey][(k / 5) % 3]
    }
}

/// Faults every run meets at fixed OneSpan flows (by OneSpan flow number; see
/// [`Method::for_flow`] for the method of each), aimed at the API call of that step: the
/// unknown create outcomes that must be reconciled by name (answer lost after the transaction
/// was made; request reset before it was; request still in flight when the client gave up),
/// token endpoint outages with every token revoked for both token methods, and damaged answers
/// to the wait and the download.
pub(crate) const SCRIPT: &[(usize, &str, Fault)] = &[
    (0, "create", Fault::ResetAfter),
    (1, "create", Fault::ResetBefore),
    (2, "create", Fault::Slow),
    (3, "create", Fault::TokenOutage),
    (4, "download", Fault::Corrupted),
    (5, "create", Fault::TokenOutage),
    (6, "create", Fault::Malformed),
    (7, "download", Fault::Truncated),
    (8, "wait", Fault::Corrupted),
    (10, "create", Fault::Truncated),
    (11, "create", Fault::Corrupted),
];

/// One client per authentication method (a OneSpan config holds exactly one).
pub(crate) struct Clients {
    api_key: Onespan,
    client_app: Onespan,
    oauth2: Onespan,
}

impl Clients {
    pub(crate) fn new(base_url: &str, transport: &Value) -> Clients {
        let make = |auth: Value| {
            let mut section = json!({"base_url": base_url});
            if let (Some(s), Some(a)) = (section.as_object_mut(), auth.as_object()) {
                s.extend(a.clone());
            }
            let cfg =
                Config::from_json(&json!({"onespan": section, "transport": transport}).to_string())
                    .expect("onespan config");
            Client::new(cfg)
                .expect("client")
                .onespan()
                .expect("onespan")
        };
        Clients {
            api_key: make(json!({"api_key": ONESPAN_API_KEY})),
            client_app: make(json!({"client_app": {
                "client_id": ONESPAN_CLIENT_APP_ID, "secret": ONESPAN_CLIENT_APP_SECRET}})),
            oauth2: make(json!({"oauth2": {
                "client_id": ONESPAN_OAUTH_CLIENT_ID,
                "client_secret": ONESPAN_OAUTH_CLIENT_SECRET}})),
        }
    }

    pub(crate) fn get(&self, method: Method) -> &Onespan {
        match method {
            Method::ApiKey => &self.api_key,
            Method::ClientApp => &self.client_app,
            Method::OAuth2 => &self.oauth2,
        }
    }
}

/// The unique transaction name of flow `i` (fixed width, so a name search finds only it).
pub(crate) fn flow_name(i: usize) -> String {
    format!("soak-onespan-{i:06}")
}

/// What a OneSpan flow did besides its outcome.
#[derive(Default)]
pub(crate) struct Notes {
    /// Creates that failed with SB_ERR_OUTCOME_UNKNOWN and were looked up by name: the
    /// transaction was found / was not there (and was created again).
    pub(crate) reconciled_found: usize,
    pub(crate) reconciled_absent: usize,
    /// Downloads core accepted and wrote whose bytes are not OneSpan's copy of the signed
    /// document (the application's check caught them; the file was removed and downloaded
    /// again).
    pub(crate) corrupt_accepted: usize,
    /// Of those, the ones that even started with the original and ended with `%%EOF` (the
    /// damage was in the signature's incremental update): only the read-back caught them.
    pub(crate) corrupt_looked_signed: usize,
}

/// The transaction named `name`: one PDF, one signer, sent on create.
fn package(name: &str, pdf: &[u8]) -> NewPackage {
    NewPackage::new(name)
        .signer(Signer::new(
            ROLE,
            "soak.signer@example.com",
            "Soak",
            "Signer",
        ))
        .document(
            DocumentSpec::from_bytes("Soak contract", pdf.to_vec())
                .expect("pdf")
                .id(DOCUMENT)
                .field(SignatureField::new(ROLE, 0, 100.0, 100.0)),
        )
        .send_on_create(true)
}

/// The transactions named exactly `name`, through the client's list API (retried while the
/// listing itself fails transiently); `None` when it could not be listed.
fn find_by_name(os: &Onespan, name: &str) -> Option<Vec<String>> {
    for _ in 0..STEP_ATTEMPTS {
        match os.list_all(ListQuery::new().search(name)) {
            Ok(found) => {
                return Some(
                    found
                        .into_iter()
                        .filter(|p| p.name == name)
                        .map(|p| p.id)
                        .collect(),
                )
            }
            Err(e) if app_retryable(&e) => {}
            Err(e) => panic!("listing transactions named {name:?} failed: {e}"),
        }
    }
    None
}

/// Look up a transaction whose create had an unknown outcome: at once (the provider acted and
/// the answer was lost), then once more after a request still in flight could have landed.
fn reconcile(os: &Onespan, name: &str, e: &Error) -> Option<Option<String>> {
    assert!(
        e.message().contains("list(") && e.message().contains(name),
        "an unknown create outcome says how to look the transaction up by name: {e}"
    );
    for look in 0..2 {
        if look > 0 {
            std::thread::sleep(IN_FLIGHT_GRACE);
        }
        let found = find_by_name(os, name)?;
        assert!(
            found.len() <= 1,
            "{name:?} was created {} times",
            found.len()
        );
        if let Some(id) = found.into_iter().next() {
            return Some(Some(id));
        }
    }
    Some(None)
}

fn pct(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The document as OneSpan holds it, read into memory (no fault is armed for this read).
fn read_back(os: &Onespan, id: &str, kind: &DownloadKind) -> Result<Vec<u8>, Error> {
    let mut last = None;
    for _ in 0..STEP_ATTEMPTS {
        match os.download(id, kind) {
            Ok(d) => return Ok(d.data.to_vec()),
            Err(e) if app_retryable(&e) => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.expect("an error after every attempt"))
}

/// No temporary file of an atomic download may be left in `dir`.
fn assert_no_temp_files(dir: &Path) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for entry in rd.flatten() {
            let n = entry.file_name().to_string_lossy().into_owned();
            assert!(
                !n.ends_with(".part") && !n.starts_with(".signbridge"),
                "a download left the temporary file {n} in {}",
                dir.display()
            );
        }
    }
}

pub(crate) fn run_flow(
    soak: &mut Soak,
    os: &Onespan,
    method: Method,
    i: usize,
    pdf: &[u8],
    out: &Path,
    notes: &mut Notes,
) -> Outcome {
    let target = Target::Onespan(method);
    let name = flow_name(i);
    let new = package(&name, pdf);

    // Create (and send): never resent blindly; an unknown outcome is looked up by name.
    let mut id = None;
    let mut last = None;
    for _ in 0..STEP_ATTEMPTS {
        soak.maybe_fault(target, "create");
        match os.create_package(&new) {
            Ok(created) => {
                id = Some(created);
                break;
            }
            Err(e) if e.code() == ErrorCode::OutcomeUnknown => match reconcile(os, &name, &e) {
                Some(Some(found)) => {
                    notes.reconciled_found += 1;
                    id = Some(found);
                    break;
                }
                Some(None) => {
                    notes.reconciled_absent += 1;
                    last = Some(e);
                }
                // Not even the lookup worked: creating again could duplicate it.
                None => return Outcome::ended("create", &e),
            },
            Err(e) if app_retryable(&e) => last = Some(e),
            Err(e) => return Outcome::ended("create", &e),
        }
    }
    let Some(id) = id else {
        return Outcome::gave_up("create", last);
    };

    // The signer signs (the control API is never faulted).
    soak.control(
        "POST",
        &format!("/_sim/onespan/packages/{}/roles/{ROLE}/sign", pct(&id)),
        json!({}),
    );

    let opts: WaitOptions<Package> = WaitOptions {
        interval: Duration::from_millis(50),
        timeout: Some(Duration::from_secs(60)),
        ..WaitOptions::default()
    };
    let mut done = None;
    let mut last = None;
    for _ in 0..STEP_ATTEMPTS {
        soak.maybe_fault(target, "wait");
        match os.wait(&id, &opts) {
            Ok(p) => {
                done = Some(p);
                break;
            }
            Err(e) if app_retryable(&e) => last = Some(e),
            Err(e) => return Outcome::ended("wait", &e),
        }
    }
    let Some(done) = done else {
        return Outcome::gave_up("wait", last);
    };
    assert_eq!(done.id, id, "wait returned another transaction");

    let dir = out.join(&name);
    std::fs::create_dir_all(&dir).expect("mkdir");
    let path = dir.join("contract-signed.pdf");
    let kind = DownloadKind::Document(DOCUMENT.to_string());
    let mut last = None;
    for _ in 0..STEP_ATTEMPTS {
        soak.maybe_fault(target, "download");
        match os.download_to(&id, &kind, &path) {
            Ok(n) => {
                let bytes = std::fs::read(&path).expect("saved file");
                assert_eq!(bytes.len() as u64, n, "download_to reported another size");
                assert_no_temp_files(&dir);
                // OneSpan reports no checksum, so core cannot tell a damaged download from the
                // signed document: the application checks the file itself and compares it with
                // a second copy read back from OneSpan.
                let same = match read_back(os, &id, &kind) {
                    Ok(copy) => copy == bytes,
                    Err(e) => return Outcome::ended("download", &e),
                };
                if verify_signed(&bytes, pdf) && same {
                    return Outcome::Completed {
                        id,
                        files: vec![path],
                    };
                }
                notes.corrupt_accepted += 1;
                if verify_signed(&bytes, pdf) {
                    notes.corrupt_looked_signed += 1;
                }
                std::fs::remove_file(&path).expect("remove the damaged download");
                last = None;
            }
            Err(e) if app_retryable(&e) => {
                // A failed download leaves nothing behind.
                assert!(
                    !path.exists(),
                    "a failed download ({e}) left {}",
                    path.display()
                );
                assert_no_temp_files(&dir);
                last = Some(e);
            }
            Err(e) => return Outcome::ended("download", &e),
        }
    }
    Outcome::gave_up("download", last)
}

/// Every transaction the simulator holds, by name, and how many it ever created.
pub(crate) fn transactions_by_name(soak: &Soak) -> (u64, BTreeMap<String, Vec<String>>) {
    let r = http::get(&format!("{}/_sim/onespan/packages", soak.sim.base_url()))
        .expect("list packages");
    let v: Value = r.json().expect("json");
    let created = v["created"].as_u64().expect("created counter");
    let mut by_name: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in v["packages"].as_array().expect("packages") {
        by_name
            .entry(p["name"].as_str().unwrap_or_default().to_string())
            .or_default()
            .push(p["id"].as_str().unwrap_or_default().to_string());
    }
    (created, by_name)
}
