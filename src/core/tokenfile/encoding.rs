//! Bytes to text: files must be UTF-8. UTF-16 (what Windows PowerShell 5 and Excel's "Unicode
//! Text" save) and legacy 8-bit encodings (Windows-1252) are refused with what to do instead.

use super::Unusable;
use crate::core::diag::Pos;
use crate::core::limits::check_input_size;

const SAVE_AS_UTF8: &str =
    "save it as UTF-8 (Excel: \"CSV UTF-8\"; PowerShell: -Encoding utf8) and try again";

/// Where byte `offset` of `valid` (valid UTF-8 up to there) is: 1-based line and column in
/// characters.
fn pos_of(valid: &str) -> Pos {
    crate::core::diag::LineIndex::new(valid).pos(valid, valid.len())
}

fn utf16(what: &str, order: &str) -> Unusable {
    Unusable {
        message: format!("{what} is UTF-16 text ({order}), not UTF-8: {SAVE_AS_UTF8}"),
        line: Some(1),
        column: Some(1),
    }
}

/// True when the start of `s` looks like UTF-16 read as single bytes: NUL between the letters
/// (a file of NUL bytes only is not text at all, and is left to the readers to refuse).
fn nul_interleaved(s: &[u8]) -> bool {
    let head = &s[..s.len().min(64)];
    let nul = head.iter().filter(|&&b| b == 0).count();
    let printable = head
        .iter()
        .filter(|&&b| b.is_ascii_graphic() || b.is_ascii_whitespace())
        .count();
    head.len() >= 4 && nul * 3 >= head.len() && printable * 3 >= head.len()
}

/// Checks a text read by someone else (a JS string): refuses oversized input and UTF-16 that
/// was read as single bytes. `what` names the input in messages ("the file").
pub fn check_text(what: &str, text: &str) -> Result<(), Unusable> {
    check_input_size(what, text.len()).map_err(Unusable::new)?;
    if nul_interleaved(text.as_bytes()) {
        return Err(utf16(what, "NUL characters between the letters"));
    }
    Ok(())
}

/// The UTF-8 text of a file read as bytes (the CLI reads bytes; the page decodes UTF-8 itself).
/// A UTF-8 byte order mark is kept (the readers skip it). Refuses input above
/// `limits::MAX_INPUT_BYTES`, UTF-16 with or without a byte order mark, and bytes that are not
/// UTF-8, naming the line and column of the first bad byte.
pub fn text_from_bytes<'b>(what: &str, bytes: &'b [u8]) -> Result<&'b str, Unusable> {
    check_input_size(what, bytes.len()).map_err(Unusable::new)?;
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return Err(utf16(what, "little-endian, with a byte order mark"));
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(utf16(what, "big-endian, with a byte order mark"));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            check_text(what, text)?;
            Ok(text)
        }
        Err(e) => {
            if nul_interleaved(bytes) {
                return Err(utf16(what, "NUL bytes between the letters"));
            }
            let at = e.valid_up_to();
            let valid = std::str::from_utf8(&bytes[..at]).unwrap_or("");
            let pos = pos_of(valid);
            Err(Unusable {
                message: format!(
                    "{what} is not UTF-8 text: byte 0x{:02X} is not valid UTF-8 (a Windows-1252 or Latin-1 file?); {SAVE_AS_UTF8}",
                    bytes[at]
                ),
                line: Some(pos.line),
                column: Some(pos.column),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(
            text_from_bytes("f", b"\xEF\xBB\xBFab").unwrap(),
            "\u{feff}ab"
        );
        let e = text_from_bytes("f", b"ab\ncd\xE9f").unwrap_err();
        assert_eq!((e.line, e.column), (Some(2), Some(3)));
        assert!(e.message.contains("0xE9"), "{}", e.message);
        let le: Vec<u8> = "\u{feff}upn,serial"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(text_from_bytes("f", &le)
            .unwrap_err()
            .message
            .contains("little-endian"));
        let be: Vec<u8> = "\u{feff}[1]"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert!(text_from_bytes("f", &be)
            .unwrap_err()
            .message
            .contains("big-endian"));
        let bare: Vec<u8> = "[{\"a\": 1}]"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert!(text_from_bytes("f", &bare)
            .unwrap_err()
            .message
            .contains("NUL"));
        assert!(check_text("f", "{\"a\": \"x\0y\"}").is_ok());
        assert!(check_text("f", "\0\0\0\0\0\0\0\0").is_ok());
    }
}
