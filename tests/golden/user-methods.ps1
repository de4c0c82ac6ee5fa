Connect-MgGraph -Scopes 'UserAuthenticationMethod.Read.All'

# [1/1] Lists the hardware OATH tokens assigned to 0cadbf92-1111-4222-8333-444455556666 (method id, device id, serial, status); give the answer to --user-methods for cleanup-duplicate.
# Permission: UserAuthenticationMethod.Read.All. Role: Global Reader (or Authentication Administrator, Privileged Authentication Administrator).
Invoke-MgGraphRequest -Method GET -Uri 'https://graph.microsoft.com/beta/users/0cadbf92-1111-4222-8333-444455556666/authentication/hardwareOathMethods' -OutputType Json
