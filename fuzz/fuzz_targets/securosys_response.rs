//! libFuzzer entry of the `securosys_response` target; the body is `signbridge::fuzzing::securosys_response`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::securosys_response(data));
