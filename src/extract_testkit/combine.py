"""Long PDFs for scale tests and benchmarks: sample sheet PDFs joined page by page with pypdf,
the way a ministry publishes a whole round (令和4: 85 sheets) as one file."""
from __future__ import annotations

import json
from pathlib import Path


def sheet_samples(samples: Path) -> list[Path]:
    """The sample PDFs that hold sheets (those whose truth expects no error), sorted."""
    out = []
    for p in sorted(samples.glob("*.pdf")):
        truth = samples / f"{p.stem}.truth.json"
        if truth.exists():
            t = json.loads(truth.read_text(encoding="utf-8"))
            if t.get("expect_problem") or not t.get("sheets"):
                continue
        out.append(p)
    return out


def join_pdfs(sources: list[Path], dest: Path, min_sheets: int) -> tuple[int, int]:
    """Append the sources to one PDF in turn until it holds at least `min_sheets` sheets
    (as their truth files count them); returns (sheets, pages) of the file written."""
    from pypdf import PdfReader, PdfWriter
    if not sources:
        raise ValueError("no source PDFs to join")
    sheets_of = {}
    for p in sources:
        truth = p.with_name(f"{p.stem}.truth.json")
        sheets_of[p] = len(json.loads(truth.read_text(encoding="utf-8"))["sheets"]) \
            if truth.exists() else 1
    writer = PdfWriter()
    sheets = pages = i = 0
    while sheets < min_sheets:
        src = sources[i % len(sources)]
        reader = PdfReader(src)
        for page in reader.pages:
            writer.add_page(page)
            pages += 1
        sheets += sheets_of[src]
        i += 1
    dest.parent.mkdir(parents=True, exist_ok=True)
    with open(dest, "wb") as f:
        writer.write(f)
    return sheets, pages
