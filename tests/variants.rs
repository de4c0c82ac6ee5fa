//! Duplicate-safe variants: identical codes to the original (our engine and `oathtool`, 1,000
//! consecutive steps per key), refusal past the HMAC block, no collision with the file or a
//! listing, and a property test over random keys.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashSet;
use std::process::Command;

use hwoath::core::token::Token;
use hwoath::core::variants::{
    make_variants, Original, RefusalReason, VariantOptions, SELF_CHECK_STEPS,
};
use hwoath::core::{Generator, HashAlg, OtpParams, Secret};
use proptest::prelude::*;

fn token(serial: &str, key: Vec<u8>, hash: HashAlg, period: u64) -> Token {
    Token {
        serial_number: serial.into(),
        manufacturer: "Token2".into(),
        model: "C202".into(),
        secret: Secret::from_bytes(key),
        time_interval: period,
        hash_function: hash,
        display_name: None,
        assign_to: None,
    }
}

fn original(t: &Token, record: usize) -> Original<'_> {
    Original {
        record,
        token: t,
        canonical_secret: true,
    }
}

/// Deterministic key bytes of length `n` (last byte non-zero so trailing zeros are ours).
fn key(n: usize, seed: u8) -> Vec<u8> {
    (0..n)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed) | 1)
        .collect()
}

fn codes(secret: &Secret, hash: HashAlg, period: u64, time: u64, steps: u64) -> Vec<String> {
    let g = Generator::new(
        secret,
        OtpParams {
            hash,
            digits: 6,
            period,
        },
    )
    .unwrap();
    (0..steps).map(|i| g.totp(time + i * period)).collect()
}

/// `oathtool -w 999` prints the codes of 1,000 consecutive steps from `time`.
fn oathtool_codes(key_arg: &[&str], hash: HashAlg, period: u64, time: u64) -> Vec<String> {
    let out = Command::new("oathtool")
        .arg(format!("--totp={}", hash.short_name()))
        .arg(format!("--time-step-size={period}s"))
        .arg("-w")
        .arg((SELF_CHECK_STEPS - 1).to_string())
        .arg("-N")
        .arg(format!("@{time}"))
        .args(key_arg)
        .output()
        .expect("oathtool must be installed (scripts/bootstrap.sh)");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn variants_give_identical_codes_ours_and_oathtool() {
    let time = 1_700_000_000;
    for len in [10usize, 16, 20, 21, 32, 48, 63] {
        for hash in [HashAlg::Sha1, HashAlg::Sha256] {
            let t = token("865923712", key(len, len as u8), hash, 30);
            let v = make_variants(&[original(&t, 0)], &VariantOptions::default())
                .unwrap_or_else(|r| panic!("{len} bytes {hash}: {r:?}"));
            let variant = &v[0].token;
            // The base32 text as uploaded decodes strictly to the key plus one zero byte.
            let text = variant.secret.to_base32();
            let decoded = Secret::decode_strict(&text).unwrap();
            let mut want = t.secret.as_bytes().to_vec();
            want.push(0);
            assert_eq!(decoded.as_bytes(), &want[..]);
            assert_eq!(variant.hash_function, hash);
            assert_eq!(variant.time_interval, 30);
            // Our engine, from the uploaded text, over 1,000 consecutive steps.
            let ours_original = codes(&t.secret, hash, 30, time, SELF_CHECK_STEPS);
            let ours_variant = codes(&decoded, hash, 30, time, SELF_CHECK_STEPS);
            assert_eq!(ours_original, ours_variant, "{len} bytes {hash}");
            // oathtool: the variant's base32 text and the original's hex key.
            let theirs_variant = oathtool_codes(&["-b", &text], hash, 30, time);
            let theirs_original = oathtool_codes(&[&hex(t.secret.as_bytes())], hash, 30, time);
            assert_eq!(theirs_variant.len(), SELF_CHECK_STEPS as usize);
            assert_eq!(
                theirs_variant, theirs_original,
                "oathtool {len} bytes {hash}"
            );
            assert_eq!(
                theirs_variant, ours_original,
                "ours vs oathtool {len} bytes {hash}"
            );
        }
    }
}

#[test]
fn refusal_at_64_bytes_plus_one() {
    for hash in [HashAlg::Sha1, HashAlg::Sha256] {
        // 63 bytes: the one variant is 64 bytes, inside the block: fine; a second copy is not.
        let t = token("1", key(63, 7), hash, 30);
        assert!(make_variants(&[original(&t, 0)], &VariantOptions::default()).is_ok());
        let two = VariantOptions {
            copies: 2,
            ..VariantOptions::default()
        };
        let r = make_variants(&[original(&t, 0)], &two).unwrap_err();
        assert_eq!(r[0].copy, 2);
        assert_eq!(
            r[0].reason,
            RefusalReason::KeyTooLong {
                bytes: 65,
                block: 64
            }
        );
        // 64 bytes: the variant would be 65 and HMAC would hash it: refused.
        let t = token("1", key(64, 9), hash, 30);
        let r = make_variants(&[original(&t, 5)], &VariantOptions::default()).unwrap_err();
        assert_eq!((r[0].record, r[0].copy), (5, 1));
        assert!(matches!(
            r[0].reason,
            RefusalReason::KeyTooLong { bytes: 65, .. }
        ));
        // And the refusal is right: such a key really gives other codes (oathtool agrees).
        let mut long = t.secret.as_bytes().to_vec();
        long.push(0);
        let a = oathtool_codes(&[&hex(t.secret.as_bytes())], hash, 30, 0);
        let b = oathtool_codes(&[&hex(&long)], hash, 30, 0);
        assert_ne!(a, b);
    }
}

#[test]
fn every_refused_token_is_named_and_nothing_is_returned() {
    let ok = token("100", key(20, 1), HashAlg::Sha1, 30);
    let long = token("200", key(64, 2), HashAlg::Sha256, 60);
    let odd = token("300", key(20, 3), HashAlg::Sha1, 30);
    let originals = [
        original(&ok, 0),
        original(&long, 1),
        Original {
            record: 2,
            token: &odd,
            canonical_secret: false,
        },
    ];
    let r = make_variants(&originals, &VariantOptions::default()).unwrap_err();
    let named: Vec<(usize, &str, &str)> = r
        .iter()
        .map(|x| (x.record, x.serial_number.as_str(), x.reason.code()))
        .collect();
    assert_eq!(
        named,
        vec![
            (1, "200", "key-too-long"),
            (2, "300", "non-canonical-secret")
        ]
    );
    for x in &r {
        let msg = x.to_string();
        assert!(msg.contains(&x.serial_number), "{msg}");
        assert!(!msg.contains(&*ok.secret.to_base32()));
    }
}

#[test]
fn no_collision_with_file_listing_or_other_variants() {
    // "100" wants "1000" (in the file) then "10000" (in the listing): gets "100000".
    let a = token("100", key(20, 1), HashAlg::Sha1, 30);
    let b = token("1000", key(20, 2), HashAlg::Sha1, 30);
    // c's key + one zero byte is d's key: c's variant must skip to two zero bytes.
    let c = token("500", key(20, 3), HashAlg::Sha1, 30);
    let mut d_key = c.secret.as_bytes().to_vec();
    d_key.push(0);
    let d = token("600", d_key, HashAlg::Sha1, 30);
    let file = [&a, &b, &c, &d];
    let originals: Vec<Original> = file
        .iter()
        .enumerate()
        .map(|(i, t)| original(t, i))
        .collect();
    let opts = VariantOptions {
        copies: 2,
        listing_serials: vec!["10000".into(), "50000".into()],
    };
    let v = make_variants(&originals, &opts).unwrap();
    assert_eq!(v.len(), 8);
    let serial = |rec: usize, copy: usize| {
        v.iter()
            .find(|x| x.record == rec && x.copy == copy)
            .unwrap()
            .token
            .serial_number
            .clone()
    };
    assert_eq!(serial(0, 1), "100000");
    assert_eq!(serial(0, 2), "1000000");
    // b: "10000" (listing), "100000" (a's variant), "1000000" (a's): "10000000".
    assert_eq!(serial(1, 1), "10000000");
    assert_eq!(serial(2, 1), "5000");
    assert_eq!(serial(2, 2), "500000");
    let note = &v
        .iter()
        .find(|x| x.record == 0 && x.copy == 1)
        .unwrap()
        .note;
    assert!(note.starts_with("Type serial number 100000 (not the 100 printed on the device) on My Security Info; the codes are the device's own."), "{note}");
    assert!(note.contains("1000 is already in use"), "{note}");
    let vc = v.iter().find(|x| x.record == 2 && x.copy == 1).unwrap();
    assert_eq!(vc.key_zero_bytes, 2);

    // Nothing collides: serials and secrets unique over file, listing and variants.
    let mut serials: HashSet<String> = file.iter().map(|t| t.serial_number.clone()).collect();
    serials.extend(opts.listing_serials.iter().cloned());
    let mut secrets: HashSet<String> = file
        .iter()
        .map(|t| t.secret.to_base32().to_string())
        .collect();
    for x in &v {
        assert!(
            serials.insert(x.token.serial_number.clone()),
            "{}",
            x.token.serial_number
        );
        assert!(secrets.insert(x.token.secret.to_base32().to_string()));
        assert!(x.token.serial_number.chars().all(|c| c.is_ascii_digit()));
        // Still the device's codes.
        let orig = file[x.record];
        assert_eq!(
            codes(&orig.secret, orig.hash_function, 30, 0, 50),
            codes(&x.token.secret, orig.hash_function, 30, 0, 50)
        );
    }
}

#[test]
fn sixty_second_sha256_tokens_keep_their_parameters() {
    let t = token("2300000000001", key(30, 4), HashAlg::Sha256, 60);
    let v = make_variants(
        &[original(&t, 0)],
        &VariantOptions {
            copies: 3,
            ..VariantOptions::default()
        },
    )
    .unwrap();
    let serials: Vec<&str> = v.iter().map(|x| x.token.serial_number.as_str()).collect();
    assert_eq!(
        serials,
        ["23000000000010", "230000000000100", "2300000000001000"]
    );
    for (i, x) in v.iter().enumerate() {
        assert_eq!(x.copy, i + 1);
        assert_eq!(x.key_zero_bytes, i + 1);
        assert_eq!(x.token.time_interval, 60);
        assert_eq!(x.token.hash_function, HashAlg::Sha256);
        // 30 bytes = 48 chars; + 1..3 bytes: the seed's "AA"-style suffix grows on bytes.
        assert!(x
            .token
            .secret
            .to_base32()
            .starts_with(&*t.secret.to_base32()));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_keys_vary_safely(
        bytes in proptest::collection::vec(any::<u8>(), 1..=63),
        sha256 in any::<bool>(),
        copies in 1usize..=3,
        counter in any::<u32>(),
    ) {
        let hash = if sha256 { HashAlg::Sha256 } else { HashAlg::Sha1 };
        let t = token("42", bytes.clone(), hash, 30);
        let opts = VariantOptions { copies, ..VariantOptions::default() };
        let result = make_variants(&[original(&t, 0)], &opts);
        if bytes.len() + copies > 64 {
            let r = result.unwrap_err();
            prop_assert!(matches!(r[0].reason, RefusalReason::KeyTooLong { .. }), "{:?}", r);
            prop_assert_eq!(r[0].copy, 64 - bytes.len() + 1);
        } else {
            let v = result.unwrap();
            prop_assert_eq!(v.len(), copies);
            let params = OtpParams { hash, digits: 8, period: 30 };
            let g0 = Generator::new(&t.secret, params).unwrap();
            for (i, x) in v.iter().enumerate() {
                let decoded = Secret::decode_strict(&x.token.secret.to_base32()).unwrap();
                let mut want = bytes.clone();
                want.resize(bytes.len() + i + 1, 0);
                prop_assert_eq!(decoded.as_bytes(), &want[..]);
                let g = Generator::new(&decoded, params).unwrap();
                for c in [counter as u64, counter as u64 + 1, u64::MAX - counter as u64] {
                    prop_assert_eq!(g.hotp_value(c), g0.hotp_value(c));
                }
                prop_assert_eq!(&x.token.serial_number, &format!("42{}", "0".repeat(i + 1)));
            }
        }
    }
}

// ---- the CLI ----

fn hwoath(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hwoath"))
        .args(args)
        .output()
        .unwrap()
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("hwoath-variants-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const GOLDEN_TOKENS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/tokens.json");

#[test]
fn cli_writes_the_delta_json_of_the_variants_only() {
    let out = hwoath(&["variants", GOLDEN_TOKENS]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["@context"], "#$delta");
    let items = v["value"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["@contentId"], "1");
    assert_eq!(items[0]["serialNumber"], "8659237120");
    assert_eq!(items[0]["secretKey"], "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPAA");
    assert_eq!(items[0]["hashFunction"], "hmacsha1");
    assert_eq!(items[0]["timeIntervalInSeconds"], 30);
    assert!(items[0].get("assignTo").is_none());
    assert_eq!(items[1]["serialNumber"], "23000000000010");
    assert_eq!(items[1]["hashFunction"], "hmacsha256");
    assert_eq!(items[1]["timeIntervalInSeconds"], 60);
    // Field order as in Microsoft's example.
    let text = String::from_utf8(out.stdout).unwrap();
    let order: Vec<usize> = [
        "\"@contentId\"",
        "\"serialNumber\"",
        "\"manufacturer\"",
        "\"model\"",
        "\"secretKey\"",
        "\"timeIntervalInSeconds\"",
        "\"hashFunction\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
}

#[test]
fn cli_json_listing_and_copies() {
    let listing = temp(
        "listing.json",
        r#"{"value":[{"id":"x","serialNumber":"8659237120","manufacturer":"Token2","model":"C202","secretKey":null,"timeIntervalInSeconds":30,"hashFunction":"hmacsha1","status":"available"}]}"#,
    );
    let out = hwoath(&[
        "variants",
        GOLDEN_TOKENS,
        "--copies",
        "2",
        "--listing",
        &listing,
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v["variants"].as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(list[0]["record"], 0);
    assert_eq!(list[0]["copy"], 1);
    assert_eq!(list[0]["serialNumber"], "86592371200");
    let note = list[0]["note"].as_str().unwrap();
    assert!(note.starts_with("Type serial number 86592371200 (not the 865923712 printed on the device) on My Security Info; the codes are the device's own."), "{note}");
    assert!(note.contains("8659237120 is already in use"), "{note}");
    assert_eq!(list[1]["serialNumber"], "865923712000");
    assert_eq!(v["body"]["value"].as_array().unwrap().len(), 4);
    assert_eq!(v["body"]["value"][1]["serialNumber"], "865923712000");
}

#[test]
fn cli_refuses_and_writes_nothing() {
    let long = "A".repeat(102) + "Q"; // 64 bytes
    let file = temp(
        "long.json",
        &format!(
            r##"{{"@context":"#$delta","value":[
  {{"@contentId":"1","serialNumber":"11","manufacturer":"M","model":"X","secretKey":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"}},
  {{"@contentId":"2","serialNumber":"22","manufacturer":"M","model":"X","secretKey":"{long}","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"}},
  {{"@contentId":"3","serialNumber":"33","manufacturer":"M","model":"X","secretKey":"{long}7","timeIntervalInSeconds":30,"hashFunction":"hmacsha256"}}
]}}"##
        ),
    );
    let out = hwoath(&["variants", &file]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("record 2 (serial \"22\")") && err.contains("64-byte HMAC block"),
        "{err}"
    );
    // Records count from 1, as in the page's table.
    assert!(err.contains("record 3 (serial \"33\")"), "{err}");
    assert!(!err.contains("record 1 "), "{err}");
    assert!(!err.contains(&long) && !err.contains("JBSWY3DP"), "{err}");
    let out = hwoath(&["variants", &file, "--copies", "0"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn cli_refuses_non_canonical_originals_read_from_the_file() {
    // Microsoft's example secret: 26 characters whose unused trailing bits are not zero (HW207);
    // 17 characters is a dangling last character (HW206). Both valid, both refused here.
    let file = temp(
        "noncanonical.json",
        r##"{"@context":"#$delta","value":[
  {"@contentId":"1","serialNumber":"11","manufacturer":"M","model":"X","secretKey":"2234567abcdef2234567abcdef","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"},
  {"@contentId":"2","serialNumber":"22","manufacturer":"M","model":"X","secretKey":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"},
  {"@contentId":"3","serialNumber":"33","manufacturer":"M","model":"X","secretKey":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQA","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"}
]}"##,
    );
    let out = hwoath(&["validate", &file]);
    assert_eq!(out.status.code(), Some(0), "the file itself is valid");
    let out = hwoath(&["variants", &file]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("record 1 (serial \"11\")") && err.contains("not canonical"),
        "{err}"
    );
    assert!(err.contains("record 3 (serial \"33\")"), "{err}");
    assert!(!err.contains("serial 22"), "{err}");
}

#[test]
fn cli_reads_legacy_csv_with_the_hash_option() {
    let file = temp(
        "legacy.csv",
        "upn,serial number,secret key,time interval,manufacturer,model\r\nhelga@contoso.com,0012345,GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ,60,Token2,C203\r\n",
    );
    let out = hwoath(&["variants", &file, "--hash-function", "hmacsha256"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let item = &v["value"][0];
    assert_eq!(item["serialNumber"], "00123450");
    assert_eq!(item["hashFunction"], "hmacsha256");
    assert_eq!(item["timeIntervalInSeconds"], 60);
    // The upn is the original's assignment, not the variant's.
    assert!(item.get("assignTo").is_none());
}
