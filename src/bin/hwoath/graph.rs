//! `variants`, `graph` and `reconcile`: thin wrappers over `core::variants` and `core::graph`.
//!
//! A token file with any invalid record is refused (exit 1 for `variants` and `graph`, 2 for
//! `reconcile`, whose exit 1 means "some token failed"), with its error diagnostics on stderr.

use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::Args;
use hwoath::core::diag::Diagnostic;
use hwoath::core::graph::render::{self, Format, Ordered};
use hwoath::core::graph::script::{powershell_script, ScriptOptions};
use hwoath::core::graph::{
    build_requests_with, looks_like_users_answer, read_user_methods, read_users,
    reconcile as map_response, usable_tokens, InventoryQuery, Outcome, ReconcileOptions,
    RequestError, RequestInputs, RequestKind, RequestOptions, UserResolution,
};
use hwoath::core::limits::{thousands, MAX_LISTED_DEVICES, MAX_LISTING_PAGES};
use hwoath::core::text::visible;
use hwoath::core::token::{delta_body, ListedDevice};
use hwoath::core::tokenfile::{self, ParseOptions, Report};
use hwoath::core::variants::{make_variants, originals, Variant, VariantOptions, MAX_COPIES};
use hwoath::core::GraphHash;
use serde::Serialize;

use crate::files::hash_function_parser;
use crate::{display_name, now, print_json, read_input, read_listings, Unusable};

/// Prints findings about a pasted answer to stderr, one line each (`warning HW510: …`).
fn print_findings(source: &str, findings: &[Diagnostic]) {
    for d in findings {
        let loc = d.location();
        errln!(
            "hwoath: {}{}: {} {}: {}",
            display_name(source),
            if loc.is_empty() {
                String::new()
            } else {
                format!(":{loc}")
            },
            d.severity.as_str(),
            d.code,
            d.message
        );
    }
}

/// Reads `--listing` pages (every shape of `core::tokenfile::parse_listing_checked`), printing
/// their findings to stderr.
fn read_listing_pages(paths: &[String]) -> Result<Vec<ListedDevice>, Unusable> {
    if paths.len() > MAX_LISTING_PAGES {
        return Err(Unusable(format!(
            "{} listing pages; hwoath reads at most {} (the listing page limit in docs/limits.md)",
            thousands(paths.len()),
            thousands(MAX_LISTING_PAGES)
        )));
    }
    let mut out = Vec::new();
    for p in paths {
        let text = read_input(p)?;
        let (devices, findings) = tokenfile::parse_listing_checked(&text)
            .map_err(|e| Unusable(format!("listing {}: {e}", display_name(p))))?;
        print_findings(p, &findings);
        out.extend(devices);
        if out.len() > MAX_LISTED_DEVICES {
            return Err(Unusable(format!(
                "the listing has more than {} devices (the listing limit in docs/limits.md)",
                thousands(MAX_LISTED_DEVICES)
            )));
        }
    }
    Ok(out)
}

/// The command-line options a refused request asks for (the core's message names them in words,
/// as the page shows it too).
fn flag_hint(e: &RequestError) -> &'static str {
    match e {
        RequestError::MissingUser { .. } => " (--user)",
        RequestError::MissingDeviceId { .. } => " (--device-id ID, or --listing PAGE…)",
        RequestError::DeviceIdNeedsOneToken { .. } => " (--serial S, or --listing PAGE…)",
        RequestError::MissingTime { .. } => " (--time)",
        RequestError::NeedsObjectId { .. } => {
            " (hwoath graph FILE --request resolve-users, then --users ANSWER.json)"
        }
        RequestError::NotInListing { .. } => " (--request list-all, then --listing PAGE…)",
        RequestError::TwiceInListing { .. } => " (--device-id ID)",
        RequestError::NotUnassigned { .. } => " (--request unassign)",
        RequestError::CleanupNeedsAnswers => " (--user-methods ANSWER.json and --listing PAGE…)",
        RequestError::CleanupNeedsOneUser { .. } => " (--serial S, or --user U)",
        _ => "",
    }
}

/// Reads pasted answers (`--users`, `--user-methods`): every file's text.
fn read_answers(paths: &[String]) -> Result<Vec<zeroize::Zeroizing<String>>, Unusable> {
    paths.iter().map(|p| read_input(p)).collect()
}

/// Prints what the resolve-users answer says about each user that is not plainly usable.
fn print_resolution(source: &str, r: &UserResolution) {
    print_findings(source, &r.diagnostics);
}

/// Options shared by the three commands for reading the token file.
#[derive(Args)]
pub struct FileOpts {
    /// Token file: Graph/Token2 JSON or legacy Entra CSV; `-` reads standard input.
    file: String,
    /// Hash for records that do not state one (legacy CSV has no column for it).
    #[arg(long = "hash-function", value_parser = hash_function_parser())]
    hash_function: Option<GraphHash>,
    /// An OpenPGP-encrypted FILE is decrypted in memory (`--key`, passphrase options).
    #[command(flatten)]
    key: crate::pgp::KeyInput,
}

impl FileOpts {
    fn report(&self) -> Result<Report, Unusable> {
        let text = self.key.read_input(&self.file)?;
        let opts = ParseOptions {
            hash_function: self.hash_function,
            ..ParseOptions::default()
        };
        tokenfile::validate(&text, &opts)
            .map_err(|e| Unusable(format!("{}: {e}", display_name(&self.file))))
    }
}

/// Prints why a file with invalid records is refused: a summary, then each error as `validate`
/// prints it (`file:line:column: error[CODE] record N field: message`, records from 1).
fn refuse_file(file: &str, e: &hwoath::core::graph::InvalidFile) {
    errln!(
        "hwoath: {}: the file has {} invalid record(s) of {}; fix them first (hwoath validate shows every diagnostic)",
        display_name(file),
        e.invalid,
        e.records
    );
    for d in &e.errors {
        errln!("  {}", crate::files::line(file, d));
    }
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
            errln!(
                "hwoath: {} token(s) cannot be varied safely; nothing was written:",
                refusals.len()
            );
            for r in refusals {
                errln!("  {r}");
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
    /// The answer of --request resolve-users (the $batch answer; repeat for several batches):
    /// later requests name these users by object id.
    #[arg(long = "users", value_name = "ANSWER.json")]
    users: Vec<String>,
    /// The answer of --request user-methods, for cleanup-duplicate.
    #[arg(long = "user-methods", value_name = "ANSWER.json")]
    user_methods: Vec<String>,
    /// A device listing (pages of --request list-all, list or get; repeat for several pages):
    /// finds each token's device id by serial.
    #[arg(long, value_name = "PAGE.json")]
    listing: Vec<String>,
    /// list-all: only the available (unassigned) devices ($filter=status eq 'available').
    #[arg(long = "available-only")]
    available_only: bool,
    /// list-all: devices per page ($top).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    top: Option<u32>,
    /// Output format (powershell-script: one .ps1 that sends every request with retry).
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
    let mut inputs = RequestInputs {
        inventory: InventoryQuery {
            available_only: a.available_only,
            top: a.top,
        },
        ..RequestInputs::default()
    };
    if !a.users.is_empty() {
        let texts = read_answers(&a.users)?;
        let pages: Vec<&str> = texts.iter().map(|t| t.as_str()).collect();
        let r = read_users(&tokens, options.user.as_deref(), &pages)
            .map_err(|e| Unusable(format!("--users: {e}")))?;
        print_resolution(&a.users[0], &r);
        inputs.users = Some(r);
    }
    if !a.user_methods.is_empty() {
        let texts = read_answers(&a.user_methods)?;
        let pages: Vec<&str> = texts.iter().map(|t| t.as_str()).collect();
        let m = read_user_methods(&pages).map_err(|e| Unusable(format!("--user-methods: {e}")))?;
        print_findings(&a.user_methods[0], &m.diagnostics);
        inputs.user_methods = Some(m);
    }
    if !a.listing.is_empty() {
        inputs.listing = Some(read_listing_pages(&a.listing)?);
    }
    let requests = build_requests_with(&tokens, &options, &inputs)
        .map_err(|e| Unusable(format!("{e}{}", flag_hint(&e))))?;
    for r in &requests {
        for w in &r.warnings {
            errln!("hwoath: {} {}: {}", w.severity.as_str(), w.code, w.message);
        }
    }
    let text = if a.format == Format::PowershellScript {
        powershell_script(
            &requests,
            &ScriptOptions {
                token_file: Some(a.file.file.clone()),
                chunk: Some(a.chunk as usize),
            },
        )
    } else {
        render::document(&requests, a.format)
    };
    crate::app::write_text(&text);
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
    let tokens = usable_tokens(&report)
        .map_err(|e| Unusable(format!("{}: {e}", display_name(&a.file.file))))?;
    let response = read_input(&a.response)?;
    if looks_like_users_answer(&response) {
        let r = read_users(&tokens, None, &[response.as_str()])
            .map_err(|e| Unusable(format!("{}: {e}", a.response)))?;
        if a.json {
            print_json(&r);
        } else {
            for t in &r.tokens {
                outln!(
                    "{:<9} {}  (record {}) {}{}",
                    format!("{:?}", t.state).to_lowercase(),
                    visible(&t.serial_number),
                    t.record,
                    t.user.as_deref().unwrap_or(""),
                    t.object_id
                        .as_deref()
                        .map(|i| format!(": object id {i}"))
                        .unwrap_or_default()
                );
            }
            print_findings(&a.response, &r.diagnostics);
            outln!(
                "{} user(s): {} found ({} guest(s), {} disabled), {} not found, {} without an answer",
                r.users.len(),
                r.found,
                r.guests,
                r.disabled,
                r.not_found,
                r.missing
            );
        }
        let ok = r
            .users
            .iter()
            .all(|u| u.state == hwoath::core::graph::UserState::Found);
        return Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    let options = ReconcileOptions {
        chunk: a.chunk as usize,
        part: a.part.map(|p| p as usize),
    };
    let r = map_response(&tokens, &response, &options)
        .map_err(|e| Unusable(format!("{}: {e}", display_name(&a.response))))?;
    if a.json {
        print_json(&r);
    } else {
        // Ids, statuses and reasons come from Graph's answer as pasted: quoted escaped
        // (`text::visible`), records and response items counted from 1.
        for t in &r.tokens {
            let detail = match (t.result, &t.device_id, &t.reason) {
                (Outcome::Created, Some(id), _) => format!(
                    "device {}{}",
                    visible(id),
                    t.device_status
                        .as_deref()
                        .map(|s| format!(", {}", visible(s)))
                        .unwrap_or_default()
                ),
                (_, _, Some(reason)) => visible(reason).into_owned(),
                _ => String::new(),
            };
            outln!(
                "{:<8} {}  (record {}, @contentId {}){}",
                t.result.as_str(),
                visible(&t.serial_number),
                t.record + 1,
                visible(&t.content_id),
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(": {detail}")
                }
            );
        }
        for u in &r.unmatched {
            outln!(
                "unmatched response item {}: {}",
                u.index + 1,
                visible(&u.message)
            );
        }
        outln!(
            "{} token(s): {} created, {} failed, {} unknown",
            r.tokens.len(),
            r.created,
            r.failed,
            r.unknown
        );
        for n in &r.notes {
            outln!("note: {}", visible(n));
        }
        if a.part.is_none() && r.tokens.len() as u64 > a.chunk && r.failed > 0 {
            outln!("note: the part of a file sent in several parts is given with --part N (and --chunk)");
        }
        print_findings(&a.response, &r.diagnostics);
    }
    Ok(if r.all_created() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
