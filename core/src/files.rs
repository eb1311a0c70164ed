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

    /// The tricky names, through the shared sanitizer and through ZignSec's own (the one used
    /// for its uploads and `save_signed_files`): what each makes of them, side by side.
    #[test]
    fn tricky_names_through_both_sanitizers() {
        use crate::providers::zignsec::signing::sanitize_file_name as zignsec;
        let long_ascii = format!("{}.pdf", "a".repeat(300));
        let long_utf8 = format!("{}.pdf", "æ".repeat(300));
        let a200 = "a".repeat(200);
        let ae200 = "æ".repeat(200);
        let cases: Vec<(&str, &str, &str)> = vec![
            // (input, shared with fallback "document.pdf", ZignSec)
            ("../x.pdf", "x.pdf", "x.pdf"),
            ("..\\..\\x.pdf", "x.pdf", "x.pdf"),
            (".hidden", "hidden", ".hidden"),
            ("a/b\\c.pdf", "c.pdf", "c.pdf"),
            ("CON", "CON", "CON"),
            ("", "document.pdf", "document.pdf"),
            ("dir/", "document.pdf", "document.pdf"),
            ("kontrakt æøå.pdf", "kontrakt æøå.pdf", "kontrakt æøå.pdf"),
            ("a\u{0}b\r\nc\u{7f}\u{9b}.pdf", "abc.pdf", "abc.pdf"),
            ("..", "document.pdf", "document.pdf"),
            (".", "document.pdf", "document.pdf"),
            (" . ", "document.pdf", "document.pdf"),
            ("a:b*c?\"<d>|.pdf", "abcd.pdf", "a:b*c?\"<d>|.pdf"),
            ("report.pdf. ", "report.pdf", "report.pdf."),
            (long_ascii.as_str(), a200.as_str(), long_ascii.as_str()),
            (long_utf8.as_str(), ae200.as_str(), long_utf8.as_str()),
        ];
        for (input, shared, zs) in cases {
            assert_eq!(s(input, "document.pdf"), shared, "shared: {input:?}");
            assert_eq!(zignsec(input), zs, "zignsec: {input:?}");
        }
    }
}
