#!/usr/bin/env python3
"""Reads wasm-pack.toml for the scripts.

  toolcfg.py SECTION KEY     one value (lists print space-separated; a tool's entry prints its
                             version, e.g. `toolcfg.py tools wasm-pack`)
  toolcfg.py SECTION --keys  the section's keys, one per line
  toolcfg.py --json SECTION KEY  one value as JSON (tables, e.g. `--json release targets`)
  toolcfg.py plan TIER       what scripts/bootstrap.sh installs for TIER (and the tiers it
                             includes), one tool per line, tab-separated:
                               rustup  TARGET
                               debian  PACKAGE
                               cargo   CRATE  VERSION  BIN
                               npm     PACKAGE  VERSION
"""
import sys, tomllib, pathlib

cfg = tomllib.loads((pathlib.Path(__file__).resolve().parent.parent / "wasm-pack.toml").read_text())


def fail(msg):
    print(f"toolcfg: wasm-pack.toml: {msg}", file=sys.stderr)
    sys.exit(2)


def tiers_of(tier):
    """TIER and every tier it includes, transitively."""
    tiers = cfg["tiers"]
    if tier not in tiers:
        fail(f"no tier {tier!r} (tiers: {', '.join(tiers)})")
    seen, todo = [], [tier]
    while todo:
        t = todo.pop()
        if t not in seen:
            seen.append(t)
            todo.extend(tiers[t])
    return seen


def entry(section, name):
    """(tier, version, bin) of one tool line; a bare string is the tier (rustup, debian)."""
    value = cfg[section][name]
    if section in ("rustup", "debian"):
        if not isinstance(value, str):
            fail(f'[{section}] {name}: write `{name} = "TIER"`')
        tier, version, binary = value, None, None
    else:
        if not isinstance(value, dict) or "version" not in value or "tier" not in value:
            fail(f'[{section}] {name}: write `{name} = {{ version = "X.Y.Z", tier = "TIER" }}`')
        tier, version = value["tier"], value["version"]
        binary = value.get("bin", name) if section == "tools" else None
    if tier not in cfg["tiers"]:
        fail(f"[{section}] {name}: no tier {tier!r} (tiers: {', '.join(cfg['tiers'])})")
    return tier, version, binary


if len(sys.argv) == 4 and sys.argv[1] == "--json":
    import json
    print(json.dumps(cfg[sys.argv[2]][sys.argv[3]]))
    sys.exit(0)
if len(sys.argv) != 3:
    fail("usage: toolcfg.py SECTION KEY | SECTION --keys | --json SECTION KEY | plan TIER")
section, key = sys.argv[1], sys.argv[2]

if section == "plan":
    wanted = tiers_of(key)
    for sec, kind in (("rustup", "rustup"), ("debian", "debian"), ("tools", "cargo"), ("npm", "npm")):
        for name in cfg[sec]:
            tier, version, binary = entry(sec, name)
            if tier in wanted:
                print("\t".join(x for x in (kind, name, version, binary) if x is not None))
    sys.exit(0)

if key == "--keys":
    print("\n".join(cfg[section]))
    sys.exit(0)
value = cfg[section][key]
if section in ("tools", "npm"):
    value = entry(section, key)[1]
print(" ".join(value) if isinstance(value, list) else value)
