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

/// `s` with every character of [`needs_escape`] written as `\u{…}` (lower-case hexadecimal, as
/// Rust writes it): safe to print to a terminal or a page, and the reader sees that something
/// is there. Borrows when nothing needs escaping.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
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

#[cfg(test)]
mod tests {
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
