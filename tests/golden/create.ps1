Connect-MgGraph -Scopes 'Policy.ReadWrite.AuthenticationMethod', 'UserAuthenticationMethod.ReadWrite.All'

# [1/2] Creates token 865923712 (Token2 C202) and assigns it to 0cadbf92-1111-4222-8333-444455556666.
# Permission: Policy.ReadWrite.AuthenticationMethod, UserAuthenticationMethod.ReadWrite.All. Role: Authentication Policy Administrator, plus Authentication Administrator (Privileged Authentication Administrator for admin users).
Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices' -Body @'
{
  "serialNumber": "865923712",
  "manufacturer": "Token2",
  "model": "C202",
  "secretKey": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
  "timeIntervalInSeconds": 30,
  "hashFunction": "hmacsha1",
  "assignTo": {
    "id": "0cadbf92-1111-4222-8333-444455556666"
  }
}
'@ -ContentType 'application/json' -OutputType Json

# [2/2] Creates token 2300000000001 (Token2 C203) in the inventory, unassigned.
# Permission: Policy.ReadWrite.AuthenticationMethod. Role: Authentication Policy Administrator.
Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices' -Body @'
{
  "serialNumber": "2300000000001",
  "manufacturer": "Token2",
  "model": "C203",
  "secretKey": "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ",
  "timeIntervalInSeconds": 60,
  "hashFunction": "hmacsha256",
  "displayName": "Spare SHA-256 token"
}
'@ -ContentType 'application/json' -OutputType Json
