//! libFuzzer entry of the `securosys_error` target; the body is `signbridge::fuzzing::securosys_error`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::securosys_error(data));
