//! `signbridge demo`: the embedded simulator, whole signing flows over the provider-neutral
//! session, the signers' browser part done the way a browser does it (GET the page, POST its
//! form), and the signed files downloaded, checked and saved.

use std::path::Path;
use std::time::Duration;

use signbridge::blocking::Client;
use signbridge::signing::{
    NewSession, Provider, Redirects, SessionDocument, SessionSigner, SignatureField,
    SignerSelector, StartedSession,
};
use signbridge::{Config, Error, ErrorCode};

/// The sample contract signed by the demo.
const SAMPLE_PDF: &[u8] = include_bytes!("../assets/sample-contract.pdf");
/// The second document of the demo's two-document runs.
const SAMPLE_PDF_2: &[u8] = include_bytes!("../assets/sample-appendix.pdf");

/// The BankID Norway test user who signs the ZignSec runs.
const BANKID_TEST_USER: (&str, &str) = ("06046517928", "Aksel Herseth");

pub(crate) fn run(out: &Path, providers: &[Provider]) -> signbridge::Result<()> {
    let sim = signbridge_sim::BackgroundSimulator::start(signbridge_sim::SimConfig {
        quiet: true,
        ..signbridge_sim::SimConfig::default()
    })
    .map_err(|e| Error::new(ErrorCode::Io, format!("cannot start the simulator: {e}")))?;
    println!("simulator running at {}", sim.base_url());
    // One client with both providers, as an application using both would have.
    let cfg = Config::from_json(
        &serde_json::json!({
            "zignsec": {
                "base_url": sim.base_url(),
                "keys": [signbridge_sim::DEFAULT_PRIMARY_KEY, signbridge_sim::DEFAULT_SECONDARY_KEY],
            },
            "onespan": {
                "base_url": sim.base_url(),
                "api_key": signbridge_sim::ONESPAN_API_KEY,
            }
        })
        .to_string(),
    )?;
    let client = Client::new(cfg)?;
    let mut files = 0;
    for &provider in providers {
        let runs = match provider {
            Provider::Zignsec => zignsec_runs(),
            Provider::Onespan => onespan_runs(),
        };
        let signing = client.signing_with(provider)?;
        for (i, (label, session)) in runs.into_iter().enumerate() {
            println!("\n== {} run {}: {label} ==", provider.display_name(), i + 1);
            let started = signing.start(&session)?;
            println!(
                "started session {} with {} document(s)",
                started.id,
                session.documents.len()
            );
            for (n, link) in started.signers.iter().enumerate() {
                println!("{} signs at {}", link.name, link.url);
                let landed = sign_in_browser(&started, n)?;
                println!("{} signed in the browser; {landed}", link.name);
            }
            let done = crate::wait_with_progress(
                &client,
                &signing,
                &started.id,
                Some(Duration::from_secs(60)),
                session.documents.len(),
            )?;
            println!("session {} finished", done.id);
            let dir = out.join(provider.as_str()).join(format!("run-{}", i + 1));
            let paths = signing.save_all(&done, &dir)?;
            for (p, original) in paths.iter().zip(&session.documents) {
                let signed = std::fs::read(p).map_err(|e| Error::io("read", p, e))?;
                let signbridge::signing::DocumentContent::Bytes(original) = &original.content
                else {
                    continue;
                };
                let keeps = signed.starts_with(original);
                println!(
                    "signed file: {} ({} bytes, original bytes kept as prefix: {})",
                    p.display(),
                    signed.len(),
                    if keeps { "yes" } else { "NO" }
                );
                if !keeps {
                    return Err(Error::new(
                        ErrorCode::Integrity,
                        format!("{} does not start with the original document", p.display()),
                    ));
                }
                verify_signed(provider, &signed, original)?;
                files += 1;
            }
        }
    }
    println!(
        "\ndemo finished: {files} signed file(s) are in {}",
        out.display()
    );
    Ok(())
}

/// Verify a signed file's signatures against the simulator's test root of `provider` (the PKI
/// is deterministic: `simulator/pki/` holds the same roots), and print who signed.
fn verify_signed(provider: Provider, signed: &[u8], original: &[u8]) -> signbridge::Result<()> {
    use signbridge::verify::{verify_pdf, Original, TrustAnchors, VerifyOptions};
    let service = match provider {
        Provider::Zignsec => "bankid",
        Provider::Onespan => "onespan",
    };
    let root = signbridge_sim::pades::pki::Pki::for_service(service)
        .and_then(|p| p.root_pem().ok())
        .ok_or_else(|| Error::internal("the simulator's test PKI is not available"))?;
    let opts = VerifyOptions::new(TrustAnchors::from_pem(&root)?)
        .with_original(Original::Bytes(original.to_vec()));
    let report = verify_pdf(signed, &opts)?;
    for s in &report.signatures {
        println!(
            "  signature {}: {} by {} at {}",
            s.index,
            if s.valid { "valid" } else { "NOT VALID" },
            s.signer
                .as_ref()
                .map_or("an unknown signer", |x| x.subject.as_str()),
            s.signing_time.as_deref().unwrap_or("an unknown time")
        );
    }
    if !report.valid {
        return Err(Error::new(
            ErrorCode::Integrity,
            format!("a signed file does not verify: {:?}", report.problems),
        ));
    }
    Ok(())
}

fn contract() -> SessionDocument {
    SessionDocument::from_bytes("sample-contract.pdf", SAMPLE_PDF)
}

fn appendix() -> SessionDocument {
    SessionDocument::from_bytes("sample-appendix.pdf", SAMPLE_PDF_2)
}

fn redirects() -> Redirects {
    Redirects {
        success: Some("https://example.invalid/signed".into()),
        cancel: Some("https://example.invalid/cancelled".into()),
        error: None,
    }
}

/// ZignSec: one document, then two documents in one session; one BankID signer.
fn zignsec_runs() -> Vec<(&'static str, NewSession)> {
    let (_, name) = BANKID_TEST_USER;
    let (first, last) = name.split_once(' ').unwrap_or((name, ""));
    let signer = SessionSigner::new(first, last);
    vec![
        (
            "one document",
            NewSession {
                documents: vec![contract().with_field(SignatureField::at(1, 60.0, 700.0))],
                signers: vec![signer.clone()],
                redirects: redirects(),
                ..NewSession::default()
            },
        ),
        (
            "two documents",
            NewSession {
                documents: vec![
                    contract().with_field(SignatureField::at(1, 60.0, 700.0)),
                    appendix().with_field(SignatureField::at(2, 300.0, 670.0)),
                ],
                signers: vec![signer],
                redirects: redirects(),
                ..NewSession::default()
            },
        ),
    ]
}

/// OneSpan: a contract and an appendix, two signers, each signing both.
fn onespan_runs() -> Vec<(&'static str, NewSession)> {
    let buyer = SessionSigner::new("Kari", "Nordmann")
        .with_email("kari.nordmann@example.com")
        .with_id("buyer");
    let seller = SessionSigner::new("Ola", "Hansen")
        .with_email("ola.hansen@example.com")
        .with_id("seller");
    let both = |page, top| {
        [
            SignatureField::at(page, 60.0, top).for_signer(SignerSelector::Id("buyer".into())),
            SignatureField::at(page, 320.0, top).for_signer(SignerSelector::Id("seller".into())),
        ]
    };
    let [b1, s1] = both(1, 700.0);
    let [b2, s2] = both(2, 670.0);
    vec![(
        "two documents, two signers",
        NewSession {
            title: Some("Sale of a boat".into()),
            documents: vec![
                contract().with_field(b1).with_field(s1),
                appendix().with_field(b2).with_field(s2),
            ],
            signers: vec![buyer, seller],
            redirects: Redirects {
                success: None,
                ..redirects()
            },
            ..NewSession::default()
        },
    )]
}

/// Do what the signer's browser does on the signing page of signer `n`; returns where it ended.
fn sign_in_browser(started: &StartedSession, n: usize) -> signbridge::Result<String> {
    let url = &started.signers[n].url;
    match started.provider {
        Provider::Zignsec => zignsec_page(url),
        Provider::Onespan => onespan_page(url),
    }
}

fn fail(m: String) -> Error {
    Error::new(ErrorCode::Protocol, m)
}

/// GET a page and return its body and the absolute URL of its (first) form's action.
fn page_form(page_url: &str) -> signbridge::Result<(String, String)> {
    let page = signbridge_sim::client::get(page_url).map_err(fail)?;
    if page.status != 200 {
        return Err(fail(format!("signing page answered HTTP {}", page.status)));
    }
    let text = page.text();
    let action = signbridge_sim::client::form_action(&text)
        .ok_or_else(|| fail("the signing page has no form".into()))?;
    let target = url::Url::parse(page_url)
        .and_then(|u| u.join(&action))
        .map_err(|e| fail(format!("bad form action {action:?}: {e}")))?;
    Ok((text, target.to_string()))
}

/// The hosted BankID Norway page: personal number, one-time code and password of the test user.
fn zignsec_page(page_url: &str) -> signbridge::Result<String> {
    let (_, target) = page_form(page_url)?;
    let answer = signbridge_sim::client::post_form(
        &target,
        &[
            ("personal_number", BANKID_TEST_USER.0),
            ("otp", "otp"),
            ("password", "qwer1234"),
            ("action", "sign"),
        ],
    )
    .map_err(fail)?;
    match answer.header("location") {
        Some(loc) if answer.status / 100 == 3 => Ok(format!("browser sent to {loc}")),
        _ => Err(fail(format!(
            "signing was not accepted (HTTP {}): {}",
            answer.status,
            answer.text().chars().take(200).collect::<String>()
        ))),
    }
}

/// The OneSpan signing ceremony page (`/access?sessionToken=...`): tick "I have read and
/// accept" and press Sign (the first form of the page).
fn onespan_page(page_url: &str) -> signbridge::Result<String> {
    let (_, target) = page_form(page_url)?;
    let token = url::Url::parse(page_url)
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "sessionToken")
                .map(|(_, v)| v.into_owned())
        })
        .ok_or_else(|| fail(format!("the signing URL {page_url} has no sessionToken")))?;
    let answer = signbridge_sim::client::post_form(
        &target,
        &[
            ("sessionToken", &token),
            ("action", "sign"),
            ("accept", "on"),
        ],
    )
    .map_err(fail)?;
    let text = answer.text();
    if answer.status == 200 && text.contains("Thank you") {
        Ok("the page thanked them".to_string())
    } else {
        Err(fail(format!(
            "signing was not accepted (HTTP {}): {}",
            answer.status,
            text.chars().take(300).collect::<String>()
        )))
    }
}
