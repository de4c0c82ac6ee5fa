//! The CLI proper (native only).

use crate::{files, graph, otp};

use std::process::ExitCode;

use hwoath::core::limits::MAX_INPUT_BYTES;
use hwoath::core::token::ListedDevice;
use hwoath::core::tokenfile;
use zeroize::Zeroizing;

use clap::{Parser, Subcommand};

/// What `hwoath --version` prints after the name: the version and the commit it was built from
/// (build.rs; "not built from a git checkout" when there was none).
const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (",
    env!("HWOATH_BUILD_COMMIT"),
    ")"
);

/// Prepare hardware OATH (TOTP) tokens for Microsoft Entra ID, offline.
#[derive(Parser)]
#[command(name = "hwoath", version = VERSION, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the TOTP code of a secret at a time (default: now).
    Totp(otp::TotpArgs),
    /// Check a code read off a device; exit 0 when it matches, 1 when not.
    Verify(otp::VerifyArgs),
    /// Find a device's clock drift from one or more consecutive codes read off it.
    Drift(otp::DriftArgs),
    /// Show what a secret decodes to and what was normalised (never prints the secret).
    Inspect(otp::InspectArgs),
    /// Validate token files (Token2/Graph JSON, legacy Entra CSV); exit 1 on any error.
    Validate(files::ValidateArgs),
    /// Write the canonical Graph #$delta JSON of a token file to stdout.
    Normalize(files::NormalizeArgs),
    /// Write duplicate-safe variants (serial + zeros, key + zero bytes) as delta JSON.
    Variants(graph::VariantsArgs),
    /// Write ready-to-paste Microsoft Graph requests for a token file.
    Graph(graph::GraphArgs),
    /// Map a pasted Graph response back to the file's tokens.
    Reconcile(graph::ReconcileArgs),
}

/// The whole command-line definition, for the release's completions and man pages.
#[cfg(feature = "dist-files")]
pub fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

/// A failure that makes the input unusable: printed as one line, exit code 2.
pub struct Unusable(pub String);

impl<E: std::fmt::Display> From<E> for Unusable {
    fn from(e: E) -> Self {
        Unusable(e.to_string())
    }
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Totp(a) => otp::totp(a),
        Command::Verify(a) => otp::verify(a),
        Command::Drift(a) => otp::drift(a),
        Command::Inspect(a) => otp::inspect(a),
        Command::Validate(a) => files::validate(a),
        Command::Normalize(a) => files::normalize(a),
        Command::Variants(a) => graph::variants(a),
        Command::Graph(a) => graph::graph(a),
        Command::Reconcile(a) => graph::reconcile(a),
    };
    match result {
        Ok(code) => code,
        Err(Unusable(msg)) => {
            eprintln!("hwoath: {msg}");
            ExitCode::from(2)
        }
    }
}

/// Current Unix time in seconds (the CLI is the only place that reads the clock).
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Reads a file argument as UTF-8 text; `-` reads standard input. The text is wiped when
/// dropped (token files hold secrets). Refuses more than `limits::MAX_INPUT_BYTES` without
/// reading further, UTF-16 and bytes that are not UTF-8 (core `tokenfile::text_from_bytes`).
pub fn read_input(path: &str) -> Result<Zeroizing<String>, Unusable> {
    use std::io::Read;
    let name = display_name(path);
    // One byte more than the limit is enough to refuse, whatever the input's size.
    let cap = MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Zeroizing::new(Vec::new());
    let read = if path == "-" {
        std::io::stdin().lock().take(cap).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            bytes.reserve(len.min(cap) as usize);
            f.take(cap).read_to_end(&mut bytes)
        })
    };
    read.map_err(|e| Unusable(format!("cannot read {name}: {e}")))?;
    tokenfile::text_from_bytes("the file", &bytes).map_err(|e| Unusable(format!("{name}: {e}")))?;
    let bytes = std::mem::take(&mut *bytes);
    // Valid UTF-8 (checked above): no copy is made.
    Ok(Zeroizing::new(String::from_utf8(bytes).map_err(|_| {
        Unusable(format!("{name} is not UTF-8 text"))
    })?))
}

/// Reads the pages of a Graph listing (`--listing`, repeatable) as one list of devices.
pub fn read_listings(paths: &[String]) -> Result<Vec<ListedDevice>, Unusable> {
    let texts = paths
        .iter()
        .map(|p| read_input(p))
        .collect::<Result<Vec<_>, _>>()?;
    let pages: Vec<&str> = texts.iter().map(|t| t.as_str()).collect();
    tokenfile::parse_listings(&pages).map_err(|(i, e)| {
        let path = paths.get(i).map_or("", |p| display_name(p));
        Unusable(format!("listing {path}: {e}"))
    })
}

/// `<stdin>` for `-`, else the path.
pub fn display_name(path: &str) -> &str {
    if path == "-" {
        "<stdin>"
    } else {
        path
    }
}

/// Prints a value as pretty JSON with a trailing newline.
pub fn print_json<T: serde::Serialize>(v: &T) {
    outln!("{}", serde_json::to_string_pretty(v).expect("json"));
}

/// Writes one line to standard output. A closed pipe ends the program with exit code 141 (the
/// shell's code for SIGPIPE) and no message; any other write error ends it with code 2.
pub fn write_line(args: std::fmt::Arguments<'_>) {
    write_out(args, "\n");
}

/// Writes text to standard output as is (it carries its own line ends); errors as [`write_line`].
pub fn write_text(text: &str) {
    write_out(format_args!("{text}"), "");
}

fn write_out(args: std::fmt::Arguments<'_>, end: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let result = out
        .write_fmt(args)
        .and_then(|()| out.write_all(end.as_bytes()))
        .and_then(|()| out.flush());
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        eprintln!("hwoath: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}
