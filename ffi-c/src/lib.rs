//! # signbridge-ffi: the C ABI of signbridge
//!
//! This crate builds `libsignbridge.so` and `libsignbridge.a`; `include/signbridge.h` is generated
//! from it by cbindgen (pinned 0.29.4, `ffi-c/cbindgen.toml`). It is a thin translation of the
//! core crate (imported here as `sbcore`): arguments are converted in, the core's blocking API is
//! called, results and errors are converted out. No behaviour lives here (DESIGN.md principle 1).
//!
//! Conventions (repeated in the header for C programmers):
//!
//! * Every fallible function returns an [`sb_code`] and fills an optional `sb_error **out_error`
//!   ([`error::sb_error`]) on failure; on success `*out_error` is set to NULL.
//! * Every `extern "C"` body runs inside a panic boundary ([`boundary`]).
//! * Every pointer handed to C (handles, strings, byte buffers, errors) is recorded in a registry
//!   ([`handles`]); every handle received from C is looked up there before it is touched, so NULL,
//!   freed, foreign and wrong-type pointers are refused with `SB_ERR_INVALID_ARGUMENT`, and frees
//!   of such pointers are ignored.
//!
//! Every extern function is written literally (`#[no_mangle] pub unsafe extern "C" fn ...`), with
//! the boundary macro inside its body, so that cbindgen sees it without macro expansion.

#![allow(non_camel_case_types)]

#[macro_use]
pub mod boundary;
pub mod args;
pub mod call;
pub mod cancel;
pub mod client;
pub mod codes;
pub mod error;
pub mod handles;
pub mod memory;
pub mod onespan;
pub mod redirect;
pub mod signing;
pub mod status;
pub mod wait;
pub mod webhook;

pub use codes::*;

#[cfg(test)]
mod tests;
