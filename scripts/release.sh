#!/usr/bin/env bash
# The release artefacts of the checked-out commit, in dist/release/:
#   hwoath.html, hwoath.html.sha256      the single offline page (scripts/build.sh --single)
#   hwoath-VERSION.tgz                    the npm package (scripts/npm-package.mjs, npm pack format)
#   hwoath-VERSION-TARGET[.exe]           static CLI binaries (wasm-pack.toml [release] targets)
#   completions/, man/                    shell completions and man pages of the CLI
#   hwoath-VERSION-*.cdx.json             one CycloneDX SBOM per compiled artefact (scripts/sbom.py)
#   BUILDINFO.txt                         the commit and the tool versions used
#   SHA256SUMS                            over every file above (sha256sum -c SHA256SUMS)
# Reproducible: the same commit built with the same tools gives the same SHA256SUMS in any
# directory (tests/release/reproducible.sh checks it). VERSION is Cargo.toml's package version.
#   bash scripts/release.sh
set -euo pipefail
. "$(dirname "$0")/env.sh"
cd "$root"
started=$SECONDS
say() { echo "release: $*" >&2; }

version="$(cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "hwoath"))')"
target_dir="$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
host="$(rustc -vV | sed -n 's/^host: //p')"

# Every date written is the commit's (reproducible-builds.org SOURCE_DATE_EPOCH).
if top="$(git rev-parse --show-toplevel 2>/dev/null)" && [ "$(cd "$top" && pwd -P)" = "$(pwd -P)" ]; then
  commit="$(git rev-parse HEAD)"
  export SOURCE_DATE_EPOCH="$(git log -1 --format=%ct HEAD)"
  if [ -n "$(git status --porcelain --untracked-files=normal)" ]; then
    say "uncommitted changes: these artefacts are not those of commit $commit (hwoath --version says so)"
  fi
elif [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  commit="none (not a git checkout)"
else
  say "not a git checkout: set SOURCE_DATE_EPOCH (Unix seconds) to date the artefacts"
  exit 2
fi

bash scripts/bootstrap.sh release

out="$root/dist/release"
work="$target_dir/release-work"
rm -rf "$out" "$work"
mkdir -p "$out" "$work"

# 1. The single offline page (and www/pkg, pkg/: the wasm the npm package is made of).
say "page and wasm (scripts/build.sh --single)"
bash scripts/build.sh --single >"$work/build.log"
cp dist/hwoath.html dist/hwoath.html.sha256 "$out/"

# 2. The npm package.
say "npm package"
tgz="$(node scripts/npm-package.mjs --stage "$work/npm" --pack "$out")"
[ "$(basename "$tgz")" = "hwoath-$version.tgz" ] || { say "npm pack wrote $tgz, not hwoath-$version.tgz"; exit 1; }

# 3. The CLI binaries. Paths kept in panic messages are rewritten to fixed prefixes; no build id
#    (rust-lld writes none), no PE timestamp; symbols stripped (profile dist). RUSTFLAGS is set,
#    not added to: the user's own flags would make a different binary.
unset CARGO_ENCODED_RUSTFLAGS
remap="--remap-path-prefix=$root=/hwoath --remap-path-prefix=${CARGO_HOME:-$HOME/.cargo}=/cargo --remap-path-prefix=$target_dir=/target"
targets="$(python3 scripts/toolcfg.py --json release targets)"
while IFS=$'\t' read -r triple name; do
  case "$triple" in
    *-linux-musl) linker=rust-lld flags="-C link-self-contained=yes" exe="" dir="$target_dir" ;;
    # GNU ld orders the PE import tables by the path of each input file (SORT(*) in its
    # script), and rustc writes the import libraries of std's raw-dylib imports under the target
    # directory: so that order, and the .exe, would depend on where the checkout is (one under
    # /work sorts after mingw-w64's /usr/x86_64-w64-mingw32/lib, one under /tmp before it).
    # The Windows build therefore always uses a target directory under /tmp, per checkout.
    x86_64-pc-windows-gnu) linker=x86_64-w64-mingw32-gcc flags="-C link-arg=-Wl,--no-insert-timestamp" exe=".exe"
      dir="/tmp/hwoath-target-$(printf '%s' "$root" | sha256sum | cut -c1-16)"
      flags="$flags --remap-path-prefix=$dir=/target" ;;
    *) say "no link settings for target $triple (scripts/release.sh)"; exit 1 ;;
  esac
  say "CLI for $triple"
  var="CARGO_TARGET_$(tr 'a-z-' 'A-Z_' <<<"$triple")_LINKER"
  env "$var=$linker" RUSTFLAGS="$remap $flags" \
    cargo build --quiet --locked --profile dist --target "$triple" --target-dir "$dir" --bin hwoath \
    --message-format=json-render-diagnostics >"$work/$triple.cargo.json" 2>"$work/$triple.log" ||
    { cat "$work/$triple.log" >&2; exit 1; }
  cp "$dir/$triple/dist/hwoath$exe" "$out/hwoath-$version-$name$exe"
done < <(python3 -c 'import json,sys; [print(f"{k}\t{v}") for k, v in json.loads(sys.argv[1]).items()]' "$targets")

# 4. Completions and man pages, from the same command-line definition (a host build with the
#    dist-files feature; never shipped), dated by the commit.
say "completions and man pages"
RUSTFLAGS="" cargo build --quiet --locked --target "$host" --features dist-files --bin hwoath 2>"$work/dist-files.log" ||
  { cat "$work/dist-files.log" >&2; exit 1; }
"$target_dir/$host/debug/hwoath" dist-files "$out" "$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)"

# 5. The SBOMs: what is compiled into the wasm and into each binary.
say "SBOMs"
python3 scripts/sbom.py --out "$out" --version "$version" --targets "$targets"

# 6. What a second builder needs to get the same bytes.
{
  echo "hwoath $version"
  echo "commit $commit"
  echo "SOURCE_DATE_EPOCH $SOURCE_DATE_EPOCH"
  rustc -V
  cargo -V
  wasm-pack --version
  wasm-bindgen --version
  echo "wasm-opt $(wasm-opt --version)"
  echo "esbuild $(esbuild --version)"
  echo "zopfli $(dpkg-query -W -f='${Version}' zopfli) (Debian)"
  echo "node $(node --version), npm $(npm --version)"
  cargo cyclonedx --version
  x86_64-w64-mingw32-gcc --version | head -1
  x86_64-w64-mingw32-ld --version | head -1
} >"$out/BUILDINFO.txt"

# 7. The checksums of everything (sha256sum -c SHA256SUMS, in dist/release/).
(cd "$out" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum >SHA256SUMS)

(cd "$out" && find . -type f -printf '%s\t%P\n' | LC_ALL=C sort -k2 |
  awk -F'\t' '{printf "  %10s  %s\n", $1, $2}') >&2
say "dist/release/ written in $((SECONDS - started)) s; SHA256SUMS $(sha256sum "$out/SHA256SUMS" | cut -c1-64)"
