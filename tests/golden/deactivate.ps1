Connect-MgGraph -Scopes 'UserAuthenticationMethod.ReadWrite.All'

# [1/1] Deactivates token 865923712 (device aad49556-1111-4222-8333-000000000001) for 0cadbf92-1111-4222-8333-444455556666; it stays assigned to them.
# Permission: UserAuthenticationMethod.ReadWrite.All. Role: Authentication Administrator (Privileged Authentication Administrator for admin users).
Invoke-MgGraphRequest -Method POST -Uri 'https://graph.microsoft.com/beta/users/0cadbf92-1111-4222-8333-444455556666/authentication/hardwareOathMethods/aad49556-1111-4222-8333-000000000001/deactivate' -OutputType Json
