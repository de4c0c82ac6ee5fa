#!/usr/bin/env bash
# The release is reproducible: the checked-out commit, built again by scripts/release.sh in a
# fresh clone at another path with its own, empty target directory, gives the same SHA256SUMS
# as dist/release/ (so every artefact is byte for byte the same).
#   bash tests/release/reproducible.sh       (after bash scripts/release.sh; scripts/test.sh runs it)
# What is shared, to stay within CI's time: the cargo registry (downloaded sources only; nothing
# compiled is reused) and tools/node_modules (the same pinned versions). When the working tree
# has uncommitted changes, dist/release/ is not the commit's: then two clones are built and
# compared with each other instead (twice the time), and this says so.
# On a difference it prints the differing lines of SHA256SUMS and keeps both trees' dist/release
# under target/reproducible/ for diffoscope or cmp.
set -euo pipefail
. "$(dirname "$0")/../../scripts/env.sh"
cd "$root"
[ -f dist/release/SHA256SUMS ] || { echo "dist/release/SHA256SUMS is missing: run bash scripts/release.sh first" >&2; exit 2; }
head="$(git rev-parse HEAD)"
grep -qx "commit $head" dist/release/BUILDINFO.txt ||
  { echo "dist/release/ is not of HEAD ($head): run bash scripts/release.sh again" >&2; exit 2; }
tmp="$(mktemp -d "${TMPDIR:-/tmp}/hwoath-repro-XXXXXX")"
clones=()
cleanup() {
  rm -rf "$tmp"
  # The Windows build's target directory of each clone (scripts/release.sh: under /tmp).
  for c in ${clones[@]+"${clones[@]}"}; do rm -rf "/tmp/hwoath-target-$(printf '%s' "$c" | sha256sum | cut -c1-16)"; done
}
trap cleanup EXIT

build() { # build DIR: a clone of HEAD at DIR, released there
  local dir="$1" started=$SECONDS
  clones+=("$dir")
  git clone --quiet "$root" "$dir"
  git -C "$dir" checkout --quiet --detach "$head"
  mkdir -p "$dir/tools"
  ln -s "$root/tools/node_modules" "$dir/tools/node_modules"
  cp "$root/tools/package.json" "$dir/tools/package.json"
  (cd "$dir" && env -u CARGO_TARGET_DIR bash scripts/release.sh >"$dir.log" 2>&1) ||
    { tail -30 "$dir.log" >&2; echo "release in $dir failed" >&2; exit 1; }
  echo "built $head in $dir in $((SECONDS - started)) s" >&2
}

if [ -z "$(git status --porcelain --untracked-files=normal)" ]; then
  a="$root"
  b="$tmp/another/directory/hwoath"
  build "$b"
else
  echo "uncommitted changes here: comparing two fresh clones of $head instead of dist/release/" >&2
  a="$tmp/one/hwoath"
  b="$tmp/another/directory/hwoath-again"
  build "$a"
  build "$b"
fi

if cmp -s "$a/dist/release/SHA256SUMS" "$b/dist/release/SHA256SUMS"; then
  echo "reproducible: $(wc -l <"$a/dist/release/SHA256SUMS") files, SHA256SUMS $(sha256sum "$a/dist/release/SHA256SUMS" | cut -c1-64) in $a and $b"
else
  echo "NOT reproducible: SHA256SUMS differ ($a vs $b):"
  diff "$a/dist/release/SHA256SUMS" "$b/dist/release/SHA256SUMS" || true
  keep="$root/target/reproducible"
  rm -rf "$keep" && mkdir -p "$keep"
  cp -r "$a/dist/release" "$keep/a" && cp -r "$b/dist/release" "$keep/b"
  echo "both kept in target/reproducible/{a,b}"
  exit 1
fi
