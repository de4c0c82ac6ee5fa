//! Mapping a pasted Graph response back to the file's tokens.
//!
//! Shapes understood (shared docs §2.2, §2.14):
//! - the bulk-create answer `{"value":[{"id", "device":{"id","serialNumber","status",…}}, …]}`
//!   (documented); items may carry `@contentId`; flat device objects (a listing) are read too;
//! - an OData error `{"error":{"code","message","innerError":{…}}}`: Graph refused the whole
//!   request, so every token of it failed;
//! - a JSON-batch answer `{"responses":[{"id","status","body"}]}`: each `id` is read as a
//!   `@contentId`; a body that is itself a bulk answer is read item by item;
//! - a single created device (`POST` answer) `{"id","serialNumber",…}`;
//! - any of these as a raw HTTP response or as what PowerShell printed for
//!   `Invoke-MgGraphRequest`'s error ([`super::answer`]): a status that is not 2xx marks every
//!   token of the request failed, whatever the body says. An error answer is never read as
//!   "created".
//!
//! Every value echoed from the answer is escaped (`text::visible`, `text::shorten`); answer
//! fields with text-direction or other invisible controls are flagged (HW510, HW511).
//!
//! Per-item errors inside a bulk answer are **not documented**; an item with an `error` or an
//! OData `@Core.DataModificationException` member is read as that token's failure. A token the
//! answer does not mention is `unknown`: check it with a `list` request.
//!
//! Items are matched by `@contentId` (the token's 1-based position in the file, as
//! [`super::build_requests`] numbers them), else by `serialNumber`.

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use super::answer;
use super::requests::chunk_ranges;
use super::DEFAULT_CHUNK;
use crate::core::diag::Diagnostic;
use crate::core::text::visible;
use crate::core::token::Token;
use crate::core::tokenfile::json;

/// Which tokens the response is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReconcileOptions {
    /// Tokens per bulk request when the file was sent in chunks.
    pub chunk: usize,
    /// 1-based part (chunk) the response answers; `None`: the whole file was one request.
    pub part: Option<usize>,
}

impl Default for ReconcileOptions {
    fn default() -> Self {
        ReconcileOptions {
            chunk: DEFAULT_CHUNK,
            part: None,
        }
    }
}

/// What happened to one token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The response lists it as created.
    Created,
    /// The response says it failed.
    Failed,
    /// The response does not say.
    Unknown,
}

impl Outcome {
    /// `created`, `failed`, `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Created => "created",
            Outcome::Failed => "failed",
            Outcome::Unknown => "unknown",
        }
    }
}

/// The recognised shape of the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseShape {
    /// `{"value":[…]}` or a bare array.
    Bulk,
    /// `{"error":{…}}`.
    Error,
    /// `{"responses":[…]}`.
    Batch,
    /// One device object.
    Device,
}

/// One token's result.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResult {
    /// 0-based record index in the file.
    pub record: usize,
    /// The `@contentId` the token had in the bulk request.
    pub content_id: String,
    /// Serial number.
    pub serial_number: String,
    /// `created`, `failed` or `unknown`.
    pub result: Outcome,
    /// Graph id of the created device, when given.
    pub device_id: Option<String>,
    /// Device status Graph reported (`available`, `assigned`…), when given.
    pub device_status: Option<String>,
    /// Why it failed or is unknown; `None` when created.
    pub reason: Option<String>,
}

/// A response item that matched no token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UnmatchedItem {
    /// 0-based position in the response's list.
    pub index: usize,
    /// Its `@contentId` (or batch `id`), if any.
    pub content_id: Option<String>,
    /// Its serial number, if any.
    pub serial_number: Option<String>,
    /// Why it matched nothing.
    pub message: String,
}

/// The whole mapping.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reconciliation {
    /// The shape recognised.
    pub shape: ResponseShape,
    /// Tokens created.
    pub created: usize,
    /// Tokens failed.
    pub failed: usize,
    /// Tokens the response does not mention.
    pub unknown: usize,
    /// One entry per token in scope, in file order.
    pub tokens: Vec<TokenResult>,
    /// Response items that matched no token.
    pub unmatched: Vec<UnmatchedItem>,
    /// Caveats for the reader.
    pub notes: Vec<String>,
    /// The HTTP status the pasted text gives (raw HTTP, PowerShell's error), if any.
    pub status: Option<u16>,
    /// HW510/HW511: answer fields that hold text-direction or other invisible controls.
    pub diagnostics: Vec<Diagnostic>,
}

impl Reconciliation {
    /// True when every token in scope was created and nothing was left over.
    pub fn all_created(&self) -> bool {
        self.failed == 0 && self.unknown == 0
    }
}

/// A response that is not one of the known shapes (or not JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnusableResponse {
    /// Plain-language reason.
    pub message: String,
}

impl fmt::Display for UnusableResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UnusableResponse {}

impl UnusableResponse {
    /// An unusable answer with this reason.
    pub fn new(message: impl Into<String>) -> UnusableResponse {
        UnusableResponse {
            message: message.into(),
        }
    }
}

fn unusable(message: impl Into<String>) -> UnusableResponse {
    UnusableResponse::new(message)
}

const UNDOCUMENTED: &str = "Graph documents no per-item error format for the bulk create; a token the response does not list may or may not exist: check it with a list request (GET …/hardwareOathDevices?$filter=serialNumber eq '…').";

fn str_at(v: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))?
        .as_str()
        .map(|s| visible(s).into_owned())
}

fn content_id(v: &Value) -> Option<String> {
    match v.get("@contentId")? {
        Value::String(s) => Some(visible(s).into_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `code: message` of an OData error object (or of `@Core.DataModificationException.info`),
/// escaped (`text::visible`). Not shortened: a cut could split a secret the caller scrubs.
pub(super) fn error_text(err: &Value) -> String {
    let code = visible(err.get("code").and_then(Value::as_str).unwrap_or("")).into_owned();
    let raw = err.get("message").and_then(Value::as_str).unwrap_or("");
    let message = visible(raw).into_owned();
    let mut s = match (code.is_empty(), message.is_empty()) {
        (false, false) => format!("{code}: {message}"),
        (false, true) => code.to_string(),
        (true, false) => message.to_string(),
        (true, true) => "an error without code or message".to_string(),
    };
    let inner = err.get("innerError").or_else(|| err.get("innererror"));
    if let Some(rid) = inner
        .and_then(|i| i.get("request-id"))
        .and_then(Value::as_str)
    {
        s.push_str(&format!(" (request-id {})", visible(rid)));
    }
    s
}

/// The per-item error of a bulk item, if it has one (undocumented shapes).
fn item_error(item: &Value) -> Option<String> {
    if let Some(e) = item.get("error").filter(|e| e.is_object()) {
        return Some(error_text(e));
    }
    let dme = item.get("@Core.DataModificationException")?;
    let info = dme.get("info").unwrap_or(dme);
    let mut s = error_text(info);
    if let Some(code) = dme.get("responseCode").and_then(Value::as_u64) {
        s = format!("HTTP {code} {s}");
    }
    Some(s)
}

/// What one response item says about one token.
struct Found {
    cid: Option<String>,
    serial: Option<String>,
    outcome: Outcome,
    device_id: Option<String>,
    device_status: Option<String>,
    reason: Option<String>,
}

impl Found {
    fn failed(cid: Option<String>, serial: Option<String>, reason: String) -> Found {
        Found {
            cid,
            serial,
            outcome: Outcome::Failed,
            device_id: None,
            device_status: None,
            reason: Some(reason),
        }
    }
}

struct Matcher<'a> {
    tokens: &'a [&'a Token],
    scope: std::ops::Range<usize>,
    by_serial: HashMap<&'a str, usize>,
    results: Vec<Option<TokenResult>>,
    unmatched: Vec<UnmatchedItem>,
}

impl<'a> Matcher<'a> {
    fn new(tokens: &'a [&'a Token], scope: std::ops::Range<usize>) -> Matcher<'a> {
        let by_serial = tokens
            .iter()
            .enumerate()
            .map(|(i, t)| (t.serial_number.as_str(), i))
            .collect();
        Matcher {
            tokens,
            scope,
            by_serial,
            results: vec![None; tokens.len()],
            unmatched: Vec::new(),
        }
    }

    fn find_serial(&self, serial: &str) -> Option<usize> {
        self.by_serial.get(serial).copied().or_else(|| {
            let mut hits = self
                .tokens
                .iter()
                .enumerate()
                .filter(|(_, t)| t.serial_number.eq_ignore_ascii_case(serial));
            match (hits.next(), hits.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        })
    }

    /// Matches one item and records what it says.
    fn record(&mut self, index: usize, found: Found) {
        let Found {
            cid,
            serial,
            outcome,
            device_id,
            device_status,
            reason,
        } = found;
        let miss = |me: &mut Self, message: String| {
            me.unmatched.push(UnmatchedItem {
                index,
                content_id: cid.clone(),
                serial_number: serial.clone(),
                message,
            })
        };
        let by_cid = match &cid {
            Some(c) => match c.trim().parse::<usize>() {
                Ok(n) if n >= 1 && n <= self.tokens.len() => Some(n - 1),
                _ => {
                    if serial.is_none() {
                        return miss(
                            self,
                            format!(
                                "@contentId {c} is not a token of this file (they run from 1 to {})",
                                self.tokens.len()
                            ),
                        );
                    }
                    None
                }
            },
            None => None,
        };
        let by_serial = serial.as_deref().and_then(|s| self.find_serial(s));
        let target = match (by_cid, by_serial, &serial) {
            (Some(a), Some(b), _) if a != b => {
                return miss(
                    self,
                    format!(
                        "@contentId {} is serial {} in this file, but the item says serial {}",
                        cid.as_deref().unwrap_or(""),
                        self.tokens[a].serial_number,
                        serial.as_deref().unwrap_or("")
                    ),
                )
            }
            (Some(a), _, _) => a,
            (None, Some(b), _) => b,
            (None, None, Some(s)) => {
                return miss(self, format!("no token of this file has serial number {s}"))
            }
            (None, None, None) => {
                return miss(
                    self,
                    "the item has neither @contentId nor a serial number".into(),
                )
            }
        };
        if !self.scope.contains(&target) {
            return miss(
                self,
                format!(
                    "token {} (serial {}) is not in the part being reconciled",
                    target + 1,
                    self.tokens[target].serial_number
                ),
            );
        }
        if self.results[target].is_some() {
            return miss(
                self,
                format!(
                    "token {} (serial {}) was already matched by an earlier item",
                    target + 1,
                    self.tokens[target].serial_number
                ),
            );
        }
        let t = self.tokens[target];
        self.results[target] = Some(TokenResult {
            record: target,
            content_id: (target + 1).to_string(),
            serial_number: t.serial_number.clone(),
            result: outcome,
            device_id,
            device_status,
            reason,
        });
    }

    /// One bulk item (or device object). `fallback_cid` is a batch response id.
    fn item(&mut self, index: usize, item: &Value, fallback_cid: Option<String>) {
        let cid = content_id(item).or(fallback_cid);
        let serial =
            str_at(item, &["device", "serialNumber"]).or_else(|| str_at(item, &["serialNumber"]));
        let id = str_at(item, &["device", "id"]).or_else(|| str_at(item, &["id"]));
        let status = str_at(item, &["device", "status"]).or_else(|| str_at(item, &["status"]));
        let found = match item_error(item) {
            Some(reason) => Found::failed(cid, serial, reason),
            None => Found {
                cid,
                serial,
                outcome: Outcome::Created,
                device_id: id,
                device_status: status,
                reason: None,
            },
        };
        self.record(index, found);
    }

    fn finish(
        self,
        shape: ResponseShape,
        mut notes: Vec<String>,
        default_reason: &str,
    ) -> Reconciliation {
        let mut tokens = Vec::with_capacity(self.scope.len());
        for i in self.scope.clone() {
            let r = self.results[i].clone().unwrap_or_else(|| TokenResult {
                record: i,
                content_id: (i + 1).to_string(),
                serial_number: self.tokens[i].serial_number.clone(),
                result: Outcome::Unknown,
                device_id: None,
                device_status: None,
                reason: Some(default_reason.to_string()),
            });
            tokens.push(r);
        }
        let count = |o: Outcome| tokens.iter().filter(|t| t.result == o).count();
        let (created, failed, unknown) = (
            count(Outcome::Created),
            count(Outcome::Failed),
            count(Outcome::Unknown),
        );
        if unknown > 0 && shape != ResponseShape::Error {
            notes.push(UNDOCUMENTED.to_string());
        }
        Reconciliation {
            shape,
            created,
            failed,
            unknown,
            tokens,
            unmatched: self.unmatched,
            notes,
            status: None,
            diagnostics: Vec::new(),
        }
    }
}

/// Replaces any token's secret (canonical base32, any case) in text taken from the response.
fn scrub(text: &str, tokens: &[&Token]) -> String {
    let mut out = text.to_string();
    let upper = text.to_ascii_uppercase();
    for t in tokens {
        let secret = t.secret.to_base32();
        if secret.len() >= 8 && upper.contains(secret.as_str()) {
            let mut s = String::with_capacity(out.len());
            let up = out.to_ascii_uppercase();
            let mut last = 0;
            for (i, _) in up.match_indices(secret.as_str()) {
                s.push_str(&out[last..i]);
                s.push_str("[secret]");
                last = i + secret.len();
            }
            s.push_str(&out[last..]);
            out = s;
        }
    }
    out
}

/// Whether a `$batch` answer is resolve-users' (its bodies are users or 404s), not a create's.
pub(super) fn is_users_batch(responses: &[Value]) -> bool {
    let user = |b: &Value| {
        b.get("userPrincipalName").is_some()
            || b.get("@odata.context")
                .and_then(Value::as_str)
                .is_some_and(|c| c.contains("$metadata#users"))
    };
    responses.iter().any(|r| r.get("body").is_some_and(user))
        || (!responses.is_empty()
            && responses.iter().all(|r| {
                r.get("status").and_then(Value::as_u64) == Some(404)
                    && r.get("body")
                        .and_then(|b| b.get("error"))
                        .and_then(|e| e.get("code"))
                        .and_then(Value::as_str)
                        == Some("Request_ResourceNotFound")
            }))
}

/// Maps `response` (the text Graph answered) to `tokens` (the file's valid tokens in input order).
/// Only tokens of `options.part` are reported when it is given. Fails only when the response is
/// not JSON or not a known shape.
pub fn reconcile(
    tokens: &[&Token],
    response: &str,
    options: &ReconcileOptions,
) -> Result<Reconciliation, UnusableResponse> {
    crate::core::limits::check_input_size("the response", response.len()).map_err(unusable)?;
    let un = answer::unwrap(response);
    let body = un.body.as_str();
    if body.trim().is_empty() && !un.failed() {
        return Err(unusable(
            "the response is empty (a 204 No Content answer has nothing to map)",
        ));
    }
    let (value, diagnostics) = if body.trim().is_empty() {
        (Value::Null, Vec::new())
    } else {
        let root = json::parse(body).map_err(|e| {
            unusable(format!(
                "the response is not JSON ({} at line {}, column {})",
                e.message,
                e.pos.line + un.line_offset,
                e.pos.column
            ))
        })?;
        let d = answer::scan_fields(body, &root, "the response", un.line_offset);
        (root.to_serde(), d)
    };
    let scope = match options.part {
        None => 0..tokens.len(),
        Some(part) => {
            let ranges = chunk_ranges(tokens.len(), options.chunk);
            if part == 0 || part > ranges.len() {
                return Err(unusable(format!(
                    "part {part} does not exist: {} tokens in chunks of {} make {} part(s)",
                    tokens.len(),
                    options.chunk.max(1),
                    ranges.len()
                )));
            }
            ranges[part - 1].clone()
        }
    };
    let mut m = Matcher::new(tokens, scope);
    let mut notes = Vec::new();

    let refused = value.get("error").filter(|e| e.is_object());
    if refused.is_none()
        && value
            .get("responses")
            .and_then(Value::as_array)
            .is_some_and(|r| is_users_batch(r))
    {
        return Err(unusable("this is the answer of resolve-users (users, not devices): give it to hwoath graph with --users (JS: users), not to reconcile"));
    }
    let result = if refused.is_some() || un.failed() {
        let status = un
            .status_text
            .as_deref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        let why = match refused {
            Some(err) => error_text(err),
            None => "no error body".to_string(),
        };
        let reason = scrub(
            &format!("Graph refused the whole request{status}: {why}"),
            tokens,
        );
        notes.push("An error body means the whole request was refused, so no token of it was created; fix the cause and send the request again.".into());
        if options.part.is_none() && tokens.len() > options.chunk.max(1) {
            notes.push("If the file was sent in several parts, say which part this answer belongs to so the other parts are not marked failed.".into());
        }
        let scope = m.scope.clone();
        for i in scope {
            m.results[i] = Some(TokenResult {
                record: i,
                content_id: (i + 1).to_string(),
                serial_number: tokens[i].serial_number.clone(),
                result: Outcome::Failed,
                device_id: None,
                device_status: None,
                reason: Some(reason.clone()),
            });
        }
        m.finish(ResponseShape::Error, notes, "")
    } else if let Some(responses) = value.get("responses").and_then(Value::as_array) {
        notes.push(
            "Batch response: each response id is read as the @contentId of the token it created."
                .into(),
        );
        for (index, r) in responses.iter().enumerate() {
            let id = match r.get("id") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            let status = r.get("status").and_then(Value::as_u64).unwrap_or(0);
            let body = r.get("body").unwrap_or(&Value::Null);
            if let Some(items) = body.get("value").and_then(Value::as_array) {
                for item in items {
                    m.item(index, item, None);
                }
            } else if let Some(err) = body.get("error").filter(|e| e.is_object()) {
                let reason = scrub(&format!("HTTP {status} {}", error_text(err)), tokens);
                m.record(index, Found::failed(id, None, reason));
            } else if (200..300).contains(&status) {
                m.item(index, body, id);
            } else {
                let reason = format!("HTTP {status} without an error body");
                m.record(index, Found::failed(id, None, reason));
            }
        }
        m.finish(ResponseShape::Batch, notes, "not in the response")
    } else if let Some(items) = value
        .get("value")
        .and_then(Value::as_array)
        .or_else(|| value.as_array())
    {
        for (index, item) in items.iter().enumerate() {
            m.item(index, item, None);
        }
        m.finish(ResponseShape::Bulk, notes, "not in the response")
    } else if value.get("serialNumber").is_some() || value.get("device").is_some() {
        m.item(0, &value, None);
        m.finish(ResponseShape::Device, notes, "not in the response")
    } else {
        return Err(unusable(
            "not a Graph response this tool knows: expected {\"value\":[…]}, {\"error\":{…}}, {\"responses\":[…]} or one device object",
        ));
    };
    let mut result = result;
    result.status = un.status;
    result.diagnostics = diagnostics;
    for d in &mut result.diagnostics {
        d.message = scrub(&d.message, tokens);
    }
    for u in &mut result.unmatched {
        u.message = scrub(&u.message, tokens);
    }
    for t in &mut result.tokens {
        if let Some(r) = &t.reason {
            t.reason = Some(scrub(r, tokens));
        }
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::otp::HashAlg;
    use crate::core::secret::Secret;

    fn tok(serial: &str) -> Token {
        Token {
            serial_number: serial.into(),
            manufacturer: "M".into(),
            model: "X".into(),
            secret: Secret::from_bytes(serial.as_bytes().repeat(4)),
            time_interval: 30,
            hash_function: HashAlg::Sha1,
            display_name: None,
            assign_to: None,
        }
    }

    #[test]
    fn scrub_hides_any_case() {
        let t = tok("12345");
        let s = t.secret.to_base32().to_ascii_lowercase();
        let out = scrub(&format!("bad key {s}!"), &[&t]);
        assert_eq!(out, "bad key [secret]!");
    }

    #[test]
    fn error_answers_never_map_to_created() {
        let tokens = [tok("111"), tok("222"), tok("333")];
        let refs: Vec<&Token> = tokens.iter().collect();
        let o = ReconcileOptions {
            chunk: 2,
            part: Some(2),
        };
        // Graph's error body, a raw 400 whose body lists a device, PowerShell's error text:
        // every token of the part fails.
        for text in [
            r#"{"error":{"code":"BadRequest","message":"Invalid request"}}"#.to_string(),
            "HTTP/1.1 400 Bad Request\r\n\r\n{\"value\":[{\"id\":\"x\",\"serialNumber\":\"333\"}]}".to_string(),
            "Invoke-MgGraphRequest: PATCH https://graph.microsoft.com/beta/x\nHTTP/2.0 429 Too Many Requests\nRetry-After: 3\n\n{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"slow down\"}}\n".to_string(),
            "Invoke-MgGraphRequest: Response status code does not indicate success: ServiceUnavailable (Service Unavailable).".to_string(),
        ] {
            let r = reconcile(&refs, &text, &o).unwrap();
            assert_eq!(r.shape, ResponseShape::Error, "{text}");
            assert_eq!((r.created, r.failed, r.unknown), (0, 1, 0), "{text}");
            assert_eq!(r.tokens[0].serial_number, "333");
            assert!(!r.all_created());
        }
    }

    #[test]
    fn echoed_fields_are_escaped_and_flagged() {
        let tokens = [tok("111")];
        let refs: Vec<&Token> = tokens.iter().collect();
        let text = "{\"value\":[{\"id\":\"d\\u001b[2K\u{202e}1\",\"serialNumber\":\"111\",\"status\":\"ok\"}]}";
        let r = reconcile(&refs, text, &ReconcileOptions::default()).unwrap();
        let id = r.tokens[0].device_id.as_deref().unwrap();
        assert!(
            !id.chars()
                .any(|c| c.is_control() || crate::core::text::is_bidi_control(c)),
            "{id:?}"
        );
        assert!(id.contains("\\u{1b}"), "{id}");
        let codes: Vec<&str> = r.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["HW510"], "{:?}", r.diagnostics);
    }
}
