//! The JS API of variants, Graph requests and reconcile, through the wasm-bindgen boundary
//! (`wasm-pack test --node`).
#![cfg(target_arch = "wasm32")]

use hwoath::wasm::graph::{graph_requests, reconcile, variants};
use hwoath::wasm::otp::totp;
use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const FILE: &str = include_str!("golden/tokens.json");
const TIME: u64 = 1_700_000_000;
const DEVICE: &str = "aad49556-1111-4222-8333-000000000001";

fn obj(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn s(v: &JsValue, key: &str) -> String {
    get(v, key)
        .as_string()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

fn arr(v: &JsValue) -> Vec<JsValue> {
    v.dyn_ref::<Array>().expect("an array").iter().collect()
}

fn error_message(e: JsValue) -> String {
    let e: js_sys::Error = e.dyn_into().expect("throws an Error");
    e.message().into()
}

fn stringify(v: &JsValue) -> String {
    JSON::stringify(v).unwrap().as_string().unwrap()
}

#[wasm_bindgen_test]
fn bulk_request_with_renderings() {
    let reqs = graph_requests(FILE, obj(r#"{"request":"create-bulk"}"#)).unwrap();
    let reqs = arr(&reqs);
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(s(r, "method"), "PATCH");
    assert_eq!(
        s(r, "url"),
        "https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices"
    );
    let body = get(r, "body");
    assert_eq!(s(&body, "@context"), "#$delta");
    let items = arr(&get(&body, "value"));
    assert_eq!(s(&items[0], "@contentId"), "1");
    assert_eq!(s(&items[1], "serialNumber"), "2300000000001");
    // Field order as in Microsoft's example survives the boundary.
    let json = stringify(&items[1]);
    assert!(
        json.starts_with(r#"{"@contentId":"2","serialNumber":"2300000000001","manufacturer""#),
        "{json}"
    );
    assert_eq!(stringify(&get(r, "records")), "[0,1]");
    assert!(s(r, "note").contains("no maximum"));
    assert!(s(r, "permission").contains("Policy.ReadWrite.AuthenticationMethod"));
    assert!(s(r, "http").starts_with("PATCH https://graph.microsoft.com/beta/"));
    let ps = s(r, "powershell");
    assert!(ps.starts_with("Connect-MgGraph -Scopes 'Policy.ReadWrite.AuthenticationMethod'"));
    assert!(ps.contains("\nInvoke-MgGraphRequest -Method PATCH -Uri '"));
    assert!(s(r, "curl").contains("<<'EOF'\n{\n"));
    assert!(get(r, "expiresAt").is_undefined());
}

#[wasm_bindgen_test]
fn activation_code_uses_the_tokens_own_period_and_hash() {
    let opts = format!(
        r#"{{"request":"assign-and-activate-by-serial","user":"helga@contoso.com","time":{TIME}}}"#
    );
    let reqs = arr(&graph_requests(FILE, obj(&opts)).unwrap());
    assert_eq!(reqs.len(), 2);
    // Token 2 is SHA-256, 60 s.
    let want = totp(
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        obj(&format!(
            r#"{{"hashFunction":"hmacsha256","period":60,"time":{TIME}}}"#
        )),
    )
    .unwrap();
    let r = &reqs[1];
    assert_eq!(s(&get(r, "body"), "verificationCode"), want);
    assert_eq!(
        get(r, "expiresAt").as_f64(),
        Some(((TIME / 60 + 1) * 60) as f64)
    );
    assert!(s(r, "url").ends_with("/users/helga@contoso.com/authentication/hardwareOathMethods/assignAndActivateBySerialNumber"));
}

#[wasm_bindgen_test]
fn option_problems_throw_with_the_option_name() {
    let e = graph_requests(FILE, obj(r#"{"request":"delete"}"#))
        .err()
        .unwrap();
    assert!(error_message(e.into()).contains("device's Graph id"));
    let opts = format!(r#"{{"request":"delete","deviceId":"{DEVICE}"}}"#);
    let e = graph_requests(FILE, obj(&opts)).err().unwrap();
    assert!(error_message(e.into()).contains("2 tokens are selected"));
    let opts = format!(r#"{{"request":"delete","deviceId":"{DEVICE}","serial":"865923712"}}"#);
    let reqs = arr(&graph_requests(FILE, obj(&opts)).unwrap());
    assert_eq!(s(&reqs[0], "method"), "DELETE");
    assert!(get(&reqs[0], "body").is_null());
    let e = graph_requests(FILE, obj(r#"{"request":"bulk"}"#))
        .err()
        .unwrap();
    assert!(error_message(e.into()).contains("create-bulk"));
    let e = graph_requests(FILE, obj(r#"{"request":"create-bulk","chunk":0}"#))
        .err()
        .unwrap();
    assert!(error_message(e.into()).contains("chunk"));
}

#[wasm_bindgen_test]
fn invalid_file_throws_its_errors_without_secrets() {
    let bad = FILE.replace(
        "\"timeIntervalInSeconds\": 30",
        "\"timeIntervalInSeconds\": 45",
    );
    let e = graph_requests(&bad, obj(r#"{"request":"create-bulk"}"#))
        .err()
        .unwrap();
    let msg = error_message(e.into());
    assert!(msg.contains("invalid record"), "{msg}");
    assert!(!msg.contains("JBSWY3DP"), "{msg}");
    let e = variants("not a token file", None).err().unwrap();
    assert!(!error_message(e.into()).is_empty());
}

#[wasm_bindgen_test]
fn variants_same_shape_as_cli() {
    let out = variants(FILE, Some(obj(r#"{"copies":2}"#))).unwrap();
    let list = arr(&get(&out, "variants"));
    assert_eq!(list.len(), 4);
    assert_eq!(
        stringify(&list[0]),
        r#"{"record":0,"copy":1,"serialNumber":"8659237120","note":"Type serial number 8659237120 (not the 865923712 printed on the device) on My Security Info; the codes are the device's own."}"#
    );
    assert_eq!(s(&list[3], "serialNumber"), "230000000000100");
    let body = get(&out, "body");
    let items = arr(&get(&body, "value"));
    assert_eq!(
        s(&items[0], "secretKey"),
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPAA"
    );
    assert_eq!(s(&items[2], "hashFunction"), "hmacsha256");
    assert_eq!(get(&items[2], "timeIntervalInSeconds").as_f64(), Some(60.0));
    // `json` is the same body as text.
    let text = s(&out, "json");
    assert_eq!(stringify(&obj(&text)), stringify(&body));
    assert_eq!(arr(&get(&out, "refusals")).len(), 0);
    // A listing's serials are avoided.
    let listing = r#"{"value":[{"id":"x","serialNumber":"8659237120","manufacturer":"Token2","model":"C202","secretKey":null,"timeIntervalInSeconds":30,"hashFunction":"hmacsha1","status":"available"}]}"#;
    let opts = js_sys::Object::new();
    Reflect::set(&opts, &"listing".into(), &Array::of1(&listing.into())).unwrap();
    let out = variants(FILE, Some(opts.into())).unwrap();
    assert_eq!(
        s(&arr(&get(&out, "variants"))[0], "serialNumber"),
        "86592371200"
    );
}

#[wasm_bindgen_test]
fn variants_refusals_are_data() {
    // 64-byte key: 103 base32 characters.
    let long = "A".repeat(102) + "Q";
    let file = format!(
        r##"{{"@context":"#$delta","value":[{{"@contentId":"1","serialNumber":"77","manufacturer":"M","model":"X","secretKey":"{long}","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"}}]}}"##
    );
    let out = variants(&file, None).unwrap();
    assert!(get(&out, "body").is_null() && get(&out, "json").is_null());
    assert_eq!(arr(&get(&out, "variants")).len(), 0);
    let refusals = arr(&get(&out, "refusals"));
    assert_eq!(refusals.len(), 1);
    assert_eq!(s(&refusals[0], "code"), "key-too-long");
    assert_eq!(s(&refusals[0], "serialNumber"), "77");
    assert!(!s(&refusals[0], "message").contains(&long));
    let e = variants(FILE, Some(obj(r#"{"copies":0}"#))).err().unwrap();
    assert!(error_message(e.into()).contains("copies"));
}

#[wasm_bindgen_test]
fn reconcile_maps_one_failure_to_its_serial() {
    let response = r#"{"value":[
        {"@contentId":"1","id":"d-1","device":{"id":"d-1","serialNumber":"865923712","status":"assigned"}},
        {"@contentId":"2","error":{"code":"badRequest","message":"Duplicate serial number"}}
    ]}"#;
    let r = reconcile(FILE, response, None).unwrap();
    assert_eq!(s(&r, "shape"), "bulk");
    assert_eq!(get(&r, "created").as_f64(), Some(1.0));
    assert_eq!(get(&r, "failed").as_f64(), Some(1.0));
    let tokens = arr(&get(&r, "tokens"));
    assert_eq!(s(&tokens[0], "result"), "created");
    assert_eq!(s(&tokens[0], "deviceId"), "d-1");
    assert_eq!(s(&tokens[1], "serialNumber"), "2300000000001");
    assert_eq!(s(&tokens[1], "result"), "failed");
    assert_eq!(
        s(&tokens[1], "reason"),
        "badRequest: Duplicate serial number"
    );
    assert!(get(&tokens[0], "reason").is_null());
    let e = reconcile(FILE, "<html>", None).err().unwrap();
    assert!(error_message(e.into()).starts_with("response: "));
}
