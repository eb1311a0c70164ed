//! libFuzzer entry of the `file_name` target; the body is `signbridge::fuzzing::file_name`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::file_name(data));
