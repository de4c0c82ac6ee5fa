Connect-MgGraph -Scopes 'UserAuthenticationMethod.ReadWrite.All'

# [1/1] Assigns token 865923712 (device aad49556-1111-4222-8333-000000000001) to 0cadbf92-1111-4222-8333-444455556666 by setting the device's assignTo reference (the form the hardwareOathAuthenticationMethod page links for Assign); 204 on success.
# Permission: UserAuthenticationMethod.ReadWrite.All. Role: Authentication Administrator (Privileged Authentication Administrator for admin users).
Invoke-MgGraphRequest -Method PUT -Uri 'https://graph.microsoft.com/beta/users/0cadbf92-1111-4222-8333-444455556666/authentication/hardwareOathMethods/aad49556-1111-4222-8333-000000000001/device/assignTo/$ref' -Body @'
{
  "@odata.id": "https://graph.microsoft.com/beta/users/0cadbf92-1111-4222-8333-444455556666"
}
'@ -ContentType 'application/json' -OutputType Json
