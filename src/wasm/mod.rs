//! Thin wasm-bindgen bindings: the JS API built into `pkg/` by wasm-pack.
//!
//! Plain objects in and out, camelCase. Only unusable input throws (a secret that cannot be
//! decoded, impossible options); findings are returned as data.
//!
//! - [`token_set`]: the `TokenSet` handle: one parse per file, the keys kept (and wiped) in wasm
//!   memory, every later action on that state.
//! - [`files`], [`graph`], [`otp`]: the one-shot functions (`validate`, `variants`, `totp`…).
//! - `args`: every argument check; `facts`: the engine's constants for the page.
//!
//! Results cross the boundary as one JSON text parsed by the engine's `JSON.parse` (see
//! [`json_value`]): measured cheaper than serde-wasm-bindgen building the objects property by
//! property from Rust (`bench/page.sh`). Large texts (canonical JSON, request renderings) are set
//! as JS strings of their own ([`set_texts`]) rather than escaped into that JSON. Texts that hold
//! keys are built in wiped buffers; in wasm every freed block is zeroed anyway (`src/lib.rs`).

pub(crate) mod args;
mod facts;
pub mod files;
pub mod graph;
pub mod otp;
pub mod token_set;

pub use facts::engine_facts;

use serde::Serialize;
use wasm_bindgen::prelude::*;
use zeroize::Zeroizing;

use crate::core::wipe::WipeBuf;

/// A Rust value as a plain JS object: serialised to JSON text here, parsed by `JSON.parse`.
pub(crate) fn json_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    parse(&ascii_json(value)?)
}

/// `value` as compact JSON in ASCII only ([`AsciiJson`]): how results cross into JS.
pub(crate) fn ascii_json<T: Serialize + ?Sized>(value: &T) -> Result<String, JsError> {
    let mut out = Vec::with_capacity(4096);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, AsciiJson);
    value
        .serialize(&mut ser)
        .map_err(|e| JsError::new(&e.to_string()))?;
    // ASCII only: the formatter escapes everything else.
    String::from_utf8(out).map_err(|_| JsError::new("internal: JSON is not UTF-8"))
}

/// Compact JSON in ASCII only: every other character is written as a `\uXXXX` escape (the same
/// JSON value). The text then crosses into JS as a one-byte string, which the decoder and
/// `JSON.parse` read several times faster than one with a single non-Latin-1 character (a
/// masked key's "•" made the whole report such a string).
struct AsciiJson;

impl serde_json::ser::Formatter for AsciiJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        if fragment.is_ascii() {
            return w.write_all(fragment.as_bytes());
        }
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if c.is_ascii() {
                continue;
            }
            w.write_all(&fragment.as_bytes()[start..i])?;
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                write!(w, "\\u{u:04x}")?;
            }
            start = i + c.len_utf8();
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
}

/// Like [`json_value`] for a value that holds keys: the JSON text is built in a wiped buffer and
/// wiped once `JSON.parse` has read it.
pub(crate) fn secret_json_value<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    let mut buf = WipeBuf::with_capacity(4096);
    serde_json::to_writer(&mut buf, value).map_err(|e| JsError::new(&e.to_string()))?;
    let text: Zeroizing<String> = buf.into_string();
    parse(&text)
}

fn parse(text: &str) -> Result<JsValue, JsError> {
    js_sys::JSON::parse(text).map_err(|_| JsError::new("internal: a result is not JSON"))
}

/// Sets the large texts of a result parsed by [`json_value`] (which gives them as `null`
/// placeholders, so the properties keep their order): each crosses once as a JS string, without
/// being escaped into JSON and parsed again. The Rust texts are the caller's to wipe.
pub(crate) fn set_texts(target: &JsValue, texts: &[(&str, Option<&str>)]) -> Result<(), JsError> {
    for (key, text) in texts {
        let v = text.map_or(JsValue::NULL, JsValue::from_str);
        js_sys::Reflect::set(target, &JsValue::from_str(key), &v)
            .map_err(|_| JsError::new("internal: a result cannot be written"))?;
    }
    Ok(())
}

/// A text that holds keys, serialised as a string and wiped on drop.
pub(crate) struct WipedText(pub Zeroizing<String>);

impl Serialize for WipedText {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl From<String> for WipedText {
    fn from(s: String) -> WipedText {
        WipedText(Zeroizing::new(s))
    }
}

/// A JS string of a secret text; the Rust copy is wiped by the caller's `Zeroizing`.
pub(crate) fn js_text(text: &str) -> JsValue {
    JsValue::from_str(text)
}
