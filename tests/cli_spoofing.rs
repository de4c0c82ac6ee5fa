//! Output that cannot be spoofed (issue 10, Why 4 and Tests 4): token files, listings, Graph
//! answers, file names and arguments whose text holds ESC/OSC/CSI sequences, C1 controls, DEL
//! and text-direction controls reach the terminal escaped. For every command (validate in text
//! and `--json`, normalize, variants, every `graph` request in every format, reconcile, inspect,
//! argument errors) standard output and standard error hold no control character but the line
//! feeds the CLI writes, no text-direction control and no other invisible format character, and
//! the forged summary "OK: 2 valid, 0 invalid" that the fixtures carry never starts a line.
//!
//! The inputs are `tests/fixtures/hostile/terminal_escapes*` (checked rule by rule in
//! tests/tokenfiles.rs); listing, answers and odd file names are written here.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};

mod common;

const FORGED: &str = "OK: 2 valid, 0 invalid";
const OSC_TITLE: &str = "\u{1b}]0;pwned\u{7}";
const ERASE_LINE: &str = "\u{1b}[2K\r";
const CURSOR_UP: &str = "\u{1b}[1A";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hostile")
}

fn fixture(name: &str) -> String {
    fixtures().join(name).to_str().unwrap().to_string()
}

/// A scratch directory for this test binary's files.
fn scratch() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-spoofing");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(name: &str, text: &str) -> String {
    let p = scratch().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

/// What a terminal acts on or what changes how text is shown, written down independently of the
/// crate's own classification: control characters (C0, DEL, C1) other than the line feed,
/// text-direction controls, line/paragraph separators and the common invisible format
/// characters.
fn dangerous(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{61c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2069}'
                | '\u{feff}'
                | '\u{ad}'
                | '\u{fe0f}'
                | '\u{e0000}'..='\u{e007f}'
        )
}

/// Checks one stream: UTF-8, nothing dangerous, no line that starts with the forged summary.
fn check_stream(what: &str, stream: &str, bytes: &[u8]) {
    let text =
        std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{what}: {stream} is not UTF-8"));
    if let Some((i, c)) = text.char_indices().find(|&(_, c)| dangerous(c)) {
        let from = text[..i].char_indices().rev().nth(40).map_or(0, |(j, _)| j);
        panic!(
            "{what}: raw U+{:04X} in {stream} after {:?}",
            c as u32,
            &text[from..i]
        );
    }
    for line in text.lines() {
        assert!(
            !line.starts_with(FORGED),
            "{what}: {stream} has a forged line: {line}"
        );
    }
}

fn run(what: &str, args: &[&str], stdin: &str) -> Output {
    let o = common::hwoath_with_stdin(args, stdin);
    check_stream(what, "stdout", &o.stdout);
    check_stream(what, "stderr", &o.stderr);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("panicked"), "{what}: {err}");
    o
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

/// A listing whose id and status hold escape sequences, for the serial TW-0001 of the valid
/// fixture.
fn hostile_listing() -> String {
    let listing = json!({"value": [{
        "id": format!("d{OSC_TITLE}1"),
        "serialNumber": "TW-0001",
        "manufacturer": format!("Token2{ERASE_LINE}"),
        "model": "C202",
        "secretKey": null,
        "timeIntervalInSeconds": 30,
        "status": format!("active{ERASE_LINE}{CURSOR_UP}{FORGED}\u{202e}"),
        "displayName": null,
        "hashFunction": "hmacsha1",
    }]});
    write("listing.json", &listing.to_string())
}

/// Graph answers with escape sequences in every text Graph controls.
fn hostile_answers() -> Vec<String> {
    let bulk = json!({"value": [
        {"@contentId": "1", "error": {"code": format!("bad{ERASE_LINE}"), "message": format!("{OSC_TITLE}\u{202e}{CURSOR_UP}{FORGED}")}},
        {"@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod", "id": format!("i{OSC_TITLE}"),
         "device": {"id": format!("d\u{9b}2J"), "serialNumber": "TW-0002", "status": format!("available{ERASE_LINE}{FORGED}"),
                    "manufacturer": "Token2", "model": "C203", "secretKey": null, "timeIntervalInSeconds": 60}},
        {"@contentId": format!("9{OSC_TITLE}"), "serialNumber": format!("X\u{7f}{ERASE_LINE}{FORGED}")},
    ]});
    let error = json!({"error": {"code": format!("BadRequest{ERASE_LINE}"), "message": format!("{FORGED}{OSC_TITLE}\u{2066}")}});
    vec![
        write("answer-bulk.json", &bulk.to_string()),
        write("answer-error.json", &error.to_string()),
        write(
            "answer-http.txt",
            &format!("HTTP/1.1 400 Bad Request\r\nX-Note: {OSC_TITLE}\r\n\r\n{error}"),
        ),
    ]
}

#[test]
fn validate_prints_the_real_summary_and_nothing_raw() {
    let inv = fixture("terminal_escapes.json");
    let csv = fixture("terminal_escapes_csv.csv");
    let ok = fixture("terminal_escapes_warnings.json");
    let listing = hostile_listing();
    for file in [&inv, &csv] {
        let o = run("validate", &["validate", file], "");
        assert_eq!(o.status.code(), Some(1));
        let out = stdout(&o);
        // The last line is the real summary, and it is the only summary.
        let last = out.lines().last().unwrap();
        assert!(
            last.starts_with("3 record(s): 0 valid, 3 invalid;"),
            "{last}"
        );
        let summaries = out
            .lines()
            .filter(|l| {
                l.split_once(" record(s)")
                    .is_some_and(|(n, _)| n.parse::<u32>().is_ok())
            })
            .count();
        assert_eq!(summaries, 1, "{out}");
        // What the forged line was made of is shown, escaped.
        assert!(out.contains("\\u{1b}"), "{out}");
        let o = run("validate --json", &["validate", file, "--json"], "");
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["invalid"], 3);
    }
    let o = run(
        "validate --listing",
        &["validate", &ok, "--listing", &listing],
        "",
    );
    let out = stdout(&o);
    assert!(
        out.contains("listing entry id d\\u{1b}]0;pwned\\u{7}1, status active\\u{1b}[2K\\u{d}"),
        "{out}"
    );
    run(
        "validate --listing --json",
        &["validate", &ok, "--listing", &listing, "--json"],
        "",
    );
    run("validate several", &["validate", &inv, &ok, &csv], "");
    // A file name is input too.
    let named = scratch().join(format!("tok{OSC_TITLE}\u{202e}nosj.json"));
    std::fs::copy(&inv, &named).unwrap();
    let named = named.to_str().unwrap();
    let o = run("validate odd name", &["validate", named], "");
    assert!(stdout(&o).contains("tok\\u{1b}]0;pwned\\u{7}\\u{202e}nosj.json:"));
    let missing = format!("{named}{ERASE_LINE}{FORGED}");
    let o = run("validate missing", &["validate", &missing], "");
    assert_eq!(o.status.code(), Some(2));
    run("normalize odd name", &["normalize", named], "");
}

#[test]
fn documents_are_escaped_and_keep_their_values() {
    let inv = fixture("terminal_escapes.json");
    let csv = fixture("terminal_escapes_csv.csv");
    let ok = fixture("terminal_escapes_warnings.json");
    for file in [&inv, &csv] {
        let o = run("normalize invalid", &["normalize", file], "");
        assert_eq!(o.status.code(), Some(1));
        assert!(o.stdout.is_empty());
        run(
            "normalize --skip-invalid",
            &["normalize", file, "--skip-invalid"],
            "",
        );
        run("variants invalid", &["variants", file], "");
        run(
            "graph invalid",
            &["graph", file, "--request", "create-bulk"],
            "",
        );
    }
    let o = run("normalize", &["normalize", &ok], "");
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    // The invisible characters are JSON escapes: the value is the same, the bytes are safe.
    assert!(
        out.contains(r#""displayName": "Zoë\u200b spare ❤\ufe0f""#),
        "{out}"
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["value"][0]["displayName"], "Zoë\u{200b} spare ❤\u{fe0f}");
    let o = run("variants", &["variants", &ok], "");
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["value"][1]["serialNumber"], "TW-00020");
    run("variants --json", &["variants", &ok, "--json"], "");
    run(
        "variants --listing",
        &["variants", &ok, "--listing", &hostile_listing()],
        "",
    );
}

#[test]
fn every_graph_request_in_every_format_is_escaped() {
    let ok = fixture("terminal_escapes_warnings.json");
    let user = format!("amy{OSC_TITLE}\u{202e}@contoso.com");
    let device = format!("d{ERASE_LINE}{FORGED}");
    let kinds = [
        "create-bulk",
        "create",
        "assign",
        "activate",
        "assign-and-activate",
        "assign-and-activate-by-serial",
        "deactivate",
        "unassign",
        "delete",
        "list",
        "enable-policy",
    ];
    let mut built = 0;
    for kind in kinds {
        for format in ["json", "http", "powershell", "curl"] {
            let what = format!("graph {kind} {format}");
            let base = [
                "graph",
                &ok,
                "--request",
                kind,
                "--format",
                format,
                "--time",
                "59",
            ];
            let o = run(&what, &base, "");
            built += usize::from(o.status.success());
            let with = [
                &base[..],
                &[
                    "--user",
                    &user,
                    "--device-id",
                    &device,
                    "--serial",
                    "TW-0001",
                ],
            ]
            .concat();
            let o = run(&format!("{what} --user"), &with, "");
            built += usize::from(o.status.success());
            let wrong = [&base[..], &["--serial", &device]].concat();
            run(&format!("{what} --serial"), &wrong, "");
        }
    }
    // Most requests were built (the output checked is real), not only refused. (The creates with
    // a UPN `--user` are refused by design: a UPN never goes into assignTo.id.)
    assert!(built >= 48, "only {built} graph runs succeeded");
}

#[test]
fn reconcile_escapes_what_graph_answered() {
    let ok = fixture("terminal_escapes_warnings.json");
    for answer in hostile_answers() {
        run("reconcile", &["reconcile", &ok, &answer], "");
        run(
            "reconcile --json",
            &["reconcile", &ok, &answer, "--json"],
            "",
        );
    }
    let answer = &hostile_answers()[0];
    let o = run("reconcile", &["reconcile", &ok, answer], "");
    let out = stdout(&o);
    assert!(out.contains("\\u{1b}]0;pwned\\u{7}"), "{out}");
    // Records count from 1 in text.
    assert!(out.contains("(record 1, @contentId 1)"), "{out}");
}

#[test]
fn secrets_and_arguments_with_escapes_are_escaped() {
    let hostile = format!("JBSW{OSC_TITLE}Y3DP\u{202e}EHPK{ERASE_LINE}{FORGED}");
    for args in [
        vec!["inspect", "--secret", "-"],
        vec!["inspect", "--secret", "-", "--json"],
        vec!["totp", "--secret", "-"],
        vec!["drift", "--secret", "-", "--code", "123456"],
    ] {
        run(&args.join(" "), &args, &format!("{hostile}\n"));
    }
    run("inspect arg", &["inspect", "--secret", &hostile], "");
    // A clean key with codes that are not codes.
    let key = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    let code = format!("12{ERASE_LINE}3456");
    run(
        "verify code",
        &["verify", "--secret", "-", "--code", &code],
        key,
    );
    // clap's errors repeat what was typed: escaped, for every command.
    for args in [
        vec![
            "validate".to_string(),
            format!("--nope{ERASE_LINE}{FORGED}"),
        ],
        vec![format!("valid{OSC_TITLE}")],
        vec![
            "graph".into(),
            "x.json".into(),
            "--request".into(),
            format!("list{ERASE_LINE}{FORGED}"),
        ],
        vec!["totp".into(), "--period".into(), format!("3{OSC_TITLE}")],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(&args.join(" "), &args, "");
        assert_eq!(o.status.code(), Some(2));
    }
}
