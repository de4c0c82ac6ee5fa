//! The legacy Entra CSV: `upn,serial number,secret key,time interval,manufacturer,model`.
//!
//! The `csv` crate does the parsing (quotes, CRLF, embedded line breaks); this module maps the
//! header, keeps every value as text (serial numbers keep their leading zeros) and works out
//! where each cell starts, which the `csv` crate does not report.

use csv::{ReaderBuilder, StringRecord};

use super::item::{Cursor, Field, Item, Name, StrLoc, Val};
use super::rules::codes;
use super::Unusable;
use crate::core::diag::{Diagnostic, Pos};
use crate::core::limits::{thousands, MAX_RECORDS, MAX_STRING_BYTES};
use crate::core::text::shorten;
use crate::core::Severity::{Error, Info, Warning};

/// The legacy header, for messages.
pub(crate) const LEGACY_HEADER: &str =
    "upn,serial number,secret key,time interval,manufacturer,model";

/// Maps a header cell to a Graph field: case, spaces, `_` and `-` are ignored, so
/// `time interval`, `timeinterval`, `Serial Number` and `serialNumber` all work. `upn` becomes
/// the assignment target; `hash function` is an extension (the legacy CSV has no hash column).
fn column_field(header: &str) -> Option<&'static str> {
    let n: String = header
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Some(match n.as_str() {
        "upn" | "userprincipalname" => "assignTo",
        "serialnumber" => "serialNumber",
        "secretkey" => "secretKey",
        "timeinterval" | "timeintervalinseconds" => "timeIntervalInSeconds",
        "manufacturer" => "manufacturer",
        "model" => "model",
        "hashfunction" => "hashFunction",
        _ => return None,
    })
}

struct Row {
    record: StringRecord,
    offset: usize,
}

/// A read CSV file: the rows are kept so items can borrow their cells.
pub(crate) struct Table {
    delimiter: u8,
    /// The file starts with Excel's `sep=X` line (skipped).
    sep_line: bool,
    header: Row,
    rows: Vec<Row>,
}

/// Excel's `sep=;` first line: the separator, and where the header starts.
fn sep_line(text: &str) -> Option<(u8, usize)> {
    let end = text.find('\n').unwrap_or(text.len());
    let line = text[..end].trim_end_matches('\r');
    let rest = line
        .get(..4)?
        .eq_ignore_ascii_case("sep=")
        .then(|| &line[4..])?;
    match rest.as_bytes() {
        [d] if !d.is_ascii_alphanumeric() && *d != b'"' => Some((*d, (end + 1).min(text.len()))),
        _ => None,
    }
}

/// `,` unless the first line has `;` (or a tab) and no `,` (spreadsheets in some locales).
fn delimiter(text: &str) -> u8 {
    let first = text.lines().next().unwrap_or("");
    if first.contains(',') {
        b','
    } else if first.contains(';') {
        b';'
    } else if first.contains('\t') {
        b'\t'
    } else {
        b','
    }
}

impl Table {
    /// Reads the rows. Fails when the first row is not a token CSV header.
    pub(crate) fn read(text: &str) -> Result<Table, Unusable> {
        let sep = sep_line(text);
        let start = sep.map_or(0, |(_, start)| start);
        let delimiter = sep.map_or_else(|| delimiter(&text[start..]), |(d, _)| d);
        let mut reader = ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .from_reader(&text.as_bytes()[start..]);
        let mut rows = Vec::new();
        for result in reader.records() {
            let record =
                result.map_err(|e| Unusable::new(format!("not a readable CSV file: {e}")))?;
            if rows.len() > MAX_RECORDS {
                return Err(super::too_many_records());
            }
            if record.iter().any(|c| c.len() > MAX_STRING_BYTES) {
                return Err(Unusable {
                    message: format!(
                        "over hwoath's limits: a cell longer than {} bytes (the string length limit in docs/limits.md)",
                        thousands(MAX_STRING_BYTES)
                    ),
                    line: record
                        .position()
                        .map(|p| p.line() as u32 + u32::from(sep.is_some())),
                    column: None,
                });
            }
            // After a `\r\n` the position can point at the `\n`: start at the first cell.
            let mut offset = start + record.position().map_or(0, |p| p.byte() as usize);
            while matches!(text.as_bytes().get(offset), Some(b'\r' | b'\n')) {
                offset += 1;
            }
            rows.push(Row { record, offset });
        }
        if rows.is_empty() {
            return Err(Unusable::new("the file is empty"));
        }
        // A spreadsheet's trailing separators: empty columns after the last named one.
        let named = rows[0]
            .record
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.trim().is_empty())
            .last()
            .map_or(0, |(i, _)| i + 1);
        rows[0].record.truncate(named);
        let header = rows.remove(0);
        let mapped: Vec<Option<&str>> = header.record.iter().map(column_field).collect();
        let has = |f: &str| mapped.contains(&Some(f));
        if !has("serialNumber") || !has("secretKey") {
            return Err(Unusable {
                message: format!(
                    "not a token file: neither JSON nor a CSV whose first line is the legacy header ({LEGACY_HEADER})"
                ),
                line: Some(1 + u32::from(sep.is_some())),
                column: Some(1),
            });
        }
        for (i, f) in mapped.iter().enumerate() {
            if let Some(f) = f {
                if let Some(j) = mapped[..i].iter().position(|g| g == &Some(*f)) {
                    return Err(Unusable {
                        message: format!(
                            "the CSV header has two columns for {f}: \"{}\" and \"{}\"",
                            shorten(&header.record[j]),
                            shorten(&header.record[i])
                        ),
                        line: Some(1),
                        column: None,
                    });
                }
            }
        }
        Ok(Table {
            delimiter,
            sep_line: sep.is_some(),
            header,
            rows,
        })
    }

    /// Header findings and one item per data row. Rows whose cells are all blank are not
    /// records (blank lines).
    pub(crate) fn items<'a>(
        &'a self,
        text: &str,
        hash_option_given: bool,
    ) -> (Vec<Item<'a>>, Vec<Diagnostic>) {
        let mut diagnostics = Vec::new();
        let mut cursor = Cursor::new();
        let header_cells = cell_starts(text, self.header.offset, self.delimiter);
        let columns: Vec<Option<&'static str>> =
            self.header.record.iter().map(column_field).collect();
        if self.sep_line {
            diagnostics.push(Diagnostic::new(
                Info,
                codes::CSV_SEP_LINE,
                None,
                None,
                Some(Pos { line: 1, column: 1 }),
                format!(
                    "the first line is Excel's \"sep={}\" separator hint; it was read and skipped",
                    self.delimiter as char
                ),
            ));
        }
        if self.delimiter != b',' {
            let pos = header_cells
                .get(1)
                .map(|&(off, _)| cursor.advance_to(text, off - 1));
            diagnostics.push(Diagnostic::new(
                Info,
                codes::CSV_SEPARATOR,
                None,
                None,
                pos,
                format!(
                    "the CSV is separated by {} (a spreadsheet's regional setting), not commas; it was read that way, and Entra's own CSV upload expects commas (normalisation writes JSON)",
                    if self.delimiter == b'\t' { "tabs".to_string() } else { format!("'{}'", self.delimiter as char) }
                ),
            ));
        }
        for (i, cell) in self.header.record.iter().enumerate() {
            let pos = header_cells
                .get(i)
                .map(|&(off, _)| cursor.advance_to(text, off));
            if let Some(d) = super::rules::hidden_name(
                "column",
                cell,
                pos.unwrap_or(Pos { line: 1, column: 1 }),
                None,
            ) {
                diagnostics.push(d);
            }
            if columns[i].is_none() {
                diagnostics.push(Diagnostic::new(
                    Warning,
                    codes::CSV_UNKNOWN_COLUMN,
                    None,
                    None,
                    pos,
                    format!(
                        "unknown column \"{}\" is ignored (expected {LEGACY_HEADER})",
                        shorten(cell)
                    ),
                ));
            }
        }
        if !columns.contains(&Some("hashFunction")) {
            let message = if hash_option_given {
                "the legacy CSV has no hash column; the hash function given as an option is used for every row"
            } else {
                "the legacy CSV has no hash column; every row gets Graph's default hmacsha1 (give the hash function as an option for SHA-256 tokens)"
            };
            diagnostics.push(Diagnostic::new(
                Info,
                codes::CSV_HASH,
                None,
                None,
                None,
                message,
            ));
        }
        if self.rows.is_empty() {
            diagnostics.push(Diagnostic::new(
                Warning,
                codes::NO_RECORDS,
                None,
                None,
                Some(Pos { line: 1, column: 1 }),
                "the file has no tokens",
            ));
        }
        let width = self.header.record.len();
        let mut trailing: Vec<usize> = Vec::new();
        if header_cells.len() > width {
            trailing.push(header_cells[width].0);
        }
        let mut items = Vec::with_capacity(self.rows.len());
        for row in &self.rows {
            if row.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let start = cursor.advance_to(text, row.offset);
            let blank_tail = row.record.len() > width
                && row.record.iter().skip(width).all(|c| c.trim().is_empty());
            if blank_tail && trailing.len() < 2 {
                if let Some(&(off, _)) = cell_starts(text, row.offset, self.delimiter).get(width) {
                    trailing.push(off);
                }
            }
            if row.record.len() != width && !blank_tail {
                items.push(Item {
                    start,
                    fields: Vec::new(),
                    broken: Some(Diagnostic::new(
                        Error,
                        codes::CSV_COLUMNS,
                        None,
                        None,
                        Some(start),
                        format!(
                            "the row has {} field(s) but the header has {width} column(s); the row is not read",
                            row.record.len()
                        ),
                    )),
                    csv: true,
                });
                continue;
            }
            let cells = cell_starts(text, row.offset, self.delimiter);
            let mut fields = Vec::with_capacity(width);
            for (i, value) in row.record.iter().take(width).enumerate() {
                let Some(field) = columns[i] else { continue };
                let (pos, loc) = match cells.get(i) {
                    Some(&(offset, quoted)) if cells.len() == row.record.len() => {
                        let pos = cursor.advance_to(text, offset);
                        (
                            pos,
                            StrLoc::Csv {
                                offset,
                                pos,
                                quoted,
                            },
                        )
                    }
                    _ => (start, StrLoc::None),
                };
                fields.push(Field {
                    key: &self.header.record[i],
                    name: Name::Known { field, exact: true },
                    key_pos: pos,
                    value: Val::Str(value),
                    pos,
                    loc,
                    member: None,
                });
            }
            items.push(Item {
                start,
                fields,
                broken: None,
                csv: true,
            });
        }
        if let Some(&first) = trailing.first() {
            let pos = cursor.advance_to(text, first.saturating_sub(1));
            diagnostics.push(Diagnostic::new(
                Info,
                codes::CSV_TRAILING_EMPTY,
                None,
                None,
                Some(pos),
                "empty fields after the last column (a spreadsheet's trailing separators) are ignored",
            ));
        }
        (items, diagnostics)
    }
}

/// Byte offset of each cell of the record starting at `start`, and whether it is quoted.
fn cell_starts(text: &str, start: usize, delimiter: u8) -> Vec<(usize, bool)> {
    let b = text.as_bytes();
    let mut i = start;
    let mut out = Vec::new();
    loop {
        let quoted = b.get(i) == Some(&b'"');
        out.push((i, quoted));
        if quoted {
            i += 1;
            while i < b.len() {
                if b[i] == b'"' {
                    if b.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < b.len() && b[i] != delimiter && b[i] != b'\n' && b[i] != b'\r' {
            i += 1;
        }
        if b.get(i) == Some(&delimiter) {
            i += 1;
            continue;
        }
        return out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_variants() {
        for h in [
            "time interval",
            "timeinterval",
            "Time_Interval",
            "timeIntervalInSeconds",
        ] {
            assert_eq!(column_field(h), Some("timeIntervalInSeconds"), "{h}");
        }
        assert_eq!(column_field("Serial Number"), Some("serialNumber"));
        assert_eq!(column_field("colour"), None);
    }

    #[test]
    fn cells_with_quotes() {
        let text = "a,\"b,\"\"c\nd\",e\r\nx";
        assert_eq!(
            cell_starts(text, 0, b','),
            vec![(0, false), (2, true), (12, false)]
        );
        assert_eq!(cell_starts(text, 15, b','), vec![(15, false)]);
    }
}
