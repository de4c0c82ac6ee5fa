//! Diagnostics: every finding has a stable code, a severity, the record, the field and a
//! position, and a message that never contains a secret. Codes are catalogued in `docs/rules.md`.

use serde::Serialize;

pub use super::secret::Severity;

impl Serialize for Severity {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// One finding about an input file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// Stable code, e.g. `HW201`; see `docs/rules.md`.
    pub code: &'static str,
    /// 0-based index of the record in input order, if the finding concerns one. Messages and
    /// the CLI's text count records from 1 (`record + 1`, the page's `#`).
    pub record: Option<usize>,
    /// Field in Graph's spelling (`serialNumber`, `secretKey`, …), if any.
    pub field: Option<&'static str>,
    /// 1-based line in the input.
    pub line: Option<u32>,
    /// 1-based column (in characters) in the input.
    pub column: Option<u32>,
    /// Plain-language message; never contains a secret.
    pub message: String,
}

/// A 1-based line:column position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

/// Maps byte offsets of a text to 1-based line:column (columns count characters).
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the line starts of `text`: `\n`, `\r\n` (one break) and a lone `\r` (old Mac
    /// files, Excel for Mac's CSV) each end a line.
    pub fn new(text: &str) -> LineIndex {
        let b = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(b.iter().enumerate().filter_map(|(i, &c)| {
            (c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n'))).then_some(i + 1)
        }));
        LineIndex { starts }
    }

    /// Position of byte `offset` in `text` (the same text given to [`LineIndex::new`]).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let end = offset.min(text.len());
        let column = text
            .get(start..end)
            .map_or(end - start, |s| s.chars().count())
            + 1;
        Pos {
            line: line as u32 + 1,
            column: column as u32,
        }
    }
}

impl Diagnostic {
    /// Builds a diagnostic.
    pub fn new(
        severity: Severity,
        code: &'static str,
        record: Option<usize>,
        field: Option<&'static str>,
        pos: Option<Pos>,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            severity,
            code,
            record,
            field,
            line: pos.map(|p| p.line),
            column: pos.map(|p| p.column),
            message: message.into(),
        }
    }

    /// `line:column` or empty.
    pub fn location(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{l}:{c}"),
            (Some(l), None) => l.to_string(),
            _ => String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_counts_chars() {
        let text = "ab\r\n\u{e9}x\ny\rz";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(text, 0), Pos { line: 1, column: 1 });
        assert_eq!(idx.pos(text, 4), Pos { line: 2, column: 1 });
        // 'x' after the two-byte é is column 2
        assert_eq!(idx.pos(text, 6), Pos { line: 2, column: 2 });
        assert_eq!(idx.pos(text, 8), Pos { line: 3, column: 1 });
        // a lone carriage return ends a line too
        assert_eq!(idx.pos(text, 10), Pos { line: 4, column: 1 });
    }
}
