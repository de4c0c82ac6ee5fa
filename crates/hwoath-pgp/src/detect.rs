//! Is this an OpenPGP message? Decided by content, never by file name (`.gpg`, `.pgp`, `.asc`,
//! `.json.gpg` and pasted text are all the same to it).
//!
//! - Armored: a line `-----BEGIN PGP MESSAGE-----` (text before it, such as an e-mail's
//!   greeting, is allowed and ignored).
//! - Binary: the first packet header (old or new format) is one an encrypted message starts
//!   with — a Public-Key or Symmetric-Key Encrypted Session Key, a (protected) encrypted data
//!   packet or a Marker packet — and its first body octet is a version that packet can have.
//!   Signed, compressed or literal starts are recognised too (so that they can be refused as "not
//!   encrypted" rather than read as a token file). A token file (UTF-8 JSON or CSV, with or
//!   without a byte order mark) never starts like that: its first byte is ASCII or 0xEF.

/// How an OpenPGP message is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageFormat {
    /// ASCII armor (`-----BEGIN PGP MESSAGE-----`).
    Armored,
    /// Binary packets.
    Binary,
}

/// The armor line that starts a message.
pub const ARMOR_BEGIN: &str = "-----BEGIN PGP MESSAGE-----";

/// The byte offset of the armor's BEGIN line (at the start of a line), if any.
pub(crate) fn armor_start(bytes: &[u8]) -> Option<usize> {
    let needle = ARMOR_BEGIN.as_bytes();
    let mut from = 0;
    while let Some(i) = find(&bytes[from..], needle) {
        let at = from + i;
        let line_start = at == 0
            || matches!(bytes[at - 1], b'\n' | b'\r')
            || (at == 3 && bytes.starts_with(b"\xEF\xBB\xBF"));
        // Only spaces or tabs may precede it on its line (indented pastes).
        let indented = {
            let line = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n' || b == b'\r')
                .map_or(0, |p| p + 1);
            let line = if line == 0 && bytes.starts_with(b"\xEF\xBB\xBF") {
                3
            } else {
                line
            };
            bytes[line..at].iter().all(|&b| b == b' ' || b == b'\t')
        };
        if line_start || indented {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}

/// A packet header: its tag and where its body starts, with the body length when it is fixed.
pub(crate) struct Header {
    pub tag: u8,
    pub body: usize,
    pub len: Option<usize>,
}

/// Reads the packet header at the start of `b` (RFC 9580 §4.2, old and new formats).
pub(crate) fn header(b: &[u8]) -> Option<Header> {
    let first = *b.first()?;
    if first & 0x80 == 0 {
        return None;
    }
    if first & 0x40 != 0 {
        // New format: tag in the low 6 bits, then a one-, two- or five-octet length or a
        // partial length.
        let tag = first & 0x3f;
        let l0 = *b.get(1)? as usize;
        let (body, len) = match l0 {
            0..=191 => (2, Some(l0)),
            192..=223 => (3, Some(((l0 - 192) << 8) + *b.get(2)? as usize + 192)),
            255 => {
                let n = b.get(2..6)?;
                (
                    6,
                    Some(u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize),
                )
            }
            _ => (2, None), // partial body length
        };
        Some(Header { tag, body, len })
    } else {
        // Old format: tag in bits 5-2, length type in bits 1-0.
        let tag = (first >> 2) & 0x0f;
        let (body, len) = match first & 3 {
            0 => (2, Some(*b.get(1)? as usize)),
            1 => {
                let n = b.get(1..3)?;
                (3, Some(u16::from_be_bytes([n[0], n[1]]) as usize))
            }
            2 => {
                let n = b.get(1..5)?;
                (
                    5,
                    Some(u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize),
                )
            }
            _ => (1, None), // indeterminate length
        };
        Some(Header { tag, body, len })
    }
}

/// Packet tags (RFC 9580 §5).
pub(crate) mod tag {
    pub const PKESK: u8 = 1;
    pub const SIGNATURE: u8 = 2;
    pub const SKESK: u8 = 3;
    pub const ONE_PASS_SIGNATURE: u8 = 4;
    pub const COMPRESSED: u8 = 8;
    pub const SED: u8 = 9;
    pub const MARKER: u8 = 10;
    pub const LITERAL: u8 = 11;
    pub const SEIPD: u8 = 18;
    pub const GNUPG_AEAD: u8 = 20;
}

/// Whether binary data starts like an OpenPGP message (see the module docs).
fn binary_start(b: &[u8]) -> bool {
    let Some(h) = header(b) else { return false };
    let Some(&v) = b.get(h.body) else {
        return false;
    };
    match h.tag {
        tag::PKESK => v == 3 || v == 6,
        tag::SKESK => (4..=6).contains(&v),
        tag::SEIPD => v == 1 || v == 2,
        tag::GNUPG_AEAD => v == 1,
        tag::MARKER => b.get(h.body..h.body + 3) == Some(b"PGP"),
        tag::COMPRESSED => v <= 3,
        tag::LITERAL => matches!(v, b'b' | b't' | b'u' | b'l' | b'1' | b'm'),
        tag::ONE_PASS_SIGNATURE => v == 3 || v == 6,
        tag::SIGNATURE => (3..=6).contains(&v),
        // A bare SED packet (PGP 2 era): arbitrary bytes, so only when its length spans the
        // whole input exactly.
        tag::SED => h.len.is_some_and(|l| h.body + l == b.len()) && b.len() > h.body + 10,
        _ => false,
    }
}

/// `Some(format)` when `bytes` is an OpenPGP message (see the module docs), else `None`.
pub fn detect(bytes: &[u8]) -> Option<MessageFormat> {
    if binary_start(bytes) {
        Some(MessageFormat::Binary)
    } else if armor_start(bytes).is_some() {
        Some(MessageFormat::Armored)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn armor_is_found_after_text_and_not_inside_a_line() {
        let m = b"-----BEGIN PGP MESSAGE-----\n\nhQEM\n-----END PGP MESSAGE-----\n";
        assert_eq!(detect(m), Some(MessageFormat::Armored));
        let mut mail = b"Hello,\r\nhere are your seeds:\r\n\r\n".to_vec();
        mail.extend_from_slice(m);
        assert_eq!(detect(&mail), Some(MessageFormat::Armored));
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(m);
        assert_eq!(detect(&bom), Some(MessageFormat::Armored));
        assert_eq!(
            detect(b"   -----BEGIN PGP MESSAGE-----\n"),
            Some(MessageFormat::Armored)
        );
        // Inside a JSON value, not at the start of a line.
        assert_eq!(detect(br#"{"note": "-----BEGIN PGP MESSAGE-----"}"#), None);
        // A key block is not a message.
        assert_eq!(detect(b"-----BEGIN PGP PUBLIC KEY BLOCK-----\n"), None);
    }

    #[test]
    fn binary_starts() {
        // gpg --encrypt: new-format PKESK, version 3.
        assert_eq!(
            detect(&[0xc1, 0x5e, 0x03, 0x11]),
            Some(MessageFormat::Binary)
        );
        // Old-format PKESK (0x84), 2-octet length (0x85), version 3.
        assert_eq!(
            detect(&[0x85, 0x01, 0x0c, 0x03]),
            Some(MessageFormat::Binary)
        );
        // gpg --symmetric: new-format SKESK v4.
        assert_eq!(
            detect(&[0xc3, 0x0d, 0x04, 0x09]),
            Some(MessageFormat::Binary)
        );
        // Old-format compressed, indeterminate length, ZIP.
        assert_eq!(detect(&[0xa3, 0x01, 0x78]), Some(MessageFormat::Binary));
        // Token files: JSON, CSV, BOM, UTF-16 BOMs, Windows-1252 'É' (0xC9 = new-format tag 9
        // with a length that does not span the input).
        for text in [
            &b"{\"value\": []}"[..],
            b"upn,serial number",
            b"\xEF\xBB\xBF{}",
            b"\xFF\xFE{\x00",
            b"\xFE\xFF\x00{",
            b"\xC9lodie,123\n",
            b"",
        ] {
            assert_eq!(detect(text), None, "{text:?}");
        }
    }

    #[test]
    fn header_lengths() {
        let h = header(&[0xc1, 0xc0, 0x00]).unwrap();
        assert_eq!((h.tag, h.body, h.len), (1, 3, Some(192)));
        let h = header(&[0xd2, 0xff, 0, 0, 1, 0]).unwrap();
        assert_eq!((h.tag, h.body, h.len), (18, 6, Some(256)));
        let h = header(&[0xd2, 0xe0]).unwrap();
        assert_eq!((h.tag, h.len), (18, None));
        let h = header(&[0xa5, 0x01, 0x00]).unwrap();
        assert_eq!((h.tag, h.body, h.len), (9, 3, Some(256)));
        assert!(header(&[0x7b]).is_none());
        assert!(header(&[0xc1]).is_none());
    }
}
