#!/usr/bin/env python3
"""Drops the `name` custom section (function names for stack traces) from the built worker wasm (trunk post_build
hook). It is 6.4 MB of the worker's 42 MB, 1.1 MB of its 6.3 MB gzip, and the engine does not need it: panic
messages keep their file and line. `strip = "symbols"` in Cargo would also drop the `target_features` section that
wasm-bindgen reads, and wasm-opt takes over 10 minutes on this file (docs/BENCHMARKS.md), so this walks the
sections and copies every other one unchanged."""
import os
import sys

staging = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist")


def leb128(data, i):
    value, shift = 0, 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def strip(path):
    data = open(path, "rb").read()
    if data[:4] != b"\0asm":
        sys.exit(f"strip_names: {path} is not a wasm module")
    out = bytearray(data[:8])
    i, dropped = 8, 0
    while i < len(data):
        start = i
        kind = data[i]
        size, body = leb128(data, i + 1)
        end = body + size
        name = ""
        if kind == 0:
            length, at = leb128(data, body)
            name = data[at : at + length].decode("utf-8", "replace")
        if name == "name":
            dropped += end - start
        else:
            out += data[start:end]
        i = end
    if i != len(data):
        sys.exit(f"strip_names: {path} ends inside a section")
    if dropped:
        open(path, "wb").write(out)
    print(f"strip_names: {path}: dropped {dropped} bytes of names, {len(out)} bytes left")


# Both engines: the CPU-only worker and the WebGPU worker.
for wasm in ("lethe-worker_bg.wasm", "lethe-worker-gpu_bg.wasm"):
    strip(os.path.join(staging, wasm))
