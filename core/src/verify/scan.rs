//! Finding the signatures of a PDF in its raw bytes, and its revisions.
//!
//! A signature's `/Contents` must be the bytes its `/ByteRange` leaves out, so every real
//! signature dictionary is written uncompressed in the file: it is found by its `/ByteRange`
//! token, read with a small tokenizer (integers, names, literal strings), and every number is
//! checked against the file before it is used. Anything malformed is an
//! [`ErrorCode::InvalidDocument`] naming the signature and what is wrong.

use crate::error::{Error, ErrorCode, Result};

/// Largest `/Contents` accepted, in bytes of signature (hex text is twice as long). Real CMS
/// signatures with embedded revocation data stay well below.
pub(crate) const MAX_SIGNATURE_BYTES: usize = 4 << 20;
/// Most signatures read from one file.
pub(crate) const MAX_SIGNATURES: usize = 256;
/// How far around a `/ByteRange` its dictionary's other entries are looked for.
const DICT_WINDOW: usize = 8192;

/// One signature dictionary as found in the file.
#[derive(Debug, Clone)]
pub(crate) struct RawSignature {
    /// Where its `/ByteRange` token is.
    pub at: usize,
    /// `[start1, len1, start2, len2]`, checked: start1 = 0, the gap is the `/Contents` string,
    /// the second range ends inside the file.
    pub byte_range: [usize; 4],
    /// The DER signature: the hex of `/Contents`, decoded (zero padding included).
    pub contents: Vec<u8>,
    /// `/SubFilter`, without the slash.
    pub sub_filter: Option<String>,
    /// `/M` (a PDF date string), as written.
    pub m: Option<String>,
    /// `/Name`.
    pub name: Option<String>,
}

impl RawSignature {
    /// Where the signed bytes end (the end of the second range).
    pub fn covered_end(&self) -> usize {
        self.byte_range[2] + self.byte_range[3]
    }
}

fn bad(what: String) -> Error {
    Error::new(ErrorCode::InvalidDocument, what)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    hay[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\x0c' | b'\0')
}

fn skip_ws(pdf: &[u8], mut i: usize) -> usize {
    while i < pdf.len() && is_ws(pdf[i]) {
        i += 1;
    }
    i
}

/// A non-negative integer at `i` (after whitespace): its value (None when it does not fit)
/// and the position after it.
fn integer(pdf: &[u8], i: usize) -> Option<(Option<usize>, usize)> {
    let start = skip_ws(pdf, i);
    let mut end = start;
    while end < pdf.len() && pdf[end].is_ascii_digit() {
        end += 1;
    }
    if end == start || end - start > 40 {
        return None;
    }
    let value = std::str::from_utf8(&pdf[start..end])
        .ok()
        .and_then(|s| s.parse::<usize>().ok());
    Some((value, end))
}

/// The end of every revision: the position after each `%%EOF` marker and the end-of-line
/// that follows it, in file order.
pub(crate) fn revision_ends(pdf: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut from = 0;
    while let Some(p) = find(pdf, b"%%EOF", from) {
        let mut end = p + 5;
        if pdf.get(end) == Some(&b'\r') {
            end += 1;
        }
        if pdf.get(end) == Some(&b'\n') {
            end += 1;
        }
        ends.push(end);
        from = p + 5;
    }
    ends
}

/// Every signature dictionary in `pdf`, in the order their signed ranges end.
pub(crate) fn signatures(pdf: &[u8]) -> Result<Vec<RawSignature>> {
    let mut out: Vec<RawSignature> = Vec::new();
    let mut from = 0;
    while let Some(at) = find(pdf, b"/ByteRange", from) {
        from = at + 10;
        // Only a name followed by an array is a /ByteRange entry (not, say, text about one).
        let open = skip_ws(pdf, from);
        if pdf.get(open) != Some(&b'[') {
            continue;
        }
        if out.len() >= MAX_SIGNATURES {
            return Err(bad(format!(
                "the document has more than {MAX_SIGNATURES} signature dictionaries"
            )));
        }
        let n = out.len() + 1;
        let sig = read_signature(pdf, at, open + 1, n)?;
        if !out.iter().any(|s| s.byte_range == sig.byte_range) {
            out.push(sig);
        }
    }
    out.sort_by_key(|s| (s.covered_end(), s.at));
    Ok(out)
}

fn read_signature(pdf: &[u8], at: usize, mut i: usize, n: usize) -> Result<RawSignature> {
    let len = pdf.len();
    let mut nums = Vec::with_capacity(4);
    loop {
        let j = skip_ws(pdf, i);
        if pdf.get(j) == Some(&b']') {
            break;
        }
        let Some((value, next)) = integer(pdf, j) else {
            return Err(bad(format!(
                "signature {n}: /ByteRange at byte {at} is not an array of non-negative integers"
            )));
        };
        if nums.len() == 4 {
            return Err(bad(format!(
                "signature {n}: /ByteRange at byte {at} has more than 4 numbers"
            )));
        }
        nums.push(value);
        i = next;
    }
    let [Some(a), Some(b), Some(c), Some(d)] = nums[..] else {
        return Err(bad(format!(
            "signature {n}: /ByteRange at byte {at} must be 4 integers that fit in memory, got {}",
            nums.len()
        )));
    };
    if a != 0 {
        return Err(bad(format!(
            "signature {n}: /ByteRange [{a} {b} {c} {d}] does not start at the beginning of the file"
        )));
    }
    let end = c.checked_add(d);
    if b > len || c > len || end.is_none_or(|e| e > len) {
        return Err(bad(format!(
            "signature {n}: /ByteRange [{a} {b} {c} {d}] reaches past the end of the file ({len} bytes)"
        )));
    }
    if c <= b {
        return Err(bad(format!(
            "signature {n}: /ByteRange [{a} {b} {c} {d}]: the two ranges overlap or are out of order"
        )));
    }
    // The gap must be exactly the /Contents hex string, and the /ByteRange itself signed.
    if pdf[b] != b'<' || pdf[c - 1] != b'>' || c - b < 2 {
        return Err(bad(format!(
            "signature {n}: the bytes /ByteRange [{a} {b} {c} {d}] leaves out are not a hex string"
        )));
    }
    let before = &pdf[b.saturating_sub(64)..b];
    let trimmed = before.iter().rposition(|x| !is_ws(*x)).map_or(0, |p| p + 1);
    if !before[..trimmed].ends_with(b"/Contents") {
        return Err(bad(format!(
            "signature {n}: the bytes /ByteRange [{a} {b} {c} {d}] leaves out are not the /Contents \
             entry"
        )));
    }
    if (b..c).contains(&at) {
        return Err(bad(format!(
            "signature {n}: its /ByteRange lies inside the range it leaves unsigned"
        )));
    }
    let hex_len = c - b - 2;
    if hex_len / 2 > MAX_SIGNATURE_BYTES {
        return Err(bad(format!(
            "signature {n}: /Contents holds {} bytes, more than the {} MiB a signature may have",
            hex_len / 2,
            MAX_SIGNATURE_BYTES >> 20
        )));
    }
    let contents = hex(&pdf[b + 1..c - 1])
        .ok_or_else(|| bad(format!("signature {n}: /Contents is not valid hex text")))?;

    // The dictionary's other entries: from its `obj` keyword to its `endobj`, gap excluded.
    let lo = at.min(b);
    let win_start = lo.saturating_sub(DICT_WINDOW);
    let start = rfind(&pdf[win_start..lo], b"obj").map_or(win_start, |p| win_start + p + 3);
    let hi = at.max(c);
    let stop = find(pdf, b"endobj", hi)
        .unwrap_or(len)
        .min(hi + DICT_WINDOW);
    let mut dict = pdf[start..b].to_vec();
    dict.push(b' ');
    dict.extend_from_slice(&pdf[c..stop.max(c)]);
    Ok(RawSignature {
        at,
        byte_range: [a, b, c, d],
        contents,
        sub_filter: name_entry(&dict, b"/SubFilter"),
        m: string_entry(&dict, b"/M"),
        name: string_entry(&dict, b"/Name"),
    })
}

fn hex(text: &[u8]) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.iter().copied().filter(|b| !is_ws(*b)).collect();
    let mut out = Vec::with_capacity(digits.len() / 2 + 1);
    for pair in digits.chunks(2) {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = match pair.get(1) {
            Some(x) => (*x as char).to_digit(16)?,
            None => 0,
        };
        out.push((hi * 16 + lo) as u8);
    }
    Some(out)
}

/// The value of a name entry `key /Value`.
fn name_entry(dict: &[u8], key: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(p) = find(dict, key, from) {
        from = p + key.len();
        // The key must end here (not be a prefix of a longer name).
        if dict.get(from).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let i = skip_ws(dict, from);
        if dict.get(i) != Some(&b'/') {
            continue;
        }
        let end = dict[i + 1..]
            .iter()
            .position(|b| is_ws(*b) || b"/<>[]()".contains(b))
            .map_or(dict.len(), |e| i + 1 + e);
        return Some(String::from_utf8_lossy(&dict[i + 1..end]).into_owned());
    }
    None
}

/// The value of a literal-string entry `key (text)`.
fn string_entry(dict: &[u8], key: &[u8]) -> Option<String> {
    let mut from = 0;
    while let Some(p) = find(dict, key, from) {
        from = p + key.len();
        if dict.get(from).is_some_and(|b| b.is_ascii_alphanumeric()) {
            continue;
        }
        let i = skip_ws(dict, from);
        if dict.get(i) != Some(&b'(') {
            continue;
        }
        return literal(&dict[i + 1..]);
    }
    None
}

/// A PDF literal string's text (after its opening parenthesis), escapes resolved, bytes read
/// as Latin-1 (or UTF-16BE with a byte-order mark).
fn literal(s: &[u8]) -> Option<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < s.len() && out.len() < 4096 {
        let b = s[i];
        match b {
            b'\\' => {
                i += 1;
                let e = *s.get(i)?;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut v = 0u32;
                        let mut k = 0;
                        while k < 3 && matches!(s.get(i + k), Some(b'0'..=b'7')) {
                            v = v * 8 + u32::from(s[i + k] - b'0');
                            k += 1;
                        }
                        out.push((v & 0xff) as u8);
                        i += k - 1;
                    }
                    b'\r' | b'\n' => {}
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b);
            }
            b')' if depth == 0 => {
                return Some(if out.starts_with(&[0xfe, 0xff]) {
                    let units: Vec<u16> = out[2..]
                        .chunks(2)
                        .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
                        .collect();
                    String::from_utf16_lossy(&units)
                } else {
                    out.iter().map(|&b| char::from(b)).collect()
                });
            }
            b')' => {
                depth -= 1;
                out.push(b);
            }
            _ => out.push(b),
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_names() {
        let d = b"<< /SubFilter /ETSI.CAdES.detached /M (D:2024\\(x\\)) /Name (A\\101) >>";
        assert_eq!(
            name_entry(d, b"/SubFilter").as_deref(),
            Some("ETSI.CAdES.detached")
        );
        assert_eq!(string_entry(d, b"/M").as_deref(), Some("D:2024(x)"));
        assert_eq!(string_entry(d, b"/Name").as_deref(), Some("AA"));
    }

    #[test]
    fn revisions_end_after_the_eol() {
        assert_eq!(revision_ends(b"a%%EOF\r\nb%%EOF"), vec![8, 14]);
    }
}
