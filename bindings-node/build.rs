//! Build script of the Node addon: the linker setup of a Node addon (needed on macOS; harmless
//! elsewhere). The `ErrorCode` enum of the typings is `src/error_code.rs`, rendered from the
//! core's error table by `core/tests/node_error_code.rs`.

fn main() {
    napi_build::setup();
}
