//! No token storm: when the gateway rejects every token, even one just issued, calls
//! fail fast without a new token request each, for a back-off that grows; one accepted call ends
//! it. Counted at the simulator's token endpoint.

use serde_json::{json, Value};
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PRIMARY_KEY,
};
use std::time::{Duration, Instant};

fn control(sim: &BackgroundSimulator, method: &str, path: &str, body: Value) {
    let r = http::send_json(method, &format!("{}{path}", sim.base_url()), &body).expect("control");
    assert!(r.status < 300, "{path}: {} {}", r.status, r.text());
}

fn tokens_issued(sim: &BackgroundSimulator) -> u64 {
    let r = http::get(&format!("{}/_sim/oauth", sim.base_url())).expect("oauth state");
    r.json().expect("json")["tokens_issued"]
        .as_u64()
        .expect("count")
}

#[test]
fn a_gateway_rejecting_every_token_gets_a_handful_of_token_requests_not_a_storm() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let cfg = Config::from_json(
        &json!({
            "zignsec": {
                "base_url": sim.base_url(),
                "keys": [DEFAULT_PRIMARY_KEY],
                "oauth2": {"client_id": DEFAULT_CLIENT_ID, "client_secret": DEFAULT_CLIENT_SECRET}
            },
            "transport": {"backoff_base_ms": 1}
        })
        .to_string(),
    )
    .expect("config");
    let client = Client::new(cfg).expect("client");
    let signing = client.zignsec_signing().expect("signing");
    // A gateway that refuses every bearer token, fresh or not.
    control(
        &sim,
        "POST",
        "/_sim/faults",
        json!({"kind": "status", "status": 401, "count": 1_000_000,
               "path_prefix": "/api/v5/sessions/signing"}),
    );
    // 8 threads calling as fast as they can for 5 s.
    let until = Instant::now() + Duration::from_secs(5);
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let s = signing.clone();
            std::thread::spawn(move || {
                let mut calls = 0u64;
                while Instant::now() < until {
                    let e = s
                        .create(&CreateSigning::default())
                        .expect_err("the gateway refuses");
                    assert_eq!(e.code(), ErrorCode::Auth, "{e}");
                    calls += 1;
                }
                calls
            })
        })
        .collect();
    let calls: u64 = threads.into_iter().map(|t| t.join().expect("thread")).sum();
    let storm = tokens_issued(&sim);
    eprintln!("{calls} calls in 5 s, {storm} token requests");
    // Back-off 1, 2, 4 s after the first rejected pair: 2 + 1 + 1 (+1 at a boundary).
    assert!(calls > 8, "the calls ran: {calls}");
    assert!(
        storm <= 6,
        "{storm} token requests for {calls} rejected calls: a token storm"
    );

    // One accepted call ends the pause: the next token is requested at once.
    control(&sim, "DELETE", "/_sim/faults", json!({}));
    let before = tokens_issued(&sim);
    let mut ok = false;
    // The pause may still be on (an SB_ERR_AUTH naming it) until its back-off ends.
    while !ok {
        match signing.create(&CreateSigning::default()) {
            Ok(_) => ok = true,
            Err(e) => {
                assert_eq!(e.code(), ErrorCode::Auth, "{e}");
                assert!(e.message().contains("freshly issued"), "{e}");
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    assert!(tokens_issued(&sim) > before);
    signing
        .create(&CreateSigning::default())
        .expect("no pause after a success");
}
