//! Opening the vendor's encrypted file in memory.
//!
//! Encrypted to a key (PKESK: `gpg --encrypt -r …`) with the private key and its passphrase, or
//! with a passphrase only (SKESK: `gpg --symmetric`); signed and encrypted (`gpg --sign
//! --encrypt`) with the sender's public key to check the signature. Every refusal is one
//! [`PgpError`], and no plaintext leaves this module unless the whole message decrypted, passed
//! its integrity check (MDC or AEAD), decompressed within [`MAX_PLAINTEXT_BYTES`] and had no bad
//! signature. The plaintext is built in wiped memory (no reallocation leaves a copy behind).
//!
//! Refused on purpose: data without integrity protection (SED packets, the EFAIL class), a
//! compression layer inside another, Argon2 parameters above
//! [`crate::limits::MAX_ARGON2_MEMORY_EXPONENT`], expired or revoked keys.

use std::io::{BufRead, Read};

use pgp::composed::{
    DecryptionOptions, Edata, Esk, Message, PlainSessionKey, SignedPublicKey, SignedSecretKey,
    TheRing,
};
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::packet::{ProtectedDataConfig, SymEncryptedProtectedDataConfig};
use pgp::types::{
    DecryptionKey, EskType, KeyDetails, Password, PkeskVersion, S2kParams, SecretParams,
    Seipdv1ReadMode, StringToKey,
};
use serde::Serialize;
use zeroize::Zeroizing;

use crate::detect::{detect, header, tag, MessageFormat};
use crate::error::PgpError;
use crate::keys::{
    fingerprint_groups, hex_upper, key_id_hex, parse_key, primary_validity, subkey_validity, AnyKey,
};
use crate::limits::{MAX_ARGON2_MEMORY_EXPONENT, MAX_MESSAGE_BYTES, MAX_PLAINTEXT_BYTES};
use crate::passphrase::Passphrase;

/// What to open a message with.
#[derive(Debug, Clone, Copy, Default)]
pub struct DecryptOptions<'a> {
    /// The admin's private key (armored or binary); `None` for a password-only message.
    pub private_key: Option<&'a [u8]>,
    /// The passphrase: of the private key, or of a password-only message.
    pub passphrase: Option<&'a Passphrase>,
    /// The sender's public key (armored or binary), to check a signature.
    pub verify_with: Option<&'a [u8]>,
    /// "Now", Unix seconds (the caller's clock): keys expired by then are refused.
    pub now: u64,
}

/// What is known about a message before it is opened (no key needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageSummary {
    /// `armored` or `binary`.
    pub format: &'static str,
    /// Key ids (16 hex digits) the message is encrypted to; `anonymous` for a hidden recipient.
    pub recipients: Vec<String>,
    /// How many passphrases (SKESK packets) can open it (`gpg --symmetric`: 1).
    pub passwords: usize,
    /// `mdc` (SEIPD v1), `aead` (SEIPD v2 or GnuPG's OCB packet) or `none` (refused: SED).
    pub integrity: &'static str,
}

/// Who opened the message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum DecryptedWith {
    /// The private key given.
    #[serde(rename_all = "camelCase")]
    Key {
        /// The primary key's fingerprint (40 hex digits).
        fingerprint: String,
        /// The same in groups of four.
        fingerprint_groups: String,
        /// The (sub)key whose session key packet was decrypted.
        key_id: String,
        /// The key's user IDs, as written in it.
        user_ids: Vec<String>,
    },
    /// The passphrase of a password-only message.
    Passphrase,
}

/// The outcome of one signature on the message. A bad signature is not an outcome but an error
/// ([`PgpError::BadSignature`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "camelCase")]
pub enum SignatureCheck {
    /// Made by the sender's key given, and it verifies.
    #[serde(rename_all = "camelCase")]
    Valid {
        /// The sender's primary key fingerprint.
        signer_fingerprint: String,
        /// The same in groups of four.
        signer_fingerprint_groups: String,
        /// The (sub)key that made the signature.
        signer_key_id: String,
        /// The signature's creation time, Unix seconds.
        created: Option<u64>,
    },
    /// It could not be checked; never hidden.
    #[serde(rename_all = "camelCase")]
    Unchecked {
        /// Why, in one sentence.
        reason: String,
        /// Key ids the signature names as its issuer.
        issuer_key_ids: Vec<String>,
        /// Fingerprints it names as its issuer.
        issuer_fingerprints: Vec<String>,
        /// Its creation time, Unix seconds.
        created: Option<u64>,
    },
}

/// What was learned while opening a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageInfo {
    /// `armored` or `binary`.
    pub format: &'static str,
    /// Key ids the message is encrypted to.
    pub recipients: Vec<String>,
    /// How many passphrases (SKESK packets) can open it.
    pub passwords: usize,
    /// What opened it.
    pub decrypted_with: DecryptedWith,
    /// The symmetric cipher, e.g. `AES256`; `None` when the packet does not say (SEIPD v2 carries
    /// it in its header, which rPGP does not expose).
    pub cipher: Option<String>,
    /// `mdc` or `aead`.
    pub integrity: &'static str,
    /// `zip`, `zlib`, `bzip2` or `uncompressed` (a compressed packet that stores); `None` when the
    /// literal data is not inside a compressed packet.
    pub compression: Option<&'static str>,
    /// The date in the literal data packet (the sender's file time or encryption time), Unix
    /// seconds; `None` when it is zero.
    pub date: Option<u64>,
    /// The file name in the literal data packet (as written by the sender: escape it before
    /// showing it); `None` when empty.
    pub file_name: Option<String>,
    /// One entry per signature; empty when the message is not signed.
    pub signatures: Vec<SignatureCheck>,
    /// The plaintext's size in bytes.
    pub bytes: usize,
}

/// A decrypted message. The plaintext is wiped when dropped; `Debug` does not show it.
pub struct Decrypted {
    /// The plaintext bytes (the token file).
    pub plaintext: Zeroizing<Vec<u8>>,
    /// What was learned.
    pub info: MessageInfo,
}

impl std::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decrypted")
            .field(
                "plaintext",
                &format_args!("<{} bytes hidden>", self.plaintext.len()),
            )
            .field("info", &self.info)
            .finish()
    }
}

/// The message as binary packets, and how it was written. Armor is removed; a BEGIN line
/// without its END line is a truncated message.
fn binary_of(bytes: &[u8]) -> Result<(Zeroizing<Vec<u8>>, MessageFormat), PgpError> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(PgpError::MessageTooLarge { bytes: bytes.len() });
    }
    match detect(bytes) {
        None => Err(PgpError::NotAMessage),
        Some(MessageFormat::Binary) => Ok((Zeroizing::new(bytes.to_vec()), MessageFormat::Binary)),
        Some(MessageFormat::Armored) => {
            let at = crate::detect::armor_start(bytes).unwrap_or(0);
            let text = &bytes[at..];
            let mut dearmor = pgp::armor::Dearmor::with_options(
                text,
                // No CRC-24 check: RFC 9580 §6.1 says to ignore it, and with rPGP 0.21 it refused
                // gpg 2.2's valid armor in our tests. The MDC or AEAD tag catches every change.
                pgp::armor::DearmorOptions::new().set_limit(MAX_MESSAGE_BYTES),
            );
            let mut out = Zeroizing::new(Vec::new());
            let ended = find(text, b"-----END PGP MESSAGE-----").is_some();
            match dearmor.read_to_end(&mut out) {
                Ok(_) if matches!(dearmor.typ, Some(pgp::armor::BlockType::Message)) => {
                    Ok((out, MessageFormat::Armored))
                }
                Ok(_) => Err(PgpError::NotAMessage),
                Err(_) if !ended => Err(PgpError::Truncated),
                Err(_) => Err(PgpError::Damaged),
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Walks the top-level packets by their headers alone (lengths, partial lengths): a packet that
/// runs past the end is a truncated message, bytes that are no packet header a damaged one.
/// Returns the tags in order.
fn packet_tags(b: &[u8]) -> Result<Vec<u8>, PgpError> {
    let mut tags = Vec::new();
    let mut at = 0;
    while at < b.len() {
        let rest = &b[at..];
        let Some(h) = header(rest) else {
            // A header cut in the middle is truncation; a byte that is no header is damage.
            return Err(if rest[0] & 0x80 != 0 && rest.len() < 6 {
                PgpError::Truncated
            } else {
                PgpError::Damaged
            });
        };
        tags.push(h.tag);
        let new_format = rest[0] & 0x40 != 0;
        match h.len {
            Some(len) => {
                let end = h.body.checked_add(len).ok_or(PgpError::Damaged)?;
                if end > rest.len() {
                    return Err(PgpError::Truncated);
                }
                at += end;
            }
            None if !new_format => at = b.len(), // old format, indeterminate: to the end
            None => {
                // New-format partial body lengths: chunks of 2^n, then a final fixed length.
                let mut p = 1;
                loop {
                    let Some(&l0) = rest.get(p) else {
                        return Err(PgpError::Truncated);
                    };
                    let (hdr, len, last) = match l0 {
                        0..=191 => (1, l0 as usize, true),
                        192..=223 => {
                            let Some(&l1) = rest.get(p + 1) else {
                                return Err(PgpError::Truncated);
                            };
                            (2, ((l0 as usize - 192) << 8) + l1 as usize + 192, true)
                        }
                        255 => {
                            let Some(n) = rest.get(p + 1..p + 5) else {
                                return Err(PgpError::Truncated);
                            };
                            (
                                5,
                                u32::from_be_bytes([n[0], n[1], n[2], n[3]]) as usize,
                                true,
                            )
                        }
                        _ => (1, 1usize << (l0 & 0x1f), false),
                    };
                    p += hdr + len;
                    if p > rest.len() {
                        return Err(PgpError::Truncated);
                    }
                    if last {
                        break;
                    }
                }
                at += p;
            }
        }
    }
    Ok(tags)
}

/// Checks the message's framing and that it is an encrypted one: SED data is refused here,
/// before any key or passphrase is touched (unless `allow_sed`, to describe it).
fn check_structure(binary: &[u8], allow_sed: bool) -> Result<(), PgpError> {
    let tags = packet_tags(binary)?;
    let data = tags
        .iter()
        .find(|t| matches!(**t, tag::SED | tag::SEIPD | tag::GNUPG_AEAD));
    match data {
        Some(&tag::SED) if !allow_sed => Err(PgpError::NoIntegrityProtection),
        Some(_) => Ok(()),
        None if tags.iter().any(|t| matches!(*t, tag::PKESK | tag::SKESK)) => {
            // Session keys but no encrypted data after them: cut off at a packet boundary.
            Err(PgpError::Truncated)
        }
        None => Err(PgpError::NotEncrypted),
    }
}

fn recipients_of(esk: &[Esk]) -> (Vec<String>, usize) {
    let mut recipients = Vec::new();
    let mut passwords = 0;
    for e in esk {
        match e {
            Esk::PublicKeyEncryptedSessionKey(p) => {
                let id = match (p.id(), p.fingerprint()) {
                    (Ok(id), _) => key_id_hex(id),
                    (_, Ok(Some(fp))) => hex_upper(fp.as_bytes()),
                    _ => "anonymous".to_string(),
                };
                if !recipients.contains(&id) {
                    recipients.push(id);
                }
            }
            Esk::SymKeyEncryptedSessionKey(_) => passwords += 1,
        }
    }
    (recipients, passwords)
}

fn integrity_of(edata: &Edata<'_>) -> &'static str {
    match edata {
        Edata::SymEncryptedData { .. } => "none",
        Edata::SymEncryptedProtectedData { reader } => match reader.config() {
            ProtectedDataConfig::Seipd(SymEncryptedProtectedDataConfig::V1) => "mdc",
            _ => "aead",
        },
        Edata::GnupgAeadData { .. } => "aead",
    }
}

/// Parses a message far enough to say what it needs (see [`MessageSummary`]).
pub fn inspect_message(bytes: &[u8]) -> Result<MessageSummary, PgpError> {
    let (binary, format) = binary_of(bytes)?;
    check_structure(&binary, true)?;
    let msg = Message::from_bytes(&binary[..]).map_err(|_| PgpError::Damaged)?;
    let Message::Encrypted { esk, edata, .. } = &msg else {
        return Err(PgpError::NotEncrypted);
    };
    let (recipients, passwords) = recipients_of(esk);
    Ok(MessageSummary {
        format: format_name(format),
        recipients,
        passwords,
        integrity: integrity_of(edata),
    })
}

fn format_name(f: MessageFormat) -> &'static str {
    match f {
        MessageFormat::Armored => "armored",
        MessageFormat::Binary => "binary",
    }
}

/// Refuses Argon2 parameters that would take more memory than the limit.
fn check_s2k(s2k: &StringToKey) -> Result<(), PgpError> {
    if let StringToKey::Argon2 { m_enc, .. } = s2k {
        if *m_enc > MAX_ARGON2_MEMORY_EXPONENT {
            return Err(PgpError::Unsupported {
                what: format!(
                    "an Argon2 passphrase derivation asking for 2^{m_enc} KiB of memory (hwoath allows at most 2^{MAX_ARGON2_MEMORY_EXPONENT} KiB = 1 GiB, docs/limits.md)"
                ),
            });
        }
    }
    Ok(())
}

fn check_key_s2k(params: &SecretParams) -> Result<(), PgpError> {
    if let SecretParams::Encrypted(e) = params {
        match e.string_to_key_params() {
            S2kParams::Aead { s2k, .. }
            | S2kParams::Cfb { s2k, .. }
            | S2kParams::MalleableCfb { s2k, .. } => check_s2k(s2k)?,
            S2kParams::Unprotected | S2kParams::LegacyCfb { .. } => {}
        }
    }
    Ok(())
}

/// The session key from a PKESK the private key can open.
fn session_key_from_key(
    esk: &[Esk],
    recipients: &[String],
    key_bytes: &[u8],
    passphrase: Option<&Passphrase>,
    now: u64,
) -> Result<(PlainSessionKey, DecryptedWith), PgpError> {
    let key: SignedSecretKey = match parse_key(key_bytes, "the private key")? {
        AnyKey::Secret(k) => k,
        AnyKey::Public(k) => {
            return Err(PgpError::PublicKeyGiven {
                fingerprint: fingerprint_groups(&hex_upper(k.primary_key.fingerprint().as_bytes())),
            })
        }
    };
    let primary = key.primary_key.public_key();
    let fingerprint = hex_upper(primary.fingerprint().as_bytes());
    let pkesks: Vec<_> = esk
        .iter()
        .filter_map(|e| match e {
            Esk::PublicKeyEncryptedSessionKey(p) => Some(p),
            Esk::SymKeyEncryptedSessionKey(_) => None,
        })
        .collect();
    if pkesks.is_empty() {
        return Err(PgpError::PasswordOnly);
    }
    // Candidates: every subkey, then the primary key (some RSA keys encrypt with it).
    enum Candidate<'k> {
        Sub(&'k pgp::composed::SignedSecretSubKey),
        Primary,
    }
    let candidates: Vec<Candidate<'_>> = key
        .secret_subkeys
        .iter()
        .map(Candidate::Sub)
        .chain(std::iter::once(Candidate::Primary))
        .collect();
    let mut matched = None;
    'outer: for p in &pkesks {
        for c in &candidates {
            let hit = match c {
                Candidate::Sub(s) => p.match_identity(s.key.public_key()),
                Candidate::Primary => p.match_identity(primary),
            };
            if hit {
                matched = Some((*p, c));
                break 'outer;
            }
        }
    }
    let Some((pkesk, candidate)) = matched else {
        let mut given = vec![hex_upper(primary.legacy_key_id().as_ref())];
        given.extend(
            key.secret_subkeys
                .iter()
                .map(|s| hex_upper(s.key.public_key().legacy_key_id().as_ref())),
        );
        return Err(PgpError::WrongKey {
            message_for: recipients.to_vec(),
            given,
        });
    };
    primary_validity(primary, &key.details).check(&fingerprint, now, "the private key")?;
    let typ = match pkesk.version() {
        PkeskVersion::V3 => EskType::V3_4,
        PkeskVersion::V6 => EskType::V6,
        PkeskVersion::Other(v) => {
            return Err(PgpError::Unsupported {
                what: format!("a version {v} session key packet"),
            })
        }
    };
    let values = pkesk.values().map_err(|_| PgpError::Damaged)?;
    let (secret_params, key_id) = match candidate {
        Candidate::Sub(s) => {
            let sub = s.key.public_key();
            let (validity, _) = subkey_validity(primary, sub, &s.signatures);
            validity.check(
                &hex_upper(sub.fingerprint().as_bytes()),
                now,
                "the encryption subkey of the private key",
            )?;
            (
                s.key.secret_params(),
                hex_upper(sub.legacy_key_id().as_ref()),
            )
        }
        Candidate::Primary => (
            key.primary_key.secret_params(),
            hex_upper(primary.legacy_key_id().as_ref()),
        ),
    };
    check_key_s2k(secret_params)?;
    let password = match passphrase {
        Some(p) => p.to_password(),
        None if secret_params.is_encrypted() => return Err(PgpError::NeedsPassphrase),
        None => Password::empty(),
    };
    let result = match candidate {
        Candidate::Sub(s) => s.key.decrypt(&password, values, typ),
        Candidate::Primary => key.primary_key.decrypt(&password, values, typ),
    };
    let session_key = match result {
        Ok(Ok(sk)) => sk,
        // The key unlocked, but the session key packet did not decrypt: it is damaged.
        Ok(Err(_)) => return Err(PgpError::Damaged),
        Err(_) => {
            return Err(PgpError::WrongKeyPassphrase {
                fingerprint: fingerprint_groups(&fingerprint),
            })
        }
    };
    Ok((
        session_key,
        DecryptedWith::Key {
            fingerprint_groups: fingerprint_groups(&fingerprint),
            fingerprint,
            key_id,
            user_ids: key
                .details
                .users
                .iter()
                .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
                .collect(),
        },
    ))
}

/// The session key from an SKESK the passphrase opens.
fn session_key_from_password(
    esk: &[Esk],
    passphrase: &Passphrase,
) -> Result<PlainSessionKey, PgpError> {
    let password = passphrase.to_password();
    let mut supported = false;
    for e in esk {
        if let Esk::SymKeyEncryptedSessionKey(s) = e {
            if !s.is_supported() {
                continue;
            }
            if let Some(s2k) = s.s2k() {
                check_s2k(s2k)?;
            }
            supported = true;
            if let Ok(sk) = pgp::composed::decrypt_session_key_with_password(s, &password) {
                return Ok(sk);
            }
        }
    }
    Err(if supported {
        PgpError::WrongMessagePassphrase
    } else {
        PgpError::Unsupported {
            what: "the message's passphrase packet version".into(),
        }
    })
}

/// Reads `r` to its end into wiped memory, at most `limit` bytes: one more is
/// [`PgpError::PlaintextTooLarge`]. Growth copies into a new wiped buffer (the old one is wiped
/// when dropped), so no copy of the plaintext is left in freed memory by this function.
fn read_capped(r: &mut impl Read, limit: usize) -> Result<Zeroizing<Vec<u8>>, std::io::Error> {
    let mut out: Zeroizing<Vec<u8>> = Zeroizing::new(Vec::with_capacity(64 * 1024));
    let mut chunk = Zeroizing::new([0u8; 16 * 1024]);
    loop {
        let n = match r.read(&mut chunk[..]) {
            Ok(0) => return Ok(out),
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if out.len() + n > limit {
            return Err(std::io::Error::other(TooLarge));
        }
        if out.len() + n > out.capacity() {
            let mut bigger =
                Zeroizing::new(Vec::with_capacity((out.capacity() * 2).max(out.len() + n)));
            bigger.extend_from_slice(&out);
            out = bigger;
        }
        out.extend_from_slice(&chunk[..n]);
    }
}

#[derive(Debug)]
struct TooLarge;
impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("plaintext limit")
    }
}
impl std::error::Error for TooLarge {}

/// Whether an error (or its sources) is rPGP's integrity failure (MDC or AEAD tag).
fn is_integrity_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(p) = err.downcast_ref::<pgp::errors::Error>() {
            if matches!(
                p,
                pgp::errors::Error::MdcError | pgp::errors::Error::Aead { .. }
            ) {
                return true;
            }
        }
        if let Some(io) = err.downcast_ref::<std::io::Error>() {
            if let Some(inner) = io.get_ref() {
                if is_integrity_error(inner) {
                    return true;
                }
            }
        }
        cur = err.source();
    }
    false
}

fn compression_name(byte: u8) -> Result<&'static str, PgpError> {
    Ok(match byte {
        0 => "uncompressed",
        1 => "zip",
        2 => "zlib",
        3 => "bzip2",
        n => {
            return Err(PgpError::Unsupported {
                what: format!("compression algorithm {n}"),
            })
        }
    })
}

/// The signer (sender) key's verifying parts: the primary key and every subkey, with the
/// primary key's fingerprint.
struct Sender {
    key: SignedPublicKey,
    fingerprint: String,
}

fn sender_key(bytes: &[u8]) -> Result<Sender, PgpError> {
    let key = match parse_key(bytes, "the sender's key")? {
        AnyKey::Public(k) => k,
        AnyKey::Secret(k) => k.to_public_key(),
    };
    let fingerprint = hex_upper(key.primary_key.fingerprint().as_bytes());
    Ok(Sender { key, fingerprint })
}

/// Opens a message (see the module docs).
pub fn decrypt_message(bytes: &[u8], options: &DecryptOptions<'_>) -> Result<Decrypted, PgpError> {
    let (binary, format) = binary_of(bytes)?;
    check_structure(&binary, false)?;
    let msg = Message::from_bytes(&binary[..]).map_err(|_| PgpError::Damaged)?;
    let (recipients, passwords, integrity) = match &msg {
        Message::Encrypted { esk, edata, .. } => {
            let (r, p) = recipients_of(esk);
            (r, p, integrity_of(edata))
        }
        _ => return Err(PgpError::NotEncrypted),
    };
    if integrity == "none" {
        return Err(PgpError::NoIntegrityProtection);
    }
    // Check the sender's key first: a bad file given there should not cost a decryption.
    let sender = options.verify_with.map(sender_key).transpose()?;
    let Message::Encrypted { esk, .. } = &msg else {
        return Err(PgpError::NotEncrypted);
    };
    let by_password;
    let (session_key, decrypted_with) = match options.private_key {
        Some(key) => {
            by_password = false;
            session_key_from_key(esk, &recipients, key, options.passphrase, options.now)?
        }
        None => {
            by_password = true;
            if passwords == 0 {
                return Err(if recipients.is_empty() {
                    PgpError::Unsupported {
                        what: "encrypted data without a session key packet".into(),
                    }
                } else {
                    PgpError::NeedsPrivateKey {
                        message_for: recipients.clone(),
                    }
                });
            }
            let pass = options.passphrase.ok_or(PgpError::NeedsPassphrase)?;
            (
                session_key_from_password(esk, pass)?,
                DecryptedWith::Passphrase,
            )
        }
    };
    let cipher = session_key.sym_algorithm().map(cipher_name);
    let integrity_failed = || {
        if by_password {
            PgpError::WrongMessagePassphrase
        } else {
            PgpError::IntegrityFailed
        }
    };
    let ring = TheRing {
        session_keys: vec![session_key],
        decrypt_options: DecryptionOptions::new()
            .enable_gnupg_aead()
            .set_seipdv1_read_mode(Seipdv1ReadMode::CheckFirst {
                max_message_size: MAX_MESSAGE_BYTES,
            }),
        ..Default::default()
    };
    let (mut msg, _) = msg
        .decrypt_the_ring(ring, true)
        .map_err(|_| integrity_failed())?;

    // Unwrap: at most one compression layer, around or inside the signatures (a second is
    // refused, so this runs at most twice).
    let mut compression = None;
    loop {
        let compressed = match &msg {
            Message::Compressed { .. } => true,
            Message::Signed { reader, .. } => reader.get_ref().is_compressed(),
            Message::Literal { .. } => break,
            Message::Encrypted { .. } => {
                return Err(PgpError::Unsupported {
                    what: "encrypted data inside encrypted data".into(),
                })
            }
        };
        if !compressed {
            break;
        }
        if compression.is_some() {
            return Err(PgpError::Unsupported {
                what: "compressed data inside compressed data".into(),
            });
        }
        let first = msg.get_mut().fill_buf().map_err(|e| {
            if is_integrity_error(&e) {
                integrity_failed()
            } else {
                PgpError::Damaged
            }
        })?;
        compression = Some(compression_name(*first.first().ok_or(PgpError::Damaged)?)?);
        msg = msg.decompress().map_err(|_| PgpError::Damaged)?;
    }

    let plaintext = read_capped(&mut msg, MAX_PLAINTEXT_BYTES).map_err(|e| {
        if e.get_ref().is_some_and(|i| i.is::<TooLarge>()) {
            PgpError::PlaintextTooLarge
        } else if is_integrity_error(&e) {
            integrity_failed()
        } else {
            PgpError::Damaged
        }
    })?;

    let header = msg.literal_data_header().ok_or(PgpError::Damaged)?;
    let date = Some(u64::from(header.created().as_secs())).filter(|&d| d > 0);
    let file_name =
        Some(String::from_utf8_lossy(header.file_name()).into_owned()).filter(|n| !n.is_empty());
    let signatures = check_signatures(&msg, sender.as_ref(), options.now)?;
    let bytes = plaintext.len();
    Ok(Decrypted {
        plaintext,
        info: MessageInfo {
            format: format_name(format),
            recipients,
            passwords,
            decrypted_with,
            cipher,
            integrity,
            compression,
            date,
            file_name,
            signatures,
            bytes,
        },
    })
}

fn cipher_name(alg: SymmetricKeyAlgorithm) -> String {
    match alg {
        SymmetricKeyAlgorithm::AES128 => "AES128".into(),
        SymmetricKeyAlgorithm::AES192 => "AES192".into(),
        SymmetricKeyAlgorithm::AES256 => "AES256".into(),
        SymmetricKeyAlgorithm::TripleDES => "3DES".into(),
        SymmetricKeyAlgorithm::CAST5 => "CAST5".into(),
        SymmetricKeyAlgorithm::Blowfish => "Blowfish".into(),
        SymmetricKeyAlgorithm::Twofish => "Twofish".into(),
        SymmetricKeyAlgorithm::Camellia128 => "Camellia128".into(),
        SymmetricKeyAlgorithm::Camellia192 => "Camellia192".into(),
        SymmetricKeyAlgorithm::Camellia256 => "Camellia256".into(),
        SymmetricKeyAlgorithm::IDEA => "IDEA".into(),
        other => format!("algorithm {}", u8::from(other)),
    }
}

/// Checks every signature of a read message against the sender's key.
fn check_signatures(
    msg: &Message<'_>,
    sender: Option<&Sender>,
    now: u64,
) -> Result<Vec<SignatureCheck>, PgpError> {
    let Message::Signed { reader, .. } = msg else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for i in 0..reader.num_signatures() {
        let Some(sig) = reader.signature(i) else {
            return Err(PgpError::Damaged);
        };
        let issuer_key_ids: Vec<String> =
            sig.issuer_key_id().iter().map(|k| key_id_hex(k)).collect();
        let issuer_fingerprints: Vec<String> = sig
            .issuer_fingerprint()
            .iter()
            .map(|f| hex_upper(f.as_bytes()))
            .collect();
        let created = sig.created().map(|t| u64::from(t.as_secs()));
        let unchecked = |reason: String| SignatureCheck::Unchecked {
            reason,
            issuer_key_ids: issuer_key_ids.clone(),
            issuer_fingerprints: issuer_fingerprints.clone(),
            created,
        };
        let Some(sender) = sender else {
            out.push(unchecked(
                "no sender key was given to check it (the sender's public key checks it)".into(),
            ));
            continue;
        };
        // The sender's key that the signature names: the primary key or a subkey.
        let names = |id: pgp::types::KeyId, fp: &[u8]| {
            sig.issuer_key_id().iter().any(|k| **k == id)
                || sig.issuer_fingerprint().iter().any(|f| f.as_bytes() == fp)
        };
        let key = &sender.key;
        let primary_hit = names(
            key.primary_key.legacy_key_id(),
            key.primary_key.fingerprint().as_bytes(),
        );
        let sub_hit = key
            .public_subkeys
            .iter()
            .find(|s| names(s.key.legacy_key_id(), s.key.fingerprint().as_bytes()));
        let (verified, signer_key_id) = if primary_hit {
            (
                msg.verify_nested_explicit(i, &key.primary_key).is_ok(),
                hex_upper(key.primary_key.legacy_key_id().as_ref()),
            )
        } else if let Some(s) = sub_hit {
            (
                msg.verify_nested_explicit(i, &s.key).is_ok(),
                hex_upper(s.key.legacy_key_id().as_ref()),
            )
        } else {
            let named = issuer_fingerprints
                .first()
                .map(|f| fingerprint_groups(f))
                .or(issuer_key_ids.first().cloned())
                .unwrap_or_else(|| "an unnamed key".into());
            out.push(unchecked(format!(
                "signed by key {named}, not by the sender's key given ({})",
                fingerprint_groups(&sender.fingerprint)
            )));
            continue;
        };
        if !verified {
            return Err(PgpError::BadSignature {
                fingerprint: fingerprint_groups(&sender.fingerprint),
            });
        }
        // A good signature by a key revoked since, or made after the key expired.
        let validity = primary_validity(&key.primary_key, &key.details);
        validity.check(
            &sender.fingerprint,
            created.unwrap_or(now),
            "the sender's key",
        )?;
        if let Some(s) = sub_hit {
            subkey_validity(&key.primary_key, &s.key, &s.signatures)
                .0
                .check(
                    &hex_upper(s.key.fingerprint().as_bytes()),
                    created.unwrap_or(now),
                    "the sender's signing subkey",
                )?;
        }
        out.push(SignatureCheck::Valid {
            signer_fingerprint_groups: fingerprint_groups(&sender.fingerprint),
            signer_fingerprint: sender.fingerprint.clone(),
            signer_key_id,
            created,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packet_walk_finds_truncation_and_damage() {
        // PKESK (new format, 3 bytes) then SEIPD with a 4-byte body.
        let m = [0xc1, 0x03, 3, 0, 0, 0xd2, 0x04, 1, 2, 3, 4];
        assert_eq!(packet_tags(&m).unwrap(), vec![1, 18]);
        assert_eq!(check_structure(&m, false), Ok(()));
        for cut in 1..m.len() {
            let e = check_structure(&m[..cut], false).unwrap_err();
            assert_eq!(e, PgpError::Truncated, "cut at {cut}");
        }
        let mut bad = m;
        bad[5] = 0x12; // no header bit
        assert_eq!(check_structure(&bad, false), Err(PgpError::Damaged));
        // Partial lengths: a 2-byte chunk (0xe1) then a final 1-byte length.
        let p = [0xd2, 0xe1, 1, 2, 0x01, 9];
        assert_eq!(packet_tags(&p).unwrap(), vec![18]);
        assert_eq!(packet_tags(&p[..5]), Err(PgpError::Truncated));
        // SED after a session key: refused before anything else.
        let sed = [0xc3, 0x02, 4, 0, 0xc9, 0x02, 0, 0];
        assert_eq!(
            check_structure(&sed, false),
            Err(PgpError::NoIntegrityProtection)
        );
        assert_eq!(check_structure(&sed, true), Ok(()));
        // A literal packet alone: not encrypted.
        assert_eq!(
            check_structure(&[0xcb, 0x02, b'b', 0], false),
            Err(PgpError::NotEncrypted)
        );
    }

    #[test]
    fn capped_reads() {
        let data = vec![7u8; 100_000];
        assert_eq!(read_capped(&mut &data[..], 100_000).unwrap().len(), 100_000);
        let e = read_capped(&mut &data[..], 99_999).unwrap_err();
        assert!(e.get_ref().unwrap().is::<TooLarge>());
    }
}
