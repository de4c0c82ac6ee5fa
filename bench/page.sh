#!/usr/bin/env bash
# Page budgets (a benchmark, not a test): bash bench/page.sh [--runs N]
# Builds www/pkg and dist/hwoath.html, then reports the page weight (gzip) against the 120 KB
# budget, the time to a ready page (served and file://), a 10,000-token file in the worker vs
# JSON.parse, and the OpenPGP module apart (its weight, loaded only on demand; keygen and the
# decryption of a gpg-encrypted 10,000-token file). Writes bench/out/page.json. See bench/README.md
# "Page budgets". About 45 s.
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
cd "$root"
bash scripts/bootstrap.sh bench
bash scripts/build.sh --single
node bench/page.mjs "$@"
