//! libFuzzer entry of the `zignsec_eid_response` target; the body is `signbridge::fuzzing::zignsec_eid_response`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::zignsec_eid_response(data));
