//! The JS API of the TOTP engine, called through the wasm-bindgen boundary
//! (`wasm-pack test --node`).
#![cfg(target_arch = "wasm32")]

use hwoath::wasm::otp::{
    assess_drift, default_drift_steps, find_drift, inspect_secret, totp, verify_code,
};
use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const DEMO: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn error_message(e: JsValue) -> String {
    let e: js_sys::Error = e.dyn_into().expect("throws an Error");
    e.message().into()
}

#[wasm_bindgen_test]
fn totp_matches_rfc_and_cli() {
    // RFC 6238 SHA-1 at T=59 with the 20-byte seed
    let seed = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let code = totp(
        seed,
        obj(r#"{"hashFunction":"hmacsha1","period":30,"digits":8,"time":59}"#),
    );
    assert_eq!(code.unwrap(), "94287082");
    let code = totp(DEMO, obj(r#"{"time":59.9}"#)).unwrap();
    assert_eq!(code, "503347");
}

#[wasm_bindgen_test]
fn bad_secret_throws_error_without_secret() {
    let secret = "JBSWY3DPEHPK3PX8";
    let e = match totp(secret, obj(r#"{"time":0}"#)) {
        Err(e) => JsValue::from(e),
        Ok(_) => panic!("must throw"),
    };
    let msg = error_message(e);
    // The 16th character: messages count from 1.
    assert!(msg.contains("digit 8 at position 16"), "{msg}");
    assert!(!msg.contains("JBSWY3DP"));
}

#[wasm_bindgen_test]
fn bad_hash_throws() {
    let e = totp(DEMO, obj(r#"{"time":0,"hashFunction":"md5"}"#))
        .err()
        .unwrap();
    assert!(error_message(e.into()).contains("hashFunction"));
}

#[wasm_bindgen_test]
fn verify_code_signed_offset() {
    let code = totp(DEMO, obj(r#"{"time":940}"#)).unwrap();
    let opts = format!(r#"{{"code":"{code}","time":1000,"behind":2,"ahead":0}}"#);
    let r = verify_code(DEMO, obj(&opts)).unwrap();
    assert_eq!(get(&r, "matched"), JsValue::TRUE);
    assert_eq!(get(&r, "offsetSteps").as_f64(), Some(-2.0));
    assert_eq!(get(&r, "offsetSeconds").as_f64(), Some(-60.0));
    // not matched: offsets are null, not undefined
    let opts = format!(r#"{{"code":"{code}","time":1000,"behind":1,"ahead":1}}"#);
    let r = verify_code(DEMO, obj(&opts)).unwrap();
    assert_eq!(get(&r, "matched"), JsValue::FALSE);
    assert!(get(&r, "offsetSteps").is_null());
    // a malformed code does not throw
    let r = verify_code(DEMO, obj(r#"{"code":"abc","time":1000}"#)).unwrap();
    assert_eq!(get(&r, "matched"), JsValue::FALSE);
}

#[wasm_bindgen_test]
fn find_drift_planted() {
    let t = 1_700_000_000u64;
    let c1 = totp(DEMO, obj(&format!(r#"{{"time":{}}}"#, t + 7 * 30 - 30))).unwrap();
    let c2 = totp(DEMO, obj(&format!(r#"{{"time":{}}}"#, t + 7 * 30))).unwrap();
    let opts = format!(r#"{{"codes":["{c1}","{c2}"],"time":{t},"maxSteps":1000}}"#);
    let r = find_drift(DEMO, obj(&opts)).unwrap();
    assert_eq!(get(&r, "scannedSteps").as_f64(), Some(2001.0));
    let cands: Array = get(&r, "candidates").dyn_into().unwrap();
    assert_eq!(get(&cands.get(0), "offsetSteps").as_f64(), Some(7.0));
    assert_eq!(get(&cands.get(0), "offsetSeconds").as_f64(), Some(210.0));
}

fn offsets(r: &JsValue) -> Vec<f64> {
    let cands: Array = get(r, "candidates").dyn_into().unwrap();
    cands
        .iter()
        .map(|c| get(&c, "offsetSteps").as_f64().unwrap())
        .collect()
}

#[wasm_bindgen_test]
fn find_drift_ranges_split_the_symmetric_scan() {
    let t = 1_700_000_000u64;
    let c1 = totp(DEMO, obj(&format!(r#"{{"time":{}}}"#, t - 700 * 30 - 30))).unwrap();
    let c2 = totp(DEMO, obj(&format!(r#"{{"time":{}}}"#, t - 700 * 30))).unwrap();
    let base = format!(r#""codes":["{c1}","{c2}"],"time":{t}"#);
    let whole = find_drift(DEMO, obj(&format!(r#"{{{base},"maxSteps":1000}}"#))).unwrap();
    assert!(offsets(&whole).contains(&-700.0));
    let mut merged = Vec::new();
    let mut scanned = 0.0;
    // maxSteps is ignored when a range is given.
    for (from, to) in [(-1000, -701), (-700, 0), (1, 1000)] {
        let opts = format!(r#"{{{base},"maxSteps":5,"fromSteps":{from},"toSteps":{to}}}"#);
        let part = find_drift(DEMO, obj(&opts)).unwrap();
        scanned += get(&part, "scannedSteps").as_f64().unwrap();
        merged.extend(offsets(&part));
    }
    merged.sort_by_key(|o| (o.abs() as u64, *o > 0.0));
    assert_eq!(merged, offsets(&whole));
    assert_eq!(scanned, get(&whole, "scannedSteps").as_f64().unwrap());
    assert_eq!(scanned, 2001.0);
    // A range without the planted offset finds nothing there.
    let opts = format!(r#"{{{base},"fromSteps":-699,"toSteps":699}}"#);
    let r = find_drift(DEMO, obj(&opts)).unwrap();
    assert!(!offsets(&r).contains(&-700.0));
    assert_eq!(get(&r, "scannedSteps").as_f64(), Some(1399.0));
}

#[wasm_bindgen_test]
fn default_drift_steps_is_two_years_of_steps() {
    assert_eq!(default_drift_steps(Some(30.0)).unwrap(), 2_103_840.0);
    assert_eq!(default_drift_steps(Some(60.0)).unwrap(), 1_051_920.0);
    // No period: findDrift's default, 30 s.
    assert_eq!(default_drift_steps(None).unwrap(), 2_103_840.0);
    for bad in [0.0, -30.0, f64::NAN, f64::INFINITY] {
        let e = error_message(default_drift_steps(Some(bad)).unwrap_err().into());
        assert!(e.starts_with("period must be a number"), "{bad}: {e}");
    }
}

#[wasm_bindgen_test]
fn find_drift_rejects_unusable_ranges() {
    let base = r#""codes":["123456"],"time":1700000000"#;
    for bad in [
        r#""fromSteps":5,"toSteps":4"#,
        r#""fromSteps":-5"#,
        r#""toSteps":5"#,
        r#""fromSteps":-1.5,"toSteps":4"#,
    ] {
        assert!(
            find_drift(DEMO, obj(&format!("{{{base},{bad}}}"))).is_err(),
            "{bad}"
        );
    }
    let r = find_drift(
        DEMO,
        obj(&format!(r#"{{{base},"fromSteps":3,"toSteps":3}}"#)),
    )
    .unwrap();
    assert_eq!(get(&r, "scannedSteps").as_f64(), Some(1.0));
}

#[wasm_bindgen_test]
fn inspect_secret_reports_positions_and_never_throws() {
    let r = inspect_secret("jbsw-y3dp").unwrap();
    assert_eq!(get(&r, "valid"), JsValue::TRUE);
    assert_eq!(get(&r, "byteLength").as_f64(), Some(5.0));
    assert_eq!(get(&r, "canonical").as_string().unwrap(), "JBSWY3DP");
    let issues: Array = get(&r, "issues").dyn_into().unwrap();
    assert_eq!(
        get(&issues.get(0), "kind").as_string().unwrap(),
        "lower-case"
    );
    assert_eq!(get(&issues.get(1), "kind").as_string().unwrap(), "hyphen");
    let pos: Array = get(&issues.get(1), "positions").dyn_into().unwrap();
    assert_eq!(pos.get(0).as_f64(), Some(4.0));

    let r = inspect_secret("AB1C").unwrap();
    assert_eq!(get(&r, "valid"), JsValue::FALSE);
    assert!(get(&r, "canonical").is_null());
    let issues: Array = get(&r, "issues").dyn_into().unwrap();
    assert_eq!(
        get(&issues.get(0), "kind").as_string().unwrap(),
        "confusable"
    );
    assert_eq!(
        get(&issues.get(0), "severity").as_string().unwrap(),
        "error"
    );
}

#[wasm_bindgen_test]
fn assess_drift_windows() {
    let r = assess_drift(-90.0, 30.0).unwrap();
    assert_eq!(get(&r, "signIn"), JsValue::FALSE);
    assert_eq!(get(&r, "activation"), JsValue::TRUE);
}

#[wasm_bindgen_test]
fn keyed_generator_matches_totp() {
    use hwoath::wasm::otp::TotpGenerator;
    let g = TotpGenerator::new(DEMO, obj(r#"{"period":60,"hashFunction":"hmacsha256"}"#)).unwrap();
    for t in [0.0, 59.0, 60.0, 1_700_000_000.5] {
        let opts = format!(r#"{{"period":60,"hashFunction":"hmacsha256","time":{t}}}"#);
        let want = totp(DEMO, obj(&opts)).unwrap();
        assert_eq!(g.code(t).unwrap(), want);
        assert_eq!(format!("{:06}", g.value(t).unwrap()), want);
    }
    let vals = g.values(60.0, 3).unwrap();
    assert_eq!(format!("{:06}", vals[2]), g.code(180.0).unwrap());
    assert_eq!(g.seconds_left(61.0).unwrap(), 59.0);
    assert!(g.code(-1.0).is_err());
    assert!(TotpGenerator::new("not base32!", obj("{}")).is_err());
}

#[wasm_bindgen_test]
fn js_codes_are_the_rust_codes() {
    // What JS gets (`totp`, `TotpGenerator.code`: made by String.fromCharCode) is the code the
    // Rust functions format, for 6, 7 and 8 digits.
    use hwoath::wasm::otp::{totp_js, TotpGenerator};
    for digits in [6, 7, 8] {
        for t in [0.0, 59.0, 1_700_000_000.0] {
            let opts = format!(r#"{{"digits":{digits},"hashFunction":"hmacsha256","time":{t}}}"#);
            let want = totp(DEMO, obj(&opts)).unwrap();
            assert_eq!(want.len(), digits);
            assert_eq!(totp_js(DEMO, obj(&opts)).unwrap(), want);
            let g = TotpGenerator::new(DEMO, obj(&opts)).unwrap();
            let rust = g.code(t).unwrap();
            let js: JsValue = g.into();
            let code = js_sys::Reflect::get(&js, &"code".into()).unwrap();
            let code: js_sys::Function = code.dyn_into().unwrap();
            let got = code.call1(&js, &JsValue::from_f64(t)).unwrap();
            assert_eq!(got.as_string().unwrap(), rust);
            assert_eq!(rust, want);
        }
    }
}
