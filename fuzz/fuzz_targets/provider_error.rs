//! libFuzzer entry of the `provider_error` target; the body is `signbridge::fuzzing::provider_error`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::provider_error(data));
