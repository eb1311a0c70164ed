//! libFuzzer entry of the `onespan_error` target; the body is `signbridge::fuzzing::onespan_error`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::onespan_error(data));
