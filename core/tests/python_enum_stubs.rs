//! The enums and error classes of the Python stub `bindings-python/python/signbridge/_native.pyi`,
//! rendered from the core's tables: `ErrorCode` from `ErrorCode::ALL`, every `str` enum from
//! `signbridge::enums::tables()` (the same tables the extension builds its `enum.Enum`s from at
//! import) and the exception subclasses from `ErrorClass::ALL`. They sit in the stub's generated
//! regions `enums` and `error classes`; `mypy.stubtest` then checks them against the runtime as
//! it checks the rest.
//!
//! This test fails when the region is stale; `SIGNBRIDGE_BLESS=1 cargo test -p signbridge --test
//! python_enum_stubs` rewrites it.

use std::fmt::Write as _;
use std::path::PathBuf;

use signbridge::{ErrorClass, ErrorCode};

const BEGIN: &str = "# ---- generated: enums (core/tests/python_enum_stubs.rs); do not edit ----\n";
const END: &str = "# ---- end of generated enums ----\n";
const CLASSES_BEGIN: &str =
    "# ---- generated: error classes (core/tests/python_enum_stubs.rs); do not edit ----\n";
const CLASSES_END: &str = "# ---- end of generated error classes ----\n";

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

/// Every exception class below the root (`SignbridgeError`, whose attributes the stub declares).
fn render_classes() -> String {
    let mut s = String::from(CLASSES_BEGIN);
    for class in ErrorClass::ALL {
        if let Some(parent) = class.parent {
            let _ = writeln!(s, "class {}({parent}): ...", class.name);
        }
    }
    s.push_str(CLASSES_END);
    s
}

/// `stub` with the region between `begin` and `end` replaced by `region`.
fn replaced(stub: &str, begin: &str, end: &str, region: &str) -> String {
    let (Some(a), Some(b)) = (stub.find(begin), stub.find(end)) else {
        panic!("_native.pyi has no region {begin:?}");
    };
    format!("{}{}{}", &stub[..a], region, &stub[b + end.len()..])
}

#[test]
fn python_enum_stubs_are_generated_from_the_core() {
    let path = stub_path();
    let stub = std::fs::read_to_string(&path).expect("read _native.pyi");
    let text = replaced(&stub, BEGIN, END, &render());
    let text = replaced(&text, CLASSES_BEGIN, CLASSES_END, &render_classes());
    if std::env::var_os("SIGNBRIDGE_BLESS").is_some() {
        std::fs::write(&path, &text).expect("write _native.pyi");
        return;
    }
    assert!(
        stub == text,
        "the enums or error classes of _native.pyi are stale: run `SIGNBRIDGE_BLESS=1 cargo test -p signbridge \
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
    let classes = render_classes();
    assert!(classes.contains("class InvalidDocument(InvalidInput): ..."));
    assert!(!classes.contains("class SignbridgeError"));
}
