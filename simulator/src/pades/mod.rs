//! Real PAdES baseline (B-B) signatures in the simulator's signed PDFs.
//!
//! A signed file is the uploaded bytes, unchanged, followed by one incremental update per signer
//! (ISO 32000-1, 7.5.6 and 12.8): a signature field whose widget shows the visible stamp at the
//! requested placement, the `/Sig` dictionary (`/SubFilter /ETSI.CAdES.detached`) whose
//! `/ByteRange` covers the whole file but its own `/Contents`, and in `/Contents` a detached CMS
//! SignedData over SHA-256 ([`cms`]) by a certificate of the service's test PKI ([`pki`]).

pub mod cms;
mod control;
pub mod pki;

pub(crate) use control::router;

use std::io::Write as _;

use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2::{Digest as _, Sha256};

use crate::pdf::{deref, last_startxref, pdf_literal, write_indirect, write_stream_dict};
use pki::Credentials;

/// Bytes reserved for the CMS signature (hex-encoded in the file: twice as many characters).
pub const SIGNATURE_SPACE: usize = 4096;
/// Width of the `/ByteRange` array as written, padded with spaces.
const BYTE_RANGE_WIDTH: usize = 48;

/// Where the visible stamp goes: 1-based page (clamped to the document's pages) and a rectangle
/// in PDF points, lower-left corner first. A rectangle larger than the page is shrunk and one
/// reaching past its edge is moved back onto it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placement {
    /// 1-based page number; 0 is the first page, past the end the last one.
    pub page: u32,
    /// Left edge.
    pub x: f64,
    /// Bottom edge.
    pub y: f64,
    /// Width.
    pub width: f64,
    /// Height.
    pub height: f64,
}

/// One signature to add.
pub struct Signing<'a> {
    /// Where the stamp goes.
    pub placement: Placement,
    /// The stamp's first line (`Signed with BankID (simulated)`).
    pub title: &'a str,
    /// The signer's name, on the second line and in the signature's `/Name`.
    pub signer: &'a str,
    /// Signing time, Unix seconds: the stamp's third line and the signature's `/M`.
    pub time: i64,
    /// The signer's key and certificates.
    pub credentials: &'a Credentials,
}

/// Appends an incremental update to `original` holding one PAdES B-B signature (see the
/// module documentation). The result starts with `original`, byte for byte.
///
/// # Errors
///
/// A message when the input cannot be parsed as a PDF, is encrypted, has no pages, or the
/// signature cannot be made.
pub fn sign_pdf(original: &[u8], s: &Signing<'_>) -> Result<Vec<u8>, String> {
    let doc = Document::load_mem(original).map_err(|e| format!("cannot parse PDF: {e}"))?;
    if doc.trailer.get(b"Encrypt").is_ok() {
        return Err("encrypted PDFs are not supported".to_owned());
    }
    let pages = doc.get_pages();
    let last = pages
        .keys()
        .next_back()
        .copied()
        .ok_or_else(|| "the PDF has no pages".to_owned())?;
    let page_no = s.placement.page.clamp(1, last);
    let page_id = *pages
        .get(&page_no)
        .ok_or_else(|| format!("page {page_no} not found"))?;
    let mut page = doc
        .get_dictionary(page_id)
        .map_err(|e| format!("page {page_id:?}: {e}"))?
        .clone();
    let root_id = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| "trailer has no /Root reference".to_owned())?;
    let mut catalog = doc
        .get_dictionary(root_id)
        .map_err(|e| format!("catalog: {e}"))?
        .clone();
    let prev = last_startxref(original)
        .or_else(|| (doc.xref_start != 0).then_some(doc.xref_start))
        .ok_or_else(|| "no startxref found".to_owned())?;
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(0);
    let first = size.max(doc.max_id.saturating_add(1)).max(1);
    let (font_id, ap_id, sig_id, widget_id) =
        ((first, 0), (first + 1, 0), (first + 2, 0), (first + 3, 0));
    let mut next_free = first + 4;

    // The form: existing fields (direct or indirect /AcroForm) plus the new one.
    let (acroform_id, mut acroform) = match catalog.get(b"AcroForm") {
        Ok(Object::Reference(r)) => (*r, doc.get_dictionary(*r).cloned().unwrap_or_default()),
        Ok(Object::Dictionary(d)) => {
            next_free += 1;
            ((next_free - 1, 0), d.clone())
        }
        _ => {
            next_free += 1;
            ((next_free - 1, 0), Dictionary::new())
        }
    };
    let mut fields = match acroform.get(b"Fields").map(|o| deref(&doc, o)) {
        Ok(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    let field_name = format!("Signature{}", fields.len() + 1);
    fields.push(Object::Reference(widget_id));
    acroform.set("Fields", Object::Array(fields));
    acroform.set("SigFlags", Object::Integer(3));
    catalog.set("AcroForm", Object::Reference(acroform_id));

    let mut annots = match page.get(b"Annots").map(|o| deref(&doc, o)) {
        Ok(Object::Array(a)) => a.clone(),
        _ => Vec::new(),
    };
    annots.push(Object::Reference(widget_id));
    page.set("Annots", Object::Array(annots));

    let rect = fit_on_page(&s.placement, media_box(&doc, page_id, &page));
    let (w, h) = (rect[2] - rect[0], rect[3] - rect[1]);

    let mut out = Vec::with_capacity(original.len() + 2 * SIGNATURE_SPACE + 8192);
    out.extend_from_slice(original);
    if !matches!(original.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: Vec<(u32, usize)> = Vec::new();

    offsets.push((page_id.0, out.len()));
    write_indirect(&mut out, page_id, &Object::Dictionary(page))?;
    offsets.push((root_id.0, out.len()));
    write_indirect(&mut out, root_id, &Object::Dictionary(catalog))?;
    offsets.push((acroform_id.0, out.len()));
    write_indirect(&mut out, acroform_id, &Object::Dictionary(acroform))?;

    offsets.push((font_id.0, out.len()));
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    write_indirect(&mut out, font_id, &Object::Dictionary(font))?;

    offsets.push((ap_id.0, out.len()));
    let appearance = stamp(s, w, h);
    let head = format!(
        "<< /Type /XObject /Subtype /Form /BBox [0 0 {w:.2} {h:.2}] /Resources << /Font << /F1 {} 0 R >> >> /Length {} >>",
        font_id.0,
        appearance.len()
    );
    write_stream_dict(&mut out, ap_id, head.as_bytes(), &appearance);

    offsets.push((widget_id.0, out.len()));
    let mut widget = format!(
        "{} 0 obj\n<< /Type /Annot /Subtype /Widget /FT /Sig /T ",
        widget_id.0
    )
    .into_bytes();
    widget.extend_from_slice(&pdf_literal(&field_name));
    let _ = write!(
        widget,
        " /V {} 0 R /P {} {} R /F 132 /Rect [{:.2} {:.2} {:.2} {:.2}] /AP << /N {} 0 R >> >>\nendobj\n",
        sig_id.0, page_id.0, page_id.1, rect[0], rect[1], rect[2], rect[3], ap_id.0
    );
    out.extend_from_slice(&widget);

    // The signature dictionary, with placeholders filled in below.
    offsets.push((sig_id.0, out.len()));
    let _ = write!(
        out,
        "{} 0 obj\n<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /M ",
        sig_id.0
    );
    out.extend_from_slice(&pdf_literal(&pdf_date(s.time)));
    out.extend_from_slice(b" /Name ");
    out.extend_from_slice(&pdf_literal(s.signer));
    out.extend_from_slice(b" /ByteRange ");
    let range_at = out.len();
    out.extend_from_slice(&[b' '; BYTE_RANGE_WIDTH]);
    out.extend_from_slice(b" /Contents ");
    let contents_at = out.len();
    out.push(b'<');
    out.extend_from_slice(&vec![b'0'; 2 * SIGNATURE_SPACE]);
    out.push(b'>');
    let contents_end = out.len();
    out.extend_from_slice(b" >>\nendobj\n");

    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    offsets.sort_by_key(|(id, _)| *id);
    let mut i = 0;
    while i < offsets.len() {
        let mut j = i;
        while j + 1 < offsets.len() && offsets[j + 1].0 == offsets[j].0 + 1 {
            j += 1;
        }
        let _ = writeln!(out, "{} {}", offsets[i].0, j - i + 1);
        for (_, off) in &offsets[i..=j] {
            let _ = write!(out, "{off:010} 00000 n\r\n");
        }
        i = j + 1;
    }
    let mut trailer = format!(
        "trailer\n<< /Size {} /Root {} {} R /Prev {prev}",
        next_free.max(first + 4),
        root_id.0,
        root_id.1
    )
    .into_bytes();
    for key in [&b"Info"[..], b"ID"] {
        if let Ok(v) = doc.trailer.get(key) {
            trailer.extend_from_slice(b" /");
            trailer.extend_from_slice(key);
            trailer.push(b' ');
            lopdf::Writer::write_object(&mut trailer, v).map_err(|e| format!("trailer: {e}"))?;
        }
    }
    out.extend_from_slice(&trailer);
    let _ = write!(out, " >>\nstartxref\n{xref_at}\n%%EOF\n");

    // Fill in /ByteRange, then hash everything but /Contents and sign.
    let ranges = format!(
        "[0 {contents_at} {contents_end} {}]",
        out.len() - contents_end
    );
    if ranges.len() > BYTE_RANGE_WIDTH {
        return Err("document too large for the /ByteRange placeholder".to_owned());
    }
    out[range_at..range_at + ranges.len()].copy_from_slice(ranges.as_bytes());
    let mut hasher = Sha256::new();
    hasher.update(&out[..contents_at]);
    hasher.update(&out[contents_end..]);
    let digest = hasher.finalize();
    let cms = cms::signed_data(&digest, s.credentials)?;
    if cms.len() > SIGNATURE_SPACE {
        return Err(format!(
            "the signature ({} bytes) does not fit the {SIGNATURE_SPACE} bytes reserved",
            cms.len()
        ));
    }
    let hex: String = cms.iter().map(|b| format!("{b:02X}")).collect();
    out[contents_at + 1..contents_at + 1 + hex.len()].copy_from_slice(hex.as_bytes());
    Ok(out)
}

/// The BankID Norway personal identifier the simulated certificates carry for a test user
/// (`UN:NO-9578-5999-4-` and the user's personal number; real BankID certificates carry a PID
/// of this shape, never the personal number).
pub fn bankid_personal_id(personal_number: &str) -> String {
    format!("UN:NO-9578-5999-4-{personal_number}")
}

/// Signs `original` as a BankID Norway test user, at `time` (Unix seconds), with a 200 × 50 pt
/// stamp whose lower-left corner is at (`x`, `y`) on `page`.
pub fn sign_bankid(
    original: &[u8],
    page: u32,
    x: f64,
    y: f64,
    name: &str,
    personal_number: &str,
    time: i64,
) -> Result<Vec<u8>, String> {
    let pki = pki::Pki::bankid().ok_or("the BankID test PKI could not be made")?;
    let pid = bankid_personal_id(personal_number);
    let creds = pki.personal(&pki::Subject {
        name,
        serial_number: Some(&pid),
        email: None,
    })?;
    sign_pdf(
        original,
        &Signing {
            placement: Placement {
                page,
                x,
                y,
                width: 200.0,
                height: 50.0,
            },
            title: pki.stamp_title,
            signer: name,
            time,
            credentials: &creds,
        },
    )
}

/// Signs `original` as a OneSpan Sign signer (name and e-mail) at `time` (Unix seconds), the
/// stamp filling the signature field's rectangle.
pub fn sign_onespan(
    original: &[u8],
    placement: Placement,
    name: &str,
    email: &str,
    time: i64,
) -> Result<Vec<u8>, String> {
    let pki = pki::Pki::onespan().ok_or("the OneSpan test PKI could not be made")?;
    let creds = pki.personal(&pki::Subject {
        name,
        serial_number: None,
        email: Some(email),
    })?;
    let shown = format!("{name} <{email}>");
    sign_pdf(
        original,
        &Signing {
            placement,
            title: pki.stamp_title,
            signer: &shown,
            time,
            credentials: &creds,
        },
    )
}

/// The page's `/MediaBox` (own or inherited) as `[x0, y0, x1, y1]`; A4 when there is none.
fn media_box(doc: &Document, page_id: ObjectId, page: &Dictionary) -> [f64; 4] {
    let mut node = page.clone();
    let mut seen = vec![page_id];
    loop {
        if let Ok(Object::Array(a)) = node.get(b"MediaBox").map(|o| deref(doc, o)) {
            let n: Vec<f64> = a
                .iter()
                .filter_map(|o| match deref(doc, o) {
                    Object::Integer(i) => Some(*i as f64),
                    Object::Real(r) => Some(f64::from(*r)),
                    _ => None,
                })
                .collect();
            if let [x0, y0, x1, y1] = n[..] {
                return [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)];
            }
        }
        let Ok(parent) = node.get(b"Parent").and_then(Object::as_reference) else {
            return [0.0, 0.0, 595.0, 842.0];
        };
        if seen.contains(&parent) || seen.len() > 64 {
            return [0.0, 0.0, 595.0, 842.0];
        }
        seen.push(parent);
        match doc.get_dictionary(parent) {
            Ok(d) => node = d.clone(),
            Err(_) => return [0.0, 0.0, 595.0, 842.0],
        }
    }
}

/// The placement as a rectangle inside the page's box.
fn fit_on_page(p: &Placement, page: [f64; 4]) -> [f64; 4] {
    let (pw, ph) = (page[2] - page[0], page[3] - page[1]);
    let w = if p.width.is_finite() && p.width >= 20.0 {
        p.width.min(pw)
    } else {
        200.0_f64.min(pw)
    };
    let h = if p.height.is_finite() && p.height >= 12.0 {
        p.height.min(ph)
    } else {
        50.0_f64.min(ph)
    };
    let x = if p.x.is_finite() { p.x } else { 0.0 };
    let y = if p.y.is_finite() { p.y } else { 0.0 };
    let x0 = (page[0] + x).clamp(page[0], page[2] - w);
    let y0 = (page[1] + y).clamp(page[1], page[3] - h);
    [x0, y0, x0 + w, y0 + h]
}

/// Approximate Helvetica advance width of `text` at size 1 (AFM widths, by class of character).
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| match c {
            ' ' | '.' | ',' | ':' | ';' | '(' | ')' | '-' | '\'' | 'i' | 'j' | 'l' | 'I' | 't'
            | 'f' | 'r' | '/' => 0.30,
            'm' | 'w' | 'M' | 'W' | '@' => 0.86,
            'A'..='Z' => 0.69,
            '0'..='9' => 0.556,
            _ => 0.556,
        })
        .sum()
}

/// The stamp drawn in a `w` × `h` box: frame, title, signer, time; every line scaled to fit.
fn stamp(s: &Signing<'_>, w: f64, h: f64) -> Vec<u8> {
    let lines = [
        s.title.to_owned(),
        s.signer.to_owned(),
        format!("Time: {}", human_time(s.time)),
    ];
    let pad = 4.0_f64.min(w / 10.0);
    let line_room = (h - 2.0 * pad) / 3.0;
    let mut c = Vec::new();
    let _ = write!(
        c,
        "q\n0.92 0.95 1 rg\n0.1 0.3 0.7 RG\n1 w\n0.5 0.5 {:.2} {:.2} re\nB\nQ\n",
        (w - 1.0).max(0.0),
        (h - 1.0).max(0.0)
    );
    for (i, line) in lines.iter().enumerate() {
        let wanted: f64 = if i == 0 { 10.0 } else { 9.0 };
        let by_width = (w - 2.0 * pad) / text_width(line).max(1.0);
        let size = wanted.min(by_width).min(line_room * 0.85).max(1.0);
        let baseline = h - pad - line_room * (i as f64 + 1.0) + (line_room - size) / 2.0 + 1.0;
        let color = if i == 0 {
            "0.05 0.1 0.35"
        } else {
            "0.2 0.2 0.2"
        };
        let _ = write!(
            c,
            "BT\n{color} rg\n/F1 {size:.2} Tf\n1 0 0 1 {pad:.2} {:.2} Tm\n",
            baseline.max(1.0)
        );
        c.extend_from_slice(&pdf_literal(line));
        c.extend_from_slice(b" Tj\nET\n");
    }
    c
}

/// (year, month, day, hour, minute, second) of Unix seconds, UTC.
fn civil(t: i64) -> (i64, u32, u32, i64, i64, i64) {
    let days = t.div_euclid(86_400);
    let rem = t.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d, rem / 3600, (rem % 3600) / 60, rem % 60)
}

/// A PDF date (`D:YYYYMMDDHHmmSS+00'00'`).
pub fn pdf_date(t: i64) -> String {
    let (y, m, d, hh, mm, ss) = civil(t);
    format!("D:{y:04}{m:02}{d:02}{hh:02}{mm:02}{ss:02}+00'00'")
}

/// `YYYY-MM-DD HH:MM:SS UTC`.
fn human_time(t: i64) -> String {
    let (y, m, d, hh, mm, ss) = civil(t);
    format!("{y:04}-{m:02}-{d:02} {hh:02}:{mm:02}:{ss:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(pdf_date(0), "D:19700101000000+00'00'");
        assert_eq!(pdf_date(1_709_251_200), "D:20240301000000+00'00'");
    }

    #[test]
    fn a_box_stays_on_its_page() {
        let a4 = [0.0, 0.0, 595.0, 842.0];
        let p = |x, y, w, h| Placement {
            page: 1,
            x,
            y,
            width: w,
            height: h,
        };
        assert_eq!(
            fit_on_page(&p(500.0, 10.0, 200.0, 50.0), a4),
            [395.0, 10.0, 595.0, 60.0]
        );
        assert_eq!(
            fit_on_page(&p(10.0, 900.0, 900.0, 50.0), a4),
            [0.0, 792.0, 595.0, 842.0]
        );
    }

    /// The widgets' rectangles and appearance streams of a signed PDF, in signing order.
    fn stamps(pdf: &[u8]) -> Vec<([f64; 4], Vec<u8>)> {
        let doc = Document::load_mem(pdf).expect("load");
        let mut out = Vec::new();
        for (_, obj) in doc.objects.iter() {
            let Ok(d) = obj.as_dict() else { continue };
            if d.get(b"FT").and_then(Object::as_name).ok() != Some(&b"Sig"[..]) {
                continue;
            }
            let rect: Vec<f64> = d
                .get(b"Rect")
                .and_then(Object::as_array)
                .expect("rect")
                .iter()
                .map(|o| o.as_float().map(f64::from).expect("number"))
                .collect();
            let ap = d
                .get(b"AP")
                .and_then(Object::as_dict)
                .and_then(|a| a.get(b"N"))
                .and_then(Object::as_reference)
                .expect("appearance");
            let stream = doc
                .get_object(ap)
                .and_then(Object::as_stream)
                .expect("stream");
            out.push(([rect[0], rect[1], rect[2], rect[3]], stream.content.clone()));
        }
        out
    }

    #[test]
    fn onespan_stamps_fill_their_fields_stay_on_the_page_and_say_onespan() {
        let original = crate::pdf::sample_pdf("Stamps", 1);
        let field = |x| Placement {
            page: 1,
            x,
            y: 100.0,
            width: 200.0,
            height: 50.0,
        };
        let t = 1_768_471_200;
        let once = sign_onespan(
            &original,
            field(60.0),
            "Kari Nordmann",
            "kari@example.com",
            t,
        )
        .expect("first");
        // The second field reaches past the right edge: moved back onto the page.
        let twice =
            sign_onespan(&once, field(500.0), "Ola Hansen", "ola@example.com", t).expect("second");
        let s = stamps(&twice);
        assert_eq!(s.len(), 2);
        let (a, b) = (s[0].0, s[1].0);
        for r in [a, b] {
            assert!((r[2] - r[0] - 200.0).abs() < 0.01, "{r:?}");
            assert!(
                r[0] >= 0.0 && r[2] <= 595.0 && r[1] >= 0.0 && r[3] <= 842.0,
                "{r:?}"
            );
        }
        assert!(a[2] <= b[0] || b[2] <= a[0], "overlap: {a:?} {b:?}");
        for (_, content) in &s {
            let text = String::from_utf8_lossy(content);
            assert!(
                text.contains(r"(Signed with OneSpan Sign \(simulated\)) Tj"),
                "{text}"
            );
            assert!(!text.contains("BankID"));
        }
    }
}
