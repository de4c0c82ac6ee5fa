//! Arguments from JS, checked in one place: whole numbers, counts, signed steps, Unix time, hash
//! and format names, listing pages. Every check throws a `JsError` naming the argument; none lets
//! a wrong value through as a default.
//!
//! Options objects are read once per call: by serde (`from_js`) where a call is rare, or, on the
//! per-code paths (`totp`, `verifyCode`, `findDrift`, `TotpGenerator`), property by property
//! through [`CodeOptionsJs`] without building field-name strings.

use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::*;

use crate::core::graph::RequestKind;
use crate::core::token::ListedDevice;
use crate::core::tokenfile::{self, InputFormat};
use crate::core::{GraphHash, HashAlg};

/// A number that must be finite, at least `min` and at most 9·10^15 (exact in an f64); the
/// fraction is dropped.
pub(crate) fn whole(name: &str, v: f64, min: f64) -> Result<u64, JsError> {
    if !v.is_finite() || v < min || v > 9.0e15 {
        return Err(JsError::new(&format!("{name} must be a number ≥ {min}")));
    }
    Ok(v.floor() as u64)
}

/// Unix seconds (the fraction dropped).
pub(crate) fn unix_time(time: f64) -> Result<u64, JsError> {
    whole("time (Unix seconds)", time, 0.0)
}

/// A whole number from `min` to `max`, no fraction.
pub(crate) fn count(name: &str, v: f64, min: f64, max: f64) -> Result<usize, JsError> {
    if !v.is_finite() || v < min || v > max || v.fract() != 0.0 {
        return Err(JsError::new(&format!(
            "{name} must be a whole number from {min} to {max}"
        )));
    }
    Ok(v as usize)
}

/// A 0-based row of a set of `len` records.
pub(crate) fn row(v: f64, len: usize) -> Result<usize, JsError> {
    if !v.is_finite() || v < 0.0 || v.fract() != 0.0 || v >= len as f64 {
        return Err(JsError::new(&format!(
            "row must be a whole number from 0 to {} (the set has {len} record(s))",
            len.saturating_sub(1)
        )));
    }
    Ok(v as usize)
}

/// A signed whole number of steps within ±9·10^15 (exact in an f64).
pub(crate) fn signed_steps(name: &str, v: f64) -> Result<i64, JsError> {
    if !v.is_finite() || v.fract() != 0.0 || v.abs() > 9.0e15 {
        return Err(JsError::new(&format!(
            "{name} must be a whole number of steps"
        )));
    }
    Ok(v as i64)
}

/// `time` of the Graph requests: Unix seconds when given.
pub(crate) fn request_time(time: Option<f64>) -> Result<Option<u64>, JsError> {
    match time {
        Some(t) if (0.0..9.0e15).contains(&t) => Ok(Some(t.floor() as u64)),
        Some(_) => Err(JsError::new("time must be Unix seconds (≥ 0)")),
        None => Ok(None),
    }
}

/// `chunk` of the bulk requests (default [`crate::core::graph::DEFAULT_CHUNK`]).
pub(crate) fn chunk(v: Option<f64>) -> Result<usize, JsError> {
    match v {
        Some(c) => count("chunk", c, 1.0, 1.0e9),
        None => Ok(crate::core::graph::DEFAULT_CHUNK),
    }
}

/// A hash Entra accepts, for the token-file options: any spelling of SHA-1 or SHA-256
/// (`GraphHash::parse`); `None` when not given.
pub(crate) fn graph_hash(name: Option<&str>) -> Result<Option<GraphHash>, JsError> {
    match name {
        None => Ok(None),
        Some(n) => GraphHash::parse(n)
            .map(Some)
            .ok_or_else(|| JsError::new("hashFunction must be \"hmacsha1\" or \"hmacsha256\"")),
    }
}

/// Any hash the code functions compute (SHA-512 too).
pub(crate) fn hash_alg(name: &str) -> Result<HashAlg, JsError> {
    HashAlg::parse(name).ok_or_else(|| {
        JsError::new("hashFunction must be \"hmacsha1\", \"hmacsha256\" or \"hmacsha512\"")
    })
}

/// `format` of the token-file options (default `auto`).
pub(crate) fn input_format(name: Option<&str>) -> Result<InputFormat, JsError> {
    match name {
        None | Some("auto") => Ok(InputFormat::Auto),
        Some("json") => Ok(InputFormat::Json),
        Some("csv") => Ok(InputFormat::Csv),
        Some(_) => Err(JsError::new("format must be \"auto\", \"json\" or \"csv\"")),
    }
}

/// A request kind by its command-line name.
pub(crate) fn request_kind(name: &str) -> Result<RequestKind, JsError> {
    RequestKind::parse(name).ok_or_else(|| {
        let names: Vec<&str> = RequestKind::ALL.iter().map(|k| k.as_str()).collect();
        JsError::new(&format!("request must be one of {}", names.join(", ")))
    })
}

/// The devices of listing pages; `label(i)` names page `i` (0-based) in the error.
pub(crate) fn listing(
    pages: &[String],
    label: impl Fn(usize) -> String,
) -> Result<Vec<ListedDevice>, JsError> {
    let pages: Vec<&str> = pages.iter().map(String::as_str).collect();
    tokenfile::parse_listings(&pages).map_err(|(i, e)| JsError::new(&format!("{}: {e}", label(i))))
}

/// Throws when the object `value` has a property not in `allowed` (serde, reading through
/// wasm-bindgen, sees only the properties it asks for).
pub(crate) fn only_keys(what: &str, value: &JsValue, allowed: &[&str]) -> Result<(), JsError> {
    if !value.is_object() {
        return Err(JsError::new(&format!("{what} must be an object")));
    }
    for key in js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !allowed.contains(&key.as_str()) {
            return Err(JsError::new(&format!(
                "{what}: unknown field \"{}\"; the fields are {}",
                crate::core::text::shorten(&key),
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

/// Reads an options object with serde; `undefined`/`null` give the defaults.
pub(crate) fn from_js<T: DeserializeOwned + Default>(value: JsValue) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("options: {e}")))
}

#[wasm_bindgen]
extern "C" {
    /// `TokenFileOptions` (an optional parameter: `options?: TokenFileOptions | null`).
    #[wasm_bindgen(typescript_type = "TokenFileOptions")]
    pub type TokenFileOptionsJs;
    /// `{ skipInvalid?: boolean }`.
    #[wasm_bindgen(typescript_type = "{ skipInvalid?: boolean }")]
    pub type SkipInvalidJs;
    /// `TokenSetVariantsOptions`.
    #[wasm_bindgen(typescript_type = "TokenSetVariantsOptions")]
    pub type VariantsOptionsJs;
    /// `TokenSetVariationOptions`.
    #[wasm_bindgen(typescript_type = "TokenSetVariationOptions")]
    pub type VariationOptionsJs;
    /// `TokenSetReconcileOptions`.
    #[wasm_bindgen(typescript_type = "TokenSetReconcileOptions")]
    pub type ReconcileOptionsJs;
    /// `DriftRange`.
    #[wasm_bindgen(typescript_type = "DriftRange")]
    pub type DriftRangeJs;
}

/// An optional options parameter as a plain value (`undefined` when not given).
pub(crate) fn given<T: Into<JsValue>>(options: Option<T>) -> JsValue {
    options.map_or(JsValue::UNDEFINED, Into::into)
}

#[wasm_bindgen]
extern "C" {
    /// The options object of the code functions, read property by property (the property names
    /// live in the generated JS, so no name string is built per call).
    #[wasm_bindgen(typescript_type = "CodeOptions")]
    pub type CodeOptionsJs;
    #[wasm_bindgen(method, getter, js_name = hashFunction)]
    fn hash_function(this: &CodeOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn period(this: &CodeOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn digits(this: &CodeOptionsJs) -> JsValue;
    #[wasm_bindgen(method, getter)]
    fn time(this: &CodeOptionsJs) -> JsValue;
}

thread_local! {
    /// The three hash names as JS strings, made once: comparing with them costs no string copy.
    static HASH_NAMES: [(JsValue, HashAlg); 3] = [
        (JsValue::from_str("hmacsha1"), HashAlg::Sha1),
        (JsValue::from_str("hmacsha256"), HashAlg::Sha256),
        (JsValue::from_str("hmacsha512"), HashAlg::Sha512),
    ];
}

/// A number property: `undefined`/`null` give `default`; anything but a number throws.
///
/// The common case, a finite number, costs two calls into JS that return their answer directly
/// (`Number.isFinite`, which is false for every other type, then the number itself); only
/// the rest pays for `as_f64`, whose answer goes through wasm memory.
fn number(name: &str, v: JsValue, default: f64) -> Result<f64, JsError> {
    if js_sys::Number::is_finite(&v) {
        return Ok(v.unchecked_into_f64());
    }
    if v.is_null_or_undefined() {
        return Ok(default);
    }
    // NaN and ±Infinity are numbers: the caller's range check names them.
    v.as_f64()
        .ok_or_else(|| JsError::new(&format!("options: {name} must be a number")))
}

/// The code options (hash, period, digits, time) of an options object, each property read once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CodeArgs {
    pub hash: HashAlg,
    pub period: f64,
    pub digits: f64,
    /// NaN when not given (`time` is required where it is used).
    pub time: f64,
}

impl CodeArgs {
    /// Reads `options` (`undefined`/`null`: every default: hmacsha1, 30 s, 6 digits, no time).
    pub(crate) fn read(options: &JsValue) -> Result<CodeArgs, JsError> {
        // An object first: the one check a call with options pays.
        if !options.is_object() {
            if options.is_null_or_undefined() {
                return Ok(CodeArgs {
                    hash: HashAlg::Sha1,
                    period: 30.0,
                    digits: 6.0,
                    time: f64::NAN,
                });
            }
            return Err(JsError::new("options must be an object"));
        }
        let o: &CodeOptionsJs = options.unchecked_ref();
        let h = o.hash_function();
        let known = HASH_NAMES.with(|names| names.iter().find(|(n, _)| *n == h).map(|x| x.1));
        let hash = match known {
            Some(a) => a,
            None if h.is_null_or_undefined() => HashAlg::Sha1,
            // Another spelling ("SHA-256"), or not a string at all.
            None => hash_alg(&h.as_string().unwrap_or_default())?,
        };
        Ok(CodeArgs {
            hash,
            period: number("period", o.period(), 30.0)?,
            digits: number("digits", o.digits(), 6.0)?,
            time: number("time", o.time(), f64::NAN)?,
        })
    }
}
