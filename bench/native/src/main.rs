//! Native half of `bench/run.sh`: times `Generator::totp` per call and `Generator::drift` scans
//! with the same keys, scan range and run rules as the Node half (bench/node.mjs), and prints one
//! JSON object on stdout that the Node half merges into its table.
//!
//! Run rules (both halves): warm up for 0.2 s, then 5 runs that each repeat the operation until at
//! least 0.5 s has elapsed; report the median run's rate (and the min and max for spread).

use std::hint::black_box;
use std::time::{Duration, Instant};

use hwoath::core::{Generator, HashAlg, OtpParams, Secret};

const WARM_UP: Duration = Duration::from_millis(200);
const RUN: Duration = Duration::from_millis(500);
const RUNS: usize = 5;
/// ±steps of the scan measured for steps/s (the Node half uses the same).
const SCAN_STEPS: u64 = 200_000;
/// Fixed instant so every run computes the same codes (2023-11-14T22:13:20Z).
const TIME: u64 = 1_700_000_000;

/// Rates of the 5 runs in units per second: (median, min, max).
struct Rate {
    median: f64,
    min: f64,
    max: f64,
}

/// Warm up, pick a batch size so that reading the clock costs nothing measurable, then 5 runs.
/// `op` performs one operation and returns how many units (codes, steps) it did.
fn measure(mut op: impl FnMut() -> u64) -> Rate {
    let start = Instant::now();
    let mut calls = 0u64;
    while start.elapsed() < WARM_UP {
        black_box(op());
        calls += 1;
    }
    // About 2 ms per batch.
    let batch = ((calls as f64 / WARM_UP.as_secs_f64()) * 0.002).max(1.0) as u64;
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t0 = Instant::now();
            let mut units = 0u64;
            loop {
                for _ in 0..batch {
                    units += black_box(op());
                }
                let dt = t0.elapsed();
                if dt >= RUN {
                    return units as f64 / dt.as_secs_f64();
                }
            }
        })
        .collect();
    rates.sort_by(|a, b| a.total_cmp(b));
    Rate {
        median: rates[RUNS / 2],
        min: rates[0],
        max: rates[RUNS - 1],
    }
}

fn json(name: &str, unit: &str, r: &Rate) -> String {
    format!(
        "{{\"name\":\"{name}\",\"unit\":\"{unit}\",\"median\":{:.1},\"min\":{:.1},\"max\":{:.1}}}",
        r.median, r.min, r.max
    )
}

/// A code that matches nowhere within ±`steps` of TIME, so a scan never stops early.
fn absent_code(g: &Generator, steps: u64) -> String {
    (0..1_000_000u32)
        .map(|v| g.format(v))
        .find(|c| {
            g.drift(&[c.as_str()], TIME, steps)
                .unwrap()
                .candidates
                .is_empty()
        })
        .expect("some code is absent")
}

fn main() {
    // RFC 6238 Appendix B seeds: 20 bytes for SHA-1, 32 bytes for SHA-256 (same as bench/node.mjs).
    let cases = [
        ("sha1", HashAlg::Sha1, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
        (
            "sha256",
            HashAlg::Sha256,
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA",
        ),
    ];
    let mut rows = Vec::new();
    let mut checks = Vec::new();
    for (name, hash, b32) in cases {
        let params = OtpParams {
            hash,
            ..OtpParams::default()
        };
        let secret = Secret::parse(b32).expect("valid seed").secret;
        let g = Generator::new(&secret, params).expect("valid params");
        // The Node half checks that wasm, otpauth and native agree on this code.
        checks.push(format!("\"{name}\":\"{}\"", g.totp(TIME)));

        // Generator::totp on a prepared generator (key state reused).
        let mut t = TIME;
        let r = measure(|| {
            t += 30;
            black_box(g.totp(black_box(t)));
            1
        });
        rows.push(json(&format!("native totp {name}"), "codes/s", &r));

        // What one wasm `totp` call does: parse the base32 text, key the HMAC, one code.
        let mut t = TIME;
        let r = measure(|| {
            t += 30;
            let s = Secret::parse(black_box(b32)).expect("valid").secret;
            let g = Generator::new(&s, params).expect("valid");
            black_box(g.totp(t));
            1
        });
        rows.push(json(
            &format!("native parse+key+totp {name}"),
            "codes/s",
            &r,
        ));

        // Generator::drift over ±SCAN_STEPS with a code that matches nowhere in the range.
        let code = absent_code(&g, SCAN_STEPS);
        let r = measure(|| {
            let rep = g.drift(&[code.as_str()], TIME, SCAN_STEPS).expect("valid");
            black_box(rep.scanned_steps)
        });
        rows.push(json(&format!("native drift {name}"), "steps/s", &r));
    }
    println!(
        "{{\"scanSteps\":{SCAN_STEPS},\"time\":{TIME},\"codes\":{{{}}},\"rows\":[{}]}}",
        checks.join(","),
        rows.join(",")
    );
}
