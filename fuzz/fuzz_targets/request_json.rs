//! libFuzzer entry of the `request_json` target; the body is `signbridge::fuzzing::request_json`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::request_json(data));
