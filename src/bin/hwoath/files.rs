//! `validate` and `normalize`: token files in (Graph/Token2 JSON, legacy Entra CSV).
//!
//! Several FILEs given to `validate` are one upload: record indexes continue from file to file
//! and duplicates are found across files; each diagnostic line names its file.

use std::process::ExitCode;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, ValueEnum};
use hwoath::core::diag::Diagnostic;
use hwoath::core::tokenfile::{self, InputFormat, ParseOptions, Report};
use hwoath::core::{GraphHash, Severity};

use crate::{display_name, print_json, read_listings, Unusable};

/// `--hash-function`: the hashes Entra accepts, in Graph's spelling (core `GraphHash`), for
/// every command that reads a token file.
pub fn hash_function_parser() -> impl TypedValueParser<Value = GraphHash> {
    PossibleValuesParser::new(GraphHash::ALL.map(GraphHash::graph_name))
        .map(|s| GraphHash::from_graph_name(&s).expect("a listed hash"))
}

#[derive(Clone, Copy, ValueEnum)]
pub enum FormatArg {
    Auto,
    Json,
    Csv,
}

/// Options shared by `validate` and `normalize`.
#[derive(Args)]
pub struct InputOpts {
    /// A Graph GET listing of the tenant's devices, to find serials it already holds
    /// (repeat for several pages).
    #[arg(long = "listing", value_name = "FILE")]
    listings: Vec<String>,
    /// Hash function for records that state none (the legacy CSV has no hash column).
    /// Default: Graph's default, hmacsha1.
    #[arg(long, value_parser = hash_function_parser())]
    hash_function: Option<GraphHash>,
    /// Input format (default: detect).
    #[arg(long, value_enum, default_value = "auto")]
    input_format: FormatArg,
    /// An OpenPGP-encrypted FILE is decrypted in memory (`--key`, passphrase options).
    #[command(flatten)]
    key: crate::pgp::KeyInput,
}

impl InputOpts {
    fn options(&self) -> Result<ParseOptions, Unusable> {
        let listing = read_listings(&self.listings)?;
        Ok(ParseOptions {
            format: match self.input_format {
                FormatArg::Auto => InputFormat::Auto,
                FormatArg::Json => InputFormat::Json,
                FormatArg::Csv => InputFormat::Csv,
            },
            hash_function: self.hash_function,
            listing,
        })
    }

    /// Reads and validates `files` as one upload.
    fn report(&self, files: &[String]) -> Result<Report, Unusable> {
        let opts = self.options()?;
        let texts = files
            .iter()
            .map(|f| self.key.read_input(f))
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&str> = texts.iter().map(|t| t.as_str()).collect();
        tokenfile::validate_files(&refs, &opts)
            .map_err(|(i, e)| Unusable(format!("{}: {}", display_name(&files[i]), e)))
    }
}

/// `file:line:column: severity[CODE] record N field: message`, the record counted from 1 as in
/// the page's table (the JSON output's `record` is the 0-based index).
pub fn line(file: &str, d: &Diagnostic) -> String {
    let mut s = display_name(file).to_string();
    if let Some(l) = d.line {
        s.push_str(&format!(":{l}"));
        if let Some(c) = d.column {
            s.push_str(&format!(":{c}"));
        }
    }
    s.push_str(&format!(": {}[{}]", d.severity.as_str(), d.code));
    if let Some(r) = d.record {
        s.push_str(&format!(" record {}", r + 1));
    }
    if let Some(f) = d.field {
        s.push_str(&format!(" {f}"));
    }
    s.push_str(&format!(": {}", d.message));
    s
}

fn summary(report: &Report, files: usize) -> String {
    let count = |sev| {
        report
            .diagnostics
            .iter()
            .filter(|d| d.severity == sev)
            .count()
    };
    let in_files = if files > 1 {
        format!(" in {files} files")
    } else {
        String::new()
    };
    format!(
        "{} record(s){in_files}: {} valid, {} invalid; {} error(s), {} warning(s), {} notice(s)",
        report.records.len(),
        report.valid(),
        report.invalid(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )
}

#[derive(Args)]
pub struct ValidateArgs {
    /// Token files: Graph/Token2 JSON or legacy Entra CSV; `-` reads standard input.
    /// Several files are checked as one upload (record numbers continue across them).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    #[command(flatten)]
    input: InputOpts,
    /// Print {"records", "valid", "invalid", "diagnostics": [...]}; codes are catalogued in
    /// docs/rules.md. A diagnostic's "record" is the 0-based index (the text output and the
    /// messages count records from 1).
    #[arg(long)]
    json: bool,
}

/// Exit 0 when no record has an error (warnings allowed), 1 when any has, 2 when unusable.
pub fn validate(a: &ValidateArgs) -> Result<ExitCode, Unusable> {
    let report = a.input.report(&a.files)?;
    if a.json {
        print_json(&report);
    } else {
        for (d, &f) in report.diagnostics.iter().zip(&report.diagnostic_files) {
            outln!("{}", line(&a.files[f], d));
        }
        outln!("{}", summary(&report, a.files.len()));
    }
    Ok(if report.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(Args)]
pub struct NormalizeArgs {
    /// Token file (Graph/Token2 JSON or legacy Entra CSV); `-` reads standard input.
    #[arg(value_name = "FILE")]
    file: String,
    #[command(flatten)]
    input: InputOpts,
    /// Leave invalid records out (each is listed on standard error) instead of failing.
    #[arg(long)]
    skip_invalid: bool,
}

/// Writes the canonical delta JSON to stdout. Exit 1, with nothing on stdout, when a record is
/// invalid and `--skip-invalid` is not given.
pub fn normalize(a: &NormalizeArgs) -> Result<ExitCode, Unusable> {
    let files = std::slice::from_ref(&a.file);
    let report = a.input.report(files)?;
    match tokenfile::normalize(&report, a.skip_invalid) {
        Ok(n) => {
            for s in &n.skipped {
                let serial = s
                    .serial_number
                    .as_deref()
                    .map(|x| format!(" (serial \"{}\")", hwoath::core::text::shorten(x)))
                    .unwrap_or_default();
                errln!(
                    "hwoath: skipped record {}{serial}: {}",
                    s.record + 1,
                    s.reasons.join("; ")
                );
            }
            crate::app::write_text(&n.json);
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            for d in report
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
            {
                errln!("{}", line(&a.file, d));
            }
            errln!("hwoath: {e} (--skip-invalid writes the valid ones)");
            Ok(ExitCode::from(1))
        }
    }
}
