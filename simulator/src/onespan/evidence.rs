//! The evidence summary (§4 #15): a real, multi-page PDF listing the transaction, its signers,
//! its documents (with SHA-256 of the original and current bytes) and every audit event with its
//! time.

use sha2::{Digest as _, Sha256};

use super::iso_millis;
use super::state::Package;
use crate::pdf::pdf_literal;

/// Text lines per page.
const LINES_PER_PAGE: usize = 56;
/// Longest line (characters) before wrapping.
const WRAP: usize = 100;

fn hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn wrap(line: &str, out: &mut Vec<(bool, String)>, bold: bool) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= WRAP {
        out.push((bold, line.to_owned()));
        return;
    }
    let mut start = 0;
    let mut first = true;
    while start < chars.len() {
        let width = if first { WRAP } else { WRAP - 4 };
        let end = (start + width).min(chars.len());
        let piece: String = chars[start..end].iter().collect();
        out.push((bold, if first { piece } else { format!("    {piece}") }));
        first = false;
        start = end;
    }
}

/// The lines of the summary: (bold, text).
fn lines(p: &Package, now: f64) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    let mut push = |bold: bool, s: String| wrap(&s, &mut out, bold);
    push(true, format!("Transaction: {}", p.name));
    push(false, format!("Transaction ID: {}", p.id));
    push(
        false,
        format!(
            "Status: {}{}",
            p.status.as_str(),
            if p.trashed { " (in trash)" } else { "" }
        ),
    );
    push(false, format!("Created: {}", iso_millis(p.created)));
    push(false, format!("Last updated: {}", iso_millis(p.updated)));
    if let Some(c) = p.completed {
        push(false, format!("Completed: {}", iso_millis(c)));
    }
    if let Some(d) = p.due {
        push(false, format!("Expiry (due): {}", iso_millis(d)));
    }
    push(
        false,
        format!(
            "Sender: {} <{}> (id {})",
            p.sender.name(),
            p.sender.email,
            p.sender.id
        ),
    );
    push(false, format!("Summary generated: {}", iso_millis(now)));
    push(false, String::new());
    push(true, "Signers".to_owned());
    let mut roles: Vec<_> = p.roles.iter().collect();
    roles.sort_by_key(|r| r.index);
    for r in roles {
        let signed = r
            .signed_at
            .map(|t| format!("signed {}", iso_millis(t)))
            .unwrap_or_else(|| "not signed".to_owned());
        push(
            false,
            format!(
                "  [{}] role {} - {} <{}> (signer id {}) - {}",
                r.index,
                r.id,
                r.signer_name(),
                r.signer_email(),
                r.signer_id(),
                signed
            ),
        );
    }
    push(false, String::new());
    push(true, "Documents".to_owned());
    for d in &p.documents {
        push(
            false,
            format!(
                "  {} (id {}) - {} page(s), {} bytes, {} signature(s), {} signed",
                d.name,
                d.id,
                d.pages.len(),
                d.current.len(),
                d.approvals.len(),
                d.approvals.iter().filter(|a| a.signed.is_some()).count()
            ),
        );
        push(false, format!("    original SHA-256: {}", hex(&d.original)));
        push(false, format!("    current SHA-256:  {}", hex(&d.current)));
    }
    push(false, String::new());
    push(true, "Events".to_owned());
    for e in &p.audit {
        let mut line = format!(
            "  {}  {}  {} \"{}\"  by {} <{}>",
            iso_millis(e.at),
            e.kind,
            e.target_type,
            e.target,
            e.user,
            e.user_email
        );
        if !e.data.is_empty() {
            line.push_str(&format!("  reason: {}", e.data));
        }
        push(false, line);
    }
    out
}

/// Builds the evidence-summary PDF of `p` at simulated time `now`.
pub(crate) fn summary(p: &Package, now: f64) -> Vec<u8> {
    let all = lines(p, now);
    let pages: Vec<&[(bool, String)]> = if all.is_empty() {
        vec![&[]]
    } else {
        all.chunks(LINES_PER_PAGE).collect()
    };
    let n = pages.len();
    // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, 5 info, then (page, content).
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} /MediaBox [0 0 595 842] \
             /Resources << /Font << /F1 3 0 R /F2 4 0 R >> /ProcSet [/PDF /Text] >> >>",
            kids.join(" ")
        )
        .into_bytes(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    let mut info = b"<< /Title ".to_vec();
    info.extend_from_slice(&pdf_literal(&format!("Evidence summary - {}", p.name)));
    info.extend_from_slice(b" /Producer (signbridge-sim OneSpan Sign simulator) >>");
    objects.push(info);
    for (i, page) in pages.iter().enumerate() {
        let content_id = 7 + 2 * i;
        objects.push(
            format!("<< /Type /Page /Parent 2 0 R /Contents {content_id} 0 R >>").into_bytes(),
        );
        let mut body = Vec::new();
        body.extend_from_slice(b"BT\n/F2 15 Tf\n50 800 Td\n");
        body.extend_from_slice(&pdf_literal("OneSpan Sign (simulated) - Evidence Summary"));
        body.extend_from_slice(b" Tj\nET\nBT\n13 TL\n50 776 Td\n");
        for (bold, text) in page.iter() {
            body.extend_from_slice(if *bold { b"/F2 10 Tf\n" } else { b"/F1 9 Tf\n" });
            body.extend_from_slice(&pdf_literal(text));
            body.extend_from_slice(b" Tj T*\n");
        }
        body.extend_from_slice(b"ET\nBT\n/F1 8 Tf\n50 30 Td\n");
        body.extend_from_slice(&pdf_literal(&format!(
            "Transaction {} - page {} of {n}",
            p.id,
            i + 1
        )));
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
            "trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref_at}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}
