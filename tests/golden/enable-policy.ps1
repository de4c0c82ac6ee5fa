# [1/1] Enables hardware OATH tokens in the Authentication methods policy (only the state; users must also be in its targets); allow up to an hour to take effect.
# Permission: Policy.ReadWrite.AuthenticationMethod. Role: Authentication Policy Administrator.
Invoke-MgGraphRequest -Method PATCH -Uri 'https://graph.microsoft.com/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/hardwareOath' -Body @'
{
  "state": "enabled"
}
'@ -ContentType 'application/json'
