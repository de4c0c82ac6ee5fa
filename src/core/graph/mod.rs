//! Microsoft Graph (beta) requests for hardware OATH tokens, ready to paste, and the mapping of
//! Graph's answer back to the file's tokens.
//!
//! - [`catalogue`]: every [`RequestKind`] with its label, method, path, permission, role and the
//!   inputs it reads ([`Needs`]), so a page can offer them without repeating these facts.
//! - [`build_requests_with`]: one [`GraphRequest`] (method, URL, body, permission,
//!   least-privileged role, one-line note, warnings) per chunk, token, user or call, from the
//!   tokens, [`RequestOptions`] and the answers of earlier requests ([`RequestInputs`]: resolved
//!   users, a device listing, a user's methods).
//! - [`render`]: the same request as Graph Explorer text, PowerShell and curl (with a bounded
//!   retry loop); [`script`]: one PowerShell script that sends them all.
//! - [`read_users`], [`read_user_methods`], [`reconcile()`]: what Graph answered (JSON, a raw HTTP
//!   response, or what PowerShell printed, see [`answer`]) mapped back to the tokens.
//!
//! Sources for every URL, permission and role: `docs/graph.md` (each fact with its page).

pub mod answer;
mod catalogue;
pub mod display;
mod methods;
mod reconcile;
pub mod render;
mod requests;
pub mod script;
mod users;

use std::fmt;

use serde::Serialize;

use crate::core::diag::Diagnostic;
use crate::core::secret::Severity;
use crate::core::text::{shorten, visible};
use crate::core::token::{ListedDevice, Token};
use crate::core::tokenfile::Report;

pub use methods::{read_user_methods, UserMethod, UserMethods};
pub use reconcile::{
    reconcile, Outcome, ReconcileOptions, Reconciliation, ResponseShape, TokenResult,
    UnmatchedItem, UnusableResponse,
};
pub use requests::{
    build_requests, build_requests_with, chunk_ranges, complete_request, plan_requests_with,
};
pub use users::{
    is_guest_upn, looks_like_users_answer, read_users, users_to_resolve, ResolvedUser, TokenUser,
    UserResolution, UserState, BATCH_LIMIT,
};

/// Every request goes to Graph's beta endpoint.
pub const GRAPH_BASE: &str = "https://graph.microsoft.com/beta";

/// Default number of tokens per bulk-create request (Graph documents no maximum).
pub const DEFAULT_CHUNK: usize = 100;

/// The kinds of request, named as on the command line. [`RequestKind::info`] describes each one
/// (label, method, path, permission, role, the inputs it needs) for a page or a help text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// `GET /policies/…/authenticationMethodConfigurations/hardwareOath`: state and targets.
    ReadPolicy,
    /// `PATCH /policies/…/authenticationMethodConfigurations/hardwareOath`.
    EnablePolicy,
    /// `POST /$batch` of `GET /users/{upn}?$select=…`: UPN → object id, ≤ 20 per batch.
    ResolveUsers,
    /// `PATCH …/hardwareOathDevices` with a `#$delta` body, chunked.
    CreateBulk,
    /// `POST …/hardwareOathDevices`, one per token.
    Create,
    /// `GET …/hardwareOathDevices?$filter=serialNumber eq '…'`, one per token.
    List,
    /// `GET …/hardwareOathDevices?$select=…` (whole inventory, paged by `@odata.nextLink`).
    ListAll,
    /// `GET …/hardwareOathDevices/{id}`.
    Get,
    /// `PATCH …/hardwareOathDevices/{id}` (hash, period, display name; unassigned tokens only).
    Update,
    /// `POST /users/{user}/authentication/hardwareOathMethods`.
    Assign,
    /// `PUT …/hardwareOathMethods/{id}/device/assignTo/$ref` (the form the resource page links).
    AssignRef,
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
    /// `GET /users/{user}/authentication/hardwareOathMethods`, one per user.
    UserMethods,
    /// The two `DELETE`s of Microsoft's troubleshooting steps for a token a user holds twice.
    CleanupDuplicate,
}

/// Whether a request kind uses an input.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Need {
    /// Not used.
    No,
    /// Used when given.
    Optional,
    /// Must be given (for a device id: `deviceId`, or a listing that holds the serial).
    Required,
}

/// The inputs a kind reads besides the token file. Serialises camelCase:
/// `{"user","deviceId","serial","listing","userMethods","resolvedUsers","time","objectIdOnly"}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Needs {
    /// A user: `--user`, or the token's own (CSV `upn`, `assignTo.id`).
    pub user: Need,
    /// The device's Graph id: `--device-id` for one token, or found by serial in a listing.
    pub device_id: Need,
    /// `--serial`: the one token of the file the request is for.
    pub serial: Need,
    /// `--listing`: pages of `GET …/hardwareOathDevices` (device ids by serial, status).
    pub listing: Need,
    /// `--user-methods`: the answer of a `user-methods` request.
    pub user_methods: Need,
    /// `--users`: the answer of the `resolve-users` step (UPN → object id).
    pub resolved_users: Need,
    /// A Unix time for a verification code.
    pub time: Need,
    /// The user must be an object id: a UPN is refused unless `resolved_users` names it.
    pub object_id_only: bool,
}

/// One request kind, described for a page or a help text. Serialises camelCase.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KindInfo {
    /// The command-line name, e.g. `create-bulk`.
    pub name: &'static str,
    /// A short label for a person, e.g. "Create devices in bulk".
    pub label: &'static str,
    /// `GET`, `POST`, `PATCH`, `PUT` or `DELETE` (cleanup-duplicate: `DELETE`).
    pub method: &'static str,
    /// The path template on [`GRAPH_BASE`], e.g. `/users/{user}/authentication/hardwareOathMethods`.
    pub path: &'static str,
    /// Microsoft Graph permission(s) a delegated caller needs (least privileged).
    pub permission: &'static str,
    /// Least-privileged built-in Entra role(s) for a delegated caller.
    pub role: &'static str,
    /// What each request is built for: `chunk`, `token`, `user`, `batch` or `call`.
    pub per: &'static str,
    /// Whether its bodies carry secret keys (create kinds only).
    pub secrets: bool,
    /// The inputs it reads.
    pub needs: Needs,
    /// The Microsoft page the URL, permission and role come from (docs/graph.md cites it).
    pub source: &'static str,
}

impl RequestKind {
    /// Every kind, in the order an admin uses them (docs/graph.md's table).
    pub const ALL: [RequestKind; 19] = [
        RequestKind::ReadPolicy,
        RequestKind::EnablePolicy,
        RequestKind::ResolveUsers,
        RequestKind::CreateBulk,
        RequestKind::Create,
        RequestKind::List,
        RequestKind::ListAll,
        RequestKind::Get,
        RequestKind::Update,
        RequestKind::Assign,
        RequestKind::AssignRef,
        RequestKind::Activate,
        RequestKind::AssignAndActivate,
        RequestKind::AssignAndActivateBySerial,
        RequestKind::Deactivate,
        RequestKind::Unassign,
        RequestKind::Delete,
        RequestKind::UserMethods,
        RequestKind::CleanupDuplicate,
    ];

    /// The command-line name, e.g. `create-bulk`.
    pub fn as_str(self) -> &'static str {
        self.info().name
    }

    /// Parses a command-line name.
    pub fn parse(name: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The catalogue entry: label, method, path, permission, role and the inputs it reads.
    pub fn info(self) -> KindInfo {
        catalogue::info(self)
    }

    /// Whether the request names a user (`--user` or the token's `assign_to`).
    pub fn needs_user(self) -> bool {
        self.info().needs.user == Need::Required
    }

    /// Whether the request names a device by its Graph id (`--device-id`, or by serial in a
    /// listing).
    pub fn needs_device_id(self) -> bool {
        self.info().needs.device_id == Need::Required
    }

    /// Whether the body carries a verification code computed at `time`.
    pub fn needs_time(self) -> bool {
        self.info().needs.time == Need::Required
    }
}

/// Every kind's catalogue entry, in [`RequestKind::ALL`] order.
pub fn catalogue() -> Vec<KindInfo> {
    RequestKind::ALL.iter().map(|k| k.info()).collect()
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One ready-to-send Graph request. Serialises as
/// `{"method","url","body","permission","role","note"}` plus `expiresAt` on requests that carry
/// a verification code and `warnings` when there are any (guest or disabled users).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphRequest {
    /// `GET`, `POST`, `PATCH`, `PUT` or `DELETE`.
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
    /// Findings about the request (HW5xx in docs/graph.md): a guest or disabled user.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Diagnostic>,
    /// Record indexes (0-based, input order) of the tokens this request concerns.
    #[serde(skip)]
    pub records: Vec<usize>,
    /// For `list-all`: the answer is paged; renderings follow `@odata.nextLink`.
    #[serde(skip)]
    pub paged: bool,
    /// The body is still to be written ([`plan_requests_with`]): `body` is `None` until
    /// [`complete_request`] writes it. Always false for [`build_requests_with`]'s requests.
    #[serde(skip)]
    pub body_deferred: bool,
}

impl GraphRequest {
    /// The permissions as a list (`Connect-MgGraph -Scopes` takes them one by one).
    pub fn scopes(&self) -> Vec<&str> {
        self.permission
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    }
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

/// The `list-all` query: which devices and how many per page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InventoryQuery {
    /// Only devices nobody holds: `$filter=status eq 'available'`.
    pub available_only: bool,
    /// Devices per page (`$top`); Graph's default when `None`.
    pub top: Option<u32>,
}

/// What a request is built from besides the token file and [`RequestOptions`]: answers pasted
/// back from earlier requests and the `list-all` query. All empty by default.
#[derive(Clone, Debug, Default)]
pub struct RequestInputs {
    /// The answer of `resolve-users` (`--users`): object ids for the file's UPNs.
    pub users: Option<UserResolution>,
    /// A device listing (`--listing`, pages joined): device ids by serial, and their status.
    pub listing: Option<Vec<ListedDevice>>,
    /// The answer of `user-methods` (`--user-methods`), for `cleanup-duplicate`.
    pub user_methods: Option<UserMethods>,
    /// The `list-all` query.
    pub inventory: InventoryQuery,
}

/// Requests that cannot be built from what was given. Messages never contain a secret; values
/// from the input are escaped (`text::shorten`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestError {
    /// `chunk` was 0.
    ZeroChunk,
    /// A serial number given to a kind that concerns the whole file (or no token).
    SerialNotTaken {
        /// The request kind.
        kind: RequestKind,
    },
    /// Tokens without a user: neither `user` nor the token's `assign_to` (CSV `upn`).
    MissingUser {
        /// The kind asked for.
        kind: RequestKind,
        /// Serial numbers of the tokens without one.
        serials: Vec<String>,
    },
    /// The kind needs a device id and none was given (neither `device_id` nor a listing).
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
    /// The request needs the user's object id and has only a UPN: run `resolve-users` first.
    NeedsObjectId {
        /// The kind asked for.
        kind: RequestKind,
        /// The UPNs without an object id.
        upns: Vec<String>,
    },
    /// The `resolve-users` answer says these users cannot be used (not found, or the answer
    /// failed for them).
    UnresolvedUsers {
        /// The kind asked for.
        kind: RequestKind,
        /// `upn: why`, one per user.
        problems: Vec<String>,
    },
    /// Serials the listing does not hold (so no device id).
    NotInListing {
        /// The kind asked for.
        kind: RequestKind,
        /// The serials.
        serials: Vec<String>,
    },
    /// A serial the listing holds more than once: which device is meant is ambiguous.
    TwiceInListing {
        /// The serial.
        serial: String,
        /// The ids the listing gives it.
        ids: Vec<String>,
    },
    /// `update` of a device the listing shows as assigned or activated.
    NotUnassigned {
        /// The serial.
        serial: String,
        /// Its status in the listing.
        status: String,
    },
    /// `cleanup-duplicate` needs `--user-methods` and `--listing`.
    CleanupNeedsAnswers,
    /// `cleanup-duplicate` works on one user; the selection names several.
    CleanupNeedsOneUser {
        /// The users named.
        users: Vec<String>,
    },
    /// `cleanup-duplicate` found nothing to clean up: why, per serial.
    NoDuplicate {
        /// `serial: why`, one per selected token.
        reasons: Vec<String>,
    },
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let list = |v: &[String]| v.iter().map(|s| shorten(s)).collect::<Vec<_>>().join(", ");
        match self {
            RequestError::ZeroChunk => f.write_str("chunk must be at least 1"),
            RequestError::SerialNotTaken { kind } => write!(
                f,
                "{kind} takes no serial number: it sends every token of the file (for one token, use create)"
            ),
            RequestError::MissingUser { kind, serials } => write!(
                f,
                "{kind} needs a user (object id or UPN): give one or put it in the file (CSV upn, assignTo.id); missing for serial(s) {}",
                list(serials)
            ),
            RequestError::MissingDeviceId { kind } => write!(
                f,
                "{kind} needs the device's Graph id: give it for one token, or give the tenant's device listing (the pages of a list-all answer) to find every token's id by its serial number"
            ),
            RequestError::DeviceIdNeedsOneToken { kind, count } => write!(
                f,
                "{kind} names one device by id, but {count} tokens are selected; pick one by its serial number, or give a device listing instead of the id"
            ),
            RequestError::MissingTime { kind } => write!(
                f,
                "{kind} computes a verification code and needs the time (Unix seconds)"
            ),
            RequestError::NoSuchSerial { serial } => {
                write!(f, "no token in the file has serial number {}", shorten(serial))
            }
            RequestError::NeedsObjectId { kind, upns } => write!(
                f,
                "{kind} needs the user's object id, and {} is a UPN (Graph documents assignTo and @odata.id with the object id): resolve it first (the resolve-users request), then give its answer as the resolved users",
                list(upns)
            ),
            RequestError::UnresolvedUsers { kind, problems } => write!(
                f,
                "{kind} cannot name these users: {}",
                problems.iter().map(|p| visible(p).into_owned()).collect::<Vec<_>>().join("; ")
            ),
            RequestError::NotInListing { kind, serials } => write!(
                f,
                "{kind}: the listing has no device with serial number {} (upload it first, or list the whole inventory (the list-all request) and give every page)",
                list(serials)
            ),
            RequestError::TwiceInListing { serial, ids } => write!(
                f,
                "the listing holds serial number {} more than once (ids {}): say which device by its id",
                shorten(serial),
                list(ids)
            ),
            RequestError::NotUnassigned { serial, status } => write!(
                f,
                "update changes only unassigned tokens, and the listing shows {} as {}: unassign it first (the unassign request)",
                shorten(serial),
                shorten(status)
            ),
            RequestError::CleanupNeedsAnswers => f.write_str(
                "cleanup-duplicate needs the user's methods (the answer of the user-methods request) and the device listing (the answer of list or list-all)",
            ),
            RequestError::CleanupNeedsOneUser { users } => write!(
                f,
                "cleanup-duplicate works on one user at a time, and the selection names {}: pick the token by its serial number, or give the user",
                list(users)
            ),
            RequestError::NoDuplicate { reasons } => write!(
                f,
                "nothing to clean up: {}",
                reasons.iter().map(|p| visible(p).into_owned()).collect::<Vec<_>>().join("; ")
            ),
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
    /// One line per error: `line:column record N field: message [code]`, records counted from 1
    /// (as the page's table and every message do).
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
                    s.push_str(&format!("record {} ", r + 1));
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
