//! Shared by the native integration tests: running the `hwoath` binary, and the secrets of a
//! test input with a scanner for them. Each test crate uses its own part.
#![cfg(not(target_arch = "wasm32"))]
#![allow(dead_code)]

pub mod gnupg;
pub mod secrets;

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs the CLI with `args`, writing `stdin` to it from another thread (the CLI may stop reading
/// early, for example at an input limit, so a broken pipe is not an error), and returns its output.
pub fn hwoath_with_stdin(args: &[&str], stdin: impl Into<Vec<u8>>) -> Output {
    let stdin = stdin.into();
    let mut child = Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&stdin);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

/// The lines of `text` as hwoath numbers them (docs/rules.md): a line ends at `\n`, `\r\n` or a
/// lone `\r`. Tests check reported `line:column` positions against this, never `split('\n')`.
pub fn lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            out.push(&text[start..i]);
            i += if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                2
            } else {
                1
            };
            start = i;
        } else {
            i += 1;
        }
    }
    out.push(&text[start..]);
    out
}
