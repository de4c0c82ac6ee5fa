//! Thin wasm-bindgen bindings: the JS API of the OpenPGP module (`hwoath_pgp.js`), which the
//! page loads only when the admin makes a key or opens an encrypted file, inside a worker.
//!
//! Plain objects in and out, camelCase, typed in `hwoath_pgp.d.ts`. Time is an argument
//! (`created` for a new key, `now` for expiry checks: Unix seconds). Every refusal throws an
//! `Error` whose `code` is the stable `PGP0NN` code and whose message says what to do; it never
//! holds a passphrase, a key's secret part or plaintext. The random bytes of a new key come
//! from `crypto.getRandomValues`.
//!
//! Wiping: the passphrase, the private key and the plaintext are copied out of JavaScript into
//! wiped buffers and wiped here once used; the copies JavaScript holds (its strings, the
//! returned `Uint8Array`) are the caller's: fill the array with zeros when done.

use js_sys::{Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::{
    check_strength, decrypt_message, detect, generate_key, inspect_key, inspect_message,
    DecryptOptions, KeyAlgorithm, KeyOptions, Passphrase, PgpError,
};

#[wasm_bindgen(typescript_custom_section)]
const TS_PGP: &str = r#"
/** `ed25519`: Ed25519 primary key + cv25519 encryption subkey (the default; small and fast).
 *  `rsa3072`: RSA-3072 for both, for vendors whose tools lack ECC (slower to make, larger). */
export type KeyAlgorithm = "ed25519" | "rsa3072";
export interface GenerateKeyOptions {
  /** The admin's name (1-100 characters; no control or invisible characters, no < or >). */
  name: string;
  /** The admin's e-mail address (local@domain.tld, ASCII). */
  email: string;
  /** Protects the private key (iterated+salted S2K, SHA-256, AES-256). Checked by the strength
   *  rule (`checkPassphrase`) unless `allowWeakPassphrase`; an empty one is always refused. */
  passphrase: string;
  /** Default "ed25519". */
  algorithm?: KeyAlgorithm;
  /** Creation time of the key and its self-signatures, Unix seconds (`Date.now() / 1000`). */
  created: number;
  /** Accept a passphrase that fails the strength rule (default false). */
  allowWeakPassphrase?: boolean;
}
export interface GeneratedKey {
  /** ASCII-armored public key: what the admin sends to the vendor. */
  publicKey: string;
  /** ASCII-armored private key, protected by the passphrase: offered only as a download the
   *  admin asks for. */
  privateKey: string;
  /** 40 hex digits, upper case. */
  fingerprint: string;
  /** The fingerprint in ten groups of four, for reading out on the phone. */
  fingerprintGroups: string;
  /** The primary key's id (16 hex digits). */
  keyId: string;
  /** The encryption subkey's id: messages to this key name it as their recipient. */
  encryptionKeyId: string;
  /** `Name <e-mail>`. */
  userId: string;
  algorithm: KeyAlgorithm;
  created: number;
  /** `<name>-public-key.asc`, made safe for every file system. */
  publicKeyFileName: string;
  /** `<name>-private-key.asc`. */
  privateKeyFileName: string;
}
export interface DecryptOptions {
  /** The admin's private key, armored text or binary; leave it out for a password-only
   *  message (`gpg --symmetric`). */
  privateKey?: string | Uint8Array;
  /** The private key's passphrase, or the password-only message's. */
  passphrase?: string;
  /** The sender's public key, to check a signature on the message. */
  verifyWith?: string | Uint8Array;
  /** "Now", Unix seconds: keys expired by then are refused. */
  now: number;
}
/** What opened the message. */
export type DecryptedWith =
  | { kind: "key"; fingerprint: string; fingerprintGroups: string; keyId: string; userIds: string[] }
  | { kind: "passphrase" };
/** One signature. A bad signature is never a result: decryptMessage throws PGP020. */
export type SignatureCheck =
  | { status: "valid"; signerFingerprint: string; signerFingerprintGroups: string; signerKeyId: string; created: number | null }
  | { status: "unchecked"; reason: string; issuerKeyIds: string[]; issuerFingerprints: string[]; created: number | null };
export interface DecryptedMessage {
  /** The plaintext (the token file's bytes). Decode with TextDecoder('utf-8', {fatal: true}),
   *  then fill it with zeros. */
  plaintext: Uint8Array;
  format: "armored" | "binary";
  /** Key ids (16 hex digits) the message is encrypted to; "anonymous" for a hidden recipient. */
  recipients: string[];
  /** How many passphrases can open it (gpg --symmetric: 1). */
  passwords: number;
  decryptedWith: DecryptedWith;
  /** E.g. "AES256"; null when the packet carries it in a form not exposed (SEIPD v2). */
  cipher: string | null;
  /** "mdc" (SEIPD v1) or "aead" (SEIPD v2, GnuPG's OCB packet). */
  integrity: "mdc" | "aead";
  /** The compression of the literal data; null when it was not compressed. */
  compression: "uncompressed" | "zip" | "zlib" | "bzip2" | null;
  /** The literal data packet's date (the sender's file or encryption time), Unix seconds;
   *  null when zero. */
  date: number | null;
  /** The literal data packet's file name (sender-chosen: escape it before showing it). */
  fileName: string | null;
  /** One per signature; empty when unsigned. */
  signatures: SignatureCheck[];
  /** The plaintext's size in bytes. */
  bytes: number;
}
/** What a message needs, read without any key. */
export interface MessageSummary {
  format: "armored" | "binary";
  /** Key ids it is encrypted to (empty for a password-only message). */
  recipients: string[];
  /** How many passphrases can open it. */
  passwords: number;
  /** "none" is refused by decryptMessage (PGP006, the EFAIL class). */
  integrity: "mdc" | "aead" | "none";
}
/** The strength rule's verdict (docs/openpgp.md). */
export interface PassphraseCheck {
  ok: boolean;
  /** Why it is too weak, in one sentence; null when ok. */
  reason: string | null;
}
export interface SubkeyInfo {
  keyId: string;
  fingerprint: string;
  canEncrypt: boolean;
  canSign: boolean;
  expires: number | null;
  revoked: boolean;
}
/** What a key file holds. */
export interface KeyInfo {
  kind: "public" | "private";
  fingerprint: string;
  fingerprintGroups: string;
  keyId: string;
  /** As written in the key: escape before showing. */
  userIds: string[];
  created: number;
  expires: number | null;
  revoked: boolean;
  /** A private key whose secret parts need a passphrase. */
  protected: boolean;
  subkeys: SubkeyInfo[];
}
/** The limits (bytes) of docs/limits.md. */
export interface PgpLimits {
  maxMessageBytes: number;
  maxPlaintextBytes: number;
  maxKeyBytes: number;
}
"#;

/// An `Error` with the stable code in `code` (and in `name`: `PgpError`).
fn throw(e: &PgpError) -> JsValue {
    let err = js_sys::Error::new(&e.to_string());
    err.set_name("PgpError");
    let _ = Reflect::set(&err, &"code".into(), &e.code().into());
    err.into()
}

/// An `Error` for arguments of the wrong type (a programming error, no code).
fn bad_argument(what: &str) -> JsValue {
    js_sys::Error::new(&format!("hwoath-pgp: {what}")).into()
}

fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsValue> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| bad_argument(&e.to_string()))
}

fn field(options: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    if !options.is_object() {
        return Err(bad_argument("options must be an object"));
    }
    Reflect::get(options, &name.into()).map_err(|_| bad_argument(name))
}

fn string_field(options: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    let v = field(options, name)?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .map(Some)
        .ok_or_else(|| bad_argument(&format!("options.{name} must be a string")))
}

fn time_field(options: &JsValue, name: &str) -> Result<u64, JsValue> {
    let v = field(options, name)?;
    match v.as_f64() {
        Some(t) if (0.0..1e15).contains(&t) => Ok(t.floor() as u64),
        _ => Err(bad_argument(&format!(
            "options.{name} must be a time in Unix seconds (Date.now() / 1000)"
        ))),
    }
}

/// A string (armored text) or a Uint8Array, copied into a wiped buffer.
fn bytes_field(options: &JsValue, name: &str) -> Result<Option<Zeroizing<Vec<u8>>>, JsValue> {
    let v = field(options, name)?;
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(Zeroizing::new(s.into_bytes())));
    }
    if let Some(a) = v.dyn_ref::<Uint8Array>() {
        return Ok(Some(Zeroizing::new(a.to_vec())));
    }
    Err(bad_argument(&format!(
        "options.{name} must be a string or a Uint8Array"
    )))
}

/// Makes the admin's key for the vendor's order (see `GenerateKeyOptions`).
#[wasm_bindgen(js_name = generateKey, unchecked_return_type = "GeneratedKey")]
pub fn generate_key_js(
    #[wasm_bindgen(unchecked_param_type = "GenerateKeyOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let name = string_field(&options, "name")?.unwrap_or_default();
    let email = string_field(&options, "email")?.unwrap_or_default();
    let passphrase = Passphrase::new(string_field(&options, "passphrase")?.unwrap_or_default());
    let algorithm = match string_field(&options, "algorithm")?.as_deref() {
        None | Some("ed25519") => KeyAlgorithm::Ed25519,
        Some("rsa3072") => KeyAlgorithm::Rsa3072,
        Some(_) => {
            return Err(bad_argument(
                "options.algorithm must be \"ed25519\" or \"rsa3072\"",
            ))
        }
    };
    let allow = field(&options, "allowWeakPassphrase")?.is_truthy();
    let key = generate_key(
        &KeyOptions {
            name: &name,
            email: &email,
            algorithm,
            created: time_field(&options, "created")?,
            allow_weak_passphrase: allow,
        },
        &passphrase,
        rand::rngs::OsRng,
    )
    .map_err(|e| throw(&e))?;
    let out = to_js(&key)?;
    Reflect::set(&out, &"privateKey".into(), &key.private_key.as_str().into())
        .map_err(|_| bad_argument("result"))?;
    Ok(out)
}

/// Opens an encrypted message in memory (see `DecryptOptions`, `DecryptedMessage`).
#[wasm_bindgen(js_name = decryptMessage, unchecked_return_type = "DecryptedMessage")]
pub fn decrypt_message_js(
    bytes: &[u8],
    #[wasm_bindgen(unchecked_param_type = "DecryptOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let private_key = bytes_field(&options, "privateKey")?;
    let verify_with = bytes_field(&options, "verifyWith")?;
    let passphrase = string_field(&options, "passphrase")?.map(Passphrase::new);
    let opts = DecryptOptions {
        private_key: private_key.as_deref().map(|k| &k[..]),
        passphrase: passphrase.as_ref(),
        verify_with: verify_with.as_deref().map(|k| &k[..]),
        now: time_field(&options, "now")?,
    };
    let decrypted = decrypt_message(bytes, &opts).map_err(|e| throw(&e))?;
    let out = to_js(&decrypted.info)?;
    let plaintext = Uint8Array::from(&decrypted.plaintext[..]);
    Reflect::set(&out, &"plaintext".into(), &plaintext).map_err(|_| bad_argument("result"))?;
    Ok(out)
}

/// What a message needs (recipients, passwords), without any key.
#[wasm_bindgen(js_name = inspectMessage, unchecked_return_type = "MessageSummary")]
pub fn inspect_message_js(bytes: &[u8]) -> Result<JsValue, JsValue> {
    to_js(&inspect_message(bytes).map_err(|e| throw(&e))?)
}

/// Whether the bytes are an OpenPGP message, by content (binary packets or a
/// `-----BEGIN PGP MESSAGE-----` block), whatever the file's name.
#[wasm_bindgen(js_name = isOpenPgpMessage)]
pub fn is_openpgp_message_js(bytes: &[u8]) -> bool {
    detect(bytes).is_some()
}

/// The strength rule for a new key's passphrase; `name` and `email` are the key's (their
/// parts count as a pattern).
#[wasm_bindgen(js_name = checkPassphrase, unchecked_return_type = "PassphraseCheck")]
pub fn check_passphrase_js(
    passphrase: String,
    #[wasm_bindgen(unchecked_param_type = "{ name?: string; email?: string }")] context: Option<
        JsValue,
    >,
) -> Result<JsValue, JsValue> {
    let passphrase = Passphrase::new(passphrase);
    let (name, email) = match context {
        Some(c) if !c.is_undefined() && !c.is_null() => {
            (string_field(&c, "name")?, string_field(&c, "email")?)
        }
        _ => (None, None),
    };
    let words: Vec<&str> = [name.as_deref(), email.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    #[derive(Serialize)]
    struct Check {
        ok: bool,
        reason: Option<String>,
    }
    let result = check_strength(&passphrase, &words);
    to_js(&Check {
        ok: result.is_ok(),
        reason: result.err().map(|w| w.to_string()),
    })
}

/// What a key file holds (public or private; armored text or binary).
#[wasm_bindgen(js_name = inspectKey, unchecked_return_type = "KeyInfo")]
pub fn inspect_key_js(
    #[wasm_bindgen(unchecked_param_type = "string | Uint8Array")] key: JsValue,
) -> Result<JsValue, JsValue> {
    let holder = Object::new();
    Reflect::set(&holder, &"key".into(), &key).map_err(|_| bad_argument("key"))?;
    let bytes = bytes_field(&holder, "key")?.ok_or_else(|| bad_argument("key is required"))?;
    to_js(&inspect_key(&bytes).map_err(|e| throw(&e))?)
}

/// The size limits (docs/limits.md), so a page can refuse a file before reading it.
#[wasm_bindgen(js_name = pgpLimits, unchecked_return_type = "PgpLimits")]
pub fn pgp_limits_js() -> Result<JsValue, JsValue> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Limits {
        max_message_bytes: usize,
        max_plaintext_bytes: usize,
        max_key_bytes: usize,
    }
    to_js(&Limits {
        max_message_bytes: crate::limits::MAX_MESSAGE_BYTES,
        max_plaintext_bytes: crate::limits::MAX_PLAINTEXT_BYTES,
        max_key_bytes: crate::limits::MAX_KEY_BYTES,
    })
}
