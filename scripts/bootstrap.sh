#!/usr/bin/env bash
# Installs what `make serve` / `make test` need, pinned, skipping what is already there.
# Usage: scripts/bootstrap.sh [web|browser|python|all]
#   web      the wasm32 target, wasm-bindgen-cli and trunk (compiled from the Rust registry), the npm packages
#   browser  Debian's Chromium and the npm packages
#   python   the Python environment of the oracles and of the Python package's tests
#   all      all three; the downloads (Debian's packages, npm, PyPI) run while the two Rust tools compile
set -euo pipefail
what=${1:-all}
TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
PLAYWRIGHT_VERSION=1.64.1
cd "$(dirname "$0")/.."

say() { echo "[bootstrap] $*" >&2; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo

venv=${LETHE_VENV:-$HOME/.cache/lethe/venv}
requirements=crates/engine/tests/oracle/requirements.txt

apt_install() {
  say "installing Debian's $*"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# Debian's packages: Chromium for the browser tests.
debian_packages() {
  [ -x /usr/bin/chromium ] || apt_install chromium
}

rust_tools() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown || return 1
  fi
  # Tools, not the product: built without LTO and with many codegen units. trunk's own release profile asks for fat
  # LTO and one codegen unit (10 min 47 s on 2 cores, for a program that mostly waits on cargo); a profile set in
  # the environment overrides the crate's manifest (docs/build.md §3).
  export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_INCREMENTAL=false
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
    # Not --locked: its lock file pins a webpki-roots version the registry no longer serves (docs/build.md §2).
    CARGO_PROFILE_RELEASE_OPT_LEVEL=2 cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force || return 1
  fi
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
    say "installing trunk $TRUNK_VERSION (about 4 minutes on 2 cores)"
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_PANIC=abort cargo install trunk --version "$TRUNK_VERSION" --locked --force || return 1
  fi
}

# npm packages: binaryen's wasm-opt 132 for the build (Debian's 108 breaks wasm-bindgen 0.2.130's externref table),
# playwright-core for the browser tests (it drives Debian's Chromium; no browser is downloaded), TensorFlow.js 4.22
# for the bench's side-by-side comparison (dev only: the site never ships it).
npm_packages() {
  if [ ! -f node_modules/playwright-core/package.json ] || [ ! -f node_modules/binaryen/package.json ] || [ ! -f node_modules/axe-core/axe.min.js ] \
    || [ ! -f node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm ]; then
    say "installing npm packages (binaryen, playwright-core $PLAYWRIGHT_VERSION, axe-core, TensorFlow.js)"
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
  fi
}

# A Python virtual environment for the native tests' external oracles (scikit-learn, pinned) and the Python package's
# tests, under the cache directory so that every clone on this machine shares it. It is rebuilt only when the
# requirements change; pip keeps the downloaded wheels in its cache (~/.cache/pip) for a rebuild.
python_env() {
  local stamp="$venv/.requirements"
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
    say "creating the Python environment at $venv ($(grep -c '==' "$requirements") pinned packages)"
    rm -rf "$venv"
    if ! python3 -m venv "$venv" 2>/dev/null; then
      # Debian's python3 keeps venv's pip bootstrap in a package of its own.
      apt_install python3-venv
      rm -rf "$venv"
      python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
  fi
}

# Runs a function in the background with its output kept, so that the downloads go on while the Rust tools compile.
jobs_pid=(); jobs_log=(); jobs_name=()
background() {
  local log
  log=$(mktemp)
  ("$@") >"$log" 2>&1 &
  jobs_pid+=($!)
  jobs_log+=("$log")
  jobs_name+=("$1")
}
# One job for both, since apt-get may run for each and only one apt-get runs at a time.
debian_then_python() { debian_packages || return 1; python_env; }

case "$what" in
  web) rust_tools; npm_packages ;;
  browser) debian_packages; npm_packages ;;
  python) python_env ;;
  all)
    background debian_then_python
    background npm_packages
    status=0
    rust_tools || status=$?
    for i in "${!jobs_pid[@]}"; do
      if ! wait "${jobs_pid[$i]}"; then
        status=1
        say "FAILED: ${jobs_name[$i]} (its output follows)"
      fi
      cat "${jobs_log[$i]}" >&2
      rm -f "${jobs_log[$i]}"
    done
    exit "$status"
    ;;
  *) echo "usage: scripts/bootstrap.sh [web|browser|python|all]" >&2; exit 2 ;;
esac
