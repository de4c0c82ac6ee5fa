//! The secrets of a test input and a scanner for them, shared by the leak scanner
//! (tests/leak_scan.rs) and the fixture tests (tests/tokenfiles.rs).
//!
//! Secrets of an input ([`secrets_of`], the one Rust place that extracts them): each `secretKey`
//! value of a JSON file and each cell of a CSV's secret-key column, as written (trimmed), plus
//! its canonical base32 form when it decodes and that form in lower case. Values shorter than 8
//! characters are ignored: `AAAA` or `JBSW` occur in ordinary text (base32 of zero bytes, serial
//! numbers, words), so they cannot be told apart from a leak; 8 characters are 40 bits, which
//! no other output holds by chance. Canonical forms of 12+ characters are also searched for any
//! 12 consecutive characters, in any case, so a half-printed key is caught too. A form that also
//! stands in the input outside secret values (the same text as a serial number or a display
//! name) is left out: the product may rightly print that field.
//!

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use hwoath::core::secret::{mask, Secret};
use serde_json::Value;

/// Shortest secret form searched for (see the module docs).
pub const MIN_SECRET_CHARS: usize = 8;
/// Length of the windows of a canonical secret searched for on their own.
pub const WINDOW: usize = 12;

pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Every input file under `tests/fixtures/**`, relative to it, sorted: everything but the
/// expectation (`*.expected.*`) and option (`*.options.json`) sidecars.
pub fn fixture_inputs() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                let name = p.file_name().unwrap().to_string_lossy();
                if !name.contains(".expected.") && !name.ends_with(".options.json") {
                    out.push(p);
                }
            }
        }
    }
    let root = fixtures_root();
    let mut out = Vec::new();
    walk(&root, &mut out);
    let mut rel: Vec<PathBuf> = out
        .into_iter()
        .map(|p| p.strip_prefix(&root).unwrap().to_path_buf())
        .collect();
    rel.sort();
    rel
}

/// Bytes as text: UTF-16 when it starts with a UTF-16 byte order mark, else UTF-8 (lossy, so a
/// file with invalid bytes still yields the secrets around them).
pub fn decode(bytes: &[u8]) -> String {
    let utf16 = |le: bool| {
        let units: Vec<u16> = bytes[2..]
            .chunks_exact(2)
            .map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            })
            .collect();
        String::from_utf16_lossy(&units)
    };
    match bytes {
        [0xFF, 0xFE, ..] => utf16(true),
        [0xFE, 0xFF, ..] => utf16(false),
        _ => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// The secrets of one input.
#[derive(Default, Debug)]
pub struct Secrets {
    /// Each secret value as written (trimmed), in file order, duplicates kept.
    pub written: Vec<String>,
    /// Every form searched for: written, canonical, canonical lower case; ≥ 8 chars, distinct.
    pub forms: Vec<String>,
    /// The canonical forms (A-Z, 2-7) among `forms`, whose windows are searched for too.
    pub canonical: Vec<String>,
}

/// CSV header cell → is it the secret-key column? (case, spaces, `_` and `-` ignored, as the
/// reader does).
pub fn is_secret_column(cell: &str) -> bool {
    let n: String = cell
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    n == "secretkey"
}

/// Values of `"secretKey": "…"` members (key in any case) found lexically, so truncated JSON,
/// trailing commas and duplicate keys (which a parser would drop) still give their secrets.
pub fn lexical_secret_values(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("\"secretkey\"") {
        let start = from + i;
        from = start + 1;
        if let Some((lit, _)) = string_value_after_key(text, start + "\"secretkey\"".len()) {
            out.push(serde_json::from_str::<String>(lit).unwrap_or_else(|_| lit.to_string()));
        }
    }
    out
}

/// After a key ending at byte `at`: whitespace, `:`, whitespace and a JSON string literal →
/// (the literal with its quotes, the byte range of the literal). `None` when no string follows
/// (or it never ends).
pub fn string_value_after_key(text: &str, at: usize) -> Option<(&str, std::ops::Range<usize>)> {
    let b = text.as_bytes();
    let mut i = at;
    let ws = |i: &mut usize| {
        while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\r' | b'\n') {
            *i += 1;
        }
    };
    ws(&mut i);
    if b.get(i) != Some(&b':') {
        return None;
    }
    i += 1;
    ws(&mut i);
    if b.get(i) != Some(&b'"') {
        return None;
    }
    let start = i;
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some((&text[start..=i], start..i + 1)),
            _ => i += 1,
        }
    }
    None
}

/// Every string value of a key named `secretKey` (any case) in parsed JSON, at any depth.
pub fn parsed_secret_values(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(o) => {
            for (k, v) in o {
                match v {
                    Value::String(s) if k.eq_ignore_ascii_case("secretkey") => out.push(s.clone()),
                    _ => parsed_secret_values(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| parsed_secret_values(v, out)),
        _ => {}
    }
}

/// Cells of the secret-key column, read with the first delimiter the reader accepts that gives
/// the header such a column.
/// Excel's `sep=X` line (a byte order mark and a CR allowed).
pub fn is_sep_line(line: &str) -> bool {
    let line = line.trim_start_matches('\u{feff}').trim_end_matches('\r');
    line.len() <= 5 && line.to_ascii_lowercase().starts_with("sep=")
}

pub fn csv_secret_values(text: &str) -> Vec<String> {
    // Excel's `sep=;` first line names the separator; the header follows it.
    let text = match text.split_once('\n') {
        Some((line, rest)) if is_sep_line(line) => rest,
        _ => text,
    };
    // A header is one short line naming a secret column; anything else (a 10 MB JSON line) is
    // not worth a CSV read.
    let first = &text[..text.find('\n').unwrap_or(text.len())];
    if first.len() > 65536 || !first.to_ascii_lowercase().contains("secret") {
        return Vec::new();
    }
    for delimiter in [b',', b';', b'\t'] {
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut col = None;
        let mut out = Vec::new();
        for row in rdr.records() {
            let Ok(row) = row else { continue };
            match col {
                None => match row.iter().position(is_secret_column) {
                    Some(c) => col = Some(c),
                    None => break,
                },
                Some(c) => out.extend(row.get(c).map(String::from)),
            }
        }
        if col.is_some() {
            return out;
        }
    }
    Vec::new()
}

/// The secrets of an input file (see the module docs for what counts).
pub fn secrets_of(bytes: &[u8]) -> Secrets {
    let text = decode(bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut written = lexical_secret_values(text);
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        let mut parsed = Vec::new();
        parsed_secret_values(&v, &mut parsed);
        // Escaped keys (`"secret\u004bey"`) are only found by the parser.
        for p in parsed {
            if !written.contains(&p) {
                written.push(p);
            }
        }
    }
    written.extend(csv_secret_values(text));
    let written: Vec<String> = written.iter().map(|s| s.trim().to_string()).collect();
    let mut forms = Vec::new();
    let mut canonical = Vec::new();
    let mut seen = HashSet::new();
    // Also in the input outside secret values (a serial or display name with the same text),
    // where the product may rightly print it.
    let elsewhere =
        |s: &str| text.matches(s).count() > written.iter().filter(|w| w.contains(s)).count();
    let mut add = |s: String, forms: &mut Vec<String>| {
        if s.chars().count() >= MIN_SECRET_CHARS && !elsewhere(&s) && seen.insert(s.clone()) {
            forms.push(s);
        }
    };
    for w in &written {
        add(w.clone(), &mut forms);
        if let Ok(p) = Secret::parse(w) {
            let c = p.secret.to_base32().to_string();
            if c.len() >= MIN_SECRET_CHARS && !elsewhere(&c) && !canonical.contains(&c) {
                canonical.push(c.clone());
            }
            add(c.to_ascii_lowercase(), &mut forms);
            add(c, &mut forms);
        }
    }
    Secrets {
        written,
        forms,
        canonical,
    }
}

impl Secrets {
    /// Adds a text no output may hold: a passphrase, a line of a private key block (OpenPGP,
    /// tests/leak_scan.rs). Searched for whole, like the other forms.
    pub fn add_form(&mut self, s: &str) {
        if s.chars().count() >= MIN_SECRET_CHARS && !self.forms.iter().any(|f| f == s) {
            self.forms.push(s.to_string());
        }
    }
}

/// The body lines of an ASCII-armored block (base64, 16 or more characters each): for a
/// private key, each is 12 or more bytes of it that no output may repeat.
pub fn armor_lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut body = false;
    for line in text.lines() {
        if line.starts_with("-----BEGIN ") {
            body = false;
            continue;
        }
        if line.is_empty() {
            body = true;
            continue;
        }
        if body && line.len() >= 16 && !line.starts_with('=') && !line.starts_with("-----") {
            out.push(line.to_string());
        }
    }
    out
}

/// Cuts the value out of every `"secretKey": "…"` member: what remains of an output whose
/// purpose is to carry secrets must hold none.
pub fn strip_secret_key_values(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    while let Some(i) = text[from..].find("\"secretKey\"") {
        let key_end = from + i + "\"secretKey\"".len();
        match string_value_after_key(text, key_end) {
            Some((_, range)) => {
                out.push_str(&text[from..range.start]);
                out.push_str("\"<secretKey>\"");
                from = range.end;
            }
            None => {
                out.push_str(&text[from..key_end]);
                from = key_end;
            }
        }
    }
    out.push_str(&text[from..]);
    out
}

/// A scanner for one input's secrets: whole forms, and (case-insensitively) every 12-character
/// window of each canonical form up to 4,096 characters.
pub struct Scanner<'a> {
    secrets: &'a Secrets,
    windows: HashMap<[u8; WINDOW], usize>,
}

impl<'a> Scanner<'a> {
    pub fn new(secrets: &'a Secrets) -> Self {
        let mut windows = HashMap::new();
        for (i, c) in secrets.canonical.iter().enumerate() {
            if c.len() <= 4096 {
                for w in c.as_bytes().windows(WINDOW) {
                    windows.entry(w.try_into().unwrap()).or_insert(i);
                }
            }
        }
        Scanner { secrets, windows }
    }

    /// What of a secret `output` holds, described without the secret: `None` when clean.
    pub fn find(&self, output: &str) -> Option<String> {
        for (i, s) in self.secrets.forms.iter().enumerate() {
            // A needle longer than the text cannot be in it (and costs its length to prepare).
            if s.len() > output.len() {
                continue;
            }
            if let Some(at) = output.find(s.as_str()) {
                return Some(format!(
                    "secret form {i} ({}, {} chars) on line {}",
                    mask(s),
                    s.chars().count(),
                    output[..at].matches('\n').count() + 1
                ));
            }
        }
        let b = output.as_bytes();
        let mut run = 0;
        for (end, c) in b.iter().enumerate() {
            if c.is_ascii_alphabetic() || (b'2'..=b'7').contains(c) {
                run += 1;
            } else {
                run = 0;
            }
            if run >= WINDOW {
                let mut w = [0u8; WINDOW];
                w.copy_from_slice(&b[end + 1 - WINDOW..=end]);
                w.make_ascii_uppercase();
                if let Some(&i) = self.windows.get(&w) {
                    let c = &self.secrets.canonical[i];
                    return Some(format!(
                        "{WINDOW} characters of canonical secret {i} ({}, {} chars) on line {}",
                        mask(c),
                        c.len(),
                        output[..end].matches('\n').count() + 1
                    ));
                }
            }
        }
        None
    }
}
