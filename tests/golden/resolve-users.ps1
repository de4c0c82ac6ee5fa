Connect-MgGraph -Scopes 'User.Read.All'

# [1/1] Asks Graph for users 1–1 of 1 by UPN (object id, userType, accountEnabled), batch 1 of 1 ($batch takes at most 20 requests); give the answer of every batch to --users so that later requests name these users by object id.
# Permission: User.Read.All. Role: none for a member account (users can read other users by default); Directory Readers where that default is turned off.
$users = @(
  @{ id = '1'; uri = 'https://graph.microsoft.com/beta/users/helga@contoso.com?$select=id,userPrincipalName,userType,accountEnabled' }
)
$responses = foreach ($u in $users) {
  $status = 0
  $json = Invoke-MgGraphRequest -Method GET -Uri $u.uri -OutputType Json -SkipHttpErrorCheck -StatusCodeVariable status
  if (-not $json) { $json = 'null' }
  '{"id":"' + $u.id + '","status":' + $status + ',"body":' + $json + '}'
}
'{"responses":[' + ($responses -join ',') + ']}'
