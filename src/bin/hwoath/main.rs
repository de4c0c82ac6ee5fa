//! `hwoath`: the native command line over the hwoath core, for air-gapped and scripted use.
//!
//! Exit codes: 0 success, 1 a negative answer (no match, an invalid record), 2 unusable input.
#![forbid(unsafe_code)]

/// `println!` that ends the program quietly when standard output is closed (`hwoath … | head`)
/// instead of panicking on the broken pipe.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::app::write_line(format_args!($($arg)*))
    };
}

/// `eprintln!` with the same escaping as [`outln!`] (`app::write_err_line`): every line the CLI
/// writes to standard error goes through it.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::app::write_err_line(format_args!($($arg)*))
    };
}

// The CLI is native-only: clap is not a dependency of the wasm build. `wasm-pack test` still
// compiles every target for wasm32, so there the binary is an empty `main`.
#[cfg(not(target_arch = "wasm32"))]
mod app;
#[cfg(all(feature = "dist-files", not(target_arch = "wasm32")))]
mod dist_files;
#[cfg(not(target_arch = "wasm32"))]
mod files;
#[cfg(not(target_arch = "wasm32"))]
mod graph;
#[cfg(not(target_arch = "wasm32"))]
mod otp;
#[cfg(not(target_arch = "wasm32"))]
mod pgp;

#[cfg(not(target_arch = "wasm32"))]
pub use app::{display_name, now, print_json, read_input, read_listings, Unusable};

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    // Only in a build with the `dist-files` feature (scripts/release.sh), never a subcommand of
    // the CLI itself: the generated files describe exactly the released command line.
    #[cfg(feature = "dist-files")]
    if std::env::args_os()
        .nth(1)
        .is_some_and(|a| a == "dist-files")
    {
        return dist_files::main();
    }
    app::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
