//! `totp`, `verify`, `drift` and `inspect`.

use std::process::ExitCode;

use clap::{Args, ValueEnum};
use hwoath::core::otp::{entra_fit, human_duration};
use hwoath::core::{Generator, HashAlg, OtpParams, ParsedSecret, Secret, Severity};
use serde_json::json;
use zeroize::Zeroizing;

use crate::{now, print_json, Unusable};

#[derive(Clone, Copy, ValueEnum)]
pub enum HashArg {
    Sha1,
    Sha256,
    Sha512,
}

impl From<HashArg> for HashAlg {
    fn from(h: HashArg) -> Self {
        match h {
            HashArg::Sha1 => HashAlg::Sha1,
            HashArg::Sha256 => HashAlg::Sha256,
            HashArg::Sha512 => HashAlg::Sha512,
        }
    }
}

/// Options shared by every code command.
#[derive(Args)]
pub struct CodeOpts {
    /// Base32 secret (lower case, spaces, '-' and '=' padding are accepted). `-` reads it from
    /// the first line of standard input, which keeps it out of the process list and the shell
    /// history.
    #[arg(long)]
    secret: String,
    /// HMAC hash.
    #[arg(long, value_enum, default_value = "sha1")]
    hash: HashArg,
    /// Time step in seconds (Entra: 30 or 60).
    #[arg(long, default_value_t = 30)]
    period: u64,
    /// Digits per code (6-8).
    #[arg(long, default_value_t = 6)]
    digits: u32,
    /// Unix time in seconds (default: now).
    #[arg(long)]
    time: Option<u64>,
}

impl CodeOpts {
    fn generator(&self) -> Result<Generator, Unusable> {
        let parsed = parse_secret(&self.secret)?;
        let params = OtpParams {
            hash: self.hash.into(),
            digits: self.digits,
            period: self.period,
        };
        Ok(Generator::new(&parsed.secret, params)?)
    }

    fn time(&self) -> u64 {
        self.time.unwrap_or_else(now)
    }
}

/// Decodes `--secret`; `-` reads the secret from the first line of standard input, with the
/// terminal's echo off when standard input is a terminal. A secret given on the command line
/// gets a warning. Every copy of the text is wiped when dropped.
fn parse_secret(arg: &str) -> Result<ParsedSecret, Unusable> {
    use std::io::IsTerminal;
    let text = if arg == "-" {
        let cannot = |e: std::io::Error| {
            Unusable(format!("cannot read the secret from standard input: {e}"))
        };
        let line = if std::io::stdin().is_terminal() {
            // Prompts on the terminal and reads it with echo off (rpassword restores the mode).
            Zeroizing::new(
                rpassword::prompt_password("Secret (typing is not shown): ").map_err(cannot)?,
            )
        } else {
            let mut line = Zeroizing::new(String::new());
            std::io::stdin().read_line(&mut line).map_err(cannot)?;
            line
        };
        Zeroizing::new(line.trim_end_matches(['\r', '\n']).to_string())
    } else {
        errln!("hwoath: warning: a secret given as --secret KEY is now in your shell's history, and other users can read it in the process list while hwoath runs; use --secret - to type it without echo or to pipe it from a file");
        Zeroizing::new(arg.to_string())
    };
    Secret::parse(&text).map_err(|e| Unusable(format!("secret: {e}")))
}

#[derive(Args)]
pub struct TotpArgs {
    #[command(flatten)]
    code: CodeOpts,
}

pub fn totp(a: &TotpArgs) -> Result<ExitCode, Unusable> {
    let g = a.code.generator()?;
    outln!("{}", g.totp(a.code.time()));
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    opts: CodeOpts,
    /// The code shown on the device.
    #[arg(long)]
    code: String,
    /// Steps accepted behind the current one.
    #[arg(long, default_value_t = 1)]
    behind: u64,
    /// Steps accepted ahead of the current one.
    #[arg(long, default_value_t = 1)]
    ahead: u64,
    /// Print {"matched", "offsetSteps", "offsetSeconds"}.
    #[arg(long)]
    json: bool,
}

pub fn verify(a: &VerifyArgs) -> Result<ExitCode, Unusable> {
    let g = a.opts.generator()?;
    let r = g.verify(&a.code, a.opts.time(), a.behind, a.ahead)?;
    if a.json {
        print_json(&r);
    } else if let (Some(steps), Some(secs)) = (r.offset_steps, r.offset_seconds) {
        outln!(
            "matched at {steps:+} step(s) of {} s ({secs:+} s)",
            a.opts.period
        );
        outln!("{}", entra_fit(a.opts.period, secs).message);
    } else {
        outln!(
            "no match within {} step(s) behind and {} ahead; try `hwoath drift` to search wider",
            a.behind,
            a.ahead
        );
    }
    Ok(if r.matched {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

#[derive(Args)]
pub struct DriftArgs {
    #[command(flatten)]
    opts: CodeOpts,
    /// Codes read off the device, oldest first; the last one was read at --time.
    #[arg(long = "code", required = true)]
    codes: Vec<String>,
    /// Steps searched each way (default: two years of steps).
    #[arg(long)]
    max_steps: Option<u64>,
    /// Print {"candidates": [{"offsetSteps", "offsetSeconds"}], "scannedSteps"}.
    #[arg(long)]
    json: bool,
}

pub fn drift(a: &DriftArgs) -> Result<ExitCode, Unusable> {
    let g = a.opts.generator()?;
    let max = a.max_steps.unwrap_or_else(|| g.default_max_steps());
    let codes: Vec<&str> = a.codes.iter().map(String::as_str).collect();
    let r = g.drift(&codes, a.opts.time(), max)?;
    if a.json {
        print_json(&r);
    } else {
        outln!(
            "scanned {} step(s) (±{}) for {} code(s): {} candidate(s)",
            r.scanned_steps,
            human_duration(max * a.opts.period),
            codes.len(),
            r.candidates.len()
        );
        for c in &r.candidates {
            outln!(
                "  {:+} step(s) of {} s = {:+} s: {}",
                c.offset_steps,
                a.opts.period,
                c.offset_seconds,
                entra_fit(a.opts.period, c.offset_seconds).message
            );
        }
        if r.candidates.len() > 1 {
            outln!(
                "several offsets match: read one or two more consecutive codes to tell them apart"
            );
        }
    }
    Ok(if r.candidates.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Args)]
pub struct InspectArgs {
    /// Base32 secret to inspect; `-` reads it from the first line of standard input.
    #[arg(long)]
    secret: String,
    /// Print a JSON object.
    #[arg(long)]
    json: bool,
}

pub fn inspect(a: &InspectArgs) -> Result<ExitCode, Unusable> {
    let p = parse_secret(&a.secret)?;
    let canonical = p.secret.to_base32();
    let masked = hwoath::core::secret::mask(&canonical);
    if a.json {
        print_json(&json!({
            "byteLength": p.secret.len(),
            "bits": p.secret.len() * 8,
            "canonicalLength": canonical.len(),
            "masked": masked,
            "issues": p.issues,
        }));
    } else {
        outln!(
            "{} bytes ({} bits), canonical base32 {} characters: {}",
            p.secret.len(),
            p.secret.len() * 8,
            canonical.len(),
            masked
        );
        for i in &p.issues {
            let tag = match i.severity() {
                Severity::Info => "normalised",
                Severity::Warning => "warning",
                Severity::Error => "error",
            };
            outln!("  {tag}: {}", i.message);
        }
    }
    Ok(ExitCode::SUCCESS)
}
