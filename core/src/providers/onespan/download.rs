//! Downloads: what to fetch, the checks on what arrived and the file name OneSpan suggests.

use std::fmt;

use bytes::Bytes;

use crate::error::{Error, ErrorCode, Result};

/// What to download from a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownloadKind {
    /// A document as it is now (signed once signing is done): `/documents/{id}/pdf`. Checked to
    /// be a PDF.
    Document(String),
    /// A document as it was uploaded: `/documents/{id}/original`. Checked to be a PDF.
    Original(String),
    /// Every document in one ZIP: `/documents/zip`. Checked to be a ZIP.
    Zip,
    /// The evidence summary (audit report) PDF: `/evidence/summary`. Checked to be a PDF.
    EvidenceSummary,
}

impl DownloadKind {
    /// The name used when OneSpan suggests none.
    pub(crate) fn default_name(&self, package_id: &str) -> String {
        let stem = sanitize_file_name(package_id, "package");
        match self {
            DownloadKind::Document(d) => format!("{}.pdf", sanitize_file_name(d, "document")),
            DownloadKind::Original(d) => {
                format!("{}-original.pdf", sanitize_file_name(d, "document"))
            }
            DownloadKind::Zip => format!("{stem}.zip"),
            DownloadKind::EvidenceSummary => format!("{stem}-evidence-summary.pdf"),
        }
    }

    pub(crate) fn is_zip(&self) -> bool {
        matches!(self, DownloadKind::Zip)
    }

    pub(crate) fn what(&self) -> &'static str {
        match self {
            DownloadKind::Document(_) => "download document",
            DownloadKind::Original(_) => "download original document",
            DownloadKind::Zip => "download documents ZIP",
            DownloadKind::EvidenceSummary => "download evidence summary",
        }
    }
}

/// A downloaded file.
#[derive(Clone)]
pub struct Download {
    /// The file name OneSpan suggested (`Content-Disposition: ...; filename*=UTF-8''...`), made
    /// safe to use in a directory (see [`sanitize_file_name`]); `None` when it suggested none.
    pub file_name: Option<String>,
    /// The content.
    pub data: Bytes,
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("file_name", &self.file_name)
            .field("bytes", &self.data.len())
            .finish()
    }
}

/// Check that a download is what was asked for: a complete PDF, or a ZIP archive. A failure is
/// [`ErrorCode::Integrity`] (retryable: download again); nothing is written.
pub(crate) fn check_content(kind: &DownloadKind, data: &[u8]) -> Result<()> {
    check_sample(kind, data.len() as u64, data)
}

/// [`check_content`] for a download streamed to a file, from its length and the bytes the
/// transport kept of its start and its end (up to 1 KiB each): the checks look only there (the
/// PDF header, the `%%EOF` marker in the last KiB, the ZIP signature), so the verdict is the
/// same as on the whole content.
pub(crate) fn check_streamed(
    kind: &DownloadKind,
    len: u64,
    head: &[u8],
    tail: &[u8],
) -> Result<()> {
    if len <= head.len() as u64 {
        return check_sample(kind, len, head);
    }
    // Starts with the head, ends with the tail: what the checks read of the whole content.
    let mut sample = Vec::with_capacity(head.len() + tail.len());
    sample.extend_from_slice(head);
    sample.extend_from_slice(tail);
    check_sample(kind, len, &sample)
}

/// The checks of [`check_content`] on `sample` (the content, or its first and last bytes) of a
/// download of `len` bytes.
fn check_sample(kind: &DownloadKind, len: u64, sample: &[u8]) -> Result<()> {
    let what = kind.what();
    if kind.is_zip() {
        // A ZIP starts with a local file header (PK\3\4), or is an empty archive (PK\5\6).
        if sample.starts_with(b"PK\x03\x04") || sample.starts_with(b"PK\x05\x06") {
            return Ok(());
        }
        return Err(Error::new(
            ErrorCode::Integrity,
            format!(
                "{what}: the {len} bytes received are not a ZIP archive (no PK signature); \
                 nothing was saved, download it again"
            ),
        ));
    }
    crate::pdf::validate_pdf("download", sample).map_err(|e| {
        Error::new(
            ErrorCode::Integrity,
            format!(
                "{what}: the {len} bytes received are not a complete PDF ({}); nothing was \
                 saved, download it again",
                e.message()
            ),
        )
    })
}

/// The file name of a `Content-Disposition` header, from its `filename*=UTF-8''<percent-encoded>`
/// parameter (RFC 6266/5987, what OneSpan sends), else a plain `filename=`; sanitized.
pub(crate) fn content_disposition_name(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for param in split_params(header) {
        let Some((k, v)) = param.split_once('=') else {
            continue;
        };
        let k = k.trim().to_ascii_lowercase();
        let v = v.trim();
        if k == "filename*" {
            // charset'language'percent-encoded
            let mut parts = v.splitn(3, '\'');
            let (charset, _lang, enc) = (parts.next()?, parts.next(), parts.next());
            let enc = enc?;
            if charset.eq_ignore_ascii_case("utf-8") {
                extended = percent_decode(enc).and_then(|b| String::from_utf8(b).ok());
            } else if charset.eq_ignore_ascii_case("iso-8859-1") {
                extended = percent_decode(enc).map(|b| b.iter().map(|&c| c as char).collect());
            }
        } else if k == "filename" {
            let unq = v
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .map(|s| s.replace("\\\"", "\"").replace("\\\\", "\\"))
                .unwrap_or_else(|| v.to_string());
            plain = Some(unq);
        }
    }
    let raw = extended.or(plain)?;
    let clean = sanitize_file_name(&raw, "");
    (!clean.is_empty()).then_some(clean)
}

/// Split header parameters on `;` outside quotes.
fn split_params(header: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut start, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in header.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&header[start..]);
    out
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

pub use crate::files::sanitize_file_name;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_disposition_names() {
        let n = |h: &str| content_disposition_name(h);
        assert_eq!(
            n("attachment; filename*=UTF-8''Signed%20contract%20%C3%A9.pdf").as_deref(),
            Some("Signed contract é.pdf")
        );
        assert_eq!(
            n("attachment; filename=\"plain.pdf\"; filename*=UTF-8''ext.pdf").as_deref(),
            Some("ext.pdf")
        );
        assert_eq!(
            n("attachment; filename=\"a;b.zip\"").as_deref(),
            Some("a;b.zip")
        );
        // Path traversal and hidden files are neutralised.
        assert_eq!(
            n("attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd").as_deref(),
            Some("passwd")
        );
        assert_eq!(
            n("attachment; filename*=UTF-8''..%5C..%5Cboot.ini").as_deref(),
            Some("boot.ini")
        );
        assert_eq!(
            n("attachment; filename*=UTF-8''.bashrc").as_deref(),
            Some("bashrc")
        );
        assert_eq!(n("attachment; filename*=UTF-8''..").as_deref(), None);
        assert_eq!(
            n("attachment; filename*=UTF-8''a%00b.pdf").as_deref(),
            Some("ab.pdf")
        );
        assert_eq!(n("attachment").as_deref(), None);
        // Broken encodings are ignored rather than guessed.
        assert_eq!(n("attachment; filename*=UTF-8''%ZZ.pdf").as_deref(), None);
        assert_eq!(n("attachment; filename*=UTF-8''%FF.pdf").as_deref(), None);
    }

    #[test]
    fn content_checks() {
        let pdf = b"%PDF-1.7\n1 0 obj\nendobj\n%%EOF\n";
        assert!(check_content(&DownloadKind::EvidenceSummary, pdf).is_ok());
        let e = check_content(&DownloadKind::EvidenceSummary, b"<html>").expect_err("not pdf");
        assert_eq!(e.code(), ErrorCode::Integrity);
        assert!(check_content(&DownloadKind::Zip, b"PK\x03\x04rest").is_ok());
        let e = check_content(&DownloadKind::Zip, pdf).expect_err("not zip");
        assert_eq!(e.code(), ErrorCode::Integrity);
        assert_eq!(
            DownloadKind::Zip.default_name("ab/c="),
            "c=.zip",
            "ids never escape the directory"
        );
    }

    /// The streamed check (head and tail only) gives the verdict of the check on the whole
    /// content, for small, medium and large downloads.
    #[test]
    fn streamed_checks_agree_with_whole_content_checks() {
        let edges = |data: &[u8]| {
            let head = data[..data.len().min(1024)].to_vec();
            let tail = data[data.len().saturating_sub(1024)..].to_vec();
            (data.len() as u64, head, tail)
        };
        let body = |n: usize| {
            let mut v = b"%PDF-1.7\n".to_vec();
            v.resize(n, b'x');
            v
        };
        for n in [20, 1000, 1500, 3000, 100_000] {
            let mut ok = body(n);
            ok.extend_from_slice(b"%%EOF\n");
            let truncated = ok[..ok.len() - 8].to_vec();
            let mut html = b"<html>".to_vec();
            html.resize(n, b' ');
            let mut zip = b"PK\x03\x04".to_vec();
            zip.resize(n, 0);
            for kind in [DownloadKind::EvidenceSummary, DownloadKind::Zip] {
                for data in [&ok, &truncated, &html, &zip] {
                    let (len, head, tail) = edges(data);
                    let whole = check_content(&kind, data).map_err(|e| e.to_string());
                    let streamed =
                        check_streamed(&kind, len, &head, &tail).map_err(|e| e.to_string());
                    assert_eq!(whole, streamed, "{kind:?}, {n} bytes");
                }
            }
            assert!(check_content(&DownloadKind::EvidenceSummary, &ok).is_ok());
            assert!(check_content(&DownloadKind::EvidenceSummary, &truncated).is_err());
        }
        let e = check_streamed(&DownloadKind::EvidenceSummary, 0, b"", b"").expect_err("empty");
        assert_eq!(e.code(), ErrorCode::Integrity);
    }
}
