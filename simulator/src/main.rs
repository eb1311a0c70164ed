//! `signbridge-sim`: runs the ZignSec signing and eID simulator until SIGINT or SIGTERM.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use clap::Parser;
use signbridge_sim::{
    SimConfig, Simulator, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PRIMARY_KEY,
    DEFAULT_SECONDARY_KEY, DEFAULT_TOKEN_LIFETIME_S, DEFAULT_WEBHOOK_SECRET,
};

/// Local sandbox of the ZignSec gateway's BankID Norway signing API.
#[derive(Debug, Parser)]
#[command(name = "signbridge-sim", version, about)]
struct Args {
    /// TCP port to listen on (0 picks a free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// A valid subscription key (repeatable). Defaults to the two built-in test keys.
    #[arg(long = "key", value_name = "KEY")]
    keys: Vec<String>,
    /// Do not log requests to stderr.
    #[arg(long)]
    quiet: bool,
    /// Secret used to sign webhooks (HMAC-SHA256).
    #[arg(long, value_name = "SECRET", default_value = DEFAULT_WEBHOOK_SECRET)]
    webhook_secret: String,
    /// Also listen with mutual TLS; the test PKI (CA, server and client certificates) is issued
    /// into DIR unless it already holds ca.pem, server.pem and server-key.pem.
    #[arg(long, value_name = "DIR")]
    tls_dir: Option<PathBuf>,
    /// TCP port of the TLS listener (0 picks a free port).
    #[arg(long, default_value_t = 0)]
    tls_port: u16,
    /// Offer only HTTP/1.1 on the TLS listener (by default HTTP/2 too, by ALPN).
    #[arg(long)]
    no_http2: bool,
    /// An OAuth2 client as ID:SECRET (repeatable). Defaults to the built-in test client.
    #[arg(long = "oauth-client", value_name = "ID:SECRET")]
    oauth_clients: Vec<String>,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_TOKEN_LIFETIME_S)]
    token_lifetime: u64,
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("signbridge-sim: cannot start runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    rt.block_on(run(args))
}

async fn run(args: Args) -> std::process::ExitCode {
    let keys = if args.keys.is_empty() {
        vec![
            DEFAULT_PRIMARY_KEY.to_owned(),
            DEFAULT_SECONDARY_KEY.to_owned(),
        ]
    } else {
        args.keys
    };
    let mut oauth_clients = Vec::new();
    for c in &args.oauth_clients {
        match c.split_once(':') {
            Some((id, secret)) if !id.is_empty() => {
                oauth_clients.push((id.to_owned(), secret.to_owned()));
            }
            _ => {
                eprintln!("signbridge-sim: --oauth-client must be ID:SECRET");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    if oauth_clients.is_empty() {
        oauth_clients.push((
            DEFAULT_CLIENT_ID.to_owned(),
            DEFAULT_CLIENT_SECRET.to_owned(),
        ));
    }
    if args.token_lifetime == 0 {
        eprintln!("signbridge-sim: --token-lifetime must be at least 1");
        return std::process::ExitCode::FAILURE;
    }
    let cfg = SimConfig {
        bind: SocketAddr::new(args.host, args.port),
        zignsec_keys: keys,
        quiet: args.quiet,
        webhook_secret: args.webhook_secret,
        oauth_clients,
        token_lifetime_s: args.token_lifetime,
        tls_dir: args.tls_dir.clone(),
        tls_port: args.tls_port,
        tls_http2: !args.no_http2,
    };
    let sim = match Simulator::start(cfg).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!(
                "signbridge-sim: cannot start on {}:{}: {e}",
                args.host, args.port
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "signbridge-sim listening on {}", sim.base_url());
    if let (Some(url), Some(dir)) = (sim.tls_base_url(), &args.tls_dir) {
        let _ = writeln!(
            out,
            "signbridge-sim tls listening on {url} (client certificate required; CA and client certs in {})",
            dir.display()
        );
    }
    let _ = out.flush();
    drop(out);

    wait_for_signal().await;
    sim.shutdown().await;
    std::process::ExitCode::SUCCESS
}

#[cfg(unix)]
async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
