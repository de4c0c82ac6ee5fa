//! hwoath: prepare hardware OATH (TOTP) tokens for Microsoft Entra ID, offline.
//!
//! The crate has three layers:
//! - [`core`]: pure Rust. No I/O, no clock (time is always an argument), no wasm-bindgen.
//! - `wasm` (only on `wasm32`): thin wasm-bindgen bindings, the JS API in `pkg/`.
//! - the `hwoath` binary (`src/bin/hwoath/`): a thin clap CLI over [`core`].
//!
//! `docs/architecture.md` says where each rule lives and how a key travels from a file to its
//! wipe.
#![deny(missing_docs)]
#![forbid(unsafe_code)]

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

/// In wasm, every heap block is zeroed when it is freed or outgrown (a `realloc` moves to a new
/// block and frees the old one): no key, source text or request body is left behind in the
/// memory a `TokenSet` or a one-shot call used (checked by `tests/wasm_token_set.rs`, which reads
/// the wasm memory after `free()`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: zeroizing_alloc::ZeroAlloc<std::alloc::System> =
    zeroizing_alloc::ZeroAlloc(std::alloc::System);
