//! The format-neutral shape both readers produce: records as lists of fields with positions.
//! The rules in `rules.rs` only see this, so JSON and CSV are checked by the same code.

use super::json::{self, Member};
use crate::core::diag::{Diagnostic, Pos};

/// What a key (JSON) or column (CSV) turned out to name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Name {
    /// A writable field, in Graph's spelling; `exact` is false when the input spelled it with a
    /// different case (e.g. `HashFunction`).
    Known { field: &'static str, exact: bool },
    /// A read-only field Graph returns but does not take on create.
    ReadOnly { field: &'static str, exact: bool },
    /// Anything else.
    Unknown,
}

/// Writable fields of a delta item, in Graph's spelling.
pub(crate) const FIELDS: [&str; 9] = [
    "@contentId",
    "serialNumber",
    "manufacturer",
    "model",
    "secretKey",
    "timeIntervalInSeconds",
    "hashFunction",
    "displayName",
    "assignTo",
];

/// Fields a listing has that an upload must not send.
pub(crate) const READ_ONLY: [&str; 4] = ["id", "status", "assignedTo", "lastUsedDateTime"];

impl Name {
    /// Resolves a JSON key: exact match first, then case-insensitive.
    pub(crate) fn of_key(key: &str) -> Name {
        if let Some(f) = FIELDS.iter().find(|f| **f == key) {
            return Name::Known {
                field: f,
                exact: true,
            };
        }
        if let Some(f) = READ_ONLY.iter().find(|f| **f == key) {
            return Name::ReadOnly {
                field: f,
                exact: true,
            };
        }
        if let Some(f) = FIELDS.iter().find(|f| f.eq_ignore_ascii_case(key)) {
            return Name::Known {
                field: f,
                exact: false,
            };
        }
        if let Some(f) = READ_ONLY.iter().find(|f| f.eq_ignore_ascii_case(key)) {
            return Name::ReadOnly {
                field: f,
                exact: false,
            };
        }
        Name::Unknown
    }
}

/// A field's value, borrowed from the input.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Val<'a> {
    Str(&'a str),
    /// A JSON number as written.
    Num(&'a str),
    Null,
    /// A boolean or an array: never a valid field value.
    Other(&'static str),
    Object(&'a [Member<'a>]),
}

impl Val<'_> {
    pub(crate) fn kind_name(&self) -> &'static str {
        match self {
            Val::Str(_) => "a string",
            Val::Num(_) => "a number",
            Val::Null => "null",
            Val::Other(k) => k,
            Val::Object(_) => "an object",
        }
    }

    pub(crate) fn of<'a>(v: &'a json::Value<'a>) -> Val<'a> {
        match &v.kind {
            json::Kind::String(s) => Val::Str(s.as_ref()),
            json::Kind::Number(n) => Val::Num(n),
            json::Kind::Null => Val::Null,
            json::Kind::Object(m) => Val::Object(m),
            k => Val::Other(match k {
                json::Kind::Bool(_) => "a boolean",
                _ => "an array",
            }),
        }
    }
}

/// Where a string value's characters are in the source, to place a secret's bad character.
#[derive(Clone, Copy, Debug)]
pub(crate) enum StrLoc {
    /// A JSON string literal whose opening quote is at this byte offset and position.
    Json {
        offset: usize,
        pos: Pos,
    },
    /// A CSV field starting at this byte offset and position; `quoted` when it starts with `"`.
    Csv {
        offset: usize,
        pos: Pos,
        quoted: bool,
    },
    None,
    /// A value the admin typed (see `edits.rs`): in no file, so its characters have no place.
    Typed,
}

impl StrLoc {
    /// True for a value the admin typed (see `edits.rs`).
    pub(crate) fn is_typed(&self) -> bool {
        matches!(self, StrLoc::Typed)
    }

    /// Position of the `n`-th character (0-based) of the unescaped value.
    pub(crate) fn char_pos(&self, text: &str, n: usize) -> Option<Pos> {
        match *self {
            StrLoc::Json { offset, pos } => json::string_char_pos_at(text, offset, pos, n),
            StrLoc::Csv {
                offset,
                pos,
                quoted,
            } => {
                let mut cur = Cursor::at(offset, pos);
                let bytes = text.as_bytes();
                let mut i = offset + usize::from(quoted);
                if quoted {
                    cur.advance_to(text, i);
                }
                let mut k = 0;
                while i < bytes.len() {
                    let b = bytes[i];
                    if quoted && b == b'"' {
                        if bytes.get(i + 1) != Some(&b'"') {
                            return None;
                        }
                    } else if !quoted && matches!(b, b',' | b';' | b'\n' | b'\r') {
                        return None;
                    }
                    let p = cur.advance_to(text, i);
                    if k == n {
                        return Some(p);
                    }
                    i += if quoted && b == b'"' {
                        2
                    } else {
                        json::utf8_width(b)
                    };
                    k += 1;
                }
                None
            }
            StrLoc::None | StrLoc::Typed => None,
        }
    }
}

/// One field of a record.
#[derive(Clone, Debug)]
pub(crate) struct Field<'a> {
    /// The key or column header as written.
    pub key: &'a str,
    pub name: Name,
    /// Position of the key (JSON) or of the value (CSV, which has no per-row keys).
    pub key_pos: Pos,
    pub value: Val<'a>,
    pub pos: Pos,
    pub loc: StrLoc,
    /// The JSON member this field was read from (`None` for a CSV cell): the rules look inside
    /// values they drop (nested objects, arrays) for hidden characters.
    pub member: Option<&'a Member<'a>>,
}

/// One input record before checking.
#[derive(Clone, Debug)]
pub(crate) struct Item<'a> {
    pub start: Pos,
    pub fields: Vec<Field<'a>>,
    /// A structural error that makes the record unusable as a whole (not an object, wrong
    /// number of CSV columns); no field is checked then.
    pub broken: Option<Diagnostic>,
    /// True for a CSV row: messages name columns rather than keys.
    pub csv: bool,
}

/// Converts byte offsets visited in increasing order to 1-based line:column in O(distance).
/// A step backwards restarts from the beginning (correct, just slower).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Cursor {
    offset: usize,
    pos: Pos,
}

impl Cursor {
    pub(crate) fn new() -> Cursor {
        Cursor::at(0, Pos { line: 1, column: 1 })
    }

    pub(crate) fn at(offset: usize, pos: Pos) -> Cursor {
        Cursor { offset, pos }
    }

    /// Position of byte `offset`; `\n` ends a line (a `\r` before it is a column like any
    /// other), and so does a lone `\r` (old Mac line ends).
    pub(crate) fn advance_to(&mut self, text: &str, offset: usize) -> Pos {
        if offset < self.offset {
            *self = Cursor::new();
        }
        let bytes = text.as_bytes();
        let end = offset.min(bytes.len());
        for i in self.offset.min(end)..end {
            let b = bytes[i];
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                self.pos.line += 1;
                self.pos.column = 1;
            } else if b & 0xC0 != 0x80 {
                self.pos.column += 1;
            }
        }
        self.offset = end.max(self.offset);
        self.pos
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_matches_line_index() {
        let text = "ab\r\né,x\n\"q\"\"z\"\r\rw";
        let idx = crate::core::diag::LineIndex::new(text);
        let mut c = Cursor::new();
        for off in 0..text.len() {
            if text.is_char_boundary(off) {
                assert_eq!(c.advance_to(text, off), idx.pos(text, off), "offset {off}");
            }
        }
        // backwards restarts
        assert_eq!(c.advance_to(text, 0), Pos { line: 1, column: 1 });
    }

    #[test]
    fn csv_char_positions() {
        let text = "a,\"x\"\"y\nz\",q";
        let loc = StrLoc::Csv {
            offset: 2,
            pos: Pos { line: 1, column: 3 },
            quoted: true,
        };
        // value x"y\nz: x=1:4, "=1:5 (two source chars), y=1:7, \n=1:8, z=2:1
        let got: Vec<Pos> = (0..5).map(|n| loc.char_pos(text, n).unwrap()).collect();
        assert_eq!(
            got.iter().map(|p| (p.line, p.column)).collect::<Vec<_>>(),
            vec![(1, 4), (1, 5), (1, 7), (1, 8), (2, 1)]
        );
        assert_eq!(loc.char_pos(text, 5), None);
        assert_eq!(
            Name::of_key("HashFunction"),
            Name::Known {
                field: "hashFunction",
                exact: false
            }
        );
        assert_eq!(
            Name::of_key("status"),
            Name::ReadOnly {
                field: "status",
                exact: true
            }
        );
        assert_eq!(Name::of_key("foo"), Name::Unknown);
    }
}
