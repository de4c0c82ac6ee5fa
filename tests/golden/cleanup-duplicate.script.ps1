# hwoath: sends 2 Microsoft Graph request(s) with retry; written by hwoath, offline.
# Run it in PowerShell 7 (pwsh -File .\this.ps1) or Windows PowerShell 5.1.
# Permission(s): UserAuthenticationMethod.ReadWrite.All, Policy.ReadWrite.AuthenticationMethod.
# Least-privileged role(s): Authentication Administrator (Privileged Authentication Administrator for admin users); Authentication Policy Administrator.
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
Connect-MgGraph -Scopes 'UserAuthenticationMethod.ReadWrite.All', 'Policy.ReadWrite.AuthenticationMethod' -ErrorAction Stop

# [1/2] 0cadbf92-1111-4222-8333-444455556666 holds token 865923712 twice: method 3dee0e53-2222-4333-8444-000000000009 is the legacy instance (from the admin center's CSV upload, OATH tokens (Preview)) and device aad49556-1111-4222-8333-000000000001 is the one created with Microsoft Graph, the only one the device listing returns. Step 1 of 2 (Microsoft's troubleshooting steps for two instances of a token): removes the legacy instance from the user; the Graph instance stays assigned.
# Permission: UserAuthenticationMethod.ReadWrite.All. Role: Authentication Administrator (Privileged Authentication Administrator for admin users).
$null = Send-HwoathRequest -Method DELETE -Uri 'https://graph.microsoft.com/beta/users/0cadbf92-1111-4222-8333-444455556666/authentication/hardwareOathMethods/3dee0e53-2222-4333-8444-000000000009' -OutFile 'hwoath-response-1-of-2.json'

# [2/2] 0cadbf92-1111-4222-8333-444455556666 holds token 865923712 twice: method 3dee0e53-2222-4333-8444-000000000009 is the legacy instance (from the admin center's CSV upload, OATH tokens (Preview)) and device aad49556-1111-4222-8333-000000000001 is the one created with Microsoft Graph, the only one the device listing returns. Step 2 of 2: deletes the legacy instance by its id, as Microsoft's steps do (the Graph device aad49556-1111-4222-8333-000000000001 is kept).
# Permission: Policy.ReadWrite.AuthenticationMethod. Role: Authentication Policy Administrator.
$null = Send-HwoathRequest -Method DELETE -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices/3dee0e53-2222-4333-8444-000000000009' -OutFile 'hwoath-response-2-of-2.json'

Write-Host 'hwoath: every request was answered with success.'
