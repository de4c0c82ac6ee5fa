//! What a report adds up to, for the page's summary (and anyone else): record and finding counts,
//! and the mix of hashes and periods over the whole upload, unusable values included.

use serde::Serialize;

use super::Report;
use crate::core::text::visible;
use crate::core::token::GraphHash;
use crate::core::Severity;

/// Counts of a [`Report`]. `records` is every record read (`valid + invalid + removed`).
/// Serialises as `{"records", "valid", "invalid", "removed", "errors", "warnings", "infos"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Every record read, removed ones included.
    pub records: usize,
    /// Records without an error.
    pub valid: usize,
    /// Records of the upload with an error.
    pub invalid: usize,
    /// Records left out by an edit.
    pub removed: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Notices (normalisations made).
    pub infos: usize,
}

/// How many records have one value of a field, and whether Entra accepts that value.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MixEntry<T> {
    /// The value; `None` when it is missing or not readable as one.
    pub value: T,
    /// Records with it.
    pub count: usize,
    /// Whether Entra accepts it.
    pub accepted: bool,
}

/// The hashes and periods of an upload's records (removed records left out), accepted values
/// first (SHA-1, SHA-256; 30, 60), then the others in the order they first appear. Every record
/// is counted: a 45 s record is `{"value": 45, "accepted": false}`, one without a readable
/// period `{"value": null, …}`. Hash values read from the file are escaped for display
/// ([`visible`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mix {
    /// `hashFunction` values (Graph's spelling when accepted, else as written).
    pub hash: Vec<MixEntry<Option<String>>>,
    /// `timeIntervalInSeconds` values in seconds.
    pub period: Vec<MixEntry<Option<f64>>>,
}

/// Counts `value` into `entries` (found by equality, appended when new).
fn count<T: PartialEq>(entries: &mut Vec<MixEntry<T>>, value: T, accepted: bool) {
    match entries.iter_mut().find(|e| e.value == value) {
        Some(e) => e.count += 1,
        None => entries.push(MixEntry {
            value,
            count: 1,
            accepted,
        }),
    }
}

impl Report {
    /// The counts of records and findings.
    pub fn summary(&self) -> Summary {
        let sev = |s| self.diagnostics.iter().filter(|d| d.severity == s).count();
        Summary {
            records: self.records.len(),
            valid: self.valid(),
            invalid: self.invalid(),
            removed: self.removed(),
            errors: sev(Severity::Error),
            warnings: sev(Severity::Warning),
            infos: sev(Severity::Info),
        }
    }

    /// The mix of hashes and periods over every record of the upload.
    pub fn mix(&self) -> Mix {
        let mut hash: Vec<MixEntry<Option<String>>> = GraphHash::ALL
            .iter()
            .map(|h| MixEntry {
                value: Some(h.graph_name().to_string()),
                count: 0,
                accepted: true,
            })
            .collect();
        let mut period: Vec<MixEntry<Option<f64>>> = [30.0, 60.0]
            .into_iter()
            .map(|p| MixEntry {
                value: Some(p),
                count: 0,
                accepted: true,
            })
            .collect();
        for r in self.records.iter().filter(|r| !r.removed) {
            match (r.hash_function, &r.unusable_hash) {
                (Some(h), _) => count(&mut hash, Some(h.graph_name().to_string()), true),
                (None, Some(text)) => count(&mut hash, Some(visible(text).into_owned()), false),
                (None, None) => count(&mut hash, None, false),
            }
            match (r.time_interval, &r.unusable_interval) {
                (Some(p), _) => count(&mut period, Some(p as f64), true),
                (None, text) => {
                    let v = text
                        .as_deref()
                        .and_then(|t| t.parse::<f64>().ok())
                        .filter(|v| v.is_finite());
                    count(&mut period, v, false)
                }
            }
        }
        hash.retain(|e| e.count > 0);
        period.retain(|e| e.count > 0);
        Mix { hash, period }
    }
}
