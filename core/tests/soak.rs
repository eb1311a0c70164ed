//! Soak: many complete signing flows against the simulator while about 10 % of requests meet a
//! fault — 500, 503, 429, connections reset before and after the server acted, slow answers,
//! truncated and corrupted answers, malformed JSON, token endpoint outages, tokens expiring and
//! revoked, and the primary key revoked mid-run.
//!
//! Flows alternate between the providers: ZignSec (create, upload, start, sign through the
//! control API, wait, save the signed files) and OneSpan Sign (create a sent transaction with one
//! PDF and one signer, sign through the control API, wait, download the signed PDF atomically;
//! the API key, Client App tokens and OAuth2 tokens take turns as the authentication method — see
//! `soak_onespan/`). A create whose outcome is unknown is reconciled (ZignSec: by relay state,
//! OneSpan: by the transaction's unique name through the client's list API), never resent
//! blindly.
//!
//! It fails if any flow is lost (neither completed nor ended with a documented code), created
//! more than one session / transaction (a completed flow must have created exactly one, counted
//! by the simulator), or left a file that is not the verified signed document.
//!
//! `SOAK_N` sets the number of flows (default 120 — 60 per provider — as in `make test`; `make soak` runs 10 000),
//! `SOAK_SEED` the fault sequence, `SOAK_PROVIDERS` the providers (`zignsec,onespan`, the
//! default; or one of them).

mod soak_onespan;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};
use signbridge::blocking::{Client, Signing};
use signbridge::providers::zignsec::{CreateSigning, FileToSign, Placement, StartSigning};
use signbridge::{Config, Error, ErrorCode, SessionStatus, WaitOptions};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PRIMARY_KEY,
    DEFAULT_SECONDARY_KEY,
};
use soak_onespan::Method;

const FAULT_RATE: f64 = 0.10;
/// How many times the application tries one step before it gives up on the flow.
const STEP_ATTEMPTS: usize = 6;
/// The codes a flow may end with here: what the injected faults stand for (the provider busy or
/// refusing, the connection failing or slow, a damaged or unreadable answer, an outcome that
/// could not be settled). Anything else — SB_ERR_TLS on plain HTTP, SB_ERR_AUTH while the
/// credentials are valid, SB_ERR_NOT_FOUND for a transaction that exists — is a misreported
/// fault.
const FAULT_CODES: &[ErrorCode] = &[
    ErrorCode::ProviderUnavailable,
    ErrorCode::RateLimited,
    ErrorCode::Network,
    ErrorCode::Timeout,
    ErrorCode::Integrity,
    ErrorCode::Protocol,
    ErrorCode::OutcomeUnknown,
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Provider {
    ZignSec,
    Onespan,
}

impl Provider {
    fn name(self) -> &'static str {
        match self {
            Provider::ZignSec => "zignsec",
            Provider::Onespan => "onespan",
        }
    }
}

/// Whose request the next fault meets (decides where a token endpoint outage goes).
#[derive(Clone, Copy)]
enum Target {
    ZignSec,
    Onespan(Method),
}

struct Soak {
    sim: BackgroundSimulator,
    rng: StdRng,
    /// Faults armed, by provider and kind.
    faults_injected: BTreeMap<&'static str, BTreeMap<&'static str, u64>>,
    /// A fault the current flow meets at a given step, whatever the dice say.
    scripted: Option<(&'static str, Fault)>,
}

/// The fault mix (each equally likely once a request is picked for a fault).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fault {
    Status500,
    Status503,
    RateLimited,
    ResetBefore,
    ResetAfter,
    Slow,
    Truncated,
    Corrupted,
    Malformed,
    TokenOutage,
}

impl Fault {
    const ALL: [Fault; 10] = [
        Fault::Status500,
        Fault::Status503,
        Fault::RateLimited,
        Fault::ResetBefore,
        Fault::ResetAfter,
        Fault::Slow,
        Fault::Truncated,
        Fault::Corrupted,
        Fault::Malformed,
        Fault::TokenOutage,
    ];
}

impl Soak {
    fn control(&self, method: &str, path: &str, body: Value) -> http::HttpResponse {
        let r = http::send_json(method, &format!("{}{path}", self.sim.base_url()), &body)
            .expect("control");
        assert!(r.status < 300, "{path}: {} {}", r.status, r.text());
        r
    }

    /// With probability FAULT_RATE, arm one fault for the next request of `target` — or the
    /// fault the script holds for this `step` of the flow.
    fn maybe_fault(&mut self, target: Target, step: &'static str) {
        if let Some((s, fault)) = self.scripted {
            if s == step {
                self.scripted = None;
                // Aimed at the API call itself, not at a token request before it.
                let prefix = match target {
                    Target::ZignSec => None,
                    Target::Onespan(_) => Some("/api/"),
                };
                self.arm(fault, target, prefix);
                return;
            }
        }
        if !self.rng.random_bool(FAULT_RATE) {
            return;
        }
        let fault = Fault::ALL[self.rng.random_range(0..Fault::ALL.len())];
        self.arm(fault, target, None);
    }

    /// Arm `fault` for the next request of `target` (under `path_prefix` when given).
    fn arm(&mut self, fault: Fault, target: Target, path_prefix: Option<&str>) {
        let (name, mut spec) = match fault {
            Fault::Status500 => ("500", json!({"kind": "status", "status": 500})),
            Fault::Status503 => ("503", json!({"kind": "status", "status": 503})),
            Fault::RateLimited => ("429", json!({"kind": "rate_limit", "retry_after": 1})),
            Fault::ResetBefore => ("reset before acting", json!({"kind": "drop"})),
            Fault::ResetAfter => ("reset after acting", json!({"kind": "drop_after"})),
            Fault::Slow => ("slow answer", json!({"kind": "delay", "delay_ms": 700})),
            Fault::Truncated => ("truncated answer", json!({"kind": "truncate"})),
            Fault::Corrupted => ("corrupted answer", json!({"kind": "corrupt"})),
            Fault::Malformed => ("malformed JSON", json!({"kind": "malformed"})),
            Fault::TokenOutage => match target {
                // Meets the next token request (tokens expire with every clock jump).
                Target::ZignSec => (
                    "token endpoint outage",
                    json!({"kind": "status", "status": 503, "path_prefix": "/auth/", "count": 2}),
                ),
                // Every token is revoked, so the next call needs a new one at once.
                Target::Onespan(m) => match m.token_prefix() {
                    Some(prefix) => {
                        self.control("POST", "/_sim/onespan/auth/revoke_tokens", json!({}));
                        (
                            "tokens revoked + token endpoint outage",
                            json!({"kind": "status", "status": 503, "path_prefix": prefix,
                                   "count": 2}),
                        )
                    }
                    // The API key has no token endpoint.
                    None => ("503", json!({"kind": "status", "status": 503})),
                },
            },
        };
        if spec.get("path_prefix").is_none() {
            if let Some(p) = path_prefix {
                spec["path_prefix"] = json!(p);
            }
        }
        if spec.get("count").is_none() {
            spec["count"] = json!(1);
        }
        let provider = match target {
            Target::ZignSec => Provider::ZignSec,
            Target::Onespan(_) => Provider::Onespan,
        };
        *self
            .faults_injected
            .entry(provider.name())
            .or_default()
            .entry(name)
            .or_default() += 1;
        self.control("POST", "/_sim/faults", spec);
    }

    fn sessions_for(&self, relay: &str) -> Vec<Value> {
        let r = http::get(&format!(
            "{}/_sim/zignsec/signing?relay_state={relay}",
            self.sim.base_url()
        ))
        .expect("list");
        r.json()
            .expect("json")
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// A step is retried by the application when the error says the provider did not act or a read
/// can simply be repeated; an unknown outcome is reconciled by the caller instead.
fn app_retryable(e: &Error) -> bool {
    e.is_retryable() || matches!(e.code(), ErrorCode::Protocol)
}

/// Whether `bytes` is the signed document: the original unchanged, then at least one
/// incremental update, ending with `%%EOF`.
fn verify_signed(bytes: &[u8], original: &[u8]) -> bool {
    bytes.starts_with(original)
        && bytes.len() > original.len()
        && bytes.trim_ascii_end().ends_with(b"%%EOF")
}

enum Outcome {
    /// Signed, and every signed file saved and verified.
    Completed { id: String, files: Vec<PathBuf> },
    /// Ended with a documented error code (or the application gave up after retrying).
    Ended {
        step: &'static str,
        code: ErrorCode,
        message: String,
    },
}

impl Outcome {
    fn ended(step: &'static str, e: &Error) -> Outcome {
        Outcome::Ended {
            step,
            code: e.code(),
            message: e.to_string(),
        }
    }

    /// The application gave up on `step` after STEP_ATTEMPTS tries; `last` is the last error.
    fn gave_up(step: &'static str, last: Option<Error>) -> Outcome {
        match last {
            Some(e) => Outcome::ended(step, &e),
            None => Outcome::Ended {
                step,
                code: ErrorCode::Integrity,
                message: "every download was refused by the application's check".into(),
            },
        }
    }
}

fn run_zignsec_flow(soak: &mut Soak, s: &Signing, i: usize, pdf: &[u8], out: &Path) -> Outcome {
    let target = Target::ZignSec;
    let relay = format!("soak-{i}");
    let create = CreateSigning {
        relay_state: Some(relay.clone()),
        ..CreateSigning::default()
    };
    // Create: never resent blindly; an unknown outcome is reconciled by the relay state.
    let mut session_id = None;
    let mut last = None;
    for _ in 0..STEP_ATTEMPTS {
        soak.maybe_fault(target, "create");
        match s.create(&create) {
            Ok(sess) => {
                session_id = Some(sess.id);
                break;
            }
            Err(e) if e.code() == ErrorCode::OutcomeUnknown => {
                // Let a request still in flight at the provider land before looking.
                std::thread::sleep(Duration::from_millis(800));
                let found = soak.sessions_for(&relay);
                if let Some(first) = found.first() {
                    session_id = first["id"].as_str().map(str::to_string);
                    break;
                }
                last = Some(e);
            }
            Err(e) if app_retryable(&e) => last = Some(e),
            Err(e) => return Outcome::ended("create", &e),
        }
    }
    let Some(id) = session_id else {
        return Outcome::gave_up("create", last);
    };
    // Upload: an unknown outcome is reconciled through the session's own input files.
    let mut file_id = None;
    let mut last = None;
    for _ in 0..STEP_ATTEMPTS {
        soak.maybe_fault(target, "upload");
        match s.upload_bytes(&id, "contract.pdf", pdf.to_vec()) {
            Ok(f) => {
                file_id = Some(f.file_id);
                break;
            }
            Err(e) if e.code() == ErrorCode::OutcomeUnknown || app_retryable(&e) => {
                if let Ok(st) = s.status(&id) {
                    if let Some(f) = st.input_files.first() {
                        file_id = Some(f.id.clone());
                        break;
                    }
                }
                last = Some(e);
            }
            Err(e) => return Outcome::ended("upload", &e),
        }
    }
    let Some(file_id) = file_id else {
        return Outcome::gave_up("upload", last);
    };
    let start = StartSigning {
        files: vec![FileToSign {
            file_id,
            placement: Some(Placement {
                page: 1,
                x: 50.0,
                y: 50.0,
            }),
        }],
        ..StartSigning::default()
    };
    let mut started = false;
    let mut last = None;
    for _ in 0..STEP_ATTEMPTS {
        soak.maybe_fault(target, "start");
        match s.start(&id, &start) {
            Ok(_) => {
                started = true;
                break;
            }
            Err(e) if e.code() == ErrorCode::OutcomeUnknown || app_retryable(&e) => {
                if let Ok(st) = s.status(&id) {
                    if st.status == SessionStatus::Pending {
                        started = true;
                        break;
                    }
                }
                last = Some(e);
            }
            Err(e) if e.code() == ErrorCode::InvalidState => {
                started = true;
                break;
            }
            Err(e) => return Outcome::ended("start", &e),
        }
    }
    if !started {
        return Outcome::gave_up("start", last);
    }
    soak.control(
        "POST",
        &format!("/_sim/zignsec/signing/{id}/complete"),
        json!({}),
    );
    let opts = WaitOptions {
        interval: Duration::from_millis(50),
        timeout: Some(Duration::from_secs(60)),
        ..WaitOptions::default()
    };
    let mut done = None;
    let mut last = None;
    for _ in 0..STEP_ATTEMPTS {
        soak.maybe_fault(target, "wait");
        match s.wait(&id, &opts) {
            Ok(st) => {
                done = Some(st);
                break;
            }
            Err(e) if app_retryable(&e) => last = Some(e),
            Err(e) => return Outcome::ended("wait", &e),
        }
    }
    let Some(done) = done else {
        return Outcome::gave_up("wait", last);
    };
    let dir = out.join(&relay);
    let mut last = None;
    for _ in 0..STEP_ATTEMPTS {
        soak.maybe_fault(target, "download");
        match s.save_signed_files(&done, &dir) {
            Ok(paths) => {
                assert_eq!(
                    paths.len(),
                    done.signed_files.len(),
                    "one file per signed file"
                );
                for (p, f) in paths.iter().zip(&done.signed_files) {
                    let bytes = std::fs::read(p).expect("saved file");
                    assert!(
                        verify_signed(&bytes, pdf),
                        "{} is not the signed document",
                        p.display()
                    );
                    // Core checked the md5 ZignSec reported: the file is the provider's copy
                    // (read again with no fault armed).
                    let copy = s.download_file(&id, &f.id).expect("the provider's copy");
                    assert!(
                        bytes == copy.as_ref(),
                        "{} differs from the signed file ZignSec holds",
                        p.display()
                    );
                }
                return Outcome::Completed { id, files: paths };
            }
            Err(e) if app_retryable(&e) => {
                // Nothing half-written may be left behind by a failed download.
                if let Ok(rd) = std::fs::read_dir(&dir) {
                    for entry in rd.flatten() {
                        let bytes = std::fs::read(entry.path()).expect("read");
                        assert!(
                            bytes.starts_with(pdf),
                            "a failed download left {} behind",
                            entry.path().display()
                        );
                    }
                }
                last = Some(e);
            }
            Err(e) => return Outcome::ended("download", &e),
        }
    }
    Outcome::gave_up("download", last)
}

/// What happened to one provider's flows.
#[derive(Default)]
struct Stats {
    flows: usize,
    completed: usize,
    files: usize,
    /// Flows that ended with a documented code, by code; and one message per code.
    ended: BTreeMap<&'static str, usize>,
    examples: BTreeMap<&'static str, String>,
    /// Flows by how many sessions / transactions the simulator holds for them.
    created_per_flow: BTreeMap<usize, usize>,
    /// Completed flows that did not create exactly one session / transaction, or whose
    /// session / transaction is not the one the flow finished.
    wrong_count: usize,
    duplicated: usize,
    // OneSpan only.
    reconciled_found: usize,
    reconciled_absent: usize,
    corrupt_accepted: usize,
    corrupt_looked_signed: usize,
    methods: BTreeMap<&'static str, usize>,
}

impl Stats {
    fn record(&mut self, i: usize, outcome: &Outcome) {
        self.flows += 1;
        match outcome {
            Outcome::Completed { files, .. } => {
                self.completed += 1;
                self.files += files.len();
            }
            Outcome::Ended {
                step,
                code,
                message,
            } => {
                assert!(
                    !matches!(code, ErrorCode::Internal | ErrorCode::Panic) && !message.is_empty(),
                    "flow {i} ended at {step} with an undocumented error: {code}: {message}"
                );
                assert!(
                    FAULT_CODES.contains(code),
                    "flow {i} ended at {step} with {code}, which stands for none of the injected \
                     faults (misclassified?): {message}"
                );
                *self.ended.entry(code.name()).or_default() += 1;
                self.examples
                    .entry(code.name())
                    .or_insert_with(|| format!("flow {i} at {step}: {message}"));
            }
        }
    }

    /// Record that the simulator holds `ids` for a flow that ended with `outcome`.
    fn count_created(&mut self, outcome: &Outcome, ids: &[String]) {
        *self.created_per_flow.entry(ids.len()).or_default() += 1;
        if ids.len() > 1 {
            self.duplicated += 1;
        }
        if let Outcome::Completed { id, .. } = outcome {
            if ids != std::slice::from_ref(id) {
                self.wrong_count += 1;
            }
        }
    }

    fn print(&self, provider: Provider) {
        let lost = self.flows - self.completed - self.ended.values().sum::<usize>();
        println!(
            "  {}: {} flows, completed {}, files verified {}, lost {lost}, duplicated {}",
            provider.name(),
            self.flows,
            self.completed,
            self.files,
            self.duplicated
        );
        let what = match provider {
            Provider::ZignSec => "sessions",
            Provider::Onespan => "transactions",
        };
        println!(
            "    {what} per flow (flows): {:?}; completed flows without exactly one: {}",
            self.created_per_flow, self.wrong_count
        );
        if provider == Provider::Onespan {
            println!(
                "    unknown create outcomes looked up by name: {} found, {} absent (created \
                 again); auth methods (flows): {:?}",
                self.reconciled_found, self.reconciled_absent, self.methods
            );
            println!(
                "    downloads core saved although they differ from OneSpan's copy (OneSpan \
                 reports no checksum; caught by the application's read-back, downloaded \
                 again): {}, of which {} started with the original and ended with %%EOF",
                self.corrupt_accepted, self.corrupt_looked_signed
            );
        }
        println!("    ended with a documented code: {:?}", self.ended);
        for example in self.examples.values() {
            println!("      e.g. {example}");
        }
    }
}

fn providers_from_env() -> Vec<Provider> {
    let raw = std::env::var("SOAK_PROVIDERS").unwrap_or_else(|_| "zignsec,onespan".into());
    let list: Vec<Provider> = raw
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.to_ascii_lowercase().as_str() {
            "zignsec" => Provider::ZignSec,
            "onespan" => Provider::Onespan,
            other => panic!("SOAK_PROVIDERS: unknown provider {other:?}; use zignsec, onespan"),
        })
        .collect();
    assert!(
        !list.is_empty(),
        "SOAK_PROVIDERS is empty; name zignsec, onespan or both"
    );
    list
}

/// Every file left in `out`: (files that are the signed document, files that are not).
fn scan_files(dir: &Path, original: &[u8], good: &mut usize, bad: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).expect("ls").flatten() {
        let path = entry.path();
        if path.is_dir() {
            scan_files(&path, original, good, bad);
        } else if verify_signed(&std::fs::read(&path).expect("read"), original) {
            *good += 1;
        } else {
            bad.push(path.display().to_string());
        }
    }
}

#[test]
fn soak_signing_flows_under_faults() {
    let n: usize = std::env::var("SOAK_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let seed: u64 = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20261123);
    let providers = providers_from_env();
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let mut soak = Soak {
        sim,
        rng: StdRng::seed_from_u64(seed),
        faults_injected: BTreeMap::new(),
        scripted: None,
    };
    soak.control("PUT", "/_sim/zignsec/auth", json!({"require_bearer": true}));
    let transport = json!({"request_timeout_ms": 500, "max_attempts": 4, "backoff_base_ms": 5,
                           "backoff_max_ms": 50, "max_retry_after_s": 2});
    let cfg = Config::from_json(
        &json!({
            "zignsec": {
                "base_url": soak.sim.base_url(),
                "keys": [DEFAULT_PRIMARY_KEY, DEFAULT_SECONDARY_KEY],
                "oauth2": {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}
            },
            "transport": transport
        })
        .to_string(),
    )
    .expect("config");
    let client = Client::new(cfg).expect("client");
    let signing = client.zignsec_signing().expect("signing");
    let onespan = soak_onespan::Clients::new(soak.sim.base_url(), &transport);
    let pdf = signbridge_sim::sample_pdf("Soak contract", 1);
    let out = tempfile::tempdir().expect("tmp");

    let started = Instant::now();
    let mut zignsec = Stats::default();
    let mut os = Stats::default();
    // OneSpan flows: (flow index, outcome), checked against the simulator at the end.
    // OneSpan flows: (flow index, outcome, notes), checked against the simulator at the end.
    let mut os_flows: Vec<(usize, Outcome, soak_onespan::Notes)> = Vec::new();
    let mut method = None;
    for i in 0..n {
        if i == n / 2 {
            soak.control(
                "POST",
                "/_sim/zignsec/keys/revoke",
                json!({"key": DEFAULT_PRIMARY_KEY}),
            );
            soak.control("POST", "/_sim/onespan/auth/revoke_tokens", json!({}));
        }
        if i > 0 && i % 25 == 0 {
            // Every token issued so far expires (ZignSec 1200 s, OneSpan 600 s lifetimes).
            soak.control("POST", "/_sim/clock/advance", json!({"seconds": 1300}));
        }
        match providers[i % providers.len()] {
            Provider::ZignSec => {
                let outcome = run_zignsec_flow(&mut soak, &signing, i, &pdf, out.path());
                zignsec.record(i, &outcome);
                let ids: Vec<String> = soak
                    .sessions_for(&format!("soak-{i}"))
                    .iter()
                    .map(|s| s["id"].as_str().unwrap_or_default().to_string())
                    .collect();
                zignsec.count_created(&outcome, &ids);
            }
            Provider::Onespan => {
                let m = Method::for_flow(os_flows.len());
                if method != Some(m) {
                    // The account's one active method; the other clients' tokens stop working.
                    soak.control(
                        "PUT",
                        "/_sim/onespan/auth",
                        json!({"method": m.name(), "token_lifetime_s": 600}),
                    );
                    method = Some(m);
                }
                *os.methods.entry(m.name()).or_default() += 1;
                soak.scripted = soak_onespan::SCRIPT
                    .iter()
                    .find(|(k, _, _)| *k == os_flows.len())
                    .map(|(_, step, fault)| (*step, *fault));
                let mut notes = soak_onespan::Notes::default();
                let outcome = soak_onespan::run_flow(
                    &mut soak,
                    onespan.get(m),
                    m,
                    i,
                    &pdf,
                    out.path(),
                    &mut notes,
                );
                os.record(i, &outcome);
                os.reconciled_found += notes.reconciled_found;
                os.reconciled_absent += notes.reconciled_absent;
                os.corrupt_accepted += notes.corrupt_accepted;
                os.corrupt_looked_signed += notes.corrupt_looked_signed;
                os_flows.push((i, outcome, notes));
                soak.scripted = None;
            }
        }
    }
    soak.control("DELETE", "/_sim/faults", json!(null));
    let elapsed = started.elapsed();

    // Exactly one transaction per completed OneSpan flow, by the simulator's own count.
    let mut os_created = 0;
    if !os_flows.is_empty() {
        let (created, mut by_name) = soak_onespan::transactions_by_name(&soak);
        os_created = created;
        for (i, outcome, _) in &os_flows {
            let ids = by_name
                .remove(&soak_onespan::flow_name(*i))
                .unwrap_or_default();
            os.count_created(outcome, &ids);
        }
        assert!(
            by_name.is_empty(),
            "transactions no flow asked for: {by_name:?}"
        );
        let held: usize = os
            .created_per_flow
            .iter()
            .map(|(per, flows)| per * flows)
            .sum();
        assert_eq!(
            created, held as u64,
            "the simulator created transactions that it no longer holds"
        );
    }

    // Every file left on disk is a verified signed document.
    let (mut good, mut bad) = (0usize, Vec::new());
    scan_files(out.path(), &pdf, &mut good, &mut bad);

    println!(
        "soak: {n} flows in {:.1} s (seed {seed}, providers {})",
        elapsed.as_secs_f64(),
        providers
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
            .join("+")
    );
    for (p, stats) in [(Provider::ZignSec, &zignsec), (Provider::Onespan, &os)] {
        if stats.flows > 0 {
            stats.print(p);
        }
    }
    if !os_flows.is_empty() {
        println!("  onespan: the simulator created {os_created} transactions");
    }
    println!("  faults injected: {:?}", soak.faults_injected);
    println!(
        "  files on disk: {good} verified, {} corrupt or temporary",
        bad.len()
    );

    // The scripted faults: every such flow still completed, and the unknown create outcomes
    // were reconciled by name (found when the transaction was made, absent when not).
    let script_ran = soak_onespan::SCRIPT
        .iter()
        .all(|(k, _, _)| *k < os_flows.len());
    if script_ran {
        for (k, step, fault) in soak_onespan::SCRIPT {
            let (i, outcome, notes) = &os_flows[*k];
            assert!(
                matches!(outcome, Outcome::Completed { .. }),
                "onespan flow {i} did not complete after {fault:?} at {step}"
            );
            let (found, absent) = (notes.reconciled_found, notes.reconciled_absent);
            let looked_up = match (*step, fault) {
                // The simulator made the transaction, then the answer was lost or damaged.
                ("create", Fault::ResetAfter | Fault::Truncated | Fault::Corrupted) => found == 1,
                // It never made it: looked for, not found, created again.
                ("create", Fault::ResetBefore | Fault::Malformed) => found == 0 && absent >= 1,
                // Cut off while waiting: made or not, depending on whether the server finishes
                // a request whose client left (the simulator does not).
                ("create", Fault::Slow) => found + absent >= 1,
                _ => true,
            };
            assert!(
                looked_up,
                "onespan flow {i}: after {fault:?} at create the transaction was looked up by \
                 name (found {found}, absent {absent})"
            );
        }
    }

    for (p, stats) in [(Provider::ZignSec, &zignsec), (Provider::Onespan, &os)] {
        let name = p.name();
        let lost = stats.flows - stats.completed - stats.ended.values().sum::<usize>();
        assert_eq!(lost, 0, "{name}: flows lost");
        assert_eq!(stats.duplicated, 0, "{name}: a flow created more than one");
        assert_eq!(
            stats.wrong_count, 0,
            "{name}: a completed flow did not create exactly one"
        );
        assert_eq!(
            stats.files, stats.completed,
            "{name}: one signed file per completed flow"
        );
        assert!(
            stats.completed * 10 >= stats.flows * 9,
            "{name}: most flows complete despite the faults ({}/{})",
            stats.completed,
            stats.flows
        );
    }
    assert!(
        bad.is_empty(),
        "files that are not the signed document: {bad:?}"
    );
    assert_eq!(
        good,
        zignsec.files + os.files,
        "every verified file, and only those, is on disk"
    );
}
