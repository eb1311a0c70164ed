//! Rust-side tests of the C ABI. They are unit tests, not integration tests: see Cargo.toml for why.
//!
//! * [`codes`] renders the generated `src/codes.rs` and checks the committed file against it.
//! * [`abi`] checks the compiled library and the committed `include/signbridge.h` against the core.

use std::path::PathBuf;

mod abi;
mod codes;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
