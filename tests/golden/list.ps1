Connect-MgGraph -Scopes 'Policy.Read.All'

# [1/2] Looks up serial 865923712 in the tenant's inventory: its id, status and assigned user (the secret is never returned).
# Permission: Policy.Read.All. Role: Global Reader (or Authentication Policy Administrator).
Invoke-MgGraphRequest -Method GET -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices?$filter=serialNumber%20eq%20''865923712''' -OutputType Json

# [2/2] Looks up serial 2300000000001 in the tenant's inventory: its id, status and assigned user (the secret is never returned).
# Permission: Policy.Read.All. Role: Global Reader (or Authentication Policy Administrator).
Invoke-MgGraphRequest -Method GET -Uri 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices?$filter=serialNumber%20eq%20''2300000000001''' -OutputType Json
