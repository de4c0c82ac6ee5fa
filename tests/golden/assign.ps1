Connect-MgGraph -Scopes 'UserAuthenticationMethod.ReadWrite.All'

# [1/1] Assigns token 865923712 (device aad49556-1111-4222-8333-000000000001) to 0cadbf92-1111-4222-8333-444455556666 without activating it; the user can activate it on My Security Info.
# Permission: UserAuthenticationMethod.ReadWrite.All. Role: Authentication Administrator (Privileged Authentication Administrator for admin users).
Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/users/0cadbf92-1111-4222-8333-444455556666/authentication/hardwareOathMethods' -Body @'
{
  "device": {
    "id": "aad49556-1111-4222-8333-000000000001"
  }
}
'@ -ContentType 'application/json' -OutputType Json
