//! A proxy variable of the environment that signbridge cannot use (here `ALL_PROXY` with a
//! `socks5://` URL, common on machines set up for other programs) does not stop the client:
//! loopback destinations go direct, and only a call that would go through the proxy fails, with
//! SB_ERR_INVALID_CONFIG naming the variable and never its password.
//!
//! Its own test binary with one test: it sets the process environment.

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::providers::zignsec::CreateSigning;
use signbridge::{Config, ErrorCode};
use signbridge_sim::{BackgroundSimulator, SimConfig, DEFAULT_PRIMARY_KEY};

#[test]
fn an_unusable_proxy_variable_only_fails_the_calls_that_need_it() {
    for name in ["HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"] {
        std::env::remove_var(name);
    }
    std::env::set_var("ALL_PROXY", "socks5h://user:v4r-s3cret@proxy.example:1080");
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("simulator starts");

    // Loopback: direct, works.
    let local = Client::new(
        Config::from_value(json!({
            "zignsec": {"base_url": sim.base_url(), "keys": [DEFAULT_PRIMARY_KEY]}
        }))
        .expect("config"),
    )
    .expect("a proxy variable does not stop client construction");
    let signing = local.zignsec_signing().expect("signing");
    let session = signing
        .create(&CreateSigning::default())
        .expect("loopback goes direct");
    assert!(!session.id.is_empty());

    // A provider host: the call would need the proxy, which cannot be used.
    let remote = Client::new(
        Config::from_value(json!({
            "zignsec": {"base_url": "https://gateway.test:9/", "keys": [DEFAULT_PRIMARY_KEY]},
            "transport": {"max_attempts": 3}
        }))
        .expect("config"),
    )
    .expect("construction is not refused");
    let e = remote
        .zignsec_signing()
        .expect("signing")
        .create(&CreateSigning::default())
        .expect_err("the proxy variable is unusable");
    assert_eq!(e.code(), ErrorCode::InvalidConfig, "{e}");
    assert!(e.message().contains("ALL_PROXY"), "{e}");
    assert!(e.message().contains("transport.proxy"), "{e}");
    assert!(!e.message().contains("v4r-s3cret"), "{e}");
    assert!(!format!("{e:?}").contains("v4r-s3cret"));
}
