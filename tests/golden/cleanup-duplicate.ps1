Connect-MgGraph -Scopes 'UserAuthenticationMethod.ReadWrite.All', 'Policy.ReadWrite.AuthenticationMethod'

# [1/2] 0cadbf92-1111-4222-8333-444455556666 holds token 865923712 twice: method 3dee0e53-2222-4333-8444-000000000009 is the legacy instance (from the admin center's CSV upload, OATH tokens (Preview)) and device aad49556-1111-4222-8333-000000000001 is the one created with Microsoft Graph, the only one the device listing returns. Step 1 of 2 (Microsoft's troubleshooting steps for two instances of a token): removes the legacy instance from the user; the Graph instance stays assigned.
# Permission: UserAuthenticationMethod.ReadWrite.All. Role: Authentication Administrator (Privileged Authentication Administrator for admin users).
Invoke-MgGraphRequest -Method DELETE -Uri 'https://graph.microsoft.com/beta/users/0cadbf92-1111-4222-8333-444455556666/authentication/hardwareOathMethods/3dee0e53-2222-4333-8444-000000000009' -OutputType Json

# [2/2] 0cadbf92-1111-4222-8333-444455556666 holds token 865923712 twice: method 3dee0e53-2222-4333-8444-000000000009 is the legacy instance (from the admin center's CSV upload, OATH tokens (Preview)) and device aad49556-1111-4222-8333-000000000001 is the one created with Microsoft Graph, the only one the device listing returns. Step 2 of 2: deletes the legacy instance by its id, as Microsoft's steps do (the Graph device aad49556-1111-4222-8333-000000000001 is kept).
# Permission: Policy.ReadWrite.AuthenticationMethod. Role: Authentication Policy Administrator.
Invoke-MgGraphRequest -Method DELETE -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices/3dee0e53-2222-4333-8444-000000000009' -OutputType Json
