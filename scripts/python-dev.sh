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
python=${LETHE_PYTHON:?set LETHE_PYTHON to the Python of the environment}
source_dir="$root/crates/python/python"
[ -f "$lib" ] || { echo "python-dev: no extension module at $lib (make test builds it: cargo build --workspace --all-targets)" >&2; exit 1; }
# The module name maturin gives an abi3 extension (pyproject.toml: module-name = "lethe_unlearn._engine").
cp -f "$lib" "$source_dir/lethe_unlearn/_engine.abi3.so"
site=$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
# One .pth file, the one maturin develop writes, so the two ways of installing replace each other.
printf '%s' "$source_dir" >"$site/lethe_unlearn.pth"
# The distribution's metadata, as an installed package has it (importlib.metadata, pip and Flower's app
# dependency "lethe-unlearn" look for it); one installed at another version or by maturin is replaced.
"$python" - "$site" "$source_dir" <<'PY'
import glob, os, shutil, sys
import lethe_unlearn

site, source_dir = sys.argv[1], sys.argv[2]
assert lethe_unlearn.__file__.startswith(source_dir + os.sep), f"lethe_unlearn comes from {lethe_unlearn.__file__}, not {source_dir}"
for old in glob.glob(os.path.join(site, "lethe_unlearn-*.dist-info")):
    shutil.rmtree(old)
info = os.path.join(site, f"lethe_unlearn-{lethe_unlearn.__version__}.dist-info")
os.makedirs(info)
files = {
    "METADATA": f"Metadata-Version: 2.1\nName: lethe-unlearn\nVersion: {lethe_unlearn.__version__}\nRequires-Dist: numpy>=1.22\n",
    "INSTALLER": "lethe scripts/python-dev.sh\n",
}
for name, text in files.items():
    with open(os.path.join(info, name), "w") as f:
        f.write(text)
with open(os.path.join(info, "RECORD"), "w") as f:
    f.write("".join(f"{os.path.basename(info)}/{name},,\n" for name in [*files, "RECORD"]) + "lethe_unlearn.pth,,\n")
print(f"lethe_unlearn {lethe_unlearn.__version__} installed from {source_dir}", file=sys.stderr)
PY
