//! libFuzzer entry of the `config_json` target; the body is `signbridge::fuzzing::config_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::config_json(data));
