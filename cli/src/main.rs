//! `signbridge`: sign PDFs with ZignSec BankID Norway or OneSpan Sign, check sessions, download
//! results, and run the local simulator — or all of it at once with `signbridge demo`.
//!
//! Every signing command goes through the provider-neutral session of the core
//! (`signbridge::signing`): sessions are named `zignsec:<id>` or `onespan:<id>`.
//!
//! Credentials come from `SIGNBRIDGE_*` environment variables or a JSON config file
//! (`--config`), never from command-line arguments (they would show in `ps` and shell history).
//! Set `SIGNBRIDGE_LOG=info` (or any tracing filter) to see what it does; secrets are never logged.

mod call;
mod demo;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};
use signbridge::blocking::{Client, SigningService};
use signbridge::signing::{
    CompletedSession, NewSession, Provider, Redirects, SessionDocument, SessionRef, SessionSigner,
    SessionState, SignatureField, SignerSelector,
};
use signbridge::{Config, Error, ErrorCode, WaitOptions};

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

/// A document-signing provider on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ProviderArg {
    /// ZignSec BankID Norway (one signer per session).
    Zignsec,
    /// OneSpan Sign (one or more signers).
    Onespan,
}

impl From<ProviderArg> for Provider {
    fn from(p: ProviderArg) -> Provider {
        match p {
            ProviderArg::Zignsec => Provider::Zignsec,
            ProviderArg::Onespan => Provider::Onespan,
        }
    }
}

/// Which providers `demo` runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DemoProviders {
    /// ZignSec BankID Norway only.
    Zignsec,
    /// OneSpan Sign only.
    Onespan,
    /// ZignSec, then OneSpan.
    All,
}

#[derive(Subcommand)]
enum Command {
    /// Start the embedded simulator and run whole signing flows end to end (no credentials needed).
    Demo {
        /// Where to put the signed files (one directory per provider and run).
        #[arg(long, default_value = "signbridge-demo")]
        out: PathBuf,
        /// Which providers to run.
        #[arg(long, value_enum, default_value_t = DemoProviders::All)]
        provider: DemoProviders,
    },
    /// Start a signing session for one or more PDFs and print each signer's URL.
    Sign {
        /// The PDF files to sign, in order.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// The provider; default: `signing.provider` of the configuration, else the only
        /// configured one.
        #[arg(long, value_enum)]
        provider: Option<ProviderArg>,
        /// A signer as "First Last <email>" (repeat for several; ZignSec takes one).
        #[arg(long = "signer", value_parser = parse_signer)]
        signers: Vec<SessionSigner>,
        /// The first signer's signature box as PAGE,LEFT,TOP[,WIDTH,HEIGHT] in points from the
        /// page's top-left corner (page from 1); once per file, in order.
        #[arg(long = "field", value_parser = parse_field)]
        fields: Vec<SignatureField>,
        /// A title for the session (OneSpan's transaction name).
        #[arg(long)]
        title: Option<String>,
        /// Where the signer's browser goes after signing.
        #[arg(long)]
        redirect_success: Option<String>,
        /// Where the signer's browser goes after cancelling or failing.
        #[arg(long)]
        redirect_failure: Option<String>,
        /// Wait for the signers, then download the signed files.
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
        /// The session: `zignsec:<id>` / `onespan:<id>`, or a bare id with --provider.
        id: String,
        /// The provider of a bare id.
        #[arg(long, value_enum)]
        provider: Option<ProviderArg>,
        /// Print the state as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Download (and verify) the signed files of a finished session.
    Download {
        /// The session: `zignsec:<id>` / `onespan:<id>`, or a bare id with --provider.
        id: String,
        /// The provider of a bare id.
        #[arg(long, value_enum)]
        provider: Option<ProviderArg>,
        /// Target directory.
        #[arg(long, default_value = ".")]
        out: PathBuf,
    },
    /// Stop a session that is still waiting for signers (OneSpan; ZignSec has no cancel).
    Cancel {
        /// The session: `zignsec:<id>` / `onespan:<id>`, or a bare id with --provider.
        id: String,
        /// The provider of a bare id.
        #[arg(long, value_enum)]
        provider: Option<ProviderArg>,
    },
    /// Run any operation of the library by name with a JSON request, e.g.
    /// `signbridge call securosys.create_key --json '{"label": "k1", "algorithm": "EC", ...}'`;
    /// `--list` lists them, `--help-op NAME` describes one.
    Call {
        /// The operation (`signbridge call --list`).
        operation: Option<String>,
        /// The request, a JSON object (`-`: read it from stdin). Default `{}`.
        #[arg(long)]
        json: Option<String>,
        /// List the operations with their summaries.
        #[arg(long)]
        list: bool,
        /// Describe one operation: what it does, its request and result.
        #[arg(long, value_name = "OPERATION")]
        help_op: Option<String>,
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

fn parse_signer(s: &str) -> Result<SessionSigner, String> {
    let (name, email) = match s.split_once('<') {
        Some((name, rest)) => {
            let email = rest
                .strip_suffix('>')
                .ok_or("write the signer as \"First Last <email>\"")?;
            (name.trim(), Some(email.trim().to_string()))
        }
        None => (s.trim(), None),
    };
    let (first, last) = name
        .rsplit_once(' ')
        .map(|(f, l)| (f.trim(), l.trim()))
        .unwrap_or((name, ""));
    if first.is_empty() {
        return Err("write the signer as \"First Last <email>\"".into());
    }
    Ok(SessionSigner {
        id: None,
        first_name: first.to_string(),
        last_name: last.to_string(),
        email,
    })
}

fn parse_field(s: &str) -> Result<SignatureField, String> {
    let nums: Vec<&str> = s.split(',').map(str::trim).collect();
    if nums.len() != 3 && nums.len() != 5 {
        return Err("expected PAGE,LEFT,TOP or PAGE,LEFT,TOP,WIDTH,HEIGHT, e.g. 1,60,650".into());
    }
    let page: u32 = nums[0]
        .parse()
        .map_err(|_| format!("page {:?} is not a number", nums[0]))?;
    let num = |i: usize, what: &str| -> Result<f64, String> {
        nums[i]
            .parse()
            .map_err(|_| format!("{what} {:?} is not a number", nums[i]))
    };
    let mut f = SignatureField::at(page, num(1, "left")?, num(2, "top")?);
    if nums.len() == 5 {
        f = f.sized(num(3, "width")?, num(4, "height")?);
    }
    Ok(f)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Logs go to stderr; SIGNBRIDGE_LOG takes a filter such as `info` or `signbridge=debug`.
    let filter = tracing_subscriber::EnvFilter::try_from_env("SIGNBRIDGE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    // Colour codes only for a terminal: a log file or a pipe gets plain text.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let result = match cli.command {
        Command::Demo { out, provider } => {
            let providers = match provider {
                DemoProviders::Zignsec => vec![Provider::Zignsec],
                DemoProviders::Onespan => vec![Provider::Onespan],
                DemoProviders::All => Provider::ALL.to_vec(),
            };
            demo::run(&out, &providers)
        }
        Command::Sim { port, tls_dir } => sim(port, tls_dir),
        Command::Call { list: true, .. } => {
            call::list();
            Ok(())
        }
        Command::Call {
            help_op: Some(op), ..
        } => call::help(&op),
        // An unknown operation is named before any configuration is needed.
        Command::Call {
            operation: Some(ref op),
            ..
        } if signbridge::api::operation(op).is_err() => signbridge::api::operation(op).map(|_| ()),
        // Operations that send nothing anywhere need no configuration.
        Command::Call {
            operation: Some(ref op),
            ref json,
            ..
        } if call::standalone(op) => call::run(None, op, json.as_deref()),
        Command::Call {
            operation: None, ..
        } => Err(Error::invalid_argument(
            "name an operation (signbridge call --list shows them), e.g. signbridge call \
             securosys.version_info",
        )),
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

/// The session named on the command line: a `provider:id` reference, or a bare id of
/// `--provider` (or of the only configured signing provider).
fn session_ref(
    client: &Client,
    id: &str,
    provider: Option<ProviderArg>,
) -> signbridge::Result<(SigningService, SessionRef)> {
    let reference = match (id.contains(':'), provider) {
        (true, given) => {
            let r: SessionRef = id.parse()?;
            if let Some(p) = given {
                if Provider::from(p) != r.provider() {
                    return Err(Error::invalid_argument(format!(
                        "{id} is a {} session but --provider says {}",
                        r.provider(),
                        Provider::from(p)
                    )));
                }
            }
            r
        }
        (false, Some(p)) => SessionRef::new(p.into(), id)?,
        (false, None) => SessionRef::new(client.signing()?.provider(), id)?,
    };
    let signing = client.signing_with(reference.provider())?;
    Ok((signing, reference))
}

fn run(client: Client, command: Command) -> signbridge::Result<()> {
    match command {
        Command::Sign {
            files,
            provider,
            signers,
            fields,
            title,
            redirect_success,
            redirect_failure,
            wait,
            timeout,
            out,
        } => {
            if fields.len() > files.len() {
                return Err(Error::invalid_argument(format!(
                    "{} --field values given for {} files (one per file, in order)",
                    fields.len(),
                    files.len()
                )));
            }
            let signing = match provider {
                Some(p) => client.signing_with(p.into())?,
                None => client.signing()?,
            };
            let documents = files
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let doc = SessionDocument::from_path(f);
                    match fields.get(i) {
                        Some(field) => {
                            doc.with_field(field.clone().for_signer(SignerSelector::Index(0)))
                        }
                        None => doc,
                    }
                })
                .collect();
            let signers = if signers.is_empty() {
                vec![SessionSigner::default()]
            } else {
                signers
            };
            let session = NewSession {
                title,
                documents,
                signers,
                redirects: Redirects {
                    success: redirect_success,
                    cancel: redirect_failure,
                    error: None,
                },
                ..NewSession::default()
            };
            let started = signing.start(&session)?;
            println!("session:     {}", started.id);
            for s in &started.signers {
                if started.signers.len() == 1 {
                    println!("signing URL: {}", s.url);
                } else {
                    println!("signing URL: {} ({}, {})", s.url, s.signer_id, s.name);
                }
            }
            if wait {
                let done = wait_with_progress(
                    &client,
                    &signing,
                    &started.id,
                    Some(Duration::from_secs(timeout)),
                    files.len(),
                )?;
                save(&signing, &done, &out)?;
            }
            Ok(())
        }
        Command::Status { id, provider, json } => {
            let (signing, reference) = session_ref(&client, &id, provider)?;
            let s = signing.status(&reference)?;
            if json {
                let text = serde_json::to_string_pretty(&s)
                    .map_err(|e| Error::internal(format!("cannot print the state: {e}")))?;
                println!("{text}");
            } else {
                print_status(&s);
            }
            Ok(())
        }
        Command::Download { id, provider, out } => {
            let (signing, reference) = session_ref(&client, &id, provider)?;
            let done = signing.result(&reference)?;
            save(&signing, &done, &out)
        }
        Command::Cancel { id, provider } => {
            let (signing, reference) = session_ref(&client, &id, provider)?;
            signing.cancel(&reference)?;
            println!("session {reference} cancelled");
            Ok(())
        }
        Command::Call {
            operation: Some(op),
            json,
            ..
        } => call::run(Some(&client), &op, json.as_deref()),
        Command::Demo { .. } | Command::Sim { .. } | Command::Call { .. } => Ok(()),
    }
}

fn print_status(s: &SessionState) {
    println!("session: {}", s.id);
    println!("status:  {}", s.status);
    for signer in &s.signers {
        println!(
            "signer:  {} ({})",
            signer.signer_id,
            if signer.signed {
                "signed"
            } else {
                "not signed yet"
            }
        );
    }
}

/// Wait for a session of `documents` document(s), printing each state polled. Polls every two
/// seconds (the provider's recommendation, seed 002) unless the service is on loopback (the
/// simulator), see [`signbridge::session::default_poll_interval`].
pub(crate) fn wait_with_progress(
    client: &Client,
    signing: &SigningService,
    id: &SessionRef,
    timeout: Option<Duration>,
    documents: usize,
) -> signbridge::Result<CompletedSession> {
    let opts = WaitOptions {
        interval: poll_interval(client, id.provider()),
        timeout,
        cancel: None,
        on_progress: Some(Arc::new(move |s: &SessionState| {
            eprintln!("  ... {}", progress_line(s, documents));
        })),
    };
    signing.wait(id, &opts)
}

/// One progress line: the documents of the session, then its signers (the two counts are
/// different things: one signer signs every document).
pub(crate) fn progress_line(s: &SessionState, documents: usize) -> String {
    let signed = s.signers.iter().filter(|x| x.signed).count();
    format!(
        "session {} is {}: {documents} document{}, {signed} of {} signer{} signed",
        s.id,
        s.status,
        if documents == 1 { "" } else { "s" },
        s.signers.len(),
        if s.signers.len() == 1 { "" } else { "s" },
    )
}

/// The poll interval against `provider`'s configured service.
fn poll_interval(client: &Client, provider: Provider) -> Duration {
    let c = client.as_async();
    let base = match provider {
        Provider::Zignsec => c.zignsec().map(|z| z.base_url().to_owned()),
        Provider::Onespan => c.onespan().map(|o| o.base_url().to_owned()),
    };
    base.map(|b| signbridge::session::default_poll_interval(&b))
        .unwrap_or(signbridge::session::RECOMMENDED_POLL_INTERVAL)
}

fn save(signing: &SigningService, done: &CompletedSession, out: &Path) -> signbridge::Result<()> {
    let paths = signing.save_all(done, out)?;
    for p in paths {
        println!("signed file: {}", p.display());
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
        "OneSpan:   SIGNBRIDGE_ONESPAN_API_KEY={}",
        signbridge_sim::ONESPAN_API_KEY
    );
    println!("           SIGNBRIDGE_ONESPAN_URL={}", sim.base_url());
    println!(
        "OAuth2 client: client_id={} client_secret={}",
        signbridge_sim::DEFAULT_CLIENT_ID,
        signbridge_sim::DEFAULT_CLIENT_SECRET
    );
    // Securosys TSB (same listener): one X-API-KEY per role, and the JWT it takes when told to
    // require one (PUT /_sim/securosys/auth {"require_jwt": true}).
    println!("Securosys: base_url={}", sim.base_url());
    for (role, key) in [
        (
            "key_management",
            signbridge_sim::SECUROSYS_KEY_MANAGEMENT_KEY,
        ),
        ("key_operation", signbridge_sim::SECUROSYS_KEY_OPERATION_KEY),
        ("approver", signbridge_sim::SECUROSYS_APPROVER_KEY),
        ("service", signbridge_sim::SECUROSYS_SERVICE_KEY),
        (
            "approver_key_management",
            signbridge_sim::SECUROSYS_APPROVER_KEY_MANAGEMENT_KEY,
        ),
    ] {
        println!("           api_keys.{role}={key}");
    }
    println!("           jwt={}", signbridge_sim::SECUROSYS_JWT);
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
