//! Canonical Graph delta JSON of the valid records.

use super::{Normalized, Report, Skipped, Unusable};
use crate::core::token::Token;
use crate::core::Severity;

/// Pretty-printed canonical delta JSON (two-space indent, trailing newline), `@contentId`
/// "1".."n", fields in Microsoft's order. It holds the keys: wipe it when done (as
/// [`Normalized`] does), or use [`crate::core::token::delta_json`], which wipes itself.
pub fn canonical_json(tokens: &[&Token]) -> String {
    // Moved out of the wiped buffer, not copied: no second copy of the keys is left behind.
    std::mem::take(&mut *crate::core::token::delta_json(tokens))
}

/// How many invalid records an error message names before "and N more".
const NAMED: usize = 10;

/// Canonical Graph delta JSON of the valid records: `@context` `#$delta`, `@contentId` "1".."n",
/// integer `timeIntervalInSeconds`, lower-case `hashFunction`, canonical base32 `secretKey`,
/// fields in the order of Microsoft's example, no read-only or unknown fields. With invalid
/// records and without `skip_invalid` this fails, naming them; with it, each is listed in
/// [`Normalized::skipped`] with its reasons.
pub fn normalize(report: &Report, skip_invalid: bool) -> Result<Normalized, Unusable> {
    let skipped = skipped(report, skip_invalid)?;
    Ok(Normalized {
        json: canonical_json(&report.valid_tokens()),
        skipped,
    })
}

/// What [`normalize`] would leave out, without writing the JSON: the invalid records with their
/// reasons, or (without `skip_invalid`, when there are any) the error naming them. The page's
/// Check step shows this; the text is written when the admin copies or downloads it.
pub fn skipped(report: &Report, skip_invalid: bool) -> Result<Vec<Skipped>, Unusable> {
    let invalid: Vec<usize> = report
        .records
        .iter()
        .filter(|r| r.is_invalid())
        .map(|r| r.index)
        .collect();
    if !invalid.is_empty() && !skip_invalid {
        // Counted from 1, as the page's table and every message count records.
        let mut named: Vec<String> = invalid
            .iter()
            .take(NAMED)
            .map(|i| (i + 1).to_string())
            .collect();
        if invalid.len() > NAMED {
            named.push(format!("and {} more", invalid.len() - NAMED));
        }
        return Err(Unusable::new(format!(
            "{} invalid record(s) ({}); nothing was written: fix them, or skip them",
            invalid.len(),
            named.join(", ")
        )));
    }
    if invalid.is_empty() {
        return Ok(Vec::new());
    }
    let mut reasons: Vec<Vec<String>> = vec![Vec::new(); report.records.len()];
    for d in &report.diagnostics {
        if let (Severity::Error, Some(r)) = (d.severity, d.record) {
            if let Some(list) = reasons.get_mut(r) {
                let field = d.field.map(|f| format!(" {f}")).unwrap_or_default();
                list.push(format!("{}{field}: {}", d.code, d.message));
            }
        }
    }
    Ok(invalid
        .iter()
        .map(|&i| Skipped {
            record: i,
            serial_number: report.records[i].serial_number.clone(),
            reasons: std::mem::take(&mut reasons[i]),
        })
        .collect())
}
