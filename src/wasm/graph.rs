//! `variants`, `graphRequests`, `reconcile`: the same shapes as the CLI's `--json` output.
//!
//! Throws only for unusable input: a file that is not a token file or has invalid records (the
//! message lists the errors), impossible options, a response that is not a known Graph answer.
//! Tokens that cannot be varied are data (`refusals`), not an exception.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use super::{from_js, to_js};
use crate::core::graph::render::{self, Ordered};
use crate::core::graph::{
    build_requests, reconcile as map_response, usable_tokens, GraphRequest, ReconcileOptions,
    RequestKind, RequestOptions, DEFAULT_CHUNK,
};
use crate::core::token::{delta_body, Token};
use crate::core::tokenfile::{self, ParseOptions, Report};
use crate::core::variants::{make_variants, originals, Variant, VariantOptions, MAX_COPIES};
use crate::core::HashAlg;

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
 * checked to give the device's codes over 1,000 steps. Throws only for unusable input (not a
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

fn count(name: &str, v: f64, min: f64, max: f64) -> Result<usize, JsError> {
    if !v.is_finite() || v < min || v > max || v.fract() != 0.0 {
        return Err(JsError::new(&format!(
            "{name} must be a whole number from {min} to {max}"
        )));
    }
    Ok(v as usize)
}

fn file_hash(name: &Option<String>) -> Result<Option<HashAlg>, JsError> {
    match name.as_deref() {
        None => Ok(None),
        Some(n) => match HashAlg::parse(n) {
            Some(h @ (HashAlg::Sha1 | HashAlg::Sha256)) => Ok(Some(h)),
            _ => Err(JsError::new(
                "hashFunction must be \"hmacsha1\" or \"hmacsha256\"",
            )),
        },
    }
}

fn report(text: &str, hash: &Option<String>) -> Result<Report, JsError> {
    let opts = ParseOptions {
        hash_function: file_hash(hash)?,
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RefusalOut {
    record: usize,
    serial_number: String,
    copy: usize,
    code: &'static str,
    message: String,
}

#[derive(Serialize)]
struct VariantsOut<'a> {
    variants: &'a [Variant],
    body: Option<Ordered<'a>>,
    json: Option<&'a str>,
    refusals: Vec<RefusalOut>,
}

/// Duplicate-safe variants of every token of `text` (serial + zeros, key + zero bytes), each
/// checked to give the device's codes over 1,000 steps.
#[wasm_bindgen(js_name = variants, skip_typescript)]
pub fn variants(text: &str, options: Option<JsValue>) -> Result<JsValue, JsError> {
    let o: VariantsOpts = from_js(options.unwrap_or(JsValue::UNDEFINED))?;
    let copies = count("copies", o.copies, 1.0, MAX_COPIES as f64)?;
    let report = report(text, &o.hash_function)?;
    let pages: Vec<&str> = o.listing.iter().map(String::as_str).collect();
    let listing_serials = tokenfile::parse_listings(&pages)
        .map_err(|(i, e)| JsError::new(&format!("listing {}: {e}", i + 1)))?
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
            let body = delta_body(&list);
            let mut json = Zeroizing::new(render::pretty(&body));
            json.push('\n');
            to_js(&VariantsOut {
                variants: &made,
                body: Some(Ordered(&body)),
                json: Some(json.as_str()),
                refusals: vec![],
            })
        }
        Err(refusals) => to_js(&VariantsOut {
            variants: &[],
            body: None,
            json: None,
            refusals: refusals
                .into_iter()
                .map(|r| RefusalOut {
                    message: r.to_string(),
                    record: r.record,
                    serial_number: r.serial_number,
                    copy: r.copy,
                    code: r.reason.code(),
                })
                .collect(),
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
    let kind = RequestKind::parse(&o.request).ok_or_else(|| {
        let names: Vec<&str> = RequestKind::ALL.iter().map(|k| k.as_str()).collect();
        JsError::new(&format!("request must be one of {}", names.join(", ")))
    })?;
    let chunk = match o.chunk {
        Some(c) => count("chunk", c, 1.0, 1.0e9)?,
        None => DEFAULT_CHUNK,
    };
    let time = match o.time {
        Some(t) if (0.0..9.0e15).contains(&t) => Some(t.floor() as u64),
        Some(_) => return Err(JsError::new("time must be Unix seconds (≥ 0)")),
        None => None,
    };
    let report = report(text, &o.hash_function)?;
    let tokens = tokens(&report)?;
    let requests = build_requests(
        &tokens,
        &RequestOptions {
            kind,
            chunk,
            user: o.user.filter(|u| !u.is_empty()),
            device_id: o.device_id.filter(|d| !d.is_empty()),
            time,
            serial: o.serial.filter(|s| !s.is_empty()),
        },
    )
    .map_err(|e| JsError::new(&e.to_string()))?;
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
    to_js(&out)
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
        chunk: match o.chunk {
            Some(c) => count("chunk", c, 1.0, 1.0e9)?,
            None => DEFAULT_CHUNK,
        },
        part: o.part.map(|p| count("part", p, 1.0, 1.0e9)).transpose()?,
    };
    let report = report(text, &o.hash_function)?;
    let tokens = tokens(&report)?;
    let r = map_response(&tokens, response, &options)
        .map_err(|e| JsError::new(&format!("response: {e}")))?;
    to_js(&r)
}
