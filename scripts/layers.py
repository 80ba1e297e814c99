#!/usr/bin/env python3
"""Keeps the workspace's modules layered (make lint).

1. The engine is built bottom-up: each top-level module of crates/engine/src sits on a layer (LAYERS below) and may
   import only modules of lower layers. An import that climbs, or one between two modules of the same layer, is a
   failing line naming the file, the import and the rule.
2. No crate has an import circle between its files (a file importing its own parent module, `super::` items, is how
   Rust nests modules and is not counted).

Imports are read from the text: every `crate::…`, `super::…` and `self::…` path, brace groups expanded one level.
Run: python3 scripts/layers.py
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The engine's layers, lowest first. A module may import the modules of the layers below its own.
LAYERS = [
    ["error"],
    ["host", "backend", "linalg", "metrics"],
    ["data"],
    ["model"],
    ["fit"],
    ["train", "forget"],
    ["unlearn", "rows"],
    ["audit", "weights"],
    ["interchange"],
    ["lab", "federated", "vbu"],
    ["run"],
]
# Items defined in the engine's lib.rs, by the module they stand for.
LIB_ITEMS = {"block_on": "error", "params_of": "fit"}

CRATES = {
    "engine": "crates/engine/src",
    "protocol": "crates/protocol/src",
    "worker": "crates/worker/src",
    "worker-gpu": "crates/worker-gpu/src",
    "cli": "crates/cli/src",
    "page": "src",
}

PATH = re.compile(r"\b(crate|super|self)((?:::\w+)+)(::\{[^{}]*\})?")


def rust_files(src):
    for dirpath, _, names in os.walk(src):
        for name in sorted(names):
            if name.endswith(".rs"):
                yield os.path.join(dirpath, name)


def module_of(src, path):
    """The module path of a file: src/a/b.rs and src/a/b/mod.rs are ['a', 'b']; lib.rs and main.rs are []."""
    rel = os.path.relpath(path, src)[:-3].split(os.sep)
    if rel[-1] in ("mod", "lib", "main"):
        rel = rel[:-1]
    return rel


def file_of(src, module):
    """The file that defines the longest existing prefix of `module`."""
    for n in range(len(module), 0, -1):
        base = os.path.join(src, *module[:n])
        for candidate in (base + ".rs", os.path.join(base, "mod.rs")):
            if os.path.exists(candidate):
                return candidate
    for root in ("lib.rs", "main.rs"):
        if os.path.exists(os.path.join(src, root)):
            return os.path.join(src, root)
    return None


def imports(src, path):
    """(line number, text, absolute module path) of every path the file names."""
    here = module_of(src, path)
    is_mod = os.path.basename(path) in ("mod.rs", "lib.rs", "main.rs")
    # Inside a #[cfg(test)] module, tests may reach anywhere: stop reading there.
    text = open(path, encoding="utf-8").read().split("#[cfg(test)]")[0]
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("//"):
            continue
        for m in PATH.finditer(line):
            head, rest, group = m.group(1), m.group(2).split("::")[1:], m.group(3)
            if head == "crate":
                base = []
            else:
                base = here if is_mod else here[:-1]
                if head == "super":
                    base = base[:-1]
                while rest and rest[0] == "super":
                    base, rest = base[:-1], rest[1:]
            targets = [base + rest]
            if group:
                for item in group[3:-1].split(","):
                    item = item.strip().split(" as ")[0].split("::")[0]
                    if item and item != "self":
                        targets.append(base + rest + [item])
            for t in targets:
                yield number, line.strip(), t


def check_engine_layers():
    src = os.path.join(ROOT, CRATES["engine"])
    layer = {m: i for i, ms in enumerate(LAYERS) for m in ms}
    failures = []
    for path in rust_files(src):
        here = module_of(src, path)
        if not here:
            continue
        own = here[0]
        if own not in layer:
            failures.append(f"{path}: module `{own}` has no layer in scripts/layers.py")
            continue
        for number, line, target in imports(src, path):
            if not target:
                continue
            other = LIB_ITEMS.get(target[0], target[0])
            if other == own or other not in layer:
                continue
            if layer[other] >= layer[own]:
                rel = os.path.relpath(path, ROOT)
                failures.append(
                    f"{rel}:{number}: `{own}` (layer {layer[own]}) imports `{other}` (layer {layer[other]}): "
                    f"an engine module imports only lower layers\n    {line}"
                )
    return failures


def cycles(src):
    """Circles between files of one crate, parent modules left out."""
    graph = {}
    for path in rust_files(src):
        here_dir = os.path.dirname(path)
        edges = set()
        for _, _, target in imports(src, path):
            f = file_of(src, target)
            if f is None or f == path:
                continue
            # A file's own ancestors (the mod.rs above it, lib.rs/main.rs) hold the items it nests under.
            if os.path.basename(f) in ("mod.rs", "lib.rs", "main.rs") and here_dir.startswith(os.path.dirname(f)):
                continue
            edges.add(f)
        graph[path] = edges
    found, state, stack = [], {}, []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found


def main():
    failures = check_engine_layers()
    for name, rel in CRATES.items():
        src = os.path.join(ROOT, rel)
        if not os.path.isdir(src):
            continue
        for circle in cycles(src):
            failures.append(
                f"{name}: an import circle: " + " → ".join(os.path.relpath(p, ROOT) for p in circle)
            )
    for f in failures:
        print(f)
    if failures:
        print(f"layers: {len(failures)} problem(s)", file=sys.stderr)
        return 1
    print("layers: the engine imports only downwards; no import circle in the workspace")
    return 0


if __name__ == "__main__":
    sys.exit(main())
