//! Validation with the admin's edits (core `tokenfile::validate_edited`): typed values replace
//! the file's and are checked by the same rules, removed records leave every check, the whole
//! upload is checked again (duplicates appear and disappear) and record numbers never move.

use hwoath::core::tokenfile::{
    self, normalize, validate, validate_edited, Edits, ParseOptions, Report, Typed,
};
use hwoath::core::GraphHash;

const DELTA: &str = include_str!("fixtures/valid/token2_delta.json");
const MIXED: &str = include_str!("fixtures/invalid/mixed.json");
const LEGACY: &str = include_str!("fixtures/valid/legacy.csv");
const BROKEN: &str = include_str!("fixtures/invalid/not_object_records.json");

fn opts() -> ParseOptions {
    ParseOptions::default()
}

fn codes(r: &Report, record: usize) -> Vec<&'static str> {
    r.diagnostics
        .iter()
        .filter(|d| d.record == Some(record))
        .map(|d| d.code)
        .collect()
}

fn edited(text: &str, edits: &Edits) -> Report {
    validate_edited(text, &opts(), edits).unwrap()
}

#[test]
fn no_edits_is_validate() {
    for text in [DELTA, MIXED, LEGACY] {
        let a = validate(text, &opts()).unwrap();
        let b = edited(text, &Edits::new());
        assert_eq!(a.to_json(), b.to_json());
        assert_eq!(a.records.len(), b.records.len());
    }
}

#[test]
fn a_typed_value_is_checked_like_the_files() {
    let mut e = Edits::new();
    e.set(1, "model", Typed::text("C202")).unwrap();
    let r = edited(MIXED, &e);
    assert!(r.records[1].is_valid());
    assert!(codes(&r, 1).iter().all(|c| *c != "HW103"));
    // The typed value counts, wherever the file's was.
    assert_eq!(r.records[1].model.as_deref(), Some("C202"));
    assert_eq!(
        r.records[1].line,
        validate(MIXED, &opts()).unwrap().records[1].line
    );

    let mut e = Edits::new();
    e.set(0, "timeIntervalInSeconds", Typed::number(45.0).unwrap())
        .unwrap();
    e.set(0, "hashFunction", Typed::text("SHA-256")).unwrap();
    e.set(0, "serialNumber", Typed::text("1.23457E+11"))
        .unwrap();
    let r = edited(DELTA, &e);
    let c = codes(&r, 0);
    for want in ["HW110", "HW123", "HW113"] {
        assert!(c.contains(&want), "{want} in {c:?}");
    }
    assert_eq!(r.records[0].unusable_interval.as_deref(), Some("45"));
    assert_eq!(r.records[0].hash_function, Some(GraphHash::Sha256));
    // The finding points at the field it replaces in the file.
    let file = validate(DELTA, &opts()).unwrap();
    let at = r
        .diagnostics
        .iter()
        .find(|d| d.code == "HW110")
        .map(|d| (d.line, d.column))
        .unwrap();
    assert_eq!(at.0, Some(10));
    assert!(file.diagnostics.is_empty());

    // A typed key: decoded leniently, its findings reported (no character positions: it is in no
    // file), and it gives the record its key.
    let mut e = Edits::new();
    e.set(2, "secretKey", Typed::text("jbsw y3dp ehpk 3pxp"))
        .unwrap();
    let r = edited(MIXED, &e);
    let c = codes(&r, 2);
    assert!(
        c.contains(&"HW210") && c.contains(&"HW211") && c.contains(&"HW208"),
        "{c:?}"
    );
    assert!(r.records[2].secret.is_some());
    assert!(r.records[2].is_valid());
}

#[test]
fn typed_ids_and_cleared_optional_fields() {
    let mut e = Edits::new();
    e.set(
        0,
        "assignTo",
        Typed::text(" 0cadbf92-1234-4abc-9def-0123456789ab "),
    )
    .unwrap();
    e.set(0, "displayName", Typed::text("Amy")).unwrap();
    let r = edited(DELTA, &e);
    let t = r.records[0].token.as_ref().unwrap();
    assert_eq!(
        t.assign_to.as_deref(),
        Some("0cadbf92-1234-4abc-9def-0123456789ab")
    );
    assert_eq!(t.display_name.as_deref(), Some("Amy"));
    let n = normalize(&r, false).unwrap();
    assert!(n
        .json
        .contains("\"assignTo\": {\n        \"id\": \"0cadbf92"));
    // A UPN is kept for assign requests, with the usual warning.
    e.set(0, "assignTo", Typed::text("amy@contoso.com"))
        .unwrap();
    let r = edited(DELTA, &e);
    assert!(codes(&r, 0).contains(&"HW130"));
    // Empty text clears the optional fields.
    e.set(0, "assignTo", Typed::text("")).unwrap();
    e.set(0, "displayName", Typed::text("")).unwrap();
    let r = edited(DELTA, &e);
    let t = r.records[0].token.as_ref().unwrap();
    assert_eq!(
        (t.assign_to.as_deref(), t.display_name.as_deref()),
        (None, None)
    );
    // The CSV upn is a typed user too.
    let mut e = Edits::new();
    e.set(1, "assignTo", Typed::text("bob@contoso.com"))
        .unwrap();
    let r = edited(LEGACY, &e);
    assert_eq!(r.records[1].assign_to.as_deref(), Some("bob@contoso.com"));
}

#[test]
fn duplicates_appear_and_disappear() {
    let mut e = Edits::new();
    e.set(2, "serialNumber", Typed::text("3589168913810"))
        .unwrap();
    let r = edited(DELTA, &e);
    // Both copies are flagged (which one is right cannot be told).
    assert!(codes(&r, 2).contains(&"HW301") && codes(&r, 0).contains(&"HW301"));
    assert!(!r.records[2].is_valid() && !r.records[0].is_valid());
    // The same key typed for another record.
    e.set(
        1,
        "secretKey",
        Typed::text("KWI4S6MJFRJO2EKTNAKPUTIODPSIZ4QR"),
    )
    .unwrap();
    let r = edited(DELTA, &e);
    assert!(codes(&r, 1).contains(&"HW302"));
    // Removing the first of each pair clears both findings; nothing is renumbered.
    e.remove(0);
    let r = edited(DELTA, &e);
    assert_eq!(r.records.len(), 3);
    assert!(r.records[0].removed && !r.records[0].is_valid() && !r.records[0].is_invalid());
    assert!(codes(&r, 0).is_empty());
    assert!(r.records[1].is_valid() && r.records[2].is_valid());
    assert_eq!((r.valid(), r.invalid(), r.removed()), (2, 0, 1));
    assert_eq!(r.to_json()["records"], 2);
    assert_eq!(r.summary().records, 3);
    // The removed record is still read (for the table), its key too.
    assert_eq!(r.records[0].serial_number.as_deref(), Some("3589168913810"));
    assert!(r.records[0].secret.is_some());
    // Normalising leaves it out and numbers the rest 1..n.
    let n = normalize(&r, false).unwrap();
    let body: serde_json::Value = serde_json::from_str(&n.json).unwrap();
    let items = body["value"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        (
            items[0]["@contentId"].as_str(),
            items[1]["@contentId"].as_str()
        ),
        (Some("1"), Some("2"))
    );
    // Record 2, whose serial was typed, is written with it.
    assert_eq!(items[1]["serialNumber"], "3589168913810");
    assert!(n.skipped.is_empty());
    // Restored: both duplicates are back.
    e.restore(0);
    let r = edited(DELTA, &e);
    assert!(codes(&r, 1).contains(&"HW302") && codes(&r, 2).contains(&"HW301"));
}

#[test]
fn a_fixed_duplicate_field_is_no_longer_ambiguous() {
    let text = r##"{"@context":"#$delta","value":[{"@contentId":"1","serialNumber":"1","serialNumber":"2","manufacturer":"M","model":"X","secretKey":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"}]}"##;
    assert!(codes(&validate(text, &opts()).unwrap(), 0).contains(&"HW108"));
    let mut e = Edits::new();
    e.set(0, "serialNumber", Typed::text("2")).unwrap();
    let r = edited(text, &e);
    assert!(r.records[0].is_valid(), "{:?}", r.diagnostics);
}

#[test]
fn broken_records_can_only_be_removed() {
    let file = validate(BROKEN, &opts()).unwrap();
    let broken = file
        .records
        .iter()
        .position(|r| !r.is_valid())
        .expect("a broken record");
    let mut e = Edits::new();
    e.set(broken, "model", Typed::text("C202")).unwrap();
    assert_eq!(edited(BROKEN, &e).to_json(), file.to_json());
    e.remove(broken);
    let r = edited(BROKEN, &e);
    assert!(r.records[broken].removed);
    assert!(codes(&r, broken).is_empty());
}

#[test]
fn removed_records_leave_the_listing_check_and_the_mix() {
    let listing = tokenfile::parse_listing(include_str!("fixtures/listing/page1.json")).unwrap();
    let opts = ParseOptions {
        listing,
        ..ParseOptions::default()
    };
    let text = include_str!("fixtures/invalid/listing_collision.json");
    let r = validate(text, &opts).unwrap();
    let hit = r
        .diagnostics
        .iter()
        .find(|d| d.code == "HW401")
        .and_then(|d| d.record)
        .unwrap();
    let mut e = Edits::new();
    e.remove(hit);
    let r = validate_edited(text, &opts, &e).unwrap();
    assert!(r.diagnostics.iter().all(|d| d.record != Some(hit)));
    let counted: usize = r.mix().period.iter().map(|m| m.count).sum();
    assert_eq!(counted, r.records.len() - 1);
}

#[test]
fn mix_counts_unusable_values() {
    let r = validate(include_str!("fixtures/invalid/interval_bad.json"), &opts()).unwrap();
    let mix = r.mix();
    assert_eq!(
        mix.period.iter().map(|m| m.count).sum::<usize>(),
        r.records.len()
    );
    assert!(mix
        .period
        .iter()
        .any(|m| m.value == Some(45.0) && !m.accepted && m.count == 1));
    let r = validate(include_str!("fixtures/invalid/hash_bad.json"), &opts()).unwrap();
    let mix = r.mix();
    assert_eq!(
        mix.hash.iter().map(|m| m.count).sum::<usize>(),
        r.records.len()
    );
    assert!(mix.hash.iter().any(|m| !m.accepted));
    let s = r.summary();
    assert_eq!(s.records, s.valid + s.invalid + s.removed);
    assert_eq!(s.errors + s.warnings + s.infos, r.diagnostics.len());
}
