//! Token files in: the Graph `#$delta` body (as Token2 ships it), bare arrays and single objects,
//! the legacy Entra CSV, and Graph GET listings of the tenant's devices.
//!
//! [`validate`] reads a file into records and diagnostics (rules catalogued in `docs/rules.md`);
//! [`normalize`] writes the canonical delta JSON of the valid records. Nothing here does I/O.

mod csv;
mod delta;
mod edits;
mod encoding;
mod item;
pub mod json;
mod listing;
mod normalize;
mod rules;
mod stats;

use std::fmt;

pub use edits::{Edits, NotEditable, RecordEdit, Typed, EDITABLE_FIELDS};
pub use encoding::{check_text, text_from_bytes};
pub use listing::{parse_listing, parse_listing_checked, parse_listings};
pub use normalize::{canonical_json, normalize, skipped};
pub use rules::{codes, MAX_SECRET_CHARS};
pub use stats::{Mix, MixEntry, Summary};

use crate::core::diag::Diagnostic;
use crate::core::limits::{thousands, MAX_LISTED_DEVICES, MAX_RECORDS};
use crate::core::secret::Secret;
use crate::core::token::{GraphHash, ListedDevice, Token};

/// Which parser to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum InputFormat {
    /// Decide from the content: JSON when it starts with `{`, `[` (or `/`, a comment, which JSON
    /// does not allow), else the legacy CSV.
    #[default]
    Auto,
    /// Graph/Token2 JSON only.
    Json,
    /// Legacy Entra CSV only.
    Csv,
}

/// The shape a file turned out to have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DetectedFormat {
    /// `{"@context":"#$delta","value":[…]}` (also with a missing or wrong `@context`).
    GraphDelta,
    /// `[{…}, …]`: wrapped into a delta body.
    BareArray,
    /// `{"serialNumber": …}`: one token, wrapped.
    SingleObject,
    /// `upn,serial number,secret key,time interval,manufacturer,model`.
    LegacyCsv,
}

impl DetectedFormat {
    /// Stable name used in JSON output: `graphDelta`, `bareArray`, `singleObject`, `legacyCsv`.
    pub fn as_str(self) -> &'static str {
        match self {
            DetectedFormat::GraphDelta => "graphDelta",
            DetectedFormat::BareArray => "bareArray",
            DetectedFormat::SingleObject => "singleObject",
            DetectedFormat::LegacyCsv => "legacyCsv",
        }
    }
}

/// Options for [`validate`].
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// Force a parser, or detect.
    pub format: InputFormat,
    /// Hash for records that do not state one (every CSV row; JSON records without
    /// `hashFunction`). `None` means Graph's default, `hmacsha1`.
    pub hash_function: Option<GraphHash>,
    /// Devices the tenant already holds (from [`parse_listing`]), for collision checks.
    pub listing: Vec<ListedDevice>,
}

/// Input that cannot be used at all (not JSON/CSV, not a token file, a listing given as an
/// upload). The message never contains a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unusable {
    /// What is wrong, in plain language.
    pub message: String,
    /// 1-based line, when the problem has a place.
    pub line: Option<u32>,
    /// 1-based column (characters), when the problem has a place.
    pub column: Option<u32>,
}

impl Unusable {
    /// An unusable-input error without a position.
    pub fn new(message: impl Into<String>) -> Unusable {
        Unusable {
            message: message.into(),
            line: None,
            column: None,
        }
    }
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{l}:{c}: {}", self.message),
            (Some(l), None) => write!(f, "{l}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Unusable {}

/// One input record (a JSON item or a CSV row), valid or not. `Debug` never shows the secret.
#[derive(Clone, Debug)]
pub struct Record {
    /// 0-based index in input order (continuing across files in [`validate_files`]).
    pub index: usize,
    /// Index of the file it came from (0 for [`validate`]).
    pub file: usize,
    /// The validated token; `None` when the record has an error.
    pub token: Option<Token>,
    /// The serial number as read (trimmed), if it was a string.
    pub serial_number: Option<String>,
    /// The manufacturer as read (trimmed), if it was a string.
    pub manufacturer: Option<String>,
    /// The model as read (trimmed), if it was a string.
    pub model: Option<String>,
    /// The hash the record states, or the default it gets; `None` when unusable.
    pub hash_function: Option<GraphHash>,
    /// 30 or 60 when usable.
    pub time_interval: Option<u64>,
    /// The `hashFunction` as written (trimmed; a number's text) when it is not usable
    /// (`hmacsha512`, `md5`); `None` when usable or not text.
    pub unusable_hash: Option<String>,
    /// The `timeIntervalInSeconds` as written (trimmed; a number's text) when it is not usable
    /// (`45`); `None` when usable, missing or not text.
    pub unusable_interval: Option<String>,
    /// `displayName` as read (trimmed, empty is none), even if another field is invalid.
    pub display_name: Option<String>,
    /// `assignTo.id` or the CSV `upn` as read (trimmed), even if another field is invalid.
    pub assign_to: Option<String>,
    /// The decoded key whenever `secretKey` decoded, even if another field is invalid.
    pub secret: Option<Secret>,
    /// `@contentId` as written (numbers as their text), if present.
    pub content_id: Option<String>,
    /// 1-based line where the record starts.
    pub line: Option<u32>,
    /// 1-based column where the record starts.
    pub column: Option<u32>,
    /// Left out of the upload by an edit ([`Edits::remove`]): no findings, no token, in no
    /// duplicate check; neither valid nor invalid.
    pub removed: bool,
}

impl Record {
    /// True when the record has no error (a removed record is not valid).
    pub fn is_valid(&self) -> bool {
        self.token.is_some()
    }

    /// True when the record is part of the upload and has an error.
    pub fn is_invalid(&self) -> bool {
        !self.removed && self.token.is_none()
    }
}

/// One input file (part of a [`Report`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilePart {
    /// What the file turned out to be.
    pub format: DetectedFormat,
    /// Index of its first record in [`Report::records`].
    pub first_record: usize,
    /// How many records it has.
    pub records: usize,
}

/// The result of validating one upload (one or more files).
#[derive(Clone, Debug)]
pub struct Report {
    /// The format of the (first) file.
    pub format: DetectedFormat,
    /// Every record, valid or not, in input order.
    pub records: Vec<Record>,
    /// Every finding, ordered by file, then position.
    pub diagnostics: Vec<Diagnostic>,
    /// One entry per input file.
    pub files: Vec<FilePart>,
    /// For each diagnostic, the index of the file it concerns (same length as `diagnostics`).
    pub diagnostic_files: Vec<usize>,
}

impl Report {
    /// Records without an error.
    pub fn valid(&self) -> usize {
        self.records.iter().filter(|r| r.is_valid()).count()
    }

    /// Records of the upload with at least one error (removed records are not counted).
    pub fn invalid(&self) -> usize {
        self.records.iter().filter(|r| r.is_invalid()).count()
    }

    /// Records left out by an edit.
    pub fn removed(&self) -> usize {
        self.records.iter().filter(|r| r.removed).count()
    }

    /// True when any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == crate::core::Severity::Error)
    }

    /// The tokens of the valid records, in input order.
    pub fn valid_tokens(&self) -> Vec<&Token> {
        self.records
            .iter()
            .filter_map(|r| r.token.as_ref())
            .collect()
    }

    /// The `--json` shape: `{"records", "valid", "invalid", "diagnostics": [...]}` (`records` is
    /// `valid + invalid`: removed records are not part of the upload).
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("a report serialises")
    }
}

/// Serialises as the `--json` shape, keys in that order.
impl serde::Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Report", 4)?;
        st.serialize_field("records", &(self.records.len() - self.removed()))?;
        st.serialize_field("valid", &self.valid())?;
        st.serialize_field("invalid", &self.invalid())?;
        st.serialize_field("diagnostics", &self.diagnostics)?;
        st.end()
    }
}

/// Validates one token file.
pub fn validate(text: &str, opts: &ParseOptions) -> Result<Report, Unusable> {
    validate_edited(text, opts, &Edits::new())
}

/// Validates one token file with the admin's [`Edits`] applied (typed values replace the file's,
/// removed records are left out); record numbers are those of the file.
pub fn validate_edited(text: &str, opts: &ParseOptions, edits: &Edits) -> Result<Report, Unusable> {
    validate_files_edited(&[text], opts, edits).map_err(|(_, e)| e)
}

/// Validates several files as one upload: record indexes continue across files and duplicates
/// are found across them. The error names the index of the unusable file.
pub fn validate_files(texts: &[&str], opts: &ParseOptions) -> Result<Report, (usize, Unusable)> {
    validate_files_edited(texts, opts, &Edits::new())
}

/// [`validate_files`] with the admin's [`Edits`] applied (record indexes across the files).
pub fn validate_files_edited(
    texts: &[&str],
    opts: &ParseOptions,
    edits: &Edits,
) -> Result<Report, (usize, Unusable)> {
    if opts.listing.len() > MAX_LISTED_DEVICES {
        return Err((
            0,
            Unusable::new(format!(
                "the listing has {} devices; hwoath reads at most {} (the listing limit in docs/limits.md)",
                thousands(opts.listing.len()),
                thousands(MAX_LISTED_DEVICES)
            )),
        ));
    }
    let ctx = rules::Ctx {
        hash: opts.hash_function,
    };
    let mut records = Vec::new();
    let mut spots = Vec::new();
    let mut found: Vec<(usize, Diagnostic)> = Vec::new();
    let mut files = Vec::with_capacity(texts.len());
    for (file, text) in texts.iter().enumerate() {
        let first_record = records.len();
        let format = read_file(
            text,
            file,
            opts,
            &ctx,
            edits,
            (&mut records, &mut spots, &mut found),
        )
        .map_err(|e| (file, e))?;
        files.push(FilePart {
            format,
            first_record,
            records: records.len() - first_record,
        });
    }
    let (cross, invalid) = rules::cross_check(&records, &spots, &opts.listing);
    found.extend(cross);
    for i in invalid {
        records[i].token = None;
    }
    // Stable: findings at the same place keep the order they were made in.
    found.sort_by_key(|(file, d)| (*file, d.line.unwrap_or(0), d.column.unwrap_or(0)));
    let (diagnostic_files, diagnostics) = found.into_iter().unzip();
    Ok(Report {
        format: files
            .first()
            .map_or(DetectedFormat::GraphDelta, |f: &FilePart| f.format),
        records,
        diagnostics,
        files,
        diagnostic_files,
    })
}

/// The unusable error for a JSON document that cannot be read; `what` prefixes the message
/// (e.g. "the listing is ").
pub(crate) fn json_unusable(what: &str, e: json::JsonError) -> Unusable {
    let message = if e.limit {
        format!("{what}over hwoath's limits: {}", e.message)
    } else {
        format!("{what}not valid JSON: {}", e.message)
    };
    Unusable {
        message,
        line: Some(e.pos.line),
        column: Some(e.pos.column),
    }
}

/// The upload has more records than `limits::MAX_RECORDS`.
pub(crate) fn too_many_records() -> Unusable {
    Unusable::new(format!(
        "more than {} records in one upload (the record limit in docs/limits.md): split the file",
        thousands(MAX_RECORDS)
    ))
}

/// Strips a UTF-8 byte order mark (several, when a tool added one to a file that had one).
pub(crate) fn strip_bom(text: &str) -> &str {
    text.trim_start_matches('\u{feff}')
}

/// What [`read_file`] appends to: the records, their positions, the findings (with their file).
type Sink<'s> = (
    &'s mut Vec<Record>,
    &'s mut Vec<rules::Spots>,
    &'s mut Vec<(usize, Diagnostic)>,
);

fn read_file(
    text: &str,
    file: usize,
    opts: &ParseOptions,
    ctx: &rules::Ctx,
    edits: &Edits,
    (records, spots, found): Sink<'_>,
) -> Result<DetectedFormat, Unusable> {
    check_text("the file", text)?;
    let text = strip_bom(text);
    let first = text.trim_start().chars().next();
    let Some(first) = first else {
        return Err(Unusable::new("the file is empty"));
    };
    let json = match opts.format {
        InputFormat::Json => true,
        InputFormat::Csv => false,
        InputFormat::Auto => matches!(first, '{' | '[' | '/'),
    };
    let mut diags = Vec::new();
    let mut check_items = |items: &[item::Item], diags: &mut Vec<Diagnostic>| {
        if records.len() + items.len() > MAX_RECORDS {
            return Err(too_many_records());
        }
        records.reserve(items.len());
        for it in items {
            let index = records.len();
            let edit = edits.record(index);
            if edit.is_some_and(|e| e.removed) {
                // Read for the table (serial, key for a live code…), its findings dropped.
                let (mut r, _) = rules::check(text, it, index, file, ctx, &mut Vec::new(), edit);
                r.removed = true;
                r.token = None;
                records.push(r);
                spots.push(rules::Spots::default());
                continue;
            }
            let (r, s) = rules::check(text, it, index, file, ctx, diags, edit);
            records.push(r);
            spots.push(s);
        }
        Ok(())
    };
    let format = if json {
        let root = json::parse(text).map_err(|e| json_unusable("", e))?;
        let parsed = delta::read(&root)?;
        diags.extend(parsed.diagnostics);
        check_items(&parsed.items, &mut diags)?;
        parsed.format
    } else {
        let table = csv::Table::read(text)?;
        let (items, header) = table.items(text, opts.hash_function.is_some());
        diags.extend(header);
        check_items(&items, &mut diags)?;
        DetectedFormat::LegacyCsv
    };
    found.extend(diags.into_iter().map(|d| (file, d)));
    Ok(format)
}
/// A record left out of the normalised output. Serialises as `{"record", "serialNumber",
/// "reasons"}`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// 0-based record index (messages count from 1: `record + 1`).
    pub record: usize,
    /// Its serial number, if it had one.
    pub serial_number: Option<String>,
    /// The error messages (with codes) that made it invalid.
    pub reasons: Vec<String>,
}

/// Canonical delta JSON and what was left out. `Debug` shows the JSON's length, not the JSON
/// (it contains the secrets).
#[derive(Clone)]
pub struct Normalized {
    /// Pretty-printed canonical `#$delta` body with a trailing newline (wiped when the
    /// `Normalized` is dropped: it holds the keys).
    pub json: String,
    /// Records not written (only with `skip_invalid`).
    pub skipped: Vec<Skipped>,
}

impl Drop for Normalized {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.json);
    }
}

impl fmt::Debug for Normalized {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Normalized")
            .field("json", &format_args!("<{} bytes>", self.json.len()))
            .field("skipped", &self.skipped)
            .finish()
    }
}
