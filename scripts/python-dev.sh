#!/usr/bin/env bash
# Installs the Python package `lethe_unlearn` into the oracles' environment ($LETHE_PYTHON) from an extension module
# that cargo already built, as `maturin develop` does (the module next to the package's Python source, a .pth file
# pointing there), without compiling it again: `make test` builds the native tests, the CLI and the extension in one
# cargo invocation, so that burn and its dependencies are compiled once (docs/build.md §10). maturin itself builds
# the wheels (`maturin build`) and the release module (`make bench-python`).
# Usage: scripts/python-dev.sh PATH/TO/lib_engine.so
set -euo pipefail
lib=${1:?usage: scripts/python-dev.sh PATH/TO/lib_engine.so}
root=$(cd "$(dirname "$0")/.." && pwd)
python=${LETHE_PYTHON:?LETHE_PYTHON names the environment's python}
source_dir="$root/crates/python/python"
[ -f "$lib" ] || { echo "python-dev: no extension module at $lib (build it with: cargo test --workspace --all-targets --no-run)" >&2; exit 1; }
# The module name maturin gives an abi3 extension (pyproject.toml: module-name = "lethe_unlearn._engine").
cp -f "$lib" "$source_dir/lethe_unlearn/_engine.abi3.so"
site=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
# One .pth file, the one maturin develop writes, so the two ways of installing replace each other.
printf '%s' "$source_dir" >"$site/lethe_unlearn.pth"
"$python" -c "import lethe_unlearn, sys; assert lethe_unlearn.__file__.startswith('$source_dir'), lethe_unlearn.__file__; print('lethe_unlearn', lethe_unlearn.__version__, 'from', '$source_dir', file=sys.stderr)"
