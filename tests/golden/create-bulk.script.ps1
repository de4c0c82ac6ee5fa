# hwoath: sends 1 Microsoft Graph request(s) with retry; written by hwoath, offline.
# Run it in PowerShell 7 (pwsh -File .\this.ps1) or Windows PowerShell 5.1.
# Permission(s): Policy.ReadWrite.AuthenticationMethod, UserAuthenticationMethod.ReadWrite.All.
# Least-privileged role(s): Authentication Policy Administrator, plus Authentication Administrator (Privileged Authentication Administrator for admin users).
# This script holds the tokens' secret keys: keep it off shared drives and delete it once the upload is done.
# Every answer is written to its own file (hwoath-response-….json) as Graph sent it; on 429/503 a request is retried after Retry-After (at most 5 attempts, waits capped at 120 s); any other error stops the script.
#Requires -Version 5.1

$MaxAttempts = 5
$MaxWaitSeconds = 120

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

if (-not (Get-Module -ListAvailable -Name Microsoft.Graph.Authentication)) {
    Write-Error 'The Microsoft.Graph.Authentication module is not installed. Install it with: Install-Module Microsoft.Graph.Authentication -Scope CurrentUser' -ErrorAction Continue
    exit 1
}
Import-Module Microsoft.Graph.Authentication -ErrorAction Stop
Connect-MgGraph -Scopes 'Policy.ReadWrite.AuthenticationMethod', 'UserAuthenticationMethod.ReadWrite.All' -ErrorAction Stop

# [1/1] Creates tokens 1–2 of 2 (serials 865923712 to 2300000000001), part 1 of 1; Graph documents no maximum per request, so chunks of 100 are a choice, not a limit. 1 token(s) are assigned at creation (assignTo is the user's object id).
# Permission: Policy.ReadWrite.AuthenticationMethod, UserAuthenticationMethod.ReadWrite.All. Role: Authentication Policy Administrator, plus Authentication Administrator (Privileged Authentication Administrator for admin users).
$null = Send-HwoathRequest -Method PATCH -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices' -OutFile 'hwoath-response.json' -Body @'
{
  "@context": "#$delta",
  "value": [
    {
      "@contentId": "1",
      "serialNumber": "865923712",
      "manufacturer": "Token2",
      "model": "C202",
      "secretKey": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
      "timeIntervalInSeconds": 30,
      "hashFunction": "hmacsha1",
      "assignTo": {
        "id": "0cadbf92-1111-4222-8333-444455556666"
      }
    },
    {
      "@contentId": "2",
      "serialNumber": "2300000000001",
      "manufacturer": "Token2",
      "model": "C203",
      "secretKey": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
      "timeIntervalInSeconds": 60,
      "hashFunction": "hmacsha256",
      "displayName": "Spare SHA-256 token"
    }
  ]
}
'@

Write-Host 'hwoath: every request was answered with success.'
Write-Host 'Map the answers back to the tokens with:'
Write-Host '  hwoath reconcile tokens.json hwoath-response.json'
