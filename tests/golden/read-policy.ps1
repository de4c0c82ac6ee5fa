Connect-MgGraph -Scopes 'Policy.Read.AuthenticationMethod'

# [1/1] Reads the hardware OATH method policy: its state (enabled or disabled) and includeTargets (all users, or which groups); run it before enable-policy to see who is in scope.
# Permission: Policy.Read.AuthenticationMethod. Role: Global Reader (or Authentication Policy Administrator).
Invoke-MgGraphRequest -Method GET -Uri 'https://graph.microsoft.com/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/hardwareOath' -OutputType Json
