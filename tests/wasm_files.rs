//! The JS API for token files, called through the wasm-bindgen boundary
//! (`wasm-pack test --node --test wasm_files`): `validate`, `normalize`, `parseTokens`,
//! `parseListing`. Results must equal the core's (the same object as `hwoath validate --json`).
#![cfg(target_arch = "wasm32")]

use hwoath::core::tokenfile::{self, ParseOptions};
use hwoath::core::{Generator, HashAlg, OtpParams, Secret};
use hwoath::wasm::files::{normalize, parse_listing, parse_tokens, validate};
use hwoath::wasm::otp::totp;
use js_sys::Reflect;
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::*;

const MIXED: &str = include_str!("fixtures/invalid/mixed.json");
const DELTA: &str = include_str!("fixtures/valid/token2_delta.json");
const SHA256_CSV: &str = include_str!("fixtures/valid/legacy_sha256.csv");
const COLLISION: &str = include_str!("fixtures/invalid/listing_collision.json");
const PAGE1: &str = include_str!("fixtures/listing/page1.json");
const PAGE2: &str = include_str!("fixtures/listing/page2.json");
const LISTING_AS_UPLOAD: &str = include_str!("fixtures/unusable/listing_as_upload.json");
const HASH_BAD: &str = include_str!("fixtures/invalid/hash_bad.json");

fn obj(v: &Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap()
}

fn opts(v: &Value) -> Option<JsValue> {
    Some(obj(v))
}

fn plain(v: &JsValue) -> Value {
    serde_json::from_str(&String::from(js_sys::JSON::stringify(v).unwrap())).unwrap()
}

fn thrown(r: Result<JsValue, JsError>) -> String {
    let e: JsValue = r.expect_err("must throw").into();
    let e: js_sys::Error = e.dyn_into().expect("throws an Error");
    e.message().into()
}

fn core_report(text: &str, opts: &ParseOptions) -> Value {
    tokenfile::validate(text, opts).unwrap().to_json()
}

#[wasm_bindgen_test]
fn validate_returns_the_cli_json_object() {
    for (text, name) in [(MIXED, "mixed"), (DELTA, "delta"), (HASH_BAD, "hash_bad")] {
        let r = validate(text, None).unwrap();
        assert_eq!(
            plain(&r),
            core_report(text, &ParseOptions::default()),
            "{name}"
        );
        // A plain object with the keys in the contract's order.
        let keys: Vec<String> = js_sys::Object::keys(r.unchecked_ref::<js_sys::Object>())
            .iter()
            .map(|k| k.as_string().unwrap())
            .collect();
        assert_eq!(keys, ["records", "valid", "invalid", "diagnostics"]);
    }
    let r = plain(&validate(MIXED, Some(JsValue::NULL)).unwrap());
    assert_eq!(
        (
            r["records"].as_u64(),
            r["valid"].as_u64(),
            r["invalid"].as_u64()
        ),
        (Some(5), Some(3), Some(2))
    );
    // Both records of the duplicate @contentId are flagged, the message counting from 1 while
    // `record` stays the 0-based index.
    assert_eq!(
        r["diagnostics"][0],
        json!({"severity": "warning", "code": "HW305", "record": 1, "field": "@contentId", "line": 14, "column": 27, "message": "@contentId \"2\" is also used by record 4 (line 31) (renumbered on normalisation)"})
    );
    assert_eq!(
        r["diagnostics"][1],
        json!({"severity": "error", "code": "HW103", "record": 1, "field": "model", "line": 17, "column": 22, "message": "model is empty"})
    );
}

#[wasm_bindgen_test]
fn listing_and_hash_options() {
    let listing = opts(&json!({"listing": [PAGE1, PAGE2]}));
    let r = plain(&validate(COLLISION, listing).unwrap());
    let codes: Vec<&str> = r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["HW401", "HW401"]);
    assert!(r["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("3dee0e53-f50f-43ef-85c0-b44689f2d66d"));

    let p = plain(&parse_tokens(SHA256_CSV, opts(&json!({"hashFunction": "hmacsha256"}))).unwrap());
    assert_eq!(p["format"], "legacyCsv");
    for row in p["records"].as_array().unwrap() {
        assert_eq!(row["hashFunction"], "hmacsha256");
    }
    let p = plain(&parse_tokens(SHA256_CSV, None).unwrap());
    assert_eq!(p["records"][0]["hashFunction"], "hmacsha1");
    let forced = plain(&validate(DELTA, opts(&json!({"format": "json"}))).unwrap());
    assert_eq!(forced["valid"], 3);
}

#[wasm_bindgen_test]
fn only_unusable_input_and_impossible_options_throw() {
    let m = thrown(validate(LISTING_AS_UPLOAD, None));
    assert!(m.starts_with("1:1: this is a Graph listing"), "{m}");
    assert!(thrown(validate("", None)).contains("empty"));
    assert!(thrown(validate("{\"a\":1,}", None)).starts_with("1:8: not valid JSON"));
    let m = thrown(validate(
        DELTA,
        opts(&json!({"hashFunction": "hmacsha512"})),
    ));
    assert!(m.contains("hashFunction"), "{m}");
    assert!(thrown(validate(DELTA, opts(&json!({"format": "xml"})))).contains("format"));
    let m = thrown(validate(DELTA, opts(&json!({"listing": [DELTA]}))));
    assert!(m.starts_with("listing page 0: "), "{m}");
    assert!(thrown(normalize("42", None)).contains("not a token file"));
    // Errors in records are data, not exceptions.
    assert!(validate(HASH_BAD, None).is_ok());
}

#[wasm_bindgen_test]
fn normalize_writes_nothing_for_invalid_records_unless_told_to_skip() {
    let core = tokenfile::normalize(
        &tokenfile::validate(MIXED, &ParseOptions::default()).unwrap(),
        true,
    )
    .unwrap();
    let n = plain(&normalize(MIXED, None).unwrap());
    assert!(n["json"].is_null());
    assert_eq!(n["skipped"].as_array().unwrap().len(), 2);
    let n = plain(&normalize(MIXED, opts(&json!({"skipInvalid": true}))).unwrap());
    assert_eq!(n["json"].as_str().unwrap(), core.json);
    let s = &n["skipped"][1];
    assert_eq!(s["record"], 2);
    assert!(s["serialNumber"].is_string());
    assert!(s["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("HW202 secretKey: "));
    let n = plain(&normalize(DELTA, None).unwrap());
    let expected = tokenfile::normalize(
        &tokenfile::validate(DELTA, &ParseOptions::default()).unwrap(),
        false,
    )
    .unwrap();
    assert_eq!(n["json"].as_str().unwrap(), expected.json);
    assert_eq!(n["skipped"], json!([]));
}

#[wasm_bindgen_test]
fn parse_tokens_gives_rows_a_live_code_and_the_report() {
    let p = parse_tokens(MIXED, None).unwrap();
    let v = plain(&p);
    assert_eq!(v["format"], "graphDelta");
    assert_eq!(v["report"], core_report(MIXED, &ParseOptions::default()));
    let rows = v["records"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    let valid: Vec<bool> = rows.iter().map(|r| r["valid"].as_bool().unwrap()).collect();
    assert_eq!(valid, [true, false, false, true, true]);
    // Record 1 is invalid (empty model) but its key decodes: it still gets a code.
    let row = &rows[1];
    assert_eq!(row["model"], Value::Null);
    assert_eq!(row["hashFunction"], "hmacsha256");
    assert_eq!(row["timeIntervalInSeconds"], 30);
    assert_eq!(
        (row["line"].as_u64(), row["column"].as_u64()),
        (Some(13), Some(9))
    );
    let secret = row["secret"].as_str().unwrap();
    let masked = row["secretMasked"].as_str().unwrap();
    assert_eq!(masked.chars().count(), secret.len());
    assert!(masked.ends_with(&secret[secret.len() - 4..]));
    assert!(masked.starts_with('•'));
    let code = totp(
        secret,
        obj(&json!({"hashFunction": "hmacsha256", "period": 30, "time": 1_700_000_000})),
    )
    .unwrap();
    let g = Generator::new(
        &Secret::parse(secret).unwrap().secret,
        OtpParams {
            hash: HashAlg::Sha256,
            digits: 6,
            period: 30,
        },
    )
    .unwrap();
    assert_eq!(code, g.totp(1_700_000_000));
    // Record 2's key does not decode (digit 8): no secret, nothing masked.
    assert!(rows[2]["secret"].is_null());
    assert!(rows[2]["secretMasked"].is_null());
    // hmacsha512 is not offered as a usable hash.
    let h = plain(&parse_tokens(HASH_BAD, None).unwrap());
    assert!(h["records"][0]["hashFunction"].is_null());
    assert!(Reflect::has(&p, &JsValue::from_str("records")).unwrap());
}

#[wasm_bindgen_test]
fn parse_listing_reads_devices_and_refuses_token_files() {
    let d = plain(&parse_listing(PAGE1).unwrap());
    assert_eq!(d.as_array().unwrap().len(), 2);
    assert_eq!(
        d[1],
        json!({"id": "aad49556-9f3c-4a6e-b2c8-7d7e6f5a4b3c", "serialNumber": "2300000000042", "manufacturer": "Token2",
               "model": "C202", "status": "assigned", "assignedTo": "Amy Masters"})
    );
    assert!(thrown(parse_listing(DELTA)).contains("token file"));
}
