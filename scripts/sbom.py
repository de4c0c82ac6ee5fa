#!/usr/bin/env python3
"""The release's SBOMs (CycloneDX 1.5 JSON, by cargo-cyclonedx, pinned in wasm-pack.toml):
   python3 scripts/sbom.py --out DIR --version V --targets JSON      (scripts/release.sh)

One SBOM per compiled artefact, listing every crate compiled into it for its target (the
dependency sets differ: the wasm has wasm-bindgen and no clap, the binaries the reverse), build
scripts' own dependencies left out (--no-build-deps):
  <package>-V-wasm32.cdx.json   each workspace package with a cdylib: the wasm inside hwoath.html
                                and the npm package
  hwoath-V-<name>.cdx.json      the CLI binary of each [release] target (JSON: triple -> name)
Made reproducible: the timestamp is SOURCE_DATE_EPOCH (cargo-cyclonedx reads it), there is no
serial number, and the checkout's path becomes /hwoath (as in the binaries' remapped paths, with one spelling of
the workspace packages' ids).
Each names its artefacts (property hwoath:artefact) and, for a binary, the binary's SHA-256.
"""
import argparse, glob, hashlib, json, os, pathlib, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("--version", required=True)
ap.add_argument("--targets", required=True)
args = ap.parse_args()
out = pathlib.Path(args.out)
root = pathlib.Path(__file__).resolve().parent.parent
targets = json.loads(args.targets)
if "SOURCE_DATE_EPOCH" not in os.environ:
    sys.exit("sbom.py: SOURCE_DATE_EPOCH is not set (scripts/release.sh sets it)")

meta = json.loads(subprocess.run(["cargo", "metadata", "--no-deps", "--format-version", "1", "--locked"],
                                 cwd=root, check=True, capture_output=True, text=True).stdout)
members = [p for p in meta["packages"] if p["id"] in meta["workspace_members"]]


def generated():
    return {f for p in members for f in glob.glob(str(pathlib.Path(p["manifest_path"]).parent / "*.cdx.json"))}


def cyclonedx(triple):
    """Runs cargo-cyclonedx for one target; returns {(package, kind): path} of what it wrote."""
    for f in generated():  # left over from an interrupted run
        os.remove(f)
    subprocess.run(["cargo", "cyclonedx", "--quiet", "--format", "json", "--spec-version", "1.5", "--no-build-deps",
                    "--describe", "binaries", "--target", triple, "--target-in-filename"], cwd=root, check=True)
    found = {}
    for f in generated():
        name = pathlib.Path(f).name
        for p in members:
            # Named after the crate (hwoath_pgp_…), in the package's own directory.
            here = pathlib.Path(f).parent == pathlib.Path(p["manifest_path"]).parent
            prefix = f"{p['name'].replace('-', '_')}_"
            if here and name.startswith(prefix) and name.endswith(f"_{triple}.cdx.json"):
                kind = name[len(prefix):-len(f"_{triple}.cdx.json")]
                found[(p["name"], kind)] = f
    return found


# cargo's id of a workspace package names its directory, and spells itself `#0.1.0` when the
# directory is named after the package but `#name@0.1.0` otherwise: one spelling, under /hwoath.
canonical = {}
for p in members:
    rel = pathlib.Path(p["manifest_path"]).parent.relative_to(root).as_posix()
    canonical[p["id"]] = f"path+file:///hwoath{'' if rel == '.' else '/' + rel}#{p['name']}@{p['version']}"


def clean(value, here):
    if isinstance(value, dict):
        return {k: clean(v, here) for k, v in value.items()}
    if isinstance(value, list):
        return [clean(v, here) for v in value]
    if isinstance(value, str):
        value = canonical.get(value, value)
        return value.replace(f"file://{here}", "file:///hwoath")
    return value


def compiled(package, triple):
    """name@version of every crate cargo resolves for `package` alone on `triple` (normal
    dependencies, features as a build of that package unifies them: what is compiled into it)."""
    tree = subprocess.run(["cargo", "tree", "--locked", "-p", package, "-e", "normal", "--target", triple,
                           "--prefix", "none", "-f", "{p}"], cwd=root, check=True, capture_output=True, text=True).stdout
    return {f"{w[0]}@{w[1][1:]}" for w in (line.split() for line in tree.splitlines() if line.strip())}


def only(bom, keep):
    """The SBOM cut to the crates in `keep`: cargo-cyclonedx resolves the whole workspace, so a
    package's SBOM would also name crates (and features' crates) only another member pulls in."""
    bom["components"] = [c for c in bom.get("components", []) if f"{c['name']}@{c['version']}" in keep]
    refs = {c["bom-ref"] for c in bom["components"]} | {bom["metadata"]["component"]["bom-ref"]}
    bom["dependencies"] = [{**d, "dependsOn": [r for r in d.get("dependsOn", []) if r in refs]}
                           for d in bom.get("dependencies", []) if d["ref"] in refs]
    return bom


def write(src, dest, artefacts, package, triple, binary=None):
    bom = only(clean(json.loads(pathlib.Path(src).read_text()), root), compiled(package, triple))
    bom.pop("serialNumber", None)
    md = bom.setdefault("metadata", {})
    md.setdefault("properties", []).extend({"name": "hwoath:artefact", "value": a} for a in artefacts)
    if binary is not None:
        md["component"]["hashes"] = [{"alg": "SHA-256", "content": hashlib.sha256(binary.read_bytes()).hexdigest()}]
    (out / dest).write_text(json.dumps(bom, indent=2, sort_keys=False) + "\n")


made = []
found = cyclonedx("wasm32-unknown-unknown")
for (package, kind), f in sorted(found.items()):
    if "cdylib" in kind.split("-"):
        dest = f"{package}-{args.version}-wasm32.cdx.json"
        write(f, dest, ["hwoath.html", f"hwoath-{args.version}.tgz"], package, "wasm32-unknown-unknown")
        made.append(dest)
for f in found.values():
    os.remove(f)

for triple, name in targets.items():
    found = cyclonedx(triple)
    exe = ".exe" if "windows" in triple else ""
    binary = f"hwoath-{args.version}-{name}{exe}"
    if ("hwoath", "bin") not in found:
        sys.exit(f"sbom.py: cargo-cyclonedx wrote no SBOM for the hwoath binary on {triple}")
    dest = f"hwoath-{args.version}-{name}.cdx.json"
    write(found[("hwoath", "bin")], dest, [binary], "hwoath", triple, out / binary)
    made.append(dest)
    for f in found.values():
        os.remove(f)

if not any(m.endswith("-wasm32.cdx.json") for m in made):
    sys.exit("sbom.py: no wasm SBOM (no cdylib package?)")
