#!/usr/bin/env bash
# Bounded fuzzing of every cargo-fuzz target (nightly only; never part of CI or scripts/test.sh).
#
#   scripts/fuzz.sh [seconds-per-target] [target...]     (default: 60 s, every target)
#
# Each target runs from its committed corpus (fuzz/corpus/<target>/) for the given time, one
# job, with memory and per-input time limits. New inputs land in fuzz/work/<target>/ (ignored by
# git); afterwards corpus + work are merged (-set_cover_merge=1 -use_counters=0: a small set of
# inputs reaching the same edges, hit counts ignored) back into fuzz/corpus/<target>/, leaving out inputs longer than the maximum
# length (so the committed corpus stays small; beyond 4 KB, length adds time rather than
# coverage). Crashes, timeouts and OOMs are written to fuzz/artifacts/<target>/: fix the cause,
# then copy the input to fuzz/regressions/<target>/ so tests/fuzz_corpus.rs replays it on stable.
#
# Prints executions and crashes per target and a total. Exit 1 when anything crashed.
# Environment: FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT (seconds per input, default 10),
# FUZZ_MAX_LEN (bytes per input, default 4096, at most 65535), FUZZ_NO_MERGE=1 to leave the
# corpus alone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
export PATH="$HOME/.cargo/bin:$PATH"
secs="${1:-60}"
shift || true
rss="${FUZZ_RSS_MB:-2048}"
timeout="${FUZZ_TIMEOUT:-10}"
max_len="${FUZZ_MAX_LEN:-4096}"
[ "$max_len" -le 65535 ] || max_len=65535

bash "$root/scripts/bootstrap.sh" fuzz   # cargo-fuzz at the version pinned in wasm-pack.toml
if ! rustup toolchain list | grep -q '^nightly'; then
  echo "fuzz: cargo fuzz needs a nightly toolchain: rustup toolchain install nightly" >&2
  exit 2
fi

cd "$root/fuzz"
if [ $# -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
# One compile job and one fuzzing job: the machine is shared. No sanitizer: hwoath forbids
# unsafe code, so AddressSanitizer would only halve the executions (panics, overflows with
# debug assertions, stack exhaustion, hangs and OOMs are caught without it).
export CARGO_BUILD_JOBS=1
fuzz=(cargo +nightly fuzz)
san=(--sanitizer none)
"${fuzz[@]}" build "${san[@]}" >&2

total_execs=0
total_crashes=0
summary=()
for t in "${targets[@]}"; do
  corpus="corpus/$t"
  work="work/$t"
  artifacts="artifacts/$t"
  mkdir -p "$corpus" "$work" "$artifacts"
  before="$(find "$artifacts" -type f | sort)"
  log="$(mktemp)"
  echo "fuzz: $t for ${secs}s" >&2
  set +e
  "${fuzz[@]}" run "${san[@]}" "$t" "$work" "$corpus" -- \
    -max_total_time="$secs" -rss_limit_mb="$rss" -timeout="$timeout" -max_len="$max_len" \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  set -e
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  execs="${execs:-0}"
  new="$(comm -13 <(printf '%s\n' "$before") <(find "$artifacts" -type f | sort) | sed '/^$/d')"
  crashes=$(printf '%s' "$new" | grep -c . || true)
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then
    # A failure without an artifact (build error, libFuzzer refusing a flag): show it.
    tail -20 "$log" >&2
    crashes=1
  fi
  if [ "$crashes" -gt 0 ]; then
    grep -E "panicked at|ERROR: libFuzzer|SUMMARY" "$log" | head -5 >&2 || true
    printf '%s\n' "$new" | sed 's/^/fuzz: new artifact fuzz\//' >&2
  fi
  rm -f "$log"
  if [ "${FUZZ_NO_MERGE:-0}" != 1 ]; then
    merged="$(mktemp -d)"
    find "$corpus" "$work" -type f -size +"${max_len}"c -delete
    "${fuzz[@]}" run "${san[@]}" "$t" "$merged" "$corpus" "$work" -- \
      -set_cover_merge=1 -use_counters=0 -rss_limit_mb="$rss" -timeout="$timeout" -max_len="$max_len" >/dev/null 2>&1 || {
      echo "fuzz: merge failed for $t; corpus left as it was" >&2
      rm -rf "$merged"
      merged=""
    }
    if [ -n "$merged" ]; then
      rm -rf "$corpus"
      mv "$merged" "$corpus"
      chmod 755 "$corpus"
      rm -rf "$work"
    fi
  fi
  files=$(find "$corpus" -type f | wc -l)
  bytes=$(du -sb "$corpus" | cut -f1)
  summary+=("$(printf '%-16s %12s execs %3s crashes  corpus %4s files %8s bytes' "$t" "$execs" "$crashes" "$files" "$bytes")")
  total_execs=$((total_execs + execs))
  total_crashes=$((total_crashes + crashes))
done
printf '%s\n' "${summary[@]}"
printf '%-16s %12s execs %3s crashes\n' "total" "$total_execs" "$total_crashes"
[ "$total_crashes" -eq 0 ]
