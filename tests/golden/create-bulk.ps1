Connect-MgGraph -Scopes 'Policy.ReadWrite.AuthenticationMethod', 'UserAuthenticationMethod.ReadWrite.All'

# [1/1] Creates tokens 1–2 of 2 (serials 865923712 to 2300000000001), part 1 of 1; Graph documents no maximum per request, so chunks of 100 are a choice, not a limit. 1 token(s) are assigned at creation (assignTo is the user's object id).
# Permission: Policy.ReadWrite.AuthenticationMethod, UserAuthenticationMethod.ReadWrite.All. Role: Authentication Policy Administrator, plus Authentication Administrator (Privileged Authentication Administrator for admin users).
Invoke-MgGraphRequest -Method PATCH -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices' -Body @'
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
'@ -ContentType 'application/json' -OutputType Json
