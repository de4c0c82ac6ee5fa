//! The validation rules: per record ([`check`]) and across records ([`cross_check`]).
//! Every code is catalogued in `docs/rules.md`; messages never contain a secret.

use std::collections::HashMap as StdMap;

/// A map on the fast hasher (see Cargo.toml).
type HashMap<K, V> = StdMap<K, V, foldhash::fast::FixedState>;

use super::edits::RecordEdit;
use super::item::{Field, Item, Name, StrLoc, Val, FIELDS};
use super::Record;
use crate::core::diag::{Diagnostic, Pos};
use crate::core::otp::HashAlg;
use crate::core::secret::{Secret, SecretIssue};
use crate::core::text::{breaks_text, invisible, is_plain, needs_escape, shorten};
use crate::core::token::{GraphHash, ListedDevice, Token};
use crate::core::tokenfile::json::{self, Kind};
use crate::core::Severity::{self, Error, Info, Warning};

/// The stable codes (see `docs/rules.md`).
pub mod codes {
    /// `@context` missing or not `#$delta`.
    pub const CONTEXT: &str = "HW001";
    /// A bare array, wrapped.
    pub const BARE_ARRAY: &str = "HW002";
    /// A single token object, wrapped.
    pub const SINGLE_OBJECT: &str = "HW003";
    /// A record that is not an object.
    pub const NOT_OBJECT: &str = "HW004";
    /// An unexpected top-level key in a delta body.
    pub const TOP_LEVEL_KEY: &str = "HW005";
    /// A file without records.
    pub const NO_RECORDS: &str = "HW006";
    /// A CSV row whose number of fields differs from the header.
    pub const CSV_COLUMNS: &str = "HW010";
    /// An unknown CSV column.
    pub const CSV_UNKNOWN_COLUMN: &str = "HW011";
    /// The legacy CSV has no hash column: the default or the option is used.
    pub const CSV_HASH: &str = "HW012";
    /// The CSV is separated by `;` or tabs (a spreadsheet's locale), not `,`.
    pub const CSV_SEPARATOR: &str = "HW013";
    /// Excel's `sep=;` first line, read and skipped.
    pub const CSV_SEP_LINE: &str = "HW014";
    /// Rows with empty fields after the last column (trailing separators), ignored.
    pub const CSV_TRAILING_EMPTY: &str = "HW015";
    /// A required field is missing or null.
    pub const MISSING: &str = "HW101";
    /// A field has the wrong JSON type.
    pub const WRONG_TYPE: &str = "HW102";
    /// A required text field is empty.
    pub const EMPTY: &str = "HW103";
    /// Leading or trailing whitespace, trimmed.
    pub const WHITESPACE: &str = "HW104";
    /// A key spelled with a different case (`HashFunction`).
    pub const KEY_CASE: &str = "HW105";
    /// A read-only field (`id`, `status`, `assignedTo`, `lastUsedDateTime`).
    pub const READ_ONLY: &str = "HW106";
    /// An unknown field.
    pub const UNKNOWN_FIELD: &str = "HW107";
    /// The same field twice in one record.
    pub const DUPLICATE_FIELD: &str = "HW108";
    /// An invisible or control character inside serialNumber, manufacturer or model.
    pub const INVISIBLE: &str = "HW109";
    /// A control character, text-direction control or line separator in displayName or
    /// @contentId: it changes how the text around it is shown.
    pub const SHOWN_CONTROL: &str = "HW115";
    /// Another invisible character in displayName or @contentId.
    pub const SHOWN_INVISIBLE: &str = "HW116";
    /// An invisible or control character in a key, a CSV column name or a value that is
    /// dropped (unknown and read-only fields).
    pub const HIDDEN_IN_NAME: &str = "HW117";
    /// A serial number with a non-ASCII character (a look-alike digit or letter).
    pub const SERIAL_NON_ASCII: &str = "HW112";
    /// A serial number in scientific notation (`1.23457E+11`, from a spreadsheet).
    pub const SERIAL_SCIENTIFIC: &str = "HW113";
    /// A spreadsheet formula (`=…`) where a value belongs.
    pub const FORMULA: &str = "HW114";
    /// `timeIntervalInSeconds` not 30 or 60.
    pub const INTERVAL: &str = "HW110";
    /// `timeIntervalInSeconds` given as a string or a decimal: written as an integer.
    pub const INTERVAL_FORM: &str = "HW111";
    /// `hashFunction` not accepted (hmacsha512, anything else).
    pub const HASH: &str = "HW120";
    /// `hashFunction` missing: Graph's default (or the option) applies.
    pub const HASH_DEFAULT: &str = "HW121";
    /// `hashFunction` in another case: written in lower case.
    pub const HASH_CASE: &str = "HW122";
    /// `hashFunction` in another spelling (`SHA-256`): written as Graph's name.
    pub const HASH_SPELLING: &str = "HW123";
    /// `assignTo.id` (or the CSV upn) is not a user object id.
    pub const ASSIGN_ID: &str = "HW130";
    /// A character outside the base32 alphabet.
    pub const SECRET_CHARACTER: &str = "HW201";
    /// The digit 0, 1 or 8 (a misread O, I/L or B).
    pub const SECRET_CONFUSABLE: &str = "HW202";
    /// `=` before the end.
    pub const SECRET_PADDING_MISPLACED: &str = "HW203";
    /// Nothing left after removing separators.
    pub const SECRET_EMPTY: &str = "HW204";
    /// More than 128 base32 characters.
    pub const SECRET_TOO_LONG: &str = "HW205";
    /// A length no base32 encoder produces.
    pub const SECRET_LENGTH: &str = "HW206";
    /// Non-zero unused trailing bits.
    pub const SECRET_BITS: &str = "HW207";
    /// Fewer than 16 bytes.
    pub const SECRET_SHORT: &str = "HW208";
    /// Lower case, upper-cased.
    pub const SECRET_LOWER: &str = "HW210";
    /// Whitespace removed.
    pub const SECRET_WHITESPACE: &str = "HW211";
    /// `-` separators removed.
    pub const SECRET_HYPHEN: &str = "HW212";
    /// `=` padding removed.
    pub const SECRET_PADDING: &str = "HW213";
    /// Duplicate serial number.
    pub const DUPLICATE_SERIAL: &str = "HW301";
    /// Duplicate secret key (same decoded bytes).
    pub const DUPLICATE_SECRET: &str = "HW302";
    /// Equivalent secret keys (differ only by trailing zero bytes).
    pub const EQUIVALENT_SECRET: &str = "HW303";
    /// Two serial numbers that differ only by leading zeros (a spreadsheet may have dropped them).
    pub const SERIAL_LEADING_ZEROS: &str = "HW307";
    /// `@contentId` missing.
    pub const CONTENT_ID_MISSING: &str = "HW304";
    /// `@contentId` duplicated.
    pub const CONTENT_ID_DUPLICATE: &str = "HW305";
    /// `@contentId` not a string.
    pub const CONTENT_ID_TYPE: &str = "HW306";
    /// The tenant already holds this serial number (listing).
    pub const LISTED_SERIAL: &str = "HW401";

    /// The code of a secret finding.
    pub fn secret(kind: crate::core::secret::SecretIssueKind) -> &'static str {
        use crate::core::secret::SecretIssueKind::*;
        match kind {
            InvalidCharacter => SECRET_CHARACTER,
            Confusable => SECRET_CONFUSABLE,
            MisplacedPadding => SECRET_PADDING_MISPLACED,
            Empty => SECRET_EMPTY,
            NonCanonicalLength => SECRET_LENGTH,
            NonCanonicalBits => SECRET_BITS,
            ShortKey => SECRET_SHORT,
            LowerCase => SECRET_LOWER,
            Whitespace => SECRET_WHITESPACE,
            Hyphen => SECRET_HYPHEN,
            Padding => SECRET_PADDING,
        }
    }
}

/// Longest secret Entra accepts, in base32 characters (legacy CSV rule).
pub const MAX_SECRET_CHARS: usize = 128;

/// Options the rules need.
pub(crate) struct Ctx {
    /// Hash for records that state none; `None` = Graph's default.
    pub hash: Option<GraphHash>,
}

/// Positions of the fields the cross-record rules point at.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Spots {
    pub serial: Option<Pos>,
    pub secret: Option<Pos>,
    pub content_id: Option<Pos>,
}

struct Out<'o> {
    index: usize,
    diags: &'o mut Vec<Diagnostic>,
    errors: usize,
}

impl Out<'_> {
    fn push(
        &mut self,
        severity: Severity,
        code: &'static str,
        field: Option<&'static str>,
        pos: Pos,
        message: impl Into<String>,
    ) {
        if severity == Error {
            self.errors += 1;
        }
        self.diags.push(Diagnostic::new(
            severity,
            code,
            Some(self.index),
            field,
            Some(pos),
            message,
        ));
    }
}

/// How a field is named in messages: Graph's name, and the column for CSV.
fn label(field: &'static str, f: Option<&Field>, csv: bool) -> String {
    match f {
        Some(f) if csv => format!("{field} (column \"{}\")", shorten(f.key)),
        _ => field.to_string(),
    }
}

/// Checks one record; pushes its findings to `diags` and returns it with the positions the
/// cross-record rules need. Values typed in `edit` replace the item's (see `edits.rs`).
pub(crate) fn check(
    text: &str,
    item: &Item,
    index: usize,
    file: usize,
    ctx: &Ctx,
    diags: &mut Vec<Diagnostic>,
    edit: Option<&RecordEdit>,
) -> (Record, Spots) {
    let mut record = Record {
        index,
        file,
        token: None,
        serial_number: None,
        manufacturer: None,
        model: None,
        hash_function: None,
        time_interval: None,
        unusable_hash: None,
        unusable_interval: None,
        display_name: None,
        assign_to: None,
        secret: None,
        content_id: None,
        line: Some(item.start.line),
        column: Some(item.start.column),
        removed: false,
    };
    let mut spots = Spots::default();
    if let Some(broken) = &item.broken {
        let mut d = broken.clone();
        d.record = Some(index);
        diags.push(d);
        return (record, spots);
    }
    let mut out = Out {
        index,
        diags,
        errors: 0,
    };
    let csv = item.csv;
    let typed_here = |field: &str| edit.is_some_and(|e| e.value(field).is_some());

    // Resolve keys: one slot per writable field, first occurrence wins.
    let mut slots: [Option<&Field>; FIELDS.len()] = [None; FIELDS.len()];
    for f in &item.fields {
        // CSV column names are checked once, with the header.
        if !csv {
            if let Some(d) = hidden_name("key", f.key, f.key_pos, Some(index)) {
                out.diags.push(d);
            }
        }
        if matches!(f.name, Name::Unknown | Name::ReadOnly { .. }) {
            if let Some(m) = f.member {
                hidden_in_dropped(text, &m.key, &m.value, f.name, &mut out);
            }
        }
        match f.name {
            Name::Unknown => out.push(
                Warning,
                codes::UNKNOWN_FIELD,
                None,
                f.key_pos,
                format!(
                    "unknown field \"{}\" is dropped on normalisation",
                    shorten(f.key)
                ),
            ),
            Name::ReadOnly { field, .. } => out.push(
                Warning,
                codes::READ_ONLY,
                Some(field),
                f.key_pos,
                format!(
                    "\"{}\" is read-only (Graph sets it) and is not sent on create; it is dropped on normalisation",
                    shorten(f.key)
                ),
            ),
            // A typed value replaces the field: how the file spelled or repeated it is moot.
            Name::Known { field, .. } if typed_here(field) => {
                let slot = FIELDS.iter().position(|x| *x == field).unwrap_or(0);
                slots[slot] = slots[slot].or(Some(f));
            }
            Name::Known { field, exact } => {
                let slot = FIELDS.iter().position(|x| *x == field).unwrap_or(0);
                if let Some(first) = slots[slot] {
                    out.push(
                        Error,
                        codes::DUPLICATE_FIELD,
                        Some(field),
                        f.key_pos,
                        format!(
                            "{field} is given twice in this record (first as \"{}\" at {}:{}); which one counts is ambiguous",
                            shorten(first.key),
                            first.key_pos.line,
                            first.key_pos.column
                        ),
                    );
                    continue;
                }
                if !exact {
                    out.push(
                        Warning,
                        codes::KEY_CASE,
                        Some(field),
                        f.key_pos,
                        format!(
                            "key \"{}\" should be spelled \"{field}\": Graph property names are case-sensitive, so Graph may ignore it (written as \"{field}\" on normalisation)",
                            shorten(f.key)
                        ),
                    );
                }
                slots[slot] = Some(f);
            }
        }
    }
    // Typed values, placed where the field they replace was (or at the record's start).
    let typed: Vec<Field> = edit
        .into_iter()
        .flat_map(RecordEdit::values)
        .map(|(field, value)| {
            let was = slots[FIELDS.iter().position(|x| *x == field).unwrap_or(0)];
            Field {
                key: field,
                name: Name::Known { field, exact: true },
                key_pos: was.map_or(item.start, |f| f.key_pos),
                value: value.val(),
                pos: was.map_or(item.start, |f| f.pos),
                loc: StrLoc::Typed,
                member: None,
            }
        })
        .collect();
    for f in &typed {
        slots[FIELDS.iter().position(|x| *x == f.key).unwrap_or(0)] = Some(f);
    }
    let get = |name: &str| slots[FIELDS.iter().position(|x| *x == name).unwrap_or(0)];

    let content_id = if csv {
        None
    } else {
        content_id(text, get("@contentId"), item.start, &mut out, &mut spots)
    };
    let serial = required_text(text, "serialNumber", get("serialNumber"), item, &mut out);
    spots.serial = get("serialNumber").map(|f| f.pos);
    let manufacturer = required_text(text, "manufacturer", get("manufacturer"), item, &mut out);
    let model = required_text(text, "model", get("model"), item, &mut out);
    let secret = secret_key(text, get("secretKey"), item, &mut out);
    spots.secret = get("secretKey").map(|f| f.pos);
    let interval = interval(get("timeIntervalInSeconds"), item, &mut out);
    let hash = hash_function(get("hashFunction"), item, ctx, &mut out);
    let display_name = display_name(text, get("displayName"), &mut out);
    let assign_to = assign_to(text, get("assignTo"), csv, &mut out);
    if let Some(Val::Object(members)) = get("assignTo").map(|f| f.value) {
        // Only `id` is read; anything else in the object is dropped.
        for m in members.iter().filter(|m| m.key != "id") {
            if let Some(d) = hidden_name("key", &m.key, m.key_pos, Some(index)) {
                out.diags.push(d);
            } else {
                hidden_in_dropped(text, &m.key, &m.value, Name::Unknown, &mut out);
            }
        }
    }
    // What an unusable hash or period was, for the report's mix.
    let as_written = |f: Option<&Field>| match f.map(|f| f.value) {
        Some(Val::Str(s)) => Some(s.trim().to_string()),
        Some(Val::Num(raw)) => Some(raw.to_string()),
        _ => None,
    };
    if hash.is_none() {
        record.unusable_hash = as_written(get("hashFunction"));
    }
    if interval.is_none() {
        record.unusable_interval = as_written(get("timeIntervalInSeconds"));
    }
    // As read, even when it is flagged: the table shows it (escaped) so it can be fixed.
    record.display_name = match get("displayName").map(|f| f.value) {
        Some(Val::Str(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        _ => None,
    };
    record.assign_to.clone_from(&assign_to);

    let ok = out.errors == 0;
    record.content_id = content_id;
    record.serial_number = serial;
    record.manufacturer = manufacturer;
    record.model = model;
    record.secret = secret;
    record.time_interval = interval;
    record.hash_function = hash;
    if ok {
        if let (Some(s), Some(ma), Some(mo), Some(k), Some(t), Some(h)) = (
            &record.serial_number,
            &record.manufacturer,
            &record.model,
            &record.secret,
            interval,
            hash,
        ) {
            record.token = Some(Token {
                serial_number: s.clone(),
                manufacturer: ma.clone(),
                model: mo.clone(),
                secret: k.clone(),
                time_interval: t,
                hash_function: h.into(),
                display_name,
                assign_to,
            });
        }
    }
    (record, spots)
}

fn missing(field: &'static str, f: Option<&Field>, item: &Item, out: &mut Out) {
    let (pos, message) = match f {
        Some(f) => (f.pos, format!("{field} is null")),
        None if item.csv => (
            item.start,
            format!("{field} is missing: the CSV has no column for it"),
        ),
        None => (item.start, format!("{field} is missing")),
    };
    out.push(Error, codes::MISSING, Some(field), pos, message);
}

fn required_text(
    text: &str,
    field: &'static str,
    f: Option<&Field>,
    item: &Item,
    out: &mut Out,
) -> Option<String> {
    let Some(fd) = f else {
        missing(field, None, item, out);
        return None;
    };
    match fd.value {
        Val::Null => {
            missing(field, f, item, out);
            None
        }
        Val::Str(s) => {
            let t = s.trim();
            if t.is_empty() {
                out.push(
                    Error,
                    codes::EMPTY,
                    Some(field),
                    fd.pos,
                    format!("{} is empty", label(field, f, item.csv)),
                );
                return None;
            }
            if t.len() != s.len() {
                out.push(
                    Warning,
                    codes::WHITESPACE,
                    Some(field),
                    fd.pos,
                    format!(
                        "{} has leading or trailing whitespace (trimmed on normalisation)",
                        label(field, f, item.csv)
                    ),
                );
            }
            if !text_looks_right(text, field, fd, s, t, item.csv, out) {
                return None;
            }
            Some(t.to_string())
        }
        Val::Num(_) if field == "serialNumber" => {
            out.push(
                Error,
                codes::WRONG_TYPE,
                Some(field),
                fd.pos,
                "serialNumber must be a string, not a number: quote it (\"…\") so leading zeros and long serials survive",
            );
            None
        }
        v => {
            out.push(
                Error,
                codes::WRONG_TYPE,
                Some(field),
                fd.pos,
                format!("{field} must be a string, found {}", v.kind_name()),
            );
            None
        }
    }
}

/// A character that looks like an ASCII digit or letter but is not one: other scripts' digits,
/// full-width forms, Cyrillic and Greek capitals and small letters shaped like Latin ones.
fn look_alike(c: char) -> bool {
    // Every character below is outside ASCII: nearly every serial's characters are answered here.
    if c.is_ascii() {
        return false;
    }
    c.is_numeric()
        || ('\u{ff01}'..='\u{ff5e}').contains(&c)
        || "АВЕКМНОРСТУХаеорсухІіЈјЅѕԁΑΒΕΖΗΙΚΜΝΟΡΤΥΧοι".contains(c)
}

/// True for `1.23457E+11`: how a spreadsheet shows (and then saves) a long number.
fn scientific(t: &str) -> bool {
    let Some((mantissa, exp)) = t.split_once(['e', 'E']) else {
        return false;
    };
    // `1.23457E+11`, or `1,23457E+11` from a locale with a decimal comma.
    let (int, frac) = mantissa.split_once(['.', ',']).unwrap_or((mantissa, "0"));
    let exp = exp.strip_prefix('+').unwrap_or(exp);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(int) && digits(frac) && digits(exp)
}

/// Rules for a text field's characters (HW109, HW112, HW113, HW114). `raw` is the value as read
/// (positions count in it), `t` the trimmed value. False when the value is unusable.
fn text_looks_right(
    text: &str,
    field: &'static str,
    fd: &Field,
    raw: &str,
    t: &str,
    csv: bool,
    out: &mut Out,
) -> bool {
    let at = |n: usize| fd.loc.char_pos(text, n).unwrap_or(fd.pos);
    // Printable ASCII (nearly every value) holds no invisible or look-alike character.
    let plain = is_plain(t);
    let lead = raw.chars().count() - raw.trim_start().chars().count();
    let hidden = if plain {
        None
    } else {
        t.chars()
            .enumerate()
            .find_map(|(n, c)| invisible(c).map(|w| (n + lead, c, w)))
    };
    if let Some((n, c, what)) = hidden {
        out.push(
            Error,
            codes::INVISIBLE,
            Some(field),
            at(n),
            format!(
                "{} has an invisible character, U+{:04X} ({what}), at position {}: it would become part of the value without being seen; retype the value",
                label(field, Some(fd), csv),
                c as u32,
                n + 1
            ),
        );
        return false;
    }
    if t.starts_with('=') {
        out.push(
            Error,
            codes::FORMULA,
            Some(field),
            fd.pos,
            format!(
                "{} \"{}\" is a spreadsheet formula, not a value: export the values (or type the text without '=')",
                label(field, Some(fd), csv),
                shorten(t)
            ),
        );
        return false;
    }
    if field != "serialNumber" {
        return true;
    }
    if scientific(t) {
        out.push(
            Error,
            codes::SERIAL_SCIENTIFIC,
            Some(field),
            fd.pos,
            format!(
                "{} \"{}\" is a number a spreadsheet rewrote in scientific notation, so digits of the serial are lost: format the column as text and export again",
                label(field, Some(fd), csv),
                shorten(t)
            ),
        );
        return false;
    }
    let similar = if plain {
        None
    } else {
        t.chars().enumerate().find(|&(_, c)| look_alike(c))
    };
    if let Some((n, c)) = similar {
        out.push(
            Warning,
            codes::SERIAL_NON_ASCII,
            Some(field),
            at(n + lead),
            format!(
                "{} has '{c}' (U+{:04X}) at position {}, which looks like an ASCII digit or letter but is not one (a full-width digit, a Cyrillic or Greek letter): the serial differs from the one printed on the device; retype it",
                label(field, Some(fd), csv),
                c as u32,
                n + lead + 1
            ),
        );
    }
    true
}

fn secret_issue(text: &str, f: &Field, issue: &SecretIssue, out: &mut Out) {
    let pos = issue
        .positions
        .first()
        .and_then(|&p| f.loc.char_pos(text, p))
        .unwrap_or(f.pos);
    out.push(
        issue.severity(),
        codes::secret(issue.kind),
        Some("secretKey"),
        pos,
        // The diagnostic names the field; the finding's own text says what is wrong.
        issue.message.clone(),
    );
}

fn secret_key(text: &str, f: Option<&Field>, item: &Item, out: &mut Out) -> Option<Secret> {
    let Some(fd) = f else {
        missing("secretKey", None, item, out);
        return None;
    };
    let s = match fd.value {
        Val::Str(s) => s,
        Val::Null => {
            missing("secretKey", f, item, out);
            return None;
        }
        v => {
            out.push(
                Error,
                codes::WRONG_TYPE,
                Some("secretKey"),
                fd.pos,
                format!("secretKey must be a base32 string, found {}", v.kind_name()),
            );
            return None;
        }
    };
    match Secret::parse(s) {
        Err(e) => {
            for issue in &e.issues {
                secret_issue(text, fd, issue, out);
            }
            None
        }
        Ok(parsed) => {
            for issue in &parsed.issues {
                secret_issue(text, fd, issue, out);
            }
            let chars = parsed.secret.base32_len();
            if chars > MAX_SECRET_CHARS {
                out.push(
                    Error,
                    codes::SECRET_TOO_LONG,
                    Some("secretKey"),
                    fd.pos,
                    format!(
                        "secretKey is {chars} base32 characters ({} bytes); Entra accepts at most {MAX_SECRET_CHARS}",
                        parsed.secret.len()
                    ),
                );
            }
            // Whatever else is wrong with the record, the key is known (for a live code).
            Some(parsed.secret)
        }
    }
}

fn interval(f: Option<&Field>, item: &Item, out: &mut Out) -> Option<u64> {
    const FIELD: &str = "timeIntervalInSeconds";
    let Some(fd) = f else {
        missing(FIELD, None, item, out);
        return None;
    };
    let bad = |out: &mut Out, found: String| {
        out.push(
            Error,
            codes::INTERVAL,
            Some(FIELD),
            fd.pos,
            format!("{FIELD} must be 30 or 60, found {found}"),
        );
        None
    };
    match fd.value {
        Val::Null => {
            missing(FIELD, f, item, out);
            None
        }
        Val::Num(raw) => match raw {
            "30" => Some(30),
            "60" => Some(60),
            _ => match raw.parse::<f64>() {
                Ok(v) if v == 30.0 || v == 60.0 => {
                    out.push(
                        Info,
                        codes::INTERVAL_FORM,
                        Some(FIELD),
                        fd.pos,
                        format!("{FIELD} {raw} is written as the integer {v}"),
                    );
                    Some(v as u64)
                }
                _ => bad(out, shorten(raw)),
            },
        },
        Val::Str(s) => match s.trim() {
            t @ ("30" | "60") => {
                if !item.csv && !fd.loc.is_typed() {
                    out.push(
                        Info,
                        codes::INTERVAL_FORM,
                        Some(FIELD),
                        fd.pos,
                        format!("{FIELD} is the string \"{t}\"; it is written as the integer {t}"),
                    );
                }
                t.parse().ok()
            }
            "" if item.csv => {
                out.push(
                    Error,
                    codes::EMPTY,
                    Some(FIELD),
                    fd.pos,
                    format!("{} is empty", label(FIELD, f, true)),
                );
                None
            }
            _ => bad(out, format!("\"{}\"", shorten(s))),
        },
        v => bad(out, v.kind_name().to_string()),
    }
}

fn hash_function(f: Option<&Field>, item: &Item, ctx: &Ctx, out: &mut Out) -> Option<GraphHash> {
    const FIELD: &str = "hashFunction";
    let default = ctx.hash.unwrap_or_default();
    let defaulted = |out: &mut Out, pos: Pos, what: &str| {
        if !item.csv {
            let whose = if ctx.hash.is_some() {
                "the hash function given as an option"
            } else {
                "Graph's default"
            };
            out.push(
                Info,
                codes::HASH_DEFAULT,
                Some(FIELD),
                pos,
                format!(
                    "{FIELD} is {what}; {whose}, {}, is used",
                    default.graph_name()
                ),
            );
        }
        Some(default)
    };
    let Some(fd) = f else {
        return defaulted(out, item.start, "missing");
    };
    match fd.value {
        Val::Null => defaulted(out, fd.pos, "null"),
        Val::Str(s) => {
            let t = s.trim();
            if t.is_empty() && item.csv {
                return Some(default);
            }
            let exact = GraphHash::from_graph_name(s);
            if exact.is_some() {
                return exact;
            }
            let parsed = HashAlg::parse(t).map(GraphHash::try_from);
            match parsed {
                Some(Ok(h)) => {
                    let (code, sev, why) = if t.eq_ignore_ascii_case(h.graph_name()) {
                        (codes::HASH_CASE, Info, "is not in lower case")
                    } else {
                        (codes::HASH_SPELLING, Warning, "is not Graph's spelling")
                    };
                    out.push(
                        sev,
                        code,
                        Some(FIELD),
                        fd.pos,
                        format!(
                            "{FIELD} \"{}\" {why}; it is written as \"{}\"",
                            shorten(s),
                            h.graph_name()
                        ),
                    );
                    Some(h)
                }
                Some(Err(_sha512)) => {
                    out.push(
                        Error,
                        codes::HASH,
                        Some(FIELD),
                        fd.pos,
                        format!(
                            "{FIELD} \"{}\": Entra accepts only hmacsha1 and hmacsha256, not SHA-512",
                            shorten(s)
                        ),
                    );
                    None
                }
                None => {
                    out.push(
                        Error,
                        codes::HASH,
                        Some(FIELD),
                        fd.pos,
                        format!("{FIELD} \"{}\" is not hmacsha1 or hmacsha256", shorten(s)),
                    );
                    None
                }
            }
        }
        v => {
            out.push(
                Error,
                codes::WRONG_TYPE,
                Some(FIELD),
                fd.pos,
                format!(
                    "{FIELD} must be the string \"hmacsha1\" or \"hmacsha256\", found {}",
                    v.kind_name()
                ),
            );
            None
        }
    }
}

fn content_id(
    text: &str,
    f: Option<&Field>,
    start: Pos,
    out: &mut Out,
    spots: &mut Spots,
) -> Option<String> {
    const FIELD: &str = "@contentId";
    let Some(fd) = f else {
        out.push(
            Warning,
            codes::CONTENT_ID_MISSING,
            Some(FIELD),
            start,
            "@contentId is missing (records are numbered \"1\"..\"n\" on normalisation)",
        );
        return None;
    };
    spots.content_id = Some(fd.pos);
    match fd.value {
        Val::Str(s) => {
            shown_text(text, FIELD, fd, s, 0, out);
            Some(s.to_string())
        }
        Val::Num(raw) => {
            out.push(
                Warning,
                codes::CONTENT_ID_TYPE,
                Some(FIELD),
                fd.pos,
                format!("@contentId {} is a number; Graph's examples use strings (written as a string on normalisation)", shorten(raw)),
            );
            Some(raw.to_string())
        }
        v => {
            out.push(
                Warning,
                codes::CONTENT_ID_TYPE,
                Some(FIELD),
                fd.pos,
                format!(
                    "@contentId is {}, not a string (renumbered on normalisation)",
                    v.kind_name()
                ),
            );
            None
        }
    }
}

fn display_name(text: &str, f: Option<&Field>, out: &mut Out) -> Option<String> {
    let fd = f?;
    match fd.value {
        Val::Null => None,
        Val::Str(s) => {
            // Leading and trailing whitespace is trimmed on normalisation: only the rest counts.
            let t = s.trim();
            let lead = s.chars().count() - s.trim_start().chars().count();
            if !shown_text(text, "displayName", fd, t, lead, out) {
                return None;
            }
            Some(t.to_string()).filter(|s| !s.is_empty())
        }
        v => {
            out.push(
                Error,
                codes::WRONG_TYPE,
                Some("displayName"),
                fd.pos,
                format!("displayName must be a string, found {}", v.kind_name()),
            );
            None
        }
    }
}

/// HW115 and HW116: characters in a text that is kept as it is and shown to people
/// (`displayName` reaches Entra and the end-user sheet; `@contentId` comes back in Graph's
/// answer and in messages). A control character, a text-direction control or a line separator
/// changes how the text around it is shown: an error. Another invisible character: a warning.
/// `t` is the part of the value that is kept, starting `lead` characters into it. False on an
/// error.
fn shown_text(
    text: &str,
    field: &'static str,
    fd: &Field,
    t: &str,
    lead: usize,
    out: &mut Out,
) -> bool {
    if is_plain(t) {
        return true;
    }
    let at = |n: usize| fd.loc.char_pos(text, n).unwrap_or(fd.pos);
    let name = |c: char| invisible(c).unwrap_or("invisible character");
    if let Some((n, c)) = t.chars().enumerate().find(|&(_, c)| breaks_text(c)) {
        let effect = if field == "displayName" {
            "it would reach Entra as part of the name and change how the text around it is shown (reversed or broken on the end-user sheet and in the portal); retype the name"
        } else {
            "it changes how the text around it is shown wherever the id is repeated (Graph's answer, messages); use plain text such as \"1\""
        };
        out.push(
            Error,
            codes::SHOWN_CONTROL,
            Some(field),
            at(n + lead),
            format!(
                "{field} has U+{:04X} ({}) at position {}: {effect}",
                c as u32,
                name(c),
                n + lead + 1
            ),
        );
        return false;
    }
    if let Some((n, c)) = t.chars().enumerate().find(|&(_, c)| needs_escape(c)) {
        let kept = if field == "displayName" {
            "kept as it is"
        } else {
            "renumbered on normalisation"
        };
        out.push(
            Warning,
            codes::SHOWN_INVISIBLE,
            Some(field),
            at(n + lead),
            format!(
                "{field} has U+{:04X} ({}) at position {}, which cannot be seen: the text is not what it looks like; check it ({kept})",
                c as u32,
                name(c),
                n + lead + 1
            ),
        );
    }
    true
}

/// HW117 for a key or CSV column name (`what`) with a character that cannot be seen, if it has
/// one: in a name even a non-ASCII space is a hidden difference, so the name is not the one it
/// looks like (`serialNumber` with a zero-width space is an unknown key). Points at the name.
pub(crate) fn hidden_name(
    what: &str,
    name: &str,
    pos: Pos,
    record: Option<usize>,
) -> Option<Diagnostic> {
    if is_plain(name) {
        return None;
    }
    let (n, c, kind) = name
        .chars()
        .enumerate()
        .find_map(|(n, c)| invisible(c).map(|k| (n, c, k)))?;
    Some(Diagnostic::new(
        Warning,
        codes::HIDDEN_IN_NAME,
        record,
        None,
        Some(pos),
        format!(
            "{what} \"{}\" has U+{:04X} ({kind}) at position {}, which cannot be seen: it is not the name it looks like, so it is not read as one",
            shorten(name),
            c as u32,
            n + 1
        ),
    ))
}

/// HW117 for the first hidden character inside the value of a field that is dropped (an
/// unknown or read-only field, a member of `assignTo` other than `id`): nested keys and every
/// string, however deep. One finding per field.
fn hidden_in_dropped(text: &str, key: &str, value: &json::Value, name: Name, out: &mut Out) {
    fn first<'v>(
        v: &'v json::Value<'v>,
    ) -> Option<(&'v json::Value<'v>, Option<Pos>, usize, char)> {
        match &v.kind {
            Kind::String(s) => s
                .chars()
                .enumerate()
                .find(|&(_, c)| needs_escape(c))
                .map(|(n, c)| (v, None, n, c)),
            Kind::Array(items) => items.iter().find_map(first),
            Kind::Object(members) => members.iter().find_map(|m| {
                match m
                    .key
                    .chars()
                    .enumerate()
                    .find(|&(_, c)| invisible(c).is_some())
                {
                    Some((n, c)) => Some((v, Some(m.key_pos), n, c)),
                    None => first(&m.value),
                }
            }),
            _ => None,
        }
    }
    let Some((v, key_pos, n, c)) = first(value) else {
        return;
    };
    let (field, fate) = match name {
        Name::ReadOnly { field, .. } => (
            Some(field),
            "the read-only field is dropped on normalisation",
        ),
        _ => (None, "the field is dropped on normalisation"),
    };
    let (pos, inside) = match key_pos {
        Some(p) => (p, "a key"),
        None => (
            json::string_char_pos(text, v, n).unwrap_or(v.pos),
            "a value",
        ),
    };
    out.push(
        Warning,
        codes::HIDDEN_IN_NAME,
        field,
        pos,
        format!(
            "{inside} in \"{}\" has U+{:04X} ({}) at position {}, which cannot be seen: it is not the text it looks like ({fate})",
            shorten(key),
            c as u32,
            invisible(c).unwrap_or("invisible character"),
            n + 1
        ),
    );
}

fn assign_to(text: &str, f: Option<&Field>, csv: bool, out: &mut Out) -> Option<String> {
    const FIELD: &str = "assignTo";
    let fd = f?;
    // Where the `n`-th character of the id (as read, untrimmed) is.
    let mut char_at: Box<dyn Fn(usize) -> Option<Pos>> = Box::new(|n| fd.loc.char_pos(text, n));
    let (id, pos) = match fd.value {
        Val::Null => return None,
        // The CSV's upn column, or an id the admin typed.
        Val::Str(s) if csv || fd.loc.is_typed() => (s.trim(), fd.pos),
        Val::Object(members) if members.iter().filter(|m| m.key == "id").count() > 1 => {
            let again = members.iter().filter(|m| m.key == "id").nth(1);
            out.push(
                Error,
                codes::DUPLICATE_FIELD,
                Some(FIELD),
                again.map_or(fd.pos, |m| m.key_pos),
                "assignTo has \"id\" twice; which user counts is ambiguous",
            );
            return None;
        }
        Val::Object(members) => match members.iter().find(|m| m.key == "id") {
            Some(m) => match m.value.as_str().map(str::trim) {
                Some(id) if !id.is_empty() => {
                    char_at = Box::new(|n| super::json::string_char_pos(text, &m.value, n));
                    (id, m.value.pos)
                }
                _ => {
                    out.push(
                        Error,
                        codes::WRONG_TYPE,
                        Some(FIELD),
                        m.value.pos,
                        "assignTo.id must be a non-empty string (the user's object id)",
                    );
                    return None;
                }
            },
            None => {
                out.push(
                    Error,
                    codes::MISSING,
                    Some(FIELD),
                    fd.pos,
                    "assignTo has no \"id\"; it must be {\"id\": \"<user object id>\"}",
                );
                return None;
            }
        },
        v => {
            // Windows PowerShell's ConvertTo-Json writes nested objects below -Depth 2 as text.
            let hint = match v {
                Val::Str(s) if s.starts_with("@{") || s.starts_with("System.Collections.") => {
                    " (PowerShell's ConvertTo-Json wrote the object as text: add -Depth 4)"
                }
                _ => "",
            };
            out.push(
                Error,
                codes::WRONG_TYPE,
                Some(FIELD),
                fd.pos,
                format!(
                    "assignTo must be an object {{\"id\": \"<user object id>\"}}, found {}{hint}",
                    v.kind_name()
                ),
            );
            return None;
        }
    };
    if id.is_empty() {
        return None;
    }
    if let Some((n, c, what)) = id
        .chars()
        .enumerate()
        .find_map(|(n, c)| invisible(c).map(|w| (n, c, w)))
    {
        let lead = match fd.value {
            Val::Str(s) => s.chars().count() - s.trim_start().chars().count(),
            _ => 0,
        };
        let whose = if csv { "the upn" } else { "assignTo.id" };
        out.push(
            Error,
            codes::INVISIBLE,
            Some(FIELD),
            char_at(n + lead).unwrap_or(pos),
            format!(
                "{whose} has an invisible character, U+{:04X} ({what}), at position {}: the assignment would name nobody; retype it",
                c as u32,
                n + lead + 1
            ),
        );
        return None;
    }
    if !crate::core::token::is_guid(id) {
        let message = if csv {
            format!("the upn \"{}\" is kept as the target of assign requests (which accept a UPN) but not written as assignTo in the upload body, which takes a user object id (GUID)", shorten(id))
        } else {
            format!(
                "assignTo.id \"{}\" is not a user object id (GUID), which is what Graph documents; it is left out of the normalised body and kept for assign requests",
                shorten(id)
            )
        };
        out.push(Warning, codes::ASSIGN_ID, Some(FIELD), pos, message);
    }
    Some(id.to_string())
}

/// Where a record is, for messages, without the word "record": `4 (line 12)`, counted from 1 as
/// the page's table (`#`) and the CLI count; `(line 3 of file 2)` when it is in another file
/// than `from` (files count from 1 in the order given).
fn place(r: &Record, from: &Record) -> String {
    let n = r.index + 1;
    match (r.line, r.file != from.file) {
        (Some(l), false) => format!("{n} (line {l})"),
        (Some(l), true) => format!("{n} (line {l} of file {})", r.file + 1),
        (None, false) => n.to_string(),
        (None, true) => format!("{n} (file {})", r.file + 1),
    }
}

/// How many other records a duplicate message names before "and N more".
const NAMED_OTHERS: usize = 5;

/// `record 4 (line 12)`, `records 4 (line 12) and 9 (line 30)`, `records 4 (…), …, 20 (…) and 3
/// more`: the records `others` (indexes, in input order), each written by `each`.
fn list_records(others: &[usize], each: impl Fn(usize) -> String) -> String {
    let shown: Vec<String> = others.iter().take(NAMED_OTHERS).map(|&i| each(i)).collect();
    let rest = others.len().saturating_sub(NAMED_OTHERS);
    let list = match (shown.as_slice(), rest) {
        ([one], 0) => return format!("record {one}"),
        (_, 0) => {
            let (last, first) = shown.split_last().expect("two or more");
            format!("{} and {last}", first.join(", "))
        }
        _ => format!("{} and {rest} more", shown.join(", ")),
    };
    format!("records {list}")
}

/// The members of a group, in input order. Nearly every group of a good file has one member,
/// which needs no allocation: a 10,000-token file makes no 30,000 small vectors.
enum Members<T> {
    One(T),
    Many(Vec<T>),
}

impl<T: Copy> Members<T> {
    fn add(&mut self, x: T) {
        match self {
            Members::One(a) => *self = Members::Many(vec![*a, x]),
            Members::Many(v) => v.push(x),
        }
    }

    fn as_slice(&self) -> &[T] {
        match self {
            Members::One(a) => std::slice::from_ref(a),
            Members::Many(v) => v,
        }
    }
}

impl<T: Copy> std::ops::Deref for Members<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

/// Adds `x` to the group of `k` in `map`.
fn add_to<K: std::hash::Hash + Eq, T: Copy>(map: &mut HashMap<K, Members<T>>, k: K, x: T) {
    use std::collections::hash_map::Entry;
    match map.entry(k) {
        Entry::Occupied(mut e) => e.get_mut().add(x),
        Entry::Vacant(e) => {
            e.insert(Members::One(x));
        }
    }
}

/// Records that share a value, in input order.
type Groups<K> = HashMap<K, Members<usize>>;

fn group<'a, K: std::hash::Hash + Eq>(
    records: &'a [Record],
    key: impl Fn(&'a Record) -> Option<K>,
) -> Groups<K> {
    let mut groups: Groups<K> =
        HashMap::with_capacity_and_hasher(records.len(), Default::default());
    // A record the admin left out is in no group: it duplicates nothing.
    for r in records.iter().filter(|r| !r.removed) {
        if let Some(k) = key(r) {
            add_to(&mut groups, k, r.index);
        }
    }
    groups
}

/// The members of `group` other than `me`.
fn others_in(group: &[usize], me: usize) -> Vec<usize> {
    group.iter().copied().filter(|&i| i != me).collect()
}

/// The distinct values whose form is `form`: those grouped under it in `differing` (each differs
/// from its form) and `form` itself when some record has it (`all`). `None` when none differs:
/// then `form` alone has it, which is no finding (and nothing is allocated for the common case).
fn near_forms<'a, K: ?Sized + std::hash::Hash + Eq>(
    differing: &HashMap<&'a K, Members<&'a K>>,
    all: &Groups<&'a K>,
    form: &'a K,
) -> Option<Vec<&'a K>> {
    let mut found = differing.get(form)?.to_vec();
    if all.contains_key(form) {
        found.push(form);
    }
    Some(found)
}

/// Findings across records: duplicate serials and keys, equivalent keys, serials that differ by
/// leading zeros, duplicate `@contentId` (within a file), serials the tenant already holds.
/// Every record of a duplicate group is flagged, each naming the others: hwoath cannot tell
/// which one is right, so a duplicate serial or key makes all of them invalid (docs/rules.md).
/// Returns the findings (each with its file) and the records they make invalid.
pub(crate) fn cross_check(
    records: &[Record],
    spots: &[Spots],
    listing: &[ListedDevice],
) -> (Vec<(usize, Diagnostic)>, Vec<usize>) {
    let mut found = Vec::new();
    let mut invalid = Vec::new();
    let serials = group(records, |r| r.serial_number.as_deref());
    let keys = group(records, |r| r.secret.as_ref().map(Secret::as_bytes));
    let content_ids = group(records, |r| r.content_id.as_deref().map(|id| (r.file, id)));
    // Distinct digit-only serials by their value without leading zeros, to spot `0012` next to
    // `12`; distinct keys of at most one block by their form without trailing zero bytes. Only a
    // serial that starts with 0 (a key that ends with a zero byte) differs from that form, so
    // only those are grouped here; the one that is the form itself joins when a group is read
    // (`near_forms`). Most files have few or none: then there is nothing to look up.
    let mut padded: HashMap<&str, Members<&str>> = HashMap::default();
    for serial in serials.keys() {
        if serial.starts_with('0') && serial.bytes().all(|b| b.is_ascii_digit()) {
            add_to(&mut padded, serial.trim_start_matches('0'), *serial);
        }
    }
    let mut zero_ended: HashMap<&[u8], Members<&[u8]>> = HashMap::default();
    for &key in keys.keys() {
        if key.last() == Some(&0) && key.len() <= HashAlg::Sha1.block_size() {
            let end = key.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
            add_to(&mut zero_ended, &key[..end], key);
        }
    }
    let mut listed: HashMap<&str, &ListedDevice> =
        HashMap::with_capacity_and_hasher(listing.len(), Default::default());
    for d in listing {
        listed.entry(d.serial_number.as_str()).or_insert(d);
    }
    let mut report = |severity, r: &Record, code, field, pos: Option<Pos>, message: String| {
        found.push((
            r.file,
            Diagnostic::new(severity, code, Some(r.index), Some(field), pos, message),
        ));
        if severity == Error {
            invalid.push(r.index);
        }
    };
    for (r, spot) in records.iter().zip(spots) {
        if r.removed {
            continue;
        }
        let at = |i: usize| place(&records[i], r);
        if let Some(serial) = r.serial_number.as_deref() {
            let same = others_in(&serials[serial], r.index);
            if !same.is_empty() {
                report(
                    Error,
                    r,
                    codes::DUPLICATE_SERIAL,
                    "serialNumber",
                    spot.serial,
                    format!(
                        "serial number \"{}\" is also in {}: serial numbers must be unique; each copy is flagged, since which one is right cannot be told",
                        shorten(serial),
                        list_records(&same, at)
                    ),
                );
            }
            let padded = (!padded.is_empty() && serial.bytes().all(|b| b.is_ascii_digit()))
                .then(|| near_forms(&padded, &serials, serial.trim_start_matches('0')))
                .flatten();
            if let Some(variants) = padded.filter(|v| v.len() > 1) {
                let mut near: Vec<usize> = variants
                    .iter()
                    .filter(|v| **v != serial)
                    .flat_map(|v| serials[v].iter().copied())
                    .collect();
                near.sort_unstable();
                let each = |i: usize| {
                    format!(
                        "{} with \"{}\"",
                        at(i),
                        shorten(records[i].serial_number.as_deref().unwrap_or(""))
                    )
                };
                report(
                    Warning,
                    r,
                    codes::SERIAL_LEADING_ZEROS,
                    "serialNumber",
                    spot.serial,
                    format!(
                        "serial number \"{}\" differs only by leading zeros from {}: a spreadsheet may have dropped them; check both against the devices",
                        shorten(serial),
                        list_records(&near, each)
                    ),
                );
            }
            if let Some(d) = listed.get(serial) {
                let id = d.id.as_deref().map_or("unknown id".into(), shorten);
                let status = d
                    .status
                    .as_deref()
                    .map(|s| format!(", status {}", shorten(s)))
                    .unwrap_or_default();
                report(
                    Error,
                    r,
                    codes::LISTED_SERIAL,
                    "serialNumber",
                    spot.serial,
                    format!(
                        "the tenant already holds serial number \"{}\" (listing entry id {id}{status})",
                        shorten(serial)
                    ),
                );
            }
        }
        if let Some(secret) = &r.secret {
            let bytes = secret.as_bytes();
            let same = others_in(&keys[bytes], r.index);
            if !same.is_empty() {
                report(
                    Error,
                    r,
                    codes::DUPLICATE_SECRET,
                    "secretKey",
                    spot.secret,
                    format!(
                        "secretKey is also the key of {}: every device needs its own key; each copy is flagged, since which one is right cannot be told",
                        list_records(&same, at)
                    ),
                );
            }
            let equivalent = (!zero_ended.is_empty() && bytes.len() <= HashAlg::Sha1.block_size())
                .then(|| near_forms(&zero_ended, &keys, secret.trimmed()))
                .flatten()
                .filter(|k| k.len() > 1);
            if let Some(equivalent) = equivalent {
                let mut near: Vec<usize> = equivalent
                    .iter()
                    .filter(|k| **k != bytes)
                    .flat_map(|k| keys[k].iter().copied())
                    .collect();
                near.sort_unstable();
                report(
                    Warning,
                    r,
                    codes::EQUIVALENT_SECRET,
                    "secretKey",
                    spot.secret,
                    format!(
                        "secretKey differs from the key of {} only by trailing zero bytes, so the devices give the same codes",
                        list_records(&near, at)
                    ),
                );
            }
        }
        if let Some(id) = r.content_id.as_deref() {
            let same = others_in(&content_ids[&(r.file, id)], r.index);
            if !same.is_empty() {
                report(
                    Warning,
                    r,
                    codes::CONTENT_ID_DUPLICATE,
                    "@contentId",
                    spot.content_id,
                    format!(
                        "@contentId \"{}\" is also used by {} (renumbered on normalisation)",
                        shorten(id),
                        list_records(&same, at)
                    ),
                );
            }
        }
    }
    (found, invalid)
}
