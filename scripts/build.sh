#!/usr/bin/env bash
# Build the wasm packages (settings from wasm-pack.toml): the main module (pkg/) and the OpenPGP
# module (crates/hwoath-pgp → pkg-pgp/), and copy them next to the page in www/pkg,
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

# The OpenPGP module (crates/hwoath-pgp): a second wasm, loaded only when an encrypted file or
# the key maker is used. Built for size (Cargo profile wasm-pgp), then wasm-opt with the flags
# in wasm-pack.toml; the optimised file is reused while wasm-bindgen's output is unchanged
# (wasm-opt takes about a minute here).
pgp="$root/$(cfg build pgp-out-dir)"
wasm-pack --quiet build --profile "$(cfg build pgp-profile)" --target "$(cfg build target)" --out-dir "$pgp" crates/hwoath-pgp >/dev/null
raw_sha="$(sha256sum "$pgp/hwoath_pgp_bg.wasm" | cut -d' ' -f1)"
if [ ! -f "$pgp/opt/hwoath_pgp_bg.wasm" ] || [ "$(cat "$pgp/opt/input.sha256" 2>/dev/null)" != "$raw_sha" ]; then
  mkdir -p "$pgp/opt"
  # shellcheck disable=SC2046 # the flags are words
  wasm-opt $(cfg build pgp-wasm-opt) "$pgp/hwoath_pgp_bg.wasm" -o "$pgp/opt/hwoath_pgp_bg.wasm"
  echo "$raw_sha" > "$pgp/opt/input.sha256"
fi

rm -rf "$www/pkg"
mkdir -p "$www/pkg"
cp "$out"/hwoath.js "$out"/hwoath_bg.wasm "$out"/hwoath.d.ts "$www/pkg/"
cp "$pgp"/hwoath_pgp.js "$pgp"/hwoath_pgp.d.ts "$pgp"/opt/hwoath_pgp_bg.wasm "$www/pkg/"
node scripts/embed.mjs --www "$www"
if [ "${1:-}" = "--single" ]; then
  node scripts/build-single.mjs
fi
