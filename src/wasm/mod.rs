//! Thin wasm-bindgen bindings: the JS API built into `pkg/` by wasm-pack.
//!
//! Plain objects in and out, camelCase. Only unusable input throws (a secret that cannot be
//! decoded, impossible options); findings are returned as data.

pub mod files;
pub mod graph;
pub mod otp;

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// Converts a Rust value to a plain JS object (`null` for `None`, objects not Maps).
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, JsError> {
    value
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsError::new(&e.to_string()))
}

/// Reads an options object; `undefined`/`null` give the defaults.
pub(crate) fn from_js<T: DeserializeOwned + Default>(value: JsValue) -> Result<T, JsError> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|e| JsError::new(&format!("options: {e}")))
}
