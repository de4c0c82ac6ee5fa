//! OpenPGP commands over the `hwoath-pgp` crate: `key new` (the admin's key for the vendor's
//! order), `decrypt` (the vendor's encrypted file), and the `--key` input of the token-file
//! commands, which decrypts in memory and never writes the plaintext anywhere.
//!
//! Passphrases come from an interactive prompt without echo (rpassword, on the terminal, never
//! standard input), `--passphrase-file PATH` (its first line) or `--passphrase-fd N` (the first
//! line read from that file descriptor) — never from an argument, which the process list and
//! the shell history would keep.

use std::cell::OnceCell;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use hwoath::core::text::visible;
use hwoath_pgp::{
    decrypt_message, detect, generate_key, DecryptOptions, Decrypted, DecryptedWith, KeyAlgorithm,
    KeyOptions, Passphrase, PgpError, SignatureCheck,
};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::app::{now, read_bytes, text_of};
use crate::{display_name, Unusable};

/// Largest passphrase file or line read, in bytes.
const MAX_PASSPHRASE_BYTES: u64 = 64 * 1024;

/// `error[PGP007]: …`, the form every OpenPGP refusal takes on the command line.
fn pgp_error(what: &str, e: &PgpError) -> Unusable {
    Unusable(format!("{}: error[{}]: {e}", visible(what), e.code()))
}

/// Where a passphrase comes from.
#[derive(Args, Default, Debug)]
pub struct PassphraseArgs {
    /// Read the passphrase from the first line of this file (instead of the prompt).
    #[arg(long, value_name = "PATH", conflicts_with = "passphrase_fd")]
    passphrase_file: Option<PathBuf>,
    /// Read the passphrase from the first line of this open file descriptor (0 is standard
    /// input; others need /dev/fd, i.e. Linux or macOS).
    #[arg(long, value_name = "N")]
    passphrase_fd: Option<u32>,
}

impl PassphraseArgs {
    /// Whether the passphrase is read from standard input (which then cannot hold the file).
    fn uses_stdin(&self) -> bool {
        self.passphrase_fd == Some(0)
    }

    /// Reads the passphrase: from the file or descriptor given, else by a prompt on the
    /// terminal (`confirm`: asked twice, both must match).
    fn read(&self, prompt: &str, confirm: bool) -> Result<Passphrase, Unusable> {
        let first_line = |mut r: Box<dyn Read>, what: &str| -> Result<Passphrase, Unusable> {
            let mut bytes = Zeroizing::new(Vec::new());
            (&mut r)
                .take(MAX_PASSPHRASE_BYTES)
                .read_to_end(&mut bytes)
                .map_err(|e| Unusable(format!("cannot read the passphrase from {what}: {e}")))?;
            let end = bytes
                .iter()
                .position(|&b| b == b'\n')
                .unwrap_or(bytes.len());
            let line = bytes[..end].strip_suffix(b"\r").unwrap_or(&bytes[..end]);
            let text = std::str::from_utf8(line)
                .map_err(|_| Unusable(format!("the passphrase in {what} is not UTF-8 text")))?;
            Ok(Passphrase::new(text.to_string()))
        };
        if let Some(path) = &self.passphrase_file {
            let shown = visible(&path.to_string_lossy()).into_owned();
            let f = std::fs::File::open(path)
                .map_err(|e| Unusable(format!("cannot read the passphrase file {shown}: {e}")))?;
            return first_line(Box::new(f), &shown);
        }
        if let Some(fd) = self.passphrase_fd {
            let what = format!("file descriptor {fd}");
            if fd == 0 {
                return first_line(Box::new(std::io::stdin()), &what);
            }
            let f = std::fs::File::open(format!("/dev/fd/{fd}"))
                .map_err(|e| Unusable(format!("cannot read the passphrase from {what}: {e}")))?;
            return first_line(Box::new(f), &what);
        }
        let ask = |p: &str| {
            rpassword::prompt_password(p).map(Passphrase::new).map_err(|_| {
                Unusable(
                    "no terminal to ask for the passphrase: use --passphrase-file PATH or --passphrase-fd N"
                        .into(),
                )
            })
        };
        let first = ask(prompt)?;
        if confirm {
            let again = ask("Repeat the passphrase: ")?;
            if !bool::from(first.as_str().as_bytes().ct_eq(again.as_str().as_bytes())) {
                return Err(Unusable(
                    "the two passphrases differ; nothing was written".into(),
                ));
            }
        }
        Ok(first)
    }
}

#[derive(Args)]
pub struct KeyArgs {
    #[command(subcommand)]
    command: KeyCommand,
}

#[derive(Subcommand)]
enum KeyCommand {
    /// Make an OpenPGP key for the vendor's order: writes DIR/<name>-public-key.asc (send it to
    /// the vendor) and DIR/<name>-private-key.asc (protected by your passphrase; keep it offline).
    New(KeyNewArgs),
}

#[derive(Args)]
pub struct KeyNewArgs {
    /// Your name, as the user ID shows it (also names the files: letters and digits kept,
    /// everything else becomes -).
    #[arg(long)]
    name: String,
    /// Your e-mail address (the user ID's address).
    #[arg(long)]
    email: String,
    /// RSA-3072 instead of Ed25519 + cv25519: for a vendor whose tools lack ECC; slower to make
    /// and larger, equally accepted by GnuPG.
    #[arg(long)]
    rsa: bool,
    /// Folder to write the two key files in (it must exist).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Accept a passphrase that fails the strength rule (docs/openpgp.md); never an empty one.
    #[arg(long)]
    allow_weak_passphrase: bool,
    /// Replace key files that already exist in DIR (otherwise they are never overwritten).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    passphrase: PassphraseArgs,
}

pub fn key(a: &KeyArgs) -> Result<ExitCode, Unusable> {
    match &a.command {
        KeyCommand::New(a) => key_new(a),
    }
}

/// Creates a new file (mode 0600 for secrets on Unix) and writes `data`; with `force`, an
/// existing file is replaced. Nothing is left half-written: a failed write removes the file.
fn write_new(path: &Path, data: &[u8], secret: bool, force: bool) -> Result<(), Unusable> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true);
    if force {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let shown = visible(&path.to_string_lossy()).into_owned();
    let mut f = o.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Unusable(format!(
                "{shown} already exists; nothing was written (--force replaces it)"
            ))
        } else {
            Unusable(format!("cannot write {shown}: {e}"))
        }
    })?;
    f.write_all(data).and_then(|()| f.sync_all()).map_err(|e| {
        let _ = std::fs::remove_file(path);
        Unusable(format!("cannot write {shown}: {e}"))
    })
}

fn key_new(a: &KeyNewArgs) -> Result<ExitCode, Unusable> {
    // Check everything that can fail before asking for the passphrase or making the key.
    let id = hwoath_pgp::Identity::new(&a.name, &a.email).map_err(|e| pgp_error("key", &e))?;
    let (public_name, private_name) = hwoath_pgp::key_file_names(&id.file_stem());
    let (public_path, private_path) = (a.out.join(&public_name), a.out.join(&private_name));
    if !a.out.is_dir() {
        return Err(Unusable(format!(
            "{} is not a folder",
            visible(&a.out.to_string_lossy())
        )));
    }
    if !a.force {
        for p in [&public_path, &private_path] {
            if p.exists() {
                return Err(Unusable(format!(
                    "{} already exists; nothing was written (--force replaces it)",
                    visible(&p.to_string_lossy())
                )));
            }
        }
    }
    let passphrase = a
        .passphrase
        .read("Passphrase for the new private key: ", true)?;
    let options = KeyOptions {
        name: &a.name,
        email: &a.email,
        algorithm: if a.rsa {
            KeyAlgorithm::Rsa3072
        } else {
            KeyAlgorithm::Ed25519
        },
        created: now(),
        allow_weak_passphrase: a.allow_weak_passphrase,
    };
    let key =
        generate_key(&options, &passphrase, rand::rngs::OsRng).map_err(|e| pgp_error("key", &e))?;
    write_new(&private_path, key.private_key.as_bytes(), true, a.force)?;
    if let Err(e) = write_new(&public_path, key.public_key.as_bytes(), false, a.force) {
        let _ = std::fs::remove_file(&private_path);
        return Err(e);
    }
    outln!(
        "Public key:  {}  (send this file to the vendor)",
        visible(&public_path.to_string_lossy())
    );
    outln!(
        "Private key: {}  (protected by your passphrase; keep it offline, you need it to open the vendor's file)",
        visible(&private_path.to_string_lossy())
    );
    outln!("User ID:     {}", visible(&key.user_id));
    outln!("Algorithm:   {}", key.algorithm.describe());
    outln!("Fingerprint: {}", key.fingerprint_groups);
    Ok(ExitCode::SUCCESS)
}

/// `--key` and the passphrase options of the token-file commands: an encrypted FILE (detected
/// by content) is decrypted in memory and read like the plain file; the plaintext is never
/// written anywhere and is wiped once read.
#[derive(Args, Default, Debug)]
pub struct KeyInput {
    /// Private key (the …-private-key.asc file) to open an OpenPGP-encrypted FILE (recognised by
    /// its content, whatever its name), in memory. Leave it out for a password-only file (gpg
    /// --symmetric).
    #[arg(long, value_name = "KEY.asc")]
    key: Option<String>,
    #[command(flatten)]
    passphrase: PassphraseArgs,
    /// The passphrase, once asked, for every file of the command.
    #[arg(skip)]
    asked: OnceCell<Passphrase>,
}

impl KeyInput {
    /// Reads `path` as token-file text, decrypting it first when it is an OpenPGP message.
    pub fn read_input(&self, path: &str) -> Result<Zeroizing<String>, Unusable> {
        self.check_stdin(path)?;
        let bytes = read_bytes(path)?;
        if detect(&bytes).is_none() {
            if self.key.is_some() {
                errln!(
                    "hwoath: note: {} is not encrypted; --key is not needed for it",
                    display_name(path)
                );
            }
            return text_of(path, bytes);
        }
        let decrypted = self.decrypt(path, &bytes, None)?;
        text_of(path, decrypted.plaintext)
    }

    /// Refuses standard input as both the file and the passphrase's source (before either is read).
    fn check_stdin(&self, path: &str) -> Result<(), Unusable> {
        if path == "-" && self.passphrase.uses_stdin() {
            return Err(Unusable(
                "standard input holds the file; give the passphrase another way (--passphrase-file, or the prompt)".into(),
            ));
        }
        Ok(())
    }

    /// Decrypts one message; `verify_with` is the sender's key file.
    fn decrypt(
        &self,
        path: &str,
        bytes: &[u8],
        verify_with: Option<&[u8]>,
    ) -> Result<Decrypted, Unusable> {
        let shown = display_name(path);
        self.check_stdin(path)?;
        let key = self.key.as_deref().map(read_bytes).transpose()?;
        let mut options = DecryptOptions {
            private_key: key.as_deref().map(|k| &k[..]),
            passphrase: self.asked.get(),
            verify_with,
            now: now(),
        };
        // A first pass without a passphrase checks everything else (the key is the right one,
        // not a public key, not expired…); the passphrase is asked only when it is needed.
        let out = match decrypt_message(bytes, &options) {
            Err(PgpError::NeedsPassphrase) => {
                let prompt = match &self.key {
                    None => format!("Passphrase for {}: ", shown),
                    Some(k) => format!("Passphrase for the private key {}: ", visible(k)),
                };
                let p = self.passphrase.read(&prompt, false)?;
                options.passphrase = Some(self.asked.get_or_init(|| p));
                decrypt_message(bytes, &options)
            }
            other => other,
        }
        .map_err(|e| pgp_error(&shown, &e))?;
        let how = match &out.info.decrypted_with {
            DecryptedWith::Key {
                fingerprint_groups,
                user_ids,
                ..
            } => format!(
                "with key {fingerprint_groups}{}",
                user_ids
                    .first()
                    .map(|u| format!(" ({})", visible(u)))
                    .unwrap_or_default()
            ),
            DecryptedWith::Passphrase => "with its passphrase".to_string(),
        };
        let date = out
            .info
            .date
            .map(|d| format!(", dated {}", hwoath_pgp::error::utc_date(d)))
            .unwrap_or_default();
        errln!(
            "hwoath: decrypted {} {how}{date} ({} bytes, {}{}{})",
            shown,
            out.info.bytes,
            out.info.cipher.as_deref().unwrap_or("cipher in the packet"),
            if out.info.integrity == "mdc" {
                ", MDC"
            } else {
                ", AEAD"
            },
            out.info
                .compression
                .map(|c| format!(", {c}"))
                .unwrap_or_default()
        );
        for s in &out.info.signatures {
            match s {
                SignatureCheck::Valid {
                    signer_fingerprint_groups,
                    created,
                    ..
                } => errln!(
                    "hwoath: good signature by the sender's key {signer_fingerprint_groups}{}",
                    created
                        .map(|c| format!(", made {}", hwoath_pgp::error::utc_date(c)))
                        .unwrap_or_default()
                ),
                SignatureCheck::Unchecked { reason, .. } => {
                    errln!("hwoath: note: the signature was not checked: {reason}")
                }
            }
        }
        Ok(out)
    }
}

#[derive(Args)]
pub struct DecryptArgs {
    /// The encrypted file (binary or armored, whatever its name); `-` reads standard input.
    #[arg(value_name = "FILE")]
    file: String,
    #[command(flatten)]
    input: KeyInput,
    /// The sender's public key, to check the message's signature (a bad one is an error; without
    /// it a signature is reported as not checked).
    #[arg(long, value_name = "SENDER.asc")]
    verify_with: Option<String>,
    /// Where to write the plaintext: a new file (mode 0600; never replaces one), or - for
    /// standard output (the default). validate, normalize, variants and graph take the encrypted
    /// FILE with --key directly and never write the plaintext.
    #[arg(long, value_name = "PATH|-", default_value = "-")]
    out: String,
}

pub fn decrypt(a: &DecryptArgs) -> Result<ExitCode, Unusable> {
    a.input.check_stdin(&a.file)?;
    let bytes = read_bytes(&a.file)?;
    if detect(&bytes).is_none() {
        return Err(pgp_error(&display_name(&a.file), &PgpError::NotAMessage));
    }
    let sender = a.verify_with.as_deref().map(read_bytes).transpose()?;
    if a.out != "-" && Path::new(&a.out).exists() {
        return Err(Unusable(format!(
            "{} already exists; nothing was written",
            visible(&a.out)
        )));
    }
    let out = a
        .input
        .decrypt(&a.file, &bytes, sender.as_deref().map(|s| &s[..]))?;
    if a.out == "-" {
        write_stdout(&out.plaintext);
    } else {
        write_new(Path::new(&a.out), &out.plaintext, true, false)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the plaintext to standard output. A closed pipe ends the program with exit code 141
/// and no message (as `outln!`), any other write error with code 2. The one raw write point of
/// the CLI: `decrypt --out -` gives the decrypted file byte for byte, as asked (escaping it would
/// change the file); everything hwoath itself says goes through `outln!`/`errln!`.
#[allow(clippy::disallowed_methods)]
fn write_stdout(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(141);
        }
        errln!("hwoath: cannot write to standard output: {e}");
        std::process::exit(2);
    }
}
