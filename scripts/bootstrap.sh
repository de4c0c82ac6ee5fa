#!/usr/bin/env bash
# Install whatever is missing on a fresh Debian machine. Idempotent; silent when all is present.
# Versions come from wasm-pack.toml.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cfg() { python3 "$root/scripts/toolcfg.py" "$@"; }
log() { echo "bootstrap: $*" >&2; }
export PATH="$HOME/.cargo/bin:$PATH"

# Rust target for the wasm build.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown >/dev/null
fi

# Debian packages: chromium (page tests), chromium-driver, oathtool (differential tests),
# zopfli (compresses the wasm embedded in the page, scripts/embed.mjs), curl (tests/graph_flow.rs runs
# the curl rendering's retry loop against a local server), gnupg (OpenPGP interoperability tests).
missing=()
for p in $(cfg debian packages); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# wasm-pack and wasm-bindgen-cli at the pinned versions.
want_pack="$(cfg tools wasm-pack)"
if [ "$(wasm-pack --version 2>/dev/null | awk '{print $2}')" != "$want_pack" ]; then
  log "cargo install wasm-pack $want_pack"
  cargo install --locked --quiet wasm-pack --version "$want_pack" 2>/dev/null ||
    cargo install --quiet wasm-pack --version "$want_pack"
fi
want_bg="$(cfg tools wasm-bindgen-cli)"
crate_bg="$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' "$root/Cargo.toml")"
if [ "$crate_bg" != "$want_bg" ]; then
  echo "bootstrap: Cargo.toml pins wasm-bindgen =$crate_bg but wasm-pack.toml says $want_bg" >&2
  exit 1
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$want_bg" ]; then
  log "cargo install wasm-bindgen-cli $want_bg"
  # --locked first; its lock file can name a dependency version the registry no longer serves
  # (seen: webpki-roots), in which case a fresh resolution within the same semver ranges works.
  cargo install --locked --quiet wasm-bindgen-cli --version "$want_bg" 2>/dev/null ||
    cargo install --quiet wasm-bindgen-cli --version "$want_bg"
fi

# cargo-deny at the pinned version (dependency licence/ban/source checks in scripts/test.sh).
want_deny="$(cfg tools cargo-deny)"
if [ "$(cargo-deny --version 2>/dev/null | awk '{print $2}')" != "$want_deny" ]; then
  log "cargo install cargo-deny $want_deny"
  cargo install --locked --quiet cargo-deny --version "$want_deny" 2>/dev/null ||
    cargo install --quiet cargo-deny --version "$want_deny"
fi

# npm tools in tools/: every package pinned under [npm] in wasm-pack.toml (binaryen for wasm-opt,
# playwright-core for the page tests, axe-core for the accessibility check, the bench's rival, ...).
tools="$root/tools"
mkdir -p "$tools"
missing=()
for p in $(cfg npm --keys); do
  v="$(cfg npm "$p")"
  npm_specs+=("$p@$v")
  have="$(node -p "try{require('$tools/node_modules/$p/package.json').version}catch(e){''}" 2>/dev/null)"
  [ "$have" = "$v" ] || missing+=("$p@$v")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "npm install ${missing[*]} into tools/"
  [ -f "$tools/package.json" ] || echo '{"name":"hwoath-tools","private":true}' > "$tools/package.json"
  (cd "$tools" && npm install --silent --no-audit --no-fund --save-exact "${missing[@]}" >/dev/null)
fi
