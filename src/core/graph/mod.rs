//! Microsoft Graph (beta) requests for hardware OATH tokens, ready to paste, and the mapping of
//! Graph's answer back to the file's tokens.
//!
//! - [`build_requests`]: one [`GraphRequest`] (method, URL, body, permission, least-privileged
//!   role, one-line note) per chunk, token or call, for every [`RequestKind`].
//! - [`render`]: the same request as Graph Explorer text, PowerShell and curl.
//! - [`reconcile()`]: a pasted Graph response mapped to the tokens by `@contentId` / serial.
//!
//! Sources for every URL, permission and role: shared docs `domain.md` §2; summary in
//! `docs/graph.md`.

pub mod display;
mod reconcile;
pub mod render;
mod requests;

use std::fmt;

use serde::Serialize;

use crate::core::diag::Diagnostic;
use crate::core::secret::Severity;
use crate::core::token::Token;
use crate::core::tokenfile::Report;

pub use reconcile::{
    reconcile, Outcome, ReconcileOptions, Reconciliation, ResponseShape, TokenResult,
    UnmatchedItem, UnusableResponse,
};
pub use requests::{build_requests, chunk_ranges};

/// Every request goes to Graph's beta endpoint.
pub const GRAPH_BASE: &str = "https://graph.microsoft.com/beta";

/// Default number of tokens per bulk-create request (Graph documents no maximum).
pub const DEFAULT_CHUNK: usize = 100;

/// The kinds of request, named as on the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// `PATCH …/hardwareOathDevices` with a `#$delta` body, chunked.
    CreateBulk,
    /// `POST …/hardwareOathDevices`, one per token.
    Create,
    /// `POST /users/{user}/authentication/hardwareOathMethods`.
    Assign,
    /// `POST …/hardwareOathMethods/{id}/activate` with a locally computed code.
    Activate,
    /// `POST …/hardwareOathMethods/assignAndActivate`.
    AssignAndActivate,
    /// `POST …/hardwareOathMethods/assignAndActivateBySerialNumber`.
    AssignAndActivateBySerial,
    /// `POST …/hardwareOathMethods/{id}/deactivate`.
    Deactivate,
    /// `DELETE /users/{user}/authentication/hardwareOathMethods/{id}`.
    Unassign,
    /// `DELETE …/hardwareOathDevices/{id}`.
    Delete,
    /// `GET …/hardwareOathDevices?$filter=serialNumber eq '…'`, one per token.
    List,
    /// `PATCH /policies/…/authenticationMethodConfigurations/hardwareOath`.
    EnablePolicy,
}

impl RequestKind {
    /// Every kind, in the order of the docs.
    pub const ALL: [RequestKind; 11] = [
        RequestKind::CreateBulk,
        RequestKind::Create,
        RequestKind::Assign,
        RequestKind::Activate,
        RequestKind::AssignAndActivate,
        RequestKind::AssignAndActivateBySerial,
        RequestKind::Deactivate,
        RequestKind::Unassign,
        RequestKind::Delete,
        RequestKind::List,
        RequestKind::EnablePolicy,
    ];

    /// The command-line name, e.g. `create-bulk`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestKind::CreateBulk => "create-bulk",
            RequestKind::Create => "create",
            RequestKind::Assign => "assign",
            RequestKind::Activate => "activate",
            RequestKind::AssignAndActivate => "assign-and-activate",
            RequestKind::AssignAndActivateBySerial => "assign-and-activate-by-serial",
            RequestKind::Deactivate => "deactivate",
            RequestKind::Unassign => "unassign",
            RequestKind::Delete => "delete",
            RequestKind::List => "list",
            RequestKind::EnablePolicy => "enable-policy",
        }
    }

    /// Parses a command-line name.
    pub fn parse(name: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether the request names a user (`--user` or the token's `assign_to`).
    pub fn needs_user(self) -> bool {
        matches!(
            self,
            RequestKind::Assign
                | RequestKind::Activate
                | RequestKind::AssignAndActivate
                | RequestKind::AssignAndActivateBySerial
                | RequestKind::Deactivate
                | RequestKind::Unassign
        )
    }

    /// Whether the request names a device by its Graph id (`--device-id`).
    pub fn needs_device_id(self) -> bool {
        matches!(
            self,
            RequestKind::Assign
                | RequestKind::Activate
                | RequestKind::AssignAndActivate
                | RequestKind::Deactivate
                | RequestKind::Unassign
                | RequestKind::Delete
        )
    }

    /// Whether the body carries a verification code computed at `time`.
    pub fn needs_time(self) -> bool {
        matches!(
            self,
            RequestKind::Activate
                | RequestKind::AssignAndActivate
                | RequestKind::AssignAndActivateBySerial
        )
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One ready-to-send Graph request. Serialises as
/// `{"method","url","body","permission","role","note"}` plus `expiresAt` on requests that carry
/// a verification code.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphRequest {
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    pub method: &'static str,
    /// Absolute URL on [`GRAPH_BASE`], percent-encoded.
    pub url: String,
    /// JSON body, `None` for requests without one. Secrets appear only in create bodies.
    #[serde(serialize_with = "render::ordered_option")]
    pub body: Option<serde_json::Value>,
    /// Microsoft Graph permission(s) the caller needs, comma-separated.
    pub permission: String,
    /// Least-privileged built-in Entra role for a delegated caller.
    pub role: String,
    /// One line for the admin: what the request does and what to watch.
    pub note: String,
    /// Unix time (seconds) at which the verification code in the body stops being current.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<u64>,
    /// Record indexes (0-based, input order) of the tokens this request concerns.
    #[serde(skip)]
    pub records: Vec<usize>,
}

/// What to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestOptions {
    /// The kind of request.
    pub kind: RequestKind,
    /// Tokens per bulk-create request (≥ 1).
    pub chunk: usize,
    /// User object id or UPN; overrides each token's own `assign_to`.
    pub user: Option<String>,
    /// Graph id of the device (method id for user calls); needs exactly one selected token.
    pub device_id: Option<String>,
    /// Unix seconds at which to compute verification codes.
    pub time: Option<u64>,
    /// Only the token with this serial number.
    pub serial: Option<String>,
}

impl RequestOptions {
    /// Defaults for `kind`: chunk [`DEFAULT_CHUNK`], nothing else.
    pub fn new(kind: RequestKind) -> RequestOptions {
        RequestOptions {
            kind,
            chunk: DEFAULT_CHUNK,
            user: None,
            device_id: None,
            time: None,
            serial: None,
        }
    }
}

/// Requests that cannot be built from what was given. Messages never contain a secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// `chunk` was 0.
    ZeroChunk,
    /// Tokens without a user: neither `user` nor the token's `assign_to` (CSV `upn`).
    MissingUser {
        /// The kind asked for.
        kind: RequestKind,
        /// Serial numbers of the tokens without one.
        serials: Vec<String>,
    },
    /// The kind needs a device id and none was given.
    MissingDeviceId {
        /// The kind asked for.
        kind: RequestKind,
    },
    /// A device id names one device; the selection holds another number of tokens.
    DeviceIdNeedsOneToken {
        /// The kind asked for.
        kind: RequestKind,
        /// Tokens selected.
        count: usize,
    },
    /// The kind computes a code and no time was given.
    MissingTime {
        /// The kind asked for.
        kind: RequestKind,
    },
    /// `serial` matched no token.
    NoSuchSerial {
        /// The serial asked for.
        serial: String,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RequestError::ZeroChunk => f.write_str("chunk must be at least 1"),
            RequestError::MissingUser { kind, serials } => write!(
                f,
                "{kind} needs a user (object id or UPN): give one (--user / user) or put it in the file (CSV upn, assignTo.id); missing for serial(s) {}",
                serials.join(", ")
            ),
            RequestError::MissingDeviceId { kind } => write!(
                f,
                "{kind} needs the device's Graph id (--device-id / deviceId); find it with --request list"
            ),
            RequestError::DeviceIdNeedsOneToken { kind, count } => write!(
                f,
                "{kind} names one device by id, but {count} tokens are selected; pick one with --serial / serial"
            ),
            RequestError::MissingTime { kind } => write!(
                f,
                "{kind} computes a verification code and needs a time (--time / time, Unix seconds)"
            ),
            RequestError::NoSuchSerial { serial } => {
                write!(f, "no token in the file has serial number {serial}")
            }
        }
    }
}

impl std::error::Error for RequestError {}

/// A token file with invalid records: nothing is built from it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidFile {
    /// Records in the file.
    pub records: usize,
    /// Records with at least one error.
    pub invalid: usize,
    /// The error diagnostics (never containing a secret).
    pub errors: Vec<Diagnostic>,
}

impl InvalidFile {
    /// One line per error: `line:column record N field: message [code]`.
    pub fn lines(&self) -> Vec<String> {
        self.errors
            .iter()
            .map(|d| {
                let mut s = String::new();
                let loc = d.location();
                if !loc.is_empty() {
                    s.push_str(&loc);
                    s.push(' ');
                }
                if let Some(r) = d.record {
                    s.push_str(&format!("record {r} "));
                }
                if let Some(f) = d.field {
                    s.push_str(&format!("{f} "));
                }
                format!("{}: {} [{}]", s.trim_end(), d.message, d.code)
            })
            .collect()
    }
}

impl fmt::Display for InvalidFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the file has {} invalid record(s) of {}; fix them first (hwoath validate shows every diagnostic)",
            self.invalid, self.records
        )?;
        for l in self.lines() {
            write!(f, "\n  {l}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidFile {}

/// The file's tokens in record order, or every error when any record is invalid. With no
/// error, a token's index in the result is its record index.
pub fn usable_tokens(report: &Report) -> Result<Vec<&Token>, InvalidFile> {
    if report.has_errors() || report.invalid() > 0 {
        return Err(InvalidFile {
            records: report.records.len(),
            invalid: report.invalid(),
            errors: report
                .diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .cloned()
                .collect(),
        });
    }
    Ok(report.valid_tokens())
}

/// `2025-01-02 03:04:05 UTC` for a Unix time (proleptic Gregorian, no leap seconds).
pub fn utc_text(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_text_known_dates() {
        assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc_text(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc_text(1_700_000_000), "2023-11-14 22:13:20 UTC");
        assert_eq!(utc_text(4_102_444_799), "2099-12-31 23:59:59 UTC");
    }

    #[test]
    fn kinds_round_trip() {
        for k in RequestKind::ALL {
            assert_eq!(RequestKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(RequestKind::parse("bulk"), None);
    }
}
