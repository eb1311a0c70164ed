//! libFuzzer entry of the `onespan_response` target; the body is `signbridge::fuzzing::onespan_response`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::onespan_response(data));
