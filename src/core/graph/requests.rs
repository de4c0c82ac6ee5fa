//! Building [`GraphRequest`]s from tokens. URLs, permissions and roles: shared docs §2.

use std::ops::Range;

use serde_json::{json, Value};

use super::{GraphRequest, RequestError, RequestKind, RequestOptions, GRAPH_BASE};
use crate::core::otp::{human_duration, Generator, OtpParams};
use crate::core::token::{is_guid, DeltaItem, Token};

const DEVICES: &str = "/directory/authenticationMethodDevices/hardwareOathDevices";
const POLICY: &str =
    "/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/hardwareOath";

const PERM_DEVICES: &str = "Policy.ReadWrite.AuthenticationMethod";
const PERM_READ: &str = "Policy.Read.All";
const PERM_USER: &str = "UserAuthenticationMethod.ReadWrite.All";
const ROLE_POLICY: &str = "Authentication Policy Administrator";
const ROLE_USER: &str =
    "Authentication Administrator (Privileged Authentication Administrator for admin users)";

/// Permission and role of a create; assigning at creation also needs the user-method rights.
fn create_access(assigns: bool) -> (&'static str, &'static str) {
    if assigns {
        (
            "Policy.ReadWrite.AuthenticationMethod, UserAuthenticationMethod.ReadWrite.All",
            "Authentication Policy Administrator, plus Authentication Administrator (Privileged Authentication Administrator for admin users)",
        )
    } else {
        (PERM_DEVICES, ROLE_POLICY)
    }
}

/// The token ranges of each bulk request: `[0, chunk)`, `[chunk, 2·chunk)`, …; none for 0 tokens.
pub fn chunk_ranges(count: usize, chunk: usize) -> Vec<Range<usize>> {
    let chunk = chunk.max(1);
    (0..count.div_ceil(chunk))
        .map(|i| i * chunk..((i + 1) * chunk).min(count))
        .collect()
}

/// Percent-encodes everything but RFC 3986 unreserved characters and the `keep` set.
fn percent_encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for &b in text.as_bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A path segment (`/users/{this}/…`): `@` stays readable, `#`, `/`, `'`, spaces… are encoded.
pub(super) fn path_segment(text: &str) -> String {
    percent_encode(text, b"@")
}

/// `serialNumber eq '…'` as a query value: OData doubles `'` inside the literal, then the whole
/// expression is percent-encoded (the quotes themselves stay readable).
pub(super) fn serial_filter(serial: &str) -> String {
    let literal = serial.replace('\'', "''");
    format!(
        "$filter={}",
        percent_encode(&format!("serialNumber eq '{literal}'"), b"'")
    )
}

fn display_name(t: &Token) -> String {
    t.display_name
        .clone()
        .unwrap_or_else(|| format!("{} {} - {}", t.manufacturer, t.model, t.serial_number))
}

/// A verification code at `time` with the token's own period and hash, and when it expires.
fn code_at(t: &Token, time: u64) -> (String, u64, String) {
    let g = Generator::new(
        &t.secret,
        OtpParams {
            hash: t.hash_function,
            digits: 6,
            period: t.time_interval,
        },
    )
    .expect("validated token parameters");
    let code = g.totp(time);
    let left = g.seconds_left(time);
    let expires = time + left;
    let text = format!(
        "code {code} is for the {} s step ending {} (expiresAt {expires}, {} after the given time); send it before then, or build the request again",
        t.time_interval,
        super::utc_text(expires),
        human_duration(left)
    );
    (code, expires, text)
}

fn user_url(user: &str, rest: &str) -> String {
    format!(
        "{GRAPH_BASE}/users/{}/authentication/hardwareOathMethods{rest}",
        path_segment(user)
    )
}

/// For a token created unassigned although the file names a user by UPN.
fn upn_left_out(target: Option<&str>) -> String {
    match target {
        Some(upn) if !is_guid(upn) => format!(" The file names {upn} by UPN, which assignTo does not take: assign it afterwards with --request assign."),
        _ => String::new(),
    }
}

fn upn_note(user: &str) -> String {
    if is_guid(user) {
        String::new()
    } else {
        format!(" assignTo.id is documented as the user's object id; \"{user}\" looks like a UPN, which Graph may not accept there.")
    }
}

/// Builds the requests of `options.kind` for `tokens` (the file's valid tokens in input order;
/// a token's index in the slice is its record index).
///
/// - `create-bulk`: one `PATCH` per chunk of `options.chunk` tokens; `@contentId` is the token's
///   1-based position in the selection, so it is unique within and across the chunks
///   ("1".."n" for a single request). 0 tokens give no request.
/// - `create`, `list`, `assign-and-activate-by-serial`: one request per token.
/// - `assign`, `activate`, `assign-and-activate`, `deactivate`, `unassign`, `delete`: name a
///   device by id, so they need `device_id` and exactly one selected token (use `serial`).
/// - `enable-policy`: one request, whatever the file holds.
pub fn build_requests(
    tokens: &[&Token],
    options: &RequestOptions,
) -> Result<Vec<GraphRequest>, RequestError> {
    let kind = options.kind;
    if options.chunk == 0 {
        return Err(RequestError::ZeroChunk);
    }
    let mut selected: Vec<(usize, &Token)> = tokens.iter().copied().enumerate().collect();
    if let Some(serial) = &options.serial {
        selected.retain(|(_, t)| &t.serial_number == serial);
        if selected.is_empty() {
            return Err(RequestError::NoSuchSerial {
                serial: serial.clone(),
            });
        }
    }
    if kind == RequestKind::EnablePolicy {
        return Ok(vec![enable_policy()]);
    }
    if kind == RequestKind::CreateBulk {
        return Ok(create_bulk(
            &selected,
            options.chunk,
            options.user.as_deref(),
        ));
    }

    let device_id = if kind.needs_device_id() {
        let id = options
            .device_id
            .as_deref()
            .ok_or(RequestError::MissingDeviceId { kind })?;
        if selected.len() != 1 {
            return Err(RequestError::DeviceIdNeedsOneToken {
                kind,
                count: selected.len(),
            });
        }
        Some(id)
    } else {
        None
    };
    let time = if kind.needs_time() {
        Some(options.time.ok_or(RequestError::MissingTime { kind })?)
    } else {
        None
    };
    let user_of = |t: &Token| options.user.clone().or_else(|| t.assign_to.clone());
    if kind.needs_user() {
        let missing: Vec<String> = selected
            .iter()
            .filter(|(_, t)| user_of(t).is_none())
            .map(|(_, t)| t.serial_number.clone())
            .collect();
        if !missing.is_empty() {
            return Err(RequestError::MissingUser {
                kind,
                serials: missing,
            });
        }
    }

    let mut out = Vec::with_capacity(selected.len());
    for &(record, t) in &selected {
        let user = user_of(t);
        let user = user.as_deref().unwrap_or_default();
        let id = device_id.unwrap_or_default();
        let serial = &t.serial_number;
        let user_access = (PERM_USER, ROLE_USER);
        let method_path = |action: &str| format!("/{}{action}", path_segment(id));
        let mut req = match kind {
            RequestKind::Create => create_one(t, options.user.as_deref()),
            RequestKind::List => request(
                "GET",
                format!("{GRAPH_BASE}{DEVICES}?{}", serial_filter(serial)),
                None,
                (PERM_READ, ROLE_POLICY),
                format!("Looks up serial {serial} in the tenant's inventory: its id, status and assigned user (the secret is never returned)."),
            ),
            RequestKind::Assign => request(
                "POST",
                user_url(user, ""),
                Some(json!({ "device": { "id": id } })),
                user_access,
                format!("Assigns token {serial} (device {id}) to {user} without activating it; the user can activate it on My Security Info."),
            ),
            RequestKind::Activate
            | RequestKind::AssignAndActivate
            | RequestKind::AssignAndActivateBySerial => {
                let (code, expires, text) = code_at(t, time.unwrap_or_default());
                let name = display_name(t);
                let (url, body, note) = match kind {
                    RequestKind::Activate => (
                        user_url(user, &method_path("/activate")),
                        json!({ "verificationCode": code, "displayName": name }),
                        format!("Activates token {serial} (device {id}, already assigned) for {user}: {text}."),
                    ),
                    RequestKind::AssignAndActivate => (
                        user_url(user, "/assignAndActivate"),
                        json!({ "device": { "id": id }, "verificationCode": code, "displayName": name }),
                        format!("Assigns token {serial} (device {id}) to {user} and activates it: {text}."),
                    ),
                    _ => (
                        user_url(user, "/assignAndActivateBySerialNumber"),
                        json!({ "verificationCode": code, "serialNumber": serial, "displayName": name }),
                        format!("Assigns token {serial} to {user} by serial number and activates it: {text}."),
                    ),
                };
                let mut r = request("POST", url, Some(body), user_access, note);
                r.expires_at = Some(expires);
                r
            }
            RequestKind::Deactivate => request(
                "POST",
                user_url(user, &method_path("/deactivate")),
                None,
                user_access,
                format!("Deactivates token {serial} (device {id}) for {user}; it stays assigned to them."),
            ),
            RequestKind::Unassign => request(
                "DELETE",
                user_url(user, &method_path("")),
                None,
                user_access,
                format!("Unassigns token {serial} (device {id}) from {user}; it goes back to the inventory as available."),
            ),
            RequestKind::Delete => request(
                "DELETE",
                format!("{GRAPH_BASE}{DEVICES}{}", method_path("")),
                None,
                (PERM_DEVICES, ROLE_POLICY),
                format!("Deletes token {serial} (device {id}) from the inventory; unassign it first if it is assigned."),
            ),
            RequestKind::CreateBulk | RequestKind::EnablePolicy => unreachable!("handled above"),
        };
        req.records = vec![record];
        out.push(req);
    }
    Ok(out)
}

/// A request without `expiresAt` or records (the caller sets them).
fn request(
    method: &'static str,
    url: String,
    body: Option<Value>,
    (permission, role): (&str, &str),
    note: String,
) -> GraphRequest {
    GraphRequest {
        method,
        url,
        body,
        permission: permission.into(),
        role: role.into(),
        note,
        expires_at: None,
        records: vec![],
    }
}

fn enable_policy() -> GraphRequest {
    request(
        "PATCH",
        format!("{GRAPH_BASE}{POLICY}"),
        Some(json!({ "state": "enabled" })),
        (PERM_DEVICES, ROLE_POLICY),
        "Enables hardware OATH tokens in the Authentication methods policy (only the state; users must also be in its targets); allow up to an hour to take effect.".into(),
    )
}

fn create_bulk(
    selected: &[(usize, &Token)],
    chunk: usize,
    user: Option<&str>,
) -> Vec<GraphRequest> {
    let ranges = chunk_ranges(selected.len(), chunk);
    let parts = ranges.len();
    ranges
        .into_iter()
        .enumerate()
        .map(|(part, range)| {
            let items: Vec<Value> = selected[range.clone()]
                .iter()
                .enumerate()
                .map(|(i, (_, t))| {
                    let mut item = serde_json::to_value(DeltaItem {
                        token: t,
                        content_id: Some((range.start + i + 1).to_string()),
                        with_optional: true,
                    })
                    .expect("token serialises");
                    if let (Some(u), Some(obj)) = (user, item.as_object_mut()) {
                        obj.insert("assignTo".into(), json!({ "id": u }));
                    }
                    item
                })
                .collect();
            let slice = &selected[range.clone()];
            let assigned: Vec<&str> = slice
                .iter()
                .filter_map(|(_, t)| user.or(t.assign_to.as_deref().filter(|a| is_guid(a))))
                .collect();
            let upns = if user.is_some() {
                0
            } else {
                slice
                    .iter()
                    .filter(|(_, t)| t.assign_to.as_deref().is_some_and(|a| !is_guid(a)))
                    .count()
            };
            let mut note = format!(
                "Creates tokens {}–{} of {} (serials {} to {}), part {} of {parts}; Graph documents no maximum per request, so chunks of {chunk} are a choice, not a limit.",
                range.start + 1,
                range.end,
                selected.len(),
                slice[0].1.serial_number,
                slice[slice.len() - 1].1.serial_number,
                part + 1,
            );
            if let Some(upn) = assigned.iter().find(|u| !is_guid(u)) {
                note.push_str(&upn_note(upn));
            }
            if upns > 0 {
                note.push_str(&format!(" {upns} token(s) name their user by UPN, which assignTo does not take: they are created unassigned; assign them afterwards with --request assign."));
            }
            let mut r = request(
                "PATCH",
                format!("{GRAPH_BASE}{DEVICES}"),
                Some(json!({ "@context": "#$delta", "value": items })),
                create_access(!assigned.is_empty()),
                note,
            );
            r.records = slice.iter().map(|(r, _)| *r).collect();
            r
        })
        .collect()
}

fn create_one(t: &Token, user: Option<&str>) -> GraphRequest {
    let mut body = serde_json::to_value(DeltaItem {
        token: t,
        content_id: None,
        with_optional: false,
    })
    .expect("token serialises");
    // An explicit --user is written as given; the file's own target only when it is an object
    // id (a CSV upn is for assign requests, which take it in the URL).
    let assign = user
        .map(str::to_string)
        .or_else(|| t.assign_to.clone().filter(|a| is_guid(a)));
    if let Some(obj) = body.as_object_mut() {
        if let Some(d) = &t.display_name {
            obj.insert("displayName".into(), json!(d));
        }
        if let Some(a) = &assign {
            obj.insert("assignTo".into(), json!({ "id": a }));
        }
    }
    let serial = &t.serial_number;
    let note = match &assign {
        None => format!(
            "Creates token {serial} ({} {}) in the inventory, unassigned.{}",
            t.manufacturer,
            t.model,
            upn_left_out(t.assign_to.as_deref())
        ),
        Some(a) => format!(
            "Creates token {serial} ({} {}) and assigns it to {a}.{}",
            t.manufacturer,
            t.model,
            upn_note(a)
        ),
    };
    request(
        "POST",
        format!("{GRAPH_BASE}{DEVICES}"),
        Some(body),
        create_access(assign.is_some()),
        note,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_ranges_boundaries() {
        assert!(chunk_ranges(0, 3).is_empty());
        assert_eq!(chunk_ranges(1, 3), vec![0..1]);
        assert_eq!(chunk_ranges(3, 3), vec![0..3]);
        assert_eq!(chunk_ranges(4, 3), vec![0..3, 3..4]);
    }

    #[test]
    fn encoding() {
        assert_eq!(
            serial_filter("O'B #1"),
            "$filter=serialNumber%20eq%20'O''B%20%231'"
        );
        assert_eq!(
            path_segment("a_b#EXT#@t.onmicrosoft.com"),
            "a_b%23EXT%23@t.onmicrosoft.com"
        );
        assert!(is_guid("0cadbf92-1234-5678-9abc-def012345678"));
        assert!(!is_guid("helga@contoso.com"));
    }
}
