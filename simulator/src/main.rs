//! `signbridge-sim`: runs the ZignSec signing and eID simulator until SIGINT or SIGTERM.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};

use clap::Parser;
use signbridge_sim::{
    SimConfig, Simulator, DEFAULT_PRIMARY_KEY, DEFAULT_SECONDARY_KEY, DEFAULT_WEBHOOK_SECRET,
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
    let cfg = SimConfig {
        bind: SocketAddr::new(args.host, args.port),
        zignsec_keys: keys,
        quiet: args.quiet,
        webhook_secret: args.webhook_secret,
    };
    let sim = match Simulator::start(cfg).await {
        Ok(sim) => sim,
        Err(e) => {
            eprintln!(
                "signbridge-sim: cannot listen on {}:{}: {e}",
                args.host, args.port
            );
            return std::process::ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "signbridge-sim listening on {}", sim.base_url());
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
