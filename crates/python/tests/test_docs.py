"""The README's and docs/python.md's Python examples run as written (from the repository's root, as a reader would)."""

import os
import re

import pytest

from common import ROOT


def blocks(name):
    with open(os.path.join(ROOT, name), encoding="utf-8") as f:
        text = f.read()
    return [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "lethe_unlearn" in b]


@pytest.mark.parametrize("name", ["README.md", "docs/python.md"])
def test_the_examples_run(name, monkeypatch, capsys):
    found = blocks(name)
    assert found, f"{name} has no Python example"
    monkeypatch.chdir(ROOT)
    for code in found:
        namespace = {}
        exec(compile(code, name, "exec"), namespace)  # noqa: S102 - the documentation's own code
        assert namespace["scrubbed"].score(namespace["X_test"][namespace["y_test"] == 3], namespace["y_test"][namespace["y_test"] == 3]) == 0.0
    assert "forget_acc" in capsys.readouterr().out
