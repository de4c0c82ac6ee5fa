//! The CLI contract for `totp`, `verify`, `drift` and `inspect`: output shapes and exit codes.
#![cfg(not(target_arch = "wasm32"))]

use std::process::{Command, Output};

const DEMO: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn totp_prints_code_and_newline() {
    let o = run(&["totp", "--secret", DEMO, "--time", "59"]);
    assert!(o.status.success());
    assert_eq!(stdout(&o), "503347\n");
    let o = run(&[
        "totp",
        "--secret",
        DEMO,
        "--hash",
        "sha256",
        "--period",
        "60",
        "--digits",
        "8",
        "--time",
        "1234567890",
    ]);
    assert!(o.status.success());
    assert_eq!(stdout(&o).trim().len(), 8);
}

#[test]
fn totp_defaults_to_now() {
    let o = run(&["totp", "--secret", DEMO]);
    assert!(o.status.success());
    let code = stdout(&o);
    assert_eq!(code.trim().len(), 6);
}

#[test]
fn bad_secret_exits_2_with_one_line_without_the_secret() {
    let secret = "JBSWY3DPEHPK3PX0JBSWY3DPEHPK3PXP";
    let o = run(&["totp", "--secret", secret, "--time", "0"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    // The warning about a secret on the command line, then the error in one line; positions
    // count from 1 (the 0 is the 16th character).
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("hwoath: warning: a secret given as --secret KEY"),
        "{err}"
    );
    assert!(lines[1].contains("position 16"), "{err}");
    assert!(!err.contains(secret) && !err.contains("JBSWY3DP"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn verify_json_and_exit_codes() {
    // code of the step before T: offset -1 step, -30 s
    let code = stdout(&run(&["totp", "--secret", DEMO, "--time", "970"]));
    let o = run(&[
        "verify",
        "--secret",
        DEMO,
        "--code",
        code.trim(),
        "--time",
        "1000",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        json(&o),
        serde_json::json!({"matched": true, "offsetSteps": -1, "offsetSeconds": -30})
    );
    let o = run(&[
        "verify",
        "--secret",
        DEMO,
        "--code",
        code.trim(),
        "--time",
        "1000",
        "--behind",
        "0",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        json(&o),
        serde_json::json!({"matched": false, "offsetSteps": null, "offsetSeconds": null})
    );
    let o = run(&[
        "verify", "--secret", DEMO, "--code", "12ab56", "--time", "0",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn drift_json_finds_planted_offset() {
    // the device is 100 steps (50 min) behind at T = 1_700_000_000
    let t = 1_700_000_000u64;
    let device_t = t - 100 * 30;
    let code_at = |time: u64| {
        stdout(&run(&[
            "totp",
            "--secret",
            DEMO,
            "--time",
            &time.to_string(),
        ]))
    };
    let (c1, c2) = (code_at(device_t - 30), code_at(device_t));
    let t = t.to_string();
    let args = [
        "drift",
        "--secret",
        DEMO,
        "--code",
        c1.trim(),
        "--code",
        c2.trim(),
        "--time",
        &t,
        "--max-steps",
        "5000",
    ];
    let o = run(&[&args[..], &["--json"]].concat());
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["scannedSteps"], 10001);
    assert_eq!(
        v["candidates"][0],
        serde_json::json!({"offsetSteps": -100, "offsetSeconds": -3000})
    );
    // human output explains Entra's windows
    let text = stdout(&run(&args));
    // Both units: steps (of the period) and seconds.
    assert!(text.contains("-100 step(s) of 30 s = -3000 s: "), "{text}");
    assert!(text.contains("activation window"), "{text}");
}

#[test]
fn drift_without_match_exits_1() {
    let o = run(&[
        "drift",
        "--secret",
        DEMO,
        "--code",
        "000000",
        "--code",
        "000000",
        "--code",
        "000000",
        "--time",
        "1700000000",
        "--max-steps",
        "100",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(json(&o)["candidates"], serde_json::json!([]));
}

#[test]
fn drift_default_range_is_two_years() {
    let code = stdout(&run(&["totp", "--secret", DEMO, "--time", "1700000000"]));
    let o = run(&[
        "drift",
        "--secret",
        DEMO,
        "--code",
        code.trim(),
        "--time",
        "1700000000",
        "--period",
        "60",
        "--json",
    ]);
    // at 60 s: 2 years = 1,051,920 steps each way
    let v = json(&o);
    assert_eq!(v["scannedSteps"], 2 * 1_051_920 + 1);
}

#[test]
fn inspect_reports_without_the_secret() {
    let o = run(&["inspect", "--secret", "jbsw y3dp ehpk 3pxp", "--json"]);
    assert!(o.status.success());
    let v = json(&o);
    assert_eq!(v["byteLength"], 10);
    assert_eq!(v["masked"], "••••••••••••3PXP");
    let kinds: Vec<&str> = v["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["lower-case", "whitespace", "short-key"]);
    assert!(!stdout(&o).contains("JBSWY3DP"));
}
