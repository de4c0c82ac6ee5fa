//! HOTP (RFC 4226) and TOTP (RFC 6238) with SHA-1, SHA-256 and SHA-512; verification with an
//! asymmetric window and a signed offset; drift search over a wide range of steps.
//!
//! The HMAC key state (inner and outer padded-key hash states) is computed once per key in
//! [`Generator::new`] and cloned per counter, which is what makes long scans fast. Keys are never
//! padded or truncated here: HMAC does that (RFC 2104 §2).

use std::fmt;
use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha1::Sha1;
use sha2::{Sha256, Sha512};
use subtle::ConstantTimeEq;

use super::secret::Secret;

/// The HMAC hash function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlg {
    /// HMAC-SHA-1 (Graph `hmacsha1`, the default).
    Sha1,
    /// HMAC-SHA-256 (Graph `hmacsha256`).
    Sha256,
    /// HMAC-SHA-512 (computed here; Graph does not accept it).
    Sha512,
}

impl HashAlg {
    /// Graph's spelling: `hmacsha1`, `hmacsha256`, `hmacsha512`.
    pub fn graph_name(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "hmacsha1",
            HashAlg::Sha256 => "hmacsha256",
            HashAlg::Sha512 => "hmacsha512",
        }
    }

    /// Short name: `sha1`, `sha256`, `sha512`.
    pub fn short_name(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "sha1",
            HashAlg::Sha256 => "sha256",
            HashAlg::Sha512 => "sha512",
        }
    }

    /// Parses either spelling, case-insensitively (`sha1`, `SHA-1`, `hmacsha1`, `HMACSHA256`…).
    pub fn parse(name: &str) -> Option<HashAlg> {
        let n: String = name
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .collect::<String>()
            .to_ascii_lowercase();
        let n = n.strip_prefix("hmac").unwrap_or(&n);
        match n {
            "sha1" => Some(HashAlg::Sha1),
            "sha256" => Some(HashAlg::Sha256),
            "sha512" => Some(HashAlg::Sha512),
            _ => None,
        }
    }

    /// HMAC block size in bytes: keys up to this length are zero-padded, longer keys are hashed.
    pub fn block_size(self) -> usize {
        match self {
            HashAlg::Sha1 | HashAlg::Sha256 => 64,
            HashAlg::Sha512 => 128,
        }
    }
}

impl fmt::Display for HashAlg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.graph_name())
    }
}

/// Code parameters: hash, number of digits (6–8) and period in seconds (> 0). T0 is 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OtpParams {
    /// HMAC hash.
    pub hash: HashAlg,
    /// Digits in a code, 6 to 8.
    pub digits: u32,
    /// Time step in seconds.
    pub period: u64,
}

impl Default for OtpParams {
    fn default() -> Self {
        OtpParams {
            hash: HashAlg::Sha1,
            digits: 6,
            period: 30,
        }
    }
}

/// A parameter or code that cannot be used. Messages never contain key material.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OtpError {
    /// Digits outside 6..=8.
    Digits(u32),
    /// A zero period.
    Period,
    /// A code that is not all digits, or has the wrong number of them.
    Code {
        /// Number of digits expected.
        expected: u32,
        /// What was wrong.
        reason: &'static str,
    },
    /// No codes given to a drift search.
    NoCodes,
    /// A drift scan or verification window wider than `limits::MAX_SCAN_SECONDS` (10 years)
    /// of steps each way.
    TooManySteps {
        /// Most steps each way at this period.
        max: u64,
        /// The period, in seconds.
        period: u64,
    },
}

impl fmt::Display for OtpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OtpError::Digits(d) => write!(f, "digits must be 6, 7 or 8 (got {d})"),
            OtpError::Period => f.write_str("period must be a positive number of seconds"),
            OtpError::Code { expected, reason } => {
                write!(f, "a code must be {expected} digits ({reason})")
            }
            OtpError::NoCodes => f.write_str("give at least one code read off the device"),
            OtpError::TooManySteps { max, period } => write!(
                f,
                "at most {max} steps each way (10 years of {period} s steps, the scan limit in docs/limits.md) can be scanned"
            ),
        }
    }
}

impl std::error::Error for OtpError {}

#[derive(Clone)]
enum Keyed {
    Sha1(Hmac<Sha1>),
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

/// A drift scan's default range each way for `period` seconds: ±2 years (two Julian years of
/// 31,557,600 s) in whole steps, 2,103,840 at 30 s. The CLI, `findDrift` and the page's split scan
/// all use this one number. `period` 0 is taken as 1.
pub fn default_max_steps(period: u64) -> u64 {
    2 * 31_557_600 / period.max(1)
}

/// A keyed code generator. Holds the precomputed HMAC state; `Debug` shows no key material and
/// the state is wiped on drop.
pub struct Generator {
    keyed: Keyed,
    params: OtpParams,
    modulus: u32,
}

impl fmt::Debug for Generator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Generator")
            .field("params", &self.params)
            .finish_non_exhaustive()
    }
}

impl Drop for Generator {
    fn drop(&mut self) {
        // The padded-key hash states are as sensitive as the key. RustCrypto's 0.10 hash cores
        // do not implement `Zeroize` and the crate forbids `unsafe`, so the state is overwritten
        // in place with the state of an empty key (same variant, same size, fixed arrays, no
        // heap) and `black_box` keeps the compiler from dropping that store as dead. This is a
        // best-effort wipe (see SECURITY.md): the per-code clones made in `mac` live briefly on
        // the stack and are not wiped.
        // The empty key's states are made once per process, so a drop is a copy, not a keying
        // (one-shot `totp()` calls make and drop a generator each time).
        use hmac::digest::KeyInit;
        fn blank<M: KeyInit + Clone + Send + Sync>(cell: &'static OnceLock<M>) -> M {
            cell.get_or_init(|| <M as KeyInit>::new_from_slice(&[]).expect("any key length"))
                .clone()
        }
        static SHA1: OnceLock<Hmac<Sha1>> = OnceLock::new();
        static SHA256: OnceLock<Hmac<Sha256>> = OnceLock::new();
        static SHA512: OnceLock<Hmac<Sha512>> = OnceLock::new();
        self.keyed = match self.keyed {
            Keyed::Sha1(_) => Keyed::Sha1(blank(&SHA1)),
            Keyed::Sha256(_) => Keyed::Sha256(blank(&SHA256)),
            Keyed::Sha512(_) => Keyed::Sha512(blank(&SHA512)),
        };
        std::hint::black_box(&mut self.keyed);
    }
}

/// The result of [`Generator::verify`]. Serialises as `{"matched", "offsetSteps",
/// "offsetSeconds"}` (the CLI's `verify --json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyResult {
    /// Whether the code matched within the window.
    pub matched: bool,
    /// Signed offset of the matching step from the step of `time` (negative: the device is
    /// behind). `None` when not matched.
    pub offset_steps: Option<i64>,
    /// The same offset in seconds.
    pub offset_seconds: Option<i64>,
}

/// One offset at which a drift search matched. Serialises as `{"offsetSteps", "offsetSeconds"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftCandidate {
    /// Signed offset in steps (negative: the device's clock is behind).
    pub offset_steps: i64,
    /// The same offset in seconds.
    pub offset_seconds: i64,
}

/// The result of [`Generator::drift`] and [`Generator::drift_range`]. Serialises as
/// `{"candidates", "scannedSteps"}` (the CLI's `drift --json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftReport {
    /// Every matching offset, nearest first (ties: behind before ahead).
    pub candidates: Vec<DriftCandidate>,
    /// How many offsets were tried.
    pub scanned_steps: u64,
}

/// How an offset compares with Entra's documented tolerances (shared docs: sign-in ±1 min for
/// 30 s tokens and ±2 min for 60 s; activation ±1 day and ±2 days). Serialises as
/// `{"signIn", "activation", "message"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntraFit {
    /// The offset is inside the sign-in window.
    pub sign_in: bool,
    /// The offset is inside the activation window.
    pub activation: bool,
    /// Plain-language summary.
    pub message: String,
}

/// Entra's sign-in and activation tolerances in seconds for a period, if Entra supports it.
pub fn entra_windows(period: u64) -> Option<(i64, i64)> {
    match period {
        30 => Some((60, 86_400)),
        60 => Some((120, 172_800)),
        _ => None,
    }
}

/// Describes how a drift offset fits Entra's windows.
pub fn entra_fit(period: u64, offset_seconds: i64) -> EntraFit {
    let dir = if offset_seconds < 0 {
        "behind"
    } else {
        "ahead"
    };
    let amount = human_duration(offset_seconds.unsigned_abs());
    let Some((sign_in, activation)) = entra_windows(period) else {
        return EntraFit {
            sign_in: false,
            activation: false,
            message: format!(
                "Entra accepts only 30 s and 60 s tokens; a {period} s token cannot be used there"
            ),
        };
    };
    let off = offset_seconds.abs();
    let fits_sign_in = off <= sign_in;
    let fits_activation = off <= activation;
    let message = if offset_seconds == 0 {
        "the device is in step with this clock: fine for activation and sign-in".to_string()
    } else if fits_sign_in {
        format!("the device is {amount} {dir}: inside Entra's sign-in window (±{}) and activation window", human_duration(sign_in as u64))
    } else if fits_activation {
        format!(
            "the device is {amount} {dir}: outside Entra's sign-in window (±{}) but inside the activation window (±{}); activation re-learns the drift, so activate the token first",
            human_duration(sign_in as u64),
            human_duration(activation as u64)
        )
    } else {
        format!(
            "the device is {amount} {dir}: outside Entra's activation window (±{}); Entra will refuse its codes. Resynchronise or replace the token",
            human_duration(activation as u64)
        )
    };
    EntraFit {
        sign_in: fits_sign_in,
        activation: fits_activation,
        message,
    }
}

/// "1 d 2 h", "3 min 30 s", "45 s".
pub fn human_duration(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        (seconds % 86_400) / 3600,
        (seconds % 3600) / 60,
        seconds % 60,
    );
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 && d == 0 {
        parts.push(format!("{m} min"));
    }
    if (s > 0 && d == 0 && h == 0) || parts.is_empty() {
        parts.push(format!("{s} s"));
    }
    parts.join(" ")
}

/// Parses a code as typed: digits with optional spaces (`123 456`). Returns its value.
pub fn parse_code(code: &str, digits: u32) -> Result<u32, OtpError> {
    let mut value: u32 = 0;
    let mut n = 0u32;
    for c in code.chars() {
        match c {
            '0'..='9' => {
                n += 1;
                if n > digits {
                    return Err(OtpError::Code {
                        expected: digits,
                        reason: "too many digits",
                    });
                }
                value = value * 10 + (c as u32 - '0' as u32);
            }
            ' ' | '\t' | '-' => {}
            _ => {
                return Err(OtpError::Code {
                    expected: digits,
                    reason: "only digits are allowed",
                })
            }
        }
    }
    if n != digits {
        return Err(OtpError::Code {
            expected: digits,
            reason: "too few digits",
        });
    }
    Ok(value)
}

impl Generator {
    /// Keys the HMAC once for `secret` and checks the parameters.
    pub fn new(secret: &Secret, params: OtpParams) -> Result<Generator, OtpError> {
        if !(6..=8).contains(&params.digits) {
            return Err(OtpError::Digits(params.digits));
        }
        if params.period == 0 {
            return Err(OtpError::Period);
        }
        let key = secret.as_bytes();
        let keyed = match params.hash {
            HashAlg::Sha1 => Keyed::Sha1(Hmac::new_from_slice(key).expect("any key length")),
            HashAlg::Sha256 => Keyed::Sha256(Hmac::new_from_slice(key).expect("any key length")),
            HashAlg::Sha512 => Keyed::Sha512(Hmac::new_from_slice(key).expect("any key length")),
        };
        Ok(Generator {
            keyed,
            params,
            modulus: 10u32.pow(params.digits),
        })
    }

    /// The parameters this generator was built with.
    pub fn params(&self) -> OtpParams {
        self.params
    }

    /// The HOTP value for a counter (RFC 4226 §5.3 dynamic truncation), as a number.
    pub fn hotp_value(&self, counter: u64) -> u32 {
        let msg = counter.to_be_bytes();
        let bin = match &self.keyed {
            Keyed::Sha1(m) => truncate(&mac(m, &msg)),
            Keyed::Sha256(m) => truncate(&mac(m, &msg)),
            Keyed::Sha512(m) => truncate(&mac(m, &msg)),
        };
        bin % self.modulus
    }

    /// The HOTP code for a counter, zero-padded.
    pub fn hotp(&self, counter: u64) -> String {
        self.format(self.hotp_value(counter))
    }

    /// Zero-pads a code value to the configured digits.
    pub fn format(&self, value: u32) -> String {
        if value >= self.modulus {
            return format!("{:0width$}", value, width = self.params.digits as usize);
        }
        // Codes are formatted once per second per row and millions of times in benchmarks: the
        // digits are written directly rather than through `format!`.
        let (buf, n) = self.code_digits(value);
        buf[..n].iter().map(|&b| b as char).collect()
    }

    /// The ASCII digits of a code value below 10^digits, zero-padded (the first `digits` bytes of
    /// the array; the count is returned with it), without allocating.
    pub fn code_digits(&self, value: u32) -> ([u8; 8], usize) {
        let digits = self.params.digits as usize;
        let mut buf = [b'0'; 8];
        let mut v = value % self.modulus;
        for b in buf[..digits].iter_mut().rev() {
            *b = b'0' + (v % 10) as u8;
            v /= 10;
        }
        (buf, digits)
    }

    /// The time step (counter) for a Unix time: floor(time / period).
    pub fn counter_at(&self, time: u64) -> u64 {
        time / self.params.period
    }

    /// The TOTP code at a Unix time in seconds.
    pub fn totp(&self, time: u64) -> String {
        self.hotp(self.counter_at(time))
    }

    /// Seconds until the code shown at `time` changes.
    pub fn seconds_left(&self, time: u64) -> u64 {
        self.params.period - time % self.params.period
    }

    fn value_at_offset(&self, base: u64, offset: i64) -> Option<u32> {
        base.checked_add_signed(offset).map(|c| self.hotp_value(c))
    }

    /// Checks `code` at `time`, accepting steps from `behind` before to `ahead` after the
    /// current one. Every step of the window is computed and compared in constant time (no
    /// early exit); the nearest match wins, behind before ahead on a tie. A window wider than
    /// [`Generator::max_scan_steps`] either way is refused.
    pub fn verify(
        &self,
        code: &str,
        time: u64,
        behind: u64,
        ahead: u64,
    ) -> Result<VerifyResult, OtpError> {
        let max = self.max_scan_steps();
        if behind > max || ahead > max {
            return Err(self.too_many_steps());
        }
        let want = parse_code(code, self.params.digits)?;
        let base = self.counter_at(time);
        let mut best: Option<i64> = None;
        let lo = -(behind.min(i64::MAX as u64) as i64);
        let hi = ahead.min(i64::MAX as u64) as i64;
        for offset in lo..=hi {
            let Some(got) = self.value_at_offset(base, offset) else {
                continue;
            };
            let hit: bool = got.ct_eq(&want).into();
            if hit && best.is_none_or(|b| offset.abs() < b.abs()) {
                best = Some(offset);
            }
        }
        Ok(VerifyResult {
            matched: best.is_some(),
            offset_steps: best,
            offset_seconds: best.map(|s| s * self.params.period as i64),
        })
    }

    /// Default drift range: ±2 years of steps (≈2.1 M steps each way at 30 s).
    pub fn default_max_steps(&self) -> u64 {
        default_max_steps(self.params.period)
    }

    /// Most steps each way a drift scan or a verification window may cover: 10 years of steps
    /// (`limits::MAX_SCAN_SECONDS`; 10,519,200 at 30 s). Wider requests are refused.
    pub fn max_scan_steps(&self) -> u64 {
        crate::core::limits::max_scan_steps(self.params.period)
    }

    fn too_many_steps(&self) -> OtpError {
        OtpError::TooManySteps {
            max: self.max_scan_steps(),
            period: self.params.period,
        }
    }

    /// Finds every offset within ±`max_steps` at which the consecutive `codes` (oldest first; the
    /// last one read at `time`) all match. Nearest first. More than
    /// [`Generator::max_scan_steps`] is refused.
    pub fn drift(
        &self,
        codes: &[&str],
        time: u64,
        max_steps: u64,
    ) -> Result<DriftReport, OtpError> {
        let max = max_steps.min(i64::MAX as u64 / 2) as i64;
        self.drift_range(codes, time, -max, max)
    }

    /// Like [`Generator::drift`], but tries only the signed offsets `from..=to` (steps relative
    /// to the step of `time`; empty when `from > to`). Splitting `-max..=max` into contiguous
    /// ranges and merging their candidates (nearest first, behind before ahead) gives the same
    /// report as one `drift` call, with `scanned_steps` summed. An offset beyond
    /// ±[`Generator::max_scan_steps`] is refused.
    pub fn drift_range(
        &self,
        codes: &[&str],
        time: u64,
        from: i64,
        to: i64,
    ) -> Result<DriftReport, OtpError> {
        let max = self.max_scan_steps() as i64;
        if from < -max || to > max {
            return Err(self.too_many_steps());
        }
        if codes.is_empty() {
            return Err(OtpError::NoCodes);
        }
        let wanted: Vec<u32> = codes
            .iter()
            .map(|c| parse_code(c, self.params.digits))
            .collect::<Result<_, _>>()?;
        let n = wanted.len() as u64;
        let last = wanted[n as usize - 1];
        let base = self.counter_at(time);
        let mut hits: Vec<i64> = Vec::new();
        let mut scanned = 0u64;
        for offset in from..=to {
            let Some(counter) = base.checked_add_signed(offset) else {
                continue;
            };
            scanned += 1;
            if counter < n - 1 {
                continue;
            }
            if !bool::from(self.hotp_value(counter).ct_eq(&last)) {
                continue;
            }
            let earlier_match = (1..n).all(|back| {
                let want = wanted[(n - 1 - back) as usize];
                bool::from(self.hotp_value(counter - back).ct_eq(&want))
            });
            if earlier_match {
                hits.push(offset);
            }
        }
        let period = self.params.period as i64;
        let mut candidates: Vec<DriftCandidate> = hits
            .into_iter()
            .map(|o| DriftCandidate {
                offset_steps: o,
                offset_seconds: o.saturating_mul(period),
            })
            .collect();
        nearest_first(&mut candidates);
        Ok(DriftReport {
            candidates,
            scanned_steps: scanned,
        })
    }

    /// "Verify a code from this device", as the admin typed it: one code or several consecutive
    /// codes (oldest first, the last read at `time`; see [`typed_codes`] for the splitting and
    /// the digit rule). The whole sequence is tried within ±[`VERIFY_WINDOW`] steps; beyond that
    /// the answer is the scan to run ([`Generator::default_max_steps`] each way). Never fails:
    /// bad typing is an [`VerifyOutcome::Input`].
    pub fn verify_typed(&self, typed: &str, time: u64) -> VerifyOutcome {
        let digits = self.params.digits;
        let codes = match typed_codes(typed, digits) {
            Ok(c) => c,
            Err(message) => return VerifyOutcome::Input { message },
        };
        let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
        let w = VERIFY_WINDOW as i64;
        let report = self
            .drift_range(&refs, time, -w, w)
            .expect("a window of a few steps with checked codes");
        if let Some(c) = report.candidates.first() {
            return VerifyOutcome::Matched {
                offset_steps: c.offset_steps,
                offset_seconds: c.offset_seconds,
                fit: entra_fit(self.params.period, c.offset_seconds),
                codes: codes.len(),
            };
        }
        let max = self.default_max_steps().min(i64::MAX as u64 / 2) as i64;
        let what = if codes.len() == 1 {
            "this code"
        } else {
            "this sequence"
        };
        VerifyOutcome::Scan {
            codes: codes.len(),
            from_steps: -max,
            to_steps: max,
            message: format!(
                "no match within ±{VERIFY_WINDOW} steps: scanning ±2 years of steps for {what}"
            ),
        }
    }
}

/// Steps each way within which a typed code counts as a plain match ("Verify a code"); beyond
/// it a drift scan is needed.
pub const VERIFY_WINDOW: u64 = 2;

/// What the admin typed, split into codes: parts separated by whitespace, commas or semicolons
/// are joined until they have `digits` characters, so `123 456, 654321` is two codes and
/// `123456 654321` too. Nothing is checked here (see [`typed_codes`]).
pub fn split_codes(typed: &str, digits: u32) -> Vec<String> {
    let mut codes = Vec::new();
    let mut cur = String::new();
    for part in typed
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|p| !p.is_empty())
    {
        cur.push_str(part);
        if cur.chars().count() >= digits as usize {
            codes.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        codes.push(cur);
    }
    codes
}

/// The codes of [`split_codes`] when every one is exactly `digits` ASCII digits (and there is at
/// least one); otherwise the message to show ("Type the 6-digit code shown on the device…").
pub fn typed_codes(typed: &str, digits: u32) -> Result<Vec<String>, String> {
    let codes = split_codes(typed, digits);
    let right = |c: &String| c.len() == digits as usize && c.bytes().all(|b| b.is_ascii_digit());
    if !codes.is_empty() && codes.iter().all(right) {
        return Ok(codes);
    }
    Err(format!(
        "Type the {digits}-digit code{} shown on the device (digits only).",
        if codes.len() > 1 { "s" } else { "" }
    ))
}

/// The answer of [`Generator::verify_typed`]. Serialises with a `kind` tag: `{"kind":
/// "matched", "offsetSteps", "offsetSeconds", "fit", "codes"}`, `{"kind": "scan", "codes",
/// "fromSteps", "toSteps", "message"}` or `{"kind": "input", "message"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum VerifyOutcome {
    /// The codes match within ±[`VERIFY_WINDOW`] steps (the nearest offset; behind first on a tie).
    #[serde(rename_all = "camelCase")]
    Matched {
        /// Signed offset in steps (negative: the device is behind).
        offset_steps: i64,
        /// The same in seconds.
        offset_seconds: i64,
        /// How the offset fits Entra's windows.
        fit: EntraFit,
        /// How many codes were typed.
        codes: usize,
    },
    /// No match in the window: scan `from_steps..=to_steps` (see [`Generator::drift_range`]).
    #[serde(rename_all = "camelCase")]
    Scan {
        /// How many codes were typed.
        codes: usize,
        /// First signed offset to scan.
        from_steps: i64,
        /// Last signed offset to scan.
        to_steps: i64,
        /// What happens next, for the admin.
        message: String,
    },
    /// What was typed is not a code (see [`typed_codes`]).
    Input {
        /// What to type instead.
        message: String,
    },
}

/// Orders drift candidates nearest first, behind before ahead on a tie: the order of every
/// drift report, and of a split scan's merged parts.
pub fn nearest_first(candidates: &mut [DriftCandidate]) {
    candidates.sort_by_key(|c| (c.offset_steps.unsigned_abs(), c.offset_steps > 0));
}

impl DriftReport {
    /// Merges the reports of a scan split into contiguous ranges (see
    /// [`Generator::drift_range`]): the candidates of every part nearest first, the scanned
    /// steps summed. Equal to the report of one unsplit scan.
    pub fn merge(parts: impl IntoIterator<Item = DriftReport>) -> DriftReport {
        let mut candidates = Vec::new();
        let mut scanned_steps = 0u64;
        for p in parts {
            candidates.extend(p.candidates);
            scanned_steps = scanned_steps.saturating_add(p.scanned_steps);
        }
        nearest_first(&mut candidates);
        DriftReport {
            candidates,
            scanned_steps,
        }
    }

    /// This report judged for a token of `period` seconds: the nearest candidate with its fit
    /// to Entra's windows.
    pub fn verdict(self, period: u64) -> DriftVerdict {
        let nearest = self.candidates.first().map(|&c| NearestCandidate {
            candidate: c,
            fit: entra_fit(period, c.offset_seconds),
        });
        DriftVerdict {
            candidates: self.candidates,
            scanned_steps: self.scanned_steps,
            nearest,
        }
    }
}

/// A drift scan's result with its nearest candidate judged. Serialises as `{"candidates",
/// "scannedSteps", "nearest": {"offsetSteps", "offsetSeconds", "fit"} | null}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftVerdict {
    /// Every matching offset, nearest first.
    pub candidates: Vec<DriftCandidate>,
    /// How many offsets were tried.
    pub scanned_steps: u64,
    /// The first candidate and how it fits Entra's windows; `None` without candidates.
    pub nearest: Option<NearestCandidate>,
}

/// The nearest drift candidate and its fit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NearestCandidate {
    /// The offset.
    #[serde(flatten)]
    pub candidate: DriftCandidate,
    /// How it fits Entra's windows.
    pub fit: EntraFit,
}

fn mac<M: Mac + Clone>(keyed: &M, msg: &[u8]) -> impl AsRef<[u8]> {
    let mut m = keyed.clone();
    m.update(msg);
    m.finalize().into_bytes()
}

/// RFC 4226 §5.3 dynamic truncation: offset from the low nibble of the last byte.
fn truncate(out: &impl AsRef<[u8]>) -> u32 {
    let out = out.as_ref();
    let o = (out[out.len() - 1] & 0x0f) as usize;
    u32::from_be_bytes([out[o] & 0x7f, out[o + 1], out[o + 2], out[o + 3]])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen(key: &[u8], hash: HashAlg, digits: u32, period: u64) -> Generator {
        Generator::new(
            &Secret::from_bytes(key.to_vec()),
            OtpParams {
                hash,
                digits,
                period,
            },
        )
        .unwrap()
    }

    #[test]
    fn default_drift_range_is_two_years_each_way() {
        assert_eq!(default_max_steps(30), 2_103_840);
        assert_eq!(default_max_steps(60), 1_051_920);
        assert_eq!(default_max_steps(0), default_max_steps(1));
        let g = gen(&[1; 20], HashAlg::Sha1, 6, 60);
        assert_eq!(g.default_max_steps(), default_max_steps(60));
    }

    #[test]
    fn hash_names() {
        assert_eq!(HashAlg::parse("HMACSHA256"), Some(HashAlg::Sha256));
        assert_eq!(HashAlg::parse("sha-1"), Some(HashAlg::Sha1));
        assert_eq!(HashAlg::parse("md5"), None);
    }

    #[test]
    fn parse_code_rules() {
        assert_eq!(parse_code("012 345", 6), Ok(12345));
        assert!(parse_code("12345", 6).is_err());
        assert!(parse_code("1234567", 6).is_err());
        assert!(parse_code("12a456", 6).is_err());
    }

    #[test]
    fn bad_params() {
        let s = Secret::from_bytes(vec![1; 20]);
        let p = OtpParams {
            digits: 9,
            ..OtpParams::default()
        };
        assert_eq!(Generator::new(&s, p).unwrap_err(), OtpError::Digits(9));
        let p = OtpParams {
            period: 0,
            ..OtpParams::default()
        };
        assert_eq!(Generator::new(&s, p).unwrap_err(), OtpError::Period);
    }

    #[test]
    fn verify_signed_offsets() {
        let g = gen(b"12345678901234567890", HashAlg::Sha1, 6, 30);
        let t = 1_000_000_000;
        let behind = g.hotp(g.counter_at(t) - 2);
        let r = g.verify(&behind, t, 2, 0).unwrap();
        assert_eq!(
            (r.matched, r.offset_steps, r.offset_seconds),
            (true, Some(-2), Some(-60))
        );
        assert!(!g.verify(&behind, t, 1, 5).unwrap().matched);
        let ahead = g.hotp(g.counter_at(t) + 3);
        assert_eq!(g.verify(&ahead, t, 0, 3).unwrap().offset_steps, Some(3));
    }

    #[test]
    fn drift_finds_planted_offset() {
        let g = gen(b"12345678901234567890", HashAlg::Sha1, 6, 30);
        let t = 1_700_000_000;
        let c = g.counter_at(t);
        let codes = [g.hotp(c + 997 - 1), g.hotp(c + 997)];
        let refs: Vec<&str> = codes.iter().map(|s| s.as_str()).collect();
        let r = g.drift(&refs, t, 5000).unwrap();
        assert_eq!(r.candidates[0].offset_steps, 997);
        assert_eq!(r.candidates[0].offset_seconds, 997 * 30);
        assert_eq!(r.scanned_steps, 10_001);
    }

    #[test]
    fn drift_range_asymmetric_and_empty() {
        let g = gen(b"12345678901234567890", HashAlg::Sha1, 6, 30);
        let t = 1_700_000_000;
        let c = g.counter_at(t) - 1234;
        let codes = [g.hotp(c - 1), g.hotp(c)];
        let refs: Vec<&str> = codes.iter().map(|s| s.as_str()).collect();
        let r = g.drift_range(&refs, t, -2000, 10).unwrap();
        assert_eq!(r.scanned_steps, 2011);
        assert!(r.candidates.iter().any(|c| c.offset_steps == -1234));
        assert!(r
            .candidates
            .iter()
            .all(|c| (-2000..=10).contains(&c.offset_steps)));
        let r = g.drift_range(&refs, t, -1000, 3000).unwrap();
        assert_eq!(r.scanned_steps, 4001);
        assert!(r.candidates.iter().all(|c| c.offset_steps != -1234));
        let r = g.drift_range(&refs, t, 5, 4).unwrap();
        assert_eq!((r.candidates.len(), r.scanned_steps), (0, 0));
        // Offsets before counter 0 are not tried.
        let r = g.drift_range(&refs, 60, -10, 0).unwrap();
        assert_eq!(r.scanned_steps, 3);
    }

    #[test]
    fn drift_range_split_matches_drift() {
        let g = gen(b"12345678901234567890", HashAlg::Sha256, 6, 30);
        let t = 1_700_000_000;
        // A code value that recurs behind and ahead within the range (the birthday bound makes
        // several likely), so the merge has candidates from more than one part to order.
        let base = g.counter_at(t);
        let mut seen = std::collections::BTreeMap::<u32, Vec<i64>>::new();
        for o in -30_000i64..=30_000 {
            let v = g.hotp_value(base.checked_add_signed(o).unwrap());
            seen.entry(v).or_default().push(o);
        }
        let (value, _) = seen
            .iter()
            .find(|(_, os)| os.iter().any(|&o| o < -7_000) && os.iter().any(|&o| o > 0))
            .expect("a value recurring on both sides");
        let code = g.format(*value);
        let refs = [code.as_str()];
        let whole = g.drift(&refs, t, 30_000).unwrap();
        assert!(whole.candidates.len() >= 2);
        assert_eq!(g.drift_range(&refs, t, -30_000, 30_000).unwrap(), whole);
        let mut merged = Vec::new();
        let mut scanned = 0;
        for (from, to) in [(-30_000, -7_001), (-7_000, 123), (124, 30_000)] {
            let part = g.drift_range(&refs, t, from, to).unwrap();
            merged.extend(part.candidates);
            scanned += part.scanned_steps;
        }
        merged.sort_by_key(|c| (c.offset_steps.unsigned_abs(), c.offset_steps > 0));
        assert_eq!(merged, whole.candidates);
        assert_eq!(scanned, whole.scanned_steps);
    }

    #[test]
    fn typed_codes_split_and_digit_rule() {
        assert_eq!(split_codes("123 456, 654321", 6), ["123456", "654321"]);
        assert_eq!(split_codes(" 123456;654321  111111 ", 6).len(), 3);
        assert_eq!(split_codes("12345", 6), ["12345"]);
        assert!(typed_codes("12345", 6)
            .unwrap_err()
            .contains("6-digit code shown"));
        assert!(typed_codes("123456 12a456", 6)
            .unwrap_err()
            .contains("codes"));
        assert!(typed_codes("", 6).is_err());
        assert!(typed_codes("1234567", 6).is_err());
        assert_eq!(typed_codes("0123 45", 6).unwrap(), ["012345"]);
    }

    #[test]
    fn verify_typed_window_then_scan() {
        let g = gen(b"12345678901234567890", HashAlg::Sha1, 6, 30);
        let t = 1_700_000_000;
        let c = g.counter_at(t);
        match g.verify_typed(&g.hotp(c - 2), t) {
            VerifyOutcome::Matched {
                offset_steps,
                offset_seconds,
                fit,
                codes,
            } => {
                assert_eq!((offset_steps, offset_seconds, codes), (-2, -60, 1));
                assert!(fit.sign_in);
            }
            other => panic!("{other:?}"),
        }
        let seq = format!("{} {}", g.hotp(c + 1), g.hotp(c + 2));
        assert!(matches!(
            g.verify_typed(&seq, t),
            VerifyOutcome::Matched {
                offset_steps: 2,
                codes: 2,
                ..
            }
        ));
        let far = g.hotp(c + 5000);
        let wide = g.drift(&[far.as_str()], t, 2).unwrap();
        if wide.candidates.is_empty() {
            match g.verify_typed(&far, t) {
                VerifyOutcome::Scan {
                    from_steps,
                    to_steps,
                    codes,
                    ..
                } => {
                    assert_eq!((from_steps, to_steps, codes), (-2_103_840, 2_103_840, 1));
                }
                other => panic!("{other:?}"),
            }
        }
        assert!(matches!(
            g.verify_typed("12 34", t),
            VerifyOutcome::Input { .. }
        ));
        let json = serde_json::to_value(g.verify_typed("x", t)).unwrap();
        assert_eq!(json["kind"], "input");
    }

    #[test]
    fn merged_parts_equal_one_scan_and_judge_the_nearest() {
        let g = gen(b"12345678901234567890", HashAlg::Sha1, 6, 30);
        let t = 1_700_000_000;
        let code = g.hotp(g.counter_at(t) - 700);
        let refs = [code.as_str()];
        let whole = g.drift(&refs, t, 20_000).unwrap();
        let parts = [(-20_000, -5_001), (-5_000, 99), (100, 20_000)]
            .map(|(a, b)| g.drift_range(&refs, t, a, b).unwrap());
        let merged = DriftReport::merge(parts);
        assert_eq!(merged, whole);
        let v = merged.verdict(30);
        let n = v.nearest.as_ref().unwrap();
        assert_eq!(n.candidate, whole.candidates[0]);
        assert_eq!(n.fit, entra_fit(30, n.candidate.offset_seconds));
        let json = serde_json::to_value(&v).unwrap();
        assert_eq!(
            json["nearest"]["offsetSteps"],
            whole.candidates[0].offset_steps
        );
        assert!(json["nearest"]["fit"]["signIn"].is_boolean());
        assert_eq!(DriftReport::merge([]).verdict(30).nearest, None);
    }

    #[test]
    fn format_pads_like_format_macro() {
        let g = gen(b"k", HashAlg::Sha1, 8, 30);
        for v in [0, 7, 12_345, 99_999_999, 100_000_000, u32::MAX] {
            assert_eq!(g.format(v), format!("{v:08}"));
        }
    }

    #[test]
    fn entra_fit_messages() {
        assert!(entra_fit(30, -60).sign_in);
        let f = entra_fit(30, -90);
        assert!(!f.sign_in && f.activation);
        assert!(f.message.contains("1 min 30 s behind"));
        assert!(!entra_fit(60, 200_000).activation);
        assert!(entra_fit(60, 120).sign_in);
        assert!(!entra_fit(45, 0).activation);
    }
}
