#!/usr/bin/env bash
# Set-up command 1: install what is missing, build, and serve the page on http://127.0.0.1:8080.
set -euo pipefail
. "$(dirname "$0")/env.sh"
bash "$root/scripts/bootstrap.sh" serve
bash "$root/scripts/build.sh"
exec node "$root/scripts/serve.mjs" --dir "$root/$(cfg build serve-dir)" \
  --host "$(cfg build host)" --port "$(cfg build port)"
