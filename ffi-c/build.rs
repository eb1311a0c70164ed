//! Gives libsignbridge.so a versioned SONAME on Linux (`libsignbridge.so.0.1` for 0.x versions,
//! `libsignbridge.so.N` from 1.0 on), so installed copies can follow the usual symlink layout.

fn main() {
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_default();
    let minor = std::env::var("CARGO_PKG_VERSION_MINOR").unwrap_or_default();
    let abi = if major == "0" {
        format!("0.{minor}")
    } else {
        major
    };
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libsignbridge.so.{abi}");
    }
}
