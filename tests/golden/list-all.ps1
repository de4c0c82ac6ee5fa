Connect-MgGraph -Scopes 'Policy.Read.All'

# [1/1] Lists the available (unassigned) devices of the tenant's inventory, 999 per page: Graph pages a long answer and gives the next page's URL as @odata.nextLink; the PowerShell and curl renderings follow it and save every page as hardwareOathDevices-page-N.json (in Graph Explorer, run each nextLink yourself). Give every page to --listing (variants, assign, activate, delete, update by serial, cleanup-duplicate).
# Permission: Policy.Read.All. Role: Global Reader (or Authentication Policy Administrator).
$uri = 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices?$select=id,serialNumber,displayName,manufacturer,model,status,assignedTo,hashFunction,timeIntervalInSeconds,lastUsedDateTime&$filter=status%20eq%20''available''&$top=999'
$page = 0
while ($uri) {
  $page++
  $json = Invoke-MgGraphRequest -Method GET -Uri $uri -OutputType Json
  Set-Content -LiteralPath "hardwareOathDevices-page-$page.json" -Value $json -Encoding UTF8
  Write-Host "hardwareOathDevices-page-$page.json"
  $uri = ($json | ConvertFrom-Json).'@odata.nextLink'
}
