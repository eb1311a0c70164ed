//! Files signbridge writes: names taken from providers made safe, and atomic writes.

use std::path::{Path, PathBuf};

use bytes::Bytes;

use crate::error::{Error, Result};

/// A name safe to create inside a directory: the last component of any `/` or `\` path, without
/// control characters or characters Windows refuses (`: * ? " < > |`), not `.`/`..`, no leading
/// dots (no hidden files), no trailing dots or spaces, at most 200 characters; `fallback` when
/// nothing is left. Sanitizing a sanitized name changes nothing.
pub fn sanitize_file_name(name: &str, fallback: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut cleaned: String = last
        .chars()
        .filter(|c| !c.is_control() && !":*?\"<>|".contains(*c))
        .take(200)
        .collect();
    // Trimming can expose new dots or spaces (" . .x" → ". .x" → ".x"): repeat until stable, so
    // the result never starts with a dot, never ends with a space or dot (Windows drops those),
    // and sanitizing it again changes nothing.
    loop {
        let next = cleaned
            .trim()
            .trim_start_matches('.')
            .trim_end_matches('.')
            .to_string();
        if next == cleaned {
            break;
        }
        cleaned = next;
    }
    if cleaned.is_empty() {
        fallback.to_string()
    } else {
        cleaned
    }
}

/// Write `data` to `path` atomically: a temporary file beside it, written and fsynced, then
/// renamed over `path`. On failure the temporary file is removed and `path` is untouched.
pub(crate) async fn write_atomic(path: &Path, data: Bytes) -> Result<u64> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let mut tmp = tempfile::Builder::new()
            .prefix(".signbridge-")
            .suffix(".part")
            .tempfile_in(&dir)
            .map_err(|e| Error::io("create a temporary file in", &dir, e))?;
        tmp.write_all(&data)
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| Error::io("write", tmp.path(), e))?;
        tmp.persist(&path)
            .map_err(|e| Error::io("move the download into", &path, e.error))?;
        // Make the rename itself durable.
        if let Ok(d) = std::fs::File::open(&dir) {
            let _ = d.sync_all();
        }
        Ok(data.len() as u64)
    })
    .await
    .map_err(|e| Error::internal(format!("file writer task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::sanitize_file_name as s;

    #[test]
    fn names_from_providers_are_made_safe_and_stable() {
        assert_eq!(s("../../etc/passwd", "x"), "passwd");
        assert_eq!(s("C:\\Users\\a\\contract.pdf", "x"), "contract.pdf");
        // Trimming exposes new dots: never "..", never hidden.
        assert_eq!(s(" . .\u{1}. ", "fallback.pdf"), "fallback.pdf");
        assert_eq!(s(". .hidden", "x"), "hidden");
        assert_eq!(s("report. . ", "x"), "report");
        let long = format!("{}   x", "a".repeat(198));
        let once = s(&long, "x");
        assert!(
            once.chars().count() <= 200 && !once.ends_with(' '),
            "{once:?}"
        );
        assert_eq!(s(&once, "x"), once);
        assert_eq!(s("a<b>:c|d?.pdf", "x"), "abcd.pdf");
    }
}
