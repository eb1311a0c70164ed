//! `signbridge-bench delay-proxy LISTEN UPSTREAM ONE_WAY_MS`: a TCP proxy that makes a loopback
//! link look like a network path with a round trip of `2 × ONE_WAY_MS`.
//!
//! Every chunk read from one side is stamped with the time it was read and written to the other
//! side `ONE_WAY_MS` later, in order; the reader keeps reading meanwhile, so pipelined and
//! multiplexed traffic overlaps in flight as on a real path (the delay is latency, not a
//! bandwidth cap). A new connection also pays one round trip before its first byte reaches the
//! server: a real client's `connect()` returns after the SYN/SYN-ACK round trip, whereas the
//! proxy's listener accepts at once on loopback. Half-closes are forwarded after the same delay.
//!
//! Prints `delay-proxy listening on ADDR` once it accepts, and runs until it is killed.

use std::io::Write as _;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

type R<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// A chunk to write at `due`, or the end of the stream (`None`).
type Item = (Instant, Option<Vec<u8>>);

pub fn run(listen: &str, upstream: &str, one_way_ms: u64) -> R<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        {
            let mut out = std::io::stdout().lock();
            writeln!(out, "delay-proxy listening on {addr}")?;
            out.flush()?;
        }
        let delay = Duration::from_millis(one_way_ms);
        loop {
            let (client, _) = listener.accept().await?;
            let accepted = Instant::now();
            let upstream = upstream.to_string();
            tokio::spawn(async move {
                if let Err(e) = relay(client, &upstream, accepted, delay).await {
                    eprintln!("delay-proxy: connection ended: {e}");
                }
            });
        }
    })
}

async fn relay(client: TcpStream, upstream: &str, accepted: Instant, delay: Duration) -> R<()> {
    let server = TcpStream::connect(upstream).await?;
    client.set_nodelay(true)?;
    server.set_nodelay(true)?;
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    // Client → server: nothing arrives before the emulated SYN/SYN-ACK round trip is over.
    let up = pump(cr, sw, delay, accepted + 2 * delay);
    let down = pump(sr, cw, delay, accepted);
    let (a, b) = tokio::join!(up, down);
    a?;
    b?;
    Ok(())
}

/// Copy `from` to `to`, each chunk `delay` after it was read (and not before `not_before`).
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    delay: Duration,
    not_before: Instant,
) -> R<()> {
    let (tx, mut rx) = mpsc::channel::<Item>(4096);
    let writer = tokio::spawn(async move {
        while let Some((due, chunk)) = rx.recv().await {
            tokio::time::sleep_until(due).await;
            match chunk {
                Some(c) => {
                    if to.write_all(&c).await.is_err() {
                        return;
                    }
                }
                None => {
                    let _ = to.shutdown().await;
                    return;
                }
            }
        }
    });
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(n) => n,
            Err(_) => 0,
        };
        let due = Instant::now().max(not_before) + delay;
        let item = (n > 0).then(|| buf[..n].to_vec());
        let end = item.is_none();
        if tx.send((due, item)).await.is_err() || end {
            break;
        }
    }
    drop(tx);
    let _ = writer.await;
    Ok(())
}
