//! `totp`, `verifyCode`, `findDrift`, `inspectSecret`, `assessDrift`.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

use super::{from_js, to_js};
use crate::core::otp::{default_max_steps, entra_fit};
use crate::core::{Generator, HashAlg, OtpError, OtpParams, Secret};

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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct CodeOptions {
    hash_function: String,
    period: f64,
    digits: f64,
    time: f64,
}

impl Default for CodeOptions {
    fn default() -> Self {
        CodeOptions {
            hash_function: "hmacsha1".into(),
            period: 30.0,
            digits: 6.0,
            time: f64::NAN,
        }
    }
}

fn whole(name: &str, v: f64, min: f64) -> Result<u64, JsError> {
    if !v.is_finite() || v < min || v > 9.0e15 {
        return Err(JsError::new(&format!("{name} must be a number ≥ {min}")));
    }
    Ok(v.floor() as u64)
}

fn unix_time(time: f64) -> Result<u64, JsError> {
    whole("time (Unix seconds)", time, 0.0)
}

impl CodeOptions {
    fn keyed(&self, secret: &str) -> Result<Generator, JsError> {
        let hash = HashAlg::parse(&self.hash_function).ok_or_else(|| {
            JsError::new("hashFunction must be \"hmacsha1\", \"hmacsha256\" or \"hmacsha512\"")
        })?;
        let params = OtpParams {
            hash,
            digits: whole("digits", self.digits, 0.0)? as u32,
            period: whole("period", self.period, 1.0)?,
        };
        let parsed = Secret::parse(secret).map_err(|e| JsError::new(&format!("secret: {e}")))?;
        Generator::new(&parsed.secret, params).map_err(|e| JsError::new(&e.to_string()))
    }

    fn generator(&self, secret: &str) -> Result<(Generator, u64), JsError> {
        let time = unix_time(self.time)?;
        Ok((self.keyed(secret)?, time))
    }
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
        let o: CodeOptions = from_js(options)?;
        Ok(TotpGenerator {
            inner: o.keyed(secret)?,
        })
    }

    /// The zero-padded code at Unix time `time` (seconds).
    pub fn code(&self, time: f64) -> Result<String, JsError> {
        Ok(self.inner.totp(unix_time(time)?))
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

/// The TOTP code of `secret` at `options.time`.
#[wasm_bindgen]
pub fn totp(
    secret: &str,
    #[wasm_bindgen(unchecked_param_type = "CodeOptions")] options: JsValue,
) -> Result<String, JsError> {
    let o: CodeOptions = from_js(options)?;
    let (g, time) = o.generator(secret)?;
    Ok(g.totp(time))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct VerifyOptions {
    #[serde(flatten)]
    code_options: CodeOptions,
    code: String,
    behind: f64,
    ahead: f64,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            code_options: CodeOptions::default(),
            code: String::new(),
            behind: 1.0,
            ahead: 1.0,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VerifyOut {
    matched: bool,
    offset_steps: Option<i64>,
    offset_seconds: Option<i64>,
}

/// Checks a code read off the device within `behind`/`ahead` steps of `options.time`.
/// A malformed code does not match; only a bad secret or impossible options throw.
#[wasm_bindgen(js_name = verifyCode, unchecked_return_type = "VerifyResult")]
pub fn verify_code(
    secret: &str,
    #[wasm_bindgen(unchecked_param_type = "VerifyOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let o: VerifyOptions = from_js(options)?;
    let (g, time) = o.code_options.generator(secret)?;
    let behind = whole("behind", o.behind, 0.0)?;
    let ahead = whole("ahead", o.ahead, 0.0)?;
    let out = match g.verify(&o.code, time, behind, ahead) {
        Ok(r) => VerifyOut {
            matched: r.matched,
            offset_steps: r.offset_steps,
            offset_seconds: r.offset_seconds,
        },
        Err(e @ OtpError::TooManySteps { .. }) => return Err(JsError::new(&e.to_string())),
        Err(_) => VerifyOut {
            matched: false,
            offset_steps: None,
            offset_seconds: None,
        },
    };
    to_js(&out)
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct DriftOptions {
    #[serde(flatten)]
    code_options: CodeOptions,
    codes: Vec<String>,
    max_steps: Option<f64>,
    from_steps: Option<f64>,
    to_steps: Option<f64>,
}

/// A signed whole number of steps within ±9·10^15 (exact in an f64).
fn signed_steps(name: &str, v: f64) -> Result<i64, JsError> {
    if !v.is_finite() || v.fract() != 0.0 || v.abs() > 9.0e15 {
        return Err(JsError::new(&format!(
            "{name} must be a whole number of steps"
        )));
    }
    Ok(v as i64)
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

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CandidateOut {
    offset_steps: i64,
    offset_seconds: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DriftOut {
    candidates: Vec<CandidateOut>,
    scanned_steps: u64,
}

/// Finds every offset (nearest first) at which the consecutive `codes` match, within
/// ±`maxSteps` or `fromSteps..=toSteps`. Malformed codes give no candidates; only a bad secret or impossible options throw.
#[wasm_bindgen(js_name = findDrift, unchecked_return_type = "DriftResult")]
pub fn find_drift(
    secret: &str,
    #[wasm_bindgen(unchecked_param_type = "DriftOptions")] options: JsValue,
) -> Result<JsValue, JsError> {
    let o: DriftOptions = from_js(options)?;
    let (g, time) = o.code_options.generator(secret)?;
    let (from, to) = o.range(&g)?;
    let codes: Vec<&str> = o.codes.iter().map(String::as_str).collect();
    let out = match g.drift_range(&codes, time, from, to) {
        Ok(r) => DriftOut {
            candidates: r
                .candidates
                .iter()
                .map(|c| CandidateOut {
                    offset_steps: c.offset_steps,
                    offset_seconds: c.offset_seconds,
                })
                .collect(),
            scanned_steps: r.scanned_steps,
        },
        Err(e @ OtpError::TooManySteps { .. }) => return Err(JsError::new(&e.to_string())),
        Err(_) => DriftOut {
            candidates: vec![],
            scanned_steps: 0,
        },
    };
    to_js(&out)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IssueOut {
    kind: &'static str,
    severity: &'static str,
    positions: Vec<usize>,
    message: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InspectionOut {
    valid: bool,
    byte_length: Option<usize>,
    bits: Option<usize>,
    canonical: Option<String>,
    masked: Option<String>,
    issues: Vec<IssueOut>,
}

/// Decodes a secret leniently and reports its length, canonical form and every
/// normalisation or problem with positions. Never throws.
#[wasm_bindgen(js_name = inspectSecret, unchecked_return_type = "SecretInspection")]
pub fn inspect_secret(secret: &str) -> Result<JsValue, JsError> {
    let issue = |i: &crate::core::SecretIssue| IssueOut {
        kind: i.kind.code(),
        severity: i.severity().as_str(),
        positions: i.positions.clone(),
        message: i.message.clone(),
    };
    let out = match Secret::parse(secret) {
        Ok(p) => {
            let canonical = p.secret.to_base32();
            InspectionOut {
                valid: true,
                byte_length: Some(p.secret.len()),
                bits: Some(p.secret.len() * 8),
                masked: Some(crate::core::secret::mask(&canonical)),
                canonical: Some(canonical.to_string()),
                issues: p.issues.iter().map(issue).collect(),
            }
        }
        Err(e) => InspectionOut {
            valid: false,
            byte_length: None,
            bits: None,
            canonical: None,
            masked: None,
            issues: e.issues.iter().map(issue).collect(),
        },
    };
    to_js(&out)
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
    let fit = entra_fit(period.max(0.0) as u64, offset_seconds as i64);
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out {
        sign_in: bool,
        activation: bool,
        message: String,
    }
    to_js(&Out {
        sign_in: fit.sign_in,
        activation: fit.activation,
        message: fit.message,
    })
}
