//! Token files: every fixture's exact diagnostics, message snapshots, positions checked against
//! an independent reading of the file, conservation, no secret in any output, the CLI contract
//! (exit codes, stdin, several files, normalize goldens) and the 100,000-token timing.
//!
//! Expectation files are data next to each fixture: `name.expected.json` (counts and every
//! diagnostic as `[severity, code, record, field, line, column]`), `name.expected.txt` (the
//! human CLI output, i.e. the messages). `HWOATH_BLESS=1 cargo test --test tokenfiles` rewrites
//! them; review the diff before committing.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;

use common::secrets::{secrets_of, Scanner, Secrets};
use hwoath::core::secret::Secret;
use hwoath::core::tokenfile::{self, json, normalize, validate, ParseOptions, Report};
use hwoath::core::{GraphHash, Severity};
use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn bless() -> bool {
    std::env::var_os("HWOATH_BLESS").is_some_and(|v| v == "1")
}

#[derive(Debug)]
struct Fixture {
    /// `valid`, `invalid` or `unusable`.
    kind: &'static str,
    /// File name, e.g. `mixed.json`.
    name: String,
    text: String,
    opts: ParseOptions,
    /// Extra CLI arguments equivalent to `opts`, paths relative to the fixtures root.
    args: Vec<String>,
}

impl Fixture {
    fn rel(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    fn sidecar(&self, ext: &str) -> PathBuf {
        let stem = self.name.rsplit_once('.').map_or(&*self.name, |(s, _)| s);
        root().join(self.kind).join(format!("{stem}.{ext}"))
    }

    fn is_csv(&self) -> bool {
        self.name.ends_with(".csv")
    }
}

fn is_data(name: &str) -> bool {
    !name.contains(".expected.") && !name.ends_with(".options.json")
}

fn fixtures(kind: &'static str) -> Vec<Fixture> {
    let dir = root().join(kind);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| is_data(n))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let text = std::fs::read_to_string(dir.join(&name)).unwrap();
            let mut f = Fixture {
                kind,
                name,
                text,
                opts: ParseOptions::default(),
                args: Vec::new(),
            };
            if let Ok(o) = std::fs::read_to_string(f.sidecar("options.json")) {
                let o: Value = serde_json::from_str(&o).unwrap();
                if let Some(h) = o["hashFunction"].as_str() {
                    f.opts.hash_function = GraphHash::from_graph_name(h);
                    f.args.extend(["--hash-function".into(), h.into()]);
                }
                for p in o["listing"].as_array().into_iter().flatten() {
                    let p = format!("{kind}/{}", p.as_str().unwrap());
                    let page = std::fs::read_to_string(root().join(&p)).unwrap();
                    f.opts
                        .listing
                        .extend(tokenfile::parse_listing(&page).unwrap());
                    f.args.extend(["--listing".into(), p]);
                }
            }
            f
        })
        .collect()
}

fn usable() -> Vec<Fixture> {
    let mut all = fixtures("valid");
    all.extend(fixtures("invalid"));
    all
}

fn all_fixtures() -> Vec<Fixture> {
    let mut all = usable();
    all.extend(fixtures("unusable"));
    all
}

fn hwoath(args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = stdin.unwrap_or("").to_string();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || pipe.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    out
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

fn cli_validate(f: &Fixture, json: bool) -> Output {
    let rel = f.rel();
    let mut args = vec!["validate", rel.as_str()];
    args.extend(f.args.iter().map(String::as_str));
    if json {
        args.push("--json");
    }
    hwoath(&args, None)
}

/// Counts, and each diagnostic as `[severity, code, record, field, line, column]`.
fn compact(r: &Report) -> Value {
    let diags: Vec<Value> = r
        .diagnostics
        .iter()
        .map(|d| {
            json!([
                d.severity.as_str(),
                d.code,
                d.record,
                d.field,
                d.line,
                d.column
            ])
        })
        .collect();
    json!({"records": r.records.len(), "valid": r.valid(), "invalid": r.invalid(), "diagnostics": diags})
}

/// One diagnostic per line, so expectation diffs are readable.
fn compact_text(v: &Value) -> String {
    let mut s = format!(
        "{{\n  \"records\": {},\n  \"valid\": {},\n  \"invalid\": {},\n  \"diagnostics\": [",
        v["records"], v["valid"], v["invalid"]
    );
    let diags = v["diagnostics"].as_array().unwrap();
    for (i, d) in diags.iter().enumerate() {
        s.push_str(if i == 0 { "\n    " } else { ",\n    " });
        s.push_str(&serde_json::to_string(d).unwrap());
    }
    s.push_str(if diags.is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    s
}

fn check_or_bless(path: &Path, actual: &str, what: &str, failures: &mut Vec<String>) {
    if bless() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return;
    }
    match std::fs::read_to_string(path) {
        Ok(expected) if expected == actual => {}
        Ok(expected) => failures.push(format!(
            "{what}: {} differs\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )),
        Err(_) => failures.push(format!("{what}: {} is missing", path.display())),
    }
}

fn finish(failures: Vec<String>) {
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn there_are_at_least_40_fixtures_and_every_rule_is_covered() {
    let all = usable();
    assert!(all.len() >= 40, "only {} fixtures", all.len());
    let mut seen = std::collections::BTreeSet::new();
    for f in &all {
        for d in validate(&f.text, &f.opts).unwrap().diagnostics {
            seen.insert(d.code);
        }
    }
    for h in hostile() {
        if let Ok(r) = h.report() {
            seen.extend(r.diagnostics.iter().map(|d| d.code));
        }
    }
    let catalogue = std::fs::read_to_string(root().join("../../docs/rules.md")).unwrap();
    let documented: std::collections::BTreeSet<&str> = catalogue
        .lines()
        .filter_map(|l| l.strip_prefix("| HW"))
        .map(|l| &l[..3])
        .collect();
    let documented: std::collections::BTreeSet<String> =
        documented.iter().map(|c| format!("HW{c}")).collect();
    let seen: std::collections::BTreeSet<String> = seen.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        seen, documented,
        "codes produced by the fixtures vs codes in docs/rules.md"
    );
}

#[test]
fn every_fixture_has_its_exact_diagnostics() {
    let mut failures = Vec::new();
    for f in usable() {
        let r = validate(&f.text, &f.opts).unwrap_or_else(|e| panic!("{}: {e}", f.rel()));
        match f.kind {
            "valid" => assert!(
                !r.has_errors() && r.invalid() == 0,
                "{} has errors",
                f.rel()
            ),
            _ => assert!(
                r.has_errors() && r.invalid() > 0,
                "{} has no error",
                f.rel()
            ),
        }
        let actual = compact_text(&compact(&r));
        check_or_bless(
            &f.sidecar("expected.json"),
            &actual,
            &f.rel(),
            &mut failures,
        );
    }
    finish(failures);
}

#[test]
fn messages_match_the_snapshots() {
    let mut failures = Vec::new();
    for f in usable() {
        let o = cli_validate(&f, false);
        assert!(o.stderr.is_empty(), "{}: {}", f.rel(), text(&o.stderr));
        check_or_bless(
            &f.sidecar("expected.txt"),
            &text(&o.stdout),
            &f.rel(),
            &mut failures,
        );
    }
    for f in fixtures("unusable") {
        let o = cli_validate(&f, false);
        assert!(o.stdout.is_empty());
        check_or_bless(
            &f.sidecar("expected.txt"),
            &text(&o.stderr),
            &f.rel(),
            &mut failures,
        );
    }
    finish(failures);
}

#[test]
fn cli_json_is_the_core_report_and_exit_codes_follow_errors() {
    for f in usable() {
        let r = validate(&f.text, &f.opts).unwrap();
        let o = cli_validate(&f, true);
        let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(printed, r.to_json(), "{}", f.rel());
        let keys: Vec<&String> = printed.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 4);
        for d in printed["diagnostics"].as_array().unwrap() {
            let mut k: Vec<&String> = d.as_object().unwrap().keys().collect();
            k.sort();
            assert_eq!(
                k,
                ["code", "column", "field", "line", "message", "record", "severity"]
            );
        }
        let expected = if f.kind == "valid" { 0 } else { 1 };
        assert_eq!(o.status.code(), Some(expected), "{}", f.rel());
    }
    for f in fixtures("unusable") {
        let o = cli_validate(&f, true);
        assert_eq!(o.status.code(), Some(2), "{}", f.rel());
        assert!(o.stdout.is_empty(), "{}", f.rel());
        let err = text(&o.stderr);
        assert_eq!(err.lines().count(), 1, "{}: {err}", f.rel());
        assert!(
            validate(&f.text, &ParseOptions::default()).is_err(),
            "{}",
            f.rel()
        );
    }
}

#[test]
fn records_are_conserved_and_errors_match_invalid_records() {
    for f in usable() {
        let r = validate(&f.text, &f.opts).unwrap();
        assert_eq!(r.records.len(), r.valid() + r.invalid(), "{}", f.rel());
        assert_eq!(r.records.len(), independent_count(&f), "{}", f.rel());
        let mut with_error = vec![false; r.records.len()];
        for d in &r.diagnostics {
            if d.severity == Severity::Error {
                with_error[d.record.expect("every error names its record")] = true;
            }
        }
        for (i, rec) in r.records.iter().enumerate() {
            assert_eq!(rec.index, i);
            assert_eq!(rec.is_valid(), !with_error[i], "{} record {i}", f.rel());
        }
        assert_eq!(r.diagnostics.len(), r.diagnostic_files.len());
    }
}

/// Records counted without the code under test: serde_json items, or csv rows that are not
/// blank, minus the header.
fn independent_count(f: &Fixture) -> usize {
    let t = f.text.trim_start_matches('\u{feff}');
    if f.is_csv() {
        csv_rows(t).len() - 1
    } else {
        match serde_json::from_str::<Value>(t).unwrap() {
            Value::Array(a) => a.len(),
            v => v.get("value").map_or(1, |a| a.as_array().unwrap().len()),
        }
    }
}

fn csv_rows(t: &str) -> Vec<(csv::StringRecord, u64)> {
    let delim = if t.lines().next().unwrap().contains(',') {
        b','
    } else {
        b';'
    };
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(t.as_bytes())
        .records()
        .map(|r| r.unwrap())
        .filter(|r| r.iter().any(|c| !c.trim().is_empty()))
        .map(|r| {
            let line = r.position().unwrap().line();
            (r, line)
        })
        .collect()
}

/// The text from 1-based `line:column` (characters) to the end of that line.
fn at(t: &str, line: u32, column: u32) -> &str {
    let l = common::lines(t)[line as usize - 1];
    let start = l
        .char_indices()
        .nth(column as usize - 1)
        .map_or(l.len(), |(i, _)| i);
    &l[start..]
}

const RECORD_START: [&str; 5] = ["HW004", "HW010", "HW101", "HW121", "HW304"];

#[test]
fn positions_point_at_the_value_key_or_record_they_name() {
    for f in usable() {
        let t = f.text.trim_start_matches('\u{feff}');
        let r = validate(&f.text, &f.opts).unwrap();
        let items: Vec<Value> = if f.is_csv() {
            Vec::new()
        } else {
            match serde_json::from_str::<Value>(t).unwrap() {
                Value::Array(a) => a,
                v if v.get("value").is_some() => v["value"].as_array().unwrap().clone(),
                v => vec![v],
            }
        };
        let rows = if f.is_csv() { csv_rows(t) } else { Vec::new() };
        for d in &r.diagnostics {
            let (Some(line), Some(column), Some(rec)) = (d.line, d.column, d.record) else {
                continue;
            };
            let here = at(t, line, column);
            let ctx = format!("{} {d:?} at {here:?}", f.rel());
            let record = &r.records[rec];
            if (record.line, record.column) == (Some(line), Some(column)) {
                // The record's start: `{` for JSON items (or the item itself), a row start.
                assert!(
                    RECORD_START.contains(&d.code) || f.is_csv(),
                    "{ctx}: only missing-field findings point at the record start"
                );
                continue;
            }
            let Some(field) = d.field else {
                assert_eq!(
                    d.code, "HW107",
                    "{ctx}: only unknown fields have no field name"
                );
                assert!(here.starts_with('"'), "{ctx}: expected a key");
                continue;
            };
            if f.is_csv() {
                let (row, row_line) = &rows[rec + 1];
                let header = &rows[0].0;
                let col = header
                    .iter()
                    .position(|h| {
                        let n: String = h
                            .chars()
                            .filter(|c| c.is_alphanumeric())
                            .collect::<String>()
                            .to_lowercase();
                        let g = field.to_lowercase();
                        n == g
                            || (field == "assignTo" && n == "upn")
                            || (field == "timeIntervalInSeconds" && n == "timeinterval")
                    })
                    .unwrap_or_else(|| panic!("{ctx}: no column"));
                let cell = &row[col];
                if d.code.starts_with("HW2") && *row_line != u64::from(line) || cell.contains('\n')
                {
                    continue; // a character inside a multi-line cell
                }
                assert!(
                    here.starts_with(cell)
                        || here.starts_with(&format!("\"{cell}"))
                        || (d.code.starts_with("HW2")
                            && cell.contains(here.chars().next().unwrap())),
                    "{ctx}: expected the cell {cell:?}"
                );
                continue;
            }
            let item = &items[rec];
            let key_here = here
                .strip_prefix('"')
                .and_then(|h| h.split_once('"'))
                .map(|(k, _)| k);
            if key_here.is_some_and(|k| k.eq_ignore_ascii_case(field))
                && here[1..]
                    .split_once('"')
                    .is_some_and(|(_, rest)| rest.trim_start().starts_with(':'))
            {
                assert!(
                    ["HW105", "HW106", "HW108"].contains(&d.code),
                    "{ctx}: only key findings point at keys"
                );
                continue;
            }
            let value = item
                .as_object()
                .and_then(|o| o.iter().find(|(k, _)| k.eq_ignore_ascii_case(field)))
                .map(|(_, v)| v)
                .unwrap_or_else(|| panic!("{ctx}: record has no {field}"));
            let nested = value.get("id").map(|v| serde_json::to_string(v).unwrap());
            let encoded = serde_json::to_string(value).unwrap();
            let in_secret = field == "secretKey" && d.code.starts_with("HW2") && {
                let line_text = common::lines(t)[line as usize - 1];
                line_text.contains("\"secretKey\"") || line_text.len() > 300
            };
            assert!(
                here.starts_with(&encoded)
                    || nested.is_some_and(|n| here.starts_with(&n))
                    || in_secret
                    || (value.is_object() && here.starts_with('{'))
                    || (value.is_array() && here.starts_with('[')),
                "{ctx}: expected the value {encoded}"
            );
        }
    }
}

/// Fails when `output` holds a secret of the input in any form, or 12 consecutive characters
/// of a canonical one (the leak scanner's rules, tests/common/secrets.rs).
fn assert_no_secret(output: &str, secrets: &Secrets, what: &str) {
    if let Some(found) = Scanner::new(secrets).find(output) {
        panic!("{what} contains a secret: {found}");
    }
}

#[test]
fn no_output_contains_a_secret_except_the_normalised_secret_key() {
    for f in all_fixtures() {
        let secrets = secrets_of(f.text.as_bytes());
        let what = f.rel();
        if f.kind != "unusable" {
            assert!(
                !secrets.forms.is_empty()
                    || f.name.contains("empty")
                    || f.name.contains("wrong_type")
                    || f.name.contains("not_object"),
                "{what}: no secret found to look for"
            );
        }
        match validate(&f.text, &f.opts) {
            Ok(r) => {
                assert_no_secret(&format!("{r:?}"), &secrets, &format!("{what} Debug"));
                assert_no_secret(&r.to_json().to_string(), &secrets, &format!("{what} json"));
                let n = normalize(&r, true).unwrap();
                assert_no_secret(
                    &format!("{n:?}"),
                    &secrets,
                    &format!("{what} Debug of normalised"),
                );
                // The canonical secretKey field is the only place a secret may appear.
                let mut out: Value = serde_json::from_str(&n.json).unwrap();
                let mut written = Vec::new();
                for item in out["value"].as_array_mut().unwrap() {
                    written.push(item["secretKey"].as_str().unwrap().to_string());
                    item["secretKey"] = Value::Null;
                }
                assert_no_secret(&out.to_string(), &secrets, &format!("{what} normalised"));
                for (w, t) in written.iter().zip(r.valid_tokens()) {
                    assert_eq!(w, &*t.secret.to_base32());
                }
                let err = normalize(&r, false)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default();
                assert_no_secret(&err, &secrets, &format!("{what} normalize error"));
            }
            Err(e) => {
                assert_no_secret(&format!("{e} {e:?}"), &secrets, &format!("{what} unusable"))
            }
        }
        for json in [false, true] {
            let o = cli_validate(&f, json);
            assert_no_secret(&text(&o.stdout), &secrets, &format!("{what} CLI stdout"));
            assert_no_secret(&text(&o.stderr), &secrets, &format!("{what} CLI stderr"));
        }
        let rel = f.rel();
        let mut args = vec!["normalize", rel.as_str(), "--skip-invalid"];
        args.extend(f.args.iter().map(String::as_str));
        let o = hwoath(&args, None);
        assert_no_secret(
            &text(&o.stderr),
            &secrets,
            &format!("{what} normalize stderr"),
        );
        args.remove(2);
        let o = hwoath(&args, None);
        assert_no_secret(
            &text(&o.stderr),
            &secrets,
            &format!("{what} normalize stderr"),
        );
    }
}

#[test]
fn json_reader_agrees_with_serde_json_on_every_fixture() {
    let mut n = 0;
    for f in all_fixtures() {
        let t = f.text.trim_start_matches('\u{feff}');
        let ours = json::parse(t);
        let theirs = serde_json::from_str::<Value>(t);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => {
                assert_eq!(&a.to_serde(), b, "{}", f.rel());
                n += 1;
            }
            (Err(_), Err(_)) => {}
            _ => panic!(
                "{}: ours {:?} serde {:?}",
                f.rel(),
                ours.is_ok(),
                theirs.is_ok()
            ),
        }
    }
    assert!(n >= 30, "only {n} fixtures were JSON");
}

#[test]
fn normalisation_is_canonical_idempotent_and_matches_the_goldens() {
    let golden = root().join("normalized");
    let mut failures = Vec::new();
    for f in usable() {
        let r = validate(&f.text, &f.opts).unwrap();
        let n = normalize(&r, true).unwrap();
        assert_eq!(n.skipped.len(), r.invalid(), "{}", f.rel());
        // Normalised output validates clean (only key-strength and assignment warnings may
        // remain) and normalises to itself.
        let again = validate(&n.json, &ParseOptions::default()).unwrap();
        for d in &again.diagnostics {
            assert!(
                ["HW006", "HW208", "HW130", "HW303", "HW307"].contains(&d.code),
                "{}: normalised output has {d:?}",
                f.rel()
            );
        }
        assert_eq!(
            normalize(&again, false).unwrap().json,
            n.json,
            "{}",
            f.rel()
        );
        // The CLI writes the same, from a file or from stdin.
        let rel = f.rel();
        let mut args = vec!["normalize", rel.as_str(), "--skip-invalid"];
        args.extend(f.args.iter().map(String::as_str));
        let o = hwoath(&args, None);
        assert_eq!(o.status.code(), Some(0), "{}", f.rel());
        assert_eq!(text(&o.stdout), n.json, "{}", f.rel());
        let stem = f.name.rsplit_once('.').unwrap().0;
        let gold = golden.join(format!("{}_{stem}.json", f.kind));
        if gold.exists() || bless() && GOLDEN.contains(&rel.as_str()) {
            check_or_bless(&gold, &n.json, &rel, &mut failures);
        }
    }
    finish(failures);
    if !bless() {
        for g in GOLDEN {
            let (kind, name) = g.split_once('/').unwrap();
            let stem = name.rsplit_once('.').unwrap().0;
            assert!(golden.join(format!("{kind}_{stem}.json")).exists(), "{g}");
        }
    }
}

/// Fixtures whose normalised output is kept as a golden file.
const GOLDEN: [&str; 8] = [
    "valid/token2_delta.json",
    "valid/ms_bulk_example.json",
    "valid/key_case.json",
    "valid/lenient_secret.json",
    "valid/legacy.csv",
    "valid/legacy_bom_crlf.csv",
    "valid/display_name_assign.json",
    "invalid/mixed.json",
];

#[test]
fn golden_normalised_output_keeps_microsofts_field_order() {
    let g =
        std::fs::read_to_string(root().join("normalized/valid_display_name_assign.json")).unwrap();
    let order = [
        "\"@contentId\"",
        "\"serialNumber\"",
        "\"manufacturer\"",
        "\"model\"",
        "\"secretKey\"",
        "\"timeIntervalInSeconds\"",
        "\"hashFunction\"",
        "\"displayName\"",
        "\"assignTo\"",
    ];
    let first = &g[..g.find('}').unwrap()];
    let at: Vec<usize> = order.iter().map(|k| first.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert!(g.starts_with("{\n  \"@context\": \"#$delta\",\n  \"value\": ["));
}

#[test]
fn normalize_refuses_invalid_records_with_nothing_on_stdout() {
    let o = hwoath(&["normalize", "invalid/mixed.json"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = text(&o.stderr);
    // Records count from 1 in text, as in the page's table: index 1 is "record 2".
    assert!(err.contains("error[HW103] record 2 model"), "{err}");
    assert!(err.contains("2 invalid record(s) (2, 3)"), "{err}");
    assert!(err.contains("--skip-invalid"), "{err}");
    let o = hwoath(&["normalize", "invalid/mixed.json", "--skip-invalid"], None);
    assert_eq!(o.status.code(), Some(0));
    let err = text(&o.stderr);
    let skipped: Vec<&str> = err.lines().collect();
    assert_eq!(skipped.len(), 2, "{err}");
    assert!(
        skipped[0].starts_with("hwoath: skipped record 2 (serial \""),
        "{err}"
    );
    assert!(skipped[1].starts_with("hwoath: skipped record 3 "), "{err}");
    assert!(skipped[1].contains("HW202 secretKey"), "{err}");
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["value"].as_array().unwrap().len(), 3);
}

#[test]
fn stdin_dash_reads_standard_input() {
    let t = std::fs::read_to_string(root().join("valid/legacy.csv")).unwrap();
    let o = hwoath(&["validate", "-", "--json"], Some(&t));
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["records"], 3);
    let o = hwoath(&["validate", "-"], Some(&t));
    assert!(text(&o.stdout).starts_with("<stdin>: info[HW012]"));
    let o = hwoath(&["normalize", "-"], Some(&t));
    let file = hwoath(&["normalize", "valid/legacy.csv"], None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout, file.stdout);
    let o = hwoath(&["normalize", "-"], Some("{\"value\": 3}"));
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("hwoath: <stdin>: 1:11: not a token file"));
}

#[test]
fn unusable_inputs_exit_2_with_a_clear_line() {
    let o = hwoath(&["validate", "no/such/file.json"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("cannot read no/such/file.json"));
    let o = hwoath(&["validate", "unusable/listing_as_upload.json"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("--listing"));
    let o = hwoath(
        &[
            "validate",
            "valid/token2_delta.json",
            "--listing",
            "valid/token2_delta.json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        err.starts_with("hwoath: listing valid/token2_delta.json: 4:9: this is a token file"),
        "{err}"
    );
    let o = hwoath(
        &[
            "validate",
            "valid/token2_delta.json",
            "--hash-function",
            "hmacsha512",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    let o = hwoath(
        &["validate", "valid/legacy.csv", "--input-format", "json"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("not valid JSON"));
    let o = hwoath(
        &[
            "validate",
            "valid/token2_delta.json",
            "--input-format",
            "csv",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn several_files_are_one_upload() {
    // legacy.csv has 3 records; its serial 0001234568 is in listing page 2.
    let o = hwoath(
        &[
            "validate",
            "valid/legacy.csv",
            "valid/token2_delta.json",
            "valid/legacy.csv",
            "--listing",
            "listing/page1.json",
            "--listing",
            "listing/page2.json",
            "--json",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["records"], 9);
    let errors: Vec<(String, u64)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["record"].as_u64().unwrap(),
            )
        })
        .collect();
    // Record 1 (and its copy, 7) is listed; the second copy of the CSV duplicates every
    // serial and key of the first (records 6, 7, 8), and both copies are flagged (0-based
    // indexes in the JSON).
    let expected: Vec<(String, u64)> = [
        ("HW301", 0),
        ("HW302", 0),
        ("HW301", 1),
        ("HW401", 1),
        ("HW302", 1),
        ("HW301", 2),
        ("HW302", 2),
        ("HW301", 6),
        ("HW302", 6),
        ("HW301", 7),
        ("HW401", 7),
        ("HW302", 7),
        ("HW301", 8),
        ("HW302", 8),
    ]
    .iter()
    .map(|(c, r)| (c.to_string(), *r))
    .collect();
    assert_eq!(errors, expected);
    // In text, records count from 1 and a duplicate in another file names that file.
    let o = hwoath(&["validate", "valid/legacy.csv", "valid/legacy.csv"], None);
    let out = text(&o.stdout);
    assert!(
        out.contains("valid/legacy.csv:2:19: error[HW301] record 1 serialNumber: serial number \"1234567\" is also in record 4 (line 2 of file 2)"),
        "{out}"
    );
    assert!(
        out.contains("error[HW301] record 4 serialNumber: serial number \"1234567\" is also in record 1 (line 2 of file 1)"),
        "{out}"
    );
    let o = hwoath(
        &["validate", "valid/legacy.csv", "valid/token2_delta.json"],
        None,
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("valid/legacy.csv:2:1: warning[HW130] record 1"),
        "{out}"
    );
    assert!(
        out.trim_end().ends_with(
            "6 record(s) in 2 files: 6 valid, 0 invalid; 0 error(s), 3 warning(s), 2 notice(s)"
        ),
        "{out}"
    );
    // An unusable file among several names that file.
    let o = hwoath(
        &["validate", "valid/legacy.csv", "unusable/number.json"],
        None,
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("hwoath: unusable/number.json: "));
}

#[test]
fn core_several_files_continue_indexes_and_name_files() {
    let a = std::fs::read_to_string(root().join("valid/token2_delta.json")).unwrap();
    let b = std::fs::read_to_string(root().join("valid/bare_array.json")).unwrap();
    let r = tokenfile::validate_files(&[&a, &b], &ParseOptions::default()).unwrap();
    assert_eq!(r.files.len(), 2);
    assert_eq!((r.files[1].first_record, r.files[1].records), (3, 2));
    assert_eq!(r.files[1].format, tokenfile::DetectedFormat::BareArray);
    assert_eq!(r.records[4].file, 1);
    for (d, &file) in r.diagnostics.iter().zip(&r.diagnostic_files) {
        assert_eq!(file, 1, "{d:?}");
        if let Some(rec) = d.record {
            assert!(rec >= 3);
        }
    }
    let e = tokenfile::validate_files(&[&a, "42"], &ParseOptions::default()).unwrap_err();
    assert_eq!(e.0, 1);
}

#[test]
fn listings_parse_pages_and_nested_devices() {
    let p1 = tokenfile::parse_listing(
        &std::fs::read_to_string(root().join("listing/page1.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(p1.len(), 2);
    assert_eq!(p1[1].serial_number, "2300000000042");
    assert_eq!(p1[1].assigned_to.as_deref(), Some("Amy Masters"));
    assert_eq!(p1[1].status.as_deref(), Some("assigned"));
    let n = tokenfile::parse_listing(
        &std::fs::read_to_string(root().join("listing/nested_device.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(n[0].serial_number, "TOTP999999");
    assert!(tokenfile::parse_listing("{\"value\": [{\"id\": \"x\"}]}").is_err());
    assert!(tokenfile::parse_listing("not json").is_err());
    assert_eq!(
        tokenfile::parse_listing("{\"value\": []}").unwrap().len(),
        0
    );
}

/// A deterministic token file of `n` tokens (distinct serials and 20-byte keys).
fn big_file(n: usize, csv: bool) -> String {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut out = String::with_capacity(n * 260);
    if csv {
        out.push_str("upn,serial number,secret key,time interval,manufacturer,model\n");
    } else {
        out.push_str("{\n  \"@context\": \"#$delta\",\n  \"value\": [\n");
    }
    for i in 0..n {
        let mut key = [0u8; 20];
        for b in key.iter_mut() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            *b = x as u8;
        }
        let secret = Secret::from_bytes(key.to_vec()).to_base32();
        let serial = 2_300_000_000_000u64 + i as u64;
        if csv {
            out.push_str(&format!(",{serial},{},30,Token2,C202\n", &*secret));
        } else {
            if i > 0 {
                out.push_str(",\n");
            }
            out.push_str(&format!(
                "    {{\n      \"@contentId\": \"{}\",\n      \"serialNumber\": \"{serial}\",\n      \"manufacturer\": \"Token2\",\n      \"model\": \"C202\",\n      \"secretKey\": \"{}\",\n      \"timeIntervalInSeconds\": 30,\n      \"hashFunction\": \"hmacsha1\"\n    }}",
                i + 1,
                &*secret
            ));
        }
    }
    if !csv {
        out.push_str("\n  ]\n}\n");
    }
    out
}

#[test]
#[allow(clippy::disallowed_macros)] // the timings are a note for whoever runs the test
fn hundred_thousand_tokens_timing() {
    for csv in [false, true] {
        let text = big_file(100_000, csv);
        let start = std::time::Instant::now();
        let r = validate(&text, &ParseOptions::default()).unwrap();
        let validated = start.elapsed();
        let n = normalize(&r, false).unwrap();
        let total = start.elapsed();
        assert_eq!(r.records.len(), 100_000);
        assert_eq!(r.valid(), 100_000);
        assert!(n.json.len() > 100_000 * 100);
        // A single-line (minified) file must not be slower: positions are tracked while reading.
        let minified = if csv {
            None
        } else {
            let v: Value = serde_json::from_str(&text).unwrap();
            let m = serde_json::to_string(&v).unwrap();
            let s = std::time::Instant::now();
            let r = validate(&m, &ParseOptions::default()).unwrap();
            assert_eq!(r.valid(), 100_000);
            Some(s.elapsed())
        };
        println!(
            "100,000 tokens ({}, {} MB): validate {:?}, validate+normalize {:?}{}",
            if csv { "CSV" } else { "JSON" },
            text.len() / 1_000_000,
            validated,
            total,
            minified
                .map(|m| format!(", minified JSON validate {m:?}"))
                .unwrap_or_default()
        );
    }
}

// Hostile inputs (tests/fixtures/hostile/): real-world bad shapes (Excel, PowerShell, truncated
// and oversized files, other encodings), read as bytes the way the CLI reads them. Each has
// `name.expected.json` (the report as above, or `{"unusable", "line", "column"}`) and
// `name.expected.txt` (the CLI's stdout, or its stderr when unusable). Inputs too big to commit
// are made at test time from `name.recipe.json`: `{"file": "name.ext", "parts": [[text, n], …]}`
// writes each text n times, with `{i}` replaced by the repetition's index and `{k}` by a
// base32 key unique to it.

struct Hostile {
    /// Data file name (for a recipe, the file it makes).
    name: String,
    bytes: Vec<u8>,
    /// Directory to run the CLI in; the file is `hostile/<name>` there.
    dir: PathBuf,
}

impl Hostile {
    fn sidecar(&self, ext: &str) -> PathBuf {
        let stem = self.name.rsplit_once('.').map_or(&*self.name, |(s, _)| s);
        root().join("hostile").join(format!("{stem}.{ext}"))
    }

    fn rel(&self) -> String {
        format!("hostile/{}", self.name)
    }

    /// What the core makes of the bytes, as the CLI reads them.
    fn report(&self) -> Result<Report, tokenfile::Unusable> {
        let text = tokenfile::text_from_bytes("the file", &self.bytes)?;
        validate(text, &ParseOptions::default())
    }
}

/// `{k}` for repetition `i`: 32 base32 letters, distinct for every `i`.
fn recipe_key(i: usize) -> String {
    let digits: String = format!("{i:08}")
        .bytes()
        .map(|d| (b'A' + (d - b'0')) as char)
        .collect();
    format!("JBSWY3DPEHPK3PXPGEZDGNBV{digits}")
}

fn hostile() -> Vec<Hostile> {
    let dir = root().join("hostile");
    let generated = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-inputs");
    std::fs::create_dir_all(generated.join("hostile")).unwrap();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.contains(".expected."))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let raw = std::fs::read(dir.join(&name)).unwrap();
            let Some(stem) = name.strip_suffix(".recipe.json") else {
                return Hostile {
                    name,
                    bytes: raw,
                    dir: root(),
                };
            };
            let recipe: Value = serde_json::from_slice(&raw).unwrap();
            let file = recipe["file"].as_str().unwrap().to_string();
            assert!(file.starts_with(stem), "{name} makes {file}");
            let mut text = String::new();
            for part in recipe["parts"].as_array().unwrap() {
                let t = part[0].as_str().unwrap();
                for i in 0..part[1].as_u64().unwrap() as usize {
                    if t.contains('{') {
                        text.push_str(
                            &t.replace("{i}", &i.to_string())
                                .replace("{k}", &recipe_key(i)),
                        );
                    } else {
                        text.push_str(t);
                    }
                }
            }
            std::fs::write(generated.join("hostile").join(&file), &text).unwrap();
            Hostile {
                name: file,
                bytes: text.into_bytes(),
                dir: generated.clone(),
            }
        })
        .collect()
}

fn hostile_cli(h: &Hostile, json: bool) -> Output {
    let rel = h.rel();
    let mut args = vec!["validate", rel.as_str()];
    if json {
        args.push("--json");
    }
    Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(&args)
        .current_dir(&h.dir)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

#[test]
fn hostile_inputs_have_their_exact_diagnostics_and_messages() {
    let all = hostile();
    assert!(all.len() >= 60, "only {} hostile inputs", all.len());
    let stems: std::collections::BTreeSet<PathBuf> =
        all.iter().map(|h| h.sidecar("expected.json")).collect();
    assert_eq!(stems.len(), all.len(), "two hostile inputs share a name");
    let mut failures = Vec::new();
    for h in &all {
        let what = h.rel();
        let o = hostile_cli(h, false);
        let err = text(&o.stderr);
        assert!(!err.contains("panicked"), "{what}: {err}");
        let (expected, shown) = match h.report() {
            Ok(r) => {
                assert_eq!(o.status.code(), Some(i32::from(r.has_errors())), "{what}");
                assert!(err.is_empty(), "{what}: {err}");
                (compact_text(&compact(&r)), text(&o.stdout))
            }
            Err(e) => {
                assert_eq!(o.status.code(), Some(2), "{what}");
                assert!(o.stdout.is_empty(), "{what}");
                assert_eq!(err.lines().count(), 1, "{what}: {err}");
                let v = json!({"unusable": e.message, "line": e.line, "column": e.column});
                (serde_json::to_string_pretty(&v).unwrap() + "\n", err)
            }
        };
        check_or_bless(&h.sidecar("expected.json"), &expected, &what, &mut failures);
        check_or_bless(&h.sidecar("expected.txt"), &shown, &what, &mut failures);
    }
    finish(failures);
}

#[test]
fn hostile_inputs_conserve_records_and_leak_no_secret() {
    for h in hostile() {
        let what = h.rel();
        let o = hostile_cli(&h, true);
        let Ok(r) = h.report() else {
            assert_eq!(o.status.code(), Some(2), "{what}");
            continue;
        };
        assert_eq!(r.records.len(), r.valid() + r.invalid(), "{what}");
        for d in &r.diagnostics {
            if d.severity == Severity::Error {
                assert!(d.record.is_some(), "{what}: {d:?}");
            }
            // Every position is inside the file.
            if let (Some(l), Some(c)) = (d.line, d.column) {
                let t = std::str::from_utf8(&h.bytes).unwrap();
                let t = t.strip_prefix('\u{feff}').unwrap_or(t);
                let lines: Vec<&str> = t
                    .split("\r\n")
                    .flat_map(|l| l.split(['\n', '\r']))
                    .collect();
                let line = lines
                    .get(l as usize - 1)
                    .unwrap_or_else(|| panic!("{what}: {d:?}"));
                assert!(c as usize <= line.chars().count() + 1, "{what}: {d:?}");
            }
        }
        let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(printed, r.to_json(), "{what}");
        let canonical: Vec<String> = r
            .records
            .iter()
            .filter_map(|rec| rec.secret.as_ref())
            .map(|s| s.to_base32().to_string())
            .filter(|s| s.len() >= 8)
            .collect();
        let secrets = Secrets {
            forms: canonical.clone(),
            canonical,
            ..Secrets::default()
        };
        let plain = hostile_cli(&h, false);
        for out in [&o.stdout, &o.stderr, &plain.stdout, &plain.stderr] {
            assert_no_secret(&text(out), &secrets, &what);
        }
    }
}

// Issue 10, Why 3 and 6: what the admin reads names the table's numbers, and hidden characters
// are flagged in every field.

/// One delta record; `extra` is spliced in as more members (`"k": v, …`).
fn record(serial: &str, key: &str, extra: &str) -> String {
    format!(
        r#"{{"serialNumber": "{serial}", "manufacturer": "Token2", "model": "C202", "secretKey": "{key}", "timeIntervalInSeconds": 30, "hashFunction": "hmacsha1"{extra}}}"#
    )
}

fn delta(records: &[String]) -> String {
    format!(
        "{{\"@context\": \"#$delta\", \"value\": [\n{}\n]}}",
        records.join(",\n")
    )
}

#[test]
fn duplicates_name_the_tables_numbers_and_flag_every_copy() {
    let keys = [
        "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        "MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U",
        "KRUGS4ZANFZSA5DIMUQHI2DJNZTSAYLT",
    ];
    // Line 2 is record 1 (index 0). Records 1 and 3 share a serial; 2 and 4 a key.
    let text = delta(&[
        record("S-1", keys[0], ""),
        record("S-2", keys[1], ""),
        record("S-1", keys[2], ""),
        record("S-4", keys[1], ""),
        record("S-5", keys[3], ""),
    ]);
    let r = validate(&text, &ParseOptions::default()).unwrap();
    let found: Vec<(&str, Option<usize>, &str)> = r
        .diagnostics
        .iter()
        .filter(|d| matches!(d.code, "HW301" | "HW302"))
        .map(|d| (d.code, d.record, d.message.as_str()))
        .collect();
    assert_eq!(found.len(), 4, "{found:#?}");
    let (code, rec, msg) = found[0];
    assert_eq!((code, rec), ("HW301", Some(0)));
    assert!(msg.contains("is also in record 3 (line 4)"), "{msg}");
    let (code, rec, msg) = found[1];
    assert_eq!((code, rec), ("HW302", Some(1)));
    assert!(
        msg.contains("is also the key of record 4 (line 5)"),
        "{msg}"
    );
    assert!(found[2].2.contains("record 1 (line 2)"), "{found:#?}");
    assert!(found[3].2.contains("record 2 (line 3)"), "{found:#?}");
    // Both copies are invalid: nothing says one of them is fine.
    let valid: Vec<bool> = r.records.iter().map(|r| r.is_valid()).collect();
    assert_eq!(valid, [false, false, false, false, true]);
    // The CLI's text counts from 1 too; its --json keeps the 0-based index.
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("duplicates.json");
    std::fs::write(&path, &text).unwrap();
    let p = path.to_str().unwrap();
    let out = String::from_utf8(hwoath(&["validate", p], None).stdout).unwrap();
    assert!(
        out.contains(":2:18: error[HW301] record 1 serialNumber: serial number \"S-1\" is also in record 3 (line 4)"),
        "{out}"
    );
    let v: Value =
        serde_json::from_slice(&hwoath(&["validate", p, "--json"], None).stdout).unwrap();
    assert_eq!(v["diagnostics"][0]["record"], 0);
    // Three copies: each names the other two.
    let text = delta(&[
        record("T", keys[0], ""),
        record("T", keys[1], ""),
        record("T", keys[2], ""),
    ]);
    let r = validate(&text, &ParseOptions::default()).unwrap();
    let msgs: Vec<&str> = r
        .diagnostics
        .iter()
        .filter(|d| d.code == "HW301")
        .map(|d| d.message.as_str())
        .collect();
    assert!(
        msgs[0].contains("records 2 (line 3) and 3 (line 4)"),
        "{msgs:#?}"
    );
    assert!(
        msgs[1].contains("records 1 (line 2) and 3 (line 4)"),
        "{msgs:#?}"
    );
    assert!(
        msgs[2].contains("records 1 (line 2) and 2 (line 3)"),
        "{msgs:#?}"
    );
    assert_eq!(r.invalid(), 3);
}

#[test]
fn hidden_characters_are_flagged_in_every_field() {
    let key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let check = |extra: &str| {
        let text = delta(&[record("S-1", key, extra)]);
        let r = validate(&text, &ParseOptions::default()).unwrap();
        // Without @contentId every record has HW304; left out here.
        let d: Vec<(String, String, Option<&str>)> = r
            .diagnostics
            .iter()
            .filter(|d| d.code != "HW304")
            .map(|d| (d.code.to_string(), d.severity.as_str().to_string(), d.field))
            .collect();
        (r, d, text)
    };
    // A text-direction control in displayName: an error that points at it (the end-user sheet
    // would show the name reversed); position 5 counts from 1.
    let (r, d, text) = check(r#", "displayName": "Amy \u202Eevil""#);
    assert_eq!(d, [("HW115".into(), "error".into(), Some("displayName"))]);
    assert_eq!(r.invalid(), 1);
    let diag = r.diagnostics.iter().find(|d| d.code == "HW115").unwrap();
    assert!(
        diag.message
            .contains("U+202E (text-direction control) at position 5"),
        "{diag:?}"
    );
    assert_eq!(
        at(&text, diag.line.unwrap(), diag.column.unwrap()).get(..6),
        Some("\\u202E")
    );
    // ESC and C1 controls, in displayName and @contentId.
    for extra in [
        r#", "displayName": "x\u001b]0;t\u0007""#,
        ", \"displayName\": \"x\u{9b}31m\"",
        ", \"displayName\": \"a\u{2028}b\"",
        r#", "@contentId": "1\u001b[2K""#,
        ", \"@contentId\": \"1\u{2066}\"",
    ] {
        let (r, d, _) = check(extra);
        assert_eq!(d[0].0, "HW115", "{extra}: {d:?}");
        assert_eq!(r.invalid(), 1, "{extra}");
    }
    // Invisible but harmless to the layout: a warning; the record stays valid.
    for extra in [
        ", \"displayName\": \"Zo\u{200b}ë\"",
        ", \"@contentId\": \"1\u{feff}\"",
    ] {
        let (r, d, _) = check(extra);
        assert_eq!(d[0].0, "HW116", "{extra}: {d:?}");
        assert_eq!(d[0].1, "warning");
        assert_eq!(r.invalid(), 0, "{extra}");
    }
    // Ordinary text is not flagged.
    let (_, d, _) = check(", \"displayName\": \"Zoë Ünal-Łukasz 日本 ❤\"");
    assert!(d.is_empty(), "{d:?}");
    // Keys, values of dropped fields and nested keys: warnings.
    for extra in [
        r#", "serialNumber\u200b": "S-9""#,
        r#", "note": "a\u202Eb""#,
        r#", "note": [1, {"deep": ["x\u001b[1A"]}]"#,
        r#", "status": "ok\u0085""#,
        r#", "assignTo": {"id": "0cadbf92-1234-4abc-9def-0123456789ab", "n\u200dote": 1}"#,
    ] {
        let (r, d, _) = check(extra);
        assert!(
            d.iter().any(|(c, s, _)| c == "HW117" && s == "warning"),
            "{extra}: {d:?}"
        );
        assert_eq!(r.invalid(), 0, "{extra}: {d:?}");
    }
    // The delta body's own keys and a CSV's column names.
    let text = "{\"@context\": \"#$delta\", \"x\u{202e}\": 1, \"value\": []}";
    let r = validate(text, &ParseOptions::default()).unwrap();
    assert!(r
        .diagnostics
        .iter()
        .any(|d| d.code == "HW117" && d.record.is_none()));
    let csv = format!("serial number,secret key,time interval,manufacturer,model,\"no\u{1b}te\"\nS-1,{key},30,Token2,C202,x\n");
    let r = validate(&csv, &ParseOptions::default()).unwrap();
    let d = r.diagnostics.iter().find(|d| d.code == "HW117").unwrap();
    // Points at the column name, the 59th character of the header.
    assert_eq!((d.line, d.column), (Some(1), Some(59)));
}

/// Leading-zero serials (HW307) and keys that differ by trailing zero bytes (HW303) are found
/// in every member of a group, whether the member is the bare form (`12`, the key without
/// zeros) or a padded one, and nowhere else: not for a padded value that is alone, not for a
/// key ending in a zero byte whose shorter form nobody has.
#[test]
fn leading_zero_serials_and_zero_padded_keys_are_grouped_both_ways() {
    let b32 = |bytes: &[u8]| data_encoding::BASE32_NOPAD.encode(bytes);
    let k: Vec<u8> = (1..=16).collect();
    let with = |extra: &[u8]| [k.as_slice(), extra].concat();
    let lonely_zero_ended: Vec<u8> = (101..=115).chain([0]).collect();
    let plain: Vec<u8> = (201..=216).collect();
    let rows = [
        ("12", with(&[])),
        ("012", with(&[0])),
        ("0012", with(&[0, 0])),
        ("13", lonely_zero_ended),
        ("0014", plain),
    ];
    let value: Vec<Value> = rows
        .iter()
        .enumerate()
        .map(|(i, (serial, key))| {
            json!({"@contentId": (i + 1).to_string(), "serialNumber": serial, "manufacturer": "Token2",
                "model": "C202", "secretKey": b32(key), "timeIntervalInSeconds": 30, "hashFunction": "hmacsha1"})
        })
        .collect();
    let text = json!({"@context": "#$delta", "value": value}).to_string();
    let report = validate(&text, &ParseOptions::default()).unwrap();
    let with_code = |code: &str| {
        let mut rs: Vec<usize> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == code)
            .filter_map(|d| d.record)
            .collect();
        rs.sort_unstable();
        rs
    };
    assert_eq!(with_code("HW307"), [0, 1, 2], "{:?}", report.diagnostics);
    assert_eq!(with_code("HW303"), [0, 1, 2], "{:?}", report.diagnostics);
    // Each names the other two.
    let of_first = report
        .diagnostics
        .iter()
        .find(|d| d.code == "HW307" && d.record == Some(0))
        .unwrap();
    assert!(
        of_first.message.contains("records 2 ") && of_first.message.contains("\"0012\""),
        "{}",
        of_first.message
    );
}
