//! The Rust examples of README.md and the documentation site compile against the current API:
//! each file of `tests/docs_examples/` is one example, verbatim, and the test below checks that
//! the page still shows exactly that code. Change an example in both places (the page and its
//! file); the compiler then checks it. `cargo fmt` formats these files too (they are modules of
//! this test), so the pages show rustfmt's layout: after `cargo fmt`, copy the file into the page. (They are compiled, not run: they need real
//! credentials or the simulator; the Python and Node suites run their languages' examples.)

#[allow(dead_code)]
#[path = "docs_examples/onespan_callbacks.rs"]
mod onespan_callbacks;
#[allow(dead_code)]
#[path = "docs_examples/onespan_contract.rs"]
mod onespan_contract;
#[allow(dead_code)]
#[path = "docs_examples/readme_sign.rs"]
mod readme_sign;
#[allow(dead_code)]
#[path = "docs_examples/rust_eid_webhook.rs"]
mod rust_eid_webhook;
#[allow(dead_code)]
#[path = "docs_examples/securosys_approvals.rs"]
mod securosys_approvals;
#[allow(dead_code)]
#[path = "docs_examples/securosys_certificates.rs"]
mod securosys_certificates;
#[allow(dead_code)]
#[path = "docs_examples/securosys_sign_verify.rs"]
mod securosys_sign_verify;

use std::path::Path;

/// (example file, the pages that must show it verbatim)
const EXAMPLES: &[(&str, &[&str])] = &[
    (
        "readme_sign.rs",
        &["README.md", "docs/getting-started/rust.md"],
    ),
    ("rust_eid_webhook.rs", &["docs/getting-started/rust.md"]),
    ("securosys_sign_verify.rs", &["docs/providers/securosys.md"]),
    ("securosys_approvals.rs", &["docs/providers/securosys.md"]),
    (
        "securosys_certificates.rs",
        &["docs/providers/securosys.md"],
    ),
    ("onespan_contract.rs", &["docs/providers/onespan.md"]),
    ("onespan_callbacks.rs", &["docs/providers/onespan.md"]),
];

#[test]
fn the_pages_show_the_compiled_examples_verbatim() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for (file, pages) in EXAMPLES {
        let code = std::fs::read_to_string(root.join("core/tests/docs_examples").join(file))
            .expect("example file");
        let block = format!("```rust\n{code}```");
        for page in *pages {
            let text = std::fs::read_to_string(root.join(page)).expect("page");
            assert!(
                text.contains(&block),
                "{page} no longer shows core/tests/docs_examples/{file} verbatim: change both"
            );
        }
    }
}
