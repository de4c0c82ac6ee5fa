//! hwoath: prepare hardware OATH (TOTP) tokens for Microsoft Entra ID, offline.
//!
//! The crate has three layers:
//! - [`core`]: pure Rust. No I/O, no clock (time is always an argument), no wasm-bindgen.
//! - `wasm` (only on `wasm32`): thin wasm-bindgen bindings, the JS API in `pkg/`.
//! - the `hwoath` binary (`src/bin/hwoath.rs`): a thin clap CLI over [`core`].
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod wasm;
