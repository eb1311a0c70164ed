//! Local document checks, done before anything is sent.

use crate::error::{Error, ErrorCode, Result};

/// How far from the end the `%%EOF` marker may be (writers add trailing whitespace or junk).
const EOF_WINDOW: usize = 1024;

/// Check that `data` looks like a complete PDF: not empty, starts with `%PDF-` and has an `%%EOF`
/// marker near its end. `name` is used in the error message.
pub fn validate_pdf(name: &str, data: &[u8]) -> Result<()> {
    if data.is_empty() {
        return Err(Error::new(
            ErrorCode::InvalidDocument,
            format!("document {name:?} is empty; give a non-empty PDF file"),
        ));
    }
    if !data.starts_with(b"%PDF-") {
        let hint = if data.starts_with(b"PK") {
            " (it looks like a ZIP/Office file: export it to PDF first)"
        } else if data.starts_with(b"\xEF\xBB\xBF") || data.is_ascii() {
            " (it looks like text)"
        } else {
            ""
        };
        return Err(Error::new(
            ErrorCode::InvalidDocument,
            format!(
                "document {name:?} is not a PDF: it does not start with %PDF-{hint}; the signing \
                 service accepts PDF files only"
            ),
        ));
    }
    let tail = &data[data.len().saturating_sub(EOF_WINDOW)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(Error::new(
            ErrorCode::InvalidDocument,
            format!(
                "document {name:?} is not a complete PDF: no %%EOF marker at its end (truncated \
                 download or copy?)"
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_pdf_refuses_others() {
        assert!(validate_pdf("a.pdf", b"%PDF-1.7\n1 0 obj\nendobj\n%%EOF\n").is_ok());
        for bad in [&b""[..], b"hello", b"PK\x03\x04", b"%PDF-1.7 truncated"] {
            let e = validate_pdf("x", bad).expect_err("refused");
            assert_eq!(e.code(), ErrorCode::InvalidDocument);
        }
    }
}
