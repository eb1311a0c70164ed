//! libFuzzer entry of the `oauth_token` target; the body is `signbridge::fuzzing::oauth_token`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| signbridge::fuzzing::oauth_token(data));
