#!/usr/bin/env bash
# Build the wasm package (settings from wasm-pack.toml) and copy it next to the page in www/pkg,
# with the generated modules that embed the wasm and the demo files (scripts/embed.mjs: the page
# fetches nothing, its CSP has no connect-src).
#   bash scripts/build.sh           the served page (www/)
#   bash scripts/build.sh --single  also the single offline file dist/hwoath.html (scripts/build-single.mjs)
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$root"
out="$(cfg build out-dir)"
www="$(cfg build serve-dir)"
# Source paths (kept in panic messages) are written relative to fixed prefixes, so the same commit
# built with the same tool versions gives the same wasm, and the same dist/hwoath.html hash, on any
# machine and in any directory: an admin can rebuild and compare before carrying it across.
export RUSTFLAGS="${RUSTFLAGS:-} --remap-path-prefix=$root=/hwoath --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo"
wasm-pack --quiet build --release --target "$(cfg build target)" --out-dir "$out" >/dev/null
rm -rf "$www/pkg"
mkdir -p "$www/pkg"
cp "$out"/hwoath.js "$out"/hwoath_bg.wasm "$out"/hwoath.d.ts "$www/pkg/"
node scripts/embed.mjs --www "$www"
if [ "${1:-}" = "--single" ]; then
  node scripts/build-single.mjs
fi
