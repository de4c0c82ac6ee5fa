//! A [`GraphRequest`] as text to paste: Graph Explorer (method + URL, blank line, body),
//! PowerShell (`Invoke-MgGraphRequest` with a literal here-string body) and curl (a quoted
//! here-document body), plus JSON with Graph's field order.

use std::fmt;

use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::Value;

use super::GraphRequest;

/// Output formats of the `graph` command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    /// A JSON array of request objects.
    Json,
    /// Method + URL, blank line, body: what Graph Explorer takes.
    Http,
    /// `Invoke-MgGraphRequest` commands.
    Powershell,
    /// curl commands for a POSIX shell, token in `$TOKEN`.
    Curl,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 4] = [Format::Json, Format::Http, Format::Powershell, Format::Curl];

    /// The command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Http => "http",
            Format::Powershell => "powershell",
            Format::Curl => "curl",
        }
    }

    /// Parses a command-line name.
    pub fn parse(name: &str) -> Option<Format> {
        Format::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rank of a key in Graph's documented field order; unknown keys sort after, alphabetically.
fn rank(key: &str) -> usize {
    const ORDER: [&str; 16] = [
        "@context",
        "value",
        "@contentId",
        "device",
        "verificationCode",
        "id",
        "serialNumber",
        "manufacturer",
        "model",
        "secretKey",
        "timeIntervalInSeconds",
        "hashFunction",
        "displayName",
        "assignTo",
        "state",
        "note",
    ];
    ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len())
}

/// Serialises a JSON value with object keys in Graph's documented order (`@context`, `value`,
/// `@contentId`, `serialNumber`, `manufacturer`, `model`, `secretKey`, `timeIntervalInSeconds`,
/// `hashFunction`, `displayName`, `assignTo`…) whatever map type holds them.
pub struct Ordered<'a>(pub &'a Value);

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            Value::Object(map) => {
                let mut keys: Vec<&String> = map.keys().collect();
                keys.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
                let mut m = s.serialize_map(Some(keys.len()))?;
                for k in keys {
                    m.serialize_entry(k, &Ordered(&map[k]))?;
                }
                m.end()
            }
            Value::Array(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for v in items {
                    seq.serialize_element(&Ordered(v))?;
                }
                seq.end()
            }
            other => other.serialize(s),
        }
    }
}

/// Serde helper for `Option<Value>` fields written in Graph's order.
pub(crate) fn ordered_option<S: Serializer>(v: &Option<Value>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => Ordered(v).serialize(s),
        None => s.serialize_none(),
    }
}

/// Pretty JSON (two-space indent) in Graph's field order, no trailing newline; invisible and
/// control characters are written as `\uXXXX` escapes (`text::json_pretty`).
pub fn pretty(v: &Value) -> String {
    crate::core::text::json_pretty(&Ordered(v))
}

/// Graph Explorer text: `METHOD URL`, and for requests with a body a blank line and the
/// pretty body. Ends with a newline.
pub fn http(r: &GraphRequest) -> String {
    let mut s = format!("{} {}\n", r.method, r.url);
    if let Some(b) = &r.body {
        s.push('\n');
        s.push_str(&pretty(b));
        s.push('\n');
    }
    s
}

/// Single-quoted PowerShell string: `'` doubled.
fn ps_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Single-quoted POSIX shell word: `'` written as `'\''`.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// `Invoke-MgGraphRequest` (Microsoft.Graph.Authentication; run `Connect-MgGraph` first). The body
/// is a literal here-string (`@'…'@`): no escaping, and pretty JSON never has a line starting
/// with `'@`. Ends with a newline.
pub fn powershell(r: &GraphRequest) -> String {
    let mut s = format!(
        "Invoke-MgGraphRequest -Method {} -Uri {}",
        r.method,
        ps_quote(&r.url)
    );
    if let Some(b) = &r.body {
        s.push_str(" -Body @'\n");
        s.push_str(&pretty(b));
        s.push_str("\n'@ -ContentType 'application/json'");
    }
    s.push('\n');
    s
}

/// curl for a POSIX shell with the access token in `$TOKEN`. The body goes through a quoted
/// here-document (`<<'EOF'`: no expansion; pretty JSON never has a line `EOF`). A POST without
/// body sends `Content-Length: 0`. Ends with a newline.
pub fn curl(r: &GraphRequest) -> String {
    let mut s = format!(
        "curl -X {} {} \\\n  -H \"Authorization: Bearer $TOKEN\"",
        r.method,
        sh_quote(&r.url)
    );
    match &r.body {
        Some(b) => {
            s.push_str(
                " \\\n  -H 'Content-Type: application/json' \\\n  --data-binary @- <<'EOF'\n",
            );
            s.push_str(&pretty(b));
            s.push_str("\nEOF\n");
        }
        None => {
            if r.method == "POST" {
                s.push_str(" \\\n  -H 'Content-Length: 0'");
            }
            s.push('\n');
        }
    }
    s
}

/// Every request in one format, as a document: a JSON array, or for the text formats each
/// request under a comment line (`### [i/n] note` for http, `# [i/n] note` otherwise) with the
/// permission and role. Empty input gives `[]` (JSON) or a comment saying there is nothing.
pub fn document(requests: &[GraphRequest], format: Format) -> String {
    if format == Format::Json {
        let mut s = crate::core::text::json_pretty(requests);
        s.push('\n');
        return s;
    }
    let lead = if format == Format::Http { "###" } else { "#" };
    if requests.is_empty() {
        return format!("{lead} no requests: the selection holds no token\n");
    }
    let n = requests.len();
    let mut out = String::new();
    for (i, r) in requests.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("{lead} [{}/{n}] {}\n", i + 1, r.note));
        out.push_str(&format!(
            "# Permission: {}. Role: {}.\n",
            r.permission, r.role
        ));
        out.push_str(&match format {
            Format::Http => http(r),
            Format::Powershell => powershell(r),
            Format::Curl => curl(r),
            Format::Json => unreachable!(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ordered_keys() {
        let v =
            json!({"hashFunction": "hmacsha1", "zz": 1, "serialNumber": "1", "@contentId": "1"});
        assert_eq!(
            serde_json::to_string(&Ordered(&v)).unwrap(),
            r#"{"@contentId":"1","serialNumber":"1","hashFunction":"hmacsha1","zz":1}"#
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(ps_quote("a'b"), "'a''b'");
        assert_eq!(sh_quote("a'b"), r"'a'\''b'");
    }
}
