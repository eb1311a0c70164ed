//! libFuzzer entry of the `content_disposition` target; the body is `signbridge::fuzzing::content_disposition`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::content_disposition(data));
