//! Data objects: stored, read and deleted with the key-management key only.

use serde_json::json;
use signbridge::blocking::Client;
use signbridge::{Config, ErrorCode};
use signbridge_sim::client as http;
use signbridge_sim::{
    BackgroundSimulator, SimConfig, SECUROSYS_KEY_MANAGEMENT_KEY, SECUROSYS_KEY_OPERATION_KEY,
};

#[test]
fn data_objects_round_trip_with_the_key_management_key_only() {
    let sim = BackgroundSimulator::start(SimConfig {
        quiet: true,
        ..SimConfig::default()
    })
    .expect("sim");
    let client = |key: &str| {
        Client::new(
            Config::from_json(
                &json!({"securosys": {"base_url": sim.base_url(),
                                      "api_keys": {"key_management": [key]}}})
                .to_string(),
            )
            .expect("config"),
        )
        .expect("client")
        .securosys()
        .expect("securosys")
    };
    let hsm = client(SECUROSYS_KEY_MANAGEMENT_KEY);
    let value: Vec<u8> = (0..=255u8).collect();
    hsm.create_data_object("a/b c", &value).expect("create");
    assert_eq!(hsm.read_data_object("a/b c").expect("read"), value);
    let e = hsm.create_data_object("a/b c", b"x").expect_err("exists");
    assert_eq!(e.provider_code(), Some("615"), "{e}");
    hsm.delete_data_object("a/b c").expect("delete");
    let e = hsm.read_data_object("a/b c").expect_err("gone");
    assert_eq!(e.code(), ErrorCode::NotFound);
    let e = hsm
        .create_data_object("big", &vec![0u8; 64 * 1024 + 1])
        .expect_err("too big");
    assert_eq!(e.code(), ErrorCode::InvalidArgument);

    let wrong = client(SECUROSYS_KEY_OPERATION_KEY);
    let e = wrong.create_data_object("x", b"x").expect_err("wrong role");
    assert_eq!(e.http_status(), Some(403), "{e}");
    let log = http::get(&format!("{}/_sim/securosys/requests", sim.base_url()))
        .expect("log")
        .json()
        .expect("json");
    for entry in log.as_array().into_iter().flatten() {
        assert_eq!(entry["required_role"], "keyManagementToken", "{entry}");
    }
}
