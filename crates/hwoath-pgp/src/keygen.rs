//! Making the admin's key for the vendor's order: an OpenPGP v4 key that GnuPG 2.2 reads.
//!
//! - Default: an Ed25519 primary key (EdDSA, algorithm 22; certify and sign) with a Curve25519
//!   ECDH encryption subkey (cv25519, algorithm 18) — what `gpg --quick-gen-key … future-default`
//!   makes. Small keys, fast everywhere.
//! - `Rsa3072`: an RSA-3072 primary key (certify and sign) with an RSA-3072 encryption subkey —
//!   for a vendor whose tools lack ECC; slower to make (seconds) and larger.
//!
//! Both carry one user ID `Name <e-mail>`, self-signed with the creation time given (the
//! signatures too: nothing here reads a clock), no expiry, the features "MDC" (SEIPD v1), and
//! preferences AES-256/192/128, SHA-512/384/256, ZLIB/ZIP/uncompressed. The secret parts are
//! protected with the passphrase: S2K usage 254 (CFB with a SHA-1 check, the form GnuPG 2.2
//! reads and writes), iterated and salted S2K with SHA-256 and the largest count (65,011,712
//! bytes hashed), AES-256.

use pgp::composed::{ArmorOptions, KeyType, SignedKeyDetails, SignedSecretKey, SignedSecretSubKey};
use pgp::crypto::ecc_curve::ECCCurve;
use pgp::crypto::hash::HashAlgorithm;
use pgp::crypto::sym::SymmetricKeyAlgorithm;
use pgp::packet::{
    Features, KeyFlags, PubKeyInner, PublicKey, PublicSubkey, SecretKey, SecretSubkey,
    SignatureConfig, SignatureType, Subpacket, SubpacketData, UserId,
};
use pgp::types::{
    CompressionAlgorithm, KeyDetails, KeyVersion, Password, S2kParams, StringToKey, Tag, Timestamp,
};
use rand::{CryptoRng, Rng};
use serde::Serialize;
use smallvec::smallvec;
use zeroize::Zeroizing;

use crate::error::PgpError;
use crate::identity::{key_file_names, Identity};
use crate::keys::{fingerprint_groups, hex_upper};
use crate::passphrase::{check_strength, Passphrase};

/// The S2K iteration count, coded (RFC 9580 §3.7.1.3): 255 = 65,011,712 bytes hashed, the most
/// OpenPGP can say. Unlocking costs about 0.1 s natively and a few tenths of a second in wasm.
pub const S2K_COUNT: u8 = 255;

/// The key's algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyAlgorithm {
    /// Ed25519 primary key, cv25519 encryption subkey (the default).
    #[default]
    Ed25519,
    /// RSA-3072 primary key and encryption subkey.
    Rsa3072,
}

impl KeyAlgorithm {
    /// `ed25519` / `rsa3072`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519",
            KeyAlgorithm::Rsa3072 => "rsa3072",
        }
    }

    /// `ed25519+cv25519` / `rsa3072+rsa3072`, as gpg lists them.
    pub fn describe(self) -> &'static str {
        match self {
            KeyAlgorithm::Ed25519 => "ed25519 (sign) + cv25519 (encrypt)",
            KeyAlgorithm::Rsa3072 => "rsa3072 (sign) + rsa3072 (encrypt)",
        }
    }

    fn types(self) -> (KeyType, KeyType) {
        match self {
            KeyAlgorithm::Ed25519 => (
                KeyType::Ed25519Legacy,
                KeyType::ECDH(ECCCurve::Curve25519Legacy),
            ),
            KeyAlgorithm::Rsa3072 => (KeyType::Rsa(3072), KeyType::Rsa(3072)),
        }
    }
}

/// What a new key is made from.
#[derive(Debug, Clone)]
pub struct KeyOptions<'a> {
    /// The name typed by the admin.
    pub name: &'a str,
    /// The e-mail address typed by the admin.
    pub email: &'a str,
    /// The algorithms.
    pub algorithm: KeyAlgorithm,
    /// Creation time of the key and of its self-signatures, Unix seconds (the caller's clock).
    pub created: u64,
    /// Accept a passphrase that fails the strength rule (`--allow-weak-passphrase`).
    pub allow_weak_passphrase: bool,
}

/// A new key. Its private half is wiped when dropped; `Debug` does not show it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GeneratedKey {
    /// The public key, ASCII-armored: what the admin sends to the vendor.
    pub public_key: String,
    /// The private key, ASCII-armored and protected with the passphrase.
    #[serde(skip)]
    pub private_key: Zeroizing<String>,
    /// The primary key's fingerprint, 40 hex digits (upper case).
    pub fingerprint: String,
    /// The same in groups of four, for reading out on the phone.
    pub fingerprint_groups: String,
    /// The primary key's id (16 hex digits).
    pub key_id: String,
    /// The encryption subkey's id: what messages to this key name as their recipient.
    pub encryption_key_id: String,
    /// `Name <e-mail>`.
    pub user_id: String,
    /// The algorithms.
    pub algorithm: KeyAlgorithm,
    /// Creation time, Unix seconds.
    pub created: u64,
    /// `<stem>-public-key.asc`.
    pub public_key_file_name: String,
    /// `<stem>-private-key.asc`.
    pub private_key_file_name: String,
}

impl std::fmt::Debug for GeneratedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeneratedKey")
            .field("fingerprint", &self.fingerprint)
            .field("user_id", &self.user_id)
            .field("algorithm", &self.algorithm)
            .field("private_key", &"<hidden>")
            .finish_non_exhaustive()
    }
}

fn internal<E>(_: E) -> PgpError {
    PgpError::KeyGeneration
}

/// Makes a key (see the module docs). Refuses an invalid name or address, a creation time
/// outside 1970–2106, and a passphrase that fails the strength rule unless
/// `allow_weak_passphrase`; an empty passphrase is refused even then (the private key would be
/// written unprotected).
pub fn generate_key<R: Rng + CryptoRng>(
    options: &KeyOptions<'_>,
    passphrase: &Passphrase,
    mut rng: R,
) -> Result<GeneratedKey, PgpError> {
    let id = Identity::new(options.name, options.email)?;
    let created = u32::try_from(options.created).map_err(|_| PgpError::InvalidTime)?;
    if passphrase.is_empty() {
        return Err(PgpError::WeakPassphrase {
            reason: "it is empty, and the private key would be stored unprotected (not even --allow-weak-passphrase allows that)".into(),
        });
    }
    if !options.allow_weak_passphrase {
        check_strength(passphrase, &[&id.name, &id.email]).map_err(|w| {
            PgpError::WeakPassphrase {
                reason: w.to_string(),
            }
        })?;
    }
    let created = Timestamp::from_secs(created);
    let (primary_type, sub_type) = options.algorithm.types();

    // The two key packets, unprotected while they sign.
    let (public_params, secret_params) = primary_type.generate(&mut rng).map_err(internal)?;
    let primary_pub = PublicKey::from_inner(
        PubKeyInner::new(
            KeyVersion::V4,
            primary_type.to_alg(),
            created,
            None,
            public_params,
        )
        .map_err(internal)?,
    )
    .map_err(internal)?;
    let mut primary = SecretKey::new(primary_pub.clone(), secret_params).map_err(internal)?;
    let (public_params, secret_params) = sub_type.generate(&mut rng).map_err(internal)?;
    let sub_pub = PublicSubkey::from_inner(
        PubKeyInner::new(
            KeyVersion::V4,
            sub_type.to_alg(),
            created,
            None,
            public_params,
        )
        .map_err(internal)?,
    )
    .map_err(internal)?;
    let mut sub = SecretSubkey::new(sub_pub.clone(), secret_params).map_err(internal)?;

    let unlocked = Password::empty();
    let sig_time =
        Subpacket::regular(SubpacketData::SignatureCreationTime(created)).map_err(internal)?;
    let issuer_fp = Subpacket::regular(SubpacketData::IssuerFingerprint(primary.fingerprint()))
        .map_err(internal)?;
    let issuer_id = Subpacket::regular(SubpacketData::IssuerKeyId(primary.legacy_key_id()))
        .map_err(internal)?;

    // The user ID's positive self-certification, with the key's flags and preferences.
    let user_id = UserId::from_str(Default::default(), id.user_id()).map_err(internal)?;
    let mut flags = KeyFlags::default();
    flags.set_certify(true);
    flags.set_sign(true);
    let mut features = Features::default();
    features.set_seipd_v1(true);
    let mut cert = SignatureConfig::from_key(&mut rng, &primary, SignatureType::CertPositive)
        .map_err(internal)?;
    cert.hashed_subpackets = vec![
        sig_time.clone(),
        issuer_fp.clone(),
        Subpacket::regular(SubpacketData::KeyFlags(flags)).map_err(internal)?,
        Subpacket::regular(SubpacketData::Features(features)).map_err(internal)?,
        Subpacket::regular(SubpacketData::PreferredSymmetricAlgorithms(smallvec![
            SymmetricKeyAlgorithm::AES256,
            SymmetricKeyAlgorithm::AES192,
            SymmetricKeyAlgorithm::AES128
        ]))
        .map_err(internal)?,
        Subpacket::regular(SubpacketData::PreferredHashAlgorithms(smallvec![
            HashAlgorithm::Sha512,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha256
        ]))
        .map_err(internal)?,
        Subpacket::regular(SubpacketData::PreferredCompressionAlgorithms(smallvec![
            CompressionAlgorithm::ZLIB,
            CompressionAlgorithm::ZIP,
            CompressionAlgorithm::Uncompressed
        ]))
        .map_err(internal)?,
        Subpacket::regular(SubpacketData::IsPrimary(true)).map_err(internal)?,
    ];
    cert.unhashed_subpackets = vec![issuer_id.clone()];
    let cert = cert
        .sign_certification(&primary, &primary_pub, &unlocked, Tag::UserId, &user_id)
        .map_err(internal)?;

    // The encryption subkey's binding signature.
    let mut sub_flags = KeyFlags::default();
    sub_flags.set_encrypt_comms(true);
    sub_flags.set_encrypt_storage(true);
    let mut binding = SignatureConfig::from_key(&mut rng, &primary, SignatureType::SubkeyBinding)
        .map_err(internal)?;
    binding.hashed_subpackets = vec![
        sig_time,
        issuer_fp,
        Subpacket::regular(SubpacketData::KeyFlags(sub_flags)).map_err(internal)?,
    ];
    binding.unhashed_subpackets = vec![issuer_id];
    let binding = binding
        .sign_subkey_binding(&primary, &primary_pub, &unlocked, &sub_pub)
        .map_err(internal)?;

    // Lock both secret parts with the passphrase (each with its own salt and IV).
    let password = passphrase.to_password();
    for key in [Lock::Primary(&mut primary), Lock::Sub(&mut sub)] {
        let mut iv = vec![0u8; SymmetricKeyAlgorithm::AES256.block_size()];
        rng.fill(&mut iv[..]);
        let s2k = S2kParams::Cfb {
            sym_alg: SymmetricKeyAlgorithm::AES256,
            s2k: StringToKey::new_iterated(&mut rng, HashAlgorithm::Sha256, S2K_COUNT),
            iv: iv.into(),
        };
        match key {
            Lock::Primary(k) => k.set_password_with_s2k(&password, s2k),
            Lock::Sub(k) => k.set_password_with_s2k(&password, s2k),
        }
        .map_err(internal)?;
    }

    let key = SignedSecretKey::new(
        primary,
        SignedKeyDetails::new(vec![], vec![], vec![user_id.into_signed(cert)], vec![]),
        vec![],
        vec![SignedSecretSubKey::new(sub, vec![binding])],
    );
    key.verify_bindings().map_err(internal)?;
    let public = key.to_public_key();
    let public_key = public
        .to_armored_string(ArmorOptions::default())
        .map_err(internal)?;
    let private_key = Zeroizing::new(
        key.to_armored_string(ArmorOptions::default())
            .map_err(internal)?,
    );
    let fingerprint = hex_upper(key.primary_key.fingerprint().as_bytes());
    let (public_key_file_name, private_key_file_name) = key_file_names(&id.file_stem());
    Ok(GeneratedKey {
        public_key,
        private_key,
        fingerprint_groups: fingerprint_groups(&fingerprint),
        fingerprint,
        key_id: hex_upper(key.primary_key.legacy_key_id().as_ref()),
        encryption_key_id: hex_upper(sub_pub.legacy_key_id().as_ref()),
        user_id: id.user_id(),
        algorithm: options.algorithm,
        created: options.created,
        public_key_file_name,
        private_key_file_name,
    })
}

enum Lock<'a> {
    Primary(&'a mut SecretKey),
    Sub(&'a mut SecretSubkey),
}
