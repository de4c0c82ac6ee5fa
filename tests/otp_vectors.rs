//! RFC 4226 / RFC 6238 vectors (data files under tests/data), negative vectors, the zero-byte
//! invariance of HMAC keys, and leading zeros.
#![cfg(not(target_arch = "wasm32"))]

use hwoath::core::{Generator, HashAlg, OtpParams, Secret};

fn rows(name: &str) -> Vec<Vec<String>> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect()
}

fn seed(len: usize) -> Secret {
    Secret::from_bytes(b"1234567890".iter().cycle().take(len).copied().collect())
}

fn gen(secret: &Secret, hash: HashAlg, digits: u32, period: u64) -> Generator {
    Generator::new(
        secret,
        OtpParams {
            hash,
            digits,
            period,
        },
    )
    .unwrap()
}

#[test]
fn rfc4226_appendix_d() {
    let g = gen(&seed(20), HashAlg::Sha1, 6, 30);
    let vectors = rows("rfc4226.txt");
    assert_eq!(vectors.len(), 10);
    for r in vectors {
        assert_eq!(g.hotp(r[0].parse().unwrap()), r[1], "counter {}", r[0]);
    }
}

fn seed_for(hash: HashAlg) -> Secret {
    seed(match hash {
        HashAlg::Sha1 => 20,
        HashAlg::Sha256 => 32,
        HashAlg::Sha512 => 64,
    })
}

#[test]
fn rfc6238_appendix_b_with_errata_seeds() {
    let vectors = rows("rfc6238.txt");
    assert_eq!(vectors.len(), 18);
    for r in vectors {
        let hash = HashAlg::parse(&r[1]).unwrap();
        let g = gen(&seed_for(hash), hash, 8, 30);
        assert_eq!(g.totp(r[0].parse().unwrap()), r[2], "T={} {}", r[0], r[1]);
    }
}

#[test]
fn rfc6238_negative_20_byte_seed_under_sha2() {
    let rfc = rows("rfc6238.txt");
    let vectors = rows("rfc6238-negative.txt");
    assert_eq!(vectors.len(), 12);
    for r in vectors {
        let hash = HashAlg::parse(&r[1]).unwrap();
        let got = gen(&seed(20), hash, 8, 30).totp(r[0].parse().unwrap());
        let rfc_code = rfc.iter().find(|v| v[0] == r[0] && v[1] == r[1]).unwrap();
        assert_ne!(
            got, rfc_code[2],
            "a 20-byte seed must not give the RFC column"
        );
        assert_eq!(got, r[2]);
    }
}

#[test]
fn past_2038_and_64_bit_counters() {
    let g = gen(&seed(20), HashAlg::Sha1, 8, 30);
    // 2^31 seconds is 2038-01-19; counters keep going.
    assert_eq!(g.counter_at(20_000_000_000), 666_666_666);
    assert_eq!(g.totp(20_000_000_000), "65353130");
    // counter above 2^32 is hashed as the full 8-byte big-endian value
    let big = (1u64 << 32) + 5;
    assert_ne!(g.hotp(big), g.hotp(5));
    assert_eq!(g.counter_at(u64::MAX), u64::MAX / 30);
    let _ = g.totp(u64::MAX);
}

#[test]
fn leading_zeros_are_kept() {
    // RFC 6238: T=1111111109 SHA-1 gives 07081804.
    let g = gen(&seed(20), HashAlg::Sha1, 8, 30);
    assert_eq!(g.totp(1_111_111_109), "07081804");
    // find a 6-digit code with a leading zero in RFC 4226's sequence and check its width
    let g6 = gen(&seed(20), HashAlg::Sha1, 6, 30);
    let c = (0..10_000u64)
        .find(|&c| g6.hotp_value(c) < 100_000)
        .unwrap();
    let code = g6.hotp(c);
    assert_eq!(code.len(), 6);
    assert!(code.starts_with('0'));
}

#[test]
fn floor_division_at_step_boundaries() {
    let g = gen(&seed(20), HashAlg::Sha1, 6, 60);
    assert_eq!(g.counter_at(59), 0);
    assert_eq!(g.counter_at(60), 1);
    assert_eq!(g.seconds_left(59), 1);
    assert_eq!(g.seconds_left(60), 60);
    assert_eq!(g.totp(60), g.hotp(1));
}

/// A key and the same key plus trailing zero bytes give identical codes while the longer one is
/// at most one HMAC block (64 bytes SHA-1/256, 128 SHA-512), and different codes past it.
#[test]
fn zero_byte_invariance_up_to_block_size() {
    for hash in [HashAlg::Sha1, HashAlg::Sha256, HashAlg::Sha512] {
        let block = hash.block_size();
        for base_len in [1usize, 10, 20, 32, 63] {
            if base_len >= block {
                continue;
            }
            let key: Vec<u8> = (0..base_len)
                .map(|i| (i as u8).wrapping_mul(37) | 1)
                .collect();
            let original = gen(&Secret::from_bytes(key.clone()), hash, 6, 30);
            // padded to exactly the block size: same codes
            let padded = Secret::from_bytes(key.clone()).with_zero_bytes(block - base_len);
            let same = gen(&padded, hash, 6, 30);
            for c in 0..200u64 {
                assert_eq!(
                    original.hotp(c),
                    same.hotp(c),
                    "{hash} {base_len}->{block} @{c}"
                );
            }
            // one byte past the block: the key is hashed first, codes differ
            let over = Secret::from_bytes(key).with_zero_bytes(block - base_len + 1);
            let diff = gen(&over, hash, 6, 30);
            let differing = (0..200u64)
                .filter(|&c| original.hotp(c) != diff.hotp(c))
                .count();
            assert!(
                differing > 190,
                "{hash} {base_len}: only {differing} differ"
            );
        }
    }
}
