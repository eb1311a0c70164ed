//! The incremental signature stamp: prefix property, structure, and `qpdf --check`.

use lopdf::content::Content;
use lopdf::{Document, Object};
use signbridge_sim::pdf::stamp_incremental;
use signbridge_sim::sample_pdf;

const WHEN: &str = "2024-05-01T12:00:00Z";

/// All string operands of text-showing operators on one page, decoded as Latin-1.
fn page_texts(doc: &Document, page: u32) -> Vec<String> {
    let page_id = doc.get_pages()[&page];
    let content = Content::decode(&doc.get_page_content(page_id)).expect("decode content");
    content
        .operations
        .iter()
        .filter(|op| op.operator == "Tj")
        .flat_map(|op| op.operands.iter())
        .filter_map(|o| match o {
            Object::String(bytes, _) => Some(bytes.iter().map(|b| char::from(*b)).collect()),
            _ => None,
        })
        .collect()
}

fn qpdf_check(bytes: &[u8], label: &str) {
    let available = std::process::Command::new("qpdf")
        .arg("--version")
        .output()
        .is_ok();
    if !available {
        println!("note: qpdf not installed; skipping qpdf --check for {label}");
        return;
    }
    let path =
        std::env::temp_dir().join(format!("signbridge-sim-{}-{label}.pdf", std::process::id()));
    std::fs::write(&path, bytes).expect("write temp pdf");
    let out = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(&path)
        .output()
        .expect("run qpdf");
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.code() == Some(0),
        "qpdf --check failed for {label}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_stamped(original: &[u8], signed: &[u8], page: u32, signer: &str) -> Document {
    assert!(
        signed.starts_with(original),
        "output must begin with the original bytes"
    );
    let tail = String::from_utf8_lossy(&signed[original.len()..]).into_owned();
    assert!(tail.contains("\nxref\n"));
    assert!(tail.contains("/Prev"));
    assert!(tail.trim_end().ends_with("%%EOF"));
    let doc = Document::load_mem(signed).expect("lopdf reloads the stamped PDF");
    let texts = page_texts(&doc, page);
    let expected = format!("Signed with BankID (simulated): {signer}");
    assert!(
        texts.contains(&expected),
        "stamp text missing on page {page}: {texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.contains(WHEN)),
        "time missing: {texts:?}"
    );
    // The original text is still there.
    assert!(texts.iter().any(|t| t.starts_with("Page ")), "{texts:?}");
    doc
}

#[test]
fn sample_pdf_is_valid() {
    let pdf = sample_pdf("Hello (world) \\ test", 3);
    assert!(pdf.starts_with(b"%PDF-"));
    let doc = Document::load_mem(&pdf).expect("parse");
    assert_eq!(doc.get_pages().len(), 3);
    assert!(page_texts(&doc, 2).contains(&"Hello (world) \\ test".to_owned()));
    qpdf_check(&pdf, "sample");
}

#[test]
fn stamp_on_requested_page() {
    let original = sample_pdf("Agreement", 3);
    let signed =
        stamp_incremental(&original, 2, 72.0, 100.0, "Aksel Herseth", WHEN).expect("stamp");
    let doc = assert_stamped(&original, &signed, 2, "Aksel Herseth");
    for other in [1, 3] {
        assert!(!page_texts(&doc, other)
            .iter()
            .any(|t| t.starts_with("Signed with BankID")));
    }
    // The updated page carries a direct /Resources with Helvetica under a fresh name and the old F1.
    let page = doc.get_dictionary(doc.get_pages()[&2]).expect("page");
    let resources = page
        .get(b"Resources")
        .and_then(Object::as_dict)
        .expect("direct resources");
    let fonts = resources
        .get(b"Font")
        .and_then(Object::as_dict)
        .expect("font dict");
    assert!(fonts.get(b"F1").is_ok());
    assert!(fonts.get(b"SBSimF1").is_ok());
    qpdf_check(&signed, "page2");
}

#[test]
fn page_is_clamped_and_zero_means_first() {
    let original = sample_pdf("Clamp", 2);
    let signed =
        stamp_incremental(&original, 99, 50.0, 50.0, "Ole Bramserud", WHEN).expect("stamp");
    assert_stamped(&original, &signed, 2, "Ole Bramserud");
    qpdf_check(&signed, "clamped");
    let signed = stamp_incremental(&original, 0, 50.0, 50.0, "Ole Bramserud", WHEN).expect("stamp");
    assert_stamped(&original, &signed, 1, "Ole Bramserud");
}

#[test]
fn stamping_twice_chains_updates() {
    let original = sample_pdf("Twice", 1);
    let once = stamp_incremental(&original, 1, 50.0, 50.0, "Sanna Hansen", WHEN).expect("stamp 1");
    let twice = stamp_incremental(&once, 1, 50.0, 120.0, "Test Testsen", WHEN).expect("stamp 2");
    assert!(twice.starts_with(&once));
    let doc = assert_stamped(&original, &twice, 1, "Test Testsen");
    let texts = page_texts(&doc, 1);
    assert!(texts.contains(&"Signed with BankID (simulated): Sanna Hansen".to_owned()));
    let page = doc.get_dictionary(doc.get_pages()[&1]).expect("page");
    let fonts = page
        .get(b"Resources")
        .and_then(Object::as_dict)
        .and_then(|r| r.get(b"Font"))
        .and_then(Object::as_dict)
        .expect("fonts");
    assert!(
        fonts.get(b"SBSimF2").is_ok(),
        "second stamp uses a fresh font name"
    );
    qpdf_check(&twice, "twice");
}

#[test]
fn non_ascii_signer_and_direct_resources() {
    // A hand-made PDF with direct page resources, a /Contents array and no trailing newline.
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 300] /Resources << /Font << /F1 6 0 R >> >> /Contents [4 0 R 5 0 R] >>".to_owned(),
        "<< /Length 22 >>\nstream\nBT /F1 12 Tf 20 250 Td\nendstream".to_owned(),
        "<< /Length 17 >>\nstream\n(Page one) Tj ET\nendstream".to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF",
            objects.len() + 1
        )
        .as_bytes(),
    );
    let signed = stamp_incremental(&pdf, 1, 10.0, 10.0, "Bjørn Ærø", WHEN).expect("stamp");
    assert!(signed.starts_with(&pdf));
    let doc = Document::load_mem(&signed).expect("reload");
    let texts = page_texts(&doc, 1);
    assert!(
        texts.contains(&"Signed with BankID (simulated): Bjørn Ærø".to_owned()),
        "{texts:?}"
    );
    assert!(texts.contains(&"Page one".to_owned()));
    qpdf_check(&signed, "direct");
}

#[test]
fn rejects_garbage() {
    assert!(stamp_incremental(b"%PDF-1.4\nnot really", 1, 0.0, 0.0, "x", WHEN).is_err());
    assert!(stamp_incremental(b"", 1, 0.0, 0.0, "x", WHEN).is_err());
}
