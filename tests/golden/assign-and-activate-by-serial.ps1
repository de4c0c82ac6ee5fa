Connect-MgGraph -Scopes 'UserAuthenticationMethod.ReadWrite.All'

# [1/2] Assigns token 865923712 to helga@contoso.com by serial number and activates it: code 406058 is for the 30 s step ending 2023-11-14 22:13:30 UTC (expiresAt 1700000010, 10 s after the given time); send it before then, or build the request again.
# Permission: UserAuthenticationMethod.ReadWrite.All. Role: Authentication Administrator (Privileged Authentication Administrator for admin users).
Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/users/helga@contoso.com/authentication/hardwareOathMethods/assignAndActivateBySerialNumber' -Body @'
{
  "verificationCode": "406058",
  "serialNumber": "865923712",
  "displayName": "Token2 C202 - 865923712"
}
'@ -ContentType 'application/json' -OutputType Json

# [2/2] Assigns token 2300000000001 to helga@contoso.com by serial number and activates it: code 767043 is for the 60 s step ending 2023-11-14 22:14:00 UTC (expiresAt 1700000040, 40 s after the given time); send it before then, or build the request again.
# Permission: UserAuthenticationMethod.ReadWrite.All. Role: Authentication Administrator (Privileged Authentication Administrator for admin users).
Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/users/helga@contoso.com/authentication/hardwareOathMethods/assignAndActivateBySerialNumber' -Body @'
{
  "verificationCode": "767043",
  "serialNumber": "2300000000001",
  "displayName": "Spare SHA-256 token"
}
'@ -ContentType 'application/json' -OutputType Json
