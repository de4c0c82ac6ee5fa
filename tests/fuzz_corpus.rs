#![cfg(not(target_arch = "wasm32"))]
//! Replays the committed fuzz corpus (fuzz/corpus/<target>/) and every crash the fuzzer found
//! (fuzz/regressions/<target>/) through the fuzz bodies on stable, so CI checks them without
//! running the fuzzer (scripts/fuzz.sh does that, on nightly).

#[path = "../fuzz/src/bodies.rs"]
mod bodies;

use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    out.sort();
    out
}

fn replay(target: &str, body: fn(&[u8]), path: &Path) {
    let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let run = std::panic::catch_unwind(|| body(&data));
    assert!(run.is_ok(), "{target}: {} panics", path.display());
}

#[test]
fn every_target_has_a_committed_corpus_and_it_passes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for &(target, body) in bodies::TARGETS {
        let corpus = files(&root.join("corpus").join(target));
        assert!(
            corpus.len() >= 5,
            "fuzz/corpus/{target} has {} file(s); seed and minimise it with scripts/fuzz.sh",
            corpus.len()
        );
        for path in &corpus {
            replay(target, body, path);
        }
    }
}

#[test]
fn every_crash_found_stays_fixed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let targets: Vec<&str> = bodies::TARGETS.iter().map(|(t, _)| *t).collect();
    if !root.exists() {
        return;
    }
    for dir in files_and_dirs(&root) {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        assert!(
            targets.contains(&name),
            "fuzz/regressions/{name} is not a fuzz target"
        );
    }
    for &(target, body) in bodies::TARGETS {
        let dir = root.join(target);
        if dir.is_dir() {
            for path in files(&dir) {
                replay(target, body, &path);
            }
        }
    }
}

fn files_and_dirs(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_dir())
        .collect()
}
