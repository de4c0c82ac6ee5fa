//! What Graph answered, as an admin pastes it: the JSON body alone, a raw HTTP response (status
//! line, headers, blank line, body), or what PowerShell printed when `Invoke-MgGraphRequest`
//! failed. Its error record carries the whole response as text (the SDK's
//! `HttpMessageFormatter`): `Invoke-MgGraphRequest: GET https://…`, then `HTTP/2.0 403
//! Forbidden`, the headers, a blank line and the JSON error; Windows PowerShell 5.1 writes
//! `Invoke-MgGraphRequest : GET …` and ends with `At line:1 char:1` and `+ CategoryInfo …`,
//! PowerShell 7 in a script prefixes the lines with `     | ` (the `Line |` view). A bare
//! exception message, `Response status code does not indicate success: NotFound (Not Found).`,
//! gives the status and no body.
//!
//! [`unwrap`] finds the status and the JSON in all of these; [`scan_fields`] flags the answer's
//! text fields that hold text-direction or other invisible controls (HW510, HW511).

use crate::core::diag::{Diagnostic, Pos};
use crate::core::secret::Severity;
use crate::core::text::{invisible, is_bidi_control, shorten, visible};
use crate::core::tokenfile::json::{self, Kind};

/// HW510: a text-direction control in a field of an answer.
pub const CODE_BIDI: &str = "HW510";
/// HW511: another invisible or control character in a field of an answer.
pub const CODE_INVISIBLE: &str = "HW511";

/// Where the JSON came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrapper {
    /// The text is the JSON body.
    Json,
    /// A raw HTTP response: status line, headers, blank line, body.
    Http,
    /// What PowerShell printed for `Invoke-MgGraphRequest`'s error.
    PowerShell,
}

/// An answer with its wrapping taken off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unwrapped {
    /// The HTTP status, when the text gives one.
    pub status: Option<u16>,
    /// The status line or exception text it came from (escaped), for messages.
    pub status_text: Option<String>,
    /// The JSON body (may be empty: a 204, or an error without body).
    pub body: String,
    /// What was around it.
    pub wrapper: Wrapper,
    /// Lines of the original text before the body (0 when the body is the text or was
    /// reassembled from PowerShell's `|` lines): add it to a position in `body`.
    pub line_offset: u32,
}

impl Unwrapped {
    /// Whether the status says the request failed (not 2xx).
    pub fn failed(&self) -> bool {
        self.status.is_some_and(|s| !(200..300).contains(&s))
    }
}

/// `HTTP/1.1 404 Not Found` → 404.
fn status_line(line: &str) -> Option<u16> {
    let rest = line.trim().strip_prefix("HTTP/")?;
    let mut parts = rest.split_whitespace();
    let version = parts.next()?;
    if !version.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let code = parts.next()?;
    if code.len() != 3 {
        return None;
    }
    code.parse().ok()
}

/// The status of `Response status code does not indicate success: NotFound (Not Found).`
/// (names as .NET's `HttpStatusCode`; some versions print the number).
fn exception_status(text: &str) -> Option<u16> {
    const MARK: &str = "Response status code does not indicate success:";
    let rest = text[text.find(MARK)? + MARK.len()..].trim_start();
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    if let Ok(n) = word.parse::<u16>() {
        return Some(n);
    }
    Some(match word.as_str() {
        "BadRequest" => 400,
        "Unauthorized" => 401,
        "Forbidden" => 403,
        "NotFound" => 404,
        "MethodNotAllowed" => 405,
        "Conflict" => 409,
        "PreconditionFailed" => 412,
        "TooManyRequests" => 429,
        "InternalServerError" => 500,
        "BadGateway" => 502,
        "ServiceUnavailable" => 503,
        "GatewayTimeout" => 504,
        _ => return None,
    })
}

/// A line of PowerShell 7's `Line |` error view (`     | text`), without the prefix.
fn bar_line(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t.strip_prefix('|')?;
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

/// Byte length of the first JSON value at the start of `text` (after whitespace), if `text`
/// starts with one; trailing text (PowerShell's `At line:1 char:1`) is allowed after it.
fn json_prefix_len(text: &str) -> Option<usize> {
    let start = text.len() - text.trim_start().len();
    let t = &text[start..];
    if !(t.starts_with('{') || t.starts_with('[')) {
        return None;
    }
    let mut stream = serde_json::Deserializer::from_str(t).into_iter::<serde::de::IgnoredAny>();
    match stream.next() {
        Some(Ok(_)) => Some(start + stream.byte_offset()),
        _ => None,
    }
}

/// Takes the wrapping off an answer. Never fails: text it cannot place is returned as the body
/// (the caller's JSON reader then says what is wrong with it).
pub fn unwrap(text: &str) -> Unwrapped {
    let t = text.trim_start_matches('\u{feff}');
    let trimmed = t.trim_start();
    let plain = |body: &str| Unwrapped {
        status: None,
        status_text: None,
        body: body.to_string(),
        wrapper: Wrapper::Json,
        line_offset: 0,
    };
    if trimmed.starts_with('{') || trimmed.starts_with('[') || trimmed.is_empty() {
        return plain(t);
    }
    let powershell = t.contains("Invoke-MgGraphRequest")
        || t.contains("InvokeGraphHttpResponseException")
        || t.contains("Response status code does not indicate success");
    // PowerShell 7's `Line |` view: take the text after `|` (lines without it are kept).
    let barred = t
        .lines()
        .any(|l| l.trim() == "Line |" || l.trim_start().starts_with("| "));
    let lines: Vec<&str> = t
        .lines()
        .map(|l| if barred { bar_line(l).unwrap_or(l) } else { l })
        .collect();
    if let Some(at) = lines.iter().position(|l| status_line(l).is_some()) {
        let status = status_line(lines[at]);
        let status_text = Some(visible(lines[at].trim()).into_owned());
        let mut i = at + 1;
        while i < lines.len() && !lines[i].trim().is_empty() {
            i += 1;
        }
        let rest = lines.get(i + 1..).unwrap_or(&[]);
        let joined = rest.join("\n");
        // The first JSON value; PowerShell may wrap long lines, so try them joined too.
        let body = match json_prefix_len(&joined) {
            Some(n) => joined[..n].to_string(),
            None => {
                let glued = rest.iter().map(|l| l.trim_end()).collect::<String>();
                match json_prefix_len(&glued) {
                    Some(n) => glued[..n].to_string(),
                    None => {
                        let b = joined.trim();
                        if b.starts_with('{') || b.starts_with('[') {
                            b.to_string()
                        } else {
                            String::new()
                        }
                    }
                }
            }
        };
        return Unwrapped {
            status,
            status_text,
            body,
            wrapper: if powershell {
                Wrapper::PowerShell
            } else {
                Wrapper::Http
            },
            line_offset: if barred || powershell {
                0
            } else {
                (i + 1) as u32
            },
        };
    }
    if powershell {
        if let Some(status) = exception_status(t) {
            return Unwrapped {
                status: Some(status),
                status_text: Some(visible(t.lines().next().unwrap_or("").trim()).into_owned()),
                body: String::new(),
                wrapper: Wrapper::PowerShell,
                line_offset: 0,
            };
        }
    }
    // Text before the JSON (a welcome line, a prompt): start at the first line that opens it.
    if let Some(at) = lines
        .iter()
        .position(|l| l.trim_start().starts_with('{') || l.trim_start().starts_with('['))
    {
        let joined = lines[at..].join("\n");
        let body = match json_prefix_len(&joined) {
            Some(n) => joined[..n].to_string(),
            None => joined,
        };
        return Unwrapped {
            status: None,
            status_text: None,
            body,
            wrapper: if powershell {
                Wrapper::PowerShell
            } else {
                Wrapper::Json
            },
            line_offset: if barred { 0 } else { at as u32 },
        };
    }
    plain(t)
}

/// A pasted answer read as JSON, for readers that need a success answer (`--users`,
/// `--user-methods`).
pub(super) struct Parsed {
    /// The JSON body.
    pub value: serde_json::Value,
    /// HW510/HW511 findings in its fields.
    pub findings: Vec<Diagnostic>,
}

/// Unwraps `text` (named `what` in messages) and parses its JSON; an empty body, text that is
/// not JSON, Graph's `{"error":…}` or a status that is not 2xx is unusable (nothing can be read
/// from it).
pub(super) fn parse_success(text: &str, what: &str) -> Result<Parsed, super::UnusableResponse> {
    use super::UnusableResponse as U;
    crate::core::limits::check_input_size("the answer", text.len()).map_err(U::new)?;
    let un = unwrap(text);
    let status = un
        .status_text
        .as_deref()
        .map(|s| format!(" ({s})"))
        .unwrap_or_default();
    if un.body.trim().is_empty() {
        return Err(U::new(format!("{what} has no JSON body{status}")));
    }
    let root = json::parse(&un.body).map_err(|e| {
        U::new(format!(
            "{what} is not JSON: {} at line {}, column {}",
            e.message,
            e.pos.line + un.line_offset,
            e.pos.column
        ))
    })?;
    let findings = scan_fields(&un.body, &root, what, un.line_offset);
    let value = root.to_serde();
    if let Some(err) = value.get("error").filter(|e| e.is_object()) {
        return Err(U::new(format!(
            "{what} is Graph's error for the whole request{status}: {}",
            super::reconcile::error_text(err)
        )));
    }
    if un.failed() {
        return Err(U::new(format!("{what} says the request failed{status}")));
    }
    Ok(Parsed { value, findings })
}

/// One finding per answer field (object key or string value) that holds a text-direction
/// control (HW510, warning) or another invisible character (HW511, warning; ordinary spaces,
/// tabs and line breaks are not flagged). `what` names the answer in the message ("the
/// listing", "the answer"); positions are 1-based in `text`, shifted by `line_offset`.
pub fn scan_fields(
    text: &str,
    root: &json::Value,
    what: &str,
    line_offset: u32,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut path = Vec::new();
    walk(text, root, what, line_offset, &mut path, &mut out);
    out
}

fn flag(c: char) -> Option<&'static str> {
    if is_bidi_control(c) {
        return Some(CODE_BIDI);
    }
    match c {
        ' ' | '\t' | '\n' | '\r' => None,
        c if invisible(c).is_some() => Some(CODE_INVISIBLE),
        _ => None,
    }
}

/// The character of `s` to report: the first text-direction control, else the first other
/// invisible one, with its 0-based position.
fn first_flagged(s: &str) -> Option<(usize, char)> {
    s.chars()
        .enumerate()
        .find(|&(_, c)| is_bidi_control(c))
        .or_else(|| s.chars().enumerate().find(|&(_, c)| flag(c).is_some()))
}

fn walk(
    text: &str,
    v: &json::Value,
    what: &str,
    line_offset: u32,
    path: &mut Vec<String>,
    out: &mut Vec<Diagnostic>,
) {
    let shift = |p: Pos| Pos {
        line: p.line + line_offset,
        column: p.column,
    };
    match &v.kind {
        Kind::Object(members) => {
            for m in members {
                if let Some((n, c)) = first_flagged(&m.key) {
                    out.push(finding(
                        c,
                        &path.join("."),
                        &m.key,
                        what,
                        Some(shift(m.key_pos)),
                        n,
                        true,
                    ));
                }
                path.push(m.key.to_string());
                walk(text, &m.value, what, line_offset, path, out);
                path.pop();
            }
        }
        Kind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(i.to_string());
                walk(text, item, what, line_offset, path, out);
                path.pop();
            }
        }
        Kind::String(s) => {
            if let Some((n, c)) = first_flagged(s) {
                let pos = json::string_char_pos(text, v, n).unwrap_or(v.pos);
                out.push(finding(
                    c,
                    &path.join("."),
                    s,
                    what,
                    Some(shift(pos)),
                    n,
                    false,
                ));
            }
        }
        _ => {}
    }
}

fn finding(
    c: char,
    path: &str,
    value: &str,
    what: &str,
    pos: Option<Pos>,
    n: usize,
    key: bool,
) -> Diagnostic {
    let code = flag(c).unwrap_or(CODE_INVISIBLE);
    let name = invisible(c).unwrap_or("invisible character");
    let place = if path.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in {}", shorten(path))
    };
    let thing = if key { "a key" } else { "the value" };
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    Diagnostic::new(
        Severity::Warning,
        code,
        None,
        None,
        pos,
        format!(
            "{thing} {place} of {what} holds {article} {name} (U+{:04X}, character {} of {}): it may not read as it is shown; check it before acting on it",
            c as u32,
            n + 1,
            value.chars().count()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_json_and_raw_http() {
        let u = unwrap("\u{feff}{\"a\":1}");
        assert_eq!(
            (u.status, u.wrapper, u.body.as_str()),
            (None, Wrapper::Json, "{\"a\":1}")
        );
        let u =
            unwrap("HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n{\"value\":[]}");
        assert_eq!(u.status, Some(201));
        assert_eq!(u.wrapper, Wrapper::Http);
        assert_eq!(u.body, "{\"value\":[]}");
        assert_eq!(u.line_offset, 3);
        let u = unwrap("HTTP/2 204\n\n");
        assert_eq!((u.status, u.body.as_str()), (Some(204), ""));
    }

    #[test]
    fn powershell_error_views() {
        // PowerShell 7, interactive (the shape of msgraph-sdk-powershell issue 2826).
        let ps7 = "Invoke-MgGraphRequest: GET https://graph.microsoft.com/beta/x\nHTTP/2.0 403 Forbidden\nCache-Control: no-store\nrequest-id: r\n\n{\"error\":{\"code\":\"accessDenied\",\"message\":\"Access denied\"}}   \n";
        let u = unwrap(ps7);
        assert_eq!(u.status, Some(403));
        assert_eq!(u.wrapper, Wrapper::PowerShell);
        assert!(
            u.body.starts_with("{\"error\"") && u.body.ends_with("}}"),
            "{}",
            u.body
        );
        // Windows PowerShell 5.1: a trailer after the JSON.
        let ps5 = "Invoke-MgGraphRequest : PATCH https://graph.microsoft.com/beta/x\r\nHTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{\"error\":{\"code\":\"BadRequest\",\"message\":\"m\"}}\r\nAt line:1 char:1\r\n+ Invoke-MgGraphRequest -Method PATCH\r\n    + CategoryInfo          : InvalidOperation: (Method: PATCH, Reque...:HttpRequestMessage) [Invoke-MgGraphRequest], HttpResponseException\r\n    + FullyQualifiedErrorId : InvokeGraphHttpResponseException,Microsoft.Graph.PowerShell.Authentication.Cmdlets.InvokeMgGraphRequest\r\n";
        let u = unwrap(ps5);
        assert_eq!(u.status, Some(400));
        assert_eq!(
            u.body,
            "{\"error\":{\"code\":\"BadRequest\",\"message\":\"m\"}}"
        );
        // PowerShell 7 in a script: `Line |` view, a long JSON line wrapped by the console.
        let barred = "Invoke-MgGraphRequest: \nLine |\n  12 |  Invoke-MgGraphRequest -Method PATCH -Uri $u\n     |  ~~~~~~~~~~~~~~~~~~~~~\n     | PATCH https://graph.microsoft.com/beta/x HTTP/2.0 400 Bad Request\n     | HTTP/2.0 400 Bad Request\n     | Content-Type: application/json\n     | \n     | {\"error\":{\"code\":\"BadRequest\",\"message\":\"Invalid\n     | secretKey\"}}\n";
        let u = unwrap(barred);
        assert_eq!(u.status, Some(400));
        let v: serde_json::Value = serde_json::from_str(&u.body).unwrap();
        assert_eq!(v["error"]["code"], "BadRequest");
        // Only the exception message.
        let u = unwrap("Invoke-MgGraphRequest: Response status code does not indicate success: NotFound (Not Found).");
        assert_eq!((u.status, u.body.as_str()), (Some(404), ""));
        assert!(u.failed());
    }

    #[test]
    fn text_before_json() {
        let u = unwrap("Welcome to Microsoft Graph!\n{\"value\":[]}\nPS C:\\> ");
        assert_eq!(u.body, "{\"value\":[]}");
        assert_eq!(u.line_offset, 1);
    }

    #[test]
    fn flags_bidi_and_invisible_fields() {
        let text = "{\"value\":[{\"id\":\"a\u{202e}b\",\"ok\":\"x y\",\"n\u{200b}\":1}]}";
        let root = json::parse(text).unwrap();
        let f = scan_fields(text, &root, "the answer", 0);
        assert_eq!(f.len(), 2, "{f:?}");
        assert_eq!(f[0].code, CODE_BIDI);
        assert!(
            f[0].message.contains("value.0.id") && f[0].message.contains("U+202E"),
            "{}",
            f[0].message
        );
        assert!(!f[0].message.contains('\u{202e}'));
        assert_eq!(f[1].code, CODE_INVISIBLE);
        assert_eq!(f[0].line, Some(1));
    }
}
