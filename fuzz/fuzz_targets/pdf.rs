//! libFuzzer entry of the `pdf` target; the body is `signbridge::fuzzing::pdf`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::pdf(data));
