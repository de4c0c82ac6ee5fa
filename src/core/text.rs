//! Echoing input safely: every value hwoath shows back to a person (in a message, a terminal line,
//! a page cell, `--json`) goes through [`visible`] or [`shorten`], so a crafted file cannot move
//! the terminal's cursor, set its title, erase a line, or reverse the text around it.
//!
//! One classification, [`invisible`], serves both the escaping here and the rules that flag such
//! characters in a field (HW109 and its kin in `tokenfile`).

use std::borrow::Cow;
use std::fmt::Write;

/// A name for a character nobody can see (or that changes how the text around it is shown), or
/// `None` for a visible one. Ordinary spaces other than U+0020 are named too: in a serial number
/// they are a hidden difference.
pub fn invisible(c: char) -> Option<&'static str> {
    // Printable ASCII first: nearly every character of every file is one.
    if (' '..='~').contains(&c) {
        return None;
    }
    Some(match c {
        '\0' => "NUL",
        '\t' => "tab",
        '\n' => "line break",
        '\r' => "carriage return",
        '\u{1b}' => "escape",
        '\u{a0}' => "no-break space",
        '\u{ad}' => "soft hyphen",
        '\u{34f}' => "combining grapheme joiner",
        '\u{115f}' | '\u{1160}' | '\u{3164}' | '\u{ffa0}' => "Hangul filler",
        '\u{180e}' => "Mongolian vowel separator",
        '\u{200b}' => "zero-width space",
        '\u{200c}' => "zero-width non-joiner",
        '\u{200d}' => "zero-width joiner",
        c if is_bidi_control(c) => "text-direction control",
        '\u{2028}' => "line separator",
        '\u{2029}' => "paragraph separator",
        '\u{2060}' => "word joiner",
        '\u{2061}'..='\u{2064}' => "invisible operator",
        '\u{206a}'..='\u{206f}' => "deprecated format character",
        '\u{feff}' => "byte order mark",
        '\u{fff9}'..='\u{fffb}' => "interlinear annotation character",
        '\u{e0000}'..='\u{e007f}' => "tag character",
        '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => "non-ASCII space",
        '\u{2065}' => "reserved format character",
        '\u{17b4}' | '\u{17b5}' => "Khmer inherent vowel",
        '\u{180b}'..='\u{180d}'
        | '\u{180f}'
        | '\u{fe00}'..='\u{fe0f}'
        | '\u{e0100}'..='\u{e01ef}' => "variation selector",
        '\u{2800}' => "blank Braille pattern",
        '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}' | '\u{1d173}'..='\u{1d17a}' => {
            "format control"
        }
        c if c.is_control() => "control character",
        _ => return None,
    })
}

/// True for the characters that change the direction text is shown in (the "Trojan Source"
/// set): LRM, RLM, ALM, the embeddings and overrides U+202A–U+202E and the isolates
/// U+2066–U+2069.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether [`visible`] writes `c` as an escape: controls (C0 including tab and line breaks, DEL,
/// C1), text-direction controls and the other invisible format characters. Ordinary spaces,
/// no-break spaces included, are left as they are: they move nothing on a screen.
pub fn needs_escape(c: char) -> bool {
    match c {
        ' ' => false,
        '\u{a0}' | '\u{2000}'..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}' => false,
        c => invisible(c).is_some(),
    }
}

/// True when `s` is printable ASCII only (space to `~`): nothing in it needs a look. The fast
/// path of every check here, as nearly all input is.
pub fn is_plain(s: &str) -> bool {
    word::printable(s.as_bytes())
}

/// Eight bytes at a time: the hot scans over a whole file (a JSON string's plain characters, a
/// line's indentation, whether a value is printable ASCII) look at a word per step instead of a
/// byte.
pub(crate) mod word {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;

    /// The high bit of each byte of `x` that is zero (exact: no false positives).
    fn zero_bytes(x: u64) -> u64 {
        !(((x & !HIGHS).wrapping_add(!HIGHS)) | x) & HIGHS
    }

    /// The high bit of each byte of `x` below `n` (`n` ≤ 0x80; exact).
    fn bytes_below(x: u64, n: u8) -> u64 {
        // A byte below n has its high bit clear and `b + (0x80 - n)` below 0x80.
        !((x & !HIGHS).wrapping_add(ONES * u64::from(0x80 - n)) | x) & HIGHS
    }

    fn load(bytes: &[u8]) -> u64 {
        u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes"))
    }

    /// How many leading bytes of `src` are plain string characters: not `"`, not `\`, not a
    /// control character below U+0020.
    pub(crate) fn plain_len(src: &[u8]) -> usize {
        let mut i = 0;
        while i + 8 <= src.len() {
            let x = load(&src[i..]);
            let stop = zero_bytes(x ^ (ONES * u64::from(b'"')))
                | zero_bytes(x ^ (ONES * u64::from(b'\\')))
                | bytes_below(x, 0x20);
            if stop != 0 {
                return i + (stop.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        i + src[i..]
            .iter()
            .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
            .unwrap_or(src.len() - i)
    }

    /// How many leading bytes of `src` are spaces or tabs.
    pub(crate) fn blank_len(src: &[u8]) -> usize {
        let mut i = 0;
        while i + 8 <= src.len() {
            let x = load(&src[i..]);
            let other = !(zero_bytes(x ^ (ONES * u64::from(b' ')))
                | zero_bytes(x ^ (ONES * u64::from(b'\t'))))
                & HIGHS;
            if other != 0 {
                return i + (other.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        i + src[i..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count()
    }

    /// Whether every byte of `src` is printable ASCII (0x20 to 0x7E).
    pub(crate) fn printable(src: &[u8]) -> bool {
        let mut words = src.chunks_exact(8);
        for chunk in &mut words {
            let x = load(chunk);
            // Below 0x20, 0x80 and above (high bit), or DEL (0x7F).
            if (bytes_below(x, 0x20) | (x & HIGHS) | zero_bytes(x ^ (ONES * 0x7f))) != 0 {
                return false;
            }
        }
        words.remainder().iter().all(|b| (0x20..0x7f).contains(b))
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn word_scans_agree_with_byte_scans_at_every_position() {
            let mut bytes: Vec<u8> = (0u8..=255).collect();
            bytes.extend_from_slice(b"    \t  x  \"ab\\c\x01");
            bytes.extend((0u8..=255).rev());
            for start in 0..bytes.len() {
                for end in start..bytes.len().min(start + 40) {
                    let s = &bytes[start..end];
                    let plain = s
                        .iter()
                        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                        .unwrap_or(s.len());
                    assert_eq!(super::plain_len(s), plain, "{s:?}");
                    let blank = s.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
                    assert_eq!(super::blank_len(s), blank, "{s:?}");
                    let printable = s.iter().all(|b| (0x20..0x7f).contains(b));
                    assert_eq!(super::printable(s), printable, "{s:?}");
                }
            }
            // Runs longer than a word.
            let run = [b'a'; 37];
            assert_eq!(super::plain_len(&run), 37);
            let spaces = [b' '; 29];
            assert_eq!(super::blank_len(&spaces), 29);
        }
    }
}

/// `s` with every character of [`needs_escape`] written as `\u{…}` (lower-case hexadecimal, as
/// Rust writes it): safe to print to a terminal or a page, and the reader sees that something
/// is there. Borrows when nothing needs escaping.
pub fn visible(s: &str) -> Cow<'_, str> {
    if is_plain(s) || !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// At most 40 characters of `s` (then `…`), escaped as by [`visible`]: how a message quotes a
/// value from the input.
pub fn shorten(s: &str) -> String {
    const MAX: usize = 40;
    let cut = match s.char_indices().nth(MAX) {
        Some((i, _)) => &s[..i],
        None => s,
    };
    let mut out = visible(cut).into_owned();
    if cut.len() < s.len() {
        out.push('…');
    }
    out
}

/// True for the characters that change how the text around them is shown, not only what it
/// holds: controls (C0 including tab and line breaks, DEL, C1), text-direction controls and the
/// line and paragraph separators U+2028/U+2029. In a name that reaches Entra or a printed sheet
/// they are errors; other invisible characters are only worth a look.
pub fn breaks_text(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// `s` escaped as by [`visible`] except for its line feeds, which stay: for text whose lines
/// are meant (a CLI message of several lines, a rendered request). A carriage return is
/// escaped, so nothing can return to the start of a line and write over it.
pub fn visible_lines(s: &str) -> Cow<'_, str> {
    if s.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b))
        || !s.chars().any(|c| c != '\n' && needs_escape(c))
    {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&visible(line));
    }
    Cow::Owned(out)
}

/// A serde_json [`Formatter`](serde_json::ser::Formatter) that also writes DEL, C1 controls,
/// text-direction controls, U+2028/U+2029 and the other invisible characters of
/// [`needs_escape`] as `\uXXXX` escapes (serde_json already escapes C0, `"` and `\`). The JSON
/// value is the same; the bytes are safe to print to a terminal and show what is there. Every
/// JSON document hwoath writes goes through [`json_pretty`] or [`json_compact`], which use it.
pub struct SafeFormatter<F>(pub F);

impl<F: serde_json::ser::Formatter> serde_json::ser::Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if is_plain(fragment) {
            return w.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if !needs_escape(c) {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(w, "\\u{:04x}", u)?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn end_object_key<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_key(w)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

fn json_with<T, F>(v: &T, formatter: F) -> String
where
    T: serde::Serialize + ?Sized,
    F: serde_json::ser::Formatter,
{
    let mut out = Vec::with_capacity(128);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SafeFormatter(formatter));
    v.serialize(&mut ser)
        .expect("hwoath's JSON output has string keys only");
    // The formatter writes whole UTF-8 fragments and ASCII escapes only.
    String::from_utf8(out).expect("JSON output is UTF-8")
}

/// Pretty JSON (two-space indent, no trailing newline) with [`SafeFormatter`]'s escapes: how
/// hwoath writes every JSON document (`--json`, normalised files, variants, Graph requests).
pub fn json_pretty<T: serde::Serialize + ?Sized>(v: &T) -> String {
    json_with(v, serde_json::ser::PrettyFormatter::new())
}

/// One-line JSON with [`SafeFormatter`]'s escapes.
pub fn json_compact<T: serde::Serialize + ?Sized>(v: &T) -> String {
    json_with(v, serde_json::ser::CompactFormatter)
}

#[cfg(test)]
mod tests {
    #[test]
    fn json_the_engine_writes_needs_no_further_escaping_for_display() {
        let v = serde_json::json!({"serialNumber": "12\u{202e}34\u{7f}\u{85}\u{200b}\t\n", "model": "•"});
        for text in [super::json_pretty(&v), super::json_compact(&v)] {
            assert_eq!(super::visible_lines(&text), text.as_str());
            assert!(
                !text.chars().any(|c| c != '\n' && super::needs_escape(c)),
                "{text}"
            );
        }
    }

    use super::*;

    #[test]
    fn escapes_terminal_controls_and_bidi() {
        assert_eq!(visible("plain C202"), Cow::Borrowed("plain C202"));
        assert_eq!(visible("a\u{1b}[2Kb"), "a\\u{1b}[2Kb");
        assert_eq!(visible("x\u{9b}31m"), "x\\u{9b}31m");
        assert_eq!(visible("\u{202e}evil"), "\\u{202e}evil");
        assert_eq!(visible("l1\nl2\r\t"), "l1\\u{a}l2\\u{d}\\u{9}");
        assert_eq!(visible("del\u{7f}"), "del\\u{7f}");
        assert_eq!(visible("zw\u{200b}j"), "zw\\u{200b}j");
        // spaces move nothing: left alone
        assert_eq!(visible("a\u{a0}b c"), "a\u{a0}b c");
    }

    #[test]
    fn escaped_text_has_no_raw_control_left() {
        let all: String = (0u32..0x3000).filter_map(char::from_u32).collect();
        let v = visible(&all);
        assert!(!v.chars().any(|c| c.is_control() || is_bidi_control(c)));
    }

    #[test]
    fn shorten_cuts_before_escaping() {
        let long = "x".repeat(45);
        assert_eq!(shorten(&long), format!("{}…", "x".repeat(40)));
        assert_eq!(shorten("ab\u{1b}"), "ab\\u{1b}");
        assert_eq!(shorten("short"), "short");
    }
}

#[cfg(test)]
mod output_tests {
    use super::*;

    /// Every character a string can hold, sampled densely where the controls and format
    /// characters are (all of the BMP below U+3100, the specials, the tags and selectors).
    fn hostile_chars() -> Vec<char> {
        let ranges = [
            0u32..0x3100,
            0xfe00..0xfe10,
            0xfeff..0xff00,
            0xfff0..0x10000,
            0x13430..0x13440,
            0x1bca0..0x1bca4,
            0x1d173..0x1d17b,
            0xe0000..0xe0080,
            0xe0100..0xe01f0,
        ];
        ranges
            .into_iter()
            .flatten()
            .filter_map(char::from_u32)
            .collect()
    }

    fn raw_danger(s: &str) -> Option<char> {
        s.chars()
            .find(|&c| c != '\n' && (c.is_control() || is_bidi_control(c) || needs_escape(c)))
    }

    #[test]
    fn json_writer_round_trips_to_the_same_value_with_no_raw_control() {
        let all: String = hostile_chars().into_iter().collect();
        let value = serde_json::json!({
            "k\u{1b}]0;pwned\u{7}": all,
            "list": ["\u{1b}[2K\rOK: 2 valid, 0 invalid", "\u{9b}31m", "\u{202e}\u{2066}x\u{7f}"],
            "\u{e0041}tag": "\u{2028}\u{2029}\u{feff}",
        });
        for (text, pretty) in [(json_pretty(&value), true), (json_compact(&value), false)] {
            let back: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back, value);
            // Only the formatter's own line breaks (pretty) are raw.
            assert_eq!(raw_danger(&text), None, "raw character left in {text:.200}");
            assert_eq!(text.contains('\n'), pretty);
        }
        // Same layout as serde_json's for text without anything to escape.
        let plain = serde_json::json!({"a": [1, "b"], "c": {"d": null}});
        assert_eq!(
            json_pretty(&plain),
            serde_json::to_string_pretty(&plain).unwrap()
        );
        assert_eq!(json_compact(&plain), serde_json::to_string(&plain).unwrap());
        // Escapes are JSON's own: four hex digits, surrogate pairs above the BMP.
        assert_eq!(
            json_compact(&"\u{7f}\u{202e}\u{e0041}é"),
            r#""\u007f\u202e\udb40\udc41é""#
        );
    }

    #[test]
    fn visible_lines_keeps_line_feeds_only() {
        assert_eq!(visible_lines("a\nb"), Cow::Borrowed("a\nb"));
        assert_eq!(
            visible_lines("ok\n\u{1b}[1A\rOK: 2 valid\n"),
            "ok\n\\u{1b}[1A\\u{d}OK: 2 valid\n"
        );
        let all: String = hostile_chars().into_iter().collect();
        assert_eq!(raw_danger(&visible_lines(&all)), None);
    }

    /// Unicode's format characters (general category Cf, Unicode 15.1), each named by
    /// [`invisible`] except the prepended concatenation marks, which are drawn (an Arabic number
    /// sign, the Syriac abbreviation mark, Kaithi and Egyptian number signs).
    #[test]
    fn every_format_character_is_named() {
        const CF: &[(u32, u32)] = &[
            (0xad, 0xad),
            (0x600, 0x605),
            (0x61c, 0x61c),
            (0x6dd, 0x6dd),
            (0x70f, 0x70f),
            (0x890, 0x891),
            (0x8e2, 0x8e2),
            (0x180e, 0x180e),
            (0x200b, 0x200f),
            (0x202a, 0x202e),
            (0x2060, 0x2064),
            (0x2066, 0x206f),
            (0xfeff, 0xfeff),
            (0xfff9, 0xfffb),
            (0x110bd, 0x110bd),
            (0x110cd, 0x110cd),
            (0x13430, 0x1343f),
            (0x1bca0, 0x1bca3),
            (0x1d173, 0x1d17a),
            (0xe0001, 0xe0001),
            (0xe0020, 0xe007f),
        ];
        const DRAWN: &[u32] = &[
            0x600, 0x601, 0x602, 0x603, 0x604, 0x605, 0x6dd, 0x70f, 0x890, 0x891, 0x8e2, 0x110bd,
            0x110cd,
        ];
        for &(a, b) in CF {
            for u in a..=b {
                let c = char::from_u32(u).unwrap();
                assert_eq!(
                    invisible(c).is_some(),
                    !DRAWN.contains(&u),
                    "U+{u:04X} {:?}",
                    invisible(c)
                );
            }
        }
        for c in [
            '\u{fe0f}',
            '\u{e0100}',
            '\u{180b}',
            '\u{17b4}',
            '\u{2800}',
            '\u{85}',
        ] {
            assert!(needs_escape(c), "U+{:04X}", c as u32);
        }
        assert!(breaks_text('\u{85}') && breaks_text('\u{2028}') && breaks_text('\u{202e}'));
        assert!(!breaks_text('\u{200d}') && !breaks_text('\u{a0}'));
    }
}
