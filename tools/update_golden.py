#!/usr/bin/env python3
"""Regenerate the golden outputs of the sample PDFs.

    .venv/bin/python tools/update_golden.py            # every samples/*.pdf
    .venv/bin/python tools/update_golden.py NAME ...   # only these (file name or stem)
    .venv/bin/python tools/update_golden.py --check    # compare only; exit 1 on a difference

For each samples/<name>.pdf it writes samples/<name>.expected.json next to it:

    {"sheets": [...], "criteria": [...], "problems": [...]}

the rows of the three output tables for that one file (extract.tables.rows), with
source_path the bare file name, floats rounded to 0.1, keys sorted, UTF-8 (no \\u escapes),
indent 1. Every column is deterministic (sheet_id and source_sha256 depend only on the
PDF bytes), so all are kept. tests/test_golden.py compares a fresh extraction with these
files; run this tool after a deliberate change of output, then review `git diff samples/`.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(ROOT / "src"))     # works without an editable install too


def golden(result) -> dict:
    """The golden dict of one extract.FileResult: defined once, in extract.golden."""
    from extract.golden import golden as _golden
    return _golden(result)


def extract_golden(pdf: Path, rules=None) -> dict:
    from extract import extract_pdf
    return golden(extract_pdf(pdf, rules, source_path=pdf.name))


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def expected_path(pdf: Path) -> Path:
    return pdf.with_name(pdf.stem + ".expected.json")


def load_expected(pdf: Path) -> dict:
    return json.loads(expected_path(pdf).read_text(encoding="utf-8"))


def sample_pdfs(folder: Path = SAMPLES) -> list[Path]:
    return sorted(p for p in folder.glob("*.pdf") if p.is_file())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="sample file names or stems (default: all)")
    ap.add_argument("--check", action="store_true", help="do not write; exit 1 when a golden differs")
    ap.add_argument("--folder", type=Path, default=SAMPLES,
                    help="the samples folder (default samples/; the review family: samples/review)")
    a = ap.parse_args(argv)
    from extract import load_rules
    rules = load_rules()
    pdfs = sample_pdfs(a.folder.resolve())
    if a.names:
        want = {Path(n).stem if n.endswith(".pdf") else n for n in a.names}
        unknown = want - {p.stem for p in pdfs}
        if unknown:
            print(f"update_golden: no such sample: {', '.join(sorted(unknown))}", file=sys.stderr)
            return 2
        pdfs = [p for p in pdfs if p.stem in want]
    changed = 0
    for pdf in pdfs:
        text = dumps(extract_golden(pdf, rules))
        out = expected_path(pdf)
        old = out.read_text(encoding="utf-8") if out.exists() else None
        status = "unchanged" if old == text else ("new" if old is None else "changed")
        if status != "unchanged":
            changed += 1
            if not a.check:
                out.write_text(text, encoding="utf-8")
        print(f"{status:>9}  {out.relative_to(ROOT)}")
    print(f"{len(pdfs)} sample(s), {changed} {'differ' if a.check else 'written'}")
    return 1 if (a.check and changed) else 0


if __name__ == "__main__":
    sys.exit(main())
