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

/// The commands that take a secret, each with a secret given where no flag wants it: as a
/// positional argument, after `--secret -`, and as the value of another flag. clap's own error
/// would repeat it ("unexpected argument 'GEZD…' found", "to pass 'GEZD…' as a value, use
/// '-- GEZD…'", "invalid value 'GEZD…' for '--period'").
#[test]
fn a_secret_in_the_wrong_place_is_not_repeated_in_the_error() {
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let with_equals = format!("--secret={secret}");
    let cases: Vec<Vec<&str>> = vec![
        vec!["totp", secret],
        vec!["totp", "--secret", "-", secret],
        vec!["totp", "--time", "59", secret],
        vec!["totp", "--period", secret],
        vec!["totp", "--secret"],
        vec!["verify", "--code", "123456", secret],
        vec![
            "verify", "--secret", "-", "--code", "123456", "--behind", secret,
        ],
        vec!["drift", "--code", "123456", secret],
        vec![
            "drift",
            "--secret",
            "-",
            "--code",
            "1",
            "--max-steps",
            secret,
        ],
        vec!["inspect", secret],
        vec!["inspect", "--json", secret],
        vec!["inspect", &with_equals, "extra"],
        vec![secret],
    ];
    for args in cases {
        let o = hwoath(&args, "");
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(o.stdout.is_empty(), "{args:?}");
        for part in [secret, &secret[..12], &secret[8..24]] {
            assert!(!err.contains(part), "{args:?} repeats the secret: {err}");
        }
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
    // Where a value was hidden, the reason is given.
    let err = String::from_utf8(hwoath(&["totp", secret], "").stderr).unwrap();
    assert!(err.contains("unexpected argument '(not shown)'"), "{err}");
    assert!(err.contains("it may be a secret"), "{err}");
    // Commands that take no secret still repeat what was typed (escaped), which helps.
    let err = String::from_utf8(hwoath(&["validate", "--nope"], "").stderr).unwrap();
    assert!(err.contains("'--nope'"), "{err}");
    let err = String::from_utf8(hwoath(&["valdate"], "").stderr).unwrap();
    assert!(
        err.contains("'valdate'") && err.contains("validate"),
        "{err}"
    );
    // Help still works.
    let o = hwoath(&["totp", "--help"], "");
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8(o.stdout).unwrap().contains("--secret"));
}

#[test]
fn a_secret_on_the_command_line_gets_a_warning_and_stdin_does_not() {
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    for args in [
        vec!["totp", "--secret", secret, "--time", "59"],
        vec!["inspect", "--secret", secret],
        vec![
            "verify", "--secret", secret, "--code", "287082", "--time", "59",
        ],
        vec![
            "drift", "--secret", secret, "--code", "287082", "--time", "59",
        ],
    ] {
        let o = hwoath(&args, "");
        assert!(o.status.success(), "{args:?}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with(
                "hwoath: warning: a secret given as --secret KEY is now in your shell's history"
            ) && err.contains("process list")
                && err.contains("--secret -"),
            "{err}"
        );
        assert!(!err.contains(secret), "{err}");
    }
    let o = hwoath(&["totp", "--secret", "-", "--time", "59"], secret);
    assert!(o.status.success());
    assert!(
        o.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// `--secret -` at a terminal: run under a pseudo-terminal (python3's pty module, which the
/// project's set-up requires), type the secret after the prompt, and read everything the
/// terminal showed. With echo off the secret is not in it; the code is. The script waits until
/// the terminal's ECHO flag is off before typing, as a person would type after the prompt.
#[test]
fn secret_typed_at_a_terminal_is_not_echoed() {
    const SCRIPT: &str = r#"
import os, pty, select, sys, termios, time
exe, secret = sys.argv[1], sys.argv[2].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execv(exe, [exe, "totp", "--secret", "-", "--time", "59", "--digits", "8"])
out = b""
def pump(until, timeout):
    global out
    end = time.time() + timeout
    while not until() and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                return False
            if not chunk:
                return False
            out += chunk
    return True
pump(lambda: b"Secret" in out, 10)
end = time.time() + 5
while termios.tcgetattr(fd)[3] & termios.ECHO and time.time() < end:
    time.sleep(0.01)
echo = bool(termios.tcgetattr(fd)[3] & termios.ECHO)
os.write(fd, secret + b"\n")
pump(lambda: False, 10)
_, status = os.waitpid(pid, 0)
sys.stdout.write("echo-on-when-typed=%s\n" % echo)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
    let o = std::process::Command::new("python3")
        .args(["-c", SCRIPT, env!("CARGO_BIN_EXE_hwoath"), secret])
        .output()
        .expect("python3 (scripts/bootstrap.sh and the README's set-up need it)");
    let shown = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{shown}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(shown.contains("echo-on-when-typed=False"), "{shown}");
    assert!(shown.contains("Secret (typing is not shown): "), "{shown}");
    assert!(shown.contains("94287082"), "{shown}");
    assert!(
        !shown.contains(&secret[..8]),
        "the terminal showed the secret: {shown}"
    );
}
