#!/usr/bin/env bash
# Build the wasm package (settings from wasm-pack.toml) and copy it next to the page in www/pkg.
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$root"
out="$(cfg build out-dir)"
wasm-pack --quiet build --release --target "$(cfg build target)" --out-dir "$out" >/dev/null
rm -rf "$(cfg build serve-dir)/pkg"
mkdir -p "$(cfg build serve-dir)/pkg"
cp "$out"/hwoath.js "$out"/hwoath_bg.wasm "$out"/hwoath.d.ts "$(cfg build serve-dir)/pkg/"
