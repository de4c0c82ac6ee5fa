//! Property tests: base32 round trip, verify(totp(t)) at t, drift finds a planted offset.
#![cfg(not(target_arch = "wasm32"))]

use hwoath::core::{Generator, HashAlg, OtpParams, Secret};
use proptest::prelude::*;

fn hash() -> impl Strategy<Value = HashAlg> {
    prop_oneof![
        Just(HashAlg::Sha1),
        Just(HashAlg::Sha256),
        Just(HashAlg::Sha512)
    ]
}

proptest! {
    #[test]
    fn base32_round_trip(bytes in proptest::collection::vec(any::<u8>(), 1..80)) {
        let s = Secret::from_bytes(bytes.clone());
        let text = s.to_base32();
        let strict = Secret::decode_strict(&text).unwrap();
        prop_assert_eq!(strict.as_bytes(), &bytes[..]);
        // lenient accepts the lower-case, grouped, padded form and reports it
        let mut messy: String = text.to_lowercase();
        if messy.len() > 4 { messy.insert(4, ' '); }
        let pad = (8 - text.len() % 8) % 8;
        messy.push_str(&"=".repeat(pad));
        let parsed = Secret::parse(&messy).unwrap();
        prop_assert_eq!(parsed.secret.as_bytes(), &bytes[..]);
        prop_assert!(!parsed.issues.iter().any(|i| i.severity() == hwoath::core::Severity::Error));
    }

    #[test]
    fn verify_accepts_its_own_code(
        key in proptest::collection::vec(any::<u8>(), 1..70),
        h in hash(),
        digits in 6u32..=8,
        period in prop_oneof![Just(30u64), Just(60u64), 1u64..300],
        time in 0u64..(1 << 40),
    ) {
        let g = Generator::new(&Secret::from_bytes(key), OtpParams { hash: h, digits, period }).unwrap();
        let code = g.totp(time);
        prop_assert_eq!(code.len(), digits as usize);
        let r = g.verify(&code, time, 0, 0).unwrap();
        prop_assert!(r.matched);
        prop_assert_eq!(r.offset_steps, Some(0));
        prop_assert_eq!(r.offset_seconds, Some(0));
    }

    #[test]
    fn drift_finds_planted_offset(
        key in proptest::collection::vec(any::<u8>(), 10..40),
        h in prop_oneof![Just(HashAlg::Sha1), Just(HashAlg::Sha256)],
        period in prop_oneof![Just(30u64), Just(60u64)],
        time in 1_000_000u64..4_000_000_000,
        offset in -3000i64..3000,
    ) {
        let g = Generator::new(&Secret::from_bytes(key), OtpParams { hash: h, digits: 6, period }).unwrap();
        let c = g.counter_at(time).checked_add_signed(offset).unwrap();
        let codes = [g.hotp(c - 2), g.hotp(c - 1), g.hotp(c)];
        let refs: Vec<&str> = codes.iter().map(String::as_str).collect();
        let r = g.drift(&refs, time, 3000).unwrap();
        prop_assert!(r.candidates.iter().any(|x| x.offset_steps == offset));
        prop_assert_eq!(r.candidates[0].offset_steps, offset, "three codes should single it out");
        prop_assert_eq!(r.candidates[0].offset_seconds, offset * period as i64);
        prop_assert_eq!(r.scanned_steps, 6001);
    }
}
