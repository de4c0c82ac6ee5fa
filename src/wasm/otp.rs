//! `totp`, `verifyCode`, `findDrift`, `inspectSecret`, `assessDrift`.

use js_sys::JsString;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::args::{from_js, signed_steps, unix_time, whole, CodeArgs};
use super::json_value;
use crate::core::otp::{default_max_steps, entra_fit};
use crate::core::{DriftReport, Generator, OtpError, OtpParams, Secret, VerifyResult};

#[wasm_bindgen(typescript_custom_section)]
const TS_OTP: &str = r#"
/** Graph's spelling of the HMAC hash. */
export type HashFunction = "hmacsha1" | "hmacsha256" | "hmacsha512";
/** Code options. Defaults: hmacsha1, 30 s, 6 digits. `time` is Unix seconds (Date.now()/1000). */
export interface CodeOptions {
  hashFunction?: HashFunction;
  period?: number;
  digits?: number;
  time: number;
}
/** Options of a keyed generator (no time: each call passes it). */
export interface GeneratorOptions {
  hashFunction?: HashFunction;
  period?: number;
  digits?: number;
}
export interface VerifyOptions extends CodeOptions {
  /** The code read off the device. */
  code: string;
  /** Steps accepted behind the current one (default 1). */
  behind?: number;
  /** Steps accepted ahead of the current one (default 1). */
  ahead?: number;
}
export interface VerifyResult {
  matched: boolean;
  /** Signed: negative means the device is behind. null when not matched. */
  offsetSteps: number | null;
  offsetSeconds: number | null;
}
export interface DriftOptions extends CodeOptions {
  /** Consecutive codes read off the device, oldest first; the last read at `time`. */
  codes: string[];
  /** Steps searched each way (default: two years of steps). Ignored when `fromSteps`/`toSteps` are given. */
  maxSteps?: number;
  /**
   * First signed offset (in steps from the step of `time`) to try; give it together with
   * `toSteps` to scan only `fromSteps..=toSteps` instead of ±`maxSteps` (e.g. one worker's share
   * of a split scan). Whole numbers, `fromSteps <= toSteps`, else the call throws.
   */
  fromSteps?: number;
  /** Last signed offset to try (inclusive); see `fromSteps`. */
  toSteps?: number;
}
export interface DriftCandidate {
  offsetSteps: number;
  offsetSeconds: number;
}
export interface DriftResult {
  /** Nearest first. */
  candidates: DriftCandidate[];
  scannedSteps: number;
}
export type SecretIssueKind =
  | "lower-case" | "whitespace" | "hyphen" | "padding" | "misplaced-padding" | "confusable"
  | "invalid-character" | "empty" | "non-canonical-length" | "non-canonical-bits" | "short-key";
export interface SecretIssue {
  kind: SecretIssueKind;
  severity: "info" | "warning" | "error";
  /** 0-based character positions in the input. */
  positions: number[];
  message: string;
}
export interface SecretInspection {
  /** false when the secret cannot be decoded (see the error issues). */
  valid: boolean;
  byteLength: number | null;
  bits: number | null;
  /** Canonical upper-case unpadded base32; mask it before showing it. */
  canonical: string | null;
  /** The canonical form with all but the last four characters hidden. */
  masked: string | null;
  issues: SecretIssue[];
}
export interface EntraFit {
  /** Inside Entra's sign-in window (±1 min for 30 s tokens, ±2 min for 60 s). */
  signIn: boolean;
  /** Inside Entra's activation window (±1 day for 30 s tokens, ±2 days for 60 s). */
  activation: boolean;
  message: string;
}
"#;

/// A keyed generator for `secret` with the code options of `o`.
fn keyed(secret: &str, o: &CodeArgs) -> Result<Generator, JsError> {
    let params = OtpParams {
        hash: o.hash,
        digits: whole("digits", o.digits, 0.0)? as u32,
        period: whole("period", o.period, 1.0)?,
    };
    let parsed = Secret::parse(secret).map_err(|e| JsError::new(&format!("secret: {e}")))?;
    Generator::new(&parsed.secret, params).map_err(|e| JsError::new(&e.to_string()))
}

/// The generator and the time of `options` (`time` required).
fn generator(secret: &str, options: &JsValue) -> Result<(Generator, u64), JsError> {
    let o = CodeArgs::read(options)?;
    let time = unix_time(o.time)?;
    Ok((keyed(secret, &o)?, time))
}

/// A keyed code generator for repeated use: the secret is decoded and the HMAC key state
/// computed once, so each code costs only the hashing. Call `free()` (or use `using`) when done;
/// the key state is wiped then.
#[wasm_bindgen]
pub struct TotpGenerator {
    inner: Generator,
}

#[wasm_bindgen]
impl TotpGenerator {
    /// Decodes `secret` (leniently) and keys the HMAC. Throws for a bad secret or options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        secret: &str,
        #[wasm_bindgen(unchecked_param_type = "GeneratorOptions")] options: JsValue,
    ) -> Result<TotpGenerator, JsError> {
        Ok(TotpGenerator {
            inner: keyed(secret, &CodeArgs::read(&options)?)?,
        })
    }

    /// The zero-padded code at Unix time `time` (seconds).
    #[wasm_bindgen(js_name = code)]
    pub fn code_js(&self, time: f64) -> Result<JsString, JsError> {
        let g = &self.inner;
        Ok(js_code(g.hotp_value(g.counter_at(unix_time(time)?)), g))
    }

    /// The code at `time` as a number (no leading zeros: pad to `digits` to show it).
    pub fn value(&self, time: f64) -> Result<u32, JsError> {
        let t = unix_time(time)?;
        Ok(self.inner.hotp_value(self.inner.counter_at(t)))
    }

    /// `count` consecutive code values starting with the step of `time`. Throws for more than
    /// 10 years of steps (the scan limit in docs/limits.md).
    pub fn values(&self, time: f64, count: u32) -> Result<Vec<u32>, JsError> {
        if count as u64 > self.inner.max_scan_steps() {
            return Err(JsError::new(&format!(
                "count: at most {} values (10 years of steps, the scan limit in docs/limits.md)",
                self.inner.max_scan_steps()
            )));
        }
        let first = self.inner.counter_at(unix_time(time)?);
        Ok((0..count as u64)
            .map(|i| self.inner.hotp_value(first.saturating_add(i)))
            .collect())
    }

    /// Seconds until the code shown at `time` changes.
    #[wasm_bindgen(js_name = secondsLeft)]
    pub fn seconds_left(&self, time: f64) -> Result<f64, JsError> {
        Ok(self.inner.seconds_left(unix_time(time)?) as f64)
    }
}

impl TotpGenerator {
    /// `code()` as Rust text (the JS method returns the same code as a JS string).
    pub fn code(&self, time: f64) -> Result<String, JsError> {
        Ok(self.inner.totp(unix_time(time)?))
    }
}

/// The TOTP code of `secret` at `options.time` (what the JS `totp` returns, as Rust text).
pub fn totp(secret: &str, options: JsValue) -> Result<String, JsError> {
    let (g, time) = generator(secret, &options)?;
    Ok(g.totp(time))
}

/// The TOTP code of `secret` at `options.time`.
#[wasm_bindgen(js_name = totp)]
pub fn totp_js(
    secret: &str,
    #[wasm_bindgen(unchecked_param_type = "CodeOptions")] options: JsValue,
) -> Result<JsString, JsError> {
    let (g, time) = generator(secret, &options)?;
    Ok(js_code(g.hotp_value(g.counter_at(time)), &g))
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = String, js_name = fromCharCode)]
    fn chars6(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32) -> JsString;
    #[wasm_bindgen(js_namespace = String, js_name = fromCharCode)]
    fn chars7(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32) -> JsString;
    #[wasm_bindgen(js_namespace = String, js_name = fromCharCode)]
    fn chars8(a: u32, b: u32, c: u32, d: u32, e: u32, f: u32, g: u32, h: u32) -> JsString;
}

/// A code value as the zero-padded JS string `g.format` writes, made by `String.fromCharCode`:
/// a per-code call decodes no UTF-8 (which costs more than the code for six characters).
fn js_code(value: u32, g: &Generator) -> JsString {
    let (d, n) = g.code_digits(value);
    let d = d.map(u32::from);
    match n {
        6 => chars6(d[0], d[1], d[2], d[3], d[4], d[5]),
        7 => chars7(d[0], d[1], d[2], d[3], d[4], d[5], d[6]),
        _ => chars8(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]),
    }
}

/// What `verifyCode` reads besides the code options.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VerifyOptions {
    code: String,
    behind: f64,
    ahead: f64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            code: String::new(),
            behind: 1.0,
            ahead: 1.0,
        }
    }
}

/// Checks a code read off the device within `behind`/`ahead` steps of `options.time`.
/// A malformed code does not match; only a bad secret or impossible options throw.
#[wasm_bindgen(js_name = verifyCode, unchecked_return_type = "VerifyResult")]
pub fn verify_code(
    secret: &str,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let (g, time) = generator(secret, &options)?;
    let o: VerifyOptions = from_js(options)?;
    let behind = whole("behind", o.behind, 0.0)?;
    let ahead = whole("ahead", o.ahead, 0.0)?;
    let out = match g.verify(&o.code, time, behind, ahead) {
        Ok(r) => r,
        Err(e @ OtpError::TooManySteps { .. }) => return Err(JsError::new(&e.to_string())),
        Err(_) => VerifyResult {
            matched: false,
            offset_steps: None,
            offset_seconds: None,
        },
    };
    json_value(&out)
}

/// What `findDrift` reads besides the code options.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct DriftOptions {
    codes: Vec<String>,
    max_steps: Option<f64>,
    from_steps: Option<f64>,
    to_steps: Option<f64>,
}

impl DriftOptions {
    /// The signed offsets to scan: `fromSteps..=toSteps` when given, else ±`maxSteps`.
    fn range(&self, g: &Generator) -> Result<(i64, i64), JsError> {
        match (self.from_steps, self.to_steps) {
            (Some(from), Some(to)) => {
                let (from, to) = (
                    signed_steps("fromSteps", from)?,
                    signed_steps("toSteps", to)?,
                );
                if from > to {
                    return Err(JsError::new("fromSteps must not be greater than toSteps"));
                }
                Ok((from, to))
            }
            (None, None) => {
                let max = match self.max_steps {
                    Some(m) => whole("maxSteps", m, 0.0)?,
                    None => g.default_max_steps(),
                };
                let max = max.min(i64::MAX as u64 / 2) as i64;
                Ok((-max, max))
            }
            _ => Err(JsError::new("give fromSteps and toSteps together")),
        }
    }
}

/// Finds every offset (nearest first) at which the consecutive `codes` match, within
/// ±`maxSteps` or `fromSteps..=toSteps`. Malformed codes give no candidates; only a bad secret or impossible options throw.
#[wasm_bindgen(js_name = findDrift, unchecked_return_type = "DriftResult")]
pub fn find_drift(
    secret: &str,
    #[wasm_bindgen(unchecked_param_type = "DriftOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let (g, time) = generator(secret, &options)?;
    let o: DriftOptions = from_js(options)?;
    let (from, to) = o.range(&g)?;
    let codes: Vec<&str> = o.codes.iter().map(String::as_str).collect();
    json_value(&drift_or_empty(&g, &codes, time, from, to)?)
}

/// A drift scan; malformed codes give no candidates, only a range over the limit throws.
pub(crate) fn drift_or_empty(
    g: &Generator,
    codes: &[&str],
    time: u64,
    from: i64,
    to: i64,
) -> Result<DriftReport, JsError> {
    match g.drift_range(codes, time, from, to) {
        Ok(r) => Ok(r),
        Err(e @ OtpError::TooManySteps { .. }) => Err(JsError::new(&e.to_string())),
        Err(_) => Ok(DriftReport {
            candidates: vec![],
            scanned_steps: 0,
        }),
    }
}

/// `inspectSecret`'s answer: the core's findings and the key's size; `canonical` is the key.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Inspection<'a> {
    valid: bool,
    byte_length: Option<usize>,
    bits: Option<usize>,
    canonical: Option<&'a str>,
    masked: Option<String>,
    issues: &'a [crate::core::SecretIssue],
}

/// Decodes a secret leniently and reports its length, canonical form and every
/// normalisation or problem with positions. Never throws.
#[wasm_bindgen(js_name = inspectSecret, unchecked_return_type = "SecretInspection")]
pub fn inspect_secret(secret: &str) -> Result<JsValue, JsError> {
    match Secret::parse(secret) {
        Ok(p) => {
            let canonical = p.secret.to_base32();
            super::secret_json_value(&Inspection {
                valid: true,
                byte_length: Some(p.secret.len()),
                bits: Some(p.secret.len() * 8),
                masked: Some(crate::core::secret::mask(&canonical)),
                canonical: Some(&canonical),
                issues: &p.issues,
            })
        }
        Err(e) => json_value(&Inspection {
            valid: false,
            byte_length: None,
            bits: None,
            canonical: None,
            masked: None,
            issues: &e.issues,
        }),
    }
}

/// `findDrift`'s default `maxSteps` for a `period` in seconds (omitted: `findDrift`'s default
/// period, 30 s): ±2 years of whole steps (2,103,840 at 30 s). The page uses it to split a default
/// scan across its workers.
#[wasm_bindgen(js_name = defaultDriftSteps)]
pub fn default_drift_steps(period: Option<f64>) -> Result<f64, JsError> {
    let period = match period {
        Some(p) => whole("period", p, 1.0)?,
        None => OtpParams::default().period,
    };
    Ok(default_max_steps(period) as f64)
}

/// How a drift offset (in seconds) fits Entra's sign-in and activation windows for `period`.
#[wasm_bindgen(js_name = assessDrift, unchecked_return_type = "EntraFit")]
pub fn assess_drift(offset_seconds: f64, period: f64) -> Result<JsValue, JsError> {
    json_value(&entra_fit(period.max(0.0) as u64, offset_seconds as i64))
}
