"""What the Python package's tests share: the examples, the CLI's report (LETHE_CLI, the CLI cargo test builds; make
test sets it), and reports compared without what differs between two runs of the same work."""

import json
import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def example(name):
    return os.path.join(ROOT, "examples", name)


def cli(path, *args):
    """The CLI's report of the experiment file `path`."""
    binary = os.environ.get("LETHE_CLI")
    if not binary:
        pytest.skip("LETHE_CLI is not set (make test sets it to the CLI cargo test builds)")
    out = subprocess.run([binary, "run", path, *args], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def timeless(value, also=()):
    """The report without what differs between two runs of the same work: wall times and the host's name, and the
    keys in `also` (a federation on Flower measures `history_bytes` on disk, the simulation in memory)."""
    if isinstance(value, dict):
        return {
            k: timeless(v, also)
            for k, v in value.items()
            if not (k == "seconds" or k.endswith("_seconds") or k in ("speedup_vs_retrain", "host") or k in also)
        }
    if isinstance(value, list):
        return [timeless(v, also) for v in value]
    return value
