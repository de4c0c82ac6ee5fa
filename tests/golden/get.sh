# hwoath_send FILE METHOD URL [BODY]: sends one Graph request with the access token in
# $TOKEN, writes the answer to FILE and prints it. On 429 or 503 it waits as Retry-After says
# (else 2, 4, 8… s; never more than 120 s) and tries again, 5 attempts at most; any other
# error stops it (status 1), and the requests chained after it are not sent.
hwoath_send() {
  hw_file=$1 hw_method=$2 hw_url=$3
  hw_attempt=1
  hw_headers=$(mktemp) || return 1
  while :; do
    if [ $# -ge 4 ]; then
      hw_status=$(printf '%s\n' "$4" | curl -sS -X "$hw_method" "$hw_url" \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        --data-binary @- -D "$hw_headers" -o "$hw_file" -w '%{http_code}')
    else
      if [ "$hw_method" = POST ]; then hw_len='Content-Length: 0'; else hw_len=; fi
      hw_status=$(curl -sS -X "$hw_method" "$hw_url" -H "Authorization: Bearer $TOKEN" \
        ${hw_len:+-H "$hw_len"} -D "$hw_headers" -o "$hw_file" -w '%{http_code}')
    fi
    case $hw_status in
      2??)
        rm -f "$hw_headers"
        echo "$hw_method $hw_url: HTTP $hw_status, answer in $hw_file" >&2
        if [ -s "$hw_file" ]; then cat "$hw_file"; echo; fi
        return 0 ;;
      429|503)
        [ "$hw_attempt" -lt 5 ] || break
        hw_wait=$(tr -d '\r' < "$hw_headers" | sed -n 's/^[Rr][Ee][Tt][Rr][Yy]-[Aa][Ff][Tt][Ee][Rr]:[[:space:]]*\([0-9][0-9]*\)[[:space:]]*$/\1/p' | tail -n 1)
        [ -n "$hw_wait" ] || hw_wait=$((1 << hw_attempt))
        [ "$hw_wait" -le 120 ] || hw_wait=120
        echo "$hw_method $hw_url: HTTP $hw_status (attempt $hw_attempt of 5); waiting $hw_wait s" >&2
        sleep "$hw_wait"
        hw_attempt=$((hw_attempt + 1)) ;;
      *) break ;;
    esac
  done
  rm -f "$hw_headers"
  echo "$hw_method $hw_url: HTTP $hw_status; the answer is in $hw_file. Stopped: the requests after this one are not sent." >&2
  return 1
}

# [1/1] Reads device aad49556-1111-4222-8333-000000000001 (token 865923712): status, assigned user, hash and period (the secret is never returned).
# Permission: Policy.Read.All. Role: Global Reader (or Authentication Policy Administrator).
hwoath_send 'hwoath-response.json' GET 'https://graph.microsoft.com/beta/directory/authenticationMethodDevices/hardwareOathDevices/aad49556-1111-4222-8333-000000000001'
