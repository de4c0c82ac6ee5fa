//! `TokenSet`: one parse per file. `TokenSet.open` reads and validates a token file once and keeps
//! its records, with their decoded keys, in wasm memory; every later call (the report, the
//! canonical JSON, variants, Graph requests, reconcile, live codes, verify and drift, the sheet,
//! edits) works on that state and nothing reads the text again, except an edit, which checks the
//! whole upload again with the admin's changes (core `tokenfile::validate_edited`).
//!
//! Nothing a method returns carries a key except the calls made to hand one out (`reveal`,
//! `exportRecord`, and the `json` / copy texts of `normalized`, `variants`, `requests`), marked
//! SECRET in the types. Every value echoed from the input into a display field is escaped with
//! `core::text::visible`. `free()` (and `[Symbol.dispose]`) drops the state: the source text, the
//! keys and the keyed generators are wiped; every method afterwards throws "the token set was
//! freed".

use std::cell::RefCell;

use js_sys::{Array, JsString, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use zeroize::{Zeroize, Zeroizing};

use super::args::{
    self, from_js, given, DriftRangeJs, ReconcileOptionsJs, SkipInvalidJs, TokenFileOptionsJs,
    VariantsOptionsJs, VariationOptionsJs,
};
use super::files::{normalize_out, Options};
use super::otp::drift_or_empty;
use super::{js_text, json_value, set_texts, WipedText};
use crate::core::graph::display::{masked, wipe_strings};
use crate::core::graph::{
    build_requests_with, complete_request, plan_requests_with, read_user_methods, read_users,
    reconcile as map_response, render, GraphRequest, InvalidFile, InventoryQuery, ReconcileOptions,
    Reconciliation, RequestInputs, RequestKind, RequestOptions,
};
use crate::core::otp::typed_codes;
use crate::core::secret::mask;
use crate::core::text::{visible, visible_lines};
use crate::core::token::{delta_json, masked_delta_json, GraphHash, Token};
use crate::core::tokenfile::{self, Edits, ParseOptions, Record, Report, Typed, EDITABLE_FIELDS};
use crate::core::variants::{
    make_variants_avoiding, originals, Refusal, Taken, Variant, VariantOptions, MAX_COPIES,
};
use crate::core::wipe::WipeBuf;
use crate::core::{DriftReport, Generator, OtpParams, Severity};

#[wasm_bindgen(typescript_custom_section)]
const TS_TOKEN_SET: &str = r#"
/** The page's "one token by hand" form, and the fields an edit may change. */
export interface TokenFields {
  serialNumber: string;
  manufacturer: string;
  model: string;
  /** The key as typed (Graph's `secretKey`): decoded leniently, as in a file (spaces, lower
   *  case, '-' and '=' are normalised). */
  secret: string;
  timeIntervalInSeconds: number;
  hashFunction: GraphHashFunction;
  displayName?: string;
  /** The user (Graph's `assignTo.id`, the CSV's upn): an object id, or a UPN kept for the
   *  assign requests. */
  user?: string;
}
/** Fields to change; an empty text clears displayName and assignTo. */
export type RecordPatch = Partial<TokenFields>;
/** One record for the table. No key: the masked text only. Text fields are escaped for display. */
export interface TokenSetRow {
  /** 0-based; the table shows index + 1. */
  index: number;
  serialNumber: string | null;
  manufacturer: string | null;
  model: string | null;
  displayName: string | null;
  /** assignTo.id or the CSV upn. */
  user: string | null;
  contentId: string | null;
  /** null when unusable. */
  hashFunction: GraphHashFunction | null;
  /** 30 or 60; null when unusable. */
  timeIntervalInSeconds: number | null;
  /** The canonical key with all but the last four characters hidden; null when it does not decode. */
  secretMasked: string | null;
  /** The key's length in bytes. */
  secretLength: number | null;
  /** A live code can be shown: the key decodes, the hash and the period are usable. */
  hasCode: boolean;
  valid: boolean;
  /** Left out of the upload (TokenSet.remove); numbers do not move. */
  removed: boolean;
  /** A value was typed for some field (TokenSet.edit). */
  edited: boolean;
  errors: number;
  warnings: number;
  infos: number;
  /** The fields an error names, as RecordPatch keys (what an editor should mark). */
  errorFields: (keyof TokenFields)[];
  /** 1-based position where the record starts in the file. */
  line: number | null;
  column: number | null;
}
/** How many records have one value, and whether Entra accepts it. */
export interface MixEntry<T> { value: T; count: number; accepted: boolean }
export interface TokenSetSummary {
  /** Every record read: valid + invalid + removed. */
  records: number;
  valid: number;
  invalid: number;
  removed: number;
  errors: number;
  warnings: number;
  infos: number;
}
/** The whole report for the page; no key in it. */
export interface TokenSetReport {
  format: DetectedFormat;
  rows: TokenSetRow[];
  /** The same object as validate() / `hwoath validate --json` (0-based `record`; removed records
   *  are not part of it: records === valid + invalid). */
  report: ValidationReport;
  summary: TokenSetSummary;
  /** The hash/period mix over every record of the upload (removed ones left out), unusable values
   *  included: a 45 s record is {value: 45, accepted: false}, a missing period {value: null, …}.
   *  Accepted values first. */
  mix: { hash: MixEntry<string | null>[]; period: MixEntry<number | null>[] };
  /** Devices in the listing the set was checked against. */
  listedDevices: number;
}
export interface TokenSetVariantsOptions {
  /** Variants per token, 1 to 64 (default 1). */
  copies?: number;
  /** More listing pages whose serials are avoided (the set's own listing always is). */
  listing?: string[];
  /** Only this record (0-based; it must be valid). Default: every valid record. */
  record?: number;
}
export interface TokenSetVariationOptions extends TokenSetVariantsOptions {
  /** List at most this many of the variants in `variants` (a page shows the first ones; the
   *  set holds them all). Default: every one. */
  list?: number;
}
export interface TokenSetVariants {
  /** Empty when any token was refused. No key. */
  variants: VariantInfo[];
  refusals: VariantRefusal[];
  /** SECRET: canonical #$delta of the variants (pretty, trailing newline); null when refused. */
  json: string | null;
  /** The same JSON with every secretKey masked, for display; null when refused. */
  bodyMasked: string | null;
}
/** TokenSet.normalizedStatus: what normalized() would write, without the JSON. */
export interface NormalizedStatus {
  /** The JSON is written: no record is invalid, or skipInvalid was given. */
  written: boolean;
  /** The invalid records: left out (skipInvalid) or blocking (written === false). */
  skipped: SkippedRecord[];
}
/** TokenSet.vary: the variants and, when none was refused, the set of them (for their requests,
 *  codes, sheet and their canonical JSON: `set.normalized().json`). No key outside `set`. */
export interface TokenSetVariation {
  /** How many variants were made (0 when any token was refused). */
  count: number;
  /** The first `list` of them (every one by default); empty when any token was refused. */
  variants: VariantInfo[];
  refusals: VariantRefusal[];
  /** The variants as a set of their own; null when refused. Free it when done. */
  set: TokenSet | null;
}
export interface TokenSetRequestOptions extends GraphRequestOptions {
  /** Only these records (0-based, each valid); default every record of the set, which must then
   *  all be valid or removed. `serial` narrows the selection further. */
  records?: number[];
  /** The answer(s) of the resolve-users step (each the JSON text as pasted): object ids for the
   *  UPNs; guests, disabled and unknown users are reported. */
  users?: string[];
  /** The answer(s) of a user-methods request (cleanup-duplicate). */
  userMethods?: string[];
  /** Pages of the tenant's device listing, for device ids by serial (default: the listing the
   *  set was opened with). */
  listing?: string[];
  /** list-all: only devices not assigned yet. */
  availableOnly?: boolean;
  /** list-all: devices per page. */
  top?: number;
}
/** What the resolve-users answer says about one user. */
export type UserState = "found" | "guest" | "disabled" | "notFound" | "failed" | "missing";
export interface ResolvedUser { upn: string; requestId: string; state: UserState; objectId: string | null;
  userPrincipalName: string | null; userType: string | null; accountEnabled: boolean | null; status: number | null; message: string | null }
export interface TokenUser { record: number; serialNumber: string; user: string | null; state: UserState; objectId: string | null }
/** The resolve-users answer(s) read against the set (TokenSet.resolveUsers). */
export interface UserResolution { users: ResolvedUser[]; tokens: TokenUser[]; found: number; notFound: number; guests: number;
  disabled: number; missing: number; diagnostics: FileDiagnostic[] }
/** A finding about a request (a guest or a disabled user…). */
export interface RequestWarning { severity: "error" | "warning" | "info"; code: string; message: string }
/** What every view of a Graph request has (no key; echoed values escaped). */
export interface RequestHead {
  method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT";
  url: string;
  permission: string;
  role: string;
  note: string;
  /** The records (0-based) the request concerns. */
  records: number[];
  /** Unix seconds when the verification code in the body stops being current. */
  expiresAt?: number;
  /** Download name: the body as .json (hardwareOathDevices-part-1-of-3.json), else the Graph
   *  Explorer text as .http. */
  fileName: string;
  /** What to know before sending it (escaped). */
  warnings: RequestWarning[];
}
/** One Graph request: display fields (no key) and copy fields (SECRET). */
export interface TokenSetRequest extends RequestHead {
  /** Display: the body (pretty JSON, trailing newline) with every secretKey masked; null without a body. */
  bodyMasked: string | null;
  httpMasked: string;
  powershellMasked: string;
  curlMasked: string;
  /** SECRET: the body to copy or download (pretty JSON, trailing newline); null without a body. */
  body: string | null;
  /** SECRET: Graph Explorer text. */
  http: string;
  /** SECRET: Invoke-MgGraphRequest command. */
  powershell: string;
  /** SECRET: curl command. */
  curl: string;
}
/** A request as TokenSet.prepare shows it: no key; its texts to copy are asked of
 *  TokenSet.requestText when the admin copies one. */
export interface PreparedRequest extends RequestHead {
  hasBody: boolean;
  /** Display: the body (pretty JSON, trailing newline) with every secretKey masked, for the
   *  first three requests of a build; null without a body, and for the later ones, whose
   *  masked body `requestText(build, index, "bodyMasked")` writes when it is to be shown. */
  bodyMasked: string | null;
}
/** The requests of one TokenSet.prepare: `build` names them for requestText and preparedDocument. */
export interface PreparedRequests { build: number; requests: PreparedRequest[] }
/** The texts of a request TokenSet.requestText renders: the display ones, then (SECRET) the ones to copy. */
export type RequestTextName =
  | "bodyMasked" | "httpMasked" | "powershellMasked" | "curlMasked" | "body" | "http" | "powershell" | "curl";
/** Every request of a build in one text, for a download. */
export interface RequestsDocument { fileName: string; text: string }
/** The formats of a requests document. */
export type RequestsFormat = "http" | "powershell" | "curl" | "powershell-script";
export interface TokenSetReconcileOptions {
  /** Tokens per bulk request when the set was sent in parts (default 100). */
  chunk?: number;
  /** 1-based part the response answers; omit when the set was one request. */
  part?: number;
  /** The records the requests were built for (TokenSetRequestOptions.records). */
  records?: number[];
}
/** Every row's code at one time (rows without a usable key, hash or period: null). */
export interface RowCodes {
  /** The whole second the codes are for. */
  time: number;
  rows: number[];
  codes: (string | null)[];
  secondsLeft: (number | null)[];
  period: (number | null)[];
}
/** TokenSet.verify: matched within the window, a scan to run, or a typing problem. */
export type VerifyOutcome =
  | { kind: "matched"; offsetSteps: number; offsetSeconds: number; fit: EntraFit; codes: number }
  | { kind: "scan"; codes: number; fromSteps: number; toSteps: number; message: string }
  | { kind: "input"; message: string };
/** One worker's share of a split drift scan: signed offsets from the step of `time`, inclusive. */
export interface DriftRange { fromSteps: number; toSteps: number }
/** A split drift scan, merged and judged. */
export interface DriftVerdict {
  /** Nearest first (behind before ahead on a tie). */
  candidates: DriftCandidate[];
  scannedSteps: number;
  nearest: (DriftCandidate & { fit: EntraFit }) | null;
}
/** One block of the end-user sheet; no key. Text fields are escaped for display. */
export interface SheetEntry {
  record: number;
  serialNumber: string;
  displayName: string | null;
  /** assignTo.id or the CSV upn. */
  user: string | null;
  manufacturer: string;
  model: string;
  hashFunction: GraphHashFunction;
  timeIntervalInSeconds: number;
  /** For a variant: the serial printed on the device (not the one to type). */
  printedSerial: string | null;
  /** For a variant: its note for the end user. */
  note: string | null;
}
"#;

const FREED: &str = "the token set was freed: open the file again";

/// Digits of the codes the set shows (Entra's hardware tokens).
fn digits() -> u32 {
    OtpParams::default().digits
}

/// A token file read once and kept in wasm memory, with its keys. See the module docs.
#[wasm_bindgen]
pub struct TokenSet {
    state: Option<State>,
}

struct State {
    /// The file as given: read again only to apply an edit. Wiped on drop.
    text: Zeroizing<String>,
    parse: ParseOptions,
    edits: Edits,
    report: Report,
    /// `report()`'s JSON (no key), until the next edit.
    report_json: RefCell<Option<String>>,
    /// One keyed generator per row, made on first use; wiped when dropped (on edit and free).
    generators: RefCell<Vec<Option<Generator>>>,
    /// For a set of variants (`variantSet`): per record, the serial printed on the device and the
    /// note for the end user (the sheet shows both).
    variant_of: Option<Vec<(String, String)>>,
    /// The requests of the last `prepare`, until the next one, an edit or `free()`.
    prepared: RefCell<Option<Prepared>>,
}

/// How many requests of a `prepare` come with their masked body (the first ones, which the page
/// shows open); the others' bodies are written when the admin opens or copies them
/// (`requestText`).
const SHOWN_BODIES: usize = 3;

/// Requests built for the set, with what they were built from. Those of `prepare` are kept in
/// the set with their keys, so that a text is rendered only when it is asked for (`requestText`,
/// `preparedDocument`), and a bulk upload's chunk bodies are written only then (core
/// `plan_requests_with`). Their bodies are wiped when dropped.
struct Prepared {
    build: u32,
    kind: RequestKind,
    /// The set's records the requests' token positions stand for.
    chosen: Vec<usize>,
    options: RequestOptions,
    inputs: RequestInputs,
    requests: Vec<GraphRequest>,
}

impl Prepared {
    /// The shown fields of each request.
    fn heads(&self) -> impl Iterator<Item = RequestHead<'_>> {
        let n = self.requests.len();
        self.requests
            .iter()
            .enumerate()
            .map(move |(i, r)| RequestHead::of(self.kind, &self.chosen, (i, n), r))
    }

    /// Writes the body the plan left out of request `i` (a bulk chunk), from the set's records.
    fn complete(&mut self, i: usize, records: &[Record]) {
        if !self.requests[i].body_deferred {
            return;
        }
        let tokens: Vec<&Token> = self
            .chosen
            .iter()
            .filter_map(|&r| records[r].token.as_ref())
            .collect();
        complete_request(
            &mut self.requests[i],
            i,
            &tokens,
            &self.options,
            &self.inputs,
        );
    }

    /// Writes every body the plan left out.
    fn complete_all(&mut self, records: &[Record]) {
        for i in 0..self.requests.len() {
            self.complete(i, records);
        }
    }
}

impl Drop for Prepared {
    fn drop(&mut self) {
        for body in self.requests.iter_mut().filter_map(|r| r.body.as_mut()) {
            wipe_strings(body);
        }
    }
}

thread_local! {
    /// Builds are numbered across every set, so a number never names two builds.
    static BUILDS: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

impl Drop for TokenSet {
    fn drop(&mut self) {
        self.state = None;
    }
}

/// The 6-digit generator of a record, when its key, hash and period are usable.
fn generator_of(r: &Record) -> Option<Generator> {
    let (secret, hash, period) = (r.secret.as_ref()?, r.hash_function?, r.time_interval?);
    Generator::new(
        secret,
        OtpParams {
            hash: hash.into(),
            digits: digits(),
            period,
        },
    )
    .ok()
}

impl State {
    fn new(text: Zeroizing<String>, parse: ParseOptions) -> Result<State, JsError> {
        let report = tokenfile::validate_edited(&text, &parse, &Edits::new())
            .map_err(|e| JsError::new(&e.to_string()))?;
        let rows = report.records.len();
        Ok(State {
            text,
            parse,
            edits: Edits::new(),
            report,
            report_json: RefCell::new(None),
            generators: RefCell::new((0..rows).map(|_| None).collect()),
            variant_of: None,
            prepared: RefCell::new(None),
        })
    }

    /// Checks the whole upload again with the edits; caches are dropped (generators wiped).
    fn recheck(&mut self) -> Result<(), JsError> {
        self.report = tokenfile::validate_edited(&self.text, &self.parse, &self.edits)
            .map_err(|e| JsError::new(&e.to_string()))?;
        *self.report_json.borrow_mut() = None;
        *self.generators.borrow_mut() = (0..self.report.records.len()).map(|_| None).collect();
        *self.prepared.borrow_mut() = None;
        Ok(())
    }

    fn row(&self, row: f64) -> Result<usize, JsError> {
        args::row(row, self.report.records.len())
    }

    /// The requests of the options object `options`, as build `build`: every body written, or
    /// (`plan`) a bulk upload's chunk bodies left to write when asked for.
    fn keep(&self, options: JsValue, build: u32, plan: bool) -> Result<Prepared, JsError> {
        self.build(&from_js(options)?, build, plan)
    }

    /// Runs `f` with the (cached) generator of `row`; throws when the row has no usable key.
    fn with_generator<T>(
        &self,
        row: usize,
        f: impl FnOnce(&Generator) -> Result<T, JsError>,
    ) -> Result<T, JsError> {
        let mut gens = self.generators.borrow_mut();
        if gens[row].is_none() {
            gens[row] = generator_of(&self.report.records[row]);
        }
        match &gens[row] {
            Some(g) => f(g),
            None => Err(JsError::new(&format!(
                "record {} has no usable key, hash and period, so it has no codes",
                row + 1
            ))),
        }
    }

    /// Runs `f` on `report()`'s JSON, made on first use and kept until the next edit.
    fn with_report_json<T>(&self, f: impl FnOnce(&str) -> T) -> Result<T, JsError> {
        if self.report_json.borrow().is_none() {
            let json = super::ascii_json(&ReportOut::of(self))?;
            *self.report_json.borrow_mut() = Some(json);
        }
        let cached = self.report_json.borrow();
        Ok(f(cached.as_deref().unwrap_or_default()))
    }

    /// The records a request or reconcile is for: `records` (each valid) or every record of the
    /// set (then none may be invalid; removed ones are left out), with their tokens.
    fn selection(&self, records: Option<&[f64]>) -> Result<(Vec<usize>, Vec<&Token>), JsError> {
        let rs = &self.report.records;
        let chosen: Vec<usize> = match records {
            Some(list) => {
                let mut chosen = list
                    .iter()
                    .map(|&r| self.row(r))
                    .collect::<Result<Vec<_>, _>>()?;
                chosen.sort_unstable();
                chosen.dedup();
                if let Some(&bad) = chosen.iter().find(|&&i| rs[i].token.is_none()) {
                    let why = if rs[bad].removed {
                        "removed"
                    } else {
                        "invalid"
                    };
                    return Err(JsError::new(&format!(
                        "record {} is {why}: no request can be built for it",
                        bad + 1
                    )));
                }
                chosen
            }
            None => {
                if self.report.invalid() > 0 || self.report.has_errors() {
                    let e = InvalidFile {
                        records: rs.len() - self.report.removed(),
                        invalid: self.report.invalid(),
                        errors: self
                            .report
                            .diagnostics
                            .iter()
                            .filter(|d| d.severity == Severity::Error)
                            .cloned()
                            .collect(),
                    };
                    return Err(JsError::new(&e.to_string()));
                }
                (0..rs.len()).filter(|&i| rs[i].token.is_some()).collect()
            }
        };
        let tokens = chosen
            .iter()
            .filter_map(|&i| rs[i].token.as_ref())
            .collect();
        Ok((chosen, tokens))
    }
}

/// `TokenSetRow`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RowOut {
    index: usize,
    serial_number: Option<String>,
    manufacturer: Option<String>,
    model: Option<String>,
    display_name: Option<String>,
    user: Option<String>,
    content_id: Option<String>,
    hash_function: Option<GraphHash>,
    time_interval_in_seconds: Option<u64>,
    secret_masked: Option<String>,
    secret_length: Option<usize>,
    has_code: bool,
    valid: bool,
    removed: bool,
    edited: bool,
    errors: usize,
    warnings: usize,
    infos: usize,
    error_fields: Vec<&'static str>,
    line: Option<u32>,
    column: Option<u32>,
}

/// The JS names of the fields a form or an edit gives (`TokenFields`), and the core's (Graph's)
/// names they stand for.
const FIELD_NAMES: [(&str, &str); 8] = [
    ("serialNumber", "serialNumber"),
    ("manufacturer", "manufacturer"),
    ("model", "model"),
    ("secret", "secretKey"),
    ("timeIntervalInSeconds", "timeIntervalInSeconds"),
    ("hashFunction", "hashFunction"),
    ("displayName", "displayName"),
    ("user", "assignTo"),
];

/// The `TokenFields` name of a Graph field, if it is one a person can edit.
fn js_field(graph: &str) -> Option<&'static str> {
    FIELD_NAMES
        .iter()
        .find(|(_, g)| *g == graph)
        .map(|(js, _)| *js)
}

/// An echoed value, escaped for display.
fn shown(v: &Option<String>) -> Option<String> {
    v.as_deref().map(|s| visible(s).into_owned())
}

/// `TokenSetReport`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportOut<'a> {
    format: &'static str,
    rows: Vec<RowOut>,
    report: &'a Report,
    summary: tokenfile::Summary,
    mix: tokenfile::Mix,
    listed_devices: usize,
}

impl ReportOut<'_> {
    fn of(state: &State) -> ReportOut<'_> {
        let report = &state.report;
        let mut counts = vec![[0usize; 3]; report.records.len()];
        let mut fields: Vec<Vec<&'static str>> = vec![Vec::new(); report.records.len()];
        for d in &report.diagnostics {
            if let Some(c) = d.record.and_then(|r| counts.get_mut(r)) {
                c[d.severity as usize] += 1;
            }
            if let (Severity::Error, Some(r), Some(f)) =
                (d.severity, d.record, d.field.and_then(js_field))
            {
                if let Some(list) = fields.get_mut(r).filter(|l| !l.contains(&f)) {
                    list.push(f);
                }
            }
        }
        let rows = report
            .records
            .iter()
            .zip(&counts)
            .zip(fields)
            .map(|((r, &[infos, warnings, errors]), error_fields)| RowOut {
                index: r.index,
                serial_number: shown(&r.serial_number),
                manufacturer: shown(&r.manufacturer),
                model: shown(&r.model),
                display_name: shown(&r.display_name),
                user: shown(&r.assign_to),
                content_id: shown(&r.content_id),
                hash_function: r.hash_function,
                time_interval_in_seconds: r.time_interval,
                secret_masked: r.secret.as_ref().map(|s| mask(&s.to_base32())),
                secret_length: r.secret.as_ref().map(|s| s.len()),
                has_code: r.secret.is_some()
                    && r.hash_function.is_some()
                    && r.time_interval.is_some(),
                valid: r.is_valid(),
                removed: r.removed,
                edited: state.edits.is_edited(r.index),
                errors,
                warnings,
                infos,
                error_fields,
                line: r.line,
                column: r.column,
            })
            .collect();
        ReportOut {
            format: report.format.as_str(),
            rows,
            report,
            summary: report.summary(),
            mix: report.mix(),
            listed_devices: state.parse.listing.len(),
        }
    }
}

/// `TokenFields` (the form, and an edit's fields). The typed key is wiped on drop.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenFields {
    serial_number: String,
    manufacturer: String,
    model: String,
    secret: String,
    time_interval_in_seconds: f64,
    hash_function: String,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    user: Option<String>,
}

impl Drop for TokenFields {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

/// A JSON number for a typed `timeIntervalInSeconds`: whole numbers without a fraction.
#[derive(Serialize)]
#[serde(untagged)]
enum Number {
    Whole(i64),
    Other(f64),
}

impl Number {
    fn of(v: f64) -> Result<Number, JsError> {
        if !v.is_finite() {
            return Err(JsError::new("timeIntervalInSeconds must be a number"));
        }
        Ok(if v.fract() == 0.0 && v.abs() < 9.0e15 {
            Number::Whole(v as i64)
        } else {
            Number::Other(v)
        })
    }
}

/// The one-token `#$delta` body the form's fields make (values as typed; the rules judge them).
#[derive(Serialize)]
struct FormBody<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    value: [FormItem<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FormItem<'a> {
    #[serde(rename = "@contentId")]
    content_id: &'static str,
    serial_number: &'a str,
    manufacturer: &'a str,
    model: &'a str,
    secret_key: &'a str,
    time_interval_in_seconds: Number,
    hash_function: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    display_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    assign_to: Option<AssignTo<'a>>,
}

#[derive(Serialize)]
struct AssignTo<'a> {
    id: &'a str,
}

/// `{ skipInvalid?: boolean }` of `normalized` and `normalizedStatus`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SkipInvalid {
    skip_invalid: bool,
}

/// `TokenSetVariantsOptions`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VariantsOpts {
    copies: f64,
    listing: Vec<String>,
    record: Option<f64>,
    /// `vary` only: how many of the variants to list.
    list: Option<f64>,
    /// Accepted for `VariantsOptions` callers; the set's own hash option applies.
    #[allow(dead_code)]
    hash_function: Option<String>,
}

impl Default for VariantsOpts {
    fn default() -> Self {
        VariantsOpts {
            copies: 1.0,
            listing: Vec::new(),
            record: None,
            list: None,
            hash_function: None,
        }
    }
}

/// `TokenSetVariants`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VariantsOut<'a> {
    variants: &'a [Variant],
    refusals: &'a [Refusal],
    json: Option<&'a str>,
    body_masked: Option<&'a str>,
}

/// `TokenSetRequestOptions`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RequestOpts {
    request: String,
    chunk: Option<f64>,
    user: Option<String>,
    device_id: Option<String>,
    time: Option<f64>,
    serial: Option<String>,
    records: Option<Vec<f64>>,
    users: Vec<String>,
    user_methods: Vec<String>,
    listing: Option<Vec<String>>,
    available_only: bool,
    top: Option<f64>,
    /// Accepted for `GraphRequestOptions` callers; the set's own hash option applies.
    #[allow(dead_code)]
    hash_function: Option<String>,
}

/// A request's finding, for `TokenSetRequest.warnings` (escaped).
#[derive(Serialize)]
struct WarningOut {
    severity: Severity,
    code: &'static str,
    message: String,
}

impl State {
    /// The requests of `o` for the set, with the records each concerns (0-based, in the set).
    fn build(&self, o: &RequestOpts, build: u32, plan: bool) -> Result<Prepared, JsError> {
        let kind = args::request_kind(&o.request)?;
        let options = RequestOptions {
            kind,
            chunk: args::chunk(o.chunk)?,
            user: o.user.clone().filter(|u| !u.is_empty()),
            device_id: o.device_id.clone().filter(|d| !d.is_empty()),
            time: args::request_time(o.time)?,
            serial: o.serial.clone().filter(|x| !x.is_empty()),
        };
        let (chosen, tokens) = self.selection(o.records.as_deref())?;
        fn answers(texts: &[String]) -> Vec<&str> {
            texts.iter().map(String::as_str).collect()
        }
        let inputs = RequestInputs {
            users: (!o.users.is_empty())
                .then(|| read_users(&tokens, options.user.as_deref(), &answers(&o.users)))
                .transpose()
                .map_err(|e| JsError::new(&format!("resolved users: {e}")))?,
            user_methods: (!o.user_methods.is_empty())
                .then(|| read_user_methods(&answers(&o.user_methods)))
                .transpose()
                .map_err(|e| JsError::new(&format!("user methods: {e}")))?,
            listing: match &o.listing {
                Some(pages) => Some(args::listing(pages, |i| format!("listing page {}", i + 1))?),
                None => (!self.parse.listing.is_empty()).then(|| self.parse.listing.clone()),
            },
            inventory: InventoryQuery {
                available_only: o.available_only,
                top: o
                    .top
                    .map(|t| args::count("top", t, 1.0, 999.0))
                    .transpose()?
                    .map(|t| t as u32),
            },
        };
        let make = if plan {
            plan_requests_with
        } else {
            build_requests_with
        };
        let requests =
            make(&tokens, &options, &inputs).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Prepared {
            build,
            kind,
            chosen,
            options,
            inputs,
            requests,
        })
    }
}

/// The texts of a `TokenSetRequest`, in the order of the type: the display ones, then the ones to
/// copy (SECRET).
const TEXTS: [&str; 8] = [
    "bodyMasked",
    "httpMasked",
    "powershellMasked",
    "curlMasked",
    "body",
    "http",
    "powershell",
    "curl",
];

/// The fields every view of a request has (no text, no key; echoed values escaped).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestHead<'a> {
    method: &'static str,
    url: &'a str,
    permission: &'a str,
    role: &'a str,
    note: String,
    records: Vec<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires_at: Option<u64>,
    file_name: String,
    warnings: Vec<WarningOut>,
}

impl<'a> RequestHead<'a> {
    /// Request `i` of the `n` of `kind`; `chosen` maps its records to the set's.
    fn of(
        kind: RequestKind,
        chosen: &[usize],
        (i, n): (usize, usize),
        r: &'a GraphRequest,
    ) -> Self {
        RequestHead {
            method: r.method,
            url: &r.url,
            permission: &r.permission,
            role: &r.role,
            note: visible(&r.note).into_owned(),
            records: r.records.iter().map(|&t| chosen[t]).collect(),
            expires_at: r.expires_at,
            file_name: kind.file_name(i, n, r.body.is_some()),
            warnings: r
                .warnings
                .iter()
                .map(|w| WarningOut {
                    severity: w.severity,
                    code: w.code,
                    message: visible(&w.message).into_owned(),
                })
                .collect(),
        }
    }
}

/// `TokenSetRequest` without its [`TEXTS`], which are `null` here and set as strings.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RequestOut<'a> {
    #[serde(flatten)]
    head: RequestHead<'a>,
    // The TEXTS, `null` until set.
    body_masked: (),
    http_masked: (),
    powershell_masked: (),
    curl_masked: (),
    body: (),
    http: (),
    powershell: (),
    curl: (),
}

/// `PreparedRequest` without `bodyMasked`, which is set as a string.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PreparedOut<'a> {
    #[serde(flatten)]
    head: RequestHead<'a>,
    has_body: bool,
    body_masked: (),
}

/// Text `what` (one of [`TEXTS`]) of request `r`: the masked ones are escaped for display, the
/// others hold the keys (wiped on drop). `None` for a body the request does not have.
fn request_text(r: &GraphRequest, what: &str) -> Option<WipedText> {
    let display = |t: String| WipedText::from(visible_lines(&t).into_owned());
    let shown = || masked(r);
    Some(match what {
        // JSON written by the engine escapes every character `visible` would (SafeFormatter):
        // shown as it is.
        "bodyMasked" => format!("{}\n", render::pretty_masked(r.body.as_ref()?)).into(),
        "httpMasked" => display(render::http(&shown())),
        "powershellMasked" => display(render::powershell(&shown())),
        "curlMasked" => display(render::curl(&shown())),
        "body" => body_text(r)?,
        "http" => render::http(r).into(),
        "powershell" => render::powershell(r).into(),
        _ => render::curl(r).into(),
    })
}

/// A `RequestsDocument` of `requests` (of `kind`) in `format`: the text holds the keys.
fn document_out(
    kind: RequestKind,
    requests: &[GraphRequest],
    format: &str,
) -> Result<JsValue, JsError> {
    let format = render::Format::parse(format)
        .filter(|f| *f != render::Format::Json)
        .ok_or_else(|| {
            JsError::new(
                "format must be \"http\", \"powershell\", \"curl\" or \"powershell-script\"",
            )
        })?;
    let text = WipedText::from(render::document(requests, format));
    let base = kind.file_name(0, 1, false);
    let base = base.trim_end_matches(".http");
    let file_name = match format {
        render::Format::Http => format!("{base}-all.http"),
        render::Format::Powershell => format!("{base}-all.ps1"),
        render::Format::PowershellScript => format!("{base}-send.ps1"),
        _ => format!("{base}-all.sh"),
    };
    let out = json_value(&serde_json::json!({ "fileName": file_name, "text": null }))?;
    set_texts(&out, &[("text", Some(text.0.as_str()))])?;
    Ok(out)
}

/// A body as the text to copy: pretty JSON with a trailing newline.
fn body_text(r: &GraphRequest) -> Option<WipedText> {
    r.body.as_ref().map(|b| {
        let mut s = Zeroizing::new(render::pretty(b));
        s.push('\n');
        WipedText(s)
    })
}

/// `TokenSetReconcileOptions`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ReconcileOpts {
    chunk: Option<f64>,
    part: Option<f64>,
    records: Option<Vec<f64>>,
}

/// Every text Graph's answer or the file put into a reconciliation, escaped for display.
fn escape_reconciliation(r: &mut Reconciliation) {
    let esc = |s: &mut String| {
        if let std::borrow::Cow::Owned(v) = visible(s) {
            *s = v;
        }
    };
    let esc_opt = |s: &mut Option<String>| {
        if let Some(s) = s {
            esc(s);
        }
    };
    for t in &mut r.tokens {
        esc(&mut t.content_id);
        esc(&mut t.serial_number);
        esc_opt(&mut t.device_id);
        esc_opt(&mut t.device_status);
        esc_opt(&mut t.reason);
    }
    for u in &mut r.unmatched {
        esc_opt(&mut u.content_id);
        esc_opt(&mut u.serial_number);
        esc(&mut u.message);
    }
    for n in &mut r.notes {
        esc(n);
    }
}

/// `RowCodes`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CodesOut {
    time: u64,
    rows: Vec<usize>,
    codes: Vec<Option<String>>,
    seconds_left: Vec<Option<u64>>,
    period: Vec<Option<u64>>,
}

/// `{fromSteps, toSteps}` of `drift`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Range {
    from_steps: f64,
    to_steps: f64,
}

/// `SheetEntry`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SheetEntry {
    record: usize,
    serial_number: String,
    display_name: Option<String>,
    user: Option<String>,
    manufacturer: String,
    model: String,
    hash_function: GraphHash,
    time_interval_in_seconds: u64,
    printed_serial: Option<String>,
    note: Option<String>,
}

/// The text of `input`: a JS string, or a file's bytes (UTF-8 with or without a byte order
/// mark; UTF-16 and other encodings are refused as by the CLI, core `text_from_bytes`). The
/// engine's copies are wiped; the caller wipes its own `Uint8Array`.
fn input_text(input: &JsValue) -> Result<Zeroizing<String>, JsError> {
    if let Some(string) = input.dyn_ref::<JsString>() {
        // The browser's encoder writes the text straight into wasm memory: several times faster
        // for a large file than wasm-bindgen's string copy, which walks ASCII text in JS a
        // character at a time. A JS string is well-formed UTF-16 or has lone surrogates, which
        // the encoder writes as U+FFFD, as wasm-bindgen's copy does.
        let units = string.length() as usize;
        if let Some(text) = ascii_into_wasm(string, units) {
            return utf8_text(text);
        }
        // Not ASCII: encoded by the browser, then copied in.
        let encoded = ENCODER.with(|e| e.encode_with_input(input));
        let text = utf8_text(encoded.to_vec());
        // The encoder's copy is the engine's too: wiped.
        encoded.fill(0, 0, encoded.length());
        return text;
    }
    if let Some(bytes) = input.dyn_ref::<Uint8Array>() {
        let mut bytes = Zeroizing::new(bytes.to_vec());
        tokenfile::text_from_bytes("the file", &bytes).map_err(|e| JsError::new(&e.to_string()))?;
        // Checked to be UTF-8 just now: moved into the text, not copied again.
        return utf8_text(std::mem::take(&mut *bytes));
    }
    Err(JsError::new(
        "input must be the file's text (a string) or its bytes (a Uint8Array)",
    ))
}

/// `bytes` as text, moved (not copied); wiped when they are not UTF-8.
fn utf8_text(bytes: Vec<u8>) -> Result<Zeroizing<String>, JsError> {
    String::from_utf8(bytes).map(Zeroizing::new).map_err(|e| {
        e.into_bytes().zeroize();
        JsError::new("input: the text is not valid Unicode")
    })
}

/// The string's bytes when it is ASCII (one byte per UTF-16 unit, as nearly every token file
/// is), written by the browser's `TextEncoder.encodeInto` straight into a buffer of this
/// module's memory: no copy of the file is made in JS. `None` (the buffer wiped) when some
/// character takes more than one byte.
fn ascii_into_wasm(string: &JsString, units: usize) -> Option<Vec<u8>> {
    let mut buf = Zeroizing::new(vec![0u8; units]);
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    // A view of exactly the buffer, made just before the encoder writes into it (nothing in
    // between can grow the memory and detach it).
    let view = Uint8Array::new_with_byte_offset_and_length(
        &memory.buffer(),
        buf.as_mut_ptr() as usize as u32,
        units as u32,
    );
    let done = ENCODER.with(|e| e.encode_into(string, &view));
    // The encoder wrote through the memory, not through `buf`: its contents are read afresh.
    std::hint::black_box(&mut *buf);
    if done.read() as usize != units {
        return None;
    }
    buf.truncate(done.written() as usize);
    Some(std::mem::take(&mut *buf))
}

#[wasm_bindgen]
extern "C" {
    /// The platform's `TextEncoder` (browsers, workers, Node).
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encode)]
    fn encode_with_input(this: &TextEncoder, input: &JsValue) -> Uint8Array;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, input: &JsString, dest: &Uint8Array) -> EncodeResult;
    /// `{read, written}` of `encodeInto`: UTF-16 units read, bytes written.
    type EncodeResult;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeResult) -> f64;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeResult) -> f64;
}

thread_local! {
    /// The one `TextEncoder` of this thread.
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// `patch` as typed values: each key one of the editable fields, each value a string (a number
/// for `timeIntervalInSeconds` may be either).
fn patch_values(patch: &JsValue) -> Result<Vec<(String, Typed)>, JsError> {
    if !patch.is_object() || Array::is_array(patch) {
        return Err(JsError::new(
            "patch must be an object of the fields to change",
        ));
    }
    let keys = js_sys::Object::keys(patch.unchecked_ref::<js_sys::Object>());
    let mut out = Vec::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        let js = key.as_string().unwrap_or_default();
        let Some(&(_, name)) = FIELD_NAMES.iter().find(|(n, _)| *n == js) else {
            return Err(JsError::new(&format!(
                "patch: \"{}\" cannot be edited; the fields are {}",
                visible(&js),
                FIELD_NAMES.map(|(n, _)| n).join(", ")
            )));
        };
        debug_assert!(EDITABLE_FIELDS.contains(&name));
        let name = name.to_string();
        let v = Reflect::get(patch, &key).map_err(|_| JsError::new("patch: unreadable"))?;
        let typed = if let Some(s) = v.as_string() {
            Typed::Text(Zeroizing::new(s))
        } else if let (Some(n), "timeIntervalInSeconds") = (v.as_f64(), name.as_str()) {
            Typed::number(n).ok_or_else(|| {
                JsError::new("patch: timeIntervalInSeconds must be a finite number")
            })?
        } else if v.is_undefined() {
            continue;
        } else {
            return Err(JsError::new(&format!(
                "patch: {name} must be {}",
                if name == "timeIntervalInSeconds" {
                    "a number"
                } else {
                    "a string"
                }
            )));
        };
        out.push((name, typed));
    }
    Ok(out)
}

impl TokenSet {
    fn state(&self) -> Result<&State, JsError> {
        self.state.as_ref().ok_or_else(|| JsError::new(FREED))
    }

    fn state_mut(&mut self) -> Result<&mut State, JsError> {
        self.state.as_mut().ok_or_else(|| JsError::new(FREED))
    }

    /// The kept build `build`, or the error saying it is out of date (`then`: what to do).
    fn prepared(
        &self,
        build: u32,
        then: &str,
    ) -> Result<std::cell::RefMut<'_, Option<Prepared>>, JsError> {
        let p = self.state()?.prepared.borrow_mut();
        match &*p {
            Some(kept) if kept.build == build => Ok(p),
            _ => Err(JsError::new(&format!(
                "These requests were built again since: {then}."
            ))),
        }
    }

    /// The set of the variants `made` of this set's tokens, checked as a file of them is.
    fn set_of(&self, made: &[Variant]) -> Result<TokenSet, JsError> {
        let list: Vec<&Token> = made.iter().map(|v| &v.token).collect();
        let parse = self.state()?.parse.clone();
        let mut set = TokenSet::of_text(delta_json(&list), parse)?;
        if let Some(state) = &mut set.state {
            state.variant_of = Some(
                made.iter()
                    .map(|v| (v.original_serial.clone(), v.note.clone()))
                    .collect(),
            );
        }
        Ok(set)
    }

    /// The set of a text already checked to be usable.
    fn of_text(text: Zeroizing<String>, parse: ParseOptions) -> Result<TokenSet, JsError> {
        Ok(TokenSet {
            state: Some(State::new(text, parse)?),
        })
    }

    /// The variants of `options` and the set's originals they were made for.
    fn make_variants(
        &self,
        o: &VariantsOpts,
    ) -> Result<Result<Vec<Variant>, Vec<Refusal>>, JsError> {
        let s = self.state()?;
        let copies = args::count("copies", o.copies, 1.0, MAX_COPIES as f64)?;
        let mut listing_serials: Vec<String> = s
            .parse
            .listing
            .iter()
            .map(|d| d.serial_number.clone())
            .collect();
        listing_serials.extend(
            args::listing(&o.listing, |i| format!("listing page {}", i + 1))?
                .into_iter()
                .map(|d| d.serial_number),
        );
        let mut chosen = originals(&s.report);
        if let Some(r) = o.record {
            let r = s.row(r)?;
            chosen.retain(|o| o.record == r);
            if chosen.is_empty() {
                return Err(JsError::new(&format!(
                    "record {} is {}: only a valid token can be varied",
                    r + 1,
                    if s.report.records[r].removed {
                        "removed"
                    } else {
                        "invalid"
                    }
                )));
            }
        }
        // Every serial and key of the upload stays taken, not only the varied tokens'.
        let upload = s.report.records.iter().filter(|r| !r.removed);
        let serials: Vec<&str> = upload
            .clone()
            .filter_map(|r| r.serial_number.as_deref())
            .collect();
        let keys: Vec<&[u8]> = upload
            .filter_map(|r| r.secret.as_ref().map(|k| k.as_bytes()))
            .collect();
        Ok(make_variants_avoiding(
            &chosen,
            &VariantOptions {
                copies,
                listing_serials,
            },
            Taken {
                serials: &serials,
                keys: &keys,
            },
        ))
    }
}

#[wasm_bindgen]
impl TokenSet {
    /// Reads and validates a token file once (Token2/Graph JSON, bare array, single object,
    /// legacy CSV): `input` is its text or its bytes. Throws only for unusable input (not a token
    /// file, over the limits, bad options).
    #[wasm_bindgen(js_name = open)]
    pub fn open(
        #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] input: JsValue,
        options: Option<TokenFileOptionsJs>,
    ) -> Result<TokenSet, JsError> {
        let o: Options = from_js(given(options))?;
        let parse = o.parse_options(|i| format!("listing page {}", i + 1))?;
        TokenSet::of_text(input_text(&input)?, parse)
    }

    /// A one-token set from the "one token by hand" form: the `#$delta` body is written here
    /// from the fields as typed, and checked like a file's.
    #[wasm_bindgen(js_name = fromFields)]
    pub fn from_fields(
        #[wasm_bindgen(unchecked_param_type = "TokenFields")] fields: JsValue,
    ) -> Result<TokenSet, JsError> {
        args::only_keys("fields", &fields, &FIELD_NAMES.map(|(js, _)| js))?;
        let f: TokenFields = serde_wasm_bindgen::from_value(fields)
            .map_err(|e| JsError::new(&format!("fields: {e}")))?;
        let body = FormBody {
            context: "#$delta",
            value: [FormItem {
                content_id: "1",
                serial_number: &f.serial_number,
                manufacturer: &f.manufacturer,
                model: &f.model,
                secret_key: &f.secret,
                time_interval_in_seconds: Number::of(f.time_interval_in_seconds)?,
                hash_function: &f.hash_function,
                display_name: f.display_name.as_deref(),
                assign_to: f.user.as_deref().map(|id| AssignTo { id }),
            }],
        };
        let mut buf = WipeBuf::with_capacity(512);
        serde_json::to_writer_pretty(&mut buf, &body).map_err(|e| JsError::new(&e.to_string()))?;
        buf.push(b'\n');
        TokenSet::of_text(buf.into_string(), ParseOptions::default())
    }

    /// The whole report for the page (rows, diagnostics, summary, mix); no key in it. Cached
    /// until the next edit.
    #[wasm_bindgen(unchecked_return_type = "TokenSetReport")]
    pub fn report(&self) -> Result<JsValue, JsError> {
        self.state()?
            .with_report_json(js_sys::JSON::parse)?
            .map_err(|_| JsError::new("internal: the report is not JSON"))
    }

    /// The report as JSON text (the same object as `report()`), to post to another thread as
    /// one string and parse there.
    #[wasm_bindgen(js_name = reportJson, unchecked_return_type = "string")]
    pub fn report_json(&self) -> Result<JsValue, JsError> {
        self.state()?.with_report_json(JsValue::from_str)
    }

    /// SECRET (`json`): the canonical `#$delta` of the valid records, for copy and download.
    /// With an invalid record and without `skipInvalid`, `json` is null and `skipped` lists what
    /// blocks it. Removed records are left out either way.
    #[wasm_bindgen(unchecked_return_type = "NormalizeResult")]
    pub fn normalized(&self, options: Option<SkipInvalidJs>) -> Result<JsValue, JsError> {
        let s = self.state()?;
        let o: SkipInvalid = from_js(given(options))?;
        let n = tokenfile::normalize(&s.report, true).map_err(|e| JsError::new(&e.to_string()))?;
        normalize_out(&n, o.skip_invalid || n.skipped.is_empty())
    }

    /// What [`normalized`](Self::normalized) would write, without writing it (no key): whether
    /// the JSON is written (`written`: no invalid record, or `skipInvalid`) and the invalid
    /// records it leaves out or that block it. The page shows this; the JSON is written when the
    /// admin copies or downloads it.
    #[wasm_bindgen(js_name = normalizedStatus, unchecked_return_type = "NormalizedStatus")]
    pub fn normalized_status(&self, options: Option<SkipInvalidJs>) -> Result<JsValue, JsError> {
        #[derive(Serialize)]
        struct Status {
            written: bool,
            skipped: Vec<tokenfile::Skipped>,
        }
        let s = self.state()?;
        let o: SkipInvalid = from_js(given(options))?;
        let skipped =
            tokenfile::skipped(&s.report, true).map_err(|e| JsError::new(&e.to_string()))?;
        json_value(&Status {
            written: o.skip_invalid || skipped.is_empty(),
            skipped,
        })
    }

    /// Duplicate-safe variants of every valid token, or of one (`record`): `variants` and
    /// `refusals` carry no key, `json` is SECRET, `bodyMasked` is for display. Every serial and
    /// key of the set, and the listing's serials, are avoided.
    #[wasm_bindgen(unchecked_return_type = "TokenSetVariants")]
    pub fn variants(&self, options: Option<VariantsOptionsJs>) -> Result<JsValue, JsError> {
        match self.make_variants(&from_js(given(options))?)? {
            Ok(made) => {
                let list: Vec<&Token> = made.iter().map(|v| &v.token).collect();
                let json = delta_json(&list);
                // Escaped as it is written (SafeFormatter), like every JSON text of the engine.
                let shown = masked_delta_json(&list);
                let out = json_value(&VariantsOut {
                    variants: &made,
                    refusals: &[],
                    json: None,
                    body_masked: None,
                })?;
                set_texts(
                    &out,
                    &[
                        ("json", Some(json.as_str())),
                        ("bodyMasked", Some(shown.as_str())),
                    ],
                )?;
                Ok(out)
            }
            Err(refusals) => json_value(&VariantsOut {
                variants: &[],
                refusals: &refusals,
                json: None,
                body_masked: None,
            }),
        }
    }

    /// The same variants as a new set (for their requests, codes and sheet). Throws, naming
    /// them, when a token cannot be varied.
    #[wasm_bindgen(js_name = variantSet)]
    pub fn variant_set(&self, options: Option<VariantsOptionsJs>) -> Result<TokenSet, JsError> {
        let made = self
            .make_variants(&from_js(given(options))?)?
            .map_err(|refusals| {
                let list: Vec<String> = refusals.iter().map(ToString::to_string).collect();
                JsError::new(&format!(
                    "{} token(s) cannot be varied safely: {}",
                    refusals.len(),
                    list.join("; ")
                ))
            })?;
        self.set_of(&made)
    }

    /// The variants of `options` (as [`variants`](Self::variants), made once) and, when none was
    /// refused, their set (as [`variantSet`](Self::variant_set)): what the page shows and what
    /// it works on next, in one call. Nothing returned holds a key outside the new set.
    #[wasm_bindgen(unchecked_return_type = "TokenSetVariation")]
    pub fn vary(&self, options: Option<VariationOptionsJs>) -> Result<JsValue, JsError> {
        /// `TokenSetVariation` without its `set`, which is set on it.
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct VariationOut<'a> {
            count: usize,
            variants: &'a [Variant],
            refusals: &'a [Refusal],
            set: (),
        }
        let o: VariantsOpts = from_js(given(options))?;
        let listed = match o.list {
            Some(n) => args::count("list", n, 0.0, 1.0e9)?,
            None => usize::MAX,
        };
        let out = match self.make_variants(&o)? {
            Ok(made) => {
                let set = self.set_of(&made)?;
                let out = json_value(&VariationOut {
                    count: made.len(),
                    variants: &made[..listed.min(made.len())],
                    refusals: &[],
                    set: (),
                })?;
                Reflect::set(&out, &JsValue::from_str("set"), &JsValue::from(set))
                    .map_err(|_| JsError::new("internal: a result cannot be written"))?;
                out
            }
            Err(refusals) => json_value(&VariationOut {
                count: 0,
                variants: &[],
                refusals: &refusals,
                set: (),
            })?,
        };
        Ok(out)
    }

    /// The Graph requests of `options.request` for the set (or `options.records`): display
    /// fields without a key, copy fields SECRET. Throws for impossible options and, without
    /// `records`, when a record of the set is invalid (fix, remove or select).
    #[wasm_bindgen(unchecked_return_type = "TokenSetRequest[]")]
    pub fn requests(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenSetRequestOptions")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        let prepared = self.state()?.keep(options, 0, false)?;
        let meta: Vec<RequestOut> = prepared
            .heads()
            .map(|head| RequestOut {
                head,
                body_masked: (),
                http_masked: (),
                powershell_masked: (),
                curl_masked: (),
                body: (),
                http: (),
                powershell: (),
                curl: (),
            })
            .collect();
        let out = json_value(&meta)?;
        let items: Array = out.clone().unchecked_into();
        for (i, r) in prepared.requests.iter().enumerate() {
            // Display first, then the texts to copy (SECRET), each wiped once JS has it.
            let texts: Vec<(&str, Option<WipedText>)> =
                TEXTS.iter().map(|&k| (k, request_text(r, k))).collect();
            let pairs: Vec<(&str, Option<&str>)> = texts
                .iter()
                .map(|(k, t)| (*k, t.as_ref().map(|t| t.0.as_str())))
                .collect();
            set_texts(&items.get(i as u32), &pairs)?;
        }
        Ok(out)
    }

    /// The Graph requests of `options` (as [`requests`](Self::requests)) built and kept in the
    /// set: what comes back is only what the page shows (no key; `bodyMasked` escaped), and a
    /// build number. A text to copy is rendered when it is asked for (`requestText`,
    /// `preparedDocument`), so a bulk upload of 10,000 tokens does not turn into eight texts per
    /// request at once. The next `prepare`, an edit or `free()` drops (and wipes) the build.
    #[wasm_bindgen(unchecked_return_type = "PreparedRequests")]
    pub fn prepare(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenSetRequestOptions")] options: JsValue,
    ) -> Result<JsValue, JsError> {
        let s = self.state()?;
        // A failed build leaves no earlier one behind to copy from.
        *s.prepared.borrow_mut() = None;
        let build = BUILDS.with(|b| {
            b.set(b.get().wrapping_add(1).max(1));
            b.get()
        });
        let mut prepared = s.keep(options, build, true)?;
        let shown = SHOWN_BODIES.min(prepared.requests.len());
        for i in 0..shown {
            prepared.complete(i, &s.report.records);
        }
        let heads: Vec<PreparedOut> = prepared
            .heads()
            .zip(&prepared.requests)
            .map(|(head, r)| PreparedOut {
                head,
                has_body: r.body.is_some() || r.body_deferred,
                body_masked: (),
            })
            .collect();
        let list = json_value(&heads)?;
        let items: &Array = list.unchecked_ref();
        for (i, r) in prepared.requests.iter().enumerate().take(shown) {
            let body = request_text(r, "bodyMasked");
            set_texts(
                &items.get(i as u32),
                &[("bodyMasked", body.as_ref().map(|t| t.0.as_str()))],
            )?;
        }
        let out = js_sys::Object::new();
        Reflect::set(&out, &JsValue::from_str("build"), &JsValue::from(build))
            .and_then(|_| Reflect::set(&out, &JsValue::from_str("requests"), &list))
            .map_err(|_| JsError::new("internal: a result cannot be written"))?;
        *s.prepared.borrow_mut() = Some(prepared);
        Ok(out.into())
    }

    /// SECRET for `body`, `http`, `powershell` and `curl`: text `what` of request `index`
    /// (0-based) of build `build` (`prepare`), rendered now; the masked texts are for display.
    /// Throws when the set was edited or built again since (copy from the new requests), and
    /// for a request without a body asked for `body`.
    #[wasm_bindgen(js_name = requestText, unchecked_return_type = "string")]
    pub fn request_text(
        &self,
        build: u32,
        index: f64,
        #[wasm_bindgen(unchecked_param_type = "RequestTextName")] what: &str,
    ) -> Result<JsValue, JsError> {
        if !TEXTS.contains(&what) {
            return Err(JsError::new(&format!(
                "what must be one of {}",
                TEXTS.join(", ")
            )));
        }
        let mut p = self.prepared(build, "copy from the new ones")?;
        let p = p.as_mut().expect("checked");
        let i = args::row(index, p.requests.len())?;
        p.complete(i, &self.state()?.report.records);
        let text = request_text(&p.requests[i], what)
            .ok_or_else(|| JsError::new("this request has no body"))?;
        Ok(js_text(&text.0))
    }

    /// SECRET: every request of build `build` (`prepare`) in one text of `format` (as
    /// `requestsDocument`), with its file name. Throws when the build is out of date.
    #[wasm_bindgen(js_name = preparedDocument, unchecked_return_type = "RequestsDocument")]
    pub fn prepared_document(
        &self,
        build: u32,
        #[wasm_bindgen(unchecked_param_type = "RequestsFormat")] format: &str,
    ) -> Result<JsValue, JsError> {
        let mut p = self.prepared(build, "download the new ones")?;
        let p = p.as_mut().expect("checked");
        p.complete_all(&self.state()?.report.records);
        document_out(p.kind, &p.requests, format)
    }

    /// SECRET: every request of `options` in one text of `format` (an HTTP file, PowerShell,
    /// curl, or one PowerShell script that sends them all and saves every answer), for a
    /// download, with its file name.
    #[wasm_bindgen(js_name = requestsDocument, unchecked_return_type = "RequestsDocument")]
    pub fn requests_document(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TokenSetRequestOptions")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "RequestsFormat")] format: &str,
    ) -> Result<JsValue, JsError> {
        let built = self.state()?.keep(options, 0, false)?;
        document_out(built.kind, &built.requests, format)
    }

    /// The pasted answer(s) of the resolve-users step read against the set's users: per user
    /// found, a guest, disabled, not found or not answered (HW501–HW504), and the object id each
    /// token's requests will use. `user` is the user given for every token, if any. Escaped.
    #[wasm_bindgen(js_name = resolveUsers, unchecked_return_type = "UserResolution")]
    pub fn resolve_users(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] answers: Vec<String>,
        user: Option<String>,
    ) -> Result<JsValue, JsError> {
        let s = self.state()?;
        let (chosen, tokens) = s.selection(None)?;
        let texts: Vec<&str> = answers.iter().map(String::as_str).collect();
        let mut r = read_users(&tokens, user.as_deref().filter(|u| !u.is_empty()), &texts)
            .map_err(|e| JsError::new(&format!("resolved users: {e}")))?;
        for t in &mut r.tokens {
            t.record = chosen[t.record];
        }
        json_value(&r)
    }

    /// Checks the set again with other options (the default hash for records that state none,
    /// the tenant listing); the admin's edits are kept. Returns the new report.
    #[wasm_bindgen(js_name = setOptions, unchecked_return_type = "TokenSetReport")]
    pub fn set_options(&mut self, options: Option<TokenFileOptionsJs>) -> Result<JsValue, JsError> {
        let o: Options = from_js(given(options))?;
        let parse = o.parse_options(|i| format!("listing page {}", i + 1))?;
        let s = self.state_mut()?;
        let before = std::mem::replace(&mut s.parse, parse);
        if let Err(e) = s.recheck() {
            s.parse = before;
            s.recheck()?;
            return Err(e);
        }
        self.report()
    }

    /// Graph's pasted answer mapped to the set's tokens (the records of `options.records` when
    /// the requests were built for them). Every echoed field is escaped.
    #[wasm_bindgen(unchecked_return_type = "Reconciliation")]
    pub fn reconcile(
        &self,
        response: &str,
        options: Option<ReconcileOptionsJs>,
    ) -> Result<JsValue, JsError> {
        let s = self.state()?;
        let o: ReconcileOpts = from_js(given(options))?;
        let options = ReconcileOptions {
            chunk: args::chunk(o.chunk)?,
            part: o
                .part
                .map(|p| args::count("part", p, 1.0, 1.0e9))
                .transpose()?,
        };
        let (chosen, tokens) = s.selection(o.records.as_deref())?;
        let mut r = map_response(&tokens, response, &options)
            .map_err(|e| JsError::new(&format!("response: {e}")))?;
        for t in &mut r.tokens {
            t.record = chosen[t.record];
        }
        escape_reconciliation(&mut r);
        json_value(&r)
    }

    /// The code and seconds left of each row in `rows` (every row when omitted) at `time`: one
    /// call per second for the rows on screen. `null` for a row without a usable key, hash or
    /// period.
    #[wasm_bindgen(unchecked_return_type = "RowCodes")]
    pub fn codes(&self, time: f64, rows: Option<Vec<f64>>) -> Result<JsValue, JsError> {
        let s = self.state()?;
        let t = args::unix_time(time)?;
        let rows: Vec<usize> = match rows {
            Some(list) => list.iter().map(|&r| s.row(r)).collect::<Result<_, _>>()?,
            None => (0..s.report.records.len()).collect(),
        };
        let mut out = CodesOut {
            time: t,
            codes: Vec::with_capacity(rows.len()),
            seconds_left: Vec::with_capacity(rows.len()),
            period: Vec::with_capacity(rows.len()),
            rows: Vec::new(),
        };
        for &r in &rows {
            let got =
                s.with_generator(r, |g| Ok((g.totp(t), g.seconds_left(t), g.params().period)));
            let (code, left, period) = match got {
                Ok((c, l, p)) => (Some(c), Some(l), Some(p)),
                Err(_) => (None, None, None),
            };
            out.codes.push(code);
            out.seconds_left.push(left);
            out.period.push(period);
        }
        out.rows = rows;
        json_value(&out)
    }

    /// "Verify a code from this device": `typed` is one code or several consecutive codes
    /// (separated by spaces, commas or semicolons). Matched within ±2 steps, or the scan to run,
    /// or what to type instead. Never throws for bad typing; throws for a row without a key.
    #[wasm_bindgen(unchecked_return_type = "VerifyOutcome")]
    pub fn verify(&self, row: f64, typed: &str, time: f64) -> Result<JsValue, JsError> {
        let s = self.state()?;
        let (row, t) = (s.row(row)?, args::unix_time(time)?);
        let outcome = s.with_generator(row, |g| Ok(g.verify_typed(typed, t)))?;
        json_value(&outcome)
    }

    /// A drift scan of `fromSteps..=toSteps` (default ±2 years, as `findDrift`) for the typed
    /// codes: one worker's share of a split scan. Candidates nearest first; typing that is not
    /// codes finds nothing.
    #[wasm_bindgen(unchecked_return_type = "DriftResult")]
    pub fn drift(
        &self,
        row: f64,
        typed: &str,
        time: f64,
        range: Option<DriftRangeJs>,
    ) -> Result<JsValue, JsError> {
        let s = self.state()?;
        let (row, t) = (s.row(row)?, args::unix_time(time)?);
        let range: Option<Range> = match range.map(JsValue::from) {
            Some(v) if !v.is_undefined() && !v.is_null() => Some({
                args::only_keys("range", &v, &["fromSteps", "toSteps"])?;
                serde_wasm_bindgen::from_value(v)
                    .map_err(|e| JsError::new(&format!("range: {e}")))?
            }),
            _ => None,
        };
        let report = s.with_generator(row, |g| {
            let (from, to) = match &range {
                Some(r) => {
                    let (from, to) = (
                        args::signed_steps("fromSteps", r.from_steps)?,
                        args::signed_steps("toSteps", r.to_steps)?,
                    );
                    if from > to {
                        return Err(JsError::new("fromSteps must not be greater than toSteps"));
                    }
                    (from, to)
                }
                None => {
                    let max = g.default_max_steps().min(i64::MAX as u64 / 2) as i64;
                    (-max, max)
                }
            };
            let codes = typed_codes(typed, g.params().digits).unwrap_or_default();
            let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
            drift_or_empty(g, &refs, t, from, to)
        })?;
        json_value(&report)
    }

    /// Merges the results of a split scan (nearest first, scanned steps summed: equal to one
    /// unsplit scan) and judges the nearest candidate against Entra's windows for `period`.
    #[wasm_bindgen(js_name = mergeDrift, unchecked_return_type = "DriftVerdict")]
    pub fn merge_drift(
        #[wasm_bindgen(unchecked_param_type = "DriftResult[]")] parts: JsValue,
        period: f64,
    ) -> Result<JsValue, JsError> {
        let period = args::whole("period", period, 1.0)?;
        let text: String = js_sys::JSON::stringify(&parts)
            .map_err(|_| JsError::new("parts must be DriftResult objects"))?
            .into();
        let parts: Vec<DriftReport> = serde_json::from_str(&text)
            .map_err(|e| JsError::new(&format!("parts must be DriftResult objects: {e}")))?;
        json_value(&DriftReport::merge(parts).verdict(period))
    }

    /// SECRET: the canonical base32 key of one row, for Reveal.
    #[wasm_bindgen(unchecked_return_type = "string")]
    pub fn reveal(&self, row: f64) -> Result<JsValue, JsError> {
        let s = self.state()?;
        let row = s.row(row)?;
        match &s.report.records[row].secret {
            Some(k) => Ok(js_text(&k.to_base32())),
            None => Err(JsError::new(&format!(
                "record {} has no key that decodes",
                row + 1
            ))),
        }
    }

    /// SECRET: a one-token canonical file (UTF-8 bytes) of `row`, for another worker's
    /// `TokenSet.open` (the split drift scan). An invalid row with a usable key gives the fields
    /// it has. The receiver wipes it after opening.
    #[wasm_bindgen(js_name = exportRecord)]
    pub fn export_record(&self, row: f64) -> Result<Uint8Array, JsError> {
        let s = self.state()?;
        let row = s.row(row)?;
        let r = &s.report.records[row];
        let text = match &r.token {
            Some(t) => delta_json(&[t]),
            None => {
                let (Some(secret), Some(hash), Some(period)) =
                    (&r.secret, r.hash_function, r.time_interval)
                else {
                    return Err(JsError::new(&format!(
                        "record {} has no usable key, hash and period",
                        row + 1
                    )));
                };
                // The fields the record has; a missing one is empty, which the receiver flags.
                let t = Token {
                    serial_number: r.serial_number.clone().unwrap_or_default(),
                    manufacturer: r.manufacturer.clone().unwrap_or_default(),
                    model: r.model.clone().unwrap_or_default(),
                    secret: secret.clone(),
                    time_interval: period,
                    hash_function: hash.into(),
                    display_name: None,
                    assign_to: None,
                };
                delta_json(&[&t])
            }
        };
        Ok(Uint8Array::from(text.as_bytes()))
    }

    /// The end-user sheet: one entry per valid token (removed ones left out), no key. `user` is
    /// `assignTo.id` or the CSV's upn.
    #[wasm_bindgen(unchecked_return_type = "SheetEntry[]")]
    pub fn sheet(&self) -> Result<JsValue, JsError> {
        let s = self.state()?;
        let entries: Vec<SheetEntry> = s
            .report
            .records
            .iter()
            .filter_map(|r| {
                let t = r.token.as_ref()?;
                let variant = s.variant_of.as_ref().and_then(|v| v.get(r.index));
                Some(SheetEntry {
                    record: r.index,
                    serial_number: visible(&t.serial_number).into_owned(),
                    display_name: shown(&t.display_name),
                    user: shown(&t.assign_to),
                    manufacturer: visible(&t.manufacturer).into_owned(),
                    model: visible(&t.model).into_owned(),
                    hash_function: r.hash_function?,
                    time_interval_in_seconds: t.time_interval,
                    printed_serial: variant.map(|(p, _)| visible(p).into_owned()),
                    note: variant.map(|(_, n)| visible(n).into_owned()),
                })
            })
            .collect();
        json_value(&entries)
    }

    /// Changes fields of a record in place (the fields diagnostics name) and checks the whole set
    /// again, duplicates included; record numbers do not move. Returns the new report.
    #[wasm_bindgen(unchecked_return_type = "TokenSetReport")]
    pub fn edit(
        &mut self,
        row: f64,
        #[wasm_bindgen(unchecked_param_type = "RecordPatch")] patch: JsValue,
    ) -> Result<JsValue, JsError> {
        let s = self.state_mut()?;
        let row = s.row(row)?;
        let values = patch_values(&patch)?;
        let mut edits = s.edits.clone();
        for (field, value) in values {
            edits
                .set(row, &field, value)
                .map_err(|e| JsError::new(&e.to_string()))?;
        }
        s.edits = edits;
        s.recheck()?;
        self.report()
    }

    /// Leaves a record out of the upload (it stays in the table as removed; numbers do not
    /// move) and checks the set again. Returns the new report.
    #[wasm_bindgen(unchecked_return_type = "TokenSetReport")]
    pub fn remove(&mut self, row: f64) -> Result<JsValue, JsError> {
        let s = self.state_mut()?;
        let row = s.row(row)?;
        s.edits.remove(row);
        s.recheck()?;
        self.report()
    }

    /// Brings a removed record back and checks the set again. Returns the new report.
    #[wasm_bindgen(unchecked_return_type = "TokenSetReport")]
    pub fn restore(&mut self, row: f64) -> Result<JsValue, JsError> {
        let s = self.state_mut()?;
        let row = s.row(row)?;
        s.edits.restore(row);
        s.recheck()?;
        self.report()
    }

    /// Wipes the set: the source text, every key and the keyed generators. Every method
    /// afterwards throws "the token set was freed". (Replaces wasm-bindgen's `free`, so the
    /// object stays a valid handle that can say so; also `[Symbol.dispose]`.)
    #[wasm_bindgen(js_name = free, skip_typescript)]
    pub fn dispose(&mut self) {
        self.state = None;
    }

    /// True once `free()` was called.
    #[wasm_bindgen(getter)]
    pub fn freed(&self) -> bool {
        self.state.is_none()
    }
}
