//! The CLI proper (native only).

use crate::{files, graph, otp, pgp};

use std::process::ExitCode;

use std::borrow::Cow;

use hwoath::core::limits::{self, MAX_INPUT_BYTES};
use hwoath::core::text::{visible, visible_lines};
use hwoath::core::token::ListedDevice;
use hwoath::core::tokenfile;
use zeroize::Zeroizing;

use clap::error::{ContextKind, ContextValue, ErrorKind};
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
    /// OpenPGP keys: `key new` makes the key to send to the vendor with the order.
    Key(pgp::KeyArgs),
    /// Decrypt the vendor's OpenPGP-encrypted file (to standard output, or --out PATH).
    Decrypt(pgp::DecryptArgs),
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

/// The commands that take a secret: their arguments are never echoed in an error.
const SECRET_COMMANDS: [&str; 4] = ["totp", "verify", "drift", "inspect"];

/// Longest unknown command name an error repeats (longer text may be a secret typed there).
const SHOWN_COMMAND_CHARS: usize = 12;

/// Prints a command-line error and returns its exit code (2; 0 for `--help`, `--version`).
///
/// clap repeats what was typed ("unexpected argument 'JBSW…' found", "to pass 'JBSW…' as a
/// value, use '-- JBSW…'"). A secret given without `--secret`, or to the wrong flag, would be
/// printed back to the terminal and into logs, so for the commands that take a secret nothing
/// typed is repeated, and an unknown command is repeated only when it is short.
fn argument_error(mut e: clap::Error) -> ExitCode {
    if matches!(
        e.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        // Help and version text hold nothing typed.
        let _ = e.print();
        return ExitCode::from(e.exit_code().clamp(0, 255) as u8);
    }
    let command = std::env::args_os()
        .skip(1)
        .find(|a| !a.to_string_lossy().starts_with('-'));
    let secret_command = command
        .as_ref()
        .is_some_and(|c| SECRET_COMMANDS.contains(&c.to_string_lossy().as_ref()));
    let mut hidden = false;
    if secret_command {
        let typed = match e.kind() {
            ErrorKind::UnknownArgument => vec![ContextKind::InvalidArg],
            _ => vec![ContextKind::InvalidValue],
        };
        for kind in typed {
            if e.get(kind).is_some() {
                e.insert(kind, ContextValue::String("(not shown)".into()));
                hidden = true;
            }
        }
        // "to pass '…' as a value, use '-- …'" repeats the argument.
        if e.remove(ContextKind::Suggested).is_some() {
            hidden = true;
        }
    }
    if let Some(ContextValue::String(s)) = e.get(ContextKind::InvalidSubcommand) {
        if s.chars().count() > SHOWN_COMMAND_CHARS {
            let n = s.chars().count();
            e.insert(
                ContextKind::InvalidSubcommand,
                ContextValue::String(format!("(not shown: {n} characters)")),
            );
            hidden = true;
        }
    }
    // Plain text (no colour codes), escaped like every other line.
    let text = e.render().to_string();
    for line in text.trim_end().lines() {
        errln!("{line}");
    }
    if hidden {
        errln!("hwoath: what was typed is not repeated: it may be a secret. Give the secret with --secret - (typed without echo, or piped from a file).");
    }
    ExitCode::from(2)
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return argument_error(e),
    };
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
        Command::Key(a) => pgp::key(a),
        Command::Decrypt(a) => pgp::decrypt(a),
    };
    match result {
        Ok(code) => code,
        Err(Unusable(msg)) => {
            errln!("hwoath: {msg}");
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
    text_of(path, read_bytes(path)?)
}

/// Reads a file argument's bytes (wiped when dropped); `-` reads standard input. Refuses more
/// than `limits::MAX_INPUT_BYTES` without reading further.
pub fn read_bytes(path: &str) -> Result<Zeroizing<Vec<u8>>, Unusable> {
    use std::io::Read;
    let name = display_name(path);
    // One byte more than the limit is enough to refuse, whatever the input's size.
    let cap = MAX_INPUT_BYTES as u64 + 1;
    let mut bytes = Zeroizing::new(Vec::new());
    // The file's size, for the message when it is over the limit (standard input has none).
    let mut size = None;
    let read = if path == "-" {
        std::io::stdin().lock().take(cap).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| {
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            size = Some(len);
            bytes.reserve(len.min(cap) as usize);
            f.take(cap).read_to_end(&mut bytes)
        })
    };
    read.map_err(|e| Unusable(format!("cannot read {name}: {e}")))?;
    if bytes.len() > MAX_INPUT_BYTES {
        // Only the first byte past the limit was read: say how big the input really is.
        let size = size.filter(|&s| s > MAX_INPUT_BYTES as u64);
        return Err(Unusable(format!(
            "{name}: {}",
            limits::input_too_large("the file", size)
        )));
    }
    Ok(bytes)
}

/// The bytes read from `path` as UTF-8 text (no copy is made), checked by the core
/// (`tokenfile::text_from_bytes`: size, UTF-16, bad bytes).
pub fn text_of(path: &str, mut bytes: Zeroizing<Vec<u8>>) -> Result<Zeroizing<String>, Unusable> {
    let name = display_name(path);
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
        let path = paths.get(i).map_or(Cow::Borrowed(""), |p| display_name(p));
        Unusable(format!("listing {path}: {e}"))
    })
}

/// `<stdin>` for `-`, else the path, escaped (`text::visible`): a file name is input too.
pub fn display_name(path: &str) -> Cow<'_, str> {
    if path == "-" {
        Cow::Borrowed("<stdin>")
    } else {
        visible(path)
    }
}

/// Prints a value as pretty JSON with a trailing newline, through the one JSON writer
/// (`text::json_pretty`: controls, bidi and invisible characters as `\uXXXX` escapes).
pub fn print_json<T: serde::Serialize>(v: &T) {
    outln!("{}", hwoath::core::text::json_pretty(v));
}

// The only places the CLI writes to a terminal. Everything it prints goes through
// `text::visible_lines`: a control character (ESC, CR, C1…), a text-direction control or another
// invisible character from an input (a key, a value, a file name, Graph's answer) is written as
// `\u{…}`, so nothing an input holds can move the cursor, erase or overwrite a line, set the
// window title or reverse text; only the line feeds the CLI itself writes stay. JSON documents
// are already escaped by the JSON writer (`text::json_pretty`), so for them this changes
// nothing. clippy.toml forbids `println!`, `eprintln!` and `std::io::stdout`/`stderr` elsewhere.

/// Writes one line to standard output, escaped (above). A closed pipe ends the program with exit
/// code 141 (the shell's code for SIGPIPE) and no message; any other write error ends it with
/// code 2.
pub fn write_line(args: std::fmt::Arguments<'_>) {
    write_out(&args.to_string(), true);
}

/// Writes text to standard output (it carries its own line ends), escaped; errors as
/// [`write_line`].
pub fn write_text(text: &str) {
    write_out(text, false);
}

/// Writes one line to standard error, escaped. A write error is ignored: there is nowhere left
/// to report it.
pub fn write_err_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let line = args.to_string();
    #[allow(clippy::disallowed_methods)]
    let mut err = std::io::stderr().lock();
    let _ = err
        .write_all(visible_lines(&line).as_bytes())
        .and_then(|()| err.write_all(b"\n"));
}

fn write_out(text: &str, newline: bool) {
    use std::io::Write;
    #[allow(clippy::disallowed_methods)]
    let mut out = std::io::stdout().lock();
    let result = out
        .write_all(visible_lines(text).as_bytes())
        .and_then(|()| out.write_all(if newline { b"\n" } else { b"" }))
        .and_then(|()| out.flush());
    if let Err(e) = result {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        errln!("hwoath: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}
