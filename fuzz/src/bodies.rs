//! Fuzz bodies: each takes arbitrary bytes, feeds them to one of hwoath's readers through its
//! public API and checks invariants that hold by design. A panic here is a finding.
//!
//! Used by the `cargo fuzz` targets (through the hwoath-fuzz lib) and, on stable, by
//! tests/fuzz_corpus.rs (`#[path]` include), which replays the committed corpus and every crash
//! found. Only hwoath's public API and std are used, so both can compile this file.

use std::sync::OnceLock;

use hwoath::core::graph::render::{self, Format};
use hwoath::core::graph::{
    build_requests, reconcile, usable_tokens, GraphRequest, Outcome, ReconcileOptions, RequestKind,
    RequestOptions, ResponseShape,
};
use hwoath::core::secret::{mask, Secret, SecretIssueKind};
use hwoath::core::token::{ListedDevice, Token};
use hwoath::core::tokenfile::{self, InputFormat, ParseOptions, Report};
use hwoath::core::{GraphHash, Severity};

/// A fuzz body: arbitrary bytes in, a panic on a finding.
pub type Body = fn(&[u8]);

/// Every body with the name of its target (and corpus directory).
pub const TARGETS: &[(&str, Body)] = &[
    ("tokenfile_json", tokenfile_json),
    ("tokenfile_csv", tokenfile_csv),
    ("graph_listing", graph_listing),
    ("graph_response", graph_response),
    ("secret", secret),
    ("graph_requests", graph_requests),
];

/// A small valid token file: the fixed side of the listing and response targets.
const FIXED_FILE: &str = r##"{"@context":"#$delta","value":[
{"@contentId":"1","serialNumber":"FZ-0001","manufacturer":"Token2","model":"C202","secretKey":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP","timeIntervalInSeconds":30,"hashFunction":"hmacsha1"},
{"@contentId":"2","serialNumber":"FZ-0002","manufacturer":"Token2","model":"C203","secretKey":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ","timeIntervalInSeconds":60,"hashFunction":"hmacsha256","displayName":"Spare"},
{"@contentId":"3","serialNumber":"fz-0003","manufacturer":"Feitian","model":"OTP c200","secretKey":"MFRGGZDFMZTWQ2LKNNWG23TPOBYXE43U","timeIntervalInSeconds":30,"hashFunction":"hmacsha1","assignTo":{"id":"0cadbf92-1111-4222-8333-444455556666"}}
]}"##;

/// Bytes as text: valid UTF-8 as is, anything else with U+FFFD replacements (what a reader
/// that decodes leniently would pass on).
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// Text that can only be in a message if the message shows the key: the canonical base32 of
/// the key without its last character (the one character a lenient parse may read differently
/// from the input), when that is at least 8 characters with a letter (numbers in messages are
/// positions, counts and lengths), and the input has no `\` (a JSON escape could spell it in a
/// quoted field) and holds it at most once even with case, whitespace, `-` and `=` ignored (so no
/// other field, key or column that a message quotes holds it).
fn telltale(input: &str, secret: &Secret) -> Option<String> {
    let c = secret.to_base32();
    let c = c.get(..c.len().saturating_sub(1)).unwrap_or_default();
    if c.len() < 8 || !c.bytes().any(|b| b.is_ascii_alphabetic()) || input.contains('\\') {
        return None;
    }
    let squeezed: String = input
        .chars()
        .filter(|ch| !matches!(ch, ' ' | '\t' | '\r' | '\n' | '-' | '='))
        .map(|ch| ch.to_ascii_uppercase())
        .collect();
    (squeezed.matches(c).count() <= 1).then(|| c.to_string())
}

/// Characters per line of a token file's text as hwoath numbers lines (docs/rules.md): after any
/// leading byte order marks, a line ends at `\n`, `\r\n` or a lone `\r`.
fn line_lengths(input: &str) -> Vec<usize> {
    let text = input.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    text.split(['\n', '\r'])
        .map(|l| l.chars().count())
        .collect()
}

/// A reported `line:column` is inside the text: the line exists and the column is at most one
/// past its last character.
fn check_position(lines: &[usize], line: Option<u32>, column: Option<u32>, what: &str) {
    assert_ne!(line, Some(0), "{what}: lines are 1-based");
    assert_ne!(column, Some(0), "{what}: columns are 1-based");
    if let Some(l) = line {
        let len = lines.get(l as usize - 1);
        assert!(len.is_some(), "{what}: line {l} of {}", lines.len());
        if let (Some(c), Some(len)) = (column, len) {
            assert!(
                c as usize <= len + 1,
                "{what}: column {c} on a line of {len}"
            );
        }
    }
}

/// Invariants of any report, true by design.
fn check_report(input: &str, report: &Report) {
    let n = report.records.len();
    let lines = line_lengths(input);
    assert_eq!(report.valid() + report.invalid(), n);
    assert_eq!(report.diagnostics.len(), report.diagnostic_files.len());
    assert_eq!(report.files.len(), 1);
    assert_eq!(report.files[0].first_record, 0);
    assert_eq!(report.files[0].records, n);
    for (i, r) in report.records.iter().enumerate() {
        assert_eq!(r.index, i, "records are numbered in input order");
        assert_eq!(r.file, 0);
        check_position(&lines, r.line, r.column, "record");
    }
    let mut errors = vec![false; n];
    for d in &report.diagnostics {
        assert!(
            !d.message.is_empty(),
            "diagnostic {} has no message",
            d.code
        );
        check_position(&lines, d.line, d.column, d.code);
        if let Some(r) = d.record {
            assert!(r < n, "diagnostic {} names record {r} of {n}", d.code);
            if d.severity == Severity::Error {
                errors[r] = true;
            }
        }
    }
    // No record is lost silently: invalid exactly when an error names it.
    for (r, e) in report.records.iter().zip(&errors) {
        assert_eq!(
            !r.is_valid(),
            *e,
            "record {} is {} but {} error names it",
            r.index,
            if r.is_valid() { "valid" } else { "invalid" },
            if *e { "an" } else { "no" }
        );
    }
    // No message shows a decoded secret.
    for r in &report.records {
        let Some(c) = r.secret.as_ref().and_then(|s| telltale(input, s)) else {
            continue;
        };
        for d in &report.diagnostics {
            assert!(
                !d.message.contains(&c),
                "diagnostic {} shows the secret of record {}",
                d.code,
                r.index
            );
        }
    }
    let _ = report.to_json().to_string();
}

/// Normalising keeps every valid record, lists every invalid one, and its output reads back as
/// the same records (a fixed point).
fn check_normalize(report: &Report) {
    assert_eq!(
        tokenfile::normalize(report, false).is_ok(),
        report.invalid() == 0
    );
    let n = tokenfile::normalize(report, true).expect("skip_invalid always writes");
    assert_eq!(n.skipped.len(), report.invalid());
    let again = tokenfile::validate(&n.json, &ParseOptions::default())
        .expect("normalised output is a usable token file");
    assert_eq!(
        again.records.len(),
        report.valid(),
        "records lost on normalising"
    );
    assert_eq!(again.invalid(), 0, "normalised output has invalid records");
    let twice = tokenfile::normalize(&again, false).expect("no invalid records");
    assert_eq!(twice.json, n.json, "normalising is not a fixed point");
}

fn read_token_file(data: &[u8], format: InputFormat, hash: Option<GraphHash>) {
    let input = text(data);
    let opts = ParseOptions {
        format,
        hash_function: hash,
        listing: Vec::new(),
    };
    if let Ok(report) = tokenfile::validate(&input, &opts) {
        check_report(&input, &report);
        check_normalize(&report);
    }
}

/// The token-file reader forced onto its JSON path (Graph delta, bare array, single object).
pub fn tokenfile_json(data: &[u8]) {
    read_token_file(data, InputFormat::Json, None);
}

/// The token-file reader forced onto its legacy-CSV path, with and without a default hash
/// (which changes how a hash column is read).
pub fn tokenfile_csv(data: &[u8]) {
    read_token_file(data, InputFormat::Csv, None);
    read_token_file(data, InputFormat::Csv, Some(GraphHash::Sha256));
}

/// The fixed small token file, validated once.
fn fixed_report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let r = tokenfile::validate(FIXED_FILE, &ParseOptions::default()).expect("fixed file");
        assert_eq!(r.valid(), 3, "the fixed file is valid");
        r
    })
}

/// A Graph GET listing page; the devices it yields are then used for the collision checks of
/// the fixed token file.
pub fn graph_listing(data: &[u8]) {
    let input = text(data);
    let Ok(devices) = tokenfile::parse_listing(&input) else {
        return;
    };
    for d in &devices {
        assert!(!d.serial_number.is_empty(), "a listed device has a serial");
        assert_eq!(
            d.serial_number.trim(),
            d.serial_number,
            "serials are trimmed"
        );
    }
    let opts = ParseOptions {
        listing: devices.clone(),
        ..ParseOptions::default()
    };
    let report = tokenfile::validate(FIXED_FILE, &opts).expect("the fixed file is readable");
    // Collision messages quote the listing (ids, status), so both texts are the input.
    check_report(&format!("{FIXED_FILE}\n{input}"), &report);
    // A listing can only add findings to a file, never records.
    assert_eq!(report.records.len(), fixed_report().records.len());
    let collides = |serial: &str| {
        devices
            .iter()
            .any(|d: &ListedDevice| d.serial_number == serial)
    };
    for r in &report.records {
        let serial = r.serial_number.as_deref().unwrap_or_default();
        if !collides(serial) {
            continue;
        }
        assert!(
            report
                .diagnostics
                .iter()
                .any(|d| d.record == Some(r.index) && d.severity != Severity::Info),
            "record {} collides with the listing and nothing says so",
            r.index
        );
    }
}

/// A pasted Graph response mapped back to the fixed token file, for the whole file and for
/// each part of a chunked upload (and one part that does not exist).
pub fn graph_response(data: &[u8]) {
    let response = text(data);
    let report = fixed_report();
    let tokens = usable_tokens(report).expect("the fixed file is valid");
    let secrets: Vec<String> = tokens
        .iter()
        .map(|t| t.secret.to_base32().to_string())
        .collect();
    let no_secret = |what: &str, s: &str| {
        let up = s.to_ascii_uppercase();
        for c in &secrets {
            assert!(!up.contains(c.as_str()), "{what} shows a token's secret");
        }
    };
    let options = [
        (100, None),
        (2, Some(1)),
        (2, Some(2)),
        (1, Some(3)),
        (2, Some(3)),
    ];
    for (chunk, part) in options {
        let o = ReconcileOptions { chunk, part };
        let r = match reconcile(&tokens, &response, &o) {
            Ok(r) => r,
            Err(e) => {
                no_secret("the refusal", &e.message);
                continue;
            }
        };
        let scope = match part {
            None => 0..tokens.len(),
            Some(p) => ((p - 1) * chunk)..(p * chunk).min(tokens.len()),
        };
        assert_eq!(r.tokens.len(), scope.len(), "one result per token in scope");
        assert_eq!(r.created + r.failed + r.unknown, r.tokens.len());
        for (t, i) in r.tokens.iter().zip(scope) {
            assert_eq!(t.record, i);
            assert_eq!(t.content_id, (i + 1).to_string());
            assert_eq!(t.serial_number, tokens[i].serial_number);
            assert_eq!(t.reason.is_none(), t.result == Outcome::Created);
            if r.shape == ResponseShape::Error {
                assert_eq!(t.result, Outcome::Failed, "an error body fails every token");
            }
            if let Some(reason) = &t.reason {
                no_secret("a reason", reason);
            }
        }
        for u in &r.unmatched {
            no_secret("an unmatched item's message", &u.message);
        }
    }
}

/// The lenient base32 front: never panics; what it accepts re-encodes canonically and reads back
/// strictly to the same key.
pub fn secret(data: &[u8]) {
    let input = text(data);
    let chars = input.chars().count();
    assert_eq!(
        mask(&input).chars().count(),
        chars,
        "a mask keeps the length"
    );
    let strict = Secret::decode_strict(&input);
    match Secret::parse(&input) {
        Ok(parsed) => {
            let key = &parsed.secret;
            let c = key.to_base32();
            assert_eq!(c.len(), key.base32_len());
            let back = Secret::decode_strict(&c).expect("canonical base32 reads strictly");
            assert_eq!(back.as_bytes(), key.as_bytes(), "strict round trip");
            if !key.is_empty() {
                let again = Secret::parse(&c).expect("canonical base32 parses");
                assert_eq!(
                    again.secret.as_bytes(),
                    key.as_bytes(),
                    "lenient round trip"
                );
                assert!(
                    again
                        .issues
                        .iter()
                        .all(|i| i.kind == SecretIssueKind::ShortKey),
                    "canonical text needs no normalisation"
                );
            }
            if let Ok(s) = &strict {
                assert_eq!(s.as_bytes(), key.as_bytes(), "strict and lenient agree");
            }
            let shown = telltale(&input, key);
            for i in &parsed.issues {
                assert_ne!(
                    i.severity(),
                    Severity::Error,
                    "an accepted key has no error"
                );
                assert!(i.positions.iter().all(|&p| p < chars), "position in range");
                if let Some(c) = &shown {
                    assert!(!i.message.contains(c.as_str()), "an issue shows the key");
                }
            }
        }
        Err(e) => {
            assert!(!e.issues.is_empty(), "a refusal says why");
            assert!(
                e.issues
                    .iter()
                    .all(|i| i.positions.iter().all(|&p| p < chars)),
                "position in range"
            );
            if !input.is_empty() {
                assert!(strict.is_err(), "strict accepts only what lenient accepts");
            }
        }
    }
}

/// Every kind with everything it may need: chunk 2, a user, a device id, a time, and (for the
/// kinds that name one device) the first token's serial.
fn full_options(kind: RequestKind, first_serial: &str) -> RequestOptions {
    RequestOptions {
        kind,
        chunk: 2,
        user: Some("fuzz@example.com".into()),
        device_id: Some("00000000-0000-4000-8000-000000000001".into()),
        time: Some(1_700_000_000),
        serial: kind.needs_device_id().then(|| first_serial.to_string()),
    }
}

fn build_and_render(tokens: &[&Token], options: &RequestOptions) -> Option<Vec<GraphRequest>> {
    let requests = build_requests(tokens, options).ok()?;
    for format in Format::ALL {
        let doc = render::document(&requests, format);
        assert!(requests.is_empty() || !doc.is_empty());
    }
    Some(requests)
}

/// The request builder on whatever the token-file reader accepts: every kind, with defaults and
/// with full options, rendered in every format.
pub fn graph_requests(data: &[u8]) {
    let input = text(data);
    let Ok(report) = tokenfile::validate(&input, &ParseOptions::default()) else {
        return;
    };
    let Ok(tokens) = usable_tokens(&report) else {
        return;
    };
    // The same tokens with other keys: requests that carry no key and no code must not change.
    let rekeyed: Vec<Token> = tokens
        .iter()
        .map(|t| Token {
            secret: Secret::from_bytes(t.secret.as_bytes().iter().map(|b| !b).collect()),
            ..(*t).clone()
        })
        .collect();
    let rekeyed: Vec<&Token> = rekeyed.iter().collect();
    let first_serial = tokens
        .first()
        .map(|t| t.serial_number.clone())
        .unwrap_or_default();
    for kind in RequestKind::ALL {
        let keyed = matches!(kind, RequestKind::Create | RequestKind::CreateBulk);
        for options in [RequestOptions::new(kind), full_options(kind, &first_serial)] {
            let Some(requests) = build_and_render(&tokens, &options) else {
                continue;
            };
            for r in &requests {
                assert!(r.records.iter().all(|&i| i < tokens.len()));
            }
            if matches!(
                kind,
                RequestKind::CreateBulk | RequestKind::Create | RequestKind::List
            ) && options.serial.is_none()
            {
                let records: Vec<usize> = requests.iter().flat_map(|r| r.records.clone()).collect();
                let all: Vec<usize> = (0..tokens.len()).collect();
                assert_eq!(records, all, "{kind}: every token once, in order");
            }
            if keyed {
                let doc = render::document(&requests, Format::Json);
                for t in &tokens {
                    assert!(
                        doc.contains(t.secret.to_base32().as_str()),
                        "{kind}: a token's key is missing from its create body"
                    );
                }
            } else if !kind.needs_time() {
                let other = build_requests(&rekeyed, &options).expect("same tokens but keys");
                assert_eq!(other, requests, "{kind}: the request depends on the key");
            }
        }
    }
}
