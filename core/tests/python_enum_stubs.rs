//! The enums of the Python stub `bindings-python/python/signbridge/_native.pyi`, rendered from
//! the core's tables: `ErrorCode` from `ErrorCode::ALL` and every `str` enum from
//! `signbridge::enums::tables()` (the same tables the extension builds its `enum.Enum`s from at
//! import). They sit in the stub's generated region `enums`; `mypy.stubtest` then checks them
//! against the runtime as it checks the rest.
//!
//! This test fails when the region is stale; `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test
//! python_enum_stubs` rewrites it.

use std::fmt::Write as _;
use std::path::PathBuf;

use signbridge::ErrorCode;

const BEGIN: &str = "# ---- generated: enums (core/tests/python_enum_stubs.rs); do not edit ----\n";
const END: &str = "# ---- end of generated enums ----\n";

/// What the extension adds to an enum besides its members (`KeySpec`'s property, installed by
/// `bindings-python/src/securosys.rs`).
const EXTRA: &[(&str, &str)] = &[(
    "KeySpec",
    "    @property\n    def default_signature_algorithm(self) -> SignatureAlgorithm:\n        \
     \"\"\"The usual signature algorithm for this key type (SHA-256 or SHA-384 based; EdDSA).\"\"\"\n",
)];

fn stub_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../bindings-python/python/signbridge/_native.pyi")
}

fn render() -> String {
    let mut s = String::from(BEGIN);
    s.push_str(
        "class ErrorCode(enum.IntEnum):\n    \"\"\"The stable error codes of signbridge, equal to the \
         core's table.\"\"\"\n\n",
    );
    for &code in ErrorCode::ALL {
        let _ = writeln!(s, "    {} = {}", code.name(), code.as_i32());
    }
    for table in signbridge::enums::tables() {
        let doc = table.doc.split_whitespace().collect::<Vec<_>>().join(" ");
        let _ = write!(
            s,
            "\nclass {}(str, enum.Enum):\n    \"\"\"{}\"\"\"\n\n",
            table.name,
            doc.replace("\"\"\"", "'''")
        );
        for m in table.members.iter().chain(table.other.iter()) {
            let _ = writeln!(s, "    {} = {:?}", m.constant, m.value);
        }
        let _ = writeln!(
            s,
            "\n    def __new__(cls, value: object) -> {}: ...",
            table.name
        );
        if let Some((_, extra)) = EXTRA.iter().find(|(n, _)| *n == table.name) {
            s.push_str(extra);
        }
    }
    s.push_str(END);
    s
}

#[test]
fn python_enum_stubs_are_generated_from_the_core() {
    let path = stub_path();
    let stub = std::fs::read_to_string(&path).expect("read _native.pyi");
    let (Some(a), Some(b)) = (stub.find(BEGIN), stub.find(END)) else {
        panic!("_native.pyi has no generated enums region");
    };
    let text = format!("{}{}{}", &stub[..a], render(), &stub[b + END.len()..]);
    if std::env::var_os("SIGNBRIDGE_BLESS").is_some() {
        std::fs::write(&path, &text).expect("write _native.pyi");
        return;
    }
    assert!(
        stub == text,
        "the enums of _native.pyi are stale: run `SIGNBRIDGE_BLESS=1 cargo test -p signbridge \
         --test python_enum_stubs` and commit it"
    );
}

#[test]
fn every_enum_of_the_core_is_in_the_stub() {
    let text = render();
    for table in signbridge::enums::tables() {
        assert!(text.contains(&format!("class {}(str, enum.Enum)", table.name)));
    }
    assert!(text.contains("SB_ERR_PANIC = 901"));
}
