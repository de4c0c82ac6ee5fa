#!/usr/bin/env python3
"""Print one value from wasm-pack.toml: toolcfg.py SECTION KEY (lists print space-separated).
toolcfg.py SECTION alone prints the section's keys, space-separated."""
import sys, tomllib, pathlib

cfg = tomllib.loads((pathlib.Path(__file__).resolve().parent.parent / "wasm-pack.toml").read_text())
if len(sys.argv) == 2:
    print(" ".join(cfg[sys.argv[1]]))
    sys.exit(0)
value = cfg[sys.argv[1]][sys.argv[2]]
print(" ".join(value) if isinstance(value, list) else value)
