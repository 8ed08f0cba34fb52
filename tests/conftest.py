"""Shared fixtures: paths, the shipped rules, and extraction results cached per session.

Extracting a PDF takes a few tenths of a second; several test files look at the same
samples, so each (PDF, password) is extracted once per pytest session.
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
# The shared dev corpus, when the checkout sits next to it (optional; tests skip otherwise).
CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus"


REVIEW_SAMPLES = SAMPLES / "review"     # 行政事業レビューシート samples (the second family)


def sample_pdfs() -> list[Path]:
    """The MOFA samples: samples/*.pdf, not the review sheets of samples/review/."""
    return sorted(SAMPLES.glob("*.pdf"))


def load_golden_tool():
    """tools/update_golden.py as a module: the one definition of the golden format."""
    name = "update_golden"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / "update_golden.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def shipped_rules():
    """The shipped evaluation-sheet templates (the cell families: test_review_family.py)."""
    from extract import load_rules
    from extract.rules import evaluation_templates
    return evaluation_templates(load_rules())


@pytest.fixture(scope="session")
def extracted(shipped_rules):
    """extracted(path, password=None) -> FileResult, extracted once per session.

    source_path is the bare file name (as the CLI gives a file named on the command line)."""
    from extract import extract_pdf
    cache: dict = {}

    def get(path, password=None):
        path = Path(path)
        key = (str(path.resolve()), password)
        if key not in cache:
            cache[key] = extract_pdf(path, shipped_rules, password=password, source_path=path.name)
        return cache[key]

    return get


@pytest.fixture(scope="session")
def golden_tool():
    return load_golden_tool()
