//! Duplicate-safe variants: the same device registered again under another serial and key.
//!
//! Graph refuses a serial number or secret key it already holds. HMAC (RFC 2104 §2) pads keys
//! shorter than the hash block with zero bytes, so a key with zero bytes appended gives exactly
//! the device's codes while its base32 text differs. A variant is therefore:
//! - the key's **bytes** with `k` zero bytes appended, re-encoded as canonical base32 (the
//!   seed's "secret + AA" trick, done on bytes so it is right for every length);
//! - the serial number with `k` zeros appended (it stays numeric when it was);
//! - the original's `hashFunction` and `timeIntervalInSeconds`, carried explicitly (some tools
//!   guess SHA-256 from a long secret).
//!
//! Every variant is checked in the same call, exactly: HMAC (RFC 2104 §2) uses the key only
//! through `K0`, the key zero-padded to the hash's block size (a longer key is hashed first), and
//! computes `H((K0 ⊕ opad) ‖ H((K0 ⊕ ipad) ‖ m))`. So two keys with the same `K0` give the same
//! HMAC for every message, hence the same code at every counter, for any digits and period. The
//! check builds both `K0` blocks and compares them (in constant time); equal blocks prove the
//! codes equal at *every* step, where comparing codes could only sample some (the tests still
//! compare [`SELF_CHECK_STEPS`] steps with `oathtool`). A token is refused, with the reason, when
//! the key would exceed the HMAC block size, when the secret would exceed [`MAX_SECRET_CHARS`]
//! characters, or when the original's secret text was not canonical (its unused trailing bits, or
//! a dangling last character, mean other tools may decode another key).

use std::borrow::Cow;
use std::collections::HashSet as StdSet;

/// A set on the fast hasher (see Cargo.toml).
type HashSet<T> = StdSet<T, foldhash::fast::FixedState>;
use std::fmt;

use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use super::secret::Secret;
use super::token::Token;
use super::tokenfile::{codes, Report};

/// Consecutive steps over which the tests compare a variant's codes with the original's (ours and
/// `oathtool`'s); the engine's own check covers every step (see the module docs).
pub const SELF_CHECK_STEPS: u64 = 1_000;

/// Longest secret Entra accepts, in base32 characters (the legacy upload rule; shared docs §3.4).
pub const MAX_SECRET_CHARS: usize = 128;

/// Most variants per token: each copy adds at least one byte, and keys stop at 64 bytes.
pub const MAX_COPIES: usize = 64;

/// A token of the file to make variants of.
#[derive(Clone, Copy, Debug)]
pub struct Original<'a> {
    /// 0-based index of the record in the file.
    pub record: usize,
    /// The validated token.
    pub token: &'a Token,
    /// Whether the secret's text in the file was canonical: no non-zero unused trailing bits and
    /// no dangling last character. A non-canonical original is refused.
    pub canonical_secret: bool,
}

/// What to make.
#[derive(Clone, Debug)]
pub struct VariantOptions {
    /// Variants per token, 1 to [`MAX_COPIES`].
    pub copies: usize,
    /// Serial numbers the tenant already holds (from a Graph listing). Listings carry no
    /// secrets, so only serials can be avoided there.
    pub listing_serials: Vec<String>,
}

impl Default for VariantOptions {
    fn default() -> Self {
        VariantOptions {
            copies: 1,
            listing_serials: Vec::new(),
        }
    }
}

/// One variant of one token.
#[derive(Clone, Debug)]
pub struct Variant {
    /// The original's record index.
    pub record: usize,
    /// 1-based copy number.
    pub copy: usize,
    /// The original's serial number (as printed on the device).
    pub original_serial: String,
    /// The variant to upload: new serial and key, same manufacturer, model, period and hash;
    /// no `displayName` or `assignTo` (a variant is a separate registration).
    pub token: Token,
    /// Zeros appended to the serial number.
    pub serial_zeros: usize,
    /// Zero bytes appended to the key.
    pub key_zero_bytes: usize,
    /// Plain-language note for the end user (no secret in it).
    pub note: String,
}

/// Serialises as the CLI's `--json` entry: `{"record", "copy", "serialNumber", "note"}`.
impl Serialize for Variant {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Variant", 4)?;
        m.serialize_field("record", &self.record)?;
        m.serialize_field("copy", &self.copy)?;
        m.serialize_field("serialNumber", &self.token.serial_number)?;
        m.serialize_field("note", &self.note)?;
        m.end()
    }
}

/// Why a token cannot be varied safely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefusalReason {
    /// The key would be longer than the HMAC block, which hashes long keys: other codes.
    KeyTooLong {
        /// Key length the variant would need, in bytes.
        bytes: usize,
        /// The hash's block size in bytes.
        block: usize,
    },
    /// The canonical secret would be longer than [`MAX_SECRET_CHARS`].
    SecretTooLong {
        /// Characters the variant's secret would have.
        chars: usize,
    },
    /// The original's secret text was not canonical base32.
    NonCanonical,
    /// The variant's padded HMAC key differs from the original's, so some codes would differ
    /// (cannot happen for a key with zero bytes appended within the block; a guard).
    SelfCheckFailed,
}

impl RefusalReason {
    /// Stable kebab-case code.
    pub fn code(&self) -> &'static str {
        match self {
            RefusalReason::KeyTooLong { .. } => "key-too-long",
            RefusalReason::SecretTooLong { .. } => "secret-too-long",
            RefusalReason::NonCanonical => "non-canonical-secret",
            RefusalReason::SelfCheckFailed => "self-check-failed",
        }
    }
}

impl fmt::Display for RefusalReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefusalReason::KeyTooLong { bytes, block } => write!(
                f,
                "the key would be {bytes} bytes, more than the {block}-byte HMAC block, and HMAC hashes longer keys, so the codes would change"
            ),
            RefusalReason::SecretTooLong { chars } => write!(
                f,
                "the secret would be {chars} base32 characters, more than the {MAX_SECRET_CHARS} Entra accepts"
            ),
            RefusalReason::NonCanonical => f.write_str(
                "the secret in the file is not canonical base32 (non-zero unused trailing bits or a dangling last character), so other tools may decode a different key; fix the file first",
            ),
            RefusalReason::SelfCheckFailed => f.write_str(
                "the variant's padded HMAC key differs from the device's, so its codes would differ",
            ),
        }
    }
}

/// A token that cannot be varied safely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The token's record index (0-based; the message counts from 1).
    pub record: usize,
    /// The token's serial number.
    pub serial_number: String,
    /// The copy that could not be made (earlier copies were fine).
    pub copy: usize,
    /// Why.
    pub reason: RefusalReason,
}

/// `record 2 (serial "22"), copy 1: …`: the record counted from 1 (as the page's table and every
/// message count), the serial escaped.
impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "record {} (serial \"{}\"), copy {}: {}",
            self.record + 1,
            crate::core::text::shorten(&self.serial_number),
            self.copy,
            self.reason
        )
    }
}

/// Serialises as `{"record", "serialNumber", "copy", "code", "message"}` (`message` is the whole
/// sentence of `Display`).
impl Serialize for Refusal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("Refusal", 5)?;
        m.serialize_field("record", &self.record)?;
        m.serialize_field("serialNumber", &self.serial_number)?;
        m.serialize_field("copy", &self.copy)?;
        m.serialize_field("code", self.reason.code())?;
        m.serialize_field("message", &self.to_string())?;
        m.end()
    }
}

/// The keys a variant must not take: the file's and the caller's, borrowed, and the ones the
/// variants made so far took, copied (the only copies, wiped when the set is dropped).
struct Keys<'a> {
    borrowed: HashSet<&'a [u8]>,
    made: HashSet<Vec<u8>>,
}

impl<'a> Keys<'a> {
    fn contains(&self, key: &[u8]) -> bool {
        self.borrowed.contains(key) || self.made.contains(key)
    }

    fn insert(&mut self, key: &[u8]) {
        if !self.borrowed.contains(key) {
            self.made.insert(key.to_vec());
        }
    }
}

impl Drop for Keys<'_> {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        for mut key in self.made.drain() {
            key.zeroize();
        }
    }
}

/// HMAC's `K0` (RFC 2104 §2): `key` zero-padded to `block` bytes; `None` for a longer key (HMAC
/// hashes it first, so no zero byte appended to it keeps `K0`). Wiped on drop.
pub fn padded_key_block(key: &[u8], block: usize) -> Option<Zeroizing<Vec<u8>>> {
    if key.len() > block {
        return None;
    }
    let mut k0 = Zeroizing::new(vec![0u8; block]);
    k0[..key.len()].copy_from_slice(key);
    Some(k0)
}

/// Whether `variant` gives `original`'s HMAC for every message: both `K0` blocks exist and are
/// equal. Compared byte by byte over the whole block without an early exit and without making
/// the blocks ([`padded_key_block`]'s byte `i` is the key's, or zero past its end), the verdict
/// taken in constant time.
pub fn same_hmac_key(original: &[u8], variant: &[u8], block: usize) -> bool {
    if original.len() > block || variant.len() > block {
        return false;
    }
    let at = |key: &[u8], i: usize| key.get(i).copied().unwrap_or(0);
    let differ = (0..block).fold(0u8, |d, i| d | (at(original, i) ^ at(variant, i)));
    differ.ct_eq(&0).into()
}

/// Serials and keys variants must avoid besides the originals' own and the listing's: the other
/// records of the upload, when only some of its tokens are varied.
#[derive(Clone, Copy, Debug, Default)]
pub struct Taken<'a> {
    /// Serial numbers in use.
    pub serials: &'a [&'a str],
    /// Keys in use (their bytes).
    pub keys: &'a [&'a [u8]],
}

/// Serials compare case-insensitively in ASCII (serials are ASCII; Unicode lower-casing would
/// link its tables into the page's wasm for nothing).
fn serial_id(serial: &str) -> Cow<'_, str> {
    if serial.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(serial.to_ascii_lowercase())
    } else {
        Cow::Borrowed(serial)
    }
}

/// Builds `copies` variants of every original, avoiding every serial and key of the originals,
/// of the variants made so far and every serial of the listing. Returns every refusal when any
/// token cannot be varied (nothing is returned for the others then).
pub fn make_variants(
    originals: &[Original<'_>],
    options: &VariantOptions,
) -> Result<Vec<Variant>, Vec<Refusal>> {
    make_variants_avoiding(originals, options, Taken::default())
}

/// [`make_variants`] that also avoids the serials and keys in `taken`.
pub fn make_variants_avoiding(
    originals: &[Original<'_>],
    options: &VariantOptions,
    taken: Taken<'_>,
) -> Result<Vec<Variant>, Vec<Refusal>> {
    let mut serials: HashSet<Cow<'_, str>> = originals
        .iter()
        .map(|o| serial_id(&o.token.serial_number))
        .chain(options.listing_serials.iter().map(|s| serial_id(s)))
        .chain(taken.serials.iter().map(|s| serial_id(s)))
        .collect();
    let mut keys = Keys {
        borrowed: originals
            .iter()
            .map(|o| o.token.secret.as_bytes())
            .chain(taken.keys.iter().copied())
            .collect(),
        made: HashSet::default(),
    };

    let mut out = Vec::new();
    let mut refusals = Vec::new();
    for o in originals {
        match variants_of(o, options.copies, &mut serials, &mut keys) {
            Ok(mut v) => out.append(&mut v),
            Err(r) => refusals.push(r),
        }
    }
    if refusals.is_empty() {
        Ok(out)
    } else {
        Err(refusals)
    }
}

fn variants_of<'a>(
    o: &Original<'a>,
    copies: usize,
    serials: &mut HashSet<Cow<'a, str>>,
    keys: &mut Keys<'a>,
) -> Result<Vec<Variant>, Refusal> {
    let t = o.token;
    let refuse = |copy: usize, reason: RefusalReason| Refusal {
        record: o.record,
        serial_number: t.serial_number.clone(),
        copy,
        reason,
    };
    if !o.canonical_secret {
        return Err(refuse(1, RefusalReason::NonCanonical));
    }
    let block = t.hash_function.block_size();

    let mut made = Vec::with_capacity(copies);
    let (mut key_zeros, mut serial_zeros) = (0usize, 0usize);
    // A serial with zeros appended is looked up by its id: the original's id with the zeros.
    let base = serial_id(&t.serial_number);
    let id_with = |n: usize| {
        let mut id = String::with_capacity(base.len() + n);
        id.push_str(&base);
        id.extend(std::iter::repeat_n('0', n));
        id
    };
    for copy in 1..=copies {
        // The key: the next zero count whose bytes no other token or variant uses.
        key_zeros += 1;
        let mut secret = t.secret.with_zero_bytes(key_zeros);
        while keys.contains(secret.as_bytes()) {
            key_zeros += 1;
            secret = t.secret.with_zero_bytes(key_zeros);
        }
        if secret.len() > block {
            return Err(refuse(
                copy,
                RefusalReason::KeyTooLong {
                    bytes: secret.len(),
                    block,
                },
            ));
        }
        if secret.base32_len() > MAX_SECRET_CHARS {
            return Err(refuse(
                copy,
                RefusalReason::SecretTooLong {
                    chars: secret.base32_len(),
                },
            ));
        }
        if !same_hmac_key(t.secret.as_bytes(), secret.as_bytes(), block) {
            return Err(refuse(copy, RefusalReason::SelfCheckFailed));
        }

        // The serial: the next zero count that nobody uses.
        let wanted = serial_zeros + 1;
        serial_zeros = wanted;
        let with_zeros = |n: usize| format!("{}{}", t.serial_number, "0".repeat(n));
        let mut serial_id_now = id_with(serial_zeros);
        while serials.contains(serial_id_now.as_str()) {
            serial_zeros += 1;
            serial_id_now = id_with(serial_zeros);
        }
        let serial = with_zeros(serial_zeros);

        let mut note = format!(
            "Type serial number {serial} (not the {} printed on the device) on My Security Info; the codes are the device's own.",
            t.serial_number
        );
        if serial_zeros > wanted {
            note.push_str(&format!(
                " ({} zeros were added, not {wanted}, because {} is already in use.)",
                serial_zeros,
                with_zeros(wanted)
            ));
        }

        serials.insert(Cow::Owned(serial_id_now));
        keys.insert(secret.as_bytes());
        made.push(Variant {
            record: o.record,
            copy,
            original_serial: t.serial_number.clone(),
            token: Token {
                serial_number: serial,
                manufacturer: t.manufacturer.clone(),
                model: t.model.clone(),
                secret,
                time_interval: t.time_interval,
                hash_function: t.hash_function,
                display_name: None,
                assign_to: None,
            },
            serial_zeros,
            key_zero_bytes: key_zeros,
            note,
        });
    }
    Ok(made)
}

/// Whether `secret_text` (as written in the file) is canonical enough to vary: after the
/// lenient normalisations (case, spaces, hyphens, padding) it has no dangling last character and
/// no non-zero unused trailing bits. Undecodable text is not canonical.
pub fn secret_text_is_canonical(secret_text: &str) -> bool {
    use super::secret::SecretIssueKind::{NonCanonicalBits, NonCanonicalLength};
    match Secret::parse(secret_text) {
        Ok(p) => !p
            .issues
            .iter()
            .any(|i| matches!(i.kind, NonCanonicalBits | NonCanonicalLength)),
        Err(_) => false,
    }
}

/// Token-file diagnostic codes that mark a record's secret text as non-canonical (dangling last
/// character, non-zero unused trailing bits); see `docs/rules.md`.
pub const NON_CANONICAL_CODES: &[&str] = &[codes::SECRET_LENGTH, codes::SECRET_BITS];

/// The file's valid tokens as [`Original`]s: record index from the report, and the secret
/// counted as non-canonical when the record has a diagnostic in [`NON_CANONICAL_CODES`].
pub fn originals(report: &Report) -> Vec<Original<'_>> {
    let flagged: HashSet<usize> = report
        .diagnostics
        .iter()
        .filter(|d| NON_CANONICAL_CODES.contains(&d.code))
        .filter_map(|d| d.record)
        .collect();
    report
        .records
        .iter()
        .filter_map(|r| {
            r.token.as_ref().map(|token| Original {
                record: r.index,
                token,
                canonical_secret: !flagged.contains(&r.index),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::otp::HashAlg;

    fn token(serial: &str, key: Vec<u8>, hash: HashAlg) -> Token {
        Token {
            serial_number: serial.into(),
            manufacturer: "Token2".into(),
            model: "C202".into(),
            secret: Secret::from_bytes(key),
            time_interval: 30,
            hash_function: hash,
            display_name: Some("x".into()),
            assign_to: Some("u@example.com".into()),
        }
    }

    #[test]
    fn seed_example_serial_and_key() {
        let t = token(
            "865923712",
            Secret::parse("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
                .unwrap()
                .secret
                .as_bytes()
                .to_vec(),
            HashAlg::Sha1,
        );
        let o = [Original {
            record: 0,
            token: &t,
            canonical_secret: true,
        }];
        let v = make_variants(&o, &VariantOptions::default()).unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].token.serial_number, "8659237120");
        assert_eq!(
            &*v[0].token.secret.to_base32(),
            "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXPAA"
        );
        assert!(v[0].token.assign_to.is_none() && v[0].token.display_name.is_none());
        assert!(v[0].note.contains("8659237120") && v[0].note.contains("865923712 printed"));
    }

    #[test]
    fn refuses_past_block_and_non_canonical() {
        let t = token("1", vec![7; 64], HashAlg::Sha256);
        let o = [Original {
            record: 3,
            token: &t,
            canonical_secret: true,
        }];
        let r = make_variants(&o, &VariantOptions::default()).unwrap_err();
        assert_eq!(
            r[0].reason,
            RefusalReason::KeyTooLong {
                bytes: 65,
                block: 64
            }
        );
        // Index 3 is the fourth record.
        assert!(r[0]
            .to_string()
            .starts_with("record 4 (serial \"1\"), copy 1:"));
        let t = token("1", vec![7; 20], HashAlg::Sha1);
        let o = [Original {
            record: 0,
            token: &t,
            canonical_secret: false,
        }];
        let r = make_variants(&o, &VariantOptions::default()).unwrap_err();
        assert_eq!(r[0].reason, RefusalReason::NonCanonical);
    }

    #[test]
    fn sha512_stops_at_128_chars() {
        // 80 bytes = 128 chars; 81 bytes would be 130.
        let t = token("1", vec![9; 80], HashAlg::Sha512);
        let o = [Original {
            record: 0,
            token: &t,
            canonical_secret: true,
        }];
        let r = make_variants(&o, &VariantOptions::default()).unwrap_err();
        assert_eq!(r[0].reason, RefusalReason::SecretTooLong { chars: 130 });
    }

    #[test]
    fn padded_key_blocks_decide_the_self_check() {
        let key = [7u8; 20];
        let mut longer = key.to_vec();
        longer.extend([0, 0]);
        assert!(same_hmac_key(&key, &longer, 64));
        // One more byte that is not zero, or a key past the block, is caught.
        let mut other = longer.clone();
        other[21] = 1;
        assert!(!same_hmac_key(&key, &other, 64));
        assert!(!same_hmac_key(&[7; 64], &[7; 65], 64));
        assert!(padded_key_block(&[1; 65], 64).is_none());
        // What the check proves, sampled: equal codes for counters far apart.
        let params = crate::core::OtpParams {
            hash: HashAlg::Sha256,
            digits: 8,
            period: 30,
        };
        let a = crate::core::Generator::new(&Secret::from_bytes(key.to_vec()), params).unwrap();
        let b = crate::core::Generator::new(&Secret::from_bytes(longer), params).unwrap();
        for c in [0, 1, 999, 1_000_000, u64::MAX] {
            assert_eq!(a.hotp_value(c), b.hotp_value(c));
        }
    }

    #[test]
    fn avoids_taken_serials_and_keys() {
        let t = token("100", vec![5; 20], HashAlg::Sha1);
        let o = [Original {
            record: 0,
            token: &t,
            canonical_secret: true,
        }];
        let mut plus_one = vec![5u8; 20];
        plus_one.push(0);
        let taken = Taken {
            serials: &["1000"],
            keys: &[&plus_one],
        };
        let v = make_variants_avoiding(&o, &VariantOptions::default(), taken).unwrap();
        assert_eq!(v[0].token.serial_number, "10000");
        assert_eq!(v[0].key_zero_bytes, 2);
        let r = make_variants(
            &[Original {
                canonical_secret: false,
                ..o[0]
            }],
            &VariantOptions::default(),
        )
        .unwrap_err();
        let json = serde_json::to_value(&r[0]).unwrap();
        assert_eq!(json["code"], "non-canonical-secret");
        assert_eq!(json["message"], r[0].to_string());
    }

    #[test]
    fn canonical_text_check() {
        assert!(secret_text_is_canonical("jbsw y3dp ehpk 3pxp"));
        assert!(!secret_text_is_canonical("2234567abcdef2234567abcdef"));
        assert!(!secret_text_is_canonical("JBSWY3DPEHPK3PXPA"));
        assert!(!secret_text_is_canonical("JBSW0"));
    }
}
