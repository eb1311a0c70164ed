//! A minimal ZIP writer (APPNOTE 6.3.x): "stored" entries (no compression), CRC-32, UTF-8 names
//! (general-purpose bit 11), one central directory. Enough for the documents download.

use bytes::Bytes;

/// DOS date and time of Unix seconds `t` (UTC).
fn dos_time(t: f64) -> (u16, u16) {
    let (y, m, d, hh, mm, ss) = super::civil_time(t);
    let year = u16::try_from((y - 1980).clamp(0, 127)).unwrap_or(0);
    let date = (year << 9) | ((m as u16) << 5) | d as u16;
    let time = ((hh as u16) << 11) | ((mm as u16) << 5) | (ss as u16 / 2);
    (time, date)
}

fn u16le(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn u32le(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// A ZIP archive holding `entries` (name, bytes), stored uncompressed, dated `now`.
pub(crate) fn stored_zip(entries: &[(String, Bytes)], now: f64) -> Vec<u8> {
    let (time, date) = dos_time(now);
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let crc = crc32fast::hash(data);
        let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
        let name_bytes = name.as_bytes();
        let name_len = u16::try_from(name_bytes.len()).unwrap_or(u16::MAX);
        let name_bytes = &name_bytes[..usize::from(name_len)];
        let offset = u32::try_from(out.len()).unwrap_or(u32::MAX);
        // Local file header.
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, 20); // version needed
        u16le(&mut out, 0x0800); // UTF-8 names
        u16le(&mut out, 0); // stored
        u16le(&mut out, time);
        u16le(&mut out, date);
        u32le(&mut out, crc);
        u32le(&mut out, size);
        u32le(&mut out, size);
        u16le(&mut out, name_len);
        u16le(&mut out, 0);
        out.extend_from_slice(name_bytes);
        out.extend_from_slice(data);
        // Central directory header.
        u32le(&mut central, 0x0201_4b50);
        u16le(&mut central, 0x0314); // made by: UNIX, 2.0
        u16le(&mut central, 20);
        u16le(&mut central, 0x0800);
        u16le(&mut central, 0);
        u16le(&mut central, time);
        u16le(&mut central, date);
        u32le(&mut central, crc);
        u32le(&mut central, size);
        u32le(&mut central, size);
        u16le(&mut central, name_len);
        u16le(&mut central, 0); // extra
        u16le(&mut central, 0); // comment
        u16le(&mut central, 0); // disk
        u16le(&mut central, 0); // internal attributes
        u32le(&mut central, 0o100_644 << 16); // external: regular file rw-r--r--
        u32le(&mut central, offset);
        central.extend_from_slice(name_bytes);
    }
    let cd_offset = u32::try_from(out.len()).unwrap_or(u32::MAX);
    let cd_size = u32::try_from(central.len()).unwrap_or(u32::MAX);
    let count = u16::try_from(entries.len()).unwrap_or(u16::MAX);
    out.extend_from_slice(&central);
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, count);
    u16le(&mut out, count);
    u32le(&mut out, cd_size);
    u32le(&mut out, cd_offset);
    u16le(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_consistent() {
        let z = stored_zip(
            &[
                ("a.pdf".to_owned(), Bytes::from_static(b"hello")),
                ("b.pdf".to_owned(), Bytes::from_static(b"")),
            ],
            1_700_000_000.0,
        );
        assert!(z.starts_with(&[0x50, 0x4b, 0x03, 0x04]));
        let eocd = &z[z.len() - 22..];
        assert_eq!(&eocd[..4], &[0x50, 0x4b, 0x05, 0x06]);
        assert_eq!(u16::from_le_bytes([eocd[10], eocd[11]]), 2);
        let cd_off = u32::from_le_bytes([eocd[16], eocd[17], eocd[18], eocd[19]]) as usize;
        assert_eq!(&z[cd_off..cd_off + 4], &[0x50, 0x4b, 0x01, 0x02]);
        // CRC of "hello".
        assert_eq!(crc32fast::hash(b"hello"), 0x3610_a686);
        assert_eq!(&z[14..18], &0x3610_a686u32.to_le_bytes());
    }
}
