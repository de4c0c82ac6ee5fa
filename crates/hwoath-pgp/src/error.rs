//! One error type for everything that makes a key, a passphrase or a message unusable. Each
//! variant has a stable code (`PGP001`…, catalogued in docs/rules.md under "OpenPGP") and one
//! message that says what to do. No message ever holds a passphrase, a key's secret part or a
//! byte of plaintext: they name key ids, fingerprints, sizes and dates only.

use std::fmt;

/// Why a key could not be made or a message could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PgpError {
    /// The input is not an OpenPGP message (neither binary packets nor a `PGP MESSAGE` armor).
    NotAMessage,
    /// An OpenPGP message, but not encrypted (signed-only or a bare literal): nothing to open.
    NotEncrypted,
    /// The message ends before its last packet does (a cut-off download or copy).
    Truncated,
    /// The message's framing is broken (a changed byte, a bad armor checksum, a malformed packet).
    Damaged,
    /// Decryption ran, but the integrity check (MDC or AEAD tag) failed: the ciphertext was
    /// altered or damaged. Nothing of it was used.
    IntegrityFailed,
    /// The data is encrypted without integrity protection (a Symmetrically Encrypted Data packet,
    /// tag 9, no MDC): refused, this is the EFAIL class of attack.
    NoIntegrityProtection,
    /// The private key given is not one the message is encrypted to.
    WrongKey {
        /// Key ids (16 hex digits) the message is encrypted to; "anonymous" for a hidden one.
        message_for: Vec<String>,
        /// The key given: its primary key id and its encryption subkey ids.
        given: Vec<String>,
    },
    /// The passphrase does not unlock the private key.
    WrongKeyPassphrase {
        /// Fingerprint of the key (groups of four).
        fingerprint: String,
    },
    /// A password-only message whose passphrase did not open it.
    WrongMessagePassphrase,
    /// The message is encrypted to a key, and no private key was given.
    NeedsPrivateKey {
        /// Key ids the message is encrypted to.
        message_for: Vec<String>,
    },
    /// The message is encrypted with a passphrase only, and a private key was given.
    PasswordOnly,
    /// A passphrase is needed (to unlock the key, or to open a password-only message).
    NeedsPassphrase,
    /// A public key was given where the private key is needed.
    PublicKeyGiven {
        /// Its fingerprint (groups of four).
        fingerprint: String,
    },
    /// The input given as a key is not an OpenPGP key.
    NotAKey {
        /// What the key was given for ("the private key", "the sender's key").
        role: &'static str,
    },
    /// The key (or the subkey the message is encrypted to) has expired.
    KeyExpired {
        /// Fingerprint of the key (groups of four).
        fingerprint: String,
        /// When it expired (Unix seconds).
        expired_at: u64,
        /// What the key was given for.
        role: &'static str,
    },
    /// The key (or the subkey the message is encrypted to) is revoked.
    KeyRevoked {
        /// Fingerprint of the key (groups of four).
        fingerprint: String,
        /// What the key was given for.
        role: &'static str,
    },
    /// The message is larger than [`crate::limits::MAX_MESSAGE_BYTES`].
    MessageTooLarge {
        /// Its size in bytes.
        bytes: usize,
    },
    /// The plaintext (after decompression) is larger than [`crate::limits::MAX_PLAINTEXT_BYTES`];
    /// decompression stopped at the limit.
    PlaintextTooLarge,
    /// A key file larger than [`crate::limits::MAX_KEY_BYTES`].
    KeyTooLarge {
        /// Its size in bytes.
        bytes: usize,
    },
    /// A signature made by the sender's key does not verify: the message was altered after
    /// signing, or signed by someone else claiming that key.
    BadSignature {
        /// Fingerprint of the sender key (groups of four).
        fingerprint: String,
    },
    /// A part of the message or key uses something hwoath does not read (named, no secret).
    Unsupported {
        /// What it is, e.g. "compressed data inside compressed data".
        what: String,
    },
    /// The passphrase for a new key is too weak (and the caller did not override it).
    WeakPassphrase {
        /// Why, in one sentence.
        reason: String,
    },
    /// The name typed for a new key cannot be used in a user ID.
    InvalidName {
        /// Why (positions, never the text).
        reason: String,
    },
    /// The e-mail typed for a new key is not an address.
    InvalidEmail {
        /// Why.
        reason: String,
    },
    /// The creation time for a new key is outside what OpenPGP v4 can store (1970–2106).
    InvalidTime,
    /// Key generation failed inside the OpenPGP library (never expected).
    KeyGeneration,
}

impl PgpError {
    /// The stable code of this error (`PGP001`…).
    pub fn code(&self) -> &'static str {
        use PgpError::*;
        match self {
            NotAMessage => "PGP001",
            NotEncrypted => "PGP002",
            Truncated => "PGP003",
            Damaged => "PGP004",
            IntegrityFailed => "PGP005",
            NoIntegrityProtection => "PGP006",
            WrongKey { .. } => "PGP007",
            WrongKeyPassphrase { .. } => "PGP008",
            WrongMessagePassphrase => "PGP009",
            NeedsPrivateKey { .. } => "PGP010",
            PasswordOnly => "PGP011",
            NeedsPassphrase => "PGP012",
            PublicKeyGiven { .. } => "PGP013",
            NotAKey { .. } => "PGP014",
            KeyExpired { .. } => "PGP015",
            KeyRevoked { .. } => "PGP016",
            MessageTooLarge { .. } => "PGP017",
            PlaintextTooLarge => "PGP018",
            KeyTooLarge { .. } => "PGP019",
            BadSignature { .. } => "PGP020",
            Unsupported { .. } => "PGP021",
            WeakPassphrase { .. } => "PGP022",
            InvalidName { .. } => "PGP023",
            InvalidEmail { .. } => "PGP024",
            InvalidTime => "PGP025",
            KeyGeneration => "PGP026",
        }
    }
}

/// `a, b and c`.
fn list(items: &[String]) -> String {
    match items {
        [] => "no key".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `67,108,864`.
fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `2026-03-01` for Unix seconds (UTC; proleptic Gregorian, as `date -u +%F`).
pub fn utc_date(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

impl fmt::Display for PgpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::limits::{MAX_KEY_BYTES, MAX_MESSAGE_BYTES, MAX_PLAINTEXT_BYTES};
        use PgpError::*;
        match self {
            NotAMessage => write!(
                f,
                "not an OpenPGP message (neither OpenPGP packets nor a -----BEGIN PGP MESSAGE----- block)"
            ),
            NotEncrypted => write!(
                f,
                "an OpenPGP message, but not an encrypted one (signed or plain only): there is nothing to decrypt"
            ),
            Truncated => write!(
                f,
                "the encrypted message is truncated (it ends inside a packet): copy or download the whole file again; nothing was decrypted"
            ),
            Damaged => write!(
                f,
                "the encrypted message is damaged (a malformed packet or a bad armor checksum): get the file again; nothing was decrypted"
            ),
            IntegrityFailed => write!(
                f,
                "the integrity check failed: the encrypted message was altered or damaged after it was encrypted; nothing of it was used"
            ),
            NoIntegrityProtection => write!(
                f,
                "the message is encrypted without integrity protection (a Symmetrically Encrypted Data packet, no MDC): refused, as such data can be altered unnoticed (the EFAIL class of attack); ask the sender to encrypt again with a current OpenPGP tool"
            ),
            WrongKey { message_for, given } => write!(
                f,
                "the message is encrypted to key {} but the key given is {}: give the private key for {}",
                list(message_for),
                list(given),
                list(message_for)
            ),
            WrongKeyPassphrase { fingerprint } => write!(
                f,
                "wrong passphrase for the private key {fingerprint}"
            ),
            WrongMessagePassphrase => write!(
                f,
                "wrong passphrase for this password-only message (or the message was altered: without a key the two cannot be told apart); nothing of it was used"
            ),
            NeedsPrivateKey { message_for } => write!(
                f,
                "the message is encrypted to key {}: give the private key",
                list(message_for)
            ),
            PasswordOnly => write!(
                f,
                "the message is encrypted with a passphrase only, not to a key: give the passphrase without a private key"
            ),
            NeedsPassphrase => write!(f, "a passphrase is needed"),
            PublicKeyGiven { fingerprint } => write!(
                f,
                "the key given is the public key {fingerprint}; decrypting needs the private key (the …-private-key.asc file)"
            ),
            NotAKey { role } => write!(
                f,
                "{role} is not an OpenPGP key (expected -----BEGIN PGP PRIVATE KEY BLOCK----- or -----BEGIN PGP PUBLIC KEY BLOCK-----, or the same in binary)"
            ),
            KeyExpired {
                fingerprint,
                expired_at,
                role,
            } => write!(
                f,
                "{role} {fingerprint} expired on {} (UTC)",
                utc_date(*expired_at)
            ),
            KeyRevoked { fingerprint, role } => write!(
                f,
                "{role} {fingerprint} is revoked: its owner declared it must not be used"
            ),
            MessageTooLarge { bytes } => write!(
                f,
                "the encrypted message is {} bytes; hwoath reads at most {} bytes (64 MiB, docs/limits.md)",
                thousands(*bytes),
                thousands(MAX_MESSAGE_BYTES)
            ),
            PlaintextTooLarge => write!(
                f,
                "the message decompresses to more than {} bytes (64 MiB, the decompressed-size limit in docs/limits.md): refused as a possible compression bomb; nothing of it was used",
                thousands(MAX_PLAINTEXT_BYTES)
            ),
            KeyTooLarge { bytes } => write!(
                f,
                "the key file is {} bytes; hwoath reads keys of at most {} bytes (1 MiB, docs/limits.md)",
                thousands(*bytes),
                thousands(MAX_KEY_BYTES)
            ),
            BadSignature { fingerprint } => write!(
                f,
                "BAD signature by the sender's key {fingerprint}: the message was altered after it was signed, or was not signed by that key; nothing of it was used"
            ),
            Unsupported { what } => write!(f, "unsupported: {what}"),
            WeakPassphrase { reason } => write!(
                f,
                "the passphrase is too weak: {reason} (override: --allow-weak-passphrase / allowWeakPassphrase)"
            ),
            InvalidName { reason } => write!(f, "the name cannot be used: {reason}"),
            InvalidEmail { reason } => write!(f, "the e-mail address cannot be used: {reason}"),
            InvalidTime => write!(
                f,
                "the creation time must be between 1970 and 2106 (Unix seconds that fit 32 bits)"
            ),
            KeyGeneration => write!(f, "the key could not be generated (internal error)"),
        }
    }
}

impl std::error::Error for PgpError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14");
        assert_eq!(utc_date(u64::from(u32::MAX)), "2106-02-07");
    }

    #[test]
    fn sizes_read_with_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(1000), "1,000");
        assert!(PgpError::PlaintextTooLarge
            .to_string()
            .contains("67,108,864 bytes"));
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(list(&[]), "no key");
        assert_eq!(list(&["A".into()]), "A");
        assert_eq!(list(&["A".into(), "B".into(), "C".into()]), "A, B and C");
    }

    #[test]
    fn codes_are_distinct() {
        let all = [
            PgpError::NotAMessage,
            PgpError::NotEncrypted,
            PgpError::Truncated,
            PgpError::Damaged,
            PgpError::IntegrityFailed,
            PgpError::NoIntegrityProtection,
            PgpError::WrongKey {
                message_for: vec![],
                given: vec![],
            },
            PgpError::WrongKeyPassphrase {
                fingerprint: String::new(),
            },
            PgpError::WrongMessagePassphrase,
            PgpError::NeedsPrivateKey {
                message_for: vec![],
            },
            PgpError::PasswordOnly,
            PgpError::NeedsPassphrase,
            PgpError::PublicKeyGiven {
                fingerprint: String::new(),
            },
            PgpError::NotAKey { role: "" },
            PgpError::KeyExpired {
                fingerprint: String::new(),
                expired_at: 0,
                role: "",
            },
            PgpError::KeyRevoked {
                fingerprint: String::new(),
                role: "",
            },
            PgpError::MessageTooLarge { bytes: 0 },
            PgpError::PlaintextTooLarge,
            PgpError::KeyTooLarge { bytes: 0 },
            PgpError::BadSignature {
                fingerprint: String::new(),
            },
            PgpError::Unsupported {
                what: String::new(),
            },
            PgpError::WeakPassphrase {
                reason: String::new(),
            },
            PgpError::InvalidName {
                reason: String::new(),
            },
            PgpError::InvalidEmail {
                reason: String::new(),
            },
            PgpError::InvalidTime,
            PgpError::KeyGeneration,
        ];
        let codes: std::collections::BTreeSet<_> = all.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), all.len());
        assert!(codes
            .iter()
            .enumerate()
            .all(|(i, c)| *c == format!("PGP{:03}", i + 1)));
    }
}
