//! Reading keys: the admin's private key (to decrypt) and the sender's public key (to verify),
//! armored or binary; what they are (fingerprint, user IDs, subkeys); and whether they may be
//! used at a given time (expired? revoked?).

use pgp::composed::{PublicOrSecret, SignedKeyDetails, SignedPublicKey, SignedSecretKey};
use pgp::packet::{KeyFlags, PublicKey, Signature, SignatureType};
use pgp::ser::Serialize as PgpSerialize;
use pgp::types::{KeyDetails, KeyId, Tag};
use serde::Serialize;

use crate::error::PgpError;
use crate::limits::MAX_KEY_BYTES;

/// Upper-case hex.
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// `ABCD 1234 …`: hex in groups of four, as read out on the phone.
pub fn fingerprint_groups(hex: &str) -> String {
    hex.as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A key id as 16 upper-case hex digits; `anonymous` for the all-zero wildcard.
pub(crate) fn key_id_hex(id: &KeyId) -> String {
    if id.is_wildcard() {
        "anonymous".to_string()
    } else {
        hex_upper(id.as_ref())
    }
}

/// A key read from a file: public or private.
#[allow(clippy::large_enum_variant)]
pub(crate) enum AnyKey {
    Public(SignedPublicKey),
    Secret(SignedSecretKey),
}

/// Reads the first key of an armored or binary key file. `role` names it in errors ("the
/// private key", "the sender's key").
pub(crate) fn parse_key(bytes: &[u8], role: &'static str) -> Result<AnyKey, PgpError> {
    if bytes.len() > MAX_KEY_BYTES {
        return Err(PgpError::KeyTooLarge { bytes: bytes.len() });
    }
    let not_a_key = || PgpError::NotAKey { role };
    // Text before an armor block (a pasted e-mail) is skipped, as for messages.
    let bytes = match find_line(bytes, b"-----BEGIN PGP ") {
        Some(at) => &bytes[at..],
        None => bytes,
    };
    let (mut keys, _) = PublicOrSecret::from_reader_many_buf(bytes).map_err(|_| not_a_key())?;
    match keys.next() {
        Some(Ok(PublicOrSecret::Public(k))) => Ok(AnyKey::Public(k)),
        Some(Ok(PublicOrSecret::Secret(k))) => Ok(AnyKey::Secret(k)),
        _ => Err(not_a_key()),
    }
}

/// Where a line starting with `prefix` begins.
fn find_line(bytes: &[u8], prefix: &[u8]) -> Option<usize> {
    (0..bytes.len().saturating_sub(prefix.len() - 1)).find(|&i| {
        (i == 0 || matches!(bytes[i - 1], b'\n' | b'\r')) && bytes[i..].starts_with(prefix)
    })
}

/// Whether a key (or subkey) may be used: expiry and revocation, from its valid
/// self-signatures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Validity {
    /// When it expires (Unix seconds), from its newest valid self-signature.
    pub expires: Option<u64>,
    /// A valid revocation signature exists.
    pub revoked: bool,
}

impl Validity {
    /// Refuses a revoked key, and one expired at `now`.
    pub fn check(self, fingerprint: &str, now: u64, role: &'static str) -> Result<(), PgpError> {
        if self.revoked {
            return Err(PgpError::KeyRevoked {
                fingerprint: fingerprint_groups(fingerprint),
                role,
            });
        }
        if let Some(at) = self.expires {
            if now >= at {
                return Err(PgpError::KeyExpired {
                    fingerprint: fingerprint_groups(fingerprint),
                    expired_at: at,
                    role,
                });
            }
        }
        Ok(())
    }
}

fn created_secs(sig: &Signature) -> u64 {
    sig.created().map_or(0, |t| u64::from(t.as_secs()))
}

/// Expiry from a self-signature (a zero or absent expiration time means none).
fn expiry(key: &impl KeyDetails, sig: &Signature) -> Option<u64> {
    sig.key_expiration_time()
        .map(|d| d.as_secs())
        .filter(|&s| s > 0)
        .map(|s| u64::from(key.created_at().as_secs()) + u64::from(s))
}

/// The primary key's validity: revocations and the newest valid self-signature (user ID
/// certifications and direct-key signatures).
pub(crate) fn primary_validity(primary: &PublicKey, details: &SignedKeyDetails) -> Validity {
    let revoked = details
        .revocation_signatures
        .iter()
        .any(|s| s.typ() == Some(SignatureType::KeyRevocation) && s.verify_key(primary).is_ok());
    let mut certs: Vec<&Signature> = Vec::new();
    for user in &details.users {
        for s in &user.signatures {
            let is_self = matches!(
                s.typ(),
                Some(
                    SignatureType::CertGeneric
                        | SignatureType::CertPersona
                        | SignatureType::CertCasual
                        | SignatureType::CertPositive
                )
            );
            if is_self
                && s.verify_certification(primary, Tag::UserId, &user.id)
                    .is_ok()
            {
                certs.push(s);
            }
        }
    }
    for s in &details.direct_signatures {
        if s.typ() == Some(SignatureType::Key) && s.verify_key(primary).is_ok() {
            certs.push(s);
        }
    }
    // The newest wins (the later of two with the same time).
    let newest = certs.into_iter().reduce(|n, s| {
        if created_secs(s) >= created_secs(n) {
            s
        } else {
            n
        }
    });
    Validity {
        expires: newest.and_then(|s| expiry(primary, s)),
        revoked,
    }
}

/// A subkey's validity and flags, from its binding and revocation signatures.
pub(crate) fn subkey_validity<K: KeyDetails + PgpSerialize>(
    primary: &PublicKey,
    subkey: &K,
    signatures: &[Signature],
) -> (Validity, Option<KeyFlags>) {
    let mut revoked = false;
    let mut newest: Option<&Signature> = None;
    for s in signatures {
        match s.typ() {
            Some(SignatureType::SubkeyRevocation)
                if s.verify_subkey_binding(primary, subkey).is_ok() =>
            {
                revoked = true;
            }
            Some(SignatureType::SubkeyBinding)
                if s.verify_subkey_binding(primary, subkey).is_ok()
                    && newest.is_none_or(|n| created_secs(s) >= created_secs(n)) =>
            {
                newest = Some(s);
            }
            _ => {}
        }
    }
    (
        Validity {
            expires: newest.and_then(|s| expiry(subkey, s)),
            revoked,
        },
        newest.map(|s| s.key_flags()),
    )
}

/// What a key file holds, for the page's decrypt prompt and `inspectKey`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyInfo {
    /// `public` or `private`.
    pub kind: &'static str,
    /// The primary key's fingerprint (40 hex digits for v4).
    pub fingerprint: String,
    /// The same in groups of four.
    pub fingerprint_groups: String,
    /// The primary key's id.
    pub key_id: String,
    /// The user IDs, as written in the key (the caller escapes them for display).
    pub user_ids: Vec<String>,
    /// Creation time, Unix seconds.
    pub created: u64,
    /// Expiry of the primary key, Unix seconds; `None` when it never expires.
    pub expires: Option<u64>,
    /// Revoked by its owner.
    pub revoked: bool,
    /// A private key whose secret parts are protected by a passphrase (`false` for public keys).
    pub protected: bool,
    /// The subkeys.
    pub subkeys: Vec<SubkeyInfo>,
}

/// One subkey of a [`KeyInfo`].
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubkeyInfo {
    /// Its id: what messages name as their recipient.
    pub key_id: String,
    /// Its fingerprint.
    pub fingerprint: String,
    /// Its binding signature allows encryption.
    pub can_encrypt: bool,
    /// Its binding signature allows signing.
    pub can_sign: bool,
    /// Expiry, Unix seconds.
    pub expires: Option<u64>,
    /// Revoked.
    pub revoked: bool,
}

/// Describes the first key of a key file (armored or binary, public or private).
pub fn inspect_key(bytes: &[u8]) -> Result<KeyInfo, PgpError> {
    let key = parse_key(bytes, "the key")?;
    let (primary, details, protected) = match &key {
        AnyKey::Public(k) => (&k.primary_key, &k.details, false),
        AnyKey::Secret(k) => (
            k.primary_key.public_key(),
            &k.details,
            k.primary_key.secret_params().is_encrypted()
                || k.secret_subkeys
                    .iter()
                    .any(|s| s.key.secret_params().is_encrypted()),
        ),
    };
    let validity = primary_validity(primary, details);
    let mut subkeys = Vec::new();
    let mut push = |k: &dyn Fn() -> (KeyId, Vec<u8>), (v, flags): (Validity, Option<KeyFlags>)| {
        let (id, fp) = k();
        subkeys.push(SubkeyInfo {
            key_id: hex_upper(id.as_ref()),
            fingerprint: hex_upper(&fp),
            can_encrypt: flags
                .as_ref()
                .is_some_and(|f| f.encrypt_comms() || f.encrypt_storage()),
            can_sign: flags.as_ref().is_some_and(|f| f.sign()),
            expires: v.expires,
            revoked: v.revoked,
        });
    };
    match &key {
        AnyKey::Public(k) => {
            for s in &k.public_subkeys {
                push(
                    &|| {
                        (
                            s.key.legacy_key_id(),
                            s.key.fingerprint().as_bytes().to_vec(),
                        )
                    },
                    subkey_validity(primary, &s.key, &s.signatures),
                );
            }
        }
        AnyKey::Secret(k) => {
            for s in &k.secret_subkeys {
                let p = s.key.public_key();
                push(
                    &|| (p.legacy_key_id(), p.fingerprint().as_bytes().to_vec()),
                    subkey_validity(primary, p, &s.signatures),
                );
            }
        }
    }
    let fingerprint = hex_upper(primary.fingerprint().as_bytes());
    Ok(KeyInfo {
        kind: match key {
            AnyKey::Public(_) => "public",
            AnyKey::Secret(_) => "private",
        },
        fingerprint_groups: fingerprint_groups(&fingerprint),
        fingerprint,
        key_id: hex_upper(primary.legacy_key_id().as_ref()),
        user_ids: details
            .users
            .iter()
            .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
            .collect(),
        created: u64::from(primary.created_at().as_secs()),
        expires: validity.expires,
        revoked: validity.revoked,
        protected,
        subkeys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_groups() {
        assert_eq!(hex_upper(&[0x0a, 0xff, 0x10]), "0AFF10");
        assert_eq!(
            fingerprint_groups("0123456789ABCDEF0123456789ABCDEF01234567"),
            "0123 4567 89AB CDEF 0123 4567 89AB CDEF 0123 4567"
        );
        assert_eq!(key_id_hex(&KeyId::from([0; 8])), "anonymous");
        assert_eq!(
            key_id_hex(&KeyId::from([1, 2, 3, 4, 5, 6, 7, 8])),
            "0102030405060708"
        );
    }

    #[test]
    fn not_keys() {
        for b in [
            &b""[..],
            b"{\"value\": []}",
            b"-----BEGIN PGP MESSAGE-----\n\n-----END PGP MESSAGE-----\n",
        ] {
            assert!(matches!(
                parse_key(b, "the private key"),
                Err(PgpError::NotAKey {
                    role: "the private key"
                })
            ));
        }
        assert_eq!(
            parse_key(&vec![b'a'; MAX_KEY_BYTES + 1], "x").err(),
            Some(PgpError::KeyTooLarge {
                bytes: MAX_KEY_BYTES + 1
            })
        );
    }
}
