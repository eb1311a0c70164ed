//! PDF helpers: a tiny sample-document generator and the incremental "signature stamp" writer.
//!
//! The simulator never rewrites an uploaded document. A signed file is the original bytes, unchanged,
//! followed by one PDF incremental update (ISO 32000-1, 7.5.6) that adds a visible stamp to one page.

use std::io::Write as _;

use lopdf::{Dictionary, Document, Object, ObjectId, Writer};

/// Text drawn on the first line of every stamp, before the signer's name.
pub const STAMP_PREFIX: &str = "Signed with BankID (simulated): ";

/// Appends an incremental update to `original` that draws a visible signature stamp on one page.
///
/// * `page` is 1-based; `0` is treated as `1` and a page number past the end is clamped to the last page.
/// * `x`, `y` are the lower-left corner of the stamp in PDF user-space points.
/// * `signer` and `when` are printed in the stamp (Helvetica, WinAnsi encoding; characters outside
///   that encoding are replaced by `?`).
///
/// The result always starts with `original`, byte for byte. The appended section holds a new
/// version of the page object (its `/Contents` extended and its `/Resources` resolved into a direct
/// dictionary carrying a fresh Helvetica font name), the new content streams and font object, a
/// classic cross-reference section, and a trailer with `/Size`, `/Root` and `/Prev`.
///
/// # Errors
///
/// Returns a human-readable message when the input cannot be parsed as a PDF, is encrypted, or has
/// no pages.
pub fn stamp_incremental(
    original: &[u8],
    page: u32,
    x: f64,
    y: f64,
    signer: &str,
    when: &str,
) -> Result<Vec<u8>, String> {
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
    let wanted = page.clamp(1, last);
    let page_id = pages
        .get(&wanted)
        .copied()
        .ok_or_else(|| format!("page {wanted} not found"))?;
    let page_dict = doc
        .get_dictionary(page_id)
        .map_err(|e| format!("page object {page_id:?} is not a dictionary: {e}"))?
        .clone();

    let root = doc
        .trailer
        .get(b"Root")
        .and_then(Object::as_reference)
        .map_err(|_| "trailer has no /Root reference".to_owned())?;
    let prev = last_startxref(original)
        .or_else(|| (doc.xref_start != 0).then_some(doc.xref_start))
        .ok_or_else(|| "no startxref found".to_owned())?;
    let size = doc
        .trailer
        .get(b"Size")
        .and_then(Object::as_i64)
        .ok()
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(0);
    let first_new = size.max(doc.max_id.saturating_add(1)).max(1);
    let font_id: ObjectId = (first_new, 0);
    let open_id: ObjectId = (first_new + 1, 0);
    let stamp_id: ObjectId = (first_new + 2, 0);
    let new_size = first_new + 3;

    // Resources: resolve the effective (possibly inherited and/or indirect) dictionary, then add a font.
    let mut resources = effective_resources(&doc, page_id, &page_dict);
    let mut fonts = match resources.get(b"Font") {
        Ok(obj) => match deref(&doc, obj) {
            Object::Dictionary(d) => d.clone(),
            _ => Dictionary::new(),
        },
        Err(_) => Dictionary::new(),
    };
    let mut n = 1u32;
    let font_name = loop {
        let candidate = format!("SBSimF{n}");
        if fonts.get(candidate.as_bytes()).is_err() {
            break candidate;
        }
        n += 1;
    };
    fonts.set(font_name.as_bytes().to_vec(), Object::Reference(font_id));
    resources.set("Font", Object::Dictionary(fonts));

    // Contents: [q] + old contents + [Q + stamp], so the stamp is drawn in the default graphics state.
    let mut contents: Vec<Object> = vec![Object::Reference(open_id)];
    if let Ok(obj) = page_dict.get(b"Contents") {
        match obj {
            Object::Reference(r) => match doc.get_object(*r) {
                Ok(Object::Array(items)) => contents.extend(items.iter().cloned()),
                _ => contents.push(Object::Reference(*r)),
            },
            Object::Array(items) => contents.extend(items.iter().cloned()),
            _ => {}
        }
    }
    contents.push(Object::Reference(stamp_id));

    let mut new_page = page_dict;
    new_page.set("Resources", Object::Dictionary(resources));
    new_page.set("Contents", Object::Array(contents));

    let stamp = stamp_content(&font_name, x, y, signer, when);

    // Write the update.
    let mut out = Vec::with_capacity(original.len() + 4096);
    out.extend_from_slice(original);
    if !matches!(original.last(), Some(b'\n' | b'\r')) {
        out.push(b'\n');
    }
    let mut offsets: Vec<(ObjectId, usize)> = Vec::new();

    offsets.push((page_id, out.len()));
    write_indirect(&mut out, page_id, &Object::Dictionary(new_page))?;

    offsets.push((font_id, out.len()));
    let mut font = Dictionary::new();
    font.set("Type", Object::Name(b"Font".to_vec()));
    font.set("Subtype", Object::Name(b"Type1".to_vec()));
    font.set("BaseFont", Object::Name(b"Helvetica".to_vec()));
    font.set("Encoding", Object::Name(b"WinAnsiEncoding".to_vec()));
    write_indirect(&mut out, font_id, &Object::Dictionary(font))?;

    offsets.push((open_id, out.len()));
    write_stream(&mut out, open_id, b"q\n");

    offsets.push((stamp_id, out.len()));
    write_stream(&mut out, stamp_id, &stamp);

    let xref_at = out.len();
    out.extend_from_slice(b"xref\n");
    offsets.sort_by_key(|(id, _)| id.0);
    let mut i = 0;
    while i < offsets.len() {
        let start = offsets[i].0 .0;
        let mut j = i;
        while j + 1 < offsets.len() && offsets[j + 1].0 .0 == offsets[j].0 .0 + 1 {
            j += 1;
        }
        out.extend_from_slice(format!("{} {}\n", start, j - i + 1).as_bytes());
        for (id, off) in &offsets[i..=j] {
            out.extend_from_slice(format!("{:010} {:05} n\r\n", off, id.1).as_bytes());
        }
        i = j + 1;
    }

    let mut trailer = Dictionary::new();
    trailer.set("Size", Object::Integer(i64::from(new_size)));
    trailer.set("Root", Object::Reference(root));
    trailer.set("Prev", Object::Integer(prev as i64));
    if let Ok(info) = doc.trailer.get(b"Info") {
        trailer.set("Info", info.clone());
    }
    if let Ok(id) = doc.trailer.get(b"ID") {
        trailer.set("ID", id.clone());
    }
    out.extend_from_slice(b"trailer\n");
    Writer::write_object(&mut out, &Object::Dictionary(trailer))
        .map_err(|e| format!("cannot write trailer: {e}"))?;
    out.extend_from_slice(format!("\nstartxref\n{xref_at}\n%%EOF\n").as_bytes());
    Ok(out)
}

/// Follows one indirect reference (if any).
pub(crate) fn deref<'a>(doc: &'a Document, obj: &'a Object) -> &'a Object {
    match obj {
        Object::Reference(r) => doc.get_object(*r).unwrap_or(obj),
        _ => obj,
    }
}

/// The page's effective `/Resources` as a direct dictionary (own entry first, then ancestors).
fn effective_resources(doc: &Document, page_id: ObjectId, page: &Dictionary) -> Dictionary {
    let mut node = page.clone();
    let mut seen = vec![page_id];
    loop {
        if let Ok(obj) = node.get(b"Resources") {
            if let Object::Dictionary(d) = deref(doc, obj) {
                return d.clone();
            }
        }
        let Ok(parent) = node.get(b"Parent").and_then(Object::as_reference) else {
            return Dictionary::new();
        };
        if seen.contains(&parent) || seen.len() > 64 {
            return Dictionary::new();
        }
        seen.push(parent);
        match doc.get_dictionary(parent) {
            Ok(d) => node = d.clone(),
            Err(_) => return Dictionary::new(),
        }
    }
}

pub(crate) fn write_indirect(out: &mut Vec<u8>, id: ObjectId, obj: &Object) -> Result<(), String> {
    out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    Writer::write_object(out, obj).map_err(|e| format!("cannot serialize object: {e}"))?;
    out.extend_from_slice(b"\nendobj\n");
    Ok(())
}

/// Writes stream object `id` with the dictionary `dict` (which must give the `/Length`).
pub(crate) fn write_stream_dict(out: &mut Vec<u8>, id: ObjectId, dict: &[u8], data: &[u8]) {
    out.extend_from_slice(format!("{} {} obj\n", id.0, id.1).as_bytes());
    out.extend_from_slice(dict);
    out.extend_from_slice(b"\nstream\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
}

fn write_stream(out: &mut Vec<u8>, id: ObjectId, data: &[u8]) {
    out.extend_from_slice(
        format!(
            "{} {} obj\n<< /Length {} >>\nstream\n",
            id.0,
            id.1,
            data.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(data);
    out.extend_from_slice(b"\nendstream\nendobj\n");
}

/// Encodes text as a PDF literal string in WinAnsi (Latin-1 subset), escaping delimiters.
pub(crate) fn pdf_literal(text: &str) -> Vec<u8> {
    let mut s = Vec::with_capacity(text.len() + 2);
    s.push(b'(');
    for ch in text.chars() {
        let b = match u32::from(ch) {
            c @ 0x20..=0x7e => c as u8,
            c @ 0xa0..=0xff => c as u8,
            _ => b'?',
        };
        if matches!(b, b'(' | b')' | b'\\') {
            s.push(b'\\');
        }
        s.push(b);
    }
    s.push(b')');
    s
}

fn stamp_content(font: &str, x: f64, y: f64, signer: &str, when: &str) -> Vec<u8> {
    let line1 = format!("{STAMP_PREFIX}{signer}");
    let line2 = format!("Time: {when}");
    let chars = line1.chars().count().max(line2.chars().count()) as f64;
    let width = (chars * 10.0 * 0.56 + 16.0).max(200.0);
    let height = 40.0;
    let mut c = Vec::new();
    // Infallible: writing to a Vec cannot fail.
    let _ = write!(
        c,
        "Q\nq\n0.92 0.95 1 rg\n0.1 0.3 0.7 RG\n1.2 w\n{x:.2} {y:.2} {width:.2} {height:.2} re\nB\n\
         BT\n0.05 0.1 0.35 rg\n/{font} 10 Tf\n1 0 0 1 {:.2} {:.2} Tm\n",
        x + 8.0,
        y + height - 16.0
    );
    c.extend_from_slice(&pdf_literal(&line1));
    let _ = write!(
        c,
        " Tj\nET\nBT\n0.2 0.2 0.2 rg\n/{font} 8 Tf\n1 0 0 1 {:.2} {:.2} Tm\n",
        x + 8.0,
        y + 9.0
    );
    c.extend_from_slice(&pdf_literal(&line2));
    c.extend_from_slice(b" Tj\nET\nQ\n");
    c
}

/// Offset recorded after the last `startxref` keyword in the file tail.
pub(crate) fn last_startxref(pdf: &[u8]) -> Option<usize> {
    let tail_start = pdf.len().saturating_sub(2048);
    let tail = &pdf[tail_start..];
    let pos = tail.windows(9).rposition(|w| w == b"startxref")?;
    let rest = &tail[pos + 9..];
    let digits: String = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take_while(|b| b.is_ascii_digit())
        .map(|b| char::from(*b))
        .collect();
    digits.parse().ok()
}

/// Builds a small, valid PDF with `pages` pages (at least one), each showing `title` in Helvetica.
///
/// The file uses a classic cross-reference table. Its fonts live in one indirect `/Resources`
/// dictionary inherited from the page-tree root, which exercises resource resolution in
/// [`stamp_incremental`].
pub fn sample_pdf(title: &str, pages: usize) -> Vec<u8> {
    let pages = pages.max(1);
    // Object numbers: 1 catalog, 2 pages, 3 resources, 4 font, then (page, content) pairs.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} /Resources 3 0 R /MediaBox [0 0 595 842] >>",
            kids.join(" "),
            pages
        )
        .into_bytes(),
    );
    objects.push(b"<< /Font << /F1 4 0 R >> /ProcSet [/PDF /Text] >>".to_vec());
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    for i in 0..pages {
        let content_id = 6 + 2 * i;
        objects.push(
            format!("<< /Type /Page /Parent 2 0 R /Contents {content_id} 0 R >>").into_bytes(),
        );
        let mut body = b"BT\n/F1 24 Tf\n72 760 Td\n".to_vec();
        body.extend_from_slice(&pdf_literal(title));
        body.extend_from_slice(b" Tj\n/F1 12 Tf\n0 -30 Td\n");
        body.extend_from_slice(&pdf_literal(&format!("Page {} of {}", i + 1, pages)));
        body.extend_from_slice(b" Tj\nET\n");
        let mut stream = format!("<< /Length {} >>\nstream\n", body.len()).into_bytes();
        stream.extend_from_slice(&body);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }

    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(obj);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_at = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f\r\n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n\r\n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{}\n%%EOF\n",
            objects.len() + 1,
            xref_at
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamp_keeps_prefix_and_adds_text() {
        let original = sample_pdf("Hello", 2);
        let signed = stamp_incremental(&original, 9, 50.0, 50.0, "Ole (B)", "2024-01-01T00:00:00Z")
            .expect("stamp");
        assert!(signed.starts_with(&original));
        let doc = Document::load_mem(&signed).expect("reload");
        let pages = doc.get_pages();
        let content = doc.get_page_content(pages[&2]);
        let needle = pdf_literal("Signed with BankID (simulated): Ole (B)");
        assert!(content
            .windows(needle.len())
            .any(|w| w == needle.as_slice()));
        let first = doc.get_page_content(pages[&1]);
        assert!(!first.windows(needle.len()).any(|w| w == needle.as_slice()));
    }

    #[test]
    fn startxref_parse() {
        let pdf = sample_pdf("x", 1);
        let at = last_startxref(&pdf).expect("startxref");
        assert!(pdf[at..].starts_with(b"xref"));
    }
}
