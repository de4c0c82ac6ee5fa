//! UPN → object id. Graph documents `assignTo.id` (create) and the `@odata.id` of the assignTo
//! reference as the user's object id, while the legacy CSV and admins name users by UPN. The
//! `resolve-users` request asks Graph for each UPN (`GET /users/{upn}?$select=id,
//! userPrincipalName,userType,accountEnabled`, at most 20 per JSON `$batch`); [`read_users`]
//! reads the answer(s) back and says, per token, whether its user was found, is a guest (who
//! cannot hold a hardware OATH token in the resource tenant), is disabled, or was not found.

use serde::Serialize;
use serde_json::Value;
use std::collections::HashMap;

use super::answer;
use super::UnusableResponse;
use crate::core::diag::Diagnostic;
use crate::core::secret::Severity;
use crate::core::text::{shorten, visible};
use crate::core::token::{is_guid, Token};

/// Most requests in one JSON `$batch` (Microsoft Graph JSON batching).
pub const BATCH_LIMIT: usize = 20;

/// HW501: a guest user on an assignment request.
pub const CODE_GUEST: &str = "HW501";
/// HW502: a disabled user.
pub const CODE_DISABLED: &str = "HW502";
/// HW503: the user was not found.
pub const CODE_NOT_FOUND: &str = "HW503";
/// HW504: the answer has nothing usable for the user.
pub const CODE_NO_ANSWER: &str = "HW504";

/// The `$select` of every user request.
pub const USER_SELECT: &str = "id,userPrincipalName,userType,accountEnabled";

/// Whether a UPN is a guest's (`…#EXT#@…`, the form B2B guests get in the resource tenant).
pub fn is_guest_upn(upn: &str) -> bool {
    upn.to_ascii_uppercase().contains("#EXT#")
}

/// The user each selected token names: `user` (the `--user` option) over the token's own
/// `assign_to`.
pub(super) fn user_of<'a>(t: &'a Token, user: Option<&'a str>) -> Option<&'a str> {
    user.or(t.assign_to.as_deref())
        .map(str::trim)
        .filter(|u| !u.is_empty())
}

/// The distinct UPNs (not object ids) the tokens name, in order of first appearance, compared
/// case-insensitively (UPNs are). Their 1-based position is their `$batch` request id.
pub fn users_to_resolve(tokens: &[&Token], user: Option<&str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for t in tokens {
        if let Some(u) = user_of(t, user) {
            if !is_guid(u) && seen.insert(u.to_lowercase()) {
                out.push(u.to_string());
            }
        }
    }
    out
}

/// What the answer says about one user.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UserState {
    /// Found, a member, enabled.
    Found,
    /// Found, `userType` Guest (or an `#EXT#` UPN): cannot hold a hardware OATH token here.
    Guest,
    /// Found, `accountEnabled` false.
    Disabled,
    /// Graph answered 404.
    NotFound,
    /// Graph answered another error for it.
    Failed,
    /// The answer does not mention it.
    Missing,
}

impl UserState {
    /// Whether requests can name the user by the id found (guests and disabled users get a
    /// warning, not a refusal).
    pub fn usable(self) -> bool {
        matches!(
            self,
            UserState::Found | UserState::Guest | UserState::Disabled
        )
    }
}

/// One user as the answer gives it. Text from the answer is escaped (`text::visible`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedUser {
    /// The UPN asked for (as the file or `--user` gives it, escaped).
    pub upn: String,
    /// The `$batch` request id it was asked under (`"1"`, `"2"`…).
    pub request_id: String,
    /// What the answer says.
    pub state: UserState,
    /// The object id, when found (always an 8-4-4-4-12 GUID; anything else is refused).
    pub object_id: Option<String>,
    /// `userPrincipalName` as Graph has it.
    pub user_principal_name: Option<String>,
    /// `userType` (`Member`, `Guest`).
    pub user_type: Option<String>,
    /// `accountEnabled`.
    pub account_enabled: Option<bool>,
    /// HTTP status of its answer, when given.
    pub status: Option<u16>,
    /// Why it is not usable or what to watch; `None` when found and fine.
    pub message: Option<String>,
}

/// One token's user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenUser {
    /// 0-based record index.
    pub record: usize,
    /// Serial number.
    pub serial_number: String,
    /// The user the token names (escaped), if any.
    pub user: Option<String>,
    /// What the answer says; `Found` for a token that names its user by object id already.
    pub state: UserState,
    /// The object id requests will use.
    pub object_id: Option<String>,
}

/// The answer(s) of `resolve-users` mapped to the file's users and tokens. Serialises camelCase.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserResolution {
    /// One entry per UPN asked for, in request-id order.
    pub users: Vec<ResolvedUser>,
    /// One entry per token that names a user, in file order.
    pub tokens: Vec<TokenUser>,
    /// Users found and usable (guests and disabled users included, with a warning).
    pub found: usize,
    /// Users Graph does not know (404).
    pub not_found: usize,
    /// Guests among the found.
    pub guests: usize,
    /// Disabled among the found.
    pub disabled: usize,
    /// Users the answer does not mention or answered with another error.
    pub missing: usize,
    /// HW501–HW504 per user; HW510/HW511 for answer fields with invisible characters.
    pub diagnostics: Vec<Diagnostic>,
}

impl UserResolution {
    /// The resolved entry for a UPN (case-insensitive).
    pub fn get(&self, upn: &str) -> Option<&ResolvedUser> {
        let key = visible(upn);
        self.users.iter().find(|u| u.upn.eq_ignore_ascii_case(&key))
    }

    /// Whether every user the file names can be used.
    pub fn all_usable(&self) -> bool {
        self.users.iter().all(|u| u.state.usable())
    }
}

/// One answer item: a user object, or an error for request id `id`.
struct Item {
    id: Option<String>,
    status: Option<u16>,
    body: Value,
}

fn id_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Reads one pasted answer: a `$batch` answer `{"responses":[{"id","status","body"}]}` (also
/// what hwoath's PowerShell loop prints), a user list `{"value":[…]}`, or one user object; raw
/// HTTP and PowerShell's error text are unwrapped first.
fn items_of(
    text: &str,
    n: usize,
    diags: &mut Vec<Diagnostic>,
) -> Result<Vec<Item>, UnusableResponse> {
    let what = format!("resolve-users answer {}", n + 1);
    let parsed = answer::parse_success(text, &what)?;
    diags.extend(parsed.findings);
    let value = parsed.value;
    if let Some(responses) = value.get("responses").and_then(Value::as_array) {
        return Ok(responses
            .iter()
            .map(|r| Item {
                id: id_text(r.get("id")),
                status: r.get("status").and_then(Value::as_u64).map(|s| s as u16),
                body: r.get("body").cloned().unwrap_or(Value::Null),
            })
            .collect());
    }
    if let Some(list) = value.get("value").and_then(Value::as_array) {
        return Ok(list
            .iter()
            .map(|u| Item {
                id: None,
                status: Some(200),
                body: u.clone(),
            })
            .collect());
    }
    if value.get("userPrincipalName").is_some() || value.get("id").is_some() {
        return Ok(vec![Item {
            id: None,
            status: Some(200),
            body: value,
        }]);
    }
    Err(UnusableResponse::new(format!(
        "{what} is not an answer of resolve-users: expected {{\"responses\":[…]}} (the $batch answer), {{\"value\":[…]}} or one user"
    )))
}

/// Maps the answers of `resolve-users` to the users the tokens name (`user` overrides each
/// token's own, as in [`super::RequestOptions::user`]). Items are matched by `$batch` id (the
/// UPN's 1-based position in [`users_to_resolve`]) and checked against their
/// `userPrincipalName`; items without id are matched by `userPrincipalName`. Fails only for an
/// answer that is not JSON, is an error for the whole request, or has no known shape.
pub fn read_users(
    tokens: &[&Token],
    user: Option<&str>,
    answers: &[&str],
) -> Result<UserResolution, UnusableResponse> {
    let upns = users_to_resolve(tokens, user);
    let mut diags = Vec::new();
    let mut items = Vec::new();
    for (n, text) in answers.iter().enumerate() {
        items.extend(items_of(text, n, &mut diags)?);
    }
    let by_upn: HashMap<String, usize> = upns
        .iter()
        .enumerate()
        .map(|(i, u)| (u.to_lowercase(), i))
        .collect();
    let mut found: Vec<Option<(Option<u16>, Value)>> = vec![None; upns.len()];
    for item in items {
        let upn_in_body = item
            .body
            .get("userPrincipalName")
            .and_then(Value::as_str)
            .map(str::to_lowercase);
        let by_id = item
            .id
            .as_deref()
            .and_then(|id| id.trim().parse::<usize>().ok())
            .filter(|&n| n >= 1 && n <= upns.len())
            .map(|n| n - 1);
        let target = match (
            by_id,
            upn_in_body.as_ref().and_then(|u| by_upn.get(u).copied()),
        ) {
            (Some(a), Some(b)) if a != b => {
                diags.push(Diagnostic::new(
                    Severity::Warning,
                    CODE_NO_ANSWER,
                    None,
                    None,
                    None,
                    format!(
                        "answer item {} is request {} ({}) but names {}: ignored; the answers may be from another file",
                        shorten(item.id.as_deref().unwrap_or("")),
                        a + 1,
                        shorten(&upns[a]),
                        shorten(upn_in_body.as_deref().unwrap_or(""))
                    ),
                ));
                continue;
            }
            (Some(a), _) => a,
            (None, Some(b)) => b,
            (None, None) => continue,
        };
        if found[target].is_none() {
            found[target] = Some((item.status, item.body));
        }
    }
    let mut out = UserResolution::default();
    for (i, upn) in upns.iter().enumerate() {
        let shown = visible(upn).into_owned();
        let mut r = ResolvedUser {
            upn: shown.clone(),
            request_id: (i + 1).to_string(),
            state: UserState::Missing,
            object_id: None,
            user_principal_name: None,
            user_type: None,
            account_enabled: None,
            status: None,
            message: None,
        };
        match &found[i] {
            None => {
                r.message = Some(format!(
                    "the answer has no item for {shown} (request {}): was every $batch answer given?",
                    i + 1
                ));
            }
            Some((status, body)) => {
                r.status = *status;
                let ok = status.is_none_or(|s| (200..300).contains(&s));
                let err = body.get("error").filter(|e| e.is_object());
                if *status == Some(404) {
                    r.state = UserState::NotFound;
                    r.message = Some(format!(
                        "Graph knows no user {shown} (404): check the spelling"
                    ));
                } else if let (true, None) = (ok, err) {
                    let id = body.get("id").and_then(Value::as_str);
                    match id {
                        Some(id) if is_guid(id) => {
                            r.object_id = Some(id.to_string());
                            r.user_principal_name = body
                                .get("userPrincipalName")
                                .and_then(Value::as_str)
                                .map(|s| visible(s).into_owned());
                            r.user_type = body
                                .get("userType")
                                .and_then(Value::as_str)
                                .map(|s| visible(s).into_owned());
                            r.account_enabled = body.get("accountEnabled").and_then(Value::as_bool);
                            let guest = r
                                .user_type
                                .as_deref()
                                .is_some_and(|t| t.eq_ignore_ascii_case("guest"))
                                || is_guest_upn(upn);
                            r.state = if guest {
                                UserState::Guest
                            } else if r.account_enabled == Some(false) {
                                UserState::Disabled
                            } else {
                                UserState::Found
                            };
                            r.message = match r.state {
                                UserState::Guest => Some(format!("{shown} is a guest (userType Guest): hardware OATH tokens cannot be assigned to guest users in the resource tenant")),
                                UserState::Disabled => Some(format!("{shown} is disabled (accountEnabled false): the token can be assigned, but the user cannot sign in with it")),
                                _ => None,
                            };
                        }
                        Some(id) => {
                            r.state = UserState::Failed;
                            r.message = Some(format!(
                                "the answer's id for {shown} is {}, not an object id",
                                shorten(id)
                            ));
                        }
                        None => {
                            r.state = UserState::Failed;
                            r.message = Some(format!(
                                "the answer for {shown} has no id (was $select=id kept?)"
                            ));
                        }
                    }
                } else {
                    r.state = UserState::Failed;
                    let why = err
                        .map(super::reconcile::error_text)
                        .unwrap_or_else(|| "no error text".into());
                    r.message = Some(format!(
                        "Graph answered {} for {shown}: {why}",
                        status
                            .map(|s| format!("HTTP {s}"))
                            .unwrap_or_else(|| "an error".into())
                    ));
                }
            }
        }
        let code = match r.state {
            UserState::Guest => Some((Severity::Warning, CODE_GUEST)),
            UserState::Disabled => Some((Severity::Warning, CODE_DISABLED)),
            UserState::NotFound => Some((Severity::Error, CODE_NOT_FOUND)),
            UserState::Failed | UserState::Missing => Some((Severity::Error, CODE_NO_ANSWER)),
            UserState::Found => None,
        };
        if let (Some((sev, code)), Some(m)) = (code, &r.message) {
            diags.push(Diagnostic::new(
                sev,
                code,
                None,
                Some("assignTo"),
                None,
                m.clone(),
            ));
        }
        out.users.push(r);
    }
    for (record, t) in tokens.iter().enumerate() {
        let Some(u) = user_of(t, user) else { continue };
        let (state, object_id) = if is_guid(u) {
            (UserState::Found, Some(u.to_string()))
        } else {
            let r = out.get(u).expect("every UPN was asked");
            (r.state, r.object_id.clone())
        };
        out.tokens.push(TokenUser {
            record,
            serial_number: t.serial_number.clone(),
            user: Some(visible(u).into_owned()),
            state,
            object_id,
        });
    }
    let count = |s: UserState| out.users.iter().filter(|u| u.state == s).count();
    out.guests = count(UserState::Guest);
    out.disabled = count(UserState::Disabled);
    out.found = count(UserState::Found) + out.guests + out.disabled;
    out.not_found = count(UserState::NotFound);
    out.missing = count(UserState::Missing) + count(UserState::Failed);
    out.diagnostics = diags;
    Ok(out)
}

/// The `$batch` body asking for `upns[range]`: ids are the UPNs' 1-based positions.
pub(super) fn batch_body(upns: &[String], start: usize) -> Value {
    let requests: Vec<Value> = upns
        .iter()
        .enumerate()
        .map(|(i, u)| {
            serde_json::json!({
                "id": (start + i + 1).to_string(),
                "method": "GET",
                "url": user_path(u),
            })
        })
        .collect();
    serde_json::json!({ "requests": requests })
}

/// `/users/{upn}?$select=…` (relative, as `$batch` takes it).
pub(super) fn user_path(upn: &str) -> String {
    format!(
        "/users/{}?$select={USER_SELECT}",
        super::requests::path_segment(upn)
    )
}

/// Whether a pasted answer is resolve-users' (a `$batch` answer whose bodies are users or
/// user-not-found errors), so that a reader given "any answer" can route it.
pub fn looks_like_users_answer(text: &str) -> bool {
    let un = answer::unwrap(text);
    let Ok(v) = serde_json::from_str::<Value>(&un.body) else {
        return false;
    };
    v.get("responses")
        .and_then(Value::as_array)
        .is_some_and(|r| super::reconcile::is_users_batch(r))
}
