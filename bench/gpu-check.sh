#!/usr/bin/env bash
# The bench workloads natively, on a real GPU (burn's wgpu backend: Vulkan on Linux) and on the CPU, through a CLI
# built with `cargo build --release -p lethe-cli --features gpu`. Prints a markdown table; with OUT set, keeps the
# JSON reports there. Usage: bench/gpu-check.sh [path/to/lethe]
set -euo pipefail
BIN=${1:-${CARGO_TARGET_DIR:-target}/release/lethe}
OUT=${OUT:-$(mktemp -d)}
echo "| workload | backend | train s | first epoch s | last epoch s | test acc | wall s |"
echo "|---|---|---|---|---|---|---|"
for w in bench/workloads/*.json; do
  name=$(basename "$w" .json)
  for backend in wgpu cpu; do
    report="$OUT/$name-$backend.json"
    if ! "$BIN" run "$w" --backend "$backend" --out "$report" 2>"$OUT/$name-$backend.err"; then
      echo "| $name | $backend | failed: $(head -c 300 "$OUT/$name-$backend.err" | tr '\n|' ' /') | | | | |"
      continue
    fi
    python3 - "$report" "$name" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
run = r["runs"][0]
h = run["history"]
last = h[-1]["elapsed_seconds"] - (h[-2]["elapsed_seconds"] if len(h) > 1 else 0)
print(f"| {sys.argv[2]} | {r['backend']} | {run['seconds']:.3f} | {h[0]['elapsed_seconds']:.3f} | {last:.3f} | {run['test_acc']:.3f} | {r['wall_seconds']:.3f} |")
PY
  done
done
