Connect-MgGraph -Scopes 'Policy.ReadWrite.AuthenticationMethod'

# [1/1] Deletes token 865923712 (device aad49556-1111-4222-8333-000000000001) from the inventory; unassign it first if it is assigned.
# Permission: Policy.ReadWrite.AuthenticationMethod. Role: Authentication Policy Administrator.
Invoke-MgGraphRequest -Method DELETE -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices/aad49556-1111-4222-8333-000000000001' -OutputType Json
