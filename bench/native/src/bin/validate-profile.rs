//! Where the time of validating a 10,000-token file goes (natively): the JSON reader, the line
//! index, the whole validation (reader + rules + duplicate maps), and the report serialisation.
//! Prints one line per phase (median of 9 runs, ms). Run under `perf record` for a profile:
//!
//!   cargo build --release --manifest-path bench/native/Cargo.toml
//!   perf record -g target/bench-native/release/validate-profile && perf report
//!
//! The file is the one bench/page.mjs generates: Graph `#$delta`, 4-space indent, 20-byte keys.

use std::hint::black_box;
use std::time::Instant;

use hwoath::core::diag::LineIndex;
use hwoath::core::graph::{build_requests, render, RequestKind, RequestOptions};
use hwoath::core::tokenfile::{self, json, ParseOptions};
use hwoath::core::variants;

const TOKENS: usize = 10_000;

/// The same file as bench/page.mjs `tokenFile` (same xorshift bytes, same layout).
fn token_file(n: usize) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut seed: i32 = 0x2545f491;
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= ((seed as u32) >> 17) as i32;
        seed ^= seed << 5;
        (seed & 0xff) as u8
    };
    let mut items = Vec::with_capacity(n);
    for i in 0..n {
        let bytes: Vec<u8> = (0..20).map(|_| rnd()).collect();
        let (mut bits, mut v, mut s) = (0u32, 0u32, String::new());
        for x in bytes {
            v = (v << 8) | x as u32;
            bits += 8;
            while bits >= 5 {
                s.push(A[((v >> (bits - 5)) & 31) as usize] as char);
                bits -= 5;
            }
        }
        items.push(format!(
            "        {{\n            \"@contentId\": \"{}\",\n            \"serialNumber\": \"{}\",\n            \"manufacturer\": \"Token2\",\n            \"model\": \"C202\",\n            \"secretKey\": \"{s}\",\n            \"timeIntervalInSeconds\": 30,\n            \"hashFunction\": \"hmacsha1\"\n        }}",
            i + 1,
            2_300_000_000_000u64 + i as u64 + 1
        ));
    }
    format!(
        "{{\n    \"@context\": \"#$delta\",\n    \"value\": [\n{}\n    ]\n}}",
        items.join(",\n")
    )
}

fn median_ms(mut op: impl FnMut()) -> f64 {
    op();
    let mut t: Vec<f64> = (0..9)
        .map(|_| {
            let t0 = Instant::now();
            op();
            t0.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(f64::total_cmp);
    t[4]
}

fn main() {
    let text = token_file(TOKENS);
    let opts = ParseOptions::default();
    let report = tokenfile::validate(&text, &opts).expect("usable");
    assert_eq!(report.valid(), TOKENS);
    // `validate-profile PHASE`: only that phase, 50 times (for `perf record`).
    if let Some(phase) = std::env::args().nth(1) {
        for _ in 0..50 {
            match phase.as_str() {
                "validate" => drop(black_box(tokenfile::validate(&text, &opts).unwrap())),
                "normalize" => drop(black_box(tokenfile::normalize(&report, false).unwrap())),
                _ => panic!("phases: validate, normalize"),
            }
        }
        return;
    }
    let rows = [
        (
            "serde_json::from_str (reference)",
            median_ms(|| {
                black_box(serde_json::from_str::<serde_json::Value>(&text).unwrap());
            }),
        ),
        (
            "json::parse (hwoath's reader)",
            median_ms(|| {
                black_box(json::parse(&text).unwrap());
            }),
        ),
        (
            "LineIndex::new",
            median_ms(|| {
                black_box(LineIndex::new(&text));
            }),
        ),
        (
            "validate (reader + rules + cross-check)",
            median_ms(|| {
                black_box(tokenfile::validate(&text, &opts).unwrap());
            }),
        ),
        (
            "report to JSON text",
            median_ms(|| {
                black_box(serde_json::to_string(&report).unwrap());
            }),
        ),
        (
            "create-bulk requests (build)",
            median_ms(|| {
                let tokens = report.valid_tokens();
                let o = RequestOptions::new(RequestKind::CreateBulk);
                black_box(build_requests(&tokens, &o).unwrap());
            }),
        ),
        (
            "create-bulk requests (build + 4 renderings)",
            median_ms(|| {
                let tokens = report.valid_tokens();
                let o = RequestOptions::new(RequestKind::CreateBulk);
                for r in build_requests(&tokens, &o).unwrap() {
                    let b = render::pretty(r.body.as_ref().unwrap());
                    black_box((b, render::http(&r), render::powershell(&r), render::curl(&r)));
                }
            }),
        ),
        (
            "variants (make)",
            median_ms(|| {
                let o = variants::originals(&report);
                black_box(variants::make_variants(&o, &Default::default()).unwrap());
            }),
        ),
        (
            "normalize (canonical JSON)",
            median_ms(|| {
                black_box(tokenfile::normalize(&report, false).unwrap());
            }),
        ),
    ];
    println!("{} tokens, {} bytes", TOKENS, text.len());
    for (name, ms) in rows {
        println!("{name:<42} {ms:>8.2} ms");
    }
}
