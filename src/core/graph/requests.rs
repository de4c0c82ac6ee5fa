//! Building [`GraphRequest`]s from tokens, options and the answers of earlier requests. URLs,
//! permissions and roles: [`super::catalogue`] (docs/graph.md cites each page).

use std::ops::Range;

use serde_json::{json, Value};

use super::catalogue::*;
use super::users::{self, is_guest_upn, user_of, BATCH_LIMIT};
use super::{
    GraphRequest, RequestError, RequestInputs, RequestKind, RequestOptions, UserResolution,
    UserState, GRAPH_BASE,
};
use crate::core::diag::Diagnostic;
use crate::core::otp::{human_duration, Generator, OtpParams};
use crate::core::secret::Severity;
use crate::core::text::{shorten, visible};
use crate::core::token::{is_guid, DeltaItem, ListedDevice, Token};

/// The `$select` of `list-all`: everything hwoath's listing reader and an inventory export use.
pub const LIST_ALL_SELECT: &str =
    "id,serialNumber,displayName,manufacturer,model,status,assignedTo,hashFunction,timeIntervalInSeconds,lastUsedDateTime";

/// Permission and role of a create; assigning at creation also needs the user-method rights.
fn create_access(assigns: bool) -> (&'static str, &'static str) {
    if assigns {
        (PERM_CREATE_ASSIGN, ROLE_CREATE_ASSIGN)
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

/// A request without `expiresAt`, warnings or records (the caller sets them).
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
        warnings: vec![],
        records: vec![],
        paged: false,
        body_deferred: false,
    }
}

/// The user a request names, after resolution.
struct Target {
    /// What goes into the URL or body: the object id when known, else the UPN as given.
    key: String,
    /// The object id, when known.
    object_id: Option<String>,
    /// For notes: the UPN or id as given, escaped.
    shown: String,
    guest: bool,
    disabled: bool,
}

/// Turns the user each token names into a [`Target`], with the resolution when given.
struct Users<'a> {
    option: Option<&'a str>,
    resolution: Option<&'a UserResolution>,
}

impl<'a> Users<'a> {
    /// The user given for every token (`options.user`, blank is none) and the resolution.
    fn of(options: &'a RequestOptions, inputs: &'a RequestInputs) -> Users<'a> {
        Users {
            option: options
                .user
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty()),
            resolution: inputs.users.as_ref(),
        }
    }

    fn raw(&self, t: &'a Token) -> Option<&'a str> {
        user_of(t, self.option)
    }

    /// `Err(problem)` when the resolution says the user cannot be used.
    fn target(&self, u: &str) -> Result<Target, String> {
        let shown = visible(u).into_owned();
        if is_guid(u) {
            return Ok(Target {
                key: u.to_string(),
                object_id: Some(u.to_string()),
                shown,
                guest: false,
                disabled: false,
            });
        }
        let entry = self.resolution.and_then(|r| r.get(u));
        match entry {
            Some(e) if e.state.usable() => Ok(Target {
                key: e.object_id.clone().unwrap_or_else(|| u.to_string()),
                object_id: e.object_id.clone(),
                shown,
                guest: e.state == UserState::Guest || is_guest_upn(u),
                disabled: e.state == UserState::Disabled,
            }),
            Some(e) => Err(format!(
                "{shown}: {}",
                e.message.clone().unwrap_or_else(|| "not usable".into())
            )),
            None => Ok(Target {
                key: u.to_string(),
                object_id: None,
                shown,
                guest: is_guest_upn(u),
                disabled: false,
            }),
        }
    }
}

/// A warning about the user of token `record`.
fn user_warning(code: &'static str, record: usize, message: String) -> Diagnostic {
    Diagnostic::new(
        Severity::Warning,
        code,
        Some(record),
        Some("assignTo"),
        None,
        message,
    )
}

const GUEST_RULE: &str = "hardware OATH tokens cannot be assigned to guest users in the resource tenant (Entra: Upload OATH tokens)";

/// HW501 / HW502 for a request that names `target` for token `record`.
fn user_warnings(target: &Target, record: usize, assigning: bool) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if target.guest && assigning {
        out.push(user_warning(users::CODE_GUEST, record, format!(
            "{} is a guest user: {GUEST_RULE}; this request is expected to fail. Assign the token in the user's home tenant instead.",
            target.shown
        )));
    }
    if target.disabled {
        out.push(user_warning(users::CODE_DISABLED, record, format!(
            "{} is disabled (accountEnabled false): the request can succeed, but the user cannot sign in with the token until the account is enabled.",
            target.shown
        )));
    }
    out
}

/// HW501 for a token a create leaves unassigned because its user is a guest.
fn guest_left_out(target: &Target, record: usize) -> Diagnostic {
    user_warning(
        users::CODE_GUEST,
        record,
        format!(
            "{} is a guest user: {GUEST_RULE}, so the token is created unassigned.",
            target.shown
        ),
    )
}

/// A device the request is for: its Graph id and, from a listing, its status.
struct Device {
    id: String,
    status: Option<String>,
}

/// The listing's devices with `serial` (exact, else case-insensitive) that have an id.
fn listed<'l>(listing: &'l [ListedDevice], serial: &str) -> Vec<&'l ListedDevice> {
    let exact: Vec<&ListedDevice> = listing
        .iter()
        .filter(|d| d.serial_number == serial && d.id.is_some())
        .collect();
    if !exact.is_empty() {
        return exact;
    }
    listing
        .iter()
        .filter(|d| d.serial_number.eq_ignore_ascii_case(serial) && d.id.is_some())
        .collect()
}

/// The device id of each selected token: `--device-id` for a one-token selection, else found by
/// serial in the listing.
fn devices(
    kind: RequestKind,
    selected: &[(usize, &Token)],
    options: &RequestOptions,
    inputs: &RequestInputs,
) -> Result<Vec<Device>, RequestError> {
    if let Some(id) = options.device_id.as_deref() {
        if selected.len() != 1 {
            return Err(RequestError::DeviceIdNeedsOneToken {
                kind,
                count: selected.len(),
            });
        }
        let status = inputs.listing.as_deref().and_then(|l| {
            l.iter()
                .find(|d| d.id.as_deref() == Some(id))
                .and_then(|d| d.status.clone())
        });
        return Ok(vec![Device {
            id: id.to_string(),
            status,
        }]);
    }
    let Some(listing) = inputs.listing.as_deref() else {
        return Err(RequestError::MissingDeviceId { kind });
    };
    let mut out = Vec::with_capacity(selected.len());
    let mut absent = Vec::new();
    for (_, t) in selected {
        let hits = listed(listing, &t.serial_number);
        match hits.as_slice() {
            [] => absent.push(t.serial_number.clone()),
            [d] => out.push(Device {
                id: d.id.clone().unwrap_or_default(),
                status: d.status.clone(),
            }),
            many => {
                return Err(RequestError::TwiceInListing {
                    serial: t.serial_number.clone(),
                    ids: many.iter().filter_map(|d| d.id.clone()).collect(),
                })
            }
        }
    }
    if !absent.is_empty() {
        return Err(RequestError::NotInListing {
            kind,
            serials: absent,
        });
    }
    Ok(out)
}

/// The targets of the selected tokens for a kind that names a user: missing users, unusable
/// ones and (for object-id-only kinds) unresolved UPNs are errors, each listing every token.
fn targets(
    kind: RequestKind,
    selected: &[(usize, &Token)],
    users: &Users,
) -> Result<Vec<Target>, RequestError> {
    let mut missing = Vec::new();
    let mut problems = Vec::new();
    let mut upns = Vec::new();
    let mut out = Vec::with_capacity(selected.len());
    for (_, t) in selected {
        let Some(u) = users.raw(t) else {
            missing.push(t.serial_number.clone());
            continue;
        };
        match users.target(u) {
            Ok(target) => {
                if kind.info().needs.object_id_only
                    && target.object_id.is_none()
                    && !upns.contains(&u.to_string())
                {
                    upns.push(u.to_string());
                }
                out.push(target);
            }
            Err(p) => {
                if !problems.contains(&p) {
                    problems.push(p);
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(RequestError::MissingUser {
            kind,
            serials: missing,
        });
    }
    if !problems.is_empty() {
        return Err(RequestError::UnresolvedUsers { kind, problems });
    }
    if !upns.is_empty() {
        return Err(RequestError::NeedsObjectId { kind, upns });
    }
    Ok(out)
}

/// Builds the requests of `options.kind` for `tokens` (the file's valid tokens in input order;
/// a token's index in the slice is its record index), with no earlier answers: see
/// [`build_requests_with`].
pub fn build_requests(
    tokens: &[&Token],
    options: &RequestOptions,
) -> Result<Vec<GraphRequest>, RequestError> {
    build_requests_with(tokens, options, &RequestInputs::default())
}

/// Builds the requests of `options.kind` for `tokens`, using the answers in `inputs`.
///
/// - `create-bulk`: one `PATCH` per chunk of `options.chunk` tokens; `@contentId` is the token's
///   1-based position in the selection, so it is unique within and across the chunks. A token
///   is assigned at creation (`assignTo`) only by object id: its own GUID, or its UPN resolved
///   by `inputs.users`; other UPNs are created unassigned (the note says how to assign them),
///   and an explicit `options.user` that is an unresolved UPN is refused. 0 tokens give no
///   request.
/// - `create`, `list`, `get`, `update`, `assign`, `assign-ref`, `activate`,
///   `assign-and-activate`, `assign-and-activate-by-serial`, `deactivate`, `unassign`,
///   `delete`: one request per selected token. The kinds that name a device by id take
///   `options.device_id` (a one-token selection, see `options.serial`) or find every token's id
///   by serial in `inputs.listing`.
/// - `user-methods`: one request per distinct user; `resolve-users`: one `$batch` per 20
///   distinct UPNs (none when every user is an object id already).
/// - `cleanup-duplicate`: the two `DELETE`s per legacy instance (needs `inputs.user_methods`
///   and `inputs.listing`).
/// - `read-policy`, `enable-policy`, `list-all`: one request, whatever the file holds.
///
/// Users resolved by `inputs.users` are named by object id everywhere; assignment requests
/// naming a guest carry warning HW501, a disabled user HW502.
pub fn build_requests_with(
    tokens: &[&Token],
    options: &RequestOptions,
    inputs: &RequestInputs,
) -> Result<Vec<GraphRequest>, RequestError> {
    build(tokens, options, inputs, true)
}

/// The requests of [`build_requests_with`], except that the bodies of a `create-bulk`'s chunks
/// are left out ([`GraphRequest::body_deferred`]): everything else (URL, note, warnings,
/// permission, records) is there and checked, and [`complete_request`] writes a chunk's body
/// when a text of it is needed. A 10,000-token upload is then planned without writing its 100
/// bodies of keys at once.
pub fn plan_requests_with(
    tokens: &[&Token],
    options: &RequestOptions,
    inputs: &RequestInputs,
) -> Result<Vec<GraphRequest>, RequestError> {
    build(tokens, options, inputs, false)
}

/// Writes the body [`plan_requests_with`] left out of `r`, request `index` of the plan made from
/// the same `tokens`, `options` and `inputs`; a request with its body is left as it is.
pub fn complete_request(
    r: &mut GraphRequest,
    index: usize,
    tokens: &[&Token],
    options: &RequestOptions,
    inputs: &RequestInputs,
) {
    if !r.body_deferred {
        return;
    }
    // Only create-bulk defers its bodies, and it takes no serial: the selection is every token.
    let selected: Vec<(usize, &Token)> = tokens.iter().copied().enumerate().collect();
    let users = Users::of(options, inputs);
    if let Some(range) = chunk_ranges(selected.len(), options.chunk).get(index) {
        r.body = Some(bulk_body(&selected[range.clone()], range.start, &users));
        r.body_deferred = false;
    }
}

fn build(
    tokens: &[&Token],
    options: &RequestOptions,
    inputs: &RequestInputs,
    bodies: bool,
) -> Result<Vec<GraphRequest>, RequestError> {
    let kind = options.kind;
    if options.chunk == 0 {
        return Err(RequestError::ZeroChunk);
    }
    let mut selected: Vec<(usize, &Token)> = tokens.iter().copied().enumerate().collect();
    if let Some(serial) = &options.serial {
        if kind.info().needs.serial == super::Need::No {
            return Err(RequestError::SerialNotTaken { kind });
        }
        selected.retain(|(_, t)| &t.serial_number == serial);
        if selected.is_empty() {
            return Err(RequestError::NoSuchSerial {
                serial: serial.clone(),
            });
        }
    }
    let users = Users::of(options, inputs);
    match kind {
        RequestKind::ReadPolicy => return Ok(vec![read_policy()]),
        RequestKind::EnablePolicy => return Ok(vec![enable_policy()]),
        RequestKind::ListAll => return Ok(vec![list_all(inputs)]),
        RequestKind::ResolveUsers => return Ok(resolve_users(&selected, &users)),
        RequestKind::CreateBulk => return create_bulk(&selected, options.chunk, &users, bodies),
        RequestKind::UserMethods => return user_methods(&selected, &users),
        RequestKind::CleanupDuplicate => return cleanup_duplicate(&selected, &users, inputs),
        _ => {}
    }

    let devices = if kind.needs_device_id() {
        Some(devices(kind, &selected, options, inputs)?)
    } else {
        None
    };
    let time = if kind.needs_time() {
        Some(options.time.ok_or(RequestError::MissingTime { kind })?)
    } else {
        None
    };
    let targets = if kind.needs_user() {
        Some(targets(kind, &selected, &users)?)
    } else {
        None
    };

    let mut out = Vec::with_capacity(selected.len());
    for (n, &(record, t)) in selected.iter().enumerate() {
        let device = devices.as_ref().map(|d| &d[n]);
        let target = targets.as_ref().map(|v| &v[n]);
        let user = target.map(|t| t.key.as_str()).unwrap_or_default();
        let shown_user = target.map(|t| t.shown.as_str()).unwrap_or_default();
        let id = device.map(|d| d.id.as_str()).unwrap_or_default();
        let shown_id = visible(id);
        let serial = &shorten(&t.serial_number);
        let user_access = (PERM_USER, ROLE_USER);
        let method_path = |action: &str| format!("/{}{action}", path_segment(id));
        let mut req = match kind {
            RequestKind::Create => create_one(t, &users, record)?,
            RequestKind::List => request(
                "GET",
                format!("{GRAPH_BASE}{DEVICES}?{}", serial_filter(&t.serial_number)),
                None,
                (PERM_READ, ROLE_READ),
                format!("Looks up serial {serial} in the tenant's inventory: its id, status and assigned user (the secret is never returned)."),
            ),
            RequestKind::Get => request(
                "GET",
                format!("{GRAPH_BASE}{DEVICES}{}", method_path("")),
                None,
                (PERM_READ, ROLE_READ),
                format!("Reads device {shown_id} (token {serial}): status, assigned user, hash and period (the secret is never returned)."),
            ),
            RequestKind::Update => {
                if let Some(status) = device.and_then(|d| d.status.as_deref()) {
                    if !status.eq_ignore_ascii_case("available") {
                        return Err(RequestError::NotUnassigned {
                            serial: t.serial_number.clone(),
                            status: status.to_string(),
                        });
                    }
                }
                let mut body = json!({
                    "hashFunction": t.hash_function.graph_name(),
                    "timeIntervalInSeconds": t.time_interval,
                });
                if let (Some(d), Some(obj)) = (&t.display_name, body.as_object_mut()) {
                    obj.insert("displayName".into(), json!(d));
                }
                request(
                    "PATCH",
                    format!("{GRAPH_BASE}{DEVICES}{}", method_path("")),
                    Some(body),
                    (PERM_DEVICES, ROLE_POLICY),
                    format!(
                        "Sets device {shown_id} (token {serial}) to the file's {} and {} s{}; Graph changes only unassigned tokens (unassign it first if it is assigned), and never the serial or the secret.",
                        t.hash_function.graph_name(),
                        t.time_interval,
                        if t.display_name.is_some() { " and display name" } else { "" }
                    ),
                )
            }
            RequestKind::Assign => request(
                "POST",
                user_url(user, ""),
                Some(json!({ "device": { "id": id } })),
                user_access,
                format!("Assigns token {serial} (device {shown_id}) to {shown_user} without activating it; the user can activate it on My Security Info."),
            ),
            RequestKind::AssignRef => {
                let object_id = target.and_then(|t| t.object_id.as_deref()).unwrap_or_default();
                request(
                    "PUT",
                    user_url(object_id, &method_path("/device/assignTo/$ref")),
                    Some(json!({ "@odata.id": format!("{GRAPH_BASE}/users/{object_id}") })),
                    user_access,
                    format!("Assigns token {serial} (device {shown_id}) to {shown_user} by setting the device's assignTo reference (the form the hardwareOathAuthenticationMethod page links for Assign); 204 on success."),
                )
            }
            RequestKind::Activate
            | RequestKind::AssignAndActivate
            | RequestKind::AssignAndActivateBySerial => {
                let (code, expires, text) = code_at(t, time.unwrap_or_default());
                let name = display_name(t);
                let (url, body, note) = match kind {
                    RequestKind::Activate => (
                        user_url(user, &method_path("/activate")),
                        json!({ "verificationCode": code, "displayName": name }),
                        format!("Activates token {serial} (device {shown_id}, already assigned) for {shown_user}: {text}."),
                    ),
                    RequestKind::AssignAndActivate => (
                        user_url(user, "/assignAndActivate"),
                        json!({ "device": { "id": id }, "verificationCode": code, "displayName": name }),
                        format!("Assigns token {serial} (device {shown_id}) to {shown_user} and activates it: {text}."),
                    ),
                    _ => (
                        user_url(user, "/assignAndActivateBySerialNumber"),
                        json!({ "verificationCode": code, "serialNumber": t.serial_number, "displayName": name }),
                        format!("Assigns token {serial} to {shown_user} by serial number and activates it: {text}."),
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
                format!("Deactivates token {serial} (device {shown_id}) for {shown_user}; it stays assigned to them."),
            ),
            RequestKind::Unassign => request(
                "DELETE",
                user_url(user, &method_path("")),
                None,
                user_access,
                format!("Unassigns token {serial} (device {shown_id}) from {shown_user}; it goes back to the inventory as available."),
            ),
            RequestKind::Delete => request(
                "DELETE",
                format!("{GRAPH_BASE}{DEVICES}{}", method_path("")),
                None,
                (PERM_DEVICES, ROLE_POLICY),
                format!("Deletes token {serial} (device {shown_id}) from the inventory; unassign it first if it is assigned."),
            ),
            RequestKind::ReadPolicy
            | RequestKind::EnablePolicy
            | RequestKind::ListAll
            | RequestKind::ResolveUsers
            | RequestKind::CreateBulk
            | RequestKind::UserMethods
            | RequestKind::CleanupDuplicate => unreachable!("handled above"),
        };
        if let Some(target) = target {
            let assigning = !matches!(kind, RequestKind::Deactivate | RequestKind::Unassign);
            req.warnings
                .extend(user_warnings(target, record, assigning));
        }
        req.records = vec![record];
        out.push(req);
    }
    Ok(out)
}

fn read_policy() -> GraphRequest {
    request(
        "GET",
        format!("{GRAPH_BASE}{POLICY}"),
        None,
        (PERM_POLICY_READ, ROLE_READ),
        "Reads the hardware OATH method policy: its state (enabled or disabled) and includeTargets (all users, or which groups); run it before enable-policy to see who is in scope.".into(),
    )
}

fn enable_policy() -> GraphRequest {
    request(
        "PATCH",
        format!("{GRAPH_BASE}{POLICY}"),
        Some(json!({
            "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethodConfiguration",
            "state": "enabled"
        })),
        (PERM_DEVICES, ROLE_POLICY),
        "Enables hardware OATH tokens in the Authentication methods policy (the body names the configuration's @odata.type, which the reference page says must be included; only the state changes, so users must also be in its includeTargets: check with read-policy); allow up to an hour to take effect.".into(),
    )
}

fn list_all(inputs: &RequestInputs) -> GraphRequest {
    let q = &inputs.inventory;
    let mut url = format!("{GRAPH_BASE}{DEVICES}?$select={LIST_ALL_SELECT}");
    if q.available_only {
        url.push_str("&$filter=");
        url.push_str(&percent_encode("status eq 'available'", b"'"));
    }
    if let Some(top) = q.top {
        url.push_str(&format!("&$top={top}"));
    }
    let mut r = request(
        "GET",
        url,
        None,
        (PERM_READ, ROLE_READ),
        format!(
            "Lists {} of the tenant's inventory{}: Graph pages a long answer and gives the next page's URL as @odata.nextLink; the PowerShell and curl renderings follow it and save every page as hardwareOathDevices-page-N.json (in Graph Explorer, run each nextLink yourself). Give every page to --listing (variants, assign, activate, delete, update by serial, cleanup-duplicate).",
            if q.available_only { "the available (unassigned) devices" } else { "every device" },
            q.top.map(|t| format!(", {t} per page")).unwrap_or_default()
        ),
    );
    r.paged = true;
    r
}

fn resolve_users(selected: &[(usize, &Token)], users: &Users) -> Vec<GraphRequest> {
    let tokens: Vec<&Token> = selected.iter().map(|(_, t)| *t).collect();
    let upns = users::users_to_resolve(&tokens, users.option);
    let n = upns.len();
    let batches = n.div_ceil(BATCH_LIMIT);
    chunk_ranges(n, BATCH_LIMIT)
        .into_iter()
        .enumerate()
        .map(|(b, range)| {
            let part = &upns[range.clone()];
            let mut r = request(
                "POST",
                format!("{GRAPH_BASE}/$batch"),
                Some(users::batch_body(part, range.start)),
                (PERM_USERS, ROLE_USERS),
                format!(
                    "Asks Graph for users {}–{} of {n} by UPN (object id, userType, accountEnabled), batch {} of {batches} ($batch takes at most {BATCH_LIMIT} requests); give the answer of every batch to --users so that later requests name these users by object id.",
                    range.start + 1,
                    range.end,
                    b + 1
                ),
            );
            r.records = selected
                .iter()
                .filter(|(_, t)| {
                    users
                        .raw(t)
                        .is_some_and(|u| part.iter().any(|p| p.eq_ignore_ascii_case(u)))
                })
                .map(|(r, _)| *r)
                .collect();
            r
        })
        .collect()
}

fn user_methods(
    selected: &[(usize, &Token)],
    users: &Users,
) -> Result<Vec<GraphRequest>, RequestError> {
    let targets = targets(RequestKind::UserMethods, selected, users)?;
    let mut out: Vec<GraphRequest> = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    for (&(record, _), target) in selected.iter().zip(&targets) {
        if let Some(i) = keys
            .iter()
            .position(|k| k.eq_ignore_ascii_case(&target.key))
        {
            out[i].records.push(record);
            continue;
        }
        keys.push(target.key.clone());
        let mut r = request(
            "GET",
            user_url(&target.key, ""),
            None,
            (PERM_USER_READ, ROLE_USER_READ),
            format!(
                "Lists the hardware OATH tokens assigned to {} (method id, device id, serial, status); give the answer to --user-methods for cleanup-duplicate.",
                target.shown
            ),
        );
        r.records.push(record);
        out.push(r);
    }
    Ok(out)
}

/// How a create names a token's user (`assignTo`): by object id, or not at all, and why.
enum Assignment {
    /// The token names no user.
    Nobody,
    /// Assigned at creation.
    Assigned(Target),
    /// A guest: created unassigned (HW501).
    Guest(Target),
    /// A UPN without an object id: created unassigned.
    Upn,
    /// The resolve-users answer cannot name the user: created unassigned.
    Unusable(String),
}

fn assignment(users: &Users, t: &Token) -> Assignment {
    let Some(u) = users.raw(t) else {
        return Assignment::Nobody;
    };
    match users.target(u) {
        // A guest in one item could make Graph refuse the whole chunk: left out.
        Ok(target) if target.guest && users.option.is_none() => Assignment::Guest(target),
        Ok(target) if target.object_id.is_some() => Assignment::Assigned(target),
        Ok(_) => Assignment::Upn,
        Err(p) => Assignment::Unusable(p),
    }
}

/// The `#$delta` body of one create-bulk chunk: `slice`, whose first token is number
/// `start + 1` of the selection (its `@contentId`).
fn bulk_body(slice: &[(usize, &Token)], start: usize, users: &Users) -> Value {
    let items: Vec<Value> = slice
        .iter()
        .enumerate()
        .map(|(i, &(_, t))| {
            let mut item = serde_json::to_value(DeltaItem {
                token: t,
                content_id: Some((start + i + 1).to_string()),
                with_optional: true,
            })
            .expect("token serialises");
            let obj = item.as_object_mut().expect("an object");
            obj.remove("assignTo");
            if let Assignment::Assigned(target) = assignment(users, t) {
                obj.insert("assignTo".into(), json!({ "id": target.key }));
            }
            item
        })
        .collect();
    json!({ "@context": "#$delta", "value": items })
}

fn create_bulk(
    selected: &[(usize, &Token)],
    chunk: usize,
    users: &Users,
    bodies: bool,
) -> Result<Vec<GraphRequest>, RequestError> {
    // An explicit user must be an object id (it is meant for every token).
    if let Some(u) = users.option {
        let t = users.target(u).map_err(|p| RequestError::UnresolvedUsers {
            kind: RequestKind::CreateBulk,
            problems: vec![p],
        })?;
        if t.object_id.is_none() {
            return Err(RequestError::NeedsObjectId {
                kind: RequestKind::CreateBulk,
                upns: vec![u.to_string()],
            });
        }
    }
    let ranges = chunk_ranges(selected.len(), chunk);
    let parts = ranges.len();
    let mut out = Vec::with_capacity(parts);
    for (part, range) in ranges.into_iter().enumerate() {
        let slice = &selected[range.clone()];
        let mut assigned = 0;
        let mut upns = 0;
        let mut unusable = Vec::new();
        let mut guests = 0;
        let mut warnings = Vec::new();
        for &(record, t) in slice {
            match assignment(users, t) {
                Assignment::Nobody => {}
                Assignment::Guest(target) => {
                    guests += 1;
                    warnings.push(guest_left_out(&target, record));
                }
                Assignment::Assigned(target) => {
                    assigned += 1;
                    warnings.extend(user_warnings(&target, record, true));
                }
                Assignment::Upn => upns += 1,
                Assignment::Unusable(p) => unusable.push(p),
            }
        }
        let mut note = format!(
            "Creates tokens {}–{} of {} (serials {} to {}), part {} of {parts}; Graph documents no maximum per request, so chunks of {chunk} are a choice, not a limit.",
            range.start + 1,
            range.end,
            selected.len(),
            shorten(&slice[0].1.serial_number),
            shorten(&slice[slice.len() - 1].1.serial_number),
            part + 1,
        );
        if assigned > 0 {
            note.push_str(&format!(
                " {assigned} token(s) are assigned at creation (assignTo is the user's object id)."
            ));
        }
        if upns > 0 {
            note.push_str(&format!(" {upns} token(s) name their user by UPN, which assignTo does not take (Graph documents the object id): they are created unassigned; resolve the UPNs first (--request resolve-users, then --users ANSWER) to assign them at creation, or assign them afterwards (--request assign)."));
        }
        if guests > 0 {
            note.push_str(&format!(
                " {guests} token(s) name a guest user and are created unassigned (warning HW501)."
            ));
        }
        if !unusable.is_empty() {
            note.push_str(&format!(
                " {} token(s) are created unassigned because the resolve-users answer cannot name their user: {}.",
                unusable.len(),
                unusable.join("; ")
            ));
        }
        let mut r = request(
            "PATCH",
            format!("{GRAPH_BASE}{DEVICES}"),
            bodies.then(|| bulk_body(slice, range.start, users)),
            create_access(assigned > 0),
            note,
        );
        r.records = slice.iter().map(|(r, _)| *r).collect();
        r.warnings = warnings;
        r.body_deferred = !bodies;
        out.push(r);
    }
    Ok(out)
}

fn create_one(t: &Token, users: &Users, record: usize) -> Result<GraphRequest, RequestError> {
    let mut body = serde_json::to_value(DeltaItem {
        token: t,
        content_id: None,
        with_optional: false,
    })
    .expect("token serialises");
    let explicit = users.option.is_some();
    let mut assign: Option<Target> = None;
    let mut guest = None;
    let mut left_out = String::new();
    if let Some(u) = users.raw(t) {
        match users.target(u) {
            Ok(target) if target.guest && !explicit => {
                left_out = " Created unassigned: its user is a guest (warning HW501).".into();
                guest = Some(guest_left_out(&target, record));
            }
            Ok(target) if target.object_id.is_some() => assign = Some(target),
            Ok(target) if explicit => {
                let _ = target;
                return Err(RequestError::NeedsObjectId {
                    kind: RequestKind::Create,
                    upns: vec![u.to_string()],
                });
            }
            Ok(target) => {
                left_out = format!(" The file names {} by UPN, which assignTo does not take (Graph documents the object id): resolve it first (--request resolve-users, then --users ANSWER) to assign at creation, or assign it afterwards (--request assign).", target.shown);
            }
            Err(p) if explicit => {
                return Err(RequestError::UnresolvedUsers {
                    kind: RequestKind::Create,
                    problems: vec![p],
                })
            }
            Err(p) => left_out = format!(" Created unassigned: {p}."),
        }
    }
    if let Some(obj) = body.as_object_mut() {
        if let Some(d) = &t.display_name {
            obj.insert("displayName".into(), json!(d));
        }
        if let Some(a) = &assign {
            obj.insert("assignTo".into(), json!({ "id": a.key }));
        }
    }
    let serial = shorten(&t.serial_number);
    let (manufacturer, model) = (shorten(&t.manufacturer), shorten(&t.model));
    let note = match &assign {
        None => format!("Creates token {serial} ({manufacturer} {model}) in the inventory, unassigned.{left_out}"),
        Some(a) => format!("Creates token {serial} ({manufacturer} {model}) and assigns it to {}.", a.shown),
    };
    let mut r = request(
        "POST",
        format!("{GRAPH_BASE}{DEVICES}"),
        Some(body),
        create_access(assign.is_some()),
        note,
    );
    if let Some(a) = &assign {
        r.warnings = user_warnings(a, record, true);
    }
    r.warnings.extend(guest);
    Ok(r)
}

fn cleanup_duplicate(
    selected: &[(usize, &Token)],
    users: &Users,
    inputs: &RequestInputs,
) -> Result<Vec<GraphRequest>, RequestError> {
    let (Some(methods), Some(listing)) = (inputs.user_methods.as_ref(), inputs.listing.as_deref())
    else {
        return Err(RequestError::CleanupNeedsAnswers);
    };
    let kind = RequestKind::CleanupDuplicate;
    let targets = targets(kind, selected, users)?;
    let mut named: Vec<&Target> = Vec::new();
    for t in &targets {
        if !named.iter().any(|n| n.key.eq_ignore_ascii_case(&t.key)) {
            named.push(t);
        }
    }
    if named.len() > 1 {
        return Err(RequestError::CleanupNeedsOneUser {
            users: named.iter().map(|t| t.shown.clone()).collect(),
        });
    }
    let mut out = Vec::new();
    let mut reasons = Vec::new();
    for (&(record, t), target) in selected.iter().zip(&targets) {
        let serial = shorten(&t.serial_number);
        let held = methods.with_serial(&t.serial_number);
        if held.len() < 2 {
            reasons.push(match held.first() {
                None => format!(
                    "serial {serial}: {} holds no token with this serial",
                    target.shown
                ),
                Some(m) => format!(
                    "serial {serial}: {} holds it once (method {}), nothing to clean up",
                    target.shown,
                    shorten(&m.id)
                ),
            });
            continue;
        }
        let in_listing = listed(listing, &t.serial_number);
        let graph_id = match in_listing.as_slice() {
            [d] => d.id.clone().unwrap_or_default(),
            [] => {
                reasons.push(format!("serial {serial}: held twice, but the listing has no device with this serial, so which instance is the Graph one is unknown (look it up with --request list and give that answer as --listing)"));
                continue;
            }
            many => {
                return Err(RequestError::TwiceInListing {
                    serial: t.serial_number.clone(),
                    ids: many.iter().filter_map(|d| d.id.clone()).collect(),
                })
            }
        };
        let legacy: Vec<&super::UserMethod> = held
            .iter()
            .copied()
            .filter(|m| m.id != graph_id && m.device_id.as_deref() != Some(graph_id.as_str()))
            .collect();
        if legacy.len() == held.len() || legacy.is_empty() {
            reasons.push(format!(
                "serial {serial}: held {} times, but {} of the instances is the listing's device {}, so the legacy one cannot be told apart",
                held.len(),
                if legacy.is_empty() { "more than one" } else { "none" },
                shorten(&graph_id)
            ));
            continue;
        }
        for m in legacy {
            let legacy_id = visible(&m.id).into_owned();
            let why = format!(
                "{} holds token {serial} twice: method {legacy_id} is the legacy instance (from the admin center's CSV upload, OATH tokens (Preview)) and device {} is the one created with Microsoft Graph, the only one the device listing returns",
                target.shown,
                shorten(&graph_id)
            );
            let mut unassign = request(
                "DELETE",
                user_url(&target.key, &format!("/{}", path_segment(&m.id))),
                None,
                (PERM_USER, ROLE_USER),
                format!("{why}. Step 1 of 2 (Microsoft's troubleshooting steps for two instances of a token): removes the legacy instance from the user; the Graph instance stays assigned."),
            );
            unassign.records = vec![record];
            let mut delete = request(
                "DELETE",
                format!("{GRAPH_BASE}{DEVICES}/{}", path_segment(&m.id)),
                None,
                (PERM_DEVICES, ROLE_POLICY),
                format!("{why}. Step 2 of 2: deletes the legacy instance by its id, as Microsoft's steps do (the Graph device {} is kept).", shorten(&graph_id)),
            );
            delete.records = vec![record];
            out.push(unassign);
            out.push(delete);
        }
    }
    if out.is_empty() {
        return Err(RequestError::NoDuplicate { reasons });
    }
    Ok(out)
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
