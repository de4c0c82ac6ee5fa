//! Properties over generated token files (issue 6), JSON and CSV, near-valid and arbitrary:
//! - normalising is a fixed point: the normalised output validates without errors and
//!   normalises to the same bytes;
//! - every record is counted: records = valid + invalid, and records = the items written;
//! - variants made from a file give the original's codes for 1,000 consecutive steps from a
//!   random time, or the token is refused;
//! - no diagnostic (message text, the JSON report, Debug, normalisation refusals) contains any
//!   8-character piece of a `secretKey` value from the input. Only `secretKey` values count as
//!   secrets: a key pasted into `serialNumber` or `displayName` is ordinary text there and is
//!   echoed like any other serial or name.
#![cfg(not(target_arch = "wasm32"))]

use hwoath::core::otp::{Generator, OtpParams};
use hwoath::core::tokenfile::{normalize, validate, ParseOptions};
use hwoath::core::variants::{make_variants, originals, VariantOptions};
use hwoath::core::{HashAlg, Secret, Severity};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// A secret as people write them: canonical, or mangled (case, spaces, hyphens, padding,
/// invisible spaces), or broken (confusable digits, other characters, too short or long).
fn secret_text() -> impl Strategy<Value = String> {
    let canonical = proptest::collection::vec(any::<u8>(), 5..70)
        .prop_map(|b| Secret::from_bytes(b).to_base32().to_string());
    prop_oneof![
        4 => canonical.clone(),
        2 => (canonical.clone(), any::<bool>(), 0usize..4, prop::sample::select(vec![" ", "-", "\u{a0}", "\u{200b}", "\n"]))
            .prop_map(|(s, lower, every, sep)| {
                let s = if lower { s.to_lowercase() } else { s };
                if every == 0 {
                    return format!("{s}==");
                }
                let chars: Vec<char> = s.chars().collect();
                chars.chunks(every * 4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join(sep)
            }),
        2 => (canonical, any::<prop::sample::Index>(), "[018@#!é,;\"=x]").prop_map(|(s, at, bad)| {
            let mut chars: Vec<char> = s.chars().collect();
            let i = at.index(chars.len());
            chars.splice(i..=i, bad.chars());
            chars.into_iter().collect()
        }),
        1 => "[A-Za-z2-7 =-]{8,40}",
    ]
}

/// One record's fields: mostly right, sometimes missing, empty, mistyped or oddly spelled.
fn record() -> impl Strategy<Value = Vec<(String, Value)>> {
    (
        prop_oneof![4 => "[0-9]{6,13}", 1 => "[0-9A-Z]{3,8}", 1 => Just(String::new()), 1 => "0{1,3}[0-9]{3,6}"],
        secret_text(),
        prop_oneof![Just(json!(30)), Just(json!(60)), Just(json!("30")), Just(json!(45)), Just(json!(30.0))],
        prop_oneof![Just(json!("hmacsha1")), Just(json!("hmacsha256")), Just(json!("HMACSHA256")), Just(json!("SHA-1")), Just(json!("hmacsha512")), Just(Value::Null)],
        prop_oneof![3 => Just("Token2".to_string()), 1 => Just(String::new()), 1 => Just(" Feitian ".to_string())],
        any::<u8>(),
    )
        .prop_map(|(serial, secret, interval, hash, manufacturer, flags)| {
            let mut f: Vec<(String, Value)> = vec![
                ("serialNumber".into(), json!(serial)),
                ("manufacturer".into(), json!(manufacturer)),
                ("model".into(), json!("C202")),
                ("secretKey".into(), json!(secret)),
                ("timeIntervalInSeconds".into(), interval),
                ("hashFunction".into(), hash),
            ];
            if flags & 1 != 0 {
                f.retain(|(k, _)| k != "hashFunction");
            }
            if flags & 2 != 0 {
                f[1].1 = json!(7); // manufacturer as a number
            }
            if flags & 4 != 0 {
                f[3].0 = "SecretKey".into(); // spelled in another case
            }
            if flags & 8 != 0 {
                f.push(("displayName".into(), json!("Desk 4")));
            }
            if flags & 16 != 0 {
                f.remove(2); // no model
            }
            f
        })
}

/// A token file: (text, number of records written, the secretKey values written).
#[derive(Debug, Clone)]
struct File {
    text: String,
    records: usize,
    secrets: Vec<String>,
}

fn file() -> impl Strategy<Value = File> {
    (
        proptest::collection::vec(record(), 0..8),
        0u8..4,
        any::<bool>(),
    )
        .prop_map(|(records, shape, minified)| {
            let secrets: Vec<String> = records
                .iter()
                .flat_map(|r| r.iter())
                .filter(|(k, v)| k.eq_ignore_ascii_case("secretKey") && v.is_string())
                .map(|(_, v)| v.as_str().unwrap().to_string())
                .collect();
            let n = records.len();
            let text = match shape {
                0 => {
                    let mut w = csv::Writer::from_writer(Vec::new());
                    w.write_record([
                        "upn",
                        "serial number",
                        "secret key",
                        "time interval",
                        "manufacturer",
                        "model",
                    ])
                    .unwrap();
                    for r in &records {
                        let get = |k: &str| {
                            r.iter()
                                .find(|(key, _)| key.eq_ignore_ascii_case(k))
                                .map(|(_, v)| match v {
                                    Value::String(s) => s.clone(),
                                    Value::Null => String::new(),
                                    v => v.to_string(),
                                })
                                .unwrap_or_default()
                        };
                        w.write_record([
                            String::new(),
                            get("serialNumber"),
                            get("secretKey"),
                            get("timeIntervalInSeconds"),
                            get("manufacturer"),
                            get("model"),
                        ])
                        .unwrap();
                    }
                    String::from_utf8(w.into_inner().unwrap()).unwrap()
                }
                _ => {
                    let items: Vec<Value> = records
                        .iter()
                        .enumerate()
                        .map(|(i, r)| {
                            let mut m = Map::new();
                            m.insert("@contentId".into(), json!((i + 1).to_string()));
                            for (k, v) in r {
                                m.insert(k.clone(), v.clone());
                            }
                            Value::Object(m)
                        })
                        .collect();
                    let doc = match shape {
                        1 => json!({"@context": "#$delta", "value": items}),
                        2 => Value::Array(items),
                        _ if n == 1 => items[0].clone(),
                        _ => json!({"value": items}),
                    };
                    if minified {
                        doc.to_string()
                    } else {
                        serde_json::to_string_pretty(&doc).unwrap()
                    }
                }
            };
            // A CSV row whose cells are all blank is a blank line, not a record.
            let records = if shape == 0 {
                records
                    .iter()
                    .filter(|r| {
                        r.iter().any(|(_, v)| match v {
                            Value::String(s) => !s.trim().is_empty(),
                            Value::Null => false,
                            _ => true,
                        })
                    })
                    .count()
            } else {
                n
            };
            File {
                text,
                records,
                secrets,
            }
        })
}

/// Fails when `output` contains any 8-character piece of a secret (as written, upper-cased, or
/// canonical when it decodes).
fn no_secret_piece(output: &str, secrets: &[String], what: &str) -> Result<(), TestCaseError> {
    for s in secrets {
        let mut forms = vec![s.clone(), s.to_uppercase()];
        if let Ok(p) = Secret::parse(s) {
            forms.push(p.secret.to_base32().to_string());
        }
        for form in forms {
            let chars: Vec<char> = form.chars().collect();
            for w in chars.windows(8) {
                let piece: String = w.iter().collect();
                // Pieces that are only spaces or separators are not secret.
                if piece.chars().filter(|c| c.is_ascii_alphanumeric()).count() < 8 {
                    continue;
                }
                prop_assert!(
                    !output.contains(&piece),
                    "{} contains {:?} of a secret",
                    what,
                    piece
                );
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn normalising_is_a_fixed_point(f in file()) {
        let Ok(r) = validate(&f.text, &ParseOptions::default()) else {
            return Ok(());
        };
        let n = normalize(&r, true).unwrap();
        let again = validate(&n.json, &ParseOptions::default()).unwrap();
        prop_assert!(!again.has_errors(), "{:?}", again.diagnostics);
        prop_assert_eq!(again.valid(), r.valid());
        let twice = normalize(&again, false).unwrap();
        prop_assert_eq!(&twice.json, &n.json);
        // And once more from the output's own bytes.
        let third = normalize(&validate(&twice.json, &ParseOptions::default()).unwrap(), false).unwrap();
        prop_assert_eq!(&third.json, &n.json);
    }

    #[test]
    fn every_record_is_counted(f in file()) {
        let r = validate(&f.text, &ParseOptions::default()).unwrap();
        prop_assert_eq!(r.records.len(), r.valid() + r.invalid());
        prop_assert_eq!(r.records.len(), f.records, "{}", f.text);
        let n = normalize(&r, true).unwrap();
        prop_assert_eq!(n.skipped.len(), r.invalid());
        for d in &r.diagnostics {
            if d.severity == Severity::Error {
                prop_assert!(d.record.is_some(), "{:?}", d);
            }
        }
    }

    #[test]
    fn arbitrary_text_never_loses_a_record(text in "(\\PC|[\\n\\r\\t\"{}\\[\\],;:])*") {
        if let Ok(r) = validate(&text, &ParseOptions::default()) {
            prop_assert_eq!(r.records.len(), r.valid() + r.invalid());
            for (i, rec) in r.records.iter().enumerate() {
                prop_assert_eq!(rec.index, i);
            }
        }
    }

    #[test]
    fn no_diagnostic_contains_a_piece_of_a_secret(f in file()) {
        match validate(&f.text, &ParseOptions::default()) {
            Ok(r) => {
                let mut out = r.to_json().to_string();
                for d in &r.diagnostics {
                    out.push_str(&d.message);
                }
                out.push_str(&format!("{r:?}"));
                let n = normalize(&r, true).unwrap();
                out.push_str(&format!("{n:?}"));
                if let Err(e) = normalize(&r, false) {
                    out.push_str(&e.to_string());
                }
                no_secret_piece(&out, &f.secrets, "the report")?;
            }
            Err(e) => no_secret_piece(&format!("{e} {e:?}"), &f.secrets, "the refusal")?,
        }
    }

    #[test]
    fn truncated_files_leak_no_secret(f in file(), cut in any::<prop::sample::Index>()) {
        let mut at = cut.index(f.text.len().max(1));
        while !f.text.is_char_boundary(at) {
            at -= 1;
        }
        let text = &f.text[..at];
        let out = match validate(text, &ParseOptions::default()) {
            Ok(r) => r.to_json().to_string(),
            Err(e) => e.to_string(),
        };
        no_secret_piece(&out, &f.secrets, "a truncated file's report")?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 60, ..ProptestConfig::default() })]

    #[test]
    fn variants_give_the_same_codes_for_1000_steps_or_are_refused(
        f in file(),
        copies in 1usize..=3,
        start in 0u64..2_000_000_000,
    ) {
        let Ok(mut r) = validate(&f.text, &ParseOptions::default()) else {
            return Ok(());
        };
        if r.has_errors() {
            // Variants are made only from a file without errors: take its valid records.
            let n = normalize(&r, true).unwrap();
            r = validate(&n.json, &ParseOptions::default()).unwrap();
        }
        if r.valid() == 0 {
            return Ok(());
        }
        let originals = originals(&r);
        match make_variants(&originals, &VariantOptions { copies, ..VariantOptions::default() }) {
            Ok(made) => {
                prop_assert_eq!(made.len(), originals.len() * copies);
                for v in &made {
                    let t = originals.iter().find(|o| o.record == v.record).unwrap().token;
                    prop_assert_eq!(v.token.hash_function, t.hash_function);
                    prop_assert_eq!(v.token.time_interval, t.time_interval);
                    let params = OtpParams { hash: t.hash_function, digits: 6, period: t.time_interval };
                    let a = Generator::new(&t.secret, params).unwrap();
                    let b = Generator::new(&v.token.secret, params).unwrap();
                    let first = a.counter_at(start);
                    for c in first..first + 1_000 {
                        prop_assert_eq!(a.hotp_value(c), b.hotp_value(c), "record {} copy {}", v.record, v.copy);
                    }
                    prop_assert_ne!(&v.token.serial_number, &t.serial_number);
                    prop_assert_ne!(v.token.secret.as_bytes(), t.secret.as_bytes());
                }
            }
            Err(refused) => {
                // Only whole tokens are refused, each named, and nothing is returned.
                prop_assert!(!refused.is_empty());
                for x in &refused {
                    prop_assert!(originals.iter().any(|o| o.record == x.record));
                }
            }
        }
    }
}

#[test]
fn a_key_written_into_another_field_is_ordinary_text_there() {
    // Fairness of the secret property: a base32 key pasted as a serial number is a serial
    // number, and messages about serials name them.
    let key = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let text = format!(
        "[{{\"serialNumber\": \"{key}\", \"manufacturer\": \"T\", \"model\": \"M\", \"secretKey\": \"{key}\", \"timeIntervalInSeconds\": 30}}, {{\"serialNumber\": \"{key}\", \"manufacturer\": \"T\", \"model\": \"M\", \"secretKey\": \"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\", \"timeIntervalInSeconds\": 30}}]"
    );
    let r = validate(&text, &ParseOptions::default()).unwrap();
    let dup = r.diagnostics.iter().find(|d| d.code == "HW301").unwrap();
    assert!(dup.message.contains(key), "{}", dup.message);
    assert_eq!(r.records.len(), 2);
    assert_eq!(HashAlg::Sha1, r.records[0].hash_function.unwrap());
}
