#!/usr/bin/env bash
# Installs what `make serve` / `make test` need, pinned, skipping what is already there.
# Usage: scripts/bootstrap.sh [web|browser|python|all]
set -euo pipefail
what=${1:-all}
TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=0.2.130
PLAYWRIGHT_VERSION=1.64.1

say() { echo "[bootstrap] $*" >&2; }

need_apt=()
if [ "$what" = all ] || [ "$what" = browser ]; then
  [ -x /usr/bin/chromium ] || need_apt+=(chromium)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  say "installing Debian packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

if [ "$what" = all ] || [ "$what" = web ]; then
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
  # Tools, not the product: built without LTO and with many codegen units (trunk's own release profile asks for fat
  # LTO and one codegen unit, 11 minutes on 2 cores for a program that mostly waits on cargo). A profile set in the
  # environment overrides the crate's manifest (docs/build.md §3).
  export CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 CARGO_PROFILE_RELEASE_INCREMENTAL=false
  if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
    say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (about 2 minutes)"
    # Not --locked: its lock file pins a webpki-roots version the registry no longer serves (docs/build.md §2).
    CARGO_PROFILE_RELEASE_OPT_LEVEL=2 cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
  fi
  if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
    say "installing trunk $TRUNK_VERSION (about 4 minutes on 2 cores)"
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_PANIC=abort cargo install trunk --version "$TRUNK_VERSION" --locked --force
  fi
fi

# npm packages: binaryen's wasm-opt 132 for the build (Debian's 108 breaks wasm-bindgen 0.2.130's externref table),
# playwright-core for the browser tests (it drives Debian's Chromium; no browser is downloaded), TensorFlow.js 4.22
# for the bench's side-by-side comparison (dev only: the site never ships it).
if [ "$what" != python ] && { [ ! -f node_modules/playwright-core/package.json ] || [ ! -f node_modules/binaryen/package.json ] || [ ! -f node_modules/axe-core/axe.min.js ] \
  || [ ! -f node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm ]; }; then
  say "installing npm packages (binaryen, playwright-core $PLAYWRIGHT_VERSION, axe-core, TensorFlow.js)"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi

# A Python virtual environment for the native tests' external oracles (scikit-learn, pinned), under the cache
# directory so that every clone on this machine shares it. It is rebuilt only when the requirements change.
if [ "$what" = all ] || [ "$what" = python ]; then
  venv=${LETHE_VENV:-$HOME/.cache/lethe/venv}
  requirements=crates/engine/tests/oracle/requirements.txt
  stamp="$venv/.requirements"
  if [ ! -x "$venv/bin/python" ] || ! cmp -s "$requirements" "$stamp"; then
    say "creating the Python environment for the oracles at $venv ($(grep -c '==' "$requirements") pinned packages)"
    rm -rf "$venv"
    if ! python3 -m venv "$venv" 2>/dev/null; then
      # Debian's python3 keeps venv's pip bootstrap in a package of its own.
      say "installing Debian's python3-venv"
      SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
      $SUDO apt-get update -qq
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv >/dev/null
      rm -rf "$venv"
      /usr/bin/python3 -m venv "$venv"
    fi
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
  fi
fi
