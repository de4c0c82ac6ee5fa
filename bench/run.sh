#!/usr/bin/env bash
# The hwoath benchmark (not a test): bash bench/run.sh
# Builds the page's wasm package and the native harness, then measures wasm vs otpauth in one
# Node process, native Rust, and a ±2-year drift scan in headless Chromium. Prints a table with
# ratios and targets; writes bench/out/latest.json. See bench/README.md. About 1–2 minutes.
set -euo pipefail
. "$(dirname "$0")/../scripts/env.sh"
cd "$root"
mkdir -p bench/out

echo "bench: bootstrap and build (wasm for the page, native harness)" >&2
bash scripts/bootstrap.sh bench
bash scripts/build.sh
CARGO_TARGET_DIR="$root/target/bench-native" \
  cargo build --release --quiet --manifest-path bench/native/Cargo.toml

echo "bench: native Rust" >&2
"$root/target/bench-native/release/hwoath-bench-native" > bench/out/native.json

echo "bench: Node (wasm vs otpauth) and headless Chromium" >&2
node bench/node.mjs bench/out/native.json
