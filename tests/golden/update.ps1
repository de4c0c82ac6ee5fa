Connect-MgGraph -Scopes 'Policy.ReadWrite.AuthenticationMethod'

# [1/1] Sets device aad49556-1111-4222-8333-000000000001 (token 865923712) to the file's hmacsha1 and 30 s; Graph changes only unassigned tokens (unassign it first if it is assigned), and never the serial or the secret.
# Permission: Policy.ReadWrite.AuthenticationMethod. Role: Authentication Policy Administrator.
Invoke-MgGraphRequest -Method PATCH -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices/aad49556-1111-4222-8333-000000000001' -Body @'
{
  "timeIntervalInSeconds": 30,
  "hashFunction": "hmacsha1"
}
'@ -ContentType 'application/json' -OutputType Json
