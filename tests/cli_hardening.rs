//! Hardening of the CLI and the crate (SECURITY.md): the secret can come from standard input
//! instead of the command line, and no `unsafe` can creep in.
#![cfg(not(target_arch = "wasm32"))]

mod common;

fn hwoath(args: &[&str], stdin: &str) -> std::process::Output {
    common::hwoath_with_stdin(args, stdin)
}

#[test]
fn secret_from_standard_input_gives_the_same_codes() {
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let by_arg = hwoath(
        &["totp", "--secret", secret, "--time", "59", "--digits", "8"],
        "",
    );
    let by_stdin = hwoath(
        &["totp", "--secret", "-", "--time", "59", "--digits", "8"],
        &format!("{secret}\r\n"),
    );
    assert_eq!(by_arg.stdout, b"94287082\n");
    assert_eq!(by_stdin.stdout, by_arg.stdout);
    let o = hwoath(
        &[
            "verify", "--secret", "-", "--time", "59", "--digits", "8", "--code", "94287082",
        ],
        secret,
    );
    assert_eq!(o.status.code(), Some(0));
    let o = hwoath(
        &["inspect", "--secret", "-", "--json"],
        &format!("{secret}\n"),
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(!String::from_utf8(o.stdout).unwrap().contains(secret));
    let o = hwoath(&["totp", "--secret", "-"], "JBSWY3DPEHPK3PX8\n");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("digit 8") && !err.contains("JBSWY3DP"),
        "{err}"
    );
}

#[test]
fn the_library_and_the_cli_forbid_unsafe_code() {
    let root = env!("CARGO_MANIFEST_DIR");
    for file in ["src/lib.rs", "src/bin/hwoath/main.rs"] {
        let text = std::fs::read_to_string(format!("{root}/{file}")).unwrap();
        assert!(text.contains("#![forbid(unsafe_code)]"), "{file}");
    }
}
