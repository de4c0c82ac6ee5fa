//! The largest inputs the OpenPGP part reads (docs/limits.md, "OpenPGP"). They equal the token
//! file limits of the main crate (`hwoath::core::limits::MAX_INPUT_BYTES`, checked by a test in
//! the root package): a decrypted file is a token file and is read as one.

/// Largest encrypted message, armored or binary, in bytes: 64 MiB.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;

/// Largest plaintext, after decompression, in bytes: 64 MiB. Decompression stops one byte past
/// it (the limit is enforced while decompressing, never after), so a compression bomb costs at
/// most this much memory.
pub const MAX_PLAINTEXT_BYTES: usize = 64 * 1024 * 1024;

/// Largest key file (armored or binary) in bytes: 1 MiB. A key with its subkeys and a few
/// dozen certifications is a few KiB.
pub const MAX_KEY_BYTES: usize = 1024 * 1024;

/// Largest Argon2 memory (in KiB) an S2K may ask for, as its exponent: 2^20 KiB = 1 GiB.
/// RFC 9580's recommended parameters use 2 GiB or 64 MiB; a wasm32 page cannot give 2 GiB, and a
/// crafted message could ask for 2^31 KiB. GnuPG 2.2 never writes Argon2 S2K.
pub const MAX_ARGON2_MEMORY_EXPONENT: u8 = 20;
