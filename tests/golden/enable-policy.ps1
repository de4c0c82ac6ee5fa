Connect-MgGraph -Scopes 'Policy.ReadWrite.AuthenticationMethod'

# [1/1] Enables hardware OATH tokens in the Authentication methods policy (the body names the configuration's @odata.type, which the reference page says must be included; only the state changes, so users must also be in its includeTargets: check with read-policy); allow up to an hour to take effect.
# Permission: Policy.ReadWrite.AuthenticationMethod. Role: Authentication Policy Administrator.
Invoke-MgGraphRequest -Method PATCH -Uri 'https://graph.microsoft.com/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/hardwareOath' -Body @'
{
  "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethodConfiguration",
  "state": "enabled"
}
'@ -ContentType 'application/json' -OutputType Json
