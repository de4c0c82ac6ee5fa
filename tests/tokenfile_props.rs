//! Property tests for token files: the span-recording JSON reader agrees with serde_json on
//! arbitrary documents and near-JSON text; mutated fixtures never panic, conserve records and
//! keep every position inside the text; the reported positions of generated files are exact.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;

mod common;

use hwoath::core::tokenfile::{json, normalize, validate, ParseOptions};
use hwoath::core::{Secret, Severity};
use proptest::prelude::*;
use serde_json::Value;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1.0e6f64..1.0e6).prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec(("\\PC{0,8}", inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn agree(text: &str) -> Result<(), TestCaseError> {
    let ours = json::parse(text);
    let theirs = serde_json::from_str::<Value>(text);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => prop_assert_eq!(&a.to_serde(), b),
        (Err(_), Err(_)) => {}
        _ => prop_assert!(
            false,
            "accept/reject differs for {:?}: ours {:?}, serde {:?}",
            text,
            ours.is_ok(),
            theirs.is_ok()
        ),
    }
    Ok(())
}

/// The test helper's line convention is hwoath's (checked here once, not in every test crate
/// that includes `common`).
#[test]
fn lines_end_where_hwoath_says() {
    assert_eq!(
        common::lines("a\r\nb\nc\rd\r\r\n"),
        ["a", "b", "c", "d", "", ""]
    );
    assert_eq!(common::lines(""), [""]);
}

fn fixture_texts() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for kind in ["valid", "invalid"] {
        let mut names: Vec<_> = std::fs::read_dir(root.join(kind))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = p.file_name().unwrap().to_str().unwrap();
                !n.contains(".expected.") && !n.ends_with(".options.json")
            })
            .collect();
        names.sort();
        out.extend(names.iter().map(|p| std::fs::read_to_string(p).unwrap()));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn reader_agrees_with_serde_json_on_documents(v in json_value()) {
        agree(&serde_json::to_string(&v).unwrap())?;
        agree(&serde_json::to_string_pretty(&v).unwrap())?;
    }

    #[test]
    fn reader_agrees_with_serde_json_on_near_json(s in "[\\[\\]{}\":,0-9a-fA-FE.+\\-tnrul \\\\/\\n]{0,24}") {
        agree(&s)?;
    }

    #[test]
    fn reader_agrees_with_serde_json_on_unicode_escapes(a in 0xD7F0u32..0xE010, b in 0xD7F0u32..0xE010, tail in "[a-z\\\\\"]{0,2}") {
        agree(&format!("\"\\u{a:04x}\\u{b:04X}{tail}\""))?;
        agree(&format!("[\"\\u{a:04x}\", \"x\\u{b:04x}\"]"))?;
    }

    #[test]
    fn mutated_fixtures_never_panic_and_conserve_records(
        pick in any::<prop::sample::Index>(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..3, "[\\PC\\n\",:{}\\[\\]]"), 1..4),
    ) {
        let texts = fixture_texts();
        let mut text = texts[pick.index(texts.len())].clone();
        for (at, op, ch) in edits {
            let chars: Vec<char> = text.chars().collect();
            if chars.is_empty() { break; }
            let i = at.index(chars.len());
            let mut chars = chars;
            match op {
                0 => { chars.remove(i); }
                1 => { chars.splice(i..i, ch.chars()); }
                _ => { chars.splice(i..=i, ch.chars()); }
            }
            text = chars.into_iter().collect();
        }
        if let Ok(r) = validate(&text, &ParseOptions::default()) {
            prop_assert_eq!(r.records.len(), r.valid() + r.invalid());
            let lines = common::lines(text.trim_start_matches('\u{feff}'));
            for d in &r.diagnostics {
                if d.severity == Severity::Error {
                    prop_assert!(d.record.is_some());
                }
                if let (Some(l), Some(c)) = (d.line, d.column) {
                    let line = lines.get(l as usize - 1);
                    prop_assert!(line.is_some(), "line {} out of range: {:?}", l, d);
                    prop_assert!(c as usize <= line.unwrap().chars().count() + 1, "column {} out of range: {:?}", c, d);
                }
            }
            let n = normalize(&r, true).unwrap();
            prop_assert_eq!(n.skipped.len(), r.invalid());
        }
    }

    #[test]
    fn confusable_digits_are_placed_exactly(
        key in proptest::collection::vec(any::<u8>(), 16..40),
        at in any::<prop::sample::Index>(),
        digit in prop::sample::select(vec!['0', '1', '8']),
        pad in "[ ]{0,6}",
        csv in any::<bool>(),
    ) {
        let canonical = Secret::from_bytes(key).to_base32();
        let mut chars: Vec<char> = canonical.chars().collect();
        let i = at.index(chars.len());
        chars[i] = digit;
        let secret: String = chars.into_iter().collect();
        let (text, line, column) = if csv {
            let text = format!("serial number,secret key,time interval,manufacturer,model\nS1,{secret},30,M,X\n");
            (text, 2, 4 + i)
        } else {
            let text = format!("{{\"value\": [\n{pad}{{\"serialNumber\": \"S1\", \"secretKey\": \"{secret}\", \"manufacturer\": \"M\", \"model\": \"X\", \"timeIntervalInSeconds\": 30}}]}}");
            (text, 2, pad.len() + 38 + i)
        };
        let r = validate(&text, &ParseOptions::default()).unwrap();
        let d = r.diagnostics.iter().find(|d| d.code == "HW202").unwrap();
        prop_assert_eq!((d.line, d.column), (Some(line), Some(column as u32)));
        // Messages count characters from 1.
        let wanted = format!("position {} ", i + 1);
        prop_assert!(d.message.contains(&wanted));
        prop_assert!(!d.message.contains(&secret[..8]));
    }
}
