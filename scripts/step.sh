#!/usr/bin/env bash
# Runs one step of `make test` or `make serve` and says which step it is, when it starts and how long it took, so a
# long cold run shows where it is instead of minutes of silence. Each finished step is appended to
# $LETHE_TIMINGS (tab-separated: step, seconds, exit status), the file docs/build.md's breakdown is read from.
# Usage: scripts/step.sh NAME COMMAND [ARG...]
set -uo pipefail
name=$1
shift
start=$(date +%s)
echo "[lethe $(date +%H:%M:%S)] ${name}: started" >&2
"$@"
status=$?
seconds=$(($(date +%s) - start))
if [ "$status" = 0 ]; then
  echo "[lethe $(date +%H:%M:%S)] ${name}: done in ${seconds} s" >&2
else
  echo "[lethe $(date +%H:%M:%S)] ${name}: FAILED (exit ${status}) after ${seconds} s" >&2
fi
if [ -n "${LETHE_TIMINGS:-}" ]; then
  mkdir -p "$(dirname "$LETHE_TIMINGS")"
  printf '%s\t%s\t%s\n' "$name" "$seconds" "$status" >>"$LETHE_TIMINGS"
fi
exit "$status"
