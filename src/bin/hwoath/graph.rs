//! `variants`, `graph` and `reconcile`: thin wrappers over `core::variants` and `core::graph`.
//!
//! A token file with any invalid record is refused (exit 1 for `variants` and `graph`, 2 for
//! `reconcile`, whose exit 1 means "some token failed"), with its error diagnostics on stderr.

use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};
use hwoath::core::graph::render::{self, Format, Ordered};
use hwoath::core::graph::{
    build_requests, reconcile as map_response, usable_tokens, Outcome, ReconcileOptions,
    RequestKind, RequestOptions,
};
use hwoath::core::token::delta_body;
use hwoath::core::tokenfile::{self, ParseOptions, Report};
use hwoath::core::variants::{make_variants, originals, Variant, VariantOptions, MAX_COPIES};
use hwoath::core::HashAlg;
use serde::Serialize;

use crate::{now, print_json, read_input, read_listings, Unusable};

/// Hash for records that do not state one (every legacy CSV row).
#[derive(Clone, Copy, ValueEnum)]
pub enum HashFunctionArg {
    Hmacsha1,
    Hmacsha256,
}

/// Options shared by the three commands for reading the token file.
#[derive(Args)]
pub struct FileOpts {
    /// Token file: Graph/Token2 JSON or legacy Entra CSV; `-` reads standard input.
    file: String,
    /// Hash for records that do not state one (legacy CSV has no column for it).
    #[arg(long = "hash-function", value_enum)]
    hash_function: Option<HashFunctionArg>,
    /// An OpenPGP-encrypted FILE is decrypted in memory (`--key`, passphrase options).
    #[command(flatten)]
    key: crate::pgp::KeyInput,
}

impl FileOpts {
    fn report(&self) -> Result<Report, Unusable> {
        let text = self.key.read_input(&self.file)?;
        let opts = ParseOptions {
            hash_function: self.hash_function.map(|h| match h {
                HashFunctionArg::Hmacsha1 => HashAlg::Sha1,
                HashFunctionArg::Hmacsha256 => HashAlg::Sha256,
            }),
            ..ParseOptions::default()
        };
        tokenfile::validate(&text, &opts).map_err(|e| Unusable(format!("{}: {e}", self.file)))
    }
}

/// Prints why a file with invalid records is refused.
fn refuse_file(file: &str, e: &hwoath::core::graph::InvalidFile) {
    eprintln!("hwoath: {file}: {e}");
}

#[derive(Args)]
pub struct VariantsArgs {
    #[command(flatten)]
    file: FileOpts,
    /// Variants per token (each adds one more zero to the serial and one zero byte to the key).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=MAX_COPIES as u64))]
    copies: u64,
    /// A Graph listing of the tenant's devices (GET …/hardwareOathDevices); its serials are
    /// avoided. Repeat for several pages.
    #[arg(long)]
    listing: Vec<String>,
    /// Print {"variants": [{record, copy, serialNumber, note}], "body": <delta JSON>}.
    #[arg(long)]
    json: bool,
}

pub fn variants(a: &VariantsArgs) -> Result<ExitCode, Unusable> {
    let report = a.file.report()?;
    let listing_serials = read_listings(&a.listing)?
        .into_iter()
        .map(|d| d.serial_number)
        .collect();
    if let Err(e) = usable_tokens(&report) {
        refuse_file(&a.file.file, &e);
        return Ok(ExitCode::from(1));
    }
    let opts = VariantOptions {
        copies: a.copies as usize,
        listing_serials,
    };
    let made = match make_variants(&originals(&report), &opts) {
        Ok(v) => v,
        Err(refusals) => {
            eprintln!(
                "hwoath: {} token(s) cannot be varied safely; nothing was written:",
                refusals.len()
            );
            for r in refusals {
                eprintln!("  {r}");
            }
            return Ok(ExitCode::from(1));
        }
    };
    let tokens: Vec<_> = made.iter().map(|v| &v.token).collect();
    let body = delta_body(&tokens);
    if a.json {
        #[derive(Serialize)]
        struct Out<'a> {
            variants: &'a [Variant],
            body: Ordered<'a>,
        }
        print_json(&Out {
            variants: &made,
            body: Ordered(&body),
        });
    } else {
        outln!("{}", render::pretty(&body));
    }
    Ok(ExitCode::SUCCESS)
}

fn kind_parser() -> impl TypedValueParser<Value = RequestKind> {
    PossibleValuesParser::new(RequestKind::ALL.map(RequestKind::as_str))
        .map(|s| RequestKind::parse(&s).expect("a listed kind"))
}

fn format_parser() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.map(Format::as_str))
        .map(|s| Format::parse(&s).expect("a listed format"))
}

#[derive(Args)]
pub struct GraphArgs {
    #[command(flatten)]
    file: FileOpts,
    /// What to build.
    #[arg(long, value_parser = kind_parser())]
    request: RequestKind,
    /// Tokens per bulk-create request (Graph documents no maximum).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    chunk: u64,
    /// User object id or UPN (overrides the file's upn / assignTo).
    #[arg(long)]
    user: Option<String>,
    /// The device's Graph id (from a list request); needs a one-token selection.
    #[arg(long = "device-id")]
    device_id: Option<String>,
    /// Unix seconds for verification codes (default: now).
    #[arg(long)]
    time: Option<u64>,
    /// Only the token with this serial number.
    #[arg(long)]
    serial: Option<String>,
    /// Output format.
    #[arg(long, value_parser = format_parser(), default_value = "json")]
    format: Format,
}

pub fn graph(a: &GraphArgs) -> Result<ExitCode, Unusable> {
    let report = a.file.report()?;
    let tokens = match usable_tokens(&report) {
        Ok(t) => t,
        Err(e) => {
            refuse_file(&a.file.file, &e);
            return Ok(ExitCode::from(1));
        }
    };
    let kind = a.request;
    let options = RequestOptions {
        kind,
        chunk: a.chunk as usize,
        user: a.user.clone(),
        device_id: a.device_id.clone(),
        time: if kind.needs_time() {
            Some(a.time.unwrap_or_else(now))
        } else {
            a.time
        },
        serial: a.serial.clone(),
    };
    let requests = build_requests(&tokens, &options)?;
    crate::app::write_text(&render::document(&requests, a.format));
    Ok(ExitCode::SUCCESS)
}

#[derive(Args)]
pub struct ReconcileArgs {
    #[command(flatten)]
    file: FileOpts,
    /// Graph's response body (JSON; a raw HTTP response with headers is accepted); `-` reads stdin.
    response: String,
    /// Tokens per bulk request, when the file was sent in parts.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(1..))]
    chunk: u64,
    /// The 1-based part the response answers (default: the whole file was one request).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    part: Option<u64>,
    /// Print the mapping as JSON.
    #[arg(long)]
    json: bool,
}

pub fn reconcile(a: &ReconcileArgs) -> Result<ExitCode, Unusable> {
    let report = a.file.report()?;
    let tokens = usable_tokens(&report).map_err(|e| Unusable(format!("{}: {e}", a.file.file)))?;
    let response = read_input(&a.response)?;
    let options = ReconcileOptions {
        chunk: a.chunk as usize,
        part: a.part.map(|p| p as usize),
    };
    let r = map_response(&tokens, &response, &options)
        .map_err(|e| Unusable(format!("{}: {e}", a.response)))?;
    if a.json {
        print_json(&r);
    } else {
        for t in &r.tokens {
            let detail = match (t.result, &t.device_id, &t.reason) {
                (Outcome::Created, Some(id), _) => format!(
                    "device {id}{}",
                    t.device_status
                        .as_deref()
                        .map(|s| format!(", {s}"))
                        .unwrap_or_default()
                ),
                (_, _, Some(reason)) => reason.clone(),
                _ => String::new(),
            };
            outln!(
                "{:<8} {}  (record {}, @contentId {}){}",
                t.result.as_str(),
                t.serial_number,
                t.record,
                t.content_id,
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(": {detail}")
                }
            );
        }
        for u in &r.unmatched {
            outln!("unmatched response item {}: {}", u.index, u.message);
        }
        outln!(
            "{} token(s): {} created, {} failed, {} unknown",
            r.tokens.len(),
            r.created,
            r.failed,
            r.unknown
        );
        for n in &r.notes {
            outln!("note: {n}");
        }
    }
    Ok(if r.all_created() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
