"""Review-sheet specs (what review_render.py draws) and the truth files of rendered PDFs.

`review_specs.json` holds the 8 distinct sheets of the dev set (../shared/corpus-review, copied
from its truth files without `sheet_index` / `pages`) and invented sheets that vary what the
dev set keeps fixed: 2-4 budget years, no 要求 column, nulls and `－`, a 関連事業 group,
終了予定なし or a year, 平成32年度 printed on a 令和 sheet, rates printed as `97%` and `96.8`.

A truth file is the format of ../shared/corpus-review/SPEC.md, read by
../shared/tools/score_review.py: `<name>.truth.json` next to `<name>.pdf`.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from .review_render import RenderedSheet, ReviewStyle, render_review

HERE = Path(__file__).parent
SPECS_FILE = HERE / "review_specs.json"
DEV_SPEC_IDS = ("mext-h29-rikei", "mhlw-h28-wakamono", "maff-h27-choju", "env-h29-kaiyo",
                "cao-r3-ibasho", "mlit-h28-hashi", "mext-h30-taishin", "mofa-h28-bunka")


@lru_cache(maxsize=1)
def _load() -> tuple[dict, ...]:
    return tuple(json.loads(SPECS_FILE.read_text("utf-8")))


def review_specs() -> dict[str, dict]:
    """id -> spec (fresh copies: callers may change them)."""
    return {s["id"]: json.loads(json.dumps(s)) for s in _load()}


def review_spec(spec_id: str) -> dict:
    return review_specs()[spec_id]


def truth_document(pdf_name: str, sheets: list[RenderedSheet], style: ReviewStyle | dict,
                   renderer: str = "extract_testkit.review_render") -> dict:
    """The truth of one rendered PDF, as score_review.py reads it."""
    out = []
    for i, rs in enumerate(sheets):
        sp = dict(rs.spec)
        sp["sheet_index"] = i
        sp["pages"] = list(rs.pages)
        out.append(sp)
    knobs = style.as_dict() if isinstance(style, ReviewStyle) else dict(style)
    return {"file": pdf_name, "sheets": out, "expect_problem": None,
            "render": {"renderer": renderer, **knobs}}


def truth_path(pdf: Path) -> Path:
    return pdf.with_name(pdf.stem + ".truth.json")


def write_truth(pdf: Path, sheets: list[RenderedSheet], style: ReviewStyle) -> Path:
    """Write `<name>.truth.json` next to `pdf`; returns its path."""
    pdf = Path(pdf)
    return write_truth_document(pdf, truth_document(pdf.name, sheets, style))


def write_truth_document(pdf: Path, doc: dict) -> Path:
    """Write an already made truth document (e.g. of a problem file) next to `pdf`."""
    path = truth_path(Path(pdf))
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def render_with_truth(specs: list[dict], pdf: Path, style: dict | ReviewStyle | None = None) -> list[RenderedSheet]:
    """Render `specs` into `pdf` and write its truth file next to it."""
    st = style if isinstance(style, ReviewStyle) else ReviewStyle.from_dict(style)
    sheets = render_review(specs, pdf, st)
    write_truth(Path(pdf), sheets, st)
    return sheets


def render_chromium_with_truth(specs: list[dict], pdf: Path, style: dict | None = None) -> list[RenderedSheet]:
    """Print `specs` with Chromium (review_html.py) into `pdf` and write its truth file."""
    from .review_html import as_review_style, render_review_chromium
    sheets = render_review_chromium(specs, pdf, style)
    write_truth_document(Path(pdf), truth_document(Path(pdf).name, sheets, as_review_style(style or {}),
                                                   "extract_testkit.review_html"))
    return sheets


def render_calc_with_truth(specs: list[dict], pdf: Path, style: dict | None = None) -> list[RenderedSheet]:
    """Export `specs` with LibreOffice Calc (review_office.py) into `pdf` and write its truth file."""
    from .review_office import as_review_style, render_review_calc
    sheets = render_review_calc(specs, pdf, style)
    write_truth_document(Path(pdf), truth_document(Path(pdf).name, sheets, as_review_style(style or {}),
                                                   "extract_testkit.review_office"))
    return sheets
