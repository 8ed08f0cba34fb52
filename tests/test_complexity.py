"""No function in src/extract above cyclomatic complexity 20 (radon, as `radon cc -s src/extract`)."""
from __future__ import annotations

from pathlib import Path

import pytest

cc = pytest.importorskip("radon.complexity")
from radon.visitors import Function  # noqa: E402

SRC = Path(__file__).resolve().parents[1] / "src" / "extract"
MAX_COMPLEXITY = 20


def _blocks():
    for path in sorted(SRC.glob("*.py")):
        for b in cc.cc_visit(path.read_text(encoding="utf-8")):
            for f in [b] if isinstance(b, Function) else b.methods:    # a class: its methods
                yield path.name, f


def test_no_function_above_the_limit():
    too = [f"{name}:{b.lineno} {b.name} {b.complexity}" for name, b in _blocks() if b.complexity > MAX_COMPLEXITY]
    assert not too, "functions above complexity 20: " + "; ".join(too)


def test_the_check_sees_functions():
    assert sum(1 for _ in _blocks()) > 200      # the glob and the parser found the code
