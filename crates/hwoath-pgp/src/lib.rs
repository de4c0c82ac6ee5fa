//! hwoath's OpenPGP part: the admin's key for the vendor's order, and the vendor's encrypted
//! seed file opened in memory, interoperable with GnuPG 2.2+ (rPGP underneath).
//!
//! Pure like the main crate's core: no I/O, no clock (the creation time of a key and "now" for
//! expiry checks are arguments), no randomness of its own (key generation takes the random
//! source). Its wasm bindings (`wasm`, only on `wasm32`) are the second wasm module of the page,
//! loaded only when an encrypted file or the key maker is used; the main module never links
//! this crate. The native CLI (`hwoath key new`, `hwoath decrypt`, `--key` on the token-file
//! commands) uses it as a library.
//!
//! - [`generate_key`]: an Ed25519 + cv25519 (or RSA-3072) v4 key, the private half protected
//!   with the passphrase ([`keygen`]).
//! - [`check_strength`]: the one passphrase rule ([`passphrase`]).
//! - [`detect`]: is this an OpenPGP message (by content)?
//! - [`decrypt_message`]: open it with the private key and passphrase, or a passphrase only;
//!   check a signature with the sender's key ([`decrypt`]).
//! - [`inspect_message`], [`inspect_key`]: what a message needs, what a key is.
//!
//! Errors: [`PgpError`], one per refusal, each with a stable code. Nothing here puts a
//! passphrase, a secret key or plaintext into a message, a `Debug` output or a log.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod decrypt;
pub mod detect;
pub mod error;
pub mod identity;
pub mod keygen;
pub mod keys;
pub mod limits;
pub mod passphrase;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use decrypt::{
    decrypt_message, inspect_message, DecryptOptions, Decrypted, DecryptedWith, MessageInfo,
    MessageSummary, SignatureCheck,
};
pub use detect::{detect, MessageFormat};
pub use error::PgpError;
pub use identity::{file_stem, key_file_names, Identity};
pub use keygen::{generate_key, GeneratedKey, KeyAlgorithm, KeyOptions};
pub use keys::{fingerprint_groups, inspect_key, KeyInfo, SubkeyInfo};
pub use passphrase::{check_strength, Passphrase, Weakness};
