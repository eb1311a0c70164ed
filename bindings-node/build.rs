//! Build script of the Node addon.
//!
//! 1. Linker setup for a Node addon (needed on macOS; harmless elsewhere).
//! 2. The `ErrorCode` enum of `index.d.ts` is generated from the core's error table
//!    (`core/src/error.rs`): the variant numbers and stable names are read from there and written
//!    to `$OUT_DIR/error_code.rs` as a `#[napi]` enum, so a code added to the core appears in the
//!    typings at the next build (and the `index.d.ts` drift check then asks to commit it). The
//!    runtime `ErrorCode` object comes from `signbridge::ErrorCode::ALL` itself (`errorCodes()`);
//!    the tests check that both agree.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    napi_build::setup();

    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let source = manifest.join("../core/src/error.rs");
    println!("cargo:rerun-if-changed={}", source.display());
    let text = std::fs::read_to_string(&source)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", source.display()));

    let variants = enum_variants(&text);
    let names = stable_names(&text);
    assert!(
        variants.len() >= 10,
        "could not read the ErrorCode variants from {}",
        source.display()
    );

    let mut out = String::new();
    out.push_str(
        "/// The stable error numbers of signbridge, named as `err.code` spells them \
         (`err.errno === ErrorCode.SB_ERR_AUTH`).\n\
         ///\n\
         /// Generated from the core's table by `build.rs`; the runtime object is built from \
         `errorCodes()`.\n\
         #[napi]\n#[allow(non_camel_case_types)]\npub enum ErrorCode {\n",
    );
    for (variant, number, doc) in &variants {
        let name = names
            .iter()
            .find(|(v, _)| v == variant)
            .map(|(_, n)| n.as_str())
            .unwrap_or_else(|| panic!("ErrorCode::{variant} has no stable name in error.rs"));
        for line in doc {
            writeln!(out, "    /// {}", line.replace(['[', ']'], "")).expect("write");
        }
        writeln!(out, "    {name} = {number},").expect("write");
    }
    out.push_str("}\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("error_code.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

/// `(Variant, number, doc lines)` of `pub enum ErrorCode { ... }`.
fn enum_variants(text: &str) -> Vec<(String, i32, Vec<String>)> {
    let start = text
        .find("pub enum ErrorCode {")
        .expect("pub enum ErrorCode in error.rs");
    let body = &text[start..];
    let body = &body[..body.find("\n}").expect("end of enum ErrorCode")];
    let mut out = Vec::new();
    let mut doc = Vec::new();
    for line in body.lines().skip(1) {
        let line = line.trim();
        if let Some(d) = line.strip_prefix("///") {
            doc.push(d.trim().to_string());
        } else if let Some((name, rest)) = line.split_once('=') {
            let number: i32 = rest
                .trim()
                .trim_end_matches(',')
                .parse()
                .unwrap_or_else(|_| panic!("ErrorCode line {line:?} has no number"));
            out.push((name.trim().to_string(), number, std::mem::take(&mut doc)));
        } else if !line.starts_with("#[") && !line.is_empty() {
            doc.clear();
        }
    }
    out
}

/// `(Variant, "SB_...")` from `ErrorCode::name`.
fn stable_names(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|l| {
            let l = l.trim();
            let rest = l.strip_prefix("ErrorCode::")?;
            let (variant, value) = rest.split_once("=>")?;
            let value = value.trim().trim_end_matches(',');
            let name = value.strip_prefix('"')?.strip_suffix('"')?;
            name.starts_with("SB_")
                .then(|| (variant.trim().to_string(), name.to_string()))
        })
        .collect()
}
