//! Build script: records which commit the CLI is built from, for `hwoath --version`.
//!
//! Sets `HWOATH_BUILD_COMMIT` to one of
//! - `commit <40 hex digits>`: a git checkout whose sources match that commit;
//! - `commit <40 hex digits> with uncommitted changes`: the compiled files (src/, build.rs,
//!   Cargo.toml, Cargo.lock) differ from the commit;
//! - `not built from a git checkout; commit unknown` (a source archive, cargo's registry, or no
//!   git program).
//!
//! Nothing else is recorded (no time, no path, no host name): the same commit gives the same
//! binary in any directory (scripts/release.sh).
// Cargo reads a build script's instructions from its standard output (clippy.toml is for the CLI).
#![allow(clippy::disallowed_macros)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files the crate is compiled from; a change to one of them makes the build "uncommitted".
const SOURCES: &[&str] = &["src", "build.rs", "Cargo.toml", "Cargo.lock"];

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim_end().to_string())
}

fn main() {
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    for s in SOURCES {
        println!("cargo:rerun-if-changed={s}");
    }
    println!("cargo:rerun-if-env-changed=GIT_DIR");

    // Only a checkout whose top level is this crate counts: a copy unpacked inside some other
    // repository would otherwise report that repository's commit.
    let top = git(&dir, &["rev-parse", "--show-toplevel"]).map(PathBuf::from);
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let commit = match (&top, git(&dir, &["rev-parse", "--verify", "HEAD"])) {
        (Some(top), Some(hash)) if same(top, &dir) => Some(hash),
        _ => None,
    };
    let info = match commit {
        None => "not built from a git checkout; commit unknown".to_string(),
        Some(hash) => {
            // Re-run when HEAD moves: HEAD itself, the branch it points to, packed refs.
            let mut watch = vec!["HEAD".to_string(), "packed-refs".to_string()];
            if let Some(r) = git(&dir, &["symbolic-ref", "-q", "HEAD"]) {
                watch.push(r);
            }
            for w in watch {
                // Only files that exist: cargo re-runs the script every time for a missing one.
                if let Some(p) = git(&dir, &["rev-parse", "--git-path", &w]).map(|p| dir.join(p)) {
                    if p.is_file() {
                        println!("cargo:rerun-if-changed={}", p.display());
                    }
                }
            }
            // --no-optional-locks: a build never writes to the repository (no index refresh).
            let mut args = vec![
                "--no-optional-locks",
                "status",
                "--porcelain",
                "--untracked-files=normal",
                "--",
            ];
            args.extend(SOURCES);
            match git(&dir, &args) {
                Some(s) if s.is_empty() => format!("commit {hash}"),
                Some(_) => format!("commit {hash} with uncommitted changes"),
                None => format!("commit {hash}, state of the working tree unknown"),
            }
        }
    };
    println!("cargo:rustc-env=HWOATH_BUILD_COMMIT={info}");
}
