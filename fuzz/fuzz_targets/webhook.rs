//! libFuzzer entry of the `webhook` target; the body is `signbridge::fuzzing::webhook`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::webhook(data));
