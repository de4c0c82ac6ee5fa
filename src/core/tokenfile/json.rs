//! A strict JSON reader (RFC 8259) that records where every key and value starts.
//!
//! serde_json gives values but not positions; diagnostics need the 1-based line:column of each
//! field. This reader accepts exactly what `serde_json::from_str::<serde_json::Value>` accepts
//! (no comments, no trailing commas, nesting at most 128 deep, no lone surrogates) and keeps
//! duplicate keys in order (serde_json keeps the last one). Line and column are tracked while
//! scanning, so positions cost nothing extra even when the whole file is one line.

use std::borrow::Cow;

use crate::core::diag::Pos;
use crate::core::limits::{thousands, MAX_JSON_VALUES, MAX_STRING_BYTES};
use crate::core::text::word;

/// Deepest nesting accepted (serde_json's default recursion limit of 128 allows 127 levels).
pub const MAX_DEPTH: usize = 127;

/// A JSON value with its position. Strings without escapes borrow from the source text.
#[derive(Clone, Debug, PartialEq)]
pub struct Value<'a> {
    /// What it is.
    pub kind: Kind<'a>,
    /// Byte offset of its first character (the `"` of a string).
    pub offset: usize,
    /// 1-based line:column of its first character.
    pub pos: Pos,
}

/// The kinds of JSON value.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written (e.g. `30`, `30.0`, `-1e3`).
    Number(&'a str),
    /// A string, unescaped.
    String(Cow<'a, str>),
    /// An array.
    Array(Vec<Value<'a>>),
    /// An object: members in input order, duplicates kept.
    Object(Vec<Member<'a>>),
}

/// One `"key": value` pair.
#[derive(Clone, Debug, PartialEq)]
pub struct Member<'a> {
    /// The key, unescaped.
    pub key: Cow<'a, str>,
    /// 1-based line:column of the key's opening quote.
    pub key_pos: Pos,
    /// The value.
    pub value: Value<'a>,
}

/// Why the text is not JSON, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// What was expected or found.
    pub message: String,
    /// Where (1-based).
    pub pos: Pos,
    /// True when the document is refused for a resource limit (`core::limits`), not for its
    /// syntax.
    pub limit: bool,
}

impl<'a> Value<'a> {
    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            Kind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member<'a>]> {
        match &self.kind {
            Kind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The first member named exactly `key`, if this is an object.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// A short description of the kind: `null`, `a number`, `an object`…
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "a boolean",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    /// The same value as a `serde_json::Value` (duplicate keys: the last wins, as in serde_json).
    pub fn to_serde(&self) -> serde_json::Value {
        use serde_json::Value as V;
        match &self.kind {
            Kind::Null => V::Null,
            Kind::Bool(b) => V::Bool(*b),
            Kind::Number(n) => serde_json::from_str(n).unwrap_or(V::Null),
            Kind::String(s) => V::String(s.to_string()),
            Kind::Array(a) => V::Array(a.iter().map(Value::to_serde).collect()),
            Kind::Object(m) => {
                let mut map = serde_json::Map::new();
                for member in m {
                    map.insert(member.key.to_string(), member.value.to_serde());
                }
                V::Object(map)
            }
        }
    }
}

/// Parses a whole document (leading and trailing whitespace allowed, nothing else).
pub fn parse(text: &str) -> Result<Value<'_>, JsonError> {
    let mut p = Parser {
        text,
        src: text.as_bytes(),
        i: 0,
        line: 1,
        col: 1,
        depth: 0,
        values: 0,
    };
    p.ws();
    let v = p.value()?;
    p.ws();
    if p.i < p.src.len() {
        return Err(p.err("unexpected text after the end of the JSON document"));
    }
    Ok(v)
}

/// The position of the `n`-th character (0-based) of the unescaped string `value`, inside the
/// source `text` it was read from: escapes such as `\u0041` count as one character. `None` when
/// `value` is not a string or has fewer characters.
pub fn string_char_pos(text: &str, value: &Value, n: usize) -> Option<Pos> {
    match value.kind {
        Kind::String(_) => string_char_pos_at(text, value.offset, value.pos, n),
        _ => None,
    }
}

/// Like [`string_char_pos`], for the string literal whose opening quote is at byte `offset`
/// (position `pos`) of `text`.
pub fn string_char_pos_at(text: &str, offset: usize, pos: Pos, n: usize) -> Option<Pos> {
    let bytes = text.as_bytes();
    let mut i = offset + 1;
    let mut col = pos.column + 1;
    let mut k = 0;
    while i < bytes.len() && bytes[i] != b'"' {
        if k == n {
            return Some(Pos {
                line: pos.line,
                column: col,
            });
        }
        let width = if bytes[i] == b'\\' {
            if bytes.get(i + 1) == Some(&b'u') {
                // A surrogate pair `\uD83D\uDE00` is one character.
                let hi = text
                    .get(i + 2..i + 6)
                    .and_then(|h| u16::from_str_radix(h, 16).ok());
                if matches!(hi, Some(0xD800..=0xDBFF)) && text.get(i + 6..i + 8) == Some("\\u") {
                    12
                } else {
                    6
                }
            } else {
                2
            }
        } else {
            utf8_width(bytes[i])
        };
        col += text
            .get(i..i + width)
            .map_or(1, |s| s.chars().count() as u32);
        i += width;
        k += 1;
    }
    None
}

/// Length in bytes of the UTF-8 sequence that starts with byte `b`.
pub(crate) fn utf8_width(b: u8) -> usize {
    match b {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

struct Parser<'a> {
    text: &'a str,
    src: &'a [u8],
    i: usize,
    line: u32,
    col: u32,
    depth: usize,
    values: usize,
}

impl<'a> Parser<'a> {
    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            column: self.col,
        }
    }

    fn err(&self, message: &str) -> JsonError {
        JsonError {
            message: message.to_string(),
            pos: self.pos(),
            limit: false,
        }
    }

    fn limit(&self, pos: Pos, message: String) -> JsonError {
        JsonError {
            message,
            pos,
            limit: true,
        }
    }

    fn found(&self, expected: &str) -> JsonError {
        match self.src.get(self.i) {
            None => self.err(&format!("unexpected end of input; expected {expected}")),
            Some(_) => {
                let ch = std::str::from_utf8(&self.src[self.i..])
                    .ok()
                    .and_then(|s| s.chars().next())
                    .unwrap_or('?');
                let shown = if ch.is_ascii_graphic() {
                    format!("'{ch}'")
                } else {
                    format!("U+{:04X}", ch as u32)
                };
                let hint = if ch == '/' {
                    " (JSON has no comments)"
                } else {
                    ""
                };
                self.err(&format!("expected {expected}, found {shown}{hint}"))
            }
        }
    }

    /// Advances over one ASCII byte (never a newline).
    fn bump(&mut self) {
        self.i += 1;
        self.col += 1;
    }

    fn ws(&mut self) {
        while let Some(&b) = self.src.get(self.i) {
            match b {
                b' ' | b'\t' => {
                    self.bump();
                    // A run (indentation) at once; a lone space (after ':') needs no more look.
                    if matches!(self.src.get(self.i), Some(b' ' | b'\t')) {
                        let run = word::blank_len(&self.src[self.i..]);
                        self.i += run;
                        self.col += run as u32;
                    }
                }
                // The `\r` of `\r\n` is a column; a lone `\r` ends a line (old Mac files).
                b'\r' if self.src.get(self.i + 1) == Some(&b'\n') => self.bump(),
                b'\r' | b'\n' => {
                    self.i += 1;
                    self.line += 1;
                    self.col = 1;
                }
                _ => break,
            }
        }
    }

    fn value(&mut self) -> Result<Value<'a>, JsonError> {
        let offset = self.i;
        let pos = self.pos();
        self.values += 1;
        if self.values > MAX_JSON_VALUES {
            return Err(self.limit(
                pos,
                format!(
                    "the document has more than {} JSON values (the value limit in docs/limits.md)",
                    thousands(MAX_JSON_VALUES)
                ),
            ));
        }
        let kind = match self.src.get(self.i) {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Kind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') => self.literal("true", Kind::Bool(true))?,
            Some(b'f') => self.literal("false", Kind::Bool(false))?,
            Some(b'n') => self.literal("null", Kind::Null)?,
            _ => return Err(self.found("a JSON value")),
        };
        Ok(Value { kind, offset, pos })
    }

    fn literal(&mut self, word: &str, kind: Kind<'a>) -> Result<Kind<'a>, JsonError> {
        for &w in word.as_bytes() {
            if self.src.get(self.i) != Some(&w) {
                return Err(self.found(&format!("'{word}'")));
            }
            self.bump();
        }
        Ok(kind)
    }

    fn enter(&mut self) -> Result<(), JsonError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.limit(
                self.pos(),
                format!("nesting is too deep: more than {MAX_DEPTH} levels of arrays and objects (the depth limit in docs/limits.md)"),
            ));
        }
        Ok(())
    }

    fn object(&mut self) -> Result<Kind<'a>, JsonError> {
        self.enter()?;
        self.bump(); // {
        let mut members = Vec::with_capacity(8); // a token record's 7 or 8: one allocation
        self.ws();
        if self.src.get(self.i) == Some(&b'}') {
            self.bump();
            self.depth -= 1;
            return Ok(Kind::Object(members));
        }
        loop {
            self.ws();
            if self.src.get(self.i) != Some(&b'"') {
                return Err(self.found("a string key"));
            }
            let key_pos = self.pos();
            let key = self.string()?;
            self.ws();
            if self.src.get(self.i) != Some(&b':') {
                return Err(self.found("':'"));
            }
            self.bump();
            self.ws();
            let value = self.value()?;
            members.push(Member {
                key,
                key_pos,
                value,
            });
            self.ws();
            match self.src.get(self.i) {
                Some(b',') => self.bump(),
                Some(b'}') => {
                    self.bump();
                    self.depth -= 1;
                    return Ok(Kind::Object(members));
                }
                _ => return Err(self.found("',' or '}'")),
            }
        }
    }

    fn array(&mut self) -> Result<Kind<'a>, JsonError> {
        self.enter()?;
        self.bump(); // [
        let mut items = Vec::new();
        self.ws();
        if self.src.get(self.i) == Some(&b']') {
            self.bump();
            self.depth -= 1;
            return Ok(Kind::Array(items));
        }
        loop {
            self.ws();
            items.push(self.value()?);
            self.ws();
            match self.src.get(self.i) {
                Some(b',') => self.bump(),
                Some(b']') => {
                    self.bump();
                    self.depth -= 1;
                    return Ok(Kind::Array(items));
                }
                _ => return Err(self.found("',' or ']'")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u16, JsonError> {
        let mut v: u16 = 0;
        for _ in 0..4 {
            let d = match self.src.get(self.i) {
                Some(b) => (*b as char).to_digit(16),
                None => None,
            };
            match d {
                Some(d) => {
                    v = v * 16 + d as u16;
                    self.bump();
                }
                None => return Err(self.found("a hexadecimal digit")),
            }
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let (open, open_pos) = (self.i, self.pos());
        self.bump(); // opening quote
        let mut out = String::new();
        let mut first = true;
        loop {
            // Copy a run of plain characters at once: find its end, then count its characters
            // (its length when it is ASCII, as nearly every value is).
            let start = self.i;
            let len = word::plain_len(&self.src[start..]);
            self.i = start + len;
            let bytes = &self.src[start..self.i];
            self.col += if bytes.is_ascii() {
                len as u32
            } else {
                bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count() as u32
            };
            if self.i - open > MAX_STRING_BYTES + 1 {
                return Err(self.limit(
                    open_pos,
                    format!(
                        "a string longer than {} bytes (the string length limit in docs/limits.md)",
                        thousands(MAX_STRING_BYTES)
                    ),
                ));
            }
            // We stop only at ASCII bytes, so the run is whole UTF-8.
            let run = &self.text[start..self.i];
            match self.src.get(self.i) {
                Some(b'"') if first => {
                    self.bump();
                    return Ok(Cow::Borrowed(run));
                }
                Some(b'"') => {
                    out.push_str(run);
                    self.bump();
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    out.push_str(run);
                    first = false;
                    self.bump();
                    let c = match self.src.get(self.i) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.bump();
                            let at = self.pos();
                            let hi = self.hex4()?;
                            let code = match hi {
                                0xD800..=0xDBFF => {
                                    if self.src.get(self.i) != Some(&b'\\')
                                        || self.src.get(self.i + 1) != Some(&b'u')
                                    {
                                        return Err(JsonError {
                                            message: "lone leading surrogate in a \\u escape"
                                                .into(),
                                            pos: at,
                                            limit: false,
                                        });
                                    }
                                    self.bump();
                                    self.bump();
                                    let lo = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&lo) {
                                        return Err(JsonError {
                                            message: "invalid surrogate pair in a \\u escape"
                                                .into(),
                                            pos: at,
                                            limit: false,
                                        });
                                    }
                                    0x10000 + ((hi as u32 - 0xD800) << 10) + (lo as u32 - 0xDC00)
                                }
                                0xDC00..=0xDFFF => {
                                    return Err(JsonError {
                                        message: "lone trailing surrogate in a \\u escape".into(),
                                        pos: at,
                                        limit: false,
                                    })
                                }
                                _ => hi as u32,
                            };
                            out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                            continue;
                        }
                        _ => return Err(self.found("an escape character")),
                    };
                    self.bump();
                    out.push(c);
                }
                Some(_) => return Err(self.err("control character in a string (escape it)")),
                None => return Err(self.err("unterminated string")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while matches!(self.src.get(self.i), Some(b'0'..=b'9')) {
            self.bump();
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Kind<'a>, JsonError> {
        let start = self.i;
        if self.src.get(self.i) == Some(&b'-') {
            self.bump();
        }
        match self.src.get(self.i) {
            Some(b'0') => {
                self.bump();
                if matches!(self.src.get(self.i), Some(b'0'..=b'9')) {
                    return Err(self.err("leading zeros are not allowed in JSON numbers"));
                }
            }
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.found("a digit")),
        }
        if self.src.get(self.i) == Some(&b'.') {
            self.bump();
            if self.digits() == 0 {
                return Err(self.found("a digit after the decimal point"));
            }
        }
        if matches!(self.src.get(self.i), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.src.get(self.i), Some(b'+' | b'-')) {
                self.bump();
            }
            if self.digits() == 0 {
                return Err(self.found("a digit in the exponent"));
            }
        }
        Ok(Kind::Number(&self.text[start..self.i]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agree(text: &str) {
        let ours = parse(text);
        let theirs = serde_json::from_str::<serde_json::Value>(text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert_eq!(&a.to_serde(), b, "values differ for {text:?}"),
            (Err(_), Err(_)) => {}
            _ => panic!("accept/reject differs for {text:?}: ours {ours:?}, serde {theirs:?}"),
        }
    }

    #[test]
    fn agrees_with_serde_json_on_edge_cases() {
        for t in [
            "{}",
            "[]",
            " [1, 2.5, -0, -0.0e+1, 1E5, true, false, null] ",
            r#"{"a":"\u00e9\ud83d\ude00\n\"\\\/"}"#,
            r#"{"a":1,"a":2}"#,
            "[1,]",
            "{\"a\":1,}",
            "// c\n{}",
            "01",
            "1.",
            ".5",
            "-",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "\"a\tb\"",
            "\"\\x\"",
            "[1] x",
            "",
            "nul",
            "{\"a\" 1}",
            "[\"é\", \"日本\"]",
            "1e",
            "[-]",
        ] {
            agree(t);
        }
        for n in [MAX_DEPTH, MAX_DEPTH + 1] {
            agree(&format!("{}{}", "[".repeat(n), "]".repeat(n)));
            agree(&format!("{}1{}", "{\"a\":".repeat(n), "}".repeat(n)));
        }
        assert!(parse(&format!(
            "{}{}",
            "[".repeat(MAX_DEPTH),
            "]".repeat(MAX_DEPTH)
        ))
        .is_ok());
    }

    #[test]
    fn positions_of_keys_values_and_errors() {
        let text = "{\n  \"é\": \"x\",\r\n  \"k\" : [1, \"ab\"]\n}";
        let v = parse(text).unwrap();
        let m = v.as_object().unwrap();
        assert_eq!(m[0].key_pos, Pos { line: 2, column: 3 });
        assert_eq!(m[0].value.pos, Pos { line: 2, column: 8 });
        assert_eq!(m[1].key_pos, Pos { line: 3, column: 3 });
        let Kind::Array(items) = &m[1].value.kind else {
            panic!()
        };
        assert_eq!(
            items[1].pos,
            Pos {
                line: 3,
                column: 13
            }
        );
        let e = parse("{\n  \"a\": 1,\n}").unwrap_err();
        assert_eq!(e.pos, Pos { line: 3, column: 1 });
    }

    #[test]
    fn char_positions_inside_strings() {
        let text = r#"{"s": "a\u0042é\"8"}"#;
        let v = parse(text).unwrap();
        let s = v.get("s").unwrap();
        assert_eq!(s.as_str(), Some("aBé\"8"));
        let cols: Vec<u32> = (0..5)
            .map(|n| string_char_pos(text, s, n).unwrap().column)
            .collect();
        // "s" value quote at column 7: a=8, \u0042=9, é=15, \"=16, 8=18
        assert_eq!(cols, vec![8, 9, 15, 16, 18]);
        assert_eq!(string_char_pos(text, s, 5), None);
    }
}
