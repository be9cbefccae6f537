#!/usr/bin/env python3
"""Fails when a source folder includes from a folder it must not (DESIGN.md's arrows).

usage: check_layers.py REPO_ROOT
Every `#include "folder/..."` in a C++ file under a library folder must name the
folder itself or one it may depend on. Prints each offending line; exits 1 if any.
"""
import pathlib
import re
import sys

# folder -> folders it may include from (besides itself)
ALLOWED = {
    "core": set(),
    "store": {"core"},
    "tools": {"store", "core"},
    "llm": {"store", "core"},
    "experiments": {"store", "core"},
    "paper": {"experiments", "tools", "store", "core"},  # compiles LaTeX in the sandbox, resolves citations
    "agent": {"llm", "paper", "experiments", "tools", "store", "core"},
    "cli": {"web", "agent", "llm", "paper", "experiments", "tools", "store", "core"},  # `shoal serve` starts the web UI
    "web": {"store", "core"},
    "python": {"agent", "llm", "paper", "experiments", "tools", "store", "core"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/')


def violations(root: pathlib.Path):
    for folder, allowed in ALLOWED.items():
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in {".hpp", ".cpp", ".h", ".cc"}:
                continue
            for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                m = INCLUDE.match(line)
                if m and m.group(1) in ALLOWED and m.group(1) != folder and m.group(1) not in allowed:
                    yield f"{path.relative_to(root)}:{number}: {folder}/ must not include {m.group(1)}/ ({line.strip()})"


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    found = list(violations(root))
    for v in found:
        print(v)
    checked = sum(1 for f in ALLOWED if (root / f).is_dir())
    print(f"layers: {checked} folders checked, {len(found)} violation(s)")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
