//! libFuzzer entry of the `zignsec_redirect` target; the body is `signbridge::fuzzing::zignsec_redirect`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::zignsec_redirect(data));
