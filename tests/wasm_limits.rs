//! Resource limits through the JS API (docs/limits.md): scans wider than 10 years of steps and
//! inputs nested too deep throw as unusable, naming the limit (`wasm-pack test --node`).
#![cfg(target_arch = "wasm32")]

use hwoath::wasm::files::validate;
use hwoath::wasm::otp::{find_drift, verify_code, TotpGenerator};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const DEMO: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn obj(json: &str) -> JsValue {
    js_sys::JSON::parse(json).unwrap()
}

fn message(e: wasm_bindgen::JsError) -> String {
    let e: js_sys::Error = JsValue::from(e).dyn_into().expect("throws an Error");
    e.message().into()
}

#[wasm_bindgen_test]
fn drift_and_verify_windows_are_capped_at_ten_years() {
    // 10 years of 30 s steps: 10,519,200 each way.
    let over = r#"{"codes":["123456"],"time":1000000000,"maxSteps":10519201}"#;
    let e = message(find_drift(DEMO, obj(over)).unwrap_err());
    assert!(
        e.contains("10519200") && e.contains("docs/limits.md"),
        "{e}"
    );
    let over = r#"{"codes":["123456"],"time":1000000000,"fromSteps":-10519201,"toSteps":0}"#;
    assert!(message(find_drift(DEMO, obj(over)).unwrap_err()).contains("10519200"));
    let at = r#"{"codes":["123456"],"time":1000000000,"fromSteps":10519100,"toSteps":10519200}"#;
    assert!(find_drift(DEMO, obj(at)).is_ok());
    let wide = r#"{"code":"123456","time":1000000000,"behind":10519201}"#;
    assert!(message(verify_code(DEMO, obj(wide)).unwrap_err()).contains("10519200"));
    // A malformed code still just does not match.
    let bad = r#"{"code":"abc","time":1000000000,"behind":3}"#;
    assert!(verify_code(DEMO, obj(bad)).is_ok());
    let g = TotpGenerator::new(DEMO, obj(r#"{"period":60}"#)).unwrap();
    assert!(message(g.values(0.0, 5_259_601).unwrap_err()).contains("count"));
    assert_eq!(g.values(0.0, 3).unwrap().len(), 3);
}

#[wasm_bindgen_test]
fn deep_nesting_and_utf16_text_throw() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = message(validate(&deep, None).unwrap_err());
    assert!(e.contains("nesting is too deep"), "{e}");
    // UTF-16 read as single bytes: NUL between the letters.
    let utf16: String = "upn,serial number,secret key"
        .chars()
        .flat_map(|c| [c, '\0'])
        .collect();
    let e = message(validate(&utf16, None).unwrap_err());
    assert!(e.contains("UTF-16"), "{e}");
}
