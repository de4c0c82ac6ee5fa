//! The `TokenSet` handle through the wasm-bindgen boundary (`wasm-pack test --node --test
//! wasm_token_set`): every method, checked against the one-shot functions it supersedes (which
//! are checked against the core and the CLI in the other wasm tests), use after `free()`, and that
//! `free()` leaves no byte of a key in the wasm memory.
#![cfg(target_arch = "wasm32")]

use hwoath::wasm::engine_facts;
use hwoath::wasm::files::{normalize, validate};
use hwoath::wasm::graph::{graph_requests, reconcile, variants};
use hwoath::wasm::otp::{find_drift, totp, verify_code};
use hwoath::wasm::token_set::TokenSet;
use js_sys::{Array, Function, Reflect, Uint8Array, JSON};
use serde_json::{json, Value};
use wasm_bindgen::{JsCast, JsError, JsValue};
use wasm_bindgen_test::*;

const GOLDEN: &str = include_str!("golden/tokens.json");
const DELTA: &str = include_str!("fixtures/valid/token2_delta.json");
const MIXED: &str = include_str!("fixtures/invalid/mixed.json");
const INTERVALS: &str = include_str!("fixtures/invalid/interval_bad.json");
const LEGACY: &str = include_str!("fixtures/valid/legacy.csv");
const PAGE1: &str = include_str!("fixtures/listing/page1.json");
const COLLISION: &str = include_str!("fixtures/invalid/listing_collision.json");
const TIME: f64 = 1_700_000_000.0;
const DEVICE: &str = "aad49556-1111-4222-8333-000000000001";

fn obj(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

fn opt<T: JsCast>(json: &str) -> Option<T> {
    Some(obj(json).unchecked_into())
}

fn plain(v: &JsValue) -> Value {
    serde_json::from_str(&String::from(JSON::stringify(v).unwrap())).unwrap()
}

fn message(e: JsError) -> String {
    let e: JsValue = e.into();
    let e: js_sys::Error = e.dyn_into().expect("throws an Error");
    e.message().into()
}

fn open(text: &str) -> TokenSet {
    TokenSet::open(JsValue::from_str(text), None).unwrap()
}

fn report(set: &TokenSet) -> Value {
    plain(&set.report().unwrap())
}

/// The canonical base32 keys of a file, from the core (to look for in what the set returns).
fn keys(text: &str) -> Vec<String> {
    let r = hwoath::core::tokenfile::validate(text, &Default::default()).unwrap();
    r.records
        .iter()
        .filter_map(|r| r.secret.as_ref().map(|s| s.to_base32().to_string()))
        .collect()
}

/// Every form a key can take in a text: canonical, lower case, and every 12-character piece.
fn holds_a_key(text: &str, keys: &[String]) -> bool {
    keys.iter().any(|k| {
        let lower = k.to_ascii_lowercase();
        k.as_bytes()
            .windows(12.min(k.len()))
            .any(|w| text.contains(std::str::from_utf8(w).unwrap()))
            || lower
                .as_bytes()
                .windows(12.min(k.len()))
                .any(|w| text.contains(std::str::from_utf8(w).unwrap()))
    })
}

#[wasm_bindgen_test]
fn open_reports_rows_summary_and_the_validate_object() {
    let set = open(DELTA);
    let r = report(&set);
    assert_eq!(r["format"], "graphDelta");
    assert_eq!(r["report"], plain(&validate(DELTA, None).unwrap()));
    assert_eq!(
        r["summary"],
        json!({"records": 3, "valid": 3, "invalid": 0, "removed": 0, "errors": 0, "warnings": 0, "infos": 0})
    );
    assert_eq!(r["listedDevices"], 0);
    let row = &r["rows"][1];
    assert_eq!(row["index"], 1);
    assert_eq!(row["serialNumber"], "1552015335681");
    assert_eq!(row["hashFunction"], "hmacsha1");
    assert_eq!(row["timeIntervalInSeconds"], 30);
    assert_eq!(row["secretMasked"], "••••••••••••••••••••••••••••R6KW");
    assert_eq!(row["secretLength"], 20);
    assert_eq!(row["hasCode"], true);
    assert_eq!(row["valid"], true);
    assert_eq!(
        (row["removed"].clone(), row["edited"].clone()),
        (json!(false), json!(false))
    );
    assert_eq!(
        (row["line"].clone(), row["column"].clone()),
        (json!(13), json!(9))
    );
    // No key in the report, in any form.
    assert!(!holds_a_key(
        &set.report_json().unwrap().as_string().unwrap(),
        &keys(DELTA)
    ));
    assert_eq!(
        plain(&obj(&set.report_json().unwrap().as_string().unwrap())),
        r
    );

    // Findings per row; a listing is counted.
    let listing = format!(
        r#"{{"listing":[{}]}}"#,
        serde_json::to_string(PAGE1).unwrap()
    );
    let set = TokenSet::open(JsValue::from_str(COLLISION), opt(&listing)).unwrap();
    let r = report(&set);
    assert!(r["listedDevices"].as_u64().unwrap() > 0);
    assert_eq!(r["summary"]["invalid"], 1);
    let flagged: Vec<&Value> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["errors"] == 1)
        .collect();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["valid"], false);
    assert_eq!(flagged[0]["hasCode"], true);
}

#[wasm_bindgen_test]
fn results_cross_as_ascii_json_with_the_same_values() {
    let set = open(GOLDEN);
    let text = set.report_json().unwrap().as_string().unwrap();
    assert!(
        text.is_ascii() && text.contains("\\u2022"),
        "{}",
        &text[..200]
    );
    let via_text: Value = serde_json::from_str(&text).unwrap();
    let rows = report(&set)["rows"].clone();
    assert_eq!(via_text["rows"], rows);
    let masked = rows[0]["secretMasked"].as_str().unwrap();
    assert!(
        masked.starts_with("••••") && masked.chars().count() > 4,
        "{masked}"
    );
}

#[wasm_bindgen_test]
fn rows_count_findings_and_mix_counts_every_record() {
    let r = report(&open(MIXED));
    assert_eq!(r["summary"]["records"], 5);
    assert_eq!(r["summary"]["invalid"], 2);
    let rows = r["rows"].as_array().unwrap();
    assert_eq!(rows[1]["model"], Value::Null);
    assert_eq!(rows[1]["errors"], 1);
    // The key with a digit 8 does not decode: no code, no mask.
    assert_eq!(
        (rows[2]["hasCode"].clone(), rows[2]["secretMasked"].clone()),
        (json!(false), Value::Null)
    );
    let total: u64 = ["errors", "warnings", "infos"]
        .iter()
        .map(|k| r["summary"][k].as_u64().unwrap())
        .sum();
    assert_eq!(
        total as usize,
        r["report"]["diagnostics"].as_array().unwrap().len()
    );

    // A 45 s, a "90" and a 30.5 s record are in the period mix, not left out.
    let r = report(&open(INTERVALS));
    let records = r["summary"]["records"].as_u64().unwrap();
    let period = r["mix"]["period"].as_array().unwrap();
    let counted: u64 = period.iter().map(|e| e["count"].as_u64().unwrap()).sum();
    assert_eq!(counted, records);
    for (v, accepted) in [(json!(45), false), (json!(90), false), (json!(30.5), false)] {
        assert!(
            period
                .iter()
                .any(|e| e["value"] == v && e["accepted"] == accepted),
            "{v} in {period:?}"
        );
    }
    let hash = r["mix"]["hash"].as_array().unwrap();
    assert_eq!(hash[0]["value"], "hmacsha1");
    assert_eq!(hash[0]["accepted"], true);
}

#[wasm_bindgen_test]
fn echoed_values_are_escaped_for_display() {
    let file = r##"{"@context":"#$delta","value":[{"@contentId":"\u202e1","serialNumber":"42","manufacturer":"Token2","model":"C202","secretKey":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","timeIntervalInSeconds":30,"hashFunction":"hmacsha1","displayName":"Amy\u001b[2J\u202e"}]}"##;
    let set = open(file);
    let row = &report(&set)["rows"][0];
    assert_eq!(row["displayName"], "Amy\\u{1b}[2J\\u{202e}");
    assert_eq!(row["contentId"], "\\u{202e}1");
    let json = set.report_json().unwrap().as_string().unwrap();
    assert!(
        !json.contains('\u{1b}') && !json.contains('\u{202e}'),
        "{json}"
    );
    // Those two are errors (HW115); a joiner in the name is only a warning, so the token can be
    // sent: the sheet and the display renderings show it escaped, the copy text as a JSON escape.
    let file = file
        .replace("\\u202e1", "1")
        .replace("Amy\\u001b[2J\\u202e", "Amy\\u200dB");
    let set = open(&file);
    let sheet = plain(&set.sheet().unwrap());
    assert_eq!(sheet[0]["displayName"], "Amy\\u{200d}B");
    let reqs = plain(&set.requests(obj(r#"{"request":"create"}"#)).unwrap());
    for k in [
        "bodyMasked",
        "httpMasked",
        "powershellMasked",
        "curlMasked",
        "note",
    ] {
        let text = reqs[0][k].as_str().unwrap();
        assert!(!text.contains('\u{200d}'), "{k}: {text}");
    }
    let body = reqs[0]["body"].as_str().unwrap();
    assert!(
        body.contains("Amy\\u200dB") && !body.contains('\u{200d}'),
        "{body}"
    );
}

#[wasm_bindgen_test]
fn bytes_in_every_accepted_encoding_give_the_text_report() {
    let text = report(&open(DELTA));
    let bytes = |b: &[u8]| TokenSet::open(Uint8Array::from(b).into(), None);
    assert_eq!(report(&bytes(DELTA.as_bytes()).unwrap()), text);
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(DELTA.as_bytes());
    assert_eq!(report(&bytes(&bom).unwrap()), text);
    // UTF-16 with a byte order mark is refused as by the CLI (core text_from_bytes).
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(DELTA.encode_utf16().flat_map(u16::to_le_bytes));
    let e = message(bytes(&utf16).err().unwrap());
    let core = hwoath::core::tokenfile::text_from_bytes("the file", &utf16).unwrap_err();
    assert_eq!(e, core.to_string());
    assert!(e.contains("UTF-16") && e.contains("UTF-8"), "{e}");
    let mut be = vec![0xFE, 0xFF];
    be.extend(DELTA.encode_utf16().flat_map(u16::to_be_bytes));
    assert!(message(bytes(&be).err().unwrap()).contains("big-endian"));
    assert!(message(bytes(b"\xFF{}").err().unwrap()).contains("not UTF-8"));
    // Neither text nor bytes.
    let e = message(TokenSet::open(JsValue::from_f64(3.0), None).err().unwrap());
    assert!(e.contains("Uint8Array"), "{e}");
}

#[wasm_bindgen_test]
fn only_unusable_input_and_bad_options_throw() {
    assert!(message(TokenSet::open("".into(), None).err().unwrap()).contains("empty"));
    assert!(message(TokenSet::open("42".into(), None).err().unwrap()).contains("not a token file"));
    let e = TokenSet::open(DELTA.into(), opt(r#"{"hashFunction":"hmacsha512"}"#))
        .err()
        .unwrap();
    assert!(message(e).contains("hashFunction"));
    let e = TokenSet::open(
        DELTA.into(),
        opt(&format!(
            r#"{{"listing":[{}]}}"#,
            serde_json::to_string(DELTA).unwrap()
        )),
    )
    .err()
    .unwrap();
    assert!(message(e).starts_with("listing page 1: "));
    // Invalid records are data.
    assert!(TokenSet::open(MIXED.into(), None).is_ok());
}

#[wasm_bindgen_test]
fn normalized_is_normalize() {
    for text in [DELTA, MIXED, LEGACY] {
        let set = open(text);
        assert_eq!(
            plain(&set.normalized(None).unwrap()),
            plain(&normalize(text, None).unwrap())
        );
        let skip = r#"{"skipInvalid":true}"#;
        assert_eq!(
            plain(&set.normalized(opt(skip)).unwrap()),
            plain(&normalize(text, Some(obj(skip))).unwrap())
        );
    }
}

#[wasm_bindgen_test]
fn variants_of_the_set_and_of_one_record() {
    let set = open(GOLDEN);
    let ours = plain(&set.variants(opt(r#"{"copies":2}"#)).unwrap());
    let old = plain(&variants(GOLDEN, Some(obj(r#"{"copies":2}"#))).unwrap());
    assert_eq!(ours["variants"], old["variants"]);
    assert_eq!(ours["json"], old["json"]);
    assert_eq!(ours["refusals"], json!([]));
    let shown = ours["bodyMasked"].as_str().unwrap();
    assert!(!holds_a_key(shown, &keys(GOLDEN)), "{shown}");
    assert_eq!(
        serde_json::from_str::<Value>(shown).unwrap()["value"][0]["serialNumber"],
        old["body"]["value"][0]["serialNumber"]
    );

    // One record: only its variants, still avoiding every serial and key of the set.
    let one = plain(&set.variants(opt(r#"{"record":1}"#)).unwrap());
    let list = one["variants"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["record"], 1);
    assert_eq!(list[0]["serialNumber"], "23000000000010");
    // A record whose serial plus a zero is taken by another record of the set.
    let file = r##"{"@context":"#$delta","value":[
      {"@contentId":"1","serialNumber":"10","manufacturer":"M","model":"X","secretKey":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"},
      {"@contentId":"2","serialNumber":"100","manufacturer":"M","model":"","secretKey":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"}]}"##;
    let set2 = open(file);
    let one = plain(&set2.variants(opt(r#"{"record":0}"#)).unwrap());
    assert_eq!(one["variants"][0]["serialNumber"], "1000");
    // An invalid record cannot be varied; the options are checked.
    assert!(
        message(set2.variants(opt(r#"{"record":1}"#)).err().unwrap())
            .contains("record 2 is invalid")
    );
    assert!(message(set.variants(opt(r#"{"copies":65}"#)).err().unwrap()).contains("copies"));
    assert!(message(set.variants(opt(r#"{"record":9}"#)).err().unwrap()).contains("row"));

    // Refusals are data.
    let refused = unvariable();
    let out = plain(&refused.variants(None).unwrap());
    assert_eq!(out["refusals"][0]["code"], "key-too-long");
    assert_eq!(
        (out["json"].clone(), out["bodyMasked"].clone()),
        (Value::Null, Value::Null)
    );
    assert!(message(refused.variant_set(None).err().unwrap()).contains("cannot be varied"));

    // The variants as a set of their own.
    let vs = set.variant_set(opt(r#"{"copies":2}"#)).unwrap();
    let vr = report(&vs);
    assert_eq!(vr["summary"]["valid"], 4);
    assert_eq!(plain(&vs.normalized(None).unwrap())["json"], ours["json"]);
    assert_eq!(
        vr["rows"][0]["serialNumber"],
        ours["variants"][0]["serialNumber"]
    );
}

/// A set of one token whose key is too long to vary (key-too-long).
fn unvariable() -> TokenSet {
    let long = "A".repeat(102) + "Q";
    open(&format!(
        r##"{{"@context":"#$delta","value":[{{"@contentId":"1","serialNumber":"77","manufacturer":"M","model":"X","secretKey":"{long}","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"}}]}}"##
    ))
}

/// The fields of a request every view of it has (`graphRequests` has the first six).
const HEAD_FIELDS: [&str; 8] = [
    "method",
    "url",
    "permission",
    "role",
    "note",
    "records",
    "fileName",
    "warnings",
];

/// The texts of `graphRequests` for the same requests.
fn old_requests(text: &str, options: &str) -> Vec<Value> {
    plain(&graph_requests(text, obj(options)).unwrap())
        .as_array()
        .unwrap()
        .clone()
}

#[wasm_bindgen_test]
fn requests_mask_for_display_and_copy_the_real_texts() {
    let set = open(GOLDEN);
    let secrets = keys(GOLDEN);
    for options in [
        r#"{"request":"create-bulk"}"#.to_string(),
        r#"{"request":"create-bulk","chunk":1}"#.to_string(),
        r#"{"request":"create"}"#.to_string(),
        format!(
            r#"{{"request":"activate","serial":"865923712","deviceId":"{DEVICE}","time":{TIME}}}"#
        ),
        r#"{"request":"list"}"#.to_string(),
        r#"{"request":"enable-policy"}"#.to_string(),
    ] {
        let ours = plain(&set.requests(obj(&options)).unwrap());
        let ours = ours.as_array().unwrap();
        let old = old_requests(GOLDEN, &options);
        assert_eq!(ours.len(), old.len(), "{options}");
        for (i, (r, o)) in ours.iter().zip(&old).enumerate() {
            for k in HEAD_FIELDS[..6]
                .iter()
                .chain(&["http", "powershell", "curl"])
            {
                assert_eq!(r[k], o[k], "{options} {k}");
            }
            assert_eq!(r.get("expiresAt"), o.get("expiresAt"));
            // The body to copy is given, and it is the body of the Graph Explorer text.
            match r["body"].as_str() {
                Some(body) => {
                    let http = r["http"].as_str().unwrap();
                    assert_eq!(&http[http.find("\n\n").unwrap() + 2..], body);
                    assert_eq!(serde_json::from_str::<Value>(body).unwrap(), o["body"]);
                    assert!(r["fileName"].as_str().unwrap().ends_with(".json"));
                }
                None => {
                    assert!(o["body"].is_null());
                    assert!(r["bodyMasked"].is_null());
                    assert!(r["fileName"].as_str().unwrap().ends_with(".http"));
                }
            }
            // The display fields hold no key in any form, the copy fields do where Graph needs one.
            for k in [
                "bodyMasked",
                "httpMasked",
                "powershellMasked",
                "curlMasked",
                "note",
                "url",
                "fileName",
            ] {
                let text = r[k].as_str().unwrap_or_default();
                assert!(!holds_a_key(text, &secrets), "{options} {k}: {text}");
            }
            if options.contains("create") {
                assert!(holds_a_key(r["http"].as_str().unwrap(), &secrets));
                let shown = r["bodyMasked"].as_str().unwrap();
                assert!(shown.contains("\"secretKey\": \"••••"), "{shown}");
            }
            let n = ours.len();
            if options.contains("create-bulk") && n > 1 {
                assert_eq!(
                    r["fileName"],
                    format!("hardwareOathDevices-part-{}-of-{n}.json", i + 1)
                );
            }
        }
    }
    // Impossible options and invalid sets throw.
    assert!(
        message(set.requests(obj(r#"{"request":"bulk"}"#)).err().unwrap()).contains("create-bulk")
    );
    let e = message(set.requests(obj(r#"{"request":"delete"}"#)).err().unwrap());
    assert!(e.contains("device's Graph id"), "{e}");
    let mixed = open(MIXED);
    let e = message(
        mixed
            .requests(obj(r#"{"request":"create-bulk"}"#))
            .err()
            .unwrap(),
    );
    assert!(e.contains("invalid record"), "{e}");
    assert!(!holds_a_key(&e, &keys(MIXED)));
    // A selection of valid records works on an invalid set, with the set's record numbers.
    let ours = plain(
        &mixed
            .requests(obj(r#"{"request":"create-bulk","records":[4,0]}"#))
            .unwrap(),
    );
    assert_eq!(ours[0]["records"], json!([0, 4]));
    assert!(message(
        mixed
            .requests(obj(r#"{"request":"list","records":[1]}"#))
            .err()
            .unwrap()
    )
    .contains("record 2 is invalid"));
}

#[wasm_bindgen_test]
fn prepared_requests_show_what_requests_shows_and_render_texts_on_demand() {
    let set = open(GOLDEN);
    let secrets = keys(GOLDEN);
    for options in [
        r#"{"request":"create-bulk","chunk":2}"#.to_string(),
        r#"{"request":"create"}"#.to_string(),
        format!(
            r#"{{"request":"activate","serial":"865923712","deviceId":"{DEVICE}","time":{TIME}}}"#
        ),
        r#"{"request":"list"}"#.to_string(),
    ] {
        let eager = plain(&set.requests(obj(&options)).unwrap());
        let eager = eager.as_array().unwrap();
        let prepared = plain(&set.prepare(obj(&options)).unwrap());
        let build = prepared["build"].as_u64().unwrap() as u32;
        let shown = prepared["requests"].as_array().unwrap();
        assert_eq!(shown.len(), eager.len(), "{options}");
        for (i, (p, e)) in shown.iter().zip(eager).enumerate() {
            for k in HEAD_FIELDS.iter().chain(&["bodyMasked"]) {
                assert_eq!(p[k], e[k], "{options} {k}");
            }
            assert_eq!(p.get("expiresAt"), e.get("expiresAt"));
            assert_eq!(p["hasBody"], json!(!e["body"].is_null()));
            // What is shown holds no key in any form; no text to copy came back.
            let all = p.to_string();
            assert!(!holds_a_key(&all, &secrets), "{options}: {all}");
            for k in ["body", "http", "powershell", "curl", "httpMasked"] {
                assert!(p.get(k).is_none(), "{options} {k}");
            }
            // Each text, rendered when asked, is the eager one.
            for k in [
                "body",
                "http",
                "powershell",
                "curl",
                "bodyMasked",
                "httpMasked",
                "powershellMasked",
                "curlMasked",
            ] {
                let text = set.request_text(build, i as f64, k);
                match e[k].as_str() {
                    Some(want) => assert_eq!(text.unwrap().as_string().unwrap(), want, "{k}"),
                    None => assert!(message(text.err().unwrap()).contains("no body")),
                }
            }
        }
        let doc = plain(&set.prepared_document(build, "curl").unwrap());
        assert_eq!(
            doc,
            plain(&set.requests_document(obj(&options), "curl").unwrap())
        );
    }
    // A build is named by its number: an older one, an edit or a bad index or text is refused.
    let first = plain(&set.prepare(obj(r#"{"request":"create"}"#)).unwrap())["build"]
        .as_u64()
        .unwrap() as u32;
    let second = plain(&set.prepare(obj(r#"{"request":"list"}"#)).unwrap())["build"]
        .as_u64()
        .unwrap() as u32;
    assert_ne!(first, second);
    let e = message(set.request_text(first, 0.0, "http").err().unwrap());
    assert!(
        e.contains("built again since: copy from the new ones"),
        "{e}"
    );
    let e = message(set.prepared_document(first, "http").err().unwrap());
    assert!(e.contains("download the new ones"), "{e}");
    assert!(message(set.request_text(second, 99.0, "http").err().unwrap()).contains("row"));
    assert!(message(set.request_text(second, 0.0, "secret").err().unwrap()).contains("what"));
    assert!(set.request_text(second, 0.0, "http").is_ok());
    // Another set's builds have other numbers.
    let other = open(GOLDEN);
    let theirs = plain(&other.prepare(obj(r#"{"request":"list"}"#)).unwrap())["build"]
        .as_u64()
        .unwrap() as u32;
    assert!(other.request_text(second, 0.0, "http").is_err());
    assert!(set.request_text(theirs, 0.0, "http").is_err());
    // A failed build drops the one before it.
    assert!(set.prepare(obj(r#"{"request":"delete"}"#)).is_err());
    assert!(set.request_text(second, 0.0, "http").is_err());
    let mut edited = open(GOLDEN);
    let b = plain(&edited.prepare(obj(r#"{"request":"create"}"#)).unwrap())["build"]
        .as_u64()
        .unwrap() as u32;
    edited.edit(0.0, obj(r#"{"model":"C203"}"#)).unwrap();
    assert!(message(edited.request_text(b, 0.0, "body").err().unwrap()).contains("built again"));
}

/// A `#$delta` file of `n` valid tokens (20-byte keys made from the record number).
fn many(n: usize) -> String {
    let items: Vec<Value> = (0..n)
        .map(|i| {
            let key: Vec<u8> = (0..20u8)
                .map(|j| (i as u8).wrapping_mul(31) ^ j ^ (i >> 8) as u8)
                .collect();
            json!({
                "@contentId": (i + 1).to_string(),
                "serialNumber": format!("{}", 4_000_000 + i),
                "manufacturer": "Token2",
                "model": "C202",
                "secretKey": data_encoding::BASE32_NOPAD.encode(&key),
                "timeIntervalInSeconds": 30,
                "hashFunction": "hmacsha1",
            })
        })
        .collect();
    serde_json::to_string_pretty(&json!({"@context": "#$delta", "value": items})).unwrap()
}

#[wasm_bindgen_test]
fn prepare_sends_the_first_bodies_and_writes_the_rest_when_asked() {
    let text = many(250);
    let set = open(&text);
    let secrets = keys(&text);
    let options = r#"{"request":"create-bulk","chunk":50}"#;
    let eager = plain(&set.requests(obj(options)).unwrap());
    let eager = eager.as_array().unwrap();
    assert_eq!(eager.len(), 5);
    // A fresh build downloaded at once: every deferred body is written for the document.
    let build = plain(&set.prepare(obj(options)).unwrap())["build"]
        .as_u64()
        .unwrap() as u32;
    assert_eq!(
        plain(&set.prepared_document(build, "powershell").unwrap()),
        plain(&set.requests_document(obj(options), "powershell").unwrap())
    );
    let prepared = plain(&set.prepare(obj(options)).unwrap());
    let build = prepared["build"].as_u64().unwrap() as u32;
    let shown = prepared["requests"].as_array().unwrap();
    for (i, (p, e)) in shown.iter().zip(eager).enumerate() {
        assert_eq!(p["hasBody"], json!(true));
        assert_eq!(p["records"], e["records"], "{i}");
        assert_eq!(p["note"], e["note"], "{i}");
        // The first three come with their masked body; the others' is written when asked.
        if i < 3 {
            assert_eq!(p["bodyMasked"], e["bodyMasked"], "{i}");
        } else {
            assert_eq!(p["bodyMasked"], Value::Null, "{i}");
        }
        assert!(!holds_a_key(&p.to_string(), &secrets));
    }
    // Asked out of order: each text is the eager one, a later chunk's body written from its own
    // tokens (its @contentIds continue the numbering).
    for i in [4usize, 3, 0] {
        for k in ["bodyMasked", "body", "curl", "http"] {
            let text = set.request_text(build, i as f64, k).unwrap();
            assert_eq!(
                text.as_string().unwrap(),
                eager[i][k].as_str().unwrap(),
                "{i} {k}"
            );
        }
    }
    let body: Value = serde_json::from_str(
        &set.request_text(build, 4.0, "body")
            .unwrap()
            .as_string()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(body["value"][0]["@contentId"], "201");
    assert_eq!(body["value"][49]["@contentId"], "250");
    assert_eq!(
        plain(&set.prepared_document(build, "curl").unwrap()),
        plain(&set.requests_document(obj(options), "curl").unwrap())
    );
}

#[wasm_bindgen_test]
fn normalized_status_is_normalized_without_the_json() {
    for text in [DELTA, MIXED, LEGACY] {
        let set = open(text);
        for options in [None, Some(r#"{"skipInvalid":true}"#)] {
            let full = plain(
                &set.normalized(options.map(|o| obj(o).unchecked_into()))
                    .unwrap(),
            );
            let status = plain(
                &set.normalized_status(options.map(|o| obj(o).unchecked_into()))
                    .unwrap(),
            );
            assert_eq!(
                status["written"],
                json!(!full["json"].is_null()),
                "{options:?}"
            );
            assert_eq!(status["skipped"], full["skipped"], "{options:?}");
            assert!(status.get("json").is_none());
            assert!(!holds_a_key(&status.to_string(), &keys(text)));
        }
    }
    // MIXED has invalid records: without skipInvalid nothing is written, and they are named.
    let status = plain(&open(MIXED).normalized_status(None).unwrap());
    assert_eq!(status["written"], false);
    assert!(!status["skipped"].as_array().unwrap().is_empty());
}

#[wasm_bindgen_test]
fn vary_lists_as_many_as_asked_and_counts_them_all() {
    let text = many(30);
    let set = open(&text);
    let all = plain(&set.variants(opt(r#"{"copies":2}"#)).unwrap());
    let varied = set.vary(opt(r#"{"copies":2,"list":7}"#)).unwrap();
    let vset = Reflect::get(&varied, &"set".into()).unwrap();
    Reflect::set(&varied, &"set".into(), &JsValue::NULL).unwrap();
    let shown = plain(&varied);
    assert_eq!(shown["count"], 60);
    assert_eq!(
        shown["variants"].as_array().unwrap().as_slice(),
        &all["variants"].as_array().unwrap()[..7]
    );
    let vreport = plain(&call(&vset, "report", &[]).unwrap());
    assert_eq!(vreport["summary"]["valid"], 60);
    call(&vset, "free", &[]).unwrap();
    // Without `list`, every one; a bad `list` is refused.
    let every = set.vary(opt(r#"{"copies":2}"#)).unwrap();
    call(&Reflect::get(&every, &"set".into()).unwrap(), "free", &[]).unwrap();
    Reflect::set(&every, &"set".into(), &JsValue::NULL).unwrap();
    assert_eq!(plain(&every)["variants"], all["variants"]);
    assert!(message(set.vary(opt(r#"{"list":-1}"#)).err().unwrap()).contains("list"));
}

#[wasm_bindgen_test]
fn a_text_with_other_characters_reads_as_its_bytes_do() {
    // ASCII text goes straight into wasm memory; other text through the encoder: both are the
    // file's bytes.
    let text = DELTA.replacen(
        "\"model\"",
        "\"displayName\": \"Zoë 東京 🔑\", \"model\"",
        1,
    );
    assert!(!text.is_ascii());
    let from_text = report(&open(&text));
    let from_bytes =
        report(&TokenSet::open(Uint8Array::from(text.as_bytes()).into(), None).unwrap());
    assert_eq!(from_text, from_bytes);
    assert!(from_text.to_string().contains("Zo"));
    assert_eq!(
        report(&open(DELTA)),
        report(&TokenSet::open(Uint8Array::from(DELTA.as_bytes()).into(), None).unwrap())
    );
}

#[wasm_bindgen_test]
fn vary_is_variants_and_variant_set_in_one_call() {
    let set = open(GOLDEN);
    let options = r#"{"copies":2}"#;
    let varied = set.vary(opt(options)).unwrap();
    let eager = plain(&set.variants(opt(options)).unwrap());
    let vset: TokenSet = {
        let v = Reflect::get(&varied, &"set".into()).unwrap();
        // The class instance, as JS receives it.
        let ptr = Reflect::get(&v, &"__wbg_ptr".into()).unwrap();
        assert!(ptr.as_f64().unwrap() > 0.0);
        Reflect::set(&varied, &"set".into(), &JsValue::NULL).unwrap();
        call(&v, "report", &[]).unwrap();
        let json = plain(&call(&v, "normalized", &[]).unwrap())["json"].clone();
        // Its canonical JSON is the variants' JSON to copy.
        assert_eq!(json, eager["json"]);
        call(&v, "free", &[]).unwrap();
        set.variant_set(opt(options)).unwrap()
    };
    let shown = plain(&varied);
    assert_eq!(shown["variants"], eager["variants"]);
    assert_eq!(shown["refusals"], json!([]));
    // The page shows no body of the variants: none is written.
    assert!(shown.get("bodyMasked").is_none());
    assert!(shown.get("json").is_none());
    assert!(!holds_a_key(&shown.to_string(), &keys(GOLDEN)));
    assert_eq!(report(&vset)["summary"]["valid"], 4);
    // Refused: the refusals, no set.
    let refused = unvariable();
    let out = plain(&refused.vary(None).unwrap());
    assert_eq!(out["refusals"][0]["code"], "key-too-long");
    assert_eq!(out["set"], Value::Null);
}

#[wasm_bindgen_test]
fn reconcile_is_the_old_reconcile_escaped() {
    let set = open(GOLDEN);
    let response = r#"{"value":[
        {"@contentId":"1","id":"d-1","device":{"id":"d-1","serialNumber":"865923712","status":"assigned"}},
        {"@contentId":"2","error":{"code":"badRequest","message":"Duplicate\u001b]0;pwned\u0007 serial"}}
    ]}"#;
    let ours = plain(&set.reconcile(response, None).unwrap());
    let old = plain(&reconcile(GOLDEN, response, None).unwrap());
    assert_eq!(ours["created"], old["created"]);
    assert_eq!(ours["tokens"][0], old["tokens"][0]);
    assert_eq!(
        ours["tokens"][1]["reason"],
        "badRequest: Duplicate\\u{1b}]0;pwned\\u{7} serial"
    );
    // For a selection, records are the set's.
    let mixed = open(MIXED);
    let r = plain(
        &mixed
            .reconcile(
                r#"{"value":[{"@contentId":"2","id":"d-9","device":{"id":"d-9","serialNumber":"4569190727388"}}]}"#,
                opt(r#"{"records":[0,4]}"#),
            )
            .unwrap(),
    );
    assert_eq!(r["tokens"][1]["record"], 4);
    assert_eq!(r["tokens"][1]["result"], "created");
    assert!(message(set.reconcile("<html>", None).err().unwrap()).starts_with("response: "));
}

#[wasm_bindgen_test]
fn codes_are_the_one_shot_totp() {
    let set = open(GOLDEN);
    let c = plain(&set.codes(TIME + 0.7, None).unwrap());
    assert_eq!(c["time"], TIME as u64);
    assert_eq!(c["rows"], json!([0, 1]));
    for (i, (secret, hash, period)) in [
        ("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "hmacsha1", 30),
        (
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
            "hmacsha256",
            60,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let opts = format!(r#"{{"hashFunction":"{hash}","period":{period},"time":{TIME}}}"#);
        assert_eq!(c["codes"][i], totp(secret, obj(&opts)).unwrap());
        assert_eq!(c["period"][i], period);
        assert_eq!(c["secondsLeft"][i], period - (TIME as u64 % period));
    }
    let one = plain(&set.codes(TIME, Some(vec![1.0])).unwrap());
    assert_eq!(one["codes"], json!([c["codes"][1]]));
    // A row without a usable key has no code.
    let mixed = plain(&open(MIXED).codes(TIME, Some(vec![2.0, 0.0])).unwrap());
    assert_eq!(mixed["codes"][0], Value::Null);
    assert!(mixed["codes"][1].is_string());
    assert!(message(set.codes(TIME, Some(vec![2.0])).err().unwrap()).contains("row"));
    assert!(message(set.codes(-1.0, None).err().unwrap()).contains("time"));
}

#[wasm_bindgen_test]
fn verify_matches_verify_code_or_asks_for_a_scan() {
    let set = open(GOLDEN);
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let code_at = |t: f64| totp(secret, obj(&format!(r#"{{"time":{t}}}"#))).unwrap();
    let behind = code_at(TIME - 60.0);
    let v = plain(
        &set.verify(0.0, &format!(" {} {}", &behind[..3], &behind[3..]), TIME)
            .unwrap(),
    );
    let old = plain(
        &verify_code(
            secret,
            obj(&format!(
                r#"{{"code":"{behind}","time":{TIME},"behind":2,"ahead":2}}"#
            )),
        )
        .unwrap(),
    );
    assert_eq!(v["kind"], "matched");
    assert_eq!(
        (v["offsetSteps"].clone(), v["offsetSeconds"].clone()),
        (old["offsetSteps"].clone(), old["offsetSeconds"].clone())
    );
    assert_eq!(v["codes"], 1);
    assert_eq!(v["fit"]["signIn"], true);
    // Two consecutive codes.
    let seq = format!("{}, {}", code_at(TIME + 30.0), code_at(TIME + 60.0));
    let v = plain(&set.verify(0.0, &seq, TIME).unwrap());
    assert_eq!(
        (
            v["kind"].clone(),
            v["offsetSteps"].clone(),
            v["codes"].clone()
        ),
        (json!("matched"), json!(2), json!(2))
    );
    // Far away: the scan to run, ±2 years.
    let far = code_at(TIME + 30.0 * 5000.0);
    let near = plain(
        &verify_code(
            secret,
            obj(&format!(
                r#"{{"code":"{far}","time":{TIME},"behind":2,"ahead":2}}"#
            )),
        )
        .unwrap(),
    );
    if near["matched"] == false {
        let v = plain(&set.verify(0.0, &far, TIME).unwrap());
        assert_eq!(v["kind"], "scan");
        assert_eq!(
            (v["fromSteps"].clone(), v["toSteps"].clone()),
            (json!(-2_103_840), json!(2_103_840))
        );
    }
    // Bad typing is data.
    for typed in ["", "12345", "12a456", "1234567"] {
        let v = plain(&set.verify(0.0, typed, TIME).unwrap());
        assert_eq!(v["kind"], "input", "{typed}");
        assert!(v["message"].as_str().unwrap().contains("6-digit"));
    }
    // A row without a key throws.
    assert!(
        message(open(MIXED).verify(2.0, "123456", TIME).err().unwrap()).contains("no usable key")
    );
}

#[wasm_bindgen_test]
fn drift_parts_merge_into_one_find_drift() {
    let set = open(GOLDEN);
    let secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let typed = totp(
        secret,
        obj(&format!(r#"{{"time":{}}}"#, TIME - 30.0 * 700.0)),
    )
    .unwrap();
    let whole = plain(
        &find_drift(
            secret,
            obj(&format!(
                r#"{{"codes":["{typed}"],"time":{TIME},"maxSteps":20000}}"#
            )),
        )
        .unwrap(),
    );
    let mut parts = Vec::new();
    for (from, to) in [(-20_000, -5_001), (-5_000, 99), (100, 20_000)] {
        let range = format!(r#"{{"fromSteps":{from},"toSteps":{to}}}"#);
        let ours = set.drift(0.0, &typed, TIME, opt(&range)).unwrap();
        let old = find_drift(
            secret,
            obj(&format!(
                r#"{{"codes":["{typed}"],"time":{TIME},"fromSteps":{from},"toSteps":{to}}}"#
            )),
        )
        .unwrap();
        assert_eq!(plain(&ours), plain(&old));
        parts.push(ours);
    }
    let merged = plain(&TokenSet::merge_drift(Array::from_iter(parts).into(), 30.0).unwrap());
    assert_eq!(merged["candidates"], whole["candidates"]);
    assert_eq!(merged["scannedSteps"], whole["scannedSteps"]);
    assert_eq!(
        merged["nearest"]["offsetSteps"],
        whole["candidates"][0]["offsetSteps"]
    );
    assert_eq!(merged["nearest"]["fit"]["activation"], true);
    // (Without a range the scan is findDrift's default, ±2 years: 4.2 million HMACs, too slow for
    // a debug build; verify's `scan` answer above states that range.)
    // Typing that is not codes finds nothing; a bad range throws.
    assert_eq!(
        plain(
            &set.drift(0.0, "12", TIME, opt(r#"{"fromSteps":-5,"toSteps":5}"#))
                .unwrap()
        )["candidates"],
        json!([])
    );
    assert!(message(
        set.drift(0.0, &typed, TIME, opt(r#"{"fromSteps":5,"toSteps":4}"#))
            .err()
            .unwrap()
    )
    .contains("fromSteps"));
    assert!(set
        .drift(0.0, &typed, TIME, opt(r#"{"fromSteps":-1.5,"toSteps":4}"#))
        .is_err());
    assert!(message(
        TokenSet::merge_drift(obj(r#"[{"candidates":"x"}]"#), 30.0)
            .err()
            .unwrap()
    )
    .contains("DriftResult"));
    assert_eq!(
        plain(&TokenSet::merge_drift(obj("[]"), 30.0).unwrap())["nearest"],
        Value::Null
    );
}

#[wasm_bindgen_test]
fn reveal_and_export_record_hand_out_the_key() {
    let set = open(MIXED);
    let k = keys(MIXED);
    assert_eq!(set.reveal(0.0).unwrap().as_string().unwrap(), k[0]);
    assert!(message(set.reveal(2.0).err().unwrap()).contains("no key"));
    // A valid row: its canonical one-token file.
    let bytes = set.export_record(3.0).unwrap();
    let other = TokenSet::open(bytes.clone().into(), None).unwrap();
    assert_eq!(report(&other)["summary"]["valid"], 1);
    assert_eq!(other.reveal(0.0).unwrap(), set.reveal(3.0).unwrap());
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert_eq!(text, plain(&open(&text).normalized(None).unwrap())["json"]);
    // An invalid row with a key: enough for codes and a drift scan elsewhere.
    let other = TokenSet::open(set.export_record(1.0).unwrap().into(), None).unwrap();
    assert_eq!(
        plain(&other.codes(TIME, None).unwrap())["codes"][0],
        plain(&set.codes(TIME, Some(vec![1.0])).unwrap())["codes"][0]
    );
    assert!(message(set.export_record(2.0).err().unwrap()).contains("no usable key"));
}

#[wasm_bindgen_test]
fn sheet_names_the_csv_upn_as_the_user() {
    let set = open(LEGACY);
    let sheet = plain(&set.sheet().unwrap());
    assert_eq!(sheet.as_array().unwrap().len(), 3);
    assert_eq!(sheet[0]["user"], "Helga@contoso.com");
    assert_eq!(sheet[1]["user"], Value::Null);
    assert_eq!(sheet[2]["serialNumber"], "000000042");
    assert_eq!(sheet[0]["timeIntervalInSeconds"], 60);
    assert_eq!(report(&set)["rows"][0]["user"], "Helga@contoso.com");
    let golden = plain(&open(GOLDEN).sheet().unwrap());
    assert_eq!(golden[0]["user"], "0cadbf92-1111-4222-8333-444455556666");
    assert_eq!(golden[1]["displayName"], "Spare SHA-256 token");
    assert!(!holds_a_key(&golden.to_string(), &keys(GOLDEN)));
}

fn codes_of(r: &Value, record: usize) -> Vec<String> {
    r["report"]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["record"] == record)
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

#[wasm_bindgen_test]
fn edits_and_removals_recheck_the_set_and_keep_the_numbers() {
    let mut set = open(DELTA);
    // A duplicate appears…
    let r = plain(
        &set.edit(1.0, obj(r#"{"serialNumber":"3589168913810"}"#))
            .unwrap(),
    );
    assert!(codes_of(&r, 1).contains(&"HW301".to_string()));
    assert_eq!(r["rows"][1]["valid"], false);
    assert_eq!(r["rows"][1]["edited"], true);
    assert_eq!(r["rows"][1]["serialNumber"], "3589168913810");
    // …and disappears when the other record is removed (still listed, numbers kept).
    let r = plain(&set.remove(0.0).unwrap());
    assert_eq!(r["rows"].as_array().unwrap().len(), 3);
    assert_eq!(r["rows"][0]["removed"], true);
    assert_eq!(r["rows"][0]["valid"], false);
    assert_eq!(r["rows"][1]["valid"], true);
    assert_eq!(
        r["summary"],
        json!({"records": 3, "valid": 2, "invalid": 0, "removed": 1, "errors": 0, "warnings": 0, "infos": 0})
    );
    assert_eq!(
        (r["report"]["records"].clone(), r["report"]["valid"].clone()),
        (json!(2), json!(2))
    );
    assert!(codes_of(&r, 0).is_empty());
    // Removed records are out of the upload, the sheet and the requests.
    let n = plain(&set.normalized(None).unwrap());
    assert_eq!(
        serde_json::from_str::<Value>(n["json"].as_str().unwrap()).unwrap()["value"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(plain(&set.sheet().unwrap()).as_array().unwrap().len(), 2);
    let reqs = plain(&set.requests(obj(r#"{"request":"create-bulk"}"#)).unwrap());
    assert_eq!(reqs[0]["records"], json!([1, 2]));
    // …back again.
    let r = plain(&set.restore(0.0).unwrap());
    assert!(codes_of(&r, 1).contains(&"HW301".to_string()));
    assert_eq!(r["rows"][0]["removed"], false);
    let r = plain(
        &set.edit(1.0, obj(r#"{"serialNumber":"1552015335681"}"#))
            .unwrap(),
    );
    assert_eq!(r["summary"]["valid"], 3);

    // Fixing an invalid record in place; typed values are checked like a file's.
    let mut mixed = open(MIXED);
    let before = report(&mixed);
    let r = plain(
        &mixed
            .edit(1.0, obj(r#"{"model":"C202","hashFunction":"hmacsha256"}"#))
            .unwrap(),
    );
    assert_eq!(r["rows"][1]["valid"], true);
    assert_eq!(r["rows"][1]["line"], before["rows"][1]["line"]);
    assert_eq!(r["summary"]["invalid"], 1);
    let r = plain(&mixed.edit(2.0, obj(r#"{"secret":"jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp","timeIntervalInSeconds":45}"#)).unwrap());
    let codes = codes_of(&r, 2);
    assert!(
        codes.contains(&"HW110".to_string()) && codes.contains(&"HW210".to_string()),
        "{codes:?}"
    );
    assert_eq!(r["rows"][2]["hasCode"], false);
    let r = plain(
        &mixed
            .edit(2.0, obj(r#"{"timeIntervalInSeconds":60}"#))
            .unwrap(),
    );
    assert_eq!(r["rows"][2]["valid"], true);
    assert_eq!(r["rows"][2]["timeIntervalInSeconds"], 60);
    assert_eq!(
        mixed.reveal(2.0).unwrap().as_string().unwrap(),
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    );
    // The typed key gives the codes.
    let want = totp(
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        obj(&format!(r#"{{"period":60,"time":{TIME}}}"#)),
    )
    .unwrap();
    assert_eq!(
        plain(&mixed.codes(TIME, Some(vec![2.0])).unwrap())["codes"][0],
        want
    );
    // Clearing an optional field; bad patches throw and change nothing.
    let r = plain(&mixed.edit(0.0, obj(r#"{"displayName":"Amy"}"#)).unwrap());
    assert_eq!(r["rows"][0]["displayName"], "Amy");
    let r = plain(&mixed.edit(0.0, obj(r#"{"displayName":""}"#)).unwrap());
    assert_eq!(r["rows"][0]["displayName"], Value::Null);
    let snapshot = report(&mixed);
    for bad in [
        r#"{"@contentId":"9"}"#,
        r#"{"serialnumber":"1"}"#,
        r#"{"model":5}"#,
        r#"[]"#,
        r#""x""#,
    ] {
        assert!(mixed.edit(0.0, obj(bad)).is_err(), "{bad}");
    }
    assert_eq!(report(&mixed), snapshot);
    assert!(message(mixed.remove(7.0).err().unwrap()).contains("row"));
}

#[wasm_bindgen_test]
fn from_fields_writes_the_body_and_reports_like_a_file() {
    let set = TokenSet::from_fields(obj(
        r#"{"serialNumber":"12345","manufacturer":"Token2","model":"C202","secret":"jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp","timeIntervalInSeconds":30,"hashFunction":"hmacsha1","displayName":"Spare","user":"0cadbf92-1111-4222-8333-444455556666"}"#,
    ))
    .unwrap();
    let r = report(&set);
    assert_eq!(r["summary"]["valid"], 1);
    assert_eq!(r["rows"][0]["user"], "0cadbf92-1111-4222-8333-444455556666");
    assert!(codes_of(&r, 0).contains(&"HW210".to_string()));
    let json: Value = serde_json::from_str(
        plain(&set.normalized(None).unwrap())["json"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        json["value"][0],
        json!({"@contentId":"1","serialNumber":"12345","manufacturer":"Token2","model":"C202","secretKey":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","timeIntervalInSeconds":30,"hashFunction":"hmacsha1","displayName":"Spare","assignTo":{"id":"0cadbf92-1111-4222-8333-444455556666"}})
    );
    let bad = TokenSet::from_fields(obj(
        r#"{"serialNumber":"1","manufacturer":"M","model":"X","secret":"AB1C","timeIntervalInSeconds":45,"hashFunction":"sha512"}"#,
    ))
    .unwrap();
    let r = report(&bad);
    let codes = codes_of(&r, 0);
    for c in ["HW202", "HW110", "HW120"] {
        assert!(codes.contains(&c.to_string()), "{c} in {codes:?}");
    }
    assert!(TokenSet::from_fields(obj(r#"{"serialNumber":"1"}"#)).is_err());
    assert!(TokenSet::from_fields(obj(r#"{"serialNumber":"1","manufacturer":"M","model":"X","secret":"A","timeIntervalInSeconds":30,"hashFunction":"hmacsha1","extra":1}"#)).is_err());
}

#[wasm_bindgen_test]
fn engine_facts_are_the_core_constants() {
    use hwoath::core::graph::{Need, RequestKind};
    let f = plain(&engine_facts().unwrap());
    assert_eq!(f["defaultChunk"], hwoath::core::graph::DEFAULT_CHUNK);
    assert_eq!(f["maxCopies"], hwoath::core::variants::MAX_COPIES);
    assert_eq!(f["verifyWindow"], hwoath::core::otp::VERIFY_WINDOW);
    assert_eq!(f["digits"], 6);
    let kinds = f["requestKinds"].as_array().unwrap();
    assert_eq!(kinds.len(), RequestKind::ALL.len());
    let need = |n: Need| serde_json::to_value(n).unwrap();
    for (k, f) in RequestKind::ALL.iter().zip(kinds) {
        let info = k.info();
        assert_eq!(f["kind"], k.as_str());
        assert_eq!(f["label"], info.label);
        assert_eq!(f["method"], info.method);
        assert_eq!(f["role"], info.role);
        assert_eq!(f["needs"]["user"], need(info.needs.user));
        assert_eq!(f["needs"]["deviceId"], need(info.needs.device_id));
        assert_eq!(f["needs"]["serial"], need(info.needs.serial));
        assert_eq!(f["needs"]["time"], need(info.needs.time));
        assert_eq!(f["chunked"], *k == RequestKind::CreateBulk);
    }
    // What the page's data-for lists said (the kinds that take a device id), now the engine's.
    let with = |input: &str| -> Vec<&str> {
        kinds
            .iter()
            .filter(|k| k["needs"][input] != "no")
            .map(|k| k["kind"].as_str().unwrap())
            .collect()
    };
    for kind in [
        "assign",
        "activate",
        "assign-and-activate",
        "deactivate",
        "unassign",
        "delete",
    ] {
        assert!(with("deviceId").contains(&kind), "{kind} takes a device id");
    }
    assert!(
        !with("serial").contains(&"create-bulk"),
        "a bulk create is the whole file"
    );
}

/// Calls `name` on the JS object of the set (the generated class), with `args`.
fn call(set: &JsValue, name: &str, args: &[JsValue]) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(set, &name.into()).unwrap().dyn_into().unwrap();
    f.apply(set, &Array::from_iter(args.iter().cloned()))
}

#[wasm_bindgen_test]
fn every_method_after_free_throws_a_clear_error() {
    let set: JsValue = open(GOLDEN).into();
    call(&set, "free", &[]).unwrap();
    assert_eq!(Reflect::get(&set, &"freed".into()).unwrap(), JsValue::TRUE);
    let t = JsValue::from_f64(TIME);
    let zero = JsValue::from_f64(0.0);
    let methods: Vec<(&str, Vec<JsValue>)> = vec![
        ("report", vec![]),
        ("reportJson", vec![]),
        ("normalized", vec![]),
        ("normalizedStatus", vec![]),
        ("variants", vec![]),
        ("variantSet", vec![]),
        ("vary", vec![]),
        ("requests", vec![obj(r#"{"request":"create-bulk"}"#)]),
        ("prepare", vec![obj(r#"{"request":"create-bulk"}"#)]),
        (
            "requestText",
            vec![JsValue::from_f64(1.0), zero.clone(), "body".into()],
        ),
        (
            "preparedDocument",
            vec![JsValue::from_f64(1.0), "http".into()],
        ),
        (
            "requestsDocument",
            vec![obj(r#"{"request":"create-bulk"}"#), "http".into()],
        ),
        ("reconcile", vec!["{}".into()]),
        ("codes", vec![t.clone()]),
        ("verify", vec![zero.clone(), "123456".into(), t.clone()]),
        ("drift", vec![zero.clone(), "123456".into(), t.clone()]),
        ("reveal", vec![zero.clone()]),
        ("exportRecord", vec![zero.clone()]),
        ("sheet", vec![]),
        ("edit", vec![zero.clone(), obj(r#"{"model":"X"}"#)]),
        ("remove", vec![zero.clone()]),
        ("restore", vec![zero.clone()]),
    ];
    for (name, args) in methods {
        let e = call(&set, name, &args).expect_err(name);
        let e: js_sys::Error = e.dyn_into().expect("an Error, not a trap");
        let m = String::from(e.message());
        assert!(m.contains("the token set was freed"), "{name}: {m}");
    }
    // Freeing twice is harmless; Symbol.dispose is the same free.
    call(&set, "free", &[]).unwrap();
    let other: JsValue = open(DELTA).into();
    let symbol = Reflect::get(&js_sys::global().into(), &"Symbol".into()).unwrap();
    let dispose = Reflect::get(&symbol, &"dispose".into()).unwrap();
    if !dispose.is_undefined() {
        let f: Function = Reflect::get(&other, &dispose).unwrap().dyn_into().unwrap();
        f.call0(&other).unwrap();
        let e = call(&other, "report", &[]).unwrap_err();
        assert!(String::from(e.dyn_into::<js_sys::Error>().unwrap().message()).contains("freed"));
    }
}

/// A token file made in JS with a random key, so the key never sits in the test's own data: its
/// text, and the key as raw bytes and as base32 (ASCII bytes), both only in the JS heap.
fn random_file() -> (JsValue, JsValue, JsValue) {
    let make = Function::new_no_args(
        r#"
        const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
        const key = new Uint8Array(20);
        for (let i = 0; i < key.length; i++) key[i] = Math.floor(Math.random() * 256);
        let bits = 0, v = 0, b32 = '';
        for (const x of key) { v = ((v << 8) | x) & 0xffff; bits += 8; while (bits >= 5) { b32 += A[(v >>> (bits - 5)) & 31]; bits -= 5; } }
        const item = (n, k) => ({ '@contentId': String(n), serialNumber: '55500011' + n, manufacturer: 'Token2', model: 'C202', secretKey: k, timeIntervalInSeconds: 30, hashFunction: 'hmacsha1' });
        const text = JSON.stringify({ '@context': '#$delta', value: [item(1, b32), item(2, 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ')] }, null, 2);
        return [text, key, new TextEncoder().encode(b32)];
        "#,
    );
    let out: Array = make.call0(&JsValue::NULL).unwrap().dyn_into().unwrap();
    (out.get(0), out.get(1), out.get(2))
}

/// How many places of the wasm memory hold some `width`-byte piece of `needle` (searched in JS).
fn found_in_memory(needle: &JsValue, width: u32) -> u32 {
    let search = Function::new_with_args(
        "mem, needle, width",
        r#"
        const h = new Uint8Array(mem.buffer);
        let n = 0;
        for (let s = 0; s + width <= needle.length; s++) {
          const w = needle.subarray(s, s + width);
          outer: for (let i = h.indexOf(w[0]); i !== -1; i = h.indexOf(w[0], i + 1)) {
            for (let j = 1; j < w.length; j++) if (h[i + j] !== w[j]) continue outer;
            n++;
          }
        }
        return n;
        "#,
    );
    search
        .call3(
            &JsValue::NULL,
            &wasm_bindgen::memory(),
            needle,
            &JsValue::from(width),
        )
        .unwrap()
        .as_f64()
        .unwrap() as u32
}

/// The generated JS class `TokenSet` (its static `open`, `fromFields`, `mergeDrift`).
fn class() -> JsValue {
    let any: JsValue = open(DELTA).into();
    Reflect::get(&any, &"constructor".into()).unwrap()
}

#[wasm_bindgen_test]
fn free_leaves_no_key_in_wasm_memory() {
    let (text, raw, b32) = random_file();
    // Everything through the generated JS, as the page calls it: strings cross into wasm memory.
    let set = call(&class(), "open", &[text]).unwrap();
    let t = JsValue::from_f64(TIME);
    let zero = JsValue::from_f64(0.0);
    let typed = b32_text(&b32);
    // The edit (which reads the text again) first, so the texts made last are not overwritten
    // by chance before the search: without the zeroing allocator this test finds them.
    let variants = call(&set, "variantSet", &[]).unwrap();
    call(&variants, "codes", std::slice::from_ref(&t)).unwrap();
    call(&variants, "free", &[]).unwrap();
    for (name, args) in [
        ("edit", vec![zero.clone(), obj(r#"{"displayName":"x"}"#)]),
        ("report", vec![]),
        ("codes", vec![t.clone()]),
        ("verify", vec![zero.clone(), "123456".into(), t.clone()]),
        (
            "drift",
            vec![
                zero.clone(),
                "123456".into(),
                t.clone(),
                obj(r#"{"fromSteps":-50,"toSteps":50}"#),
            ],
        ),
        ("sheet", vec![]),
        // A key typed where a code belongs.
        (
            "verify",
            vec![JsValue::from_f64(1.0), typed.clone(), t.clone()],
        ),
        ("variants", vec![]),
        ("exportRecord", vec![zero.clone()]),
        ("reveal", vec![zero.clone()]),
        ("requests", vec![obj(r#"{"request":"create"}"#)]),
        ("normalized", vec![]),
        ("requests", vec![obj(r#"{"request":"create-bulk"}"#)]),
    ] {
        call(&set, name, &args).unwrap_or_else(|e| panic!("{name}: {e:?}"));
    }
    // The page's own paths: the variants and their set at once, and kept requests whose texts
    // are rendered when copied (the build stays in the set until free).
    let varied = call(&set, "vary", &[]).unwrap();
    let vset = Reflect::get(&varied, &"set".into()).unwrap();
    call(&vset, "normalized", &[]).unwrap();
    call(&vset, "free", &[]).unwrap();
    let prepared = call(&set, "prepare", &[obj(r#"{"request":"create-bulk"}"#)]).unwrap();
    let build = Reflect::get(&prepared, &"build".into()).unwrap();
    for what in ["body", "http", "powershell", "curl"] {
        call(
            &set,
            "requestText",
            &[build.clone(), zero.clone(), what.into()],
        )
        .unwrap();
    }
    call(
        &set,
        "preparedDocument",
        &[build, "powershell-script".into()],
    )
    .unwrap();
    // …and pasted as Graph's answer.
    let _ = call(&set, "reconcile", std::slice::from_ref(&typed));
    // The test can see the key while the set holds it.
    assert!(
        found_in_memory(&raw, 20) > 0,
        "the key's bytes are held before free"
    );
    assert!(
        found_in_memory(&b32, 32) > 0,
        "the source text is held before free"
    );
    call(&set, "free", &[]).unwrap();
    assert_eq!(
        found_in_memory(&raw, 10),
        0,
        "a 10-byte piece of the key is left"
    );
    assert_eq!(
        found_in_memory(&b32, 12),
        0,
        "a 12-character piece of its base32 is left"
    );
}

/// The base32 bytes as a JS string (built in JS, not in wasm memory).
fn b32_text(b32: &JsValue) -> JsValue {
    Function::new_with_args("b", "return new TextDecoder().decode(b)")
        .call1(&JsValue::NULL, b32)
        .unwrap()
}
