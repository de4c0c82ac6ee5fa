#!/usr/bin/env bash
# Set-up command 2: install what is missing, then run every test suite:
#   lint (rustfmt, clippy -D warnings), dependency checks (cargo deny: licences, bans, sources),
#   core and CLI (cargo test, incl. oathtool differential and GnuPG interoperability),
#   JS API in wasm (wasm-pack test --node; the OpenPGP module under Node, tests/pgp/), page
#   (Playwright in Debian Chromium and puppeteer-core in Firefox ESR, node --test; the served www/
#   and the single offline file dist/hwoath.html), the release artefacts
#   (scripts/release.sh, tests/release/: npm package, CLI binaries, SBOMs, reproducibility).
# Ends with "N passed, N failed" summed over every suite; exits non-zero on any failure.
set -uo pipefail
. "$(dirname "$0")/env.sh"
cd "$root"
logdir="$root/target/test-logs"
mkdir -p "$logdir"
passed=0
failed=0
bad_suites=()

# Property tests (proptest) draw their cases from a fixed seed here, so a run is reproducible and
# CI cannot turn red on a case nobody has seen. Exploring new cases is an explicit run:
#   HWOATH_EXPLORE=1 bash scripts/test.sh      (a fresh random seed; failures are saved to
#   tests/*.proptest-regressions, which every later run replays first)
if [ -z "${HWOATH_EXPLORE:-}" ]; then
  export PROPTEST_RNG_SEED="${PROPTEST_RNG_SEED:-20261128}"
fi

bash "$root/scripts/bootstrap.sh" test || { echo "bootstrap failed"; echo "0 passed, 1 failed"; exit 1; }

# count_rust LOG: sums "test result: ... N passed; M failed" lines.
count_rust() {
  local p f
  p=$(grep -aoE 'test result: [A-Za-z]+\. [0-9]+ passed' "$1" | awk '{s+=$4} END {print s+0}')
  f=$(grep -aoE '[0-9]+ failed' "$1" | awk '{s+=$1} END {print s+0}')
  echo "$p $f"
}

suite() { # suite NAME KIND COMMAND...
  local name="$1" kind="$2"; shift 2
  local log="$logdir/$name.log" rc p f
  echo "== $name: $*"
  "$@" >"$log" 2>&1
  rc=$?
  case "$kind" in
    rust) read -r p f < <(count_rust "$log") ;;
    node)
      p=$(grep -aE '^# pass [0-9]+' "$log" | awk '{s+=$3} END {print s+0}')
      f=$(grep -aE '^# fail [0-9]+' "$log" | awk '{s+=$3} END {print s+0}') ;;
    check) if [ $rc -eq 0 ]; then p=1; f=0; else p=0; f=1; fi ;;
  esac
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a crash or build failure counts
  passed=$((passed + p)); failed=$((failed + f))
  if [ $rc -ne 0 ]; then
    bad_suites+=("$name")
    echo "   FAILED (exit $rc): last lines of $log"
    tail -n 40 "$log" | sed 's/^/   | /'
  else
    echo "   $p passed, $f failed"
  fi
}

suite fmt check cargo fmt --all -- --check
suite clippy check cargo clippy --workspace --all-targets --quiet -- -D warnings
# the release-only generator of completions and man pages (src/bin/hwoath/dist_files.rs)
suite clippy-dist-files check cargo clippy --bin hwoath --features dist-files --quiet -- -D warnings
suite clippy-wasm check cargo clippy --workspace --target wasm32-unknown-unknown --all-targets --quiet -- -D warnings
# Dependencies: licences, banned crates, sources (deny.toml). The advisories check is not run: its
# database comes from GitHub, unreachable here (SECURITY.md). cargo deny reads the metadata of
# every target's crates, which no build here downloads (tokio, under wasm-bindgen-futures, only
# for other targets; the Windows-only crates of anstream): `cargo fetch --locked` brings them from
# crates.io at the locked versions first, so the check itself (--frozen) needs no network.
suite cargo-fetch check cargo fetch --locked
suite cargo-deny check cargo deny --frozen check bans licenses sources
# The workspace: the main crate and crates/hwoath-pgp (its unit tests; the OpenPGP interoperability
# with GnuPG is tests/pgp_gnupg.rs, through the CLI).
suite cargo-test rust cargo test --workspace --all-targets
suite wasm-build check bash "$root/scripts/build.sh" --single   # www/pkg and dist/hwoath.html (tests/page/offline.test.mjs)
suite wasm-node rust wasm-pack test --node
# The OpenPGP module's JS API under Node against GnuPG (www/pkg/hwoath_pgp.js from wasm-build).
suite pgp-node node node --test --test-reporter=tap --test-concurrency=1 tests/pgp/
suite page node node --test --test-reporter=tap --test-concurrency=1 tests/page/
# The release (issue 14): dist/release/ built, then its npm package in Node, tsc, esbuild and
# Chromium, its binaries (musl with env -i, aarch64 under qemu, Windows under Wine) against the
# native build, its SBOMs, completions and man pages; then the same commit released again in a
# fresh clone elsewhere must give the same SHA256SUMS.
suite release check bash "$root/scripts/release.sh"
suite release-tests node node --test --test-reporter=tap --test-concurrency=1 tests/release/
suite reproducible check bash "$root/tests/release/reproducible.sh"

echo
[ ${#bad_suites[@]} -eq 0 ] || echo "failed suites: ${bad_suites[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ ${#bad_suites[@]} -eq 0 ]
