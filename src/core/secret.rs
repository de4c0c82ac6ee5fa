//! Base32 TOTP secrets: strict decoding, a lenient front that reports what it changed, and a key
//! type that never shows its bytes and wipes them on drop.
//!
//! Positions ([`SecretIssue::positions`]) are 0-based character (not byte) indexes into the text
//! the caller gave, for code that marks them; messages, which people read, count characters
//! from 1 ("position 1" is the first character).

use std::fmt;
use std::sync::OnceLock;

use data_encoding::{DecodeKind, Encoding, Specification, BASE32_NOPAD};
use zeroize::{Zeroize, Zeroizing};

/// The RFC 4648 base32 alphabet.
pub const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Keys shorter than this (in bytes) get a warning: RFC 4226 §4 requires 128 bits and
/// recommends 160.
pub const MIN_RECOMMENDED_BYTES: usize = 16;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// A normalisation that was made; nothing is wrong.
    Info,
    /// Usable, but worth a look (non-canonical input, short key).
    Warning,
    /// Unusable as given.
    Error,
}

impl Severity {
    /// Lower-case name used in JSON output: `info`, `warning`, `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// What kind of normalisation or problem was found in a secret's text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecretIssueKind {
    /// Lower-case letters were upper-cased.
    LowerCase,
    /// Spaces, tabs, line breaks and invisible spaces (no-break, zero-width) were removed.
    Whitespace,
    /// `-` group separators were removed.
    Hyphen,
    /// Trailing `=` padding was removed.
    Padding,
    /// `=` before the end of the data.
    MisplacedPadding,
    /// The digits 0, 1 or 8, which base32 does not use (often a misread O, I/L or B).
    Confusable,
    /// Any other character outside the base32 alphabet.
    InvalidCharacter,
    /// Nothing left after removing separators.
    Empty,
    /// A length (mod 8 of 1, 3 or 6) that no base32 encoder produces; the last character was ignored.
    NonCanonicalLength,
    /// The unused low bits of the last character are not zero; they were ignored.
    NonCanonicalBits,
    /// Fewer than 16 bytes (128 bits) of key.
    ShortKey,
}

impl SecretIssueKind {
    /// Stable, kebab-case identifier.
    pub fn code(self) -> &'static str {
        match self {
            SecretIssueKind::LowerCase => "lower-case",
            SecretIssueKind::Whitespace => "whitespace",
            SecretIssueKind::Hyphen => "hyphen",
            SecretIssueKind::Padding => "padding",
            SecretIssueKind::MisplacedPadding => "misplaced-padding",
            SecretIssueKind::Confusable => "confusable",
            SecretIssueKind::InvalidCharacter => "invalid-character",
            SecretIssueKind::Empty => "empty",
            SecretIssueKind::NonCanonicalLength => "non-canonical-length",
            SecretIssueKind::NonCanonicalBits => "non-canonical-bits",
            SecretIssueKind::ShortKey => "short-key",
        }
    }

    /// The severity this kind always has.
    pub fn severity(self) -> Severity {
        use SecretIssueKind::*;
        match self {
            LowerCase | Whitespace | Hyphen | Padding => Severity::Info,
            NonCanonicalLength | NonCanonicalBits | ShortKey => Severity::Warning,
            MisplacedPadding | Confusable | InvalidCharacter | Empty => Severity::Error,
        }
    }
}

impl serde::Serialize for SecretIssueKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// One finding about a secret's text. The message never contains the secret. Serialises as
/// `{"kind", "severity", "positions", "message"}` (kind as [`SecretIssueKind::code`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretIssue {
    /// What was found.
    pub kind: SecretIssueKind,
    /// 0-based character positions in the input it concerns (empty when it concerns the whole).
    pub positions: Vec<usize>,
    /// Plain-language explanation; positions in it count from 1.
    pub message: String,
}

impl SecretIssue {
    fn new(kind: SecretIssueKind, positions: Vec<usize>, message: String) -> Self {
        SecretIssue {
            kind,
            positions,
            message,
        }
    }

    /// Shortcut for `self.kind.severity()`.
    pub fn severity(&self) -> Severity {
        self.kind.severity()
    }
}

impl serde::Serialize for SecretIssue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("SecretIssue", 4)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("severity", &self.severity())?;
        st.serialize_field("positions", &self.positions)?;
        st.serialize_field("message", &self.message)?;
        st.end()
    }
}

/// A secret that could not be decoded. Carries every error found, never the secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretError {
    /// All error-severity findings, in input order.
    pub issues: Vec<SecretIssue>,
}

impl fmt::Display for SecretError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.issues.first() {
            Some(first) => {
                f.write_str(&first.message)?;
                if self.issues.len() > 1 {
                    write!(f, " (and {} more problem(s))", self.issues.len() - 1)?;
                }
                Ok(())
            }
            None => f.write_str("invalid base32 secret"),
        }
    }
}

impl std::error::Error for SecretError {}

/// Decoded key bytes. `Debug` shows only the length; the bytes are zeroed on drop; `==` compares
/// in constant time (for keys of equal length).
#[derive(Clone)]
pub struct Secret {
    bytes: Vec<u8>,
}

impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        use subtle::ConstantTimeEq;
        self.bytes.ct_eq(&other.bytes).into()
    }
}

impl Eq for Secret {}

impl Drop for Secret {
    fn drop(&mut self) {
        self.bytes.zeroize();
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret {{ len: {}, .. }}", self.bytes.len())
    }
}

/// The result of a lenient parse: the key and every normalisation or warning made on the way.
#[derive(Debug, Clone)]
pub struct ParsedSecret {
    /// The decoded key.
    pub secret: Secret,
    /// Info and warning findings, in a stable order (normalisations first).
    pub issues: Vec<SecretIssue>,
}

fn lenient_encoding() -> &'static Encoding {
    static ENC: OnceLock<Encoding> = OnceLock::new();
    ENC.get_or_init(|| {
        let mut spec = Specification::new();
        spec.symbols.push_str(ALPHABET);
        spec.check_trailing_bits = false;
        spec.encoding().expect("valid base32 specification")
    })
}

fn positions_phrase(what: &str, positions: &[usize]) -> String {
    const SHOWN: usize = 8;
    let list: Vec<String> = positions
        .iter()
        .take(SHOWN)
        .map(|p| (p + 1).to_string())
        .collect();
    let more = if positions.len() > SHOWN {
        format!(" and {} more", positions.len() - SHOWN)
    } else {
        String::new()
    };
    let noun = if positions.len() == 1 {
        "position"
    } else {
        "positions"
    };
    format!("{what} at {noun} {}{more}", list.join(", "))
}

impl Secret {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: Vec<u8>) -> Secret {
        Secret { bytes }
    }

    /// Strict decoding: upper-case RFC 4648 base32 without padding, canonical trailing bits.
    pub fn decode_strict(text: &str) -> Result<Secret, SecretError> {
        match BASE32_NOPAD.decode(text.as_bytes()) {
            Ok(bytes) => Ok(Secret { bytes }),
            Err(e) => {
                let kind = match e.kind {
                    DecodeKind::Symbol => SecretIssueKind::InvalidCharacter,
                    DecodeKind::Trailing => SecretIssueKind::NonCanonicalBits,
                    DecodeKind::Length => SecretIssueKind::NonCanonicalLength,
                    DecodeKind::Padding => SecretIssueKind::MisplacedPadding,
                };
                let pos = text
                    .get(..e.position.min(text.len()))
                    .map(|s| s.chars().count())
                    .unwrap_or(e.position);
                let message = match kind {
                    SecretIssueKind::NonCanonicalLength => format!(
                        "length {} is not a canonical base32 length",
                        text.chars().count()
                    ),
                    _ => format!(
                        "not canonical upper-case base32 ({}) at position {}",
                        kind.code(),
                        pos + 1
                    ),
                };
                Err(SecretError {
                    issues: vec![SecretIssue::new(kind, vec![pos], message)],
                })
            }
        }
    }

    /// Lenient decoding for what people paste: accepts lower case, spaces (also no-break and
    /// zero-width ones), tabs, line breaks,
    /// `-` separators and trailing `=` padding, and reports each normalisation. Characters
    /// outside the alphabet are errors with their positions (0, 1 and 8 are called out as
    /// likely misreadings). Non-canonical length or trailing bits and short keys are warnings.
    pub fn parse(text: &str) -> Result<ParsedSecret, SecretError> {
        // Canonical text (upper-case alphabet only, a length an encoder writes, zero unused
        // bits) is what files and the page mostly hold: the strict decoder gives the very key
        // the lenient path would, whose only possible finding is then a short key.
        if !text.is_empty() {
            if let Ok(secret) = Secret::decode_strict(text) {
                let mut issues = Vec::new();
                if let Some(short) = short_key(&secret) {
                    issues.push(short);
                }
                return Ok(ParsedSecret { secret, issues });
            }
        }
        let mut cleaned = Zeroizing::new(String::with_capacity(text.len()));
        // cleaned index -> input char position
        let mut origin: Vec<usize> = Vec::with_capacity(text.len());
        let mut lower = Vec::new();
        let mut space = Vec::new();
        let mut hyphen = Vec::new();
        let mut padding = Vec::new();
        let mut errors = Vec::new();
        let mut misplaced = Vec::new();

        for (pos, ch) in text.chars().enumerate() {
            match ch {
                'A'..='Z' | '2'..='7' => {
                    if !padding.is_empty() {
                        misplaced.append(&mut padding);
                    }
                    cleaned.push(ch);
                    origin.push(pos);
                }
                'a'..='z' => {
                    if !padding.is_empty() {
                        misplaced.append(&mut padding);
                    }
                    lower.push(pos);
                    cleaned.push(ch.to_ascii_uppercase());
                    origin.push(pos);
                }
                // Also the invisible spaces that copying from a web page, a PDF or a word
                // processor brings along: no-break, narrow no-break, figure, zero-width, joiners.
                ' ' | '\t' | '\r' | '\n' | '\u{a0}' | '\u{2007}' | '\u{202f}' | '\u{200b}'
                | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{feff}' => space.push(pos),
                '-' => hyphen.push(pos),
                '=' => padding.push(pos),
                '0' | '1' | '8' => {
                    let guess = match ch {
                        '0' => "the letter O",
                        '1' => "the letter I or L",
                        _ => "the letter B",
                    };
                    errors.push(SecretIssue::new(
                        SecretIssueKind::Confusable,
                        vec![pos],
                        format!(
                            "digit {ch} at position {} is not base32 (only 2-7 are); was it {guess}?",
                            pos + 1
                        ),
                    ));
                }
                _ => {
                    let shown = if ch.is_ascii_graphic() {
                        format!("character '{ch}'")
                    } else {
                        format!("character U+{:04X}", ch as u32)
                    };
                    errors.push(SecretIssue::new(
                        SecretIssueKind::InvalidCharacter,
                        vec![pos],
                        format!(
                            "{shown} at position {} is not in the base32 alphabet (A-Z, 2-7)",
                            pos + 1
                        ),
                    ));
                }
            }
        }
        if !misplaced.is_empty() {
            let msg = positions_phrase("'=' padding before the end of the secret", &misplaced);
            errors.push(SecretIssue::new(
                SecretIssueKind::MisplacedPadding,
                misplaced,
                msg,
            ));
        }
        if errors.is_empty() && cleaned.is_empty() {
            errors.push(SecretIssue::new(
                SecretIssueKind::Empty,
                vec![],
                "the secret is empty".to_string(),
            ));
        }
        if !errors.is_empty() {
            errors.sort_by_key(|i| i.positions.first().copied().unwrap_or(0));
            return Err(SecretError { issues: errors });
        }

        let mut issues = Vec::new();
        if !lower.is_empty() {
            let msg = positions_phrase("lower-case letters upper-cased", &lower);
            issues.push(SecretIssue::new(SecretIssueKind::LowerCase, lower, msg));
        }
        if !space.is_empty() {
            let msg = positions_phrase("whitespace removed", &space);
            issues.push(SecretIssue::new(SecretIssueKind::Whitespace, space, msg));
        }
        if !hyphen.is_empty() {
            let msg = positions_phrase("'-' separators removed", &hyphen);
            issues.push(SecretIssue::new(SecretIssueKind::Hyphen, hyphen, msg));
        }
        if !padding.is_empty() {
            let msg = positions_phrase("'=' padding removed", &padding);
            issues.push(SecretIssue::new(SecretIssueKind::Padding, padding, msg));
        }

        let len = cleaned.len();
        if len == 1 {
            // One character holds 5 bits, no whole byte: the key would be empty.
            return Err(SecretError {
                issues: vec![SecretIssue::new(
                    SecretIssueKind::Empty,
                    vec![origin[0]],
                    "the secret is a single base32 character, which holds no whole byte: the key is empty".to_string(),
                )],
            });
        }
        let mut data_len = len;
        if matches!(len % 8, 1 | 3 | 6) {
            data_len = len - 1;
            let pos = origin[len - 1];
            issues.push(SecretIssue::new(
                SecretIssueKind::NonCanonicalLength,
                vec![pos],
                format!(
                    "{len} base32 characters is not a length any encoder produces; the last character (position {}) carries no whole byte and was ignored",
                    pos + 1
                ),
            ));
        }
        let data = &cleaned.as_bytes()[..data_len];
        let bytes = lenient_encoding().decode(data).map_err(|_| SecretError {
            issues: vec![SecretIssue::new(
                SecretIssueKind::InvalidCharacter,
                vec![],
                "the secret could not be decoded as base32".to_string(),
            )],
        })?;
        let secret = Secret { bytes };
        if data_len > 0 && !data_len.is_multiple_of(8) {
            let canonical = Zeroizing::new(BASE32_NOPAD.encode(&secret.bytes));
            if canonical.as_bytes() != data {
                let pos = origin[data_len - 1];
                issues.push(SecretIssue::new(
                    SecretIssueKind::NonCanonicalBits,
                    vec![pos],
                    format!(
                        "the unused low bits of the last character (position {}) are not zero; they were ignored, so another tool may decode a different key",
                        pos + 1
                    ),
                ));
            }
        }
        if let Some(short) = short_key(&secret) {
            issues.push(short);
        }
        Ok(ParsedSecret { secret, issues })
    }

    /// Key length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// True for a zero-length key.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The raw key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Canonical form: upper-case, unpadded RFC 4648 base32. Wrapped so it is wiped on drop.
    pub fn to_base32(&self) -> Zeroizing<String> {
        Zeroizing::new(BASE32_NOPAD.encode(&self.bytes))
    }

    /// Number of base32 characters of the canonical form, without building it.
    pub fn base32_len(&self) -> usize {
        BASE32_NOPAD.encode_len(self.bytes.len())
    }

    /// The same key with `n` zero bytes appended. Under HMAC (RFC 2104 pads keys with zeros to
    /// the block size) this gives identical codes while the key's bytes stay at most one block.
    pub fn with_zero_bytes(&self, n: usize) -> Secret {
        let mut bytes = Vec::with_capacity(self.bytes.len() + n);
        bytes.extend_from_slice(&self.bytes);
        bytes.resize(self.bytes.len() + n, 0);
        Secret { bytes }
    }

    /// The key without trailing zero bytes: two keys with the same trimmed form give the same
    /// HMAC as long as both are at most one hash block long.
    pub fn trimmed(&self) -> &[u8] {
        let end = self
            .bytes
            .iter()
            .rposition(|&b| b != 0)
            .map_or(0, |i| i + 1);
        &self.bytes[..end]
    }
}

/// The warning for a key shorter than [`MIN_RECOMMENDED_BYTES`].
fn short_key(secret: &Secret) -> Option<SecretIssue> {
    (secret.len() < MIN_RECOMMENDED_BYTES).then(|| {
        SecretIssue::new(
            SecretIssueKind::ShortKey,
            vec![],
            format!(
                "the key is {} bytes ({} bits); at least 16 bytes (128 bits) are recommended",
                secret.len(),
                secret.len() * 8
            ),
        )
    })
}

/// Masks a secret for display: every character but the last four becomes `•`.
pub fn mask(text: &str) -> String {
    let n = text.chars().count();
    let keep = if n > 8 { 4 } else { 0 };
    text.chars()
        .enumerate()
        .map(|(i, c)| if i + keep < n { '•' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_bytes() {
        let s = Secret::parse("JBSWY3DPEHPK3PXP").unwrap().secret;
        assert_eq!(format!("{s:?}"), "Secret { len: 10, .. }");
    }

    #[test]
    fn lenient_reports_normalisations() {
        let p = Secret::parse("jbsw y3dp-ehpk3pxp==").unwrap();
        let kinds: Vec<_> = p.issues.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            vec![
                SecretIssueKind::LowerCase,
                SecretIssueKind::Whitespace,
                SecretIssueKind::Hyphen,
                SecretIssueKind::Padding,
                SecretIssueKind::ShortKey
            ]
        );
        assert_eq!(p.issues[1].positions, vec![4]);
        assert_eq!(p.issues[2].positions, vec![9]);
        assert_eq!(&*p.secret.to_base32(), "JBSWY3DPEHPK3PXP");
    }

    #[test]
    fn confusables_and_invalid_positions() {
        let e = Secret::parse("AB0C!D8").unwrap_err();
        let got: Vec<_> = e
            .issues
            .iter()
            .map(|i| (i.kind, i.positions.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (SecretIssueKind::Confusable, vec![2]),
                (SecretIssueKind::InvalidCharacter, vec![4]),
                (SecretIssueKind::Confusable, vec![6]),
            ]
        );
        // Positions are 0-based data; the message counts from 1.
        assert!(e.to_string().starts_with("digit 0 at position 3"));
    }

    #[test]
    fn non_canonical_bits_and_length() {
        // Microsoft's example: 26 chars, trailing bits 01.
        let p = Secret::parse("2234567abcdef2234567abcdef").unwrap();
        assert!(p
            .issues
            .iter()
            .any(|i| i.kind == SecretIssueKind::NonCanonicalBits && i.positions == vec![25]));
        assert_eq!(p.secret.len(), 16);
        let p = Secret::parse("ABCDEFG").unwrap(); // 7 % 8 = 7 is canonical length
        assert!(!p
            .issues
            .iter()
            .any(|i| i.kind == SecretIssueKind::NonCanonicalLength));
        let p = Secret::parse("ABCDEF").unwrap(); // 6 % 8 = 6 is not
        assert!(p
            .issues
            .iter()
            .any(|i| i.kind == SecretIssueKind::NonCanonicalLength && i.positions == vec![5]));
        assert_eq!(p.secret.len(), 3);
    }

    #[test]
    fn misplaced_padding_and_empty() {
        let e = Secret::parse("AB=CD").unwrap_err();
        assert_eq!(e.issues[0].kind, SecretIssueKind::MisplacedPadding);
        assert_eq!(e.issues[0].positions, vec![2]);
        let e = Secret::parse(" - ").unwrap_err();
        assert_eq!(e.issues[0].kind, SecretIssueKind::Empty);
        // Found by fuzzing: one character decoded to an empty key that was accepted (and
        // normalised to "secretKey": "", which then failed as empty).
        let e = Secret::parse(" 2=").unwrap_err();
        assert_eq!(e.issues[0].kind, SecretIssueKind::Empty);
        assert_eq!(e.issues[0].positions, vec![1]);
        assert!(Secret::parse("AE").is_ok_and(|p| p.secret.len() == 1));
    }

    #[test]
    fn strict_rejects_lower_and_bits() {
        assert!(Secret::decode_strict("JBSWY3DPEHPK3PXP").is_ok());
        assert!(Secret::decode_strict("jbswy3dpehpk3pxp").is_err());
        let e = Secret::decode_strict("2234567ABCDEF2234567ABCDEF").unwrap_err();
        assert_eq!(e.issues[0].kind, SecretIssueKind::NonCanonicalBits);
    }

    #[test]
    fn zero_bytes_and_trim() {
        let s = Secret::from_bytes(vec![1, 2, 0]);
        let v = s.with_zero_bytes(2);
        assert_eq!(v.as_bytes(), &[1, 2, 0, 0, 0]);
        assert_eq!(v.trimmed(), &[1, 2]);
    }

    #[test]
    fn canonical_fast_path_agrees_with_the_lenient_path() {
        // The lenient path, reached through lower case, gives the same key and findings.
        for text in [
            "JBSWY3DPEHPK3PXP",
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "AE",
            "ABCDEFG",
        ] {
            let fast = Secret::parse(text).unwrap();
            let slow = Secret::parse(&text.to_ascii_lowercase()).unwrap();
            assert_eq!(fast.secret, slow.secret, "{text}");
            let kinds = |p: &ParsedSecret| p.issues.iter().map(|i| i.kind).collect::<Vec<_>>();
            let mut expected = kinds(&slow);
            expected.retain(|k| *k != SecretIssueKind::LowerCase);
            assert_eq!(kinds(&fast), expected, "{text}");
        }
        assert!(Secret::parse("").is_err());
        assert!(Secret::parse("A").is_err());
    }

    #[test]
    fn issues_serialise_with_kind_and_severity() {
        let p = Secret::parse("jbsw").unwrap();
        let v = serde_json::to_value(&p.issues[0]).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind": "lower-case", "severity": "info", "positions": [0, 1, 2, 3], "message": p.issues[0].message})
        );
    }

    #[test]
    fn mask_keeps_last_four() {
        assert_eq!(mask("JBSWY3DPEHPK3PXP"), "••••••••••••3PXP");
        assert_eq!(mask("ABCD"), "••••");
    }
}
