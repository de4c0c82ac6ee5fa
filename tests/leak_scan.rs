//! Leak scanner, CLI side: every input file under `tests/fixtures/**` (found by walking the
//! tree, so new fixtures are scanned with no change here) goes through every `hwoath`
//! subcommand that reads a file, in each output format, and every stdout and stderr is searched
//! for the secrets of that input.
//!
//! Secrets of an input: [`common::secrets::secrets_of`] (shared with tests/tokenfiles.rs).
//!
//! The OpenPGP commands (`key new`, `decrypt`, `--key` on the token-file commands) are scanned
//! too, against real GnuPG messages: for the passphrases, every line of the private keys and the
//! decrypted file's secrets, on success and on every refusal.
//!
//! Outputs whose purpose is to carry secrets (normalize's JSON, variants, the create and
//! create-bulk Graph requests) may hold one only as the value of a `"secretKey"` field: those
//! values are cut out first, then nothing may remain. Every other output (diagnostics,
//! summaries, errors, reports, the other requests) must hold none at all. Failures name the
//! fixture, command and stream and show secrets masked (`mask`: all but the last 4 hidden).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::gnupg::{token_file, Gpg};
use common::secrets::{
    armor_lines, fixture_inputs, fixtures_root, secrets_of, strip_secret_key_values, Scanner,
    Secrets, MIN_SECRET_CHARS, WINDOW,
};
use hwoath::core::secret::{mask, Secret};
use hwoath::core::tokenfile::{self, ParseOptions};
use serde_json::{json, Value};

/// Fixed inputs for the commands that need more than the file (a time keeps the runs repeatable).
const TIME: &str = "1700000000";
const USER: &str = "0cadbf92-1111-4222-8333-444455556666";
const DEVICE: &str = "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee";

/// One command line to run on a fixture.
struct Run {
    args: Vec<String>,
    /// Its stdout exists to carry secrets, as `secretKey` values only.
    carries: bool,
    /// Its outcome, when it was already run to prepare the others.
    done: Option<Outcome>,
}

/// `--listing` and `--hash-function` arguments from a fixture's `name.options.json`, if any
/// (paths in it are relative to the fixture's folder).
fn sidecar_args(rel: &Path) -> (Vec<String>, Vec<String>) {
    let name = rel.file_name().unwrap().to_string_lossy();
    let stem = name.rsplit_once('.').map_or(&*name, |(s, _)| s);
    let dir = rel.parent().unwrap();
    let side = fixtures_root()
        .join(dir)
        .join(format!("{stem}.options.json"));
    let (mut listing, mut hash) = (Vec::new(), Vec::new());
    if let Ok(t) = std::fs::read_to_string(side) {
        let o: Value = serde_json::from_str(&t).unwrap();
        if let Some(h) = o["hashFunction"].as_str() {
            hash = vec!["--hash-function".to_string(), h.to_string()];
        }
        for p in o["listing"].as_array().into_iter().flatten() {
            let p = dir.join(p.as_str().unwrap());
            listing.extend(["--listing".to_string(), p.to_string_lossy().into_owned()]);
        }
    }
    (listing, hash)
}

struct Outcome {
    stdout: String,
    stderr: String,
    code: Option<i32>,
}

fn hwoath(args: &[String]) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(args)
        .current_dir(fixtures_root())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Outcome {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        code: out.status.code(),
    }
}

/// A Graph answer to a create of `tokens` (`[(contentId, canonical secret)]`) in which every item
/// failed with an error message that echoes the token's key, as a careless server might.
fn echoing_response(tokens: &[(String, String)]) -> String {
    let items: Vec<Value> = tokens
        .iter()
        .map(|(id, s)| {
            json!({"@contentId": id, "error": {"code": "badRequest",
                "message": format!("Invalid secretKey {s} ({})", s.to_ascii_lowercase())}})
        })
        .collect();
    json!({ "value": items }).to_string()
}

/// The same, as one error body for the whole request.
fn echoing_error_body(tokens: &[(String, String)]) -> String {
    let keys: Vec<&str> = tokens.iter().map(|(_, s)| s.as_str()).collect();
    json!({"error": {"code": "Request_BadRequest",
        "message": format!("secretKey values rejected: {}", keys.join(", ")),
        "innerError": {"request-id": "r-1", "date": "2025-01-01T00:00:00"}}})
    .to_string()
}

/// A fixture every command accepts as is (no error, no options sidecar), relative to the
/// fixtures folder: the token file other fixtures are given to as a listing or a response.
fn clean_token_file() -> &'static str {
    static BASE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BASE.get_or_init(|| {
        fixture_inputs()
            .into_iter()
            .filter(|p| p.starts_with("valid") && sidecar_args(p) == (vec![], vec![]))
            .find(|p| {
                let text = std::fs::read_to_string(fixtures_root().join(p)).unwrap_or_default();
                tokenfile::validate(&text, &ParseOptions::default())
                    .is_ok_and(|r| !r.records.is_empty() && !r.has_errors())
            })
            .expect("a clean token fixture")
            .to_string_lossy()
            .into_owned()
    })
}

/// The runs for one fixture. Needs two runs first: `validate` (does the file have errors?) and
/// `normalize --skip-invalid` (its usable tokens, for serial- and secret-taking options).
/// `detail` false (inputs over 1 MB, each run of which costs about a second in a debug build)
/// keeps one run per command: the paths a big input takes are the same as a small one's.
fn runs_for(rel: &Path, secrets: &Secrets, tmp: &Path, detail: bool) -> Vec<Run> {
    let file = rel.to_string_lossy().into_owned();
    let (listing, hash) = sidecar_args(rel);
    let f = file.as_str();
    let with = |base: &[&str], extra: &[&Vec<String>]| -> Vec<String> {
        let mut v: Vec<String> = base.iter().map(|s| s.to_string()).collect();
        for e in extra {
            v.extend(e.iter().cloned());
        }
        v
    };
    // The two preparatory runs are scanned like the others.
    let plain = with(&["validate", f], &[&listing, &hash]);
    let validated = hwoath(&plain);
    let usable = validated.code == Some(0);
    let skip = with(&["normalize", f, "--skip-invalid"], &[&listing, &hash]);
    let normalized = hwoath(&skip);
    // The usable tokens as (contentId, canonical secret, serial).
    let tokens: Vec<(String, String, String)> = serde_json::from_str::<Value>(&normalized.stdout)
        .ok()
        .and_then(|v| v["value"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .map(|t| {
            let s = |k: &str| t[k].as_str().unwrap_or_default().to_string();
            (s("@contentId"), s("secretKey"), s("serialNumber"))
        })
        .collect();
    let mut runs = vec![
        Run {
            args: plain,
            carries: false,
            done: Some(validated),
        },
        Run {
            args: skip,
            carries: true,
            done: Some(normalized),
        },
    ];
    let mut push = |args: Vec<String>, carries: bool| {
        runs.push(Run {
            args,
            carries,
            done: None,
        })
    };
    let validate_extras = [
        vec!["--json"],
        vec!["--input-format", "csv"],
        vec!["--input-format", "json"],
    ];
    for extra in validate_extras.iter().take(if detail { 3 } else { 1 }) {
        let mut v = with(&["validate", f], &[&listing, &hash]);
        v.extend(extra.iter().map(|s| s.to_string()));
        push(v, false);
    }
    push(with(&["normalize", f], &[&listing, &hash]), true);

    let variants_extras = [vec![], vec!["--json"], vec!["--json", "--copies", "2"]];
    for extra in variants_extras.iter().take(if detail { 3 } else { 1 }) {
        let mut v = with(&["variants", f], &[&listing, &hash]);
        v.extend(extra.iter().map(|s| s.to_string()));
        push(v, true);
    }

    let graph = |kind: &str, format: &str| -> Vec<String> {
        let mut v = with(
            &[
                "graph",
                f,
                "--request",
                kind,
                "--format",
                format,
                "--time",
                TIME,
            ],
            &[&hash],
        );
        let device_kinds = [
            "assign",
            "activate",
            "assign-and-activate",
            "deactivate",
            "unassign",
            "delete",
        ];
        if device_kinds.contains(&kind) {
            v.extend(["--device-id".to_string(), DEVICE.to_string()]);
            if let Some((_, _, serial)) = tokens.first() {
                v.extend(["--serial".to_string(), serial.clone()]);
            }
        }
        if kind != "create-bulk" && kind != "create" && kind != "list" && kind != "delete" {
            v.extend(["--user".to_string(), USER.to_string()]);
        }
        v
    };
    let carrying = |kind: &str| kind == "create-bulk" || kind == "create";
    if usable && detail {
        // Every kind as JSON; the other formats for the kinds with a body.
        for kind in hwoath::core::graph::RequestKind::ALL.map(|k| k.as_str()) {
            push(graph(kind, "json"), carrying(kind));
        }
        for kind in ["create-bulk", "create", "assign-and-activate-by-serial"] {
            for format in ["http", "powershell", "curl"] {
                push(graph(kind, format), carrying(kind));
            }
        }
    } else {
        // A file with an invalid record is refused before the kind matters.
        push(graph("create-bulk", "json"), true);
        if detail {
            push(graph("create", "curl"), true);
        }
    }

    let pairs: Vec<(String, String)> = tokens
        .iter()
        .map(|(c, s, _)| (c.clone(), s.clone()))
        .collect();
    let stem = file.replace(['/', '\\', '.'], "_");
    let response = tmp.join(format!("{stem}.response.json"));
    let error_body = tmp.join(format!("{stem}.error.json"));
    std::fs::write(&response, echoing_response(&pairs)).unwrap();
    std::fs::write(&error_body, echoing_error_body(&pairs)).unwrap();
    let (response, error_body) = (
        response.to_string_lossy().into_owned(),
        error_body.to_string_lossy().into_owned(),
    );
    push(with(&["reconcile", f, &response], &[&hash]), false);
    if !detail {
        return runs;
    }
    // The file where another kind of input belongs: as a tenant listing, and as Graph's answer
    // to the create of a clean token file; errors and mappings must not quote it.
    let base = clean_token_file();
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    push(owned(&["validate", base, "--listing", f]), false);
    push(owned(&["variants", base, "--listing", f]), true);
    push(owned(&["reconcile", base, f]), false);
    push(owned(&["reconcile", base, f, "--json"]), false);
    push(
        with(&["reconcile", f, &response, "--json"], &[&hash]),
        false,
    );
    push(
        with(
            &["reconcile", f, &error_body, "--chunk", "1", "--part", "1"],
            &[&hash],
        ),
        false,
    );

    // Secret-taking commands: up to three secrets as written (decodable or not, e.g. with a
    // confusable digit), and the codes of the first decodable one. Values a command line cannot
    // carry (NUL, very long) are left to the file commands.
    let mut written: Vec<&String> = Vec::new();
    for w in &secrets.written {
        if !w.is_empty() && !w.contains('\0') && w.len() <= 4096 && !written.contains(&w) {
            written.push(w);
        }
    }
    for w in written.iter().take(3) {
        push(vec!["inspect".into(), format!("--secret={w}")], false);
        push(
            vec!["inspect".into(), format!("--secret={w}"), "--json".into()],
            false,
        );
    }
    if let Some(w) = written.iter().find(|w| Secret::parse(w).is_ok()) {
        let secret = format!("--secret={w}");
        let t = ["--time", TIME];
        push(owned(&["totp", &secret, t[0], t[1]]), false);
        for json in [false, true] {
            let mut v = vec!["verify", &secret, "--code", "000000", t[0], t[1]];
            let mut d = vec![
                "drift",
                &secret,
                "--code",
                "000000",
                "--code",
                "999999",
                "--max-steps",
                "100",
                t[0],
                t[1],
            ];
            if json {
                v.push("--json");
                d.push("--json");
            }
            push(owned(&v), false);
            push(owned(&d), false);
        }
    }
    runs
}

/// Runs every command on one fixture; returns the number of runs, how many carrying outputs
/// held a secret before their `secretKey` values were cut out, and the findings.
fn scan_fixture(rel: &Path, tmp: &Path) -> (usize, usize, Vec<String>) {
    let bytes = std::fs::read(fixtures_root().join(rel)).unwrap();
    let secrets = secrets_of(&bytes);
    if secrets.forms.is_empty() {
        // Nothing to look for (listings, files without a secret of 8+ characters): no leak to
        // find. Crashes on such inputs are the fuzzing and bad-input tests' business.
        return (0, 0, Vec::new());
    }
    let scanner = Scanner::new(&secrets);
    let runs = runs_for(rel, &secrets, tmp, bytes.len() <= 1_000_000);
    let count = runs.len();
    let mut findings = Vec::new();
    let mut carried = 0;
    for r in runs {
        let out = r.done.unwrap_or_else(|| hwoath(&r.args));
        let shown: Vec<String> = r
            .args
            .iter()
            .map(|a| match a.strip_prefix("--secret=") {
                Some(s) => format!("--secret={}", mask(s)),
                None => a.clone(),
            })
            .collect();
        let stdout = if r.carries {
            carried += usize::from(scanner.find(&out.stdout).is_some());
            strip_secret_key_values(&out.stdout)
        } else {
            out.stdout
        };
        for (stream, text) in [("stdout", &stdout), ("stderr", &out.stderr)] {
            if let Some(what) = scanner.find(text) {
                findings.push(format!(
                    "{}: `hwoath {}` {stream}: {what}",
                    rel.display(),
                    shown.join(" ")
                ));
            }
        }
        if out.code.is_none() || out.code == Some(101) {
            findings.push(format!(
                "{}: `hwoath {}` crashed ({:?})",
                rel.display(),
                shown.join(" "),
                out.code
            ));
        }
    }
    (count, carried, findings)
}

#[test]
#[allow(clippy::disallowed_macros)] // the scan's size is a note for whoever runs the test
fn no_cli_output_leaks_a_secret_of_any_fixture() {
    let t0 = Instant::now();
    let inputs = fixture_inputs();
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("leak_scan");
    std::fs::create_dir_all(&tmp).unwrap();
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
    let chunks: Vec<Vec<PathBuf>> = (0..threads)
        .map(|t| inputs.iter().skip(t).step_by(threads).cloned().collect())
        .collect();
    let results: Vec<(usize, usize, usize, Vec<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let tmp = &tmp;
                s.spawn(move || {
                    let (mut runs, mut scanned, mut carried) = (0, 0, 0);
                    let mut findings = Vec::new();
                    for rel in chunk {
                        let (n, c, f) = scan_fixture(rel, tmp);
                        runs += n;
                        scanned += usize::from(n > 0);
                        carried += c;
                        findings.extend(f);
                    }
                    (runs, scanned, carried, findings)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let runs: usize = results.iter().map(|r| r.0).sum();
    let scanned: usize = results.iter().map(|r| r.1).sum();
    let carried: usize = results.iter().map(|r| r.2).sum();
    let findings: Vec<&String> = results.iter().flat_map(|r| &r.3).collect();
    eprintln!(
        "leak scan: {} input files, {scanned} with secrets, {runs} CLI runs × 2 streams ({carried} carrying outputs held secrets in secretKey) in {:.1} s",
        inputs.len(),
        t0.elapsed().as_secs_f64()
    );
    assert!(
        scanned >= 50,
        "only {scanned} fixtures had secrets to look for"
    );
    // The scanner sees the secrets where they belong: in the outputs meant to carry them.
    assert!(
        carried >= scanned,
        "only {carried} carrying outputs held a secret before stripping"
    );
    assert!(findings.is_empty(), "leaks:\n{}", {
        let v: Vec<&str> = findings.iter().map(|s| s.as_str()).collect();
        v.join("\n")
    });
}

#[test]
fn every_fixture_input_is_found_and_every_decoded_secret_extracted() {
    let inputs = fixture_inputs();
    assert!(inputs.iter().all(|p| {
        let n = p.to_string_lossy();
        !n.contains(".expected.") && !n.ends_with(".options.json")
    }));
    for dir in ["valid", "invalid", "unusable", "listing"] {
        assert!(
            inputs.iter().any(|p| p.starts_with(dir)),
            "no input found under {dir}/"
        );
    }
    // The product's own reader is the oracle: every key it decodes is among the extracted
    // canonical forms, and every record with a string secretKey is one extracted value.
    let mut checked = 0;
    for rel in &inputs {
        let bytes = std::fs::read(fixtures_root().join(rel)).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let Ok(report) = tokenfile::validate(text, &ParseOptions::default()) else {
            continue;
        };
        let s = secrets_of(&bytes);
        for r in &report.records {
            if let Some(secret) = &r.secret {
                let c = secret.to_base32().to_string();
                if c.len() >= MIN_SECRET_CHARS {
                    assert!(
                        s.canonical.contains(&c),
                        "{}: record {} key not extracted",
                        rel.display(),
                        r.index
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked >= 100, "only {checked} decoded keys checked");
}

#[test]
fn extraction_counts_known_fixtures() {
    let read = |p: &str| std::fs::read(fixtures_root().join(p)).unwrap();
    // A CSV: one secret per data row (counted as rows with a serial-like first cells).
    let csv = read("valid/legacy.csv");
    let rows = String::from_utf8_lossy(&csv)
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .count();
    let s = secrets_of(&csv);
    assert_eq!(s.written.len(), rows);
    // Lower case as written (2234567abcdef…): written, canonical and lower-case canonical.
    assert!(s.forms.iter().any(|f| f.contains("abcdef")));
    assert!(s.forms.iter().any(|f| f.contains("ABCDEF")));
    // JSON: one per item, whatever the key's case; duplicates across files are not merged.
    for p in [
        "valid/key_case.json",
        "valid/equivalent_keys.json",
        "invalid/mixed.json",
    ] {
        let bytes = read(p);
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let with_string_key = v["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| {
                i.as_object().is_some_and(|o| {
                    o.iter()
                        .any(|(k, v)| k.eq_ignore_ascii_case("secretkey") && v.is_string())
                })
            })
            .count();
        assert_eq!(secrets_of(&bytes).written.len(), with_string_key, "{p}");
    }
    // A truncated file and a duplicated key: the lexical pass still finds every value.
    let broken = br#"{"value": [{"secretKey": "JBSWY3DPEHPK3PXP", "SECRETKEY": "GEZDGNBVGY3TQOJQ"}, {"secretKey": "MFRGGZDFMZTWQ2LK"#;
    let s = secrets_of(broken);
    assert_eq!(s.written, vec!["JBSWY3DPEHPK3PXP", "GEZDGNBVGY3TQOJQ"]);
    // UTF-16 with a byte order mark.
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "secret key\nJBSWY3DPEHPK3PXP\n".encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    assert_eq!(secrets_of(&utf16).written, vec!["JBSWY3DPEHPK3PXP"]);
    // Also the text of another field: not searched for (that field may be printed).
    let s = secrets_of(br#"[{"serialNumber": "12345678901", "secretKey": "12345678901"}]"#);
    assert_eq!(s.written.len(), 1);
    assert!(s.forms.is_empty());
    // Shorter than 8 characters: not searched for.
    let s = secrets_of(br#"{"secretKey": "JBSWY3D"}"#);
    assert_eq!(s.written.len(), 1);
    assert!(s.forms.is_empty());
}

#[test]
fn scanner_finds_planted_secrets_and_strips_only_secret_key_values() {
    let s = secrets_of(br#"[{"secretKey": "jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp"}]"#);
    let canonical = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    assert!(s.forms.contains(&canonical.to_string()));
    let scan = Scanner::new(&s);
    assert_eq!(
        scan.find("record 1 secretKey: 32 characters, ••••3PXP"),
        None
    );
    for leaked in [
        format!("bad key {canonical}"),
        format!("bad key {}", canonical.to_ascii_lowercase()),
        "bad key jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp".to_string(),
        format!("starts with {}…", &canonical[..WINDOW]),
        format!("ends with …{}", canonical[20..].to_ascii_lowercase()),
    ] {
        let found = scan.find(&leaked).expect("a planted secret is found");
        assert!(
            !found.contains(&canonical[..8]) && !found.contains(&canonical[..8].to_lowercase()),
            "the finding shows the secret: {found}"
        );
    }
    let carried = format!("{{\n  \"secretKey\": \"{canonical}\",\n  \"model\": \"C202\"\n}}");
    assert_eq!(scan.find(&strip_secret_key_values(&carried)), None);
    // Anywhere else in a carrying output it is still a leak.
    let elsewhere = format!("{{\"secretKey\": \"{canonical}\", \"displayName\": \"{canonical}\"}}");
    assert!(scan.find(&strip_secret_key_values(&elsewhere)).is_some());
    let other_key = format!("{{\"secretKeyHint\": \"{canonical}\"}}");
    assert!(scan.find(&strip_secret_key_values(&other_key)).is_some());
}

/// The OpenPGP commands on real gpg messages, succeeding and failing: no stdout or stderr holds a
/// passphrase (right or wrong), a line of a private key, or a secret of the decrypted file
/// (outside the `secretKey` values of the outputs meant to carry them: the decrypted file
/// itself, normalize, variants, create requests).
#[test]
fn no_openpgp_output_leaks_a_passphrase_a_private_key_or_plaintext() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("leak_scan_pgp");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let put = |name: &str, data: &[u8]| std::fs::write(dir.join(name), data).unwrap();
    let (pass, sym, wrong) = (
        "amber-quiver-locust-tundra",
        "glacier?pocket!violin#7",
        "sapphire orbit wicker kettle",
    );
    let plain = token_file(25, 99);
    put("tokens.json", plain.as_bytes());
    for (f, p) in [("pass.txt", pass), ("sym.txt", sym), ("wrong.txt", wrong)] {
        put(f, format!("{p}\n").as_bytes());
    }
    let hw = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_hwoath"))
            .args(args)
            .current_dir(&dir)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let key_new = [
        "key",
        "new",
        "--name",
        "Leak Test",
        "--email",
        "leak@contoso.example",
        "--out",
        ".",
        "--passphrase-file",
        "pass.txt",
    ];
    let made = hw(&key_new);
    assert!(made.status.success());
    let g = Gpg::new("leak");
    let passf = dir.join("pass.txt");
    g.gen_key(
        "Gpg Key <gpg@contoso.example>",
        "ed25519",
        "cv25519",
        Some(&passf),
        "never",
        None,
    );
    put(
        "gpg-private.asc",
        &g.export_secret("gpg@contoso.example", Some(&passf)),
    );
    g.import(&dir.join("leak-test-public-key.asc"), None);
    let t = dir.join("tokens.json").display().to_string();
    let o = |n: &str| dir.join(n).display().to_string();
    g.run(&[
        "-r",
        "leak@contoso.example",
        "--encrypt",
        "-o",
        &o("to-hwoath.gpg"),
        &t,
    ]);
    g.run(&[
        "-r",
        "gpg@contoso.example",
        "--armor",
        "--encrypt",
        "-o",
        &o("to-gpg.asc"),
        &t,
    ]);
    let pa = Gpg::pass_args(Some(&passf));
    let mut v: Vec<&str> = pa.iter().map(|s| s.as_str()).collect();
    let signed = o("signed.gpg");
    v.extend([
        "-u",
        "gpg@contoso.example",
        "-r",
        "leak@contoso.example",
        "--sign",
        "--encrypt",
        "-o",
        &signed,
        &t,
    ]);
    g.run(&v);
    let sa = Gpg::pass_args(Some(&dir.join("sym.txt")));
    let mut v: Vec<&str> = sa.iter().map(|s| s.as_str()).collect();
    let symf = o("sym.gpg");
    v.extend(["--symmetric", "-o", &symf, &t]);
    g.run(&v);
    put("gpg-public.asc", &g.export_public("gpg@contoso.example"));
    drop(g);
    let bin = std::fs::read(dir.join("to-hwoath.gpg")).unwrap();
    put("cut.gpg", &bin[..bin.len() - 10]);
    let mut flip = bin.clone();
    let n = flip.len();
    flip[n - 30] ^= 1;
    put("flip.gpg", &flip);

    let mut secrets = secrets_of(plain.as_bytes());
    assert!(secrets.canonical.len() >= 25);
    for p in [pass, sym, wrong] {
        secrets.add_form(p);
    }
    let mut key_lines = 0;
    // Each private key's armor lines, less those its public key has too (public material).
    for (f, public) in [
        ("leak-test-private-key.asc", "leak-test-public-key.asc"),
        ("gpg-private.asc", "gpg-public.asc"),
    ] {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        let public = armor_lines(&std::fs::read_to_string(dir.join(public)).unwrap());
        for l in armor_lines(&text)
            .into_iter()
            .filter(|l| !public.contains(l))
        {
            secrets.add_form(&l);
            key_lines += 1;
        }
    }
    assert!(key_lines >= 20, "only {key_lines} private key lines");
    let scanner = Scanner::new(&secrets);
    // The scanner can fail: it finds each kind of secret where it is.
    assert!(scanner
        .find(&std::fs::read_to_string(dir.join("gpg-private.asc")).unwrap())
        .is_some());
    assert!(scanner.find(&format!("x {sym} y")).is_some());
    assert!(scanner.find(&plain).is_some());

    let key = [
        "--key",
        "leak-test-private-key.asc",
        "--passphrase-file",
        "pass.txt",
    ];
    let gkey = ["--key", "gpg-private.asc", "--passphrase-file", "pass.txt"];
    let bad_pass = [
        "--key",
        "leak-test-private-key.asc",
        "--passphrase-file",
        "wrong.txt",
    ];
    let join = |a: &[&str], b: &[&str]| -> Vec<String> {
        a.iter().chain(b).map(|s| s.to_string()).collect()
    };
    // (arguments, stdout carries the plaintext's secretKey values)
    let mut runs: Vec<(Vec<String>, bool)> = vec![
        (join(&["decrypt", "to-hwoath.gpg"], &key), true),
        (join(&["decrypt", "to-gpg.asc"], &gkey), true),
        (
            join(
                &["decrypt", "signed.gpg", "--verify-with", "gpg-public.asc"],
                &key,
            ),
            true,
        ),
        (
            join(
                &[
                    "decrypt",
                    "signed.gpg",
                    "--verify-with",
                    "leak-test-public-key.asc",
                ],
                &key,
            ),
            true,
        ),
        (
            join(&["decrypt", "sym.gpg", "--passphrase-file", "sym.txt"], &[]),
            true,
        ),
        (
            join(
                &["decrypt", "sym.gpg", "--passphrase-file", "wrong.txt"],
                &[],
            ),
            false,
        ),
        (join(&["decrypt", "to-hwoath.gpg"], &bad_pass), false),
        (join(&["decrypt", "to-hwoath.gpg"], &gkey), false),
        (
            join(
                &[
                    "decrypt",
                    "to-hwoath.gpg",
                    "--key",
                    "leak-test-public-key.asc",
                    "--passphrase-file",
                    "pass.txt",
                ],
                &[],
            ),
            false,
        ),
        (join(&["decrypt", "cut.gpg"], &key), false),
        (join(&["decrypt", "flip.gpg"], &key), false),
        (
            join(&["decrypt", "to-hwoath.gpg", "--key", "pass.txt"], &[]),
            false,
        ),
        (
            join(
                &[
                    "decrypt",
                    "sym.gpg",
                    "--key",
                    "gpg-private.asc",
                    "--passphrase-file",
                    "wrong.txt",
                ],
                &[],
            ),
            false,
        ),
        (join(&["validate", "to-hwoath.gpg"], &key), false),
        (join(&["validate", "to-hwoath.gpg", "--json"], &key), false),
        (
            join(
                &["validate", "sym.gpg", "--passphrase-file", "wrong.txt"],
                &[],
            ),
            false,
        ),
        (join(&["normalize", "to-gpg.asc"], &gkey), true),
        (join(&["variants", "signed.gpg", "--json"], &key), true),
        (
            join(
                &[
                    "graph",
                    "to-hwoath.gpg",
                    "--request",
                    "create-bulk",
                    "--format",
                    "curl",
                ],
                &key,
            ),
            true,
        ),
        (
            join(
                &[
                    "graph",
                    "to-hwoath.gpg",
                    "--request",
                    "list",
                    "--time",
                    TIME,
                ],
                &key,
            ),
            false,
        ),
        (
            join(
                &[
                    "key",
                    "new",
                    "--name",
                    "Leak Two",
                    "--email",
                    "two@contoso.example",
                    "--out",
                    ".",
                    "--passphrase-file",
                    "wrong.txt",
                ],
                &[],
            ),
            false,
        ),
        (join(&key_new, &[]), false),
    ];
    runs.push((join(&["decrypt", "flip.gpg"], &gkey), false));
    let mut findings = Vec::new();
    let mut carried = 0;
    for (args, carries) in &runs {
        let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        let out = hw(&a);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stdout = if *carries {
            carried += usize::from(scanner.find(&stdout).is_some());
            strip_secret_key_values(&stdout)
        } else {
            stdout
        };
        for (stream, text) in [
            ("stdout", stdout),
            ("stderr", String::from_utf8_lossy(&out.stderr).into_owned()),
        ] {
            if let Some(what) = scanner.find(&text) {
                findings.push(format!("`hwoath {}` {stream}: {what}", args.join(" ")));
            }
        }
        if out.status.code().is_none() || out.status.code() == Some(101) {
            findings.push(format!("`hwoath {}` crashed", args.join(" ")));
        }
    }
    assert_eq!(
        carried,
        runs.iter().filter(|r| r.1).count(),
        "every carrying output held the plaintext's keys"
    );
    assert!(findings.is_empty(), "leaks:\n{}", findings.join("\n"));
}
