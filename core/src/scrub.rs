//! Provider-sourced text made safe to store in an [`Error`](crate::Error) and to log.
//!
//! A provider's error text is not trusted: a gateway, WAF or debug endpoint in front of a
//! service may echo the refused request — its `Authorization` header, a OneSpan Client App body
//! holding the secret, an OAuth2 form body with the client secret — and the text of an error
//! travels on to C `sb_error`s, Python exceptions, Node errors, log lines and error trackers.
//! So every string taken from a provider's answer goes through [`Scrubber::text`] before it is
//! stored or logged:
//!
//! 1. every configured secret the transport holds, in every encoding it is sent in (as is,
//!    URL/form-encoded, JSON-escaped, base64, base64 of `id:secret` for HTTP Basic client
//!    authentication, the decoded parts of a Basic API key), and every credential header value
//!    sent with the refused request (access tokens), is replaced by `[REDACTED]`, as is any
//!    JWT-shaped token;
//! 2. control characters (line breaks included: log injection) and invisible direction marks
//!    are escaped (`\n`, `\u{202e}`);
//! 3. the result is capped at [`MAX_PROVIDER_TEXT`] bytes.
//!
//! One [`Scrubber`] is built from a transport's credentials when the transport is built
//! ([`crate::auth::Credentials::scrubber`]) and handed to every function that turns an answer
//! into an error.

use std::fmt;

use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};

/// The most provider text (bytes) kept from one field of an answer.
pub(crate) const MAX_PROVIDER_TEXT: usize = 2048;

/// What a secret is replaced by.
pub(crate) const REDACTED: &str = "[REDACTED]";

/// Replaces the secrets of one transport (and JWT-shaped tokens) in provider text, escapes
/// control characters and caps the length. Cheap to clone; its `Debug` output shows only how
/// many values it knows.
#[derive(Clone, Default)]
pub(crate) struct Scrubber {
    /// Every form of every secret, longest first (so a longer form is replaced before a shorter
    /// one inside it).
    needles: Vec<SecretString>,
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrubber([{} redacted])", self.needles.len())
    }
}

/// `s` form-encoded (`application/x-www-form-urlencoded`: space as `+`).
fn form_encode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// `s` with every byte but ASCII letters and digits percent-encoded, in upper- and lower-case
/// hex.
fn percent_encodings(s: &str) -> [String; 2] {
    let mut upper = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() {
            upper.push(b as char);
        } else {
            upper.push_str(&format!("%{b:02X}"));
        }
    }
    let mut lower = String::with_capacity(upper.len());
    let mut after_percent = 0;
    for c in upper.chars() {
        if c == '%' {
            after_percent = 2;
            lower.push(c);
        } else if after_percent > 0 {
            after_percent -= 1;
            lower.push(c.to_ascii_lowercase());
        } else {
            lower.push(c);
        }
    }
    [upper, lower]
}

/// The base64 forms of `data` (standard and URL-safe alphabets, without padding: the padded
/// form contains the unpadded one).
fn base64_forms(data: &[u8]) -> [String; 2] {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    [STANDARD_NO_PAD.encode(data), URL_SAFE_NO_PAD.encode(data)]
}

impl Scrubber {
    /// A scrubber that knows no secret (it still redacts JWT-shaped tokens, escapes and caps).
    pub(crate) fn new() -> Scrubber {
        Scrubber::default()
    }

    fn push(&mut self, form: String) {
        if form.is_empty()
            || self
                .needles
                .iter()
                .any(|n| n.expose_secret() == form.as_str())
        {
            return;
        }
        let at = self
            .needles
            .iter()
            .position(|n| n.expose_secret().len() < form.len())
            .unwrap_or(self.needles.len());
        self.needles.insert(at, SecretString::from(form));
    }

    /// Know `secret` in every encoding it may travel in.
    pub(crate) fn secret(&mut self, secret: &str) {
        if secret.is_empty() {
            return;
        }
        self.push(secret.to_string());
        self.push(form_encode(secret));
        for p in percent_encodings(secret) {
            self.push(p);
        }
        if let Ok(json) = serde_json::to_string(secret) {
            self.push(json.trim_matches('"').to_string());
        }
        for b in base64_forms(secret.as_bytes()) {
            self.push(b);
        }
    }

    /// Know a client id and secret pair as HTTP Basic client authentication sends it: base64
    /// of `id:secret`, as is and with each part form-encoded first (RFC 6749 §2.3.1).
    pub(crate) fn client_secret(&mut self, id: &str, secret: &str) {
        self.secret(secret);
        if secret.is_empty() {
            return;
        }
        for pair in [
            format!("{id}:{secret}"),
            format!("{}:{}", form_encode(id), form_encode(secret)),
        ] {
            for b in base64_forms(pair.as_bytes()) {
                self.push(b);
            }
        }
    }

    /// Know an API key that is itself base64 of `account:secret` (OneSpan): the key, and the
    /// decoded text and its secret part.
    pub(crate) fn basic_key(&mut self, key: &str) {
        self.secret(key);
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(key.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        if let Some(d) = decoded {
            if let Some((_, secret)) = d.split_once(':') {
                self.secret(secret);
            }
            self.secret(&d);
        }
    }

    /// Know the credential in a header value that was sent (`Bearer <token>`, `Basic <b64>`,
    /// or a bare key).
    pub(crate) fn header_value(&mut self, value: &http::HeaderValue) {
        let Ok(v) = value.to_str() else {
            return;
        };
        match v.split_once(' ') {
            Some((scheme, cred)) if scheme.eq_ignore_ascii_case("basic") => self.basic_key(cred),
            Some((_, cred)) => self.secret(cred.trim()),
            None => self.secret(v),
        }
    }

    /// Also know everything `other` knows.
    pub(crate) fn extend(&mut self, other: &Scrubber) {
        for n in &other.needles {
            self.push(n.expose_secret().to_string());
        }
    }

    /// `text` with every known secret and every JWT-shaped token replaced by [`REDACTED`]
    /// (no escaping, no cap: for text that is not shown as is).
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = redact_jwts(text);
        for n in &self.needles {
            let n = n.expose_secret();
            if out.contains(n) {
                out = out.replace(n, REDACTED);
            }
        }
        out
    }

    /// Provider text made safe to store and log: secrets replaced, control characters escaped,
    /// at most [`MAX_PROVIDER_TEXT`] bytes (a cut is marked).
    pub(crate) fn text(&self, text: &str) -> String {
        let longest = self.needles.first().map_or(0, |n| n.expose_secret().len());
        // Only a window is looked at: what lies beyond it is cut anyway. A secret that the
        // window's end cuts in two is not matched there, so the window's tail that begins a
        // secret is dropped too.
        let window_len = MAX_PROVIDER_TEXT * 2 + longest;
        let cut = text.len() > window_len;
        let mut window = &text[..floor_char_boundary(text, window_len)];
        if cut {
            window = &window[..self.without_secret_prefix_tail(window)];
        }
        let escaped = escape_controls(&self.redact(window));
        if !cut && escaped.len() <= MAX_PROVIDER_TEXT {
            return escaped;
        }
        let end = floor_char_boundary(&escaped, MAX_PROVIDER_TEXT);
        format!("{}… [cut: {} bytes in all]", &escaped[..end], text.len())
    }

    /// [`Scrubber::text`] of an optional field.
    pub(crate) fn opt(&self, text: Option<&str>) -> Option<String> {
        text.map(|t| self.text(t))
    }

    /// The length of `window` without a tail that is the start of some secret.
    fn without_secret_prefix_tail(&self, window: &str) -> usize {
        let mut end = window.len();
        for n in &self.needles {
            let n = n.expose_secret();
            for k in (1..n.len()).rev() {
                if n.is_char_boundary(k) && window[..end].ends_with(&n[..k]) {
                    end -= k;
                    break;
                }
            }
        }
        floor_char_boundary(window, end)
    }
}

/// A serde error about a provider's answer (or a delivery), safe to put in an error: the values
/// it quotes are removed (`invalid type: string <redacted>`), control characters escaped.
pub(crate) fn answer_error(e: &serde_json::Error) -> String {
    escape_controls(&crate::config::redact_values(&e.to_string()))
}

/// The largest char boundary of `s` at or below `i`.
fn floor_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Whether `c` must not reach a log line or an error as is: control characters (line breaks,
/// escape sequences) and the invisible marks that reorder or hide text.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `s` with [`is_unsafe`] characters escaped (`\n`, `\r`, `\t`, `\u{1b}`) and backslashes kept.
pub(crate) fn escape_controls(s: &str) -> String {
    if !s.chars().any(is_unsafe) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

fn is_b64url(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// `s` with every JWT-shaped token (`eyJ…` header of at least 10 characters, a dot, a payload,
/// optionally a dot and a signature) replaced by [`REDACTED`].
fn redact_jwts(s: &str) -> String {
    if !s.contains("eyJ") {
        return s.to_string();
    }
    let b = s.as_bytes();
    let run = |from: usize| from + b[from..].iter().take_while(|&&c| is_b64url(c)).count();
    let mut out = String::with_capacity(s.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = s[i..].find("eyJ") {
        let start = i + off;
        // A token starts at a boundary, not inside a longer word.
        let at_boundary = start == 0 || !is_b64url(b[start - 1]);
        let head_end = run(start);
        if at_boundary
            && head_end - start >= 10
            && b.get(head_end) == Some(&b'.')
            && run(head_end + 1) > head_end + 1
        {
            let mut end = run(head_end + 1);
            if b.get(end) == Some(&b'.') {
                end = run(end + 1);
            }
            out.push_str(&s[copied..start]);
            out.push_str(REDACTED);
            copied = end;
            i = end;
        } else {
            i = start + 3;
        }
    }
    out.push_str(&s[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrubber() -> Scrubber {
        let mut s = Scrubber::new();
        s.client_secret("my client", "s3cr3t/with+chars=");
        s.secret("plain-key-1234");
        s.basic_key("c2JTaW1BY2N0MDAxOnNiU2ltU2VjcjAwMQ==");
        s
    }

    #[test]
    fn secrets_in_every_encoding_are_replaced() {
        let s = scrubber();
        let b64 = |v: &str| base64::engine::general_purpose::STANDARD.encode(v);
        for leaked in [
            "s3cr3t/with+chars=".to_string(),
            "s3cr3t%2Fwith%2Bchars%3D".to_string(),
            "s3cr3t%2fwith%2bchars%3d".to_string(),
            b64("my client:s3cr3t/with+chars="),
            b64("my+client:s3cr3t%2Fwith%2Bchars%3D"),
            b64("s3cr3t/with+chars="),
            "plain-key-1234".to_string(),
            "c2JTaW1BY2N0MDAxOnNiU2ltU2VjcjAwMQ==".to_string(),
            "sbSimSecr001".to_string(),
        ] {
            let out = s.text(&format!(
                "refused: Authorization: Basic {leaked}; try again"
            ));
            assert!(!out.contains(&leaked), "{leaked} in {out}");
            assert!(
                out.contains(REDACTED) && out.ends_with("; try again"),
                "{out}"
            );
        }
        let json = serde_json::json!({"secret": "q\"uo\\te"}).to_string();
        let mut q = Scrubber::new();
        q.secret("q\"uo\\te");
        assert_eq!(q.text(&json), format!("{{\"secret\":\"{REDACTED}\"}}"));
    }

    #[test]
    fn sent_header_values_and_jwts_are_replaced() {
        let mut s = Scrubber::new();
        s.header_value(&http::HeaderValue::from_static("Bearer opaque-token-77"));
        let out =
            s.text("got Bearer opaque-token-77 and eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjE3OTV9.c2ln.");
        assert_eq!(out, format!("got Bearer {REDACTED} and {REDACTED}."));
        // Not a token: too short, or no payload, or inside a word.
        for keep in [
            "eyJhbGci.x",
            "eyJhbGciOiJFUzI1NiJ9",
            "xeyJhbGciOiJFUzI1NiJ9.eyJ",
        ] {
            assert_eq!(s.text(keep), keep);
        }
    }

    #[test]
    fn control_characters_are_escaped_and_text_is_capped() {
        let s = scrubber();
        assert_eq!(
            s.text("line\nINFO forged\r\t\u{1b}[31m\u{202e}x"),
            "line\\nINFO forged\\r\\t\\u{1b}[31m\\u{202e}x"
        );
        let long = "é".repeat(MAX_PROVIDER_TEXT);
        let out = s.text(&long);
        assert!(out.len() <= MAX_PROVIDER_TEXT + 40, "{}", out.len());
        assert!(out.contains("[cut: 4096 bytes in all]"), "{out}");
        // A secret cut in two by the window's end is not left half-visible.
        assert_eq!(s.without_secret_prefix_tail("abc plain-ke"), 4);
        assert_eq!(s.without_secret_prefix_tail("abc plain"), 4);
        assert_eq!(s.without_secret_prefix_tail("abc "), 4);
        // Escaping never undoes a replacement, and a scrubbed text is stable.
        let once = s.text("a\nplain-key-1234\nb");
        assert_eq!(s.text(&once), once);
    }

    #[test]
    fn debug_shows_no_secret() {
        let d = format!("{:?}", scrubber());
        assert!(!d.contains("s3cr3t") && !d.contains("plain-key"), "{d}");
    }
}
