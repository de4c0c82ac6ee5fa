#!/usr/bin/env bash
# Install whatever is missing on a fresh Debian machine for one command:
#   bash scripts/bootstrap.sh [TIER]      TIER: serve, release, test (the default), bench, fuzz
# A tier's tools, and the tiers it includes, are listed in wasm-pack.toml with their pinned
# versions (scripts/toolcfg.py plan TIER): serving never waits for a test or release tool.
# Idempotent; silent when all is present.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
log() { echo "bootstrap: $*" >&2; }
export PATH="$root/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
tier="${1:-test}"

plan="$(python3 "$root/scripts/toolcfg.py" plan "$tier")"
rustup_targets=() debian=() cargo_tools=() npm_specs=()
while IFS=$'\t' read -r kind name version bin; do
  case "$kind" in
    rustup) rustup_targets+=("$name") ;;
    debian) debian+=("$name") ;;
    cargo) cargo_tools+=("$name"$'\t'"$version"$'\t'"$bin") ;;
    npm) npm_specs+=("$name@$version") ;;
  esac
done <<<"$plan"

# Rust targets (the wasm build; the release's CLI binaries).
if [ ${#rustup_targets[@]} -gt 0 ]; then
  installed="$(rustup target list --installed 2>/dev/null || true)"
  missing=()
  for t in "${rustup_targets[@]}"; do
    grep -qx "$t" <<<"$installed" || missing+=("$t")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "rustup target add ${missing[*]}"
    rustup target add "${missing[@]}" >/dev/null
  fi
fi

# Debian packages, without their recommendations (wine's would pull in sound and video
# libraries, qemu-user's the binfmt registration).
if [ ${#debian[@]} -gt 0 ]; then
  missing=()
  for p in "${debian[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    log "apt-get install ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi

# cargo-installed tools at their pinned versions (`BIN --version` prints "name VERSION").
crate_bg="$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' "$root/Cargo.toml")"
for t in ${cargo_tools[@]+"${cargo_tools[@]}"}; do
  IFS=$'\t' read -r name want bin <<<"$t"
  if [ "$name" = wasm-bindgen-cli ] && [ "$crate_bg" != "$want" ]; then
    log "Cargo.toml pins wasm-bindgen =$crate_bg but wasm-pack.toml says $want"
    exit 1
  fi
  # shellcheck disable=SC2086 # BIN may be two words ("cargo deny")
  if [ "$($bin --version 2>/dev/null | awk '{print $2}')" != "$want" ]; then
    log "cargo install $name $want"
    # --locked first; its lock file can name a dependency version the registry no longer serves
    # (seen: webpki-roots), in which case a fresh resolution within the same semver ranges works.
    cargo install --locked --quiet "$name" --version "$want" 2>/dev/null ||
      cargo install --quiet "$name" --version "$want"
  fi
done

# npm tools in tools/ at exactly the pinned versions.
tools="$root/tools"
missing=()
for spec in ${npm_specs[@]+"${npm_specs[@]}"}; do
  p="${spec%@*}" v="${spec##*@}"
  have="$(node -p "try{require('$tools/node_modules/$p/package.json').version}catch(e){''}" 2>/dev/null)"
  [ "$have" = "$v" ] || missing+=("$spec")
done
if [ "${#missing[@]}" -gt 0 ]; then
  log "npm install ${missing[*]} into tools/"
  mkdir -p "$tools"
  [ -f "$tools/package.json" ] || echo '{"name":"hwoath-tools","private":true}' > "$tools/package.json"
  (cd "$tools" && npm install --silent --no-audit --no-fund --save-exact "${missing[@]}" >/dev/null)
fi
