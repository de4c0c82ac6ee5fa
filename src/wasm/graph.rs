//! `variants`, `graphRequests`, `reconcile`: the same shapes as the CLI's `--json` output.
//!
//! Throws only for unusable input: a file that is not a token file or has invalid records (the
//! message lists the errors), impossible options, a response that is not a known Graph answer.
//! Tokens that cannot be varied are data (`refusals`), not an exception.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::args::{self, from_js};
use super::{json_value, secret_json_value};
use crate::core::graph::display::wipe_strings;
use crate::core::graph::render;
use crate::core::graph::{
    build_requests, reconcile as map_response, usable_tokens, GraphRequest, ReconcileOptions,
    RequestOptions,
};
use crate::core::token::{delta_json, DeltaBody, Token};
use crate::core::tokenfile::{self, ParseOptions, Report};
use crate::core::variants::{
    make_variants, originals, Refusal, Variant, VariantOptions, MAX_COPIES,
};

#[wasm_bindgen(typescript_custom_section)]
const TS_GRAPH: &str = r##"
export interface VariantsOptions {
  /** Variants per token, 1 to 64 (default 1). */
  copies?: number;
  /** Graph listings of the tenant's devices (GET …/hardwareOathDevices pages); their serials are avoided. */
  listing?: string[];
  /** Hash for records that state none (legacy CSV rows); default "hmacsha1". */
  hashFunction?: GraphHashFunction;
}
export interface VariantInfo {
  /** 0-based record index of the original token. */
  record: number;
  /** 1-based copy number. */
  copy: number;
  /** The variant's serial number: the one to type on My Security Info. */
  serialNumber: string;
  /** Plain-language note for the end user. */
  note: string;
}
export type VariantRefusalCode = "key-too-long" | "secret-too-long" | "non-canonical-secret" | "self-check-failed";
export interface VariantRefusal {
  record: number;
  serialNumber: string;
  copy: number;
  code: VariantRefusalCode;
  message: string;
}
export interface VariantsResult {
  /** Empty when any token was refused. */
  variants: VariantInfo[];
  /** The canonical #$delta body of the variants only; null when any token was refused. */
  body: GraphDeltaBody | null;
  /** The same body as pretty JSON text with a trailing newline (for download); null when refused. */
  json: string | null;
  /** Every token that cannot be varied safely, with the reason. */
  refusals: VariantRefusal[];
}
export interface GraphDeltaItem {
  "@contentId": string;
  serialNumber: string;
  manufacturer: string;
  model: string;
  secretKey: string;
  timeIntervalInSeconds: number;
  hashFunction: GraphHashFunction;
  displayName?: string;
  assignTo?: { id: string };
}
export interface GraphDeltaBody {
  "@context": "#$delta";
  value: GraphDeltaItem[];
}
export type GraphRequestKind =
  | "create-bulk" | "create" | "assign" | "activate" | "assign-and-activate"
  | "assign-and-activate-by-serial" | "deactivate" | "unassign" | "delete" | "list" | "enable-policy";
export interface GraphRequestOptions {
  request: GraphRequestKind;
  /** Tokens per bulk-create request (default 100; Graph documents no maximum). */
  chunk?: number;
  /** User object id or UPN; overrides the file's upn / assignTo. */
  user?: string;
  /** The device's Graph id; needs a one-token selection (see `serial`). */
  deviceId?: string;
  /** Unix seconds for verification codes (Date.now()/1000); required by the activating kinds. */
  time?: number;
  /** Only the token with this serial number. */
  serial?: string;
  /** Hash for records that state none (legacy CSV rows); default "hmacsha1". */
  hashFunction?: GraphHashFunction;
}
export interface GraphRequest {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: string;
  /** Secrets appear only in create bodies. */
  body: Record<string, unknown> | null;
  /** Graph permission(s), comma-separated. */
  permission: string;
  /** Least-privileged Entra role. */
  role: string;
  note: string;
  /** Unix seconds when the verification code in the body stops being current (activating kinds). */
  expiresAt?: number;
  /** Record indexes of the tokens the request concerns. */
  records: number[];
  /** Graph Explorer text: method + URL, blank line, body. */
  http: string;
  /** Invoke-MgGraphRequest command. */
  powershell: string;
  /** curl command (token in $TOKEN). */
  curl: string;
}
export interface ReconcileOptions {
  /** Tokens per bulk request when the file was sent in parts (default 100). */
  chunk?: number;
  /** 1-based part the response answers; omit when the file was one request. */
  part?: number;
  /** Hash for records that state none (legacy CSV rows); default "hmacsha1". */
  hashFunction?: GraphHashFunction;
}
export interface TokenReconciliation {
  record: number;
  contentId: string;
  serialNumber: string;
  result: "created" | "failed" | "unknown";
  deviceId: string | null;
  deviceStatus: string | null;
  reason: string | null;
}
export interface UnmatchedResponseItem {
  index: number;
  contentId: string | null;
  serialNumber: string | null;
  message: string;
}
/**
 * Duplicate-safe variants of every token of `text` (serial + zeros, key + zero bytes), each
 * checked exactly to give the device's codes at every step (equal padded HMAC keys). Throws only for unusable input (not a
 * token file, invalid records, bad options); refused tokens are in `refusals`.
 */
export function variants(text: string, options?: VariantsOptions): VariantsResult;
/**
 * Maps Graph's answer (the bulk-create result, an OData error, a `$batch` answer or one device)
 * to the tokens of `text`. Throws only for unusable input.
 */
export function reconcile(text: string, response: string, options?: ReconcileOptions): Reconciliation;
export interface Reconciliation {
  shape: "bulk" | "error" | "batch" | "device";
  created: number;
  failed: number;
  unknown: number;
  tokens: TokenReconciliation[];
  unmatched: UnmatchedResponseItem[];
  notes: string[];
}
"##;

fn report(text: &str, hash: &Option<String>) -> Result<Report, JsError> {
    let opts = ParseOptions {
        hash_function: args::graph_hash(hash.as_deref())?,
        ..ParseOptions::default()
    };
    tokenfile::validate(text, &opts).map_err(|e| JsError::new(&e.to_string()))
}

fn tokens(report: &Report) -> Result<Vec<&Token>, JsError> {
    usable_tokens(report).map_err(|e| JsError::new(&e.to_string()))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VariantsOpts {
    copies: f64,
    listing: Vec<String>,
    hash_function: Option<String>,
}

impl Default for VariantsOpts {
    fn default() -> Self {
        VariantsOpts {
            copies: 1.0,
            listing: Vec::new(),
            hash_function: None,
        }
    }
}

/// `variants`' answer (the same shape as `hwoath variants --json`, plus `json` and `refusals`).
#[derive(Serialize)]
struct VariantsOut<'a> {
    variants: &'a [Variant],
    body: Option<DeltaBody<'a>>,
    json: Option<&'a str>,
    refusals: &'a [Refusal],
}

/// Duplicate-safe variants of every token of `text` (serial + zeros, key + zero bytes), each
/// checked to give the device's codes at every step.
#[wasm_bindgen(js_name = variants, skip_typescript)]
pub fn variants(text: &str, options: Option<JsValue>) -> Result<JsValue, JsError> {
    let o: VariantsOpts = from_js(options.unwrap_or(JsValue::UNDEFINED))?;
    let copies = args::count("copies", o.copies, 1.0, MAX_COPIES as f64)?;
    let report = report(text, &o.hash_function)?;
    let listing_serials = args::listing(&o.listing, |i| format!("listing {}", i + 1))?
        .into_iter()
        .map(|d| d.serial_number)
        .collect();
    tokens(&report)?;
    let made = make_variants(
        &originals(&report),
        &VariantOptions {
            copies,
            listing_serials,
        },
    );
    match made {
        Ok(made) => {
            let list: Vec<&Token> = made.iter().map(|v| &v.token).collect();
            let json = delta_json(&list);
            secret_json_value(&VariantsOut {
                variants: &made,
                body: Some(DeltaBody(&list)),
                json: Some(json.as_str()),
                refusals: &[],
            })
        }
        Err(refusals) => json_value(&VariantsOut {
            variants: &[],
            body: None,
            json: None,
            refusals: &refusals,
        }),
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct RequestOpts {
    request: String,
    chunk: Option<f64>,
    user: Option<String>,
    device_id: Option<String>,
    time: Option<f64>,
    serial: Option<String>,
    hash_function: Option<String>,
}

impl RequestOpts {
    /// The core's request options (empty texts count as not given).
    fn options(self) -> Result<RequestOptions, JsError> {
        Ok(RequestOptions {
            kind: args::request_kind(&self.request)?,
            chunk: args::chunk(self.chunk)?,
            user: self.user.filter(|u| !u.is_empty()),
            device_id: self.device_id.filter(|d| !d.is_empty()),
            time: args::request_time(self.time)?,
            serial: self.serial.filter(|s| !s.is_empty()),
        })
    }
}

#[derive(Serialize)]
struct RequestOut<'a> {
    #[serde(flatten)]
    request: &'a GraphRequest,
    records: &'a [usize],
    http: &'a str,
    powershell: &'a str,
    curl: &'a str,
}

/// The Graph requests of `options.request` for the tokens of `text`, each with its Graph
/// Explorer, PowerShell and curl renderings.
#[wasm_bindgen(js_name = graphRequests, unchecked_return_type = "GraphRequest[]")]
pub fn graph_requests(
    text: &str,
    #[wasm_bindgen(unchecked_param_type = "GraphRequestOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let o: RequestOpts = from_js(options)?;
    let hash = o.hash_function.clone();
    let options = o.options()?;
    let report = report(text, &hash)?;
    let tokens = tokens(&report)?;
    let mut requests =
        build_requests(&tokens, &options).map_err(|e| JsError::new(&e.to_string()))?;
    // Create requests carry the secrets: the renderings are wiped once copied out to JS.
    let texts: Vec<[Zeroizing<String>; 3]> = requests
        .iter()
        .map(|r| [render::http(r), render::powershell(r), render::curl(r)].map(Zeroizing::new))
        .collect();
    let out: Vec<RequestOut> = requests
        .iter()
        .zip(&texts)
        .map(|(r, [http, powershell, curl])| RequestOut {
            request: r,
            records: &r.records,
            http,
            powershell,
            curl,
        })
        .collect();
    let value = secret_json_value(&out);
    drop(out);
    for r in &mut requests {
        if let Some(b) = &mut r.body {
            wipe_strings(b);
        }
    }
    value
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ReconcileOpts {
    chunk: Option<f64>,
    part: Option<f64>,
    hash_function: Option<String>,
}

/// Maps Graph's answer (`response`: the bulk-create result, an OData error, a `$batch` answer
/// or one device) to the tokens of `text`.
#[wasm_bindgen(js_name = reconcile, skip_typescript)]
pub fn reconcile(text: &str, response: &str, options: Option<JsValue>) -> Result<JsValue, JsError> {
    let o: ReconcileOpts = from_js(options.unwrap_or(JsValue::UNDEFINED))?;
    let options = ReconcileOptions {
        chunk: args::chunk(o.chunk)?,
        part: o
            .part
            .map(|p| args::count("part", p, 1.0, 1.0e9))
            .transpose()?,
    };
    let report = report(text, &o.hash_function)?;
    let tokens = tokens(&report)?;
    let r = map_response(&tokens, response, &options)
        .map_err(|e| JsError::new(&format!("response: {e}")))?;
    json_value(&r)
}
