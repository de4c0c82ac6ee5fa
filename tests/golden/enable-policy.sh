# [1/1] Enables hardware OATH tokens in the Authentication methods policy (only the state; users must also be in its targets); allow up to an hour to take effect.
# Permission: Policy.ReadWrite.AuthenticationMethod. Role: Authentication Policy Administrator.
curl -X PATCH 'https://graph.microsoft.com/beta/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/hardwareOath' \
  -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' \
  --data-binary @- <<'EOF'
{
  "state": "enabled"
}
EOF
