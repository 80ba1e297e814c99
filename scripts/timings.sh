#!/usr/bin/env bash
# Prints the steps of the last `make test` (scripts/step.sh's file) as a table with the total.
set -euo pipefail
file=${1:?usage: scripts/timings.sh TIMINGS.tsv}
[ -f "$file" ] || exit 0
echo "[lethe] steps (seconds):" >&2
awk -F'\t' '{ printf "  %6d  %s\n", $2, $1; total += $2 } END { printf "  %6d  total (%d min %d s)\n", total, total / 60, total % 60 }' "$file" >&2
