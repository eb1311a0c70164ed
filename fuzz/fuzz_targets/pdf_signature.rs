//! libFuzzer entry of the `pdf_signature` target; the body is `signbridge::fuzzing::pdf_signature`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::pdf_signature(data));
