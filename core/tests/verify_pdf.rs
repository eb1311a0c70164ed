//! Signed-PDF verification (`signbridge::verify`) against the simulator's real PAdES signatures:
//! valid documents, tampering of every kind the report must catch, and hostile structures.

use md5::{Digest as _, Md5};
use signbridge::verify::{verify_pdf, Appended, Original, TrustAnchors, VerifyOptions};
use signbridge::ErrorCode;
use signbridge_sim::pades::{self, pki, Placement, Signing};
use signbridge_sim::sample_pdf;

/// 2026-01-15T10:00:00Z: a fixed signing time (the certificates run 2020–2035).
const T: i64 = 1_768_471_200;

fn anchors(service: &str) -> TrustAnchors {
    let pki = pki::Pki::for_service(service).expect("pki");
    TrustAnchors::from_pem(&pki.root_pem().expect("pem")).expect("anchors")
}

fn bankid_signed(original: &[u8]) -> Vec<u8> {
    pades::sign_bankid(original, 1, 50.0, 50.0, "Aksel Herseth", "06046517928", T).expect("sign")
}

fn opts(service: &str) -> VerifyOptions {
    VerifyOptions::new(anchors(service))
}

#[test]
fn a_bankid_signature_verifies_with_its_signer_and_the_original_as_prefix() {
    let original = sample_pdf("Contract", 2);
    let signed = bankid_signed(&original);
    assert!(signed.starts_with(&original));
    let r = verify_pdf(
        &signed,
        &opts("bankid").with_original(Original::Bytes(original.clone())),
    )
    .expect("verify");
    assert!(r.valid, "{r:#?}");
    assert_eq!(r.original_is_prefix, Some(true));
    assert_eq!(r.signatures.len(), 1);
    let s = &r.signatures[0];
    let signer = s.signer.as_ref().expect("signer");
    assert_eq!(signer.common_name.as_deref(), Some("Aksel Herseth"));
    assert_eq!(
        signer.personal_id.as_deref(),
        Some("UN:NO-9578-5999-4-06046517928")
    );
    assert_eq!(s.sub_filter.as_deref(), Some("ETSI.CAdES.detached"));
    assert_eq!(s.digest_algorithm, "sha256");
    assert_eq!(s.signature_algorithm, "ecdsa-sha256");
    assert_eq!(s.signing_time.as_deref(), Some("2026-01-15T10:00:00Z"));
    assert_eq!(s.signing_time_source, "signature_dictionary");
    assert!(s.cryptographically_valid && s.covers_revision && s.chain_trusted);
    assert!(s.signing_certificate_bound);
    assert_eq!(s.chain.len(), 3, "{:?}", s.chain);
    assert_eq!(s.appended, Appended::Nothing);
    assert_eq!(s.signed_until, signed.len() as u64);

    // The original by md5 (hex and base64), and a different original.
    let md5 = Md5::digest(&original);
    let hex: String = md5.iter().map(|b| format!("{b:02x}")).collect();
    let r = verify_pdf(&signed, &opts("bankid").with_original(Original::Md5(hex))).expect("md5");
    assert_eq!(r.original_is_prefix, Some(true));
    let other = sample_pdf("Other", 2);
    let r = verify_pdf(
        &signed,
        &opts("bankid").with_original(Original::Bytes(other)),
    )
    .expect("other");
    assert_eq!(r.original_is_prefix, Some(false));
    assert!(!r.valid);
}

#[test]
fn two_signers_two_signatures_one_update_each() {
    let original = sample_pdf("Two", 1);
    let place = |y| Placement {
        page: 1,
        x: 50.0,
        y,
        width: 200.0,
        height: 50.0,
    };
    let once =
        pades::sign_onespan(&original, place(50.0), "Ann A", "ann@example.com", T).expect("first");
    let twice =
        pades::sign_onespan(&once, place(120.0), "Bo B", "bo@example.com", T + 60).expect("second");
    let r = verify_pdf(
        &twice,
        &opts("onespan").with_original(Original::Bytes(original)),
    )
    .expect("verify");
    assert!(r.valid, "{r:#?}");
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(r.signatures[0].appended, Appended::Signatures);
    assert_eq!(r.signatures[1].appended, Appended::Nothing);
    assert_eq!(r.signatures[0].signed_until, once.len() as u64);
    assert_eq!(r.original_is_prefix, Some(true));
}

#[test]
fn a_byte_flipped_in_the_signed_range_breaks_the_signature() {
    let signed = bankid_signed(&sample_pdf("Flip", 1));
    let mut bad = signed.clone();
    // Inside the original content ("Flip" in the page's text).
    let at = bad.windows(4).position(|w| w == b"Flip").expect("text");
    bad[at] = b'G';
    let r = verify_pdf(&bad, &opts("bankid")).expect("verify");
    assert!(!r.valid);
    assert!(!r.signatures[0].cryptographically_valid);
    assert!(
        r.signatures[0]
            .problems
            .iter()
            .any(|p| p.contains("message digest")),
        "{:?}",
        r.signatures[0].problems
    );
}

/// An incremental update adding a page (a new page object, its content, the page tree).
fn add_page(pdf: &[u8]) -> Vec<u8> {
    let doc = lopdf::Document::load_mem(pdf).expect("load");
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(|o| o.as_reference())
        .expect("root");
    let pages_id = doc
        .get_dictionary(root)
        .and_then(|c| c.get(b"Pages"))
        .and_then(|o| o.as_reference())
        .expect("pages");
    let mut pages = doc.get_dictionary(pages_id).expect("pages dict").clone();
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(|o| o.as_i64())
        .expect("size") as u32;
    let (page_id, content_id) = (size, size + 1);
    let mut kids = pages
        .get(b"Kids")
        .and_then(|k| k.as_array())
        .expect("kids")
        .clone();
    kids.push(lopdf::Object::Reference((page_id, 0)));
    let count = kids.len() as i64;
    pages.set("Kids", lopdf::Object::Array(kids));
    pages.set("Count", lopdf::Object::Integer(count));
    let prev = {
        let tail = &pdf[pdf.len() - 40..];
        let p = tail
            .windows(9)
            .rposition(|w| w == b"startxref")
            .expect("startxref");
        String::from_utf8_lossy(&tail[p + 9..])
            .split_whitespace()
            .next()
            .expect("offset")
            .to_owned()
    };
    let mut out = pdf.to_vec();
    let mut offsets = Vec::new();
    offsets.push((pages_id.0, out.len()));
    out.extend_from_slice(format!("{} 0 obj\n", pages_id.0).as_bytes());
    lopdf::Writer::write_object(&mut out, &lopdf::Object::Dictionary(pages)).expect("write");
    out.extend_from_slice(b"\nendobj\n");
    offsets.push((page_id, out.len()));
    out.extend_from_slice(
        format!(
            "{page_id} 0 obj\n<< /Type /Page /Parent {} 0 R /Contents {content_id} 0 R >>\nendobj\n",
            pages_id.0
        )
        .as_bytes(),
    );
    offsets.push((content_id, out.len()));
    let body = b"BT /F1 24 Tf 72 700 Td (Added after signing) Tj ET";
    out.extend_from_slice(
        format!("{content_id} 0 obj\n<< /Length {} >>\nstream\n", body.len()).as_bytes(),
    );
    out.extend_from_slice(body);
    out.extend_from_slice(b"\nendstream\nendobj\n");
    let xref = out.len();
    out.extend_from_slice(format!("xref\n{} 1\n", pages_id.0).as_bytes());
    out.extend_from_slice(format!("{:010} 00000 n\r\n", offsets[0].1).as_bytes());
    out.extend_from_slice(format!("{page_id} 2\n").as_bytes());
    for (_, off) in &offsets[1..] {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root {} 0 R /Prev {prev} >>\nstartxref\n{xref}\n%%EOF\n",
            size + 2,
            root.0
        )
        .as_bytes(),
    );
    out
}

#[test]
fn a_page_added_after_signing_is_another_change() {
    let signed = bankid_signed(&sample_pdf("Pages", 1));
    let more = add_page(&signed);
    assert_eq!(
        lopdf::Document::load_mem(&more)
            .expect("load")
            .get_pages()
            .len(),
        2
    );
    let r = verify_pdf(&more, &opts("bankid")).expect("verify");
    assert!(!r.valid);
    let s = &r.signatures[0];
    // The signature itself still holds for the revision it signed.
    assert!(s.cryptographically_valid && s.covers_revision && s.chain_trusted);
    assert_eq!(s.appended, Appended::OtherChanges);
    assert_eq!(
        r.appended_after_last_signature,
        Some(Appended::OtherChanges)
    );

    // A signature after the added page does not hide it.
    let resigned = bankid_signed(&more);
    let r = verify_pdf(&resigned, &opts("bankid")).expect("verify");
    assert_eq!(r.signatures.len(), 2);
    assert_eq!(r.signatures[0].appended, Appended::OtherChanges);
    assert!(r.signatures[1].valid);
    assert!(!r.valid);
}

#[test]
fn a_certificate_from_another_root_is_not_trusted() {
    let signed = bankid_signed(&sample_pdf("Roots", 1));
    let r = verify_pdf(&signed, &opts("onespan")).expect("verify");
    assert!(!r.valid);
    let s = &r.signatures[0];
    assert!(s.cryptographically_valid);
    assert!(!s.chain_trusted);
    assert!(
        s.chain_error
            .as_deref()
            .unwrap_or("")
            .contains("does not chain"),
        "{:?}",
        s.chain_error
    );
    // No anchors at all: checked, never trusted.
    let r = verify_pdf(&signed, &VerifyOptions::default()).expect("verify");
    assert!(r.signatures[0].cryptographically_valid && !r.signatures[0].chain_trusted);
}

#[test]
fn an_expired_signer_certificate_is_not_trusted_at_the_signing_time() {
    let pki = pki::Pki::bankid().expect("pki");
    // Valid 2020-01-01 .. 2021-01-01; signed in 2026.
    let creds = pki
        .personal_valid(
            &pki::Subject {
                name: "Ole Bramserud",
                serial_number: Some("UN:NO-9578-5999-4-11920287974"),
                email: None,
            },
            pki::NOT_BEFORE,
            pki::NOT_BEFORE + 366 * 86_400,
        )
        .expect("creds");
    let signing = Signing {
        placement: Placement {
            page: 1,
            x: 50.0,
            y: 50.0,
            width: 200.0,
            height: 50.0,
        },
        title: pki.stamp_title,
        signer: "Ole Bramserud",
        time: T,
        credentials: &creds,
    };
    let signed = pades::sign_pdf(&sample_pdf("Expired", 1), &signing).expect("sign");
    let r = verify_pdf(&signed, &opts("bankid")).expect("verify");
    let s = &r.signatures[0];
    assert!(s.cryptographically_valid);
    assert!(!s.chain_trusted);
    assert!(
        s.chain_error.as_deref().unwrap_or("").contains("expired"),
        "{:?}",
        s.chain_error
    );
    assert!(!r.valid);
    // Signed while it was valid: trusted.
    let in_time = Signing {
        time: pki::NOT_BEFORE as i64 + 86_400,
        ..signing
    };
    let signed = pades::sign_pdf(&sample_pdf("In time", 1), &in_time).expect("sign");
    assert!(verify_pdf(&signed, &opts("bankid")).expect("verify").valid);
}

/// Replace the `/ByteRange` array of `pdf` (same length, space-padded).
fn with_byte_range(pdf: &[u8], range: &str) -> Vec<u8> {
    let at = pdf
        .windows(11)
        .position(|w| w == b"/ByteRange ")
        .expect("byte range")
        + 11;
    let mut end = at + pdf[at..].iter().position(|b| *b == b']').expect("]") + 1;
    while pdf[end] == b' ' && pdf[end + 1] == b' ' {
        end += 1;
    }
    let mut text = range.as_bytes().to_vec();
    assert!(text.len() <= end - at, "{range} too long");
    text.resize(end - at, b' ');
    let mut out = pdf.to_vec();
    out[at..end].copy_from_slice(&text);
    out
}

#[test]
fn hostile_structures_are_clear_errors() {
    let signed = bankid_signed(&sample_pdf("Hostile", 1));
    let len = signed.len();
    let cases = [
        (format!("[0 10 20 {}]", len), "past the end"),
        ("[0 500 400 10]".to_owned(), "overlap"),
        ("[5 10 20 30]".to_owned(), "beginning"),
        ("[0 99999999999999999999 1 1]".to_owned(), "fit"),
        ("[0 1 2]".to_owned(), "4 integers"),
        ("[0 -1 2 3]".to_owned(), "non-negative"),
    ];
    for (range, expect) in cases {
        let e = verify_pdf(&with_byte_range(&signed, &range), &opts("bankid")).expect_err(&range);
        assert_eq!(e.code(), ErrorCode::InvalidDocument, "{range}: {e}");
        assert!(e.message().contains(expect), "{range}: {e}");
    }

    // A /Contents of 5 MiB (10 MiB of hex zeros).
    let head = |b: usize, c: usize, d: usize| {
        format!(
            "%PDF-1.7\n1 0 obj\n<< /Type /Sig /ByteRange [0 {b:010} {c:010} {d:010}] /Contents "
        )
    };
    let tail = b" >>\nendobj\n%%EOF\n";
    let b = head(0, 0, 0).len();
    let c = b + 10 * 1024 * 1024 + 2;
    let mut huge = head(b, c, tail.len()).into_bytes();
    huge.push(b'<');
    huge.resize(c - 1, b'0');
    huge.push(b'>');
    huge.extend_from_slice(tail);
    let e = verify_pdf(&huge, &opts("bankid")).expect_err("huge");
    assert!(e.message().contains("MiB"), "{e}");

    // Not a PDF, and a PDF without signatures.
    assert_eq!(
        verify_pdf(b"hello", &opts("bankid"))
            .expect_err("text")
            .code(),
        ErrorCode::InvalidDocument
    );
    let r = verify_pdf(&sample_pdf("Unsigned", 1), &opts("bankid")).expect("unsigned");
    assert!(!r.valid && r.signatures.is_empty());
}

#[test]
fn a_cycle_of_prev_pointers_after_a_signature_ends() {
    let signed = bankid_signed(&sample_pdf("Cycle", 1));
    // An update whose xref /Prev points at itself.
    let mut out = signed.clone();
    let xref = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 1 /Prev {xref} >>\nstartxref\n{xref}\n%%EOF\n"
        )
        .as_bytes(),
    );
    let r = verify_pdf(&out, &opts("bankid")).expect("verify");
    assert_eq!(r.signatures[0].appended, Appended::OtherChanges);
    assert!(!r.valid);
}

/// Rewrites the seeds of the `pdf_signature` fuzz target (`cargo test -p signbridge --test
/// verify_pdf -- --ignored write_fuzz_seeds`): signed, tampered and hostile documents.
#[test]
#[ignore]
fn write_fuzz_seeds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/pdf_signature");
    std::fs::create_dir_all(&dir).expect("dir");
    let signed = bankid_signed(&sample_pdf("Seed", 1));
    let mut flipped = signed.clone();
    let at = flipped.windows(4).position(|w| w == b"Seed").expect("text");
    flipped[at] = b'X';
    let seeds: Vec<(&str, Vec<u8>)> = vec![
        ("bankid-signed.pdf", signed.clone()),
        ("byte-flipped.pdf", flipped),
        ("page-added.pdf", add_page(&signed)),
        (
            "overlapping-range.pdf",
            with_byte_range(&signed, "[0 500 400 10]"),
        ),
        ("unsigned.pdf", sample_pdf("Unsigned", 1)),
    ];
    for (name, bytes) in seeds {
        assert!(bytes.len() <= 16384, "{name}: {} bytes", bytes.len());
        std::fs::write(dir.join(name), bytes).expect("write");
    }
}
