Connect-MgGraph -Scopes 'UserAuthenticationMethod.ReadWrite.All'

# [1/1] Activates token 865923712 (device aad49556-1111-4222-8333-000000000001, already assigned) for 0cadbf92-1111-4222-8333-444455556666: code 406058 is for the 30 s step ending 2023-11-14 22:13:30 UTC (expiresAt 1700000010, 10 s after the given time); send it before then, or build the request again.
# Permission: UserAuthenticationMethod.ReadWrite.All. Role: Authentication Administrator (Privileged Authentication Administrator for admin users).
Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/users/0cadbf92-1111-4222-8333-444455556666/authentication/hardwareOathMethods/aad49556-1111-4222-8333-000000000001/activate' -Body @'
{
  "verificationCode": "406058",
  "displayName": "Token2 C202 - 865923712"
}
'@ -ContentType 'application/json' -OutputType Json
