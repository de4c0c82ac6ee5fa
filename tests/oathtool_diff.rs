//! Differential test against Debian's `oathtool` (liboath) over 2,400 random cases:
//! keys of 1–70 bytes, SHA-1/256/512, 6 and 8 digits, 30 and 60 s, times 0…2^40.
//! `scripts/bootstrap.sh` installs oathtool; without it this test fails, it does not skip.
#![cfg(not(target_arch = "wasm32"))]

use std::process::Command;

use hwoath::core::{Generator, HashAlg, OtpParams, Secret};

/// SplitMix64: a tiny deterministic generator so every run checks the same cases.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

struct Case {
    key: Vec<u8>,
    hash: HashAlg,
    digits: u32,
    period: u64,
    time: u64,
}

fn cases(seed: u64, n: usize) -> Vec<Case> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| {
            let len = 1 + rng.below(70) as usize;
            Case {
                key: (0..len).map(|_| rng.next() as u8).collect(),
                hash: [HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha512][rng.below(3) as usize],
                digits: [6, 8][rng.below(2) as usize],
                period: [30, 60][rng.below(2) as usize],
                time: rng.below(1u64 << 40),
            }
        })
        .collect()
}

fn oathtool(c: &Case) -> String {
    let hex: String = c.key.iter().map(|b| format!("{b:02x}")).collect();
    let out = Command::new("oathtool")
        .arg(format!("--totp={}", c.hash.short_name()))
        .arg(format!("--digits={}", c.digits))
        .arg(format!("--time-step-size={}s", c.period))
        .arg("-N")
        .arg(format!("@{}", c.time))
        .arg(hex)
        .output()
        .expect("oathtool must be installed (scripts/bootstrap.sh installs it)");
    assert!(out.status.success(), "oathtool failed: {:?}", out);
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn matches_oathtool_on_random_cases() {
    let all = cases(0x6877_6f61_7468, 2400);
    let mismatches: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = all
            .chunks(600)
            .map(|chunk| {
                s.spawn(move || {
                    let mut bad = Vec::new();
                    for c in chunk {
                        let g = Generator::new(
                            &Secret::from_bytes(c.key.clone()),
                            OtpParams {
                                hash: c.hash,
                                digits: c.digits,
                                period: c.period,
                            },
                        )
                        .unwrap();
                        let ours = g.totp(c.time);
                        let theirs = oathtool(c);
                        if ours != theirs {
                            bad.push(format!(
                                "{}-byte key {} {} digits {} s @{}: ours {ours}, oathtool {theirs}",
                                c.key.len(),
                                c.hash,
                                c.digits,
                                c.period,
                                c.time
                            ));
                        }
                    }
                    bad
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn case_generator_covers_the_space() {
    let all = cases(0x6877_6f61_7468, 2400);
    assert!(all.iter().any(|c| c.key.len() == 1));
    assert!(all.iter().any(|c| c.key.len() == 70));
    assert!(all
        .iter()
        .any(|c| c.key.len() > 64 && c.hash == HashAlg::Sha1));
    assert!(all.iter().any(|c| c.time > 1 << 39));
    for h in [HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha512] {
        for d in [6, 8] {
            for p in [30, 60] {
                assert!(all
                    .iter()
                    .any(|c| c.hash == h && c.digits == d && c.period == p));
            }
        }
    }
}
