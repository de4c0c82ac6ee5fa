//! A [`GraphRequest`] as text to paste: Graph Explorer (method + URL, blank line, body),
//! PowerShell (`Connect-MgGraph -Scopes …`, then `Invoke-MgGraphRequest … -OutputType Json` with
//! a literal here-string body, so what it prints is the JSON the response box and `hwoath
//! reconcile` read) and curl (a POSIX shell function that retries on 429/503 as `Retry-After`
//! says, bounded, with a quoted here-document body), plus JSON with Graph's field order.
//! `list-all` renderings follow `@odata.nextLink` and save every page; the PowerShell rendering
//! of `resolve-users` is a loop that prints a `$batch`-shaped answer.

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
    /// One PowerShell script that sends every request ([`super::script`]).
    PowershellScript,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 5] = [
        Format::Json,
        Format::Http,
        Format::Powershell,
        Format::Curl,
        Format::PowershellScript,
    ];

    /// The command-line name.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Http => "http",
            Format::Powershell => "powershell",
            Format::Curl => "curl",
            Format::PowershellScript => "powershell-script",
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
/// (A `match` on the key: compared by length first, no scan of the list.)
fn rank(key: &str) -> usize {
    match key {
        "@odata.type" => 0,
        "@odata.id" => 1,
        "requests" => 2,
        "id" => 3,
        "method" => 4,
        "url" => 5,
        "@context" => 6,
        "value" => 7,
        "@contentId" => 8,
        "device" => 9,
        "verificationCode" => 10,
        "serialNumber" => 11,
        "manufacturer" => 12,
        "model" => 13,
        "secretKey" => 14,
        "timeIntervalInSeconds" => 15,
        "hashFunction" => 16,
        "displayName" => 17,
        "assignTo" => 18,
        "state" => 19,
        "note" => 20,
        _ => 21,
    }
}

/// Serialises a JSON value with object keys in Graph's documented order (`@context`, `value`,
/// `@contentId`, `serialNumber`, `manufacturer`, `model`, `secretKey`, `timeIntervalInSeconds`,
/// `hashFunction`, `displayName`, `assignTo`…) whatever map type holds them.
pub struct Ordered<'a>(pub &'a Value);

/// [`Ordered`] with every `secretKey` string written masked (all but the last four characters
/// hidden, as [`super::display::mask_secret_keys`] does): the display form of a body, written
/// straight from the request without a masked copy of the tree.
pub struct OrderedMasked<'a>(pub &'a Value);

/// The value of `v` in Graph's order; with `mask`, every `secretKey` string masked.
fn serialize_ordered<S: Serializer>(v: &Value, mask: bool, s: S) -> Result<S::Ok, S::Error> {
    struct Node<'a>(&'a Value, bool);
    impl Serialize for Node<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            serialize_ordered(self.0, self.1, s)
        }
    }
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(usize, &String, &Value)> =
                map.iter().map(|(k, v)| (rank(k), k, v)).collect();
            // By rank, then by name (the unknown keys share the last rank). The engine builds
            // its bodies in this order already: then there is nothing to sort.
            if !entries.is_sorted_by(|a, b| (a.0, a.1) <= (b.0, b.1)) {
                entries.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
            }
            let mut m = s.serialize_map(Some(entries.len()))?;
            for (_, k, value) in entries {
                match (value, mask && k == "secretKey") {
                    (Value::String(secret), true) => {
                        m.serialize_entry(k, &crate::core::secret::mask(secret))?
                    }
                    (value, _) => m.serialize_entry(k, &Node(value, mask))?,
                }
            }
            m.end()
        }
        Value::Array(items) => {
            let mut seq = s.serialize_seq(Some(items.len()))?;
            for item in items {
                seq.serialize_element(&Node(item, mask))?;
            }
            seq.end()
        }
        other => other.serialize(s),
    }
}

impl Serialize for Ordered<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_ordered(self.0, false, s)
    }
}

impl Serialize for OrderedMasked<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        serialize_ordered(self.0, true, s)
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

/// [`pretty`] with every `secretKey` masked: the same text as `pretty(&mask_secret_keys(v))`,
/// made without copying the tree (the display body of a request).
pub fn pretty_masked(v: &Value) -> String {
    crate::core::text::json_pretty(&OrderedMasked(v))
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
pub(crate) fn ps_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// Single-quoted POSIX shell word: `'` written as `'\''`.
pub(crate) fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The distinct scopes of `requests`, in order of first appearance.
pub fn scopes(requests: &[GraphRequest]) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for r in requests {
        for s in r.scopes() {
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

/// `Connect-MgGraph -Scopes 'A', 'B'` (delegated sign-in with exactly these permissions).
pub fn connect_line(scopes: &[&str]) -> String {
    let list: Vec<String> = scopes.iter().map(|s| ps_quote(s)).collect();
    format!("Connect-MgGraph -Scopes {}\n", list.join(", "))
}

/// The `$batch` requests of a resolve-users body as (id, absolute URL).
pub(super) fn batch_items(r: &GraphRequest) -> Option<Vec<(String, String)>> {
    if !r.url.ends_with("/$batch") {
        return None;
    }
    let items = r.body.as_ref()?.get("requests")?.as_array()?;
    items
        .iter()
        .map(|i| {
            Some((
                i.get("id")?.as_str()?.to_string(),
                format!("{}{}", super::GRAPH_BASE, i.get("url")?.as_str()?),
            ))
        })
        .collect()
}

/// The file a paged listing's page `$page` / `$hw_page` is saved as.
pub const PAGE_FILE: &str = "hardwareOathDevices-page-";

/// The PowerShell for one request, without the `Connect-MgGraph` line: `Invoke-MgGraphRequest`
/// with `-OutputType Json`, a loop over the pages for `list-all`, a loop over the users for
/// `resolve-users`. Ends with a newline.
fn powershell_invoke(r: &GraphRequest) -> String {
    if r.paged {
        return format!(
            "$uri = {}\n$page = 0\nwhile ($uri) {{\n  $page++\n  $json = Invoke-MgGraphRequest -Method GET -Uri $uri -OutputType Json\n  Set-Content -LiteralPath \"{PAGE_FILE}$page.json\" -Value $json -Encoding UTF8\n  Write-Host \"{PAGE_FILE}$page.json\"\n  $uri = ($json | ConvertFrom-Json).'@odata.nextLink'\n}}\n",
            ps_quote(&r.url)
        );
    }
    if let Some(items) = batch_items(r) {
        let mut s = String::from("$users = @(\n");
        for (id, url) in &items {
            s.push_str(&format!(
                "  @{{ id = {}; uri = {} }}\n",
                ps_quote(id),
                ps_quote(url)
            ));
        }
        s.push_str(concat!(
            ")\n",
            "$responses = foreach ($u in $users) {\n",
            "  $status = 0\n",
            "  $json = Invoke-MgGraphRequest -Method GET -Uri $u.uri -OutputType Json -SkipHttpErrorCheck -StatusCodeVariable status\n",
            "  if (-not $json) { $json = 'null' }\n",
            "  '{\"id\":\"' + $u.id + '\",\"status\":' + $status + ',\"body\":' + $json + '}'\n",
            "}\n",
            "'{\"responses\":[' + ($responses -join ',') + ']}'\n",
        ));
        return s;
    }
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
    s.push_str(" -OutputType Json\n");
    s
}

/// PowerShell (Microsoft.Graph.Authentication): the `Connect-MgGraph -Scopes …` line the
/// request needs, then `Invoke-MgGraphRequest … -OutputType Json`, which prints the answer as
/// JSON text. The body is a literal here-string (`@'…'@`): no escaping, and pretty JSON never
/// has a line starting with `'@`. `list-all` saves every page (`hardwareOathDevices-page-N.json`);
/// `resolve-users` asks for each user and prints a `$batch`-shaped answer. Ends with a newline.
pub fn powershell(r: &GraphRequest) -> String {
    format!("{}{}", connect_line(&r.scopes()), powershell_invoke(r))
}

/// How long the curl rendering and the script wait at most, and how often they try.
pub const MAX_ATTEMPTS: u32 = 5;
/// The longest wait between two attempts, in seconds (a longer `Retry-After` is cut to this).
pub const MAX_WAIT_SECONDS: u32 = 120;

/// The POSIX shell function every curl rendering uses: `hwoath_send FILE METHOD URL [BODY]`.
pub fn curl_function() -> String {
    format!(
        r#"# hwoath_send FILE METHOD URL [BODY]: sends one Graph request with the access token in
# $TOKEN, writes the answer to FILE and prints it. On 429 or 503 it waits as Retry-After says
# (else 2, 4, 8… s; never more than {wait} s) and tries again, {attempts} attempts at most; any other
# error stops it (status 1), and the requests chained after it are not sent.
hwoath_send() {{
  hw_file=$1 hw_method=$2 hw_url=$3
  hw_attempt=1
  hw_headers=$(mktemp) || return 1
  while :; do
    if [ $# -ge 4 ]; then
      hw_status=$(printf '%s\n' "$4" | curl -sS -X "$hw_method" "$hw_url" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        --data-binary @- -D "$hw_headers" -o "$hw_file" -w '%{{http_code}}')
    else
      if [ "$hw_method" = POST ]; then hw_len='Content-Length: 0'; else hw_len=; fi
      hw_status=$(curl -sS -X "$hw_method" "$hw_url" -H "Authorization: Bearer $TOKEN" \
        ${{hw_len:+-H "$hw_len"}} -D "$hw_headers" -o "$hw_file" -w '%{{http_code}}')
    fi
    case $hw_status in
      2??)
        rm -f "$hw_headers"
        echo "$hw_method $hw_url: HTTP $hw_status, answer in $hw_file" >&2
        if [ -s "$hw_file" ]; then cat "$hw_file"; echo; fi
        return 0 ;;
      429|503)
        [ "$hw_attempt" -lt {attempts} ] || break
        hw_wait=$(tr -d '\r' < "$hw_headers" | sed -n 's/^[Rr][Ee][Tt][Rr][Yy]-[Aa][Ff][Tt][Ee][Rr]:[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p' | tail -n 1)
        [ -n "$hw_wait" ] || hw_wait=$((1 << hw_attempt))
        [ "$hw_wait" -le {wait} ] || hw_wait={wait}
        echo "$hw_method $hw_url: HTTP $hw_status (attempt $hw_attempt of {attempts}); waiting $hw_wait s" >&2
        sleep "$hw_wait"
        hw_attempt=$((hw_attempt + 1)) ;;
      *) break ;;
    esac
  done
  rm -f "$hw_headers"
  echo "$hw_method $hw_url: HTTP $hw_status; the answer is in $hw_file. Stopped: the requests after this one are not sent." >&2
  return 1
}}
"#,
        wait = MAX_WAIT_SECONDS,
        attempts = MAX_ATTEMPTS
    )
}

/// The shell call of one request, writing its answer to `file` (no trailing newline, so the
/// document can chain calls with `&&`).
fn curl_call(r: &GraphRequest, file: &str) -> String {
    if r.paged {
        return format!(
            "hw_url={}; hw_page=1\nwhile [ -n \"$hw_url\" ] && hwoath_send \"{PAGE_FILE}$hw_page.json\" GET \"$hw_url\"; do\n  hw_url=$(sed -n 's/.*\"@odata\\.nextLink\"[[:space:]]*:[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p' \"{PAGE_FILE}$hw_page.json\" | sed 's#\\\\/#/#g')\n  hw_page=$((hw_page + 1))\ndone",
            sh_quote(&r.url)
        );
    }
    let mut s = format!(
        "hwoath_send {} {} {}",
        sh_quote(file),
        r.method,
        sh_quote(&r.url)
    );
    if let Some(b) = &r.body {
        s.push_str(" \"$(cat <<'EOF'\n");
        s.push_str(&pretty(b));
        s.push_str("\nEOF\n)\"");
    }
    s
}

/// curl for a POSIX shell with the access token in `$TOKEN`: [`curl_function`] (retry on
/// 429/503, bounded), then the call, which writes the answer to `hwoath-response.json`. The
/// body goes through a quoted here-document (`<<'EOF'`: no expansion; pretty JSON never has a
/// line `EOF`). Ends with a newline.
pub fn curl(r: &GraphRequest) -> String {
    format!(
        "{}\n{}\n",
        curl_function(),
        curl_call(r, "hwoath-response.json")
    )
}

/// The answer file of request `i` (0-based) of `n`: `hwoath-response.json` for one request,
/// else `hwoath-response-{i+1}-of-{n}.json`.
pub fn response_file(i: usize, n: usize) -> String {
    if n == 1 {
        "hwoath-response.json".into()
    } else {
        format!("hwoath-response-{}-of-{n}.json", i + 1)
    }
}

/// Every request in one format, as a document: a JSON array, or for the text formats each
/// request under a comment line (`### [i/n] note` for http, `# [i/n] note` otherwise) with the
/// permission, role and any warning. PowerShell starts with one `Connect-MgGraph` for all the
/// scopes; curl with the `hwoath_send` function, the calls chained with `&&` so that the first
/// failure stops the rest. Empty input gives `[]` (JSON) or a comment saying there is nothing.
pub fn document(requests: &[GraphRequest], format: Format) -> String {
    match format {
        Format::Json => {
            let mut s = crate::core::text::json_pretty(requests);
            s.push('\n');
            return s;
        }
        Format::PowershellScript => {
            return super::script::powershell_script(
                requests,
                &super::script::ScriptOptions::default(),
            )
        }
        _ => {}
    }
    let lead = if format == Format::Http { "###" } else { "#" };
    if requests.is_empty() {
        return format!("{lead} no requests: nothing in the selection needs one\n");
    }
    let n = requests.len();
    let mut out = String::new();
    match format {
        Format::Powershell => out.push_str(&connect_line(&scopes(requests))),
        Format::Curl => out.push_str(&curl_function()),
        _ => {}
    }
    for (i, r) in requests.iter().enumerate() {
        if i > 0 || format != Format::Http {
            out.push('\n');
        }
        out.push_str(&format!("{lead} [{}/{n}] {}\n", i + 1, r.note));
        out.push_str(&format!(
            "# Permission: {}. Role: {}.\n",
            r.permission, r.role
        ));
        for w in &r.warnings {
            out.push_str(&format!("# Warning {}: {}\n", w.code, w.message));
        }
        match format {
            Format::Http => {
                out.push_str(&http(r));
                if r.paged {
                    out.push_str("### then GET each @odata.nextLink of the answer, until there is none; save every page\n");
                }
            }
            Format::Powershell => out.push_str(&powershell_invoke(r)),
            Format::Curl => {
                out.push_str(&curl_call(r, &response_file(i, n)));
                out.push_str(if i + 1 < n { " &&\n" } else { "\n" });
            }
            Format::Json | Format::PowershellScript => unreachable!(),
        }
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
        // Known keys in order but unknown ones not (they sort by name), and a body already in
        // order (written as it is).
        for (v, want) in [
            (
                json!({"@contentId": "1", "zz": 1, "aa": 2}),
                r#"{"@contentId":"1","aa":2,"zz":1}"#,
            ),
            (
                json!({"@context": "#$delta", "value": [{"serialNumber": "1", "model": "C202"}]}),
                r##"{"@context":"#$delta","value":[{"serialNumber":"1","model":"C202"}]}"##,
            ),
        ] {
            assert_eq!(serde_json::to_string(&Ordered(&v)).unwrap(), want);
        }
    }

    #[test]
    fn masked_pretty_is_the_pretty_text_of_the_masked_tree() {
        let v = json!({"@context": "#$delta", "value": [
            {"secretKey": "JBSWY3DPEHPK3PXP", "serialNumber": "1", "zz": {"secretKey": "GEZDGNBV"}},
            {"secretKey": 7, "serialNumber": "2"}
        ]});
        let shown = pretty_masked(&v);
        assert_eq!(shown, pretty(&super::super::display::mask_secret_keys(&v)));
        assert!(
            !shown.contains("JBSWY3DP") && !shown.contains("GEZD"),
            "{shown}"
        );
        assert!(
            shown.contains("3PXP") && shown.contains("\"secretKey\": 7"),
            "{shown}"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(ps_quote("a'b"), "'a''b'");
        assert_eq!(sh_quote("a'b"), r"'a'\''b'");
    }
}
