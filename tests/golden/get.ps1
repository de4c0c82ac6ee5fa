Connect-MgGraph -Scopes 'Policy.Read.All'

# [1/1] Reads device aad49556-1111-4222-8333-000000000001 (token 865923712): status, assigned user, hash and period (the secret is never returned).
# Permission: Policy.Read.All. Role: Global Reader (or Authentication Policy Administrator).
Invoke-MgGraphRequest -Method GET -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices/aad49556-1111-4222-8333-000000000001' -OutputType Json
