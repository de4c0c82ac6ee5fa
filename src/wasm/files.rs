//! `validate`, `normalize`, `parseTokens`, `parseListing`: token files in the browser.
//!
//! Each call gets the whole file text. Only unusable input throws (not JSON/CSV, not a token
//! file, a listing given as a token file, impossible options); findings are returned as data.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::args::{self, from_js};
use super::{json_value, secret_json_value, set_texts};
use crate::core::secret::mask;
use crate::core::tokenfile::{self, ParseOptions, Report, Skipped};
use crate::core::GraphHash;

#[wasm_bindgen(typescript_custom_section)]
const TS_FILES: &str = r#"
/** The hash functions Entra accepts. */
export type GraphHashFunction = "hmacsha1" | "hmacsha256";
/** Which parser to use: detect (JSON when the text starts with `{` or `[`), or force one. */
export type InputFormat = "auto" | "json" | "csv";
/** Options for reading a token file. */
export interface TokenFileOptions {
  /** Pages of a Graph GET listing of the tenant's devices (each the JSON text of one page),
   *  to flag serial numbers the tenant already holds (HW401). */
  listing?: string[];
  /** Hash for records that state none: every legacy CSV row, JSON records without
   *  `hashFunction`. Default: Graph's default, "hmacsha1". */
  hashFunction?: GraphHashFunction;
  /** Default "auto". */
  format?: InputFormat;
}
export interface NormalizeOptions extends TokenFileOptions {
  /** Write the valid records and list the invalid ones in `skipped` (default false). */
  skipInvalid?: boolean;
}
/** One finding; codes are catalogued in docs/rules.md. Messages never contain a secret. */
export interface FileDiagnostic {
  severity: "error" | "warning" | "info";
  /** Stable code, e.g. "HW202". */
  code: string;
  /** 0-based record index in input order; null for file-level findings. */
  record: number | null;
  /** Field in Graph's spelling ("serialNumber", "secretKey", "@contentId", …) or null. */
  field: string | null;
  /** 1-based line in the input (after a byte order mark). */
  line: number | null;
  /** 1-based column, in characters. */
  column: number | null;
  message: string;
}
/** The same object as `hwoath validate --json`. records === valid + invalid. */
export interface ValidationReport {
  records: number;
  valid: number;
  invalid: number;
  /** Ordered by position in the file. */
  diagnostics: FileDiagnostic[];
}
export interface SkippedRecord {
  record: number;
  serialNumber: string | null;
  /** "CODE field: message" for each error of the record. */
  reasons: string[];
}
export interface NormalizeResult {
  /** Canonical Graph #$delta JSON of the valid records (pretty, trailing newline). null when
   *  a record is invalid and `skipInvalid` is not true: nothing is written then. */
  json: string | null;
  /** The invalid records: left out (skipInvalid) or blocking (json === null). */
  skipped: SkippedRecord[];
}
export type DetectedFormat = "graphDelta" | "bareArray" | "singleObject" | "legacyCsv";
/** One record for the page's table. Fields are null when missing or unusable. */
export interface TokenRow {
  index: number;
  serialNumber: string | null;
  manufacturer: string | null;
  model: string | null;
  /** The record's hash, or the default it gets; null when unusable (e.g. hmacsha512). */
  hashFunction: GraphHashFunction | null;
  /** 30 or 60; null when unusable. */
  timeIntervalInSeconds: number | null;
  /** Canonical base32 key whenever `secretKey` decodes (even if another field is invalid),
   *  for a live code via `totp(secret, …)` and for an explicit "reveal". SECRET: never log it,
   *  show `secretMasked` by default. null when it does not decode. */
  secret: string | null;
  /** The canonical key with all but the last four characters hidden. */
  secretMasked: string | null;
  /** No error on this record. */
  valid: boolean;
  /** 1-based position where the record starts. */
  line: number | null;
  column: number | null;
}
export interface ParsedTokens {
  format: DetectedFormat;
  records: TokenRow[];
  /** The same as `validate(text, options)`, so one call serves the whole page. */
  report: ValidationReport;
}
/** A device from a Graph GET listing. */
export interface ListedDevice {
  id: string | null;
  serialNumber: string;
  manufacturer: string | null;
  model: string | null;
  status: string | null;
  /** Display name (or id) of the assigned user. */
  assignedTo: string | null;
}
"#;

/// The options of the token-file functions (`TokenFileOptions`, `NormalizeOptions`).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct Options {
    listing: Vec<String>,
    hash_function: Option<String>,
    format: Option<String>,
    skip_invalid: bool,
}

fn unusable(e: tokenfile::Unusable) -> JsError {
    JsError::new(&e.to_string())
}

impl Options {
    /// The core's options; `page(i)` names listing page `i` (0-based) in an error.
    pub(crate) fn parse_options(
        &self,
        page: impl Fn(usize) -> String,
    ) -> Result<ParseOptions, JsError> {
        Ok(ParseOptions {
            format: args::input_format(self.format.as_deref())?,
            hash_function: args::graph_hash(self.hash_function.as_deref())?,
            listing: args::listing(&self.listing, page)?,
        })
    }

    fn report(&self, text: &str) -> Result<Report, JsError> {
        let opts = self.parse_options(|i| format!("listing page {i}"))?;
        tokenfile::validate(text, &opts).map_err(unusable)
    }
}

/// Validates a token file (Graph/Token2 JSON or legacy Entra CSV): the same object as
/// `hwoath validate --json`. Throws only for unusable input.
#[wasm_bindgen(unchecked_return_type = "ValidationReport")]
pub fn validate(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "TokenFileOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsError> {
    let o: Options = from_js(options.unwrap_or(JsValue::UNDEFINED))?;
    json_value(&o.report(text)?)
}

/// `normalize`'s answer: the canonical JSON (the keys) or nothing, and what was left out.
#[derive(Serialize)]
pub(crate) struct NormalizeOut<'a> {
    pub json: Option<&'a str>,
    pub skipped: &'a [Skipped],
}

/// Canonical Graph delta JSON of a token file, like `hwoath normalize`. With an invalid
/// record and without `skipInvalid`, `json` is null and `skipped` lists what blocks it.
#[wasm_bindgen(unchecked_return_type = "NormalizeResult")]
pub fn normalize(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "NormalizeOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsError> {
    let o: Options = from_js(options.unwrap_or(JsValue::UNDEFINED))?;
    let report = o.report(text)?;
    let n = tokenfile::normalize(&report, true).map_err(unusable)?;
    let written = o.skip_invalid || n.skipped.is_empty();
    normalize_out(&n, written)
}

/// `{json, skipped}`: the canonical JSON (it holds the keys) crosses as one JS string.
pub(crate) fn normalize_out(n: &tokenfile::Normalized, written: bool) -> Result<JsValue, JsError> {
    let out = json_value(&NormalizeOut {
        json: None,
        skipped: &n.skipped,
    })?;
    set_texts(&out, &[("json", written.then_some(n.json.as_str()))])?;
    Ok(out)
}

/// `parseTokens`' row (superseded by `TokenSet`'s rows, which carry no key).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TokenRow<'a> {
    index: usize,
    serial_number: &'a Option<String>,
    manufacturer: &'a Option<String>,
    model: &'a Option<String>,
    hash_function: Option<GraphHash>,
    time_interval_in_seconds: Option<u64>,
    secret: Option<&'a str>,
    secret_masked: Option<String>,
    valid: bool,
    line: Option<u32>,
    column: Option<u32>,
}

#[derive(Serialize)]
struct ParsedTokens<'a> {
    format: &'static str,
    records: Vec<TokenRow<'a>>,
    report: &'a Report,
}

/// Every record of a token file for a table (with the canonical key for live codes and
/// reveal; mask it), and the validation report. Throws only for unusable input. Superseded by
/// `TokenSet.open`, whose rows carry no key.
#[wasm_bindgen(js_name = parseTokens, unchecked_return_type = "ParsedTokens")]
pub fn parse_tokens(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "TokenFileOptions")] options: Option<JsValue>,
) -> Result<JsValue, JsError> {
    let o: Options = from_js(options.unwrap_or(JsValue::UNDEFINED))?;
    let report = o.report(text)?;
    // Canonical keys, wiped once they are copied out to JS.
    let secrets: Vec<Option<Zeroizing<String>>> = report
        .records
        .iter()
        .map(|r| r.secret.as_ref().map(|s| s.to_base32()))
        .collect();
    let records = report
        .records
        .iter()
        .zip(&secrets)
        .map(|(r, secret)| TokenRow {
            index: r.index,
            serial_number: &r.serial_number,
            manufacturer: &r.manufacturer,
            model: &r.model,
            hash_function: r.hash_function,
            time_interval_in_seconds: r.time_interval,
            secret_masked: secret.as_deref().map(|s| mask(s)),
            secret: secret.as_deref().map(String::as_str),
            valid: r.is_valid(),
            line: r.line,
            column: r.column,
        })
        .collect();
    secret_json_value(&ParsedTokens {
        format: report.format.as_str(),
        records,
        report: &report,
    })
}

/// Reads one page of a Graph GET listing. Throws when the text is not a listing.
#[wasm_bindgen(js_name = parseListing, unchecked_return_type = "ListedDevice[]")]
pub fn parse_listing(text: &str) -> Result<JsValue, JsError> {
    json_value(&tokenfile::parse_listing(text).map_err(unusable)?)
}

/// Why a file of `bytes` bytes is refused before it is read (over the input size limit, the same
/// words as the CLI), or `null` when it may be read: a page checks a chosen file's size first, so
/// a huge file is never read into memory.
#[wasm_bindgen(js_name = inputSizeProblem)]
pub fn input_size_problem(bytes: f64) -> Option<String> {
    let n = if bytes.is_finite() && bytes >= 0.0 {
        bytes as u64
    } else {
        u64::MAX
    };
    (n > crate::core::limits::MAX_INPUT_BYTES as u64)
        .then(|| crate::core::limits::input_too_large("the file", Some(n)))
}
