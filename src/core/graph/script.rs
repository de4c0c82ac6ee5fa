//! One PowerShell script (`--format powershell-script`) that sends every request of a document:
//! it checks that the Microsoft.Graph.Authentication module is installed, connects with exactly
//! the scopes the requests need, sends the requests in order, retries a request that Graph
//! answers with 429 or 503 (waiting as `Retry-After` says, bounded), stops at any other error,
//! and writes every answer to its own file (`hwoath-response-1-of-3.json`…) exactly as Graph
//! sent it, which `hwoath reconcile` and the page's response box read as they are.
//!
//! `Invoke-MgGraphRequest` is called with `-SkipHttpErrorCheck -StatusCodeVariable
//! -ResponseHeadersVariable -OutputType Json`, so an error answer is data (its JSON saved, its
//! status read) rather than an exception. The SDK retries throttled requests itself too; this
//! loop is the bound the admin can see.

use std::fmt::Write;

use super::render::{
    connect_line, pretty, ps_quote, response_file, scopes, MAX_ATTEMPTS, MAX_WAIT_SECONDS,
    PAGE_FILE,
};
use super::GraphRequest;
use crate::core::text::visible;

/// What the script says about the file the requests came from.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptOptions {
    /// The token file's name, for the `hwoath reconcile` lines the script prints at the end.
    pub token_file: Option<String>,
    /// Tokens per bulk request, for those lines (`--chunk`); `None`: one part.
    pub chunk: Option<usize>,
}

/// The whole script for `requests`. Ends with a newline.
pub fn powershell_script(requests: &[GraphRequest], options: &ScriptOptions) -> String {
    let n = requests.len();
    let mut s = String::new();
    let scopes = scopes(requests);
    let secrets = requests.iter().any(|r| {
        r.body
            .as_ref()
            .is_some_and(|b| b.to_string().contains("\"secretKey\""))
    });
    s.push_str("# hwoath: sends ");
    let _ = writeln!(
        s,
        "{n} Microsoft Graph request(s) with retry; written by hwoath, offline."
    );
    s.push_str("# Run it in PowerShell 7 (pwsh -File .\\this.ps1) or Windows PowerShell 5.1.\n");
    let _ = writeln!(s, "# Permission(s): {}.", scopes.join(", "));
    let mut roles: Vec<&str> = Vec::new();
    for r in requests {
        if !roles.contains(&r.role.as_str()) {
            roles.push(&r.role);
        }
    }
    let _ = writeln!(s, "# Least-privileged role(s): {}.", roles.join("; "));
    if secrets {
        s.push_str("# This script holds the tokens' secret keys: keep it off shared drives and delete it once the upload is done.\n");
    }
    let _ = writeln!(
        s,
        "# Every answer is written to its own file (hwoath-response-….json) as Graph sent it; on 429/503 a request is retried after Retry-After (at most {MAX_ATTEMPTS} attempts, waits capped at {MAX_WAIT_SECONDS} s); any other error stops the script."
    );
    s.push_str("#Requires -Version 5.1\n\n");
    let _ = writeln!(s, "$MaxAttempts = {MAX_ATTEMPTS}");
    let _ = writeln!(s, "$MaxWaitSeconds = {MAX_WAIT_SECONDS}");
    s.push_str(SEND_FUNCTION);
    s.push('\n');
    if n == 0 {
        s.push_str("Write-Host 'hwoath: no requests: nothing in the selection needs one.'\n");
        return s;
    }
    s.push_str("if (-not (Get-Module -ListAvailable -Name Microsoft.Graph.Authentication)) {\n");
    s.push_str("    Write-Error 'The Microsoft.Graph.Authentication module is not installed. Install it with: Install-Module Microsoft.Graph.Authentication -Scope CurrentUser' -ErrorAction Continue\n");
    s.push_str("    exit 1\n}\n");
    s.push_str("Import-Module Microsoft.Graph.Authentication -ErrorAction Stop\n");
    s.push_str(&connect_line(&scopes).replace('\n', " -ErrorAction Stop\n"));
    for (i, r) in requests.iter().enumerate() {
        let _ = writeln!(s, "\n# [{}/{n}] {}", i + 1, r.note);
        let _ = writeln!(s, "# Permission: {}. Role: {}.", r.permission, r.role);
        for w in &r.warnings {
            let _ = writeln!(s, "# Warning {}: {}", w.code, w.message);
        }
        if r.paged {
            let _ = writeln!(
                s,
                "$uri = {}\n$page = 0\nwhile ($uri) {{\n    $page++\n    $json = Send-HwoathRequest -Method GET -Uri $uri -OutFile \"{PAGE_FILE}$page.json\"\n    $uri = ($json | ConvertFrom-Json).'@odata.nextLink'\n}}",
                ps_quote(&r.url)
            );
            continue;
        }
        let _ = writeln!(
            s,
            "$null = Send-HwoathRequest -Method {} -Uri {} -OutFile {}{}",
            r.method,
            ps_quote(&r.url),
            ps_quote(&response_file(i, n)),
            match &r.body {
                Some(b) => format!(" -Body @'\n{}\n'@", pretty(b)),
                None => String::new(),
            }
        );
    }
    s.push_str("\nWrite-Host 'hwoath: every request was answered with success.'\n");
    if let Some(file) = &options.token_file {
        let file = visible(file);
        let bulk = requests.iter().all(|r| {
            r.method == "PATCH" && r.body.as_ref().is_some_and(|b| b.get("@context").is_some())
        });
        if bulk {
            s.push_str("Write-Host 'Map the answers back to the tokens with:'\n");
            for i in 0..n {
                let part = if n > 1 {
                    format!(
                        " --chunk {} --part {}",
                        options.chunk.unwrap_or(super::DEFAULT_CHUNK),
                        i + 1
                    )
                } else {
                    String::new()
                };
                let _ = writeln!(
                    s,
                    "Write-Host {}",
                    ps_quote(&format!(
                        "  hwoath reconcile {file} {}{part}",
                        response_file(i, n)
                    ))
                );
            }
        }
    }
    s
}

/// `Send-HwoathRequest`: one request, retried on 429/503 (bounded), its answer saved to
/// `-OutFile` as Graph sent it; any other error stops the script with exit code 1.
const SEND_FUNCTION: &str = r#"
function Send-HwoathRequest {
    param([string]$Method, [string]$Uri, [string]$OutFile, [string]$Body)
    for ($attempt = 1; $attempt -le $MaxAttempts; $attempt++) {
        $status = 0
        $headers = $null
        $call = @{
            Method = $Method; Uri = $Uri; OutputType = 'Json'; SkipHttpErrorCheck = $true
            StatusCodeVariable = 'status'; ResponseHeadersVariable = 'headers'
        }
        if ($Body) { $call.Body = $Body; $call.ContentType = 'application/json' }
        $json = Invoke-MgGraphRequest @call
        if ($null -eq $json) { $json = '' }
        Set-Content -LiteralPath $OutFile -Value $json -Encoding UTF8
        if ($status -ge 200 -and $status -lt 300) {
            Write-Host "$Method ${Uri}: HTTP $status, answer in $OutFile"
            return $json
        }
        if (($status -eq 429 -or $status -eq 503) -and $attempt -lt $MaxAttempts) {
            $wait = [math]::Min([math]::Pow(2, $attempt), $MaxWaitSeconds)
            $seconds = 0
            if ($headers) {
                foreach ($key in $headers.Keys) {
                    if ($key -eq 'Retry-After' -and [int]::TryParse([string](@($headers[$key])[0]), [ref]$seconds)) {
                        $wait = [math]::Min($seconds, $MaxWaitSeconds)
                    }
                }
            }
            Write-Warning "$Method ${Uri}: HTTP $status (attempt $attempt of $MaxAttempts); waiting $wait s"
            Start-Sleep -Seconds $wait
            continue
        }
        Write-Error "$Method ${Uri}: HTTP $status; the answer is in $OutFile. Stopped: the requests after this one were not sent." -ErrorAction Continue
        exit 1
    }
}
"#;
