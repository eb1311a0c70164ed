//! `signbridge`: sign PDFs with BankID Norway through ZignSec, check sessions, download results,
//! and run the local simulator — or all of it at once with `signbridge demo`.
//!
//! Credentials come from `SIGNBRIDGE_*` environment variables or a JSON config file
//! (`--config`), never from command-line arguments (they would show in `ps` and shell history).
//! Set `SIGNBRIDGE_LOG=info` (or any tracing filter) to see what it does; secrets are never logged.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand};
use signbridge::blocking::{Client, Signing};
use signbridge::providers::zignsec::{CreateSigning, Document, Placement, SigningStatus};
use signbridge::{Config, Error, ErrorCode, WaitOptions};

/// The sample contract signed by `signbridge demo`.
const SAMPLE_PDF: &[u8] = include_bytes!("../assets/sample-contract.pdf");
/// The second document of the demo's two-document run.
const SAMPLE_PDF_2: &[u8] = include_bytes!("../assets/sample-appendix.pdf");

#[derive(Parser)]
#[command(
    name = "signbridge",
    version,
    about = "Nordic eID and e-signing from the command line"
)]
struct Cli {
    /// JSON configuration file (the one config schema). Without it, SIGNBRIDGE_* environment
    /// variables are used.
    #[arg(long, global = true, env = "SIGNBRIDGE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the embedded simulator and run whole signing flows end to end (no credentials needed).
    Demo {
        /// Where to put the signed files.
        #[arg(long, default_value = "signbridge-demo")]
        out: PathBuf,
    },
    /// Start a BankID Norway signing session for one or more PDFs and print the signing URL.
    Sign {
        /// The PDF files to sign, in order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Signature placement as PAGE,X,Y (points from the bottom-left), once per file in order.
        #[arg(long, value_parser = parse_placement)]
        placement: Vec<Placement>,
        /// Where the signer's browser goes after signing.
        #[arg(long)]
        redirect_success: Option<String>,
        /// Where the signer's browser goes after cancelling.
        #[arg(long)]
        redirect_failure: Option<String>,
        /// Wait for the signer, then download the signed files.
        #[arg(long)]
        wait: bool,
        /// Give up waiting after this many seconds.
        #[arg(long, default_value_t = 900)]
        timeout: u64,
        /// Where to put the signed files (with --wait).
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Show a signing session's state.
    Status {
        /// Session id.
        id: String,
        /// Print the full state as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Download (and verify) the signed files of a finished session.
    Download {
        /// Session id.
        id: String,
        /// Target directory.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Run the local simulator in the foreground.
    Sim {
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8089)]
        port: u16,
        /// Also listen with TLS requiring a client certificate; a test CA, server and client
        /// certificates are issued into this directory (if absent) for you to use.
        #[arg(long)]
        tls_dir: Option<PathBuf>,
    },
}

fn parse_placement(s: &str) -> Result<Placement, String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != 3 {
        return Err("expected PAGE,X,Y, e.g. 1,50,60".into());
    }
    let page = parts[0]
        .parse()
        .map_err(|_| format!("page {:?} is not a number", parts[0]))?;
    let x = parts[1]
        .parse()
        .map_err(|_| format!("x {:?} is not a number", parts[1]))?;
    let y = parts[2]
        .parse()
        .map_err(|_| format!("y {:?} is not a number", parts[2]))?;
    Ok(Placement { page, x, y })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr; SIGNBRIDGE_LOG takes a filter such as `info` or `signbridge=debug`.
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGNBRIDGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    let result = match cli.command {
        Command::Demo { out } => demo(&out),
        Command::Sim { port, tls_dir } => sim(port, tls_dir),
        command => client(cli.config.as_deref()).and_then(|c| run(c, command)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "error: {} ({}): {}",
                e.code().name(),
                e.code().as_i32(),
                e.message()
            );
            if let Some(after) = e.retry_after() {
                eprintln!(
                    "hint: the provider asked to retry after {}s",
                    after.as_secs()
                );
            }
            ExitCode::FAILURE
        }
    }
}

fn client(config: Option<&Path>) -> signbridge::Result<Client> {
    let cfg = match config {
        Some(p) => Config::from_file(p)?,
        None => Config::from_env()?,
    };
    Client::new(cfg)
}

fn run(client: Client, command: Command) -> signbridge::Result<()> {
    let signing = client.zignsec_signing()?;
    match command {
        Command::Sign {
            files,
            placement,
            redirect_success,
            redirect_failure,
            wait,
            timeout,
            out,
        } => {
            if placement.len() > files.len() {
                return Err(Error::invalid_argument(format!(
                    "{} placements given for {} files",
                    placement.len(),
                    files.len()
                )));
            }
            let docs = files
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    signbridge::blocking::document_from_path(f, placement.get(i).copied())
                })
                .collect::<signbridge::Result<Vec<Document>>>()?;
            let create = CreateSigning {
                redirect_success,
                redirect_failure,
                ..CreateSigning::default()
            };
            let started = signing.sign_documents(&create, &docs)?;
            println!("session:     {}", started.id);
            println!("signing URL: {}", started.redirect_url);
            if wait {
                let done =
                    wait_with_progress(&signing, &started.id, Some(Duration::from_secs(timeout)))?;
                save(&signing, &done, &out)?;
            }
            Ok(())
        }
        Command::Status { id, json } => {
            let s = signing.status(&id)?;
            if json {
                let text = serde_json::to_string_pretty(&s)
                    .map_err(|e| Error::internal(format!("cannot print the state: {e}")))?;
                println!("{text}");
            } else {
                print_status(&s);
            }
            Ok(())
        }
        Command::Download { id, out } => {
            let s = signing.status(&id)?;
            if let Some(err) = s.failure() {
                return Err(err);
            }
            save(&signing, &s, &out)
        }
        Command::Demo { .. } | Command::Sim { .. } => Ok(()),
    }
}

fn print_status(s: &SigningStatus) {
    println!("session: {}", s.id);
    println!("status:  {}", s.status);
    for e in &s.errors {
        println!("error:   {} ({})", e.code, e.description);
    }
    for f in &s.input_files {
        println!("input:   {} ({})", f.name, f.id);
    }
    for f in &s.signed_files {
        println!("signed:  {} ({})", f.name, f.id);
    }
}

fn wait_with_progress(
    signing: &Signing,
    id: &str,
    timeout: Option<Duration>,
) -> signbridge::Result<SigningStatus> {
    let opts = WaitOptions {
        interval: Duration::from_secs(2),
        timeout,
        cancel: None,
        on_progress: Some(Arc::new(|s: &SigningStatus| {
            eprintln!("  ... session {} is {}", s.id, s.status);
        })),
    };
    signing.wait(id, &opts)
}

fn save(signing: &Signing, state: &SigningStatus, out: &Path) -> signbridge::Result<()> {
    let paths = signing.save_signed_files(state, out)?;
    for p in paths {
        println!("signed file: {} (md5 verified)", p.display());
    }
    Ok(())
}

fn sim(port: u16, tls_dir: Option<PathBuf>) -> signbridge::Result<()> {
    let cfg = signbridge_sim::SimConfig {
        bind: std::net::SocketAddr::from(([127, 0, 0, 1], port)),
        tls_dir: tls_dir.clone(),
        ..signbridge_sim::SimConfig::default()
    };
    let sim = signbridge_sim::BackgroundSimulator::start(cfg)
        .map_err(|e| Error::new(ErrorCode::Io, format!("cannot start the simulator: {e}")))?;
    println!("signbridge simulator listening on {}", sim.base_url());
    println!(
        "test keys: SIGNBRIDGE_ZIGNSEC_KEY={}",
        signbridge_sim::DEFAULT_PRIMARY_KEY
    );
    println!(
        "           SIGNBRIDGE_ZIGNSEC_SECONDARY_KEY={}",
        signbridge_sim::DEFAULT_SECONDARY_KEY
    );
    println!("           SIGNBRIDGE_ZIGNSEC_URL={}", sim.base_url());
    println!(
        "OAuth2 client: client_id={} client_secret={}",
        signbridge_sim::DEFAULT_CLIENT_ID,
        signbridge_sim::DEFAULT_CLIENT_SECRET
    );
    if let (Some(url), Some(dir)) = (sim.tls_base_url(), &tls_dir) {
        println!("two-way TLS listening on {url}");
        println!(
            "  CA: {0}/ca.pem  client certificate: {0}/client.pem  key: {0}/client-key.pem",
            dir.display()
        );
    }
    println!("press Ctrl-C to stop");
    loop {
        std::thread::park();
    }
}

/// The demo: the embedded simulator, two whole signing flows, the hosted page completed the way a
/// browser would, signed files downloaded and verified.
fn demo(out: &Path) -> signbridge::Result<()> {
    let sim = signbridge_sim::BackgroundSimulator::start(signbridge_sim::SimConfig {
        quiet: true,
        ..signbridge_sim::SimConfig::default()
    })
    .map_err(|e| Error::new(ErrorCode::Io, format!("cannot start the simulator: {e}")))?;
    println!("simulator running at {}", sim.base_url());
    let cfg = Config::from_json(&serde_json::json!({
        "zignsec": {
            "base_url": sim.base_url(),
            "keys": [signbridge_sim::DEFAULT_PRIMARY_KEY, signbridge_sim::DEFAULT_SECONDARY_KEY],
        }
    }).to_string())?;
    let client = Client::new(cfg)?;
    let signing = client.zignsec_signing()?;

    let runs: [(&str, Vec<Document>); 2] = [
        (
            "one document",
            vec![Document {
                name: "sample-contract.pdf".into(),
                data: SAMPLE_PDF.to_vec().into(),
                placement: Some(Placement {
                    page: 1,
                    x: 60.0,
                    y: 80.0,
                }),
            }],
        ),
        (
            "two documents",
            vec![
                Document {
                    name: "sample-contract.pdf".into(),
                    data: SAMPLE_PDF.to_vec().into(),
                    placement: Some(Placement {
                        page: 1,
                        x: 60.0,
                        y: 80.0,
                    }),
                },
                Document {
                    name: "sample-appendix.pdf".into(),
                    data: SAMPLE_PDF_2.to_vec().into(),
                    placement: Some(Placement {
                        page: 2,
                        x: 300.0,
                        y: 120.0,
                    }),
                },
            ],
        ),
    ];
    for (i, (label, docs)) in runs.into_iter().enumerate() {
        println!("\n== run {}: {label} ==", i + 1);
        let create = CreateSigning {
            redirect_success: Some("https://example.invalid/signed".into()),
            redirect_failure: Some("https://example.invalid/cancelled".into()),
            relay_state: Some(format!("demo-run-{}", i + 1)),
            ..CreateSigning::default()
        };
        let started = signing.sign_documents(&create, &docs)?;
        println!(
            "created session {} with {} document(s)",
            started.id,
            started.files.len()
        );
        println!("signer URL: {}", started.redirect_url);
        let landed = sign_in_browser(&started.redirect_url, "06046517928")?;
        println!("Aksel Herseth signed on the hosted page; browser sent to {landed}");
        let done = wait_with_progress(&signing, &started.id, Some(Duration::from_secs(60)))?;
        println!("session is {}", done.status);
        let dir = out.join(format!("run-{}", i + 1));
        let paths = signing.save_signed_files(&done, &dir)?;
        for (p, original) in paths.iter().zip(&docs) {
            let signed = std::fs::read(p).map_err(|e| Error::io("read", p, e))?;
            let keeps = signed.starts_with(&original.data);
            println!(
                "signed file: {} ({} bytes, md5 verified, original bytes kept as prefix: {})",
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
        }
    }
    println!("\ndemo finished: signed files are in {}", out.display());
    Ok(())
}

/// Complete the hosted signing page as a browser would: GET the page, read its form, POST it as
/// the BankID Norway test user, and follow the answer's redirect target.
fn sign_in_browser(page_url: &str, personal_number: &str) -> signbridge::Result<String> {
    let fail = |m: String| Error::new(ErrorCode::Protocol, m);
    let page = signbridge_sim::client::get(page_url).map_err(fail)?;
    if page.status != 200 {
        return Err(fail(format!("signing page answered HTTP {}", page.status)));
    }
    let action = signbridge_sim::client::form_action(&page.text())
        .ok_or_else(|| fail("the signing page has no form".into()))?;
    let target = url::Url::parse(page_url)
        .and_then(|u| u.join(&action))
        .map_err(|e| fail(format!("bad form action {action:?}: {e}")))?;
    let answer = signbridge_sim::client::post_form(
        target.as_str(),
        &[
            ("personal_number", personal_number),
            ("otp", "otp"),
            ("password", "qwer1234"),
            ("action", "sign"),
        ],
    )
    .map_err(fail)?;
    match answer.header("location") {
        Some(loc) if answer.status / 100 == 3 => Ok(loc.to_string()),
        _ => Err(fail(format!(
            "signing was not accepted (HTTP {}): {}",
            answer.status,
            answer.text().chars().take(200).collect::<String>()
        ))),
    }
}
