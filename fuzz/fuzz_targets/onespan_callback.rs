//! libFuzzer entry of the `onespan_callback` target; the body is `signbridge::fuzzing::onespan_callback`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::onespan_callback(data));
