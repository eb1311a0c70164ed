//! Files signbridge writes: names taken from providers made safe. (Downloads are written
//! atomically by the transport: `Transport::download_to_file`.)

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
