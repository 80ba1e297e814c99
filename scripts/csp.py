#!/usr/bin/env python3
"""Writes the Content-Security-Policy into the built index.html (trunk post_build hook), and drops the `integrity`
attribute that Chromium ignores (with a warning) on the wasm's fetch preload.

trunk injects an inline module loader whose text changes with the hashed file names, so its sha256 is computed
here after each build (docs/architecture.md section 7). The policy lets the page load its own files, start the engine worker
from a blob: URL (which inherits this policy), and connect to nothing but its own origin."""
import base64
import hashlib
import os
import re
import sys

staging = os.environ.get("TRUNK_STAGING_DIR") or (sys.argv[1] if len(sys.argv) > 1 else "dist")
path = os.path.join(staging, "index.html")
html = open(path, encoding="utf-8").read()
hashes = []
for m in re.finditer(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, re.S):
    digest = base64.b64encode(hashlib.sha256(m.group(1).encode("utf-8")).digest()).decode()
    hashes.append(f"'sha256-{digest}'")
policy = "; ".join([
    "default-src 'self'",
    "script-src 'self' 'wasm-unsafe-eval' " + " ".join(hashes),
    "worker-src 'self' blob:",
    "connect-src 'self'",
    "img-src 'self' data: blob:",
    "style-src 'self' 'unsafe-inline'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
])
if "LETHE_CSP" not in html:
    sys.exit(f"csp.py: no LETHE_CSP placeholder in {path}")
# trunk puts an `integrity` attribute on the wasm's <link rel="preload" as="fetch">, which Chromium ignores with a
# console warning (preload destinations without subresource integrity, crbug.com/981419). Drop it there only; the
# module preload of the JS keeps its integrity.
html, dropped = re.subn(r'(<link rel="preload"[^>]*?) integrity="[^"]*"([^>]*as="fetch")', r"\1\2", html)
open(path, "w", encoding="utf-8").write(html.replace("LETHE_CSP", policy))
print(f"csp.py: {len(hashes)} inline script(s) hashed into the policy; integrity dropped from {dropped} fetch preload(s)")
