# Sourced by the scripts: puts the project's tools on PATH (cargo bin, npm binaries such as wasm-opt).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$root/tools/node_modules/.bin:$HOME/.cargo/bin:$PATH"
cfg() { python3 "$root/scripts/toolcfg.py" "$@"; }
