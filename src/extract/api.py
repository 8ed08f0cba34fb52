"""Public functions: one PDF to its sheets, many paths to the three tables."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterable, Iterator

from . import values
from .layout import Index
from .model import FileResult, Page, Problem, Sheet
from .furniture import strip_furniture
from .pdf import PdfError, classify
from .readers import read_pdf
from .rules import Template, load_rules
from .sheet import SheetReader, UnknownTemplate, clip, find_anchors, sheet_starts

# Share of (cid:NN)/U+FFFD glyphs above which a page's text layer is taken as garbled.
GARBLED_SHARE = 0.05
# Below this a criterion's canonical key is reported as doubtful.
LOW_CONFIDENCE = 0.75


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_pdf(path: str | Path, rules: list[Template] | str | Path | None = None,
                password: str | None = None, source_path: str | None = None,
                sha256: str | None = None, reader: str | None = None) -> FileResult:
    """Extract every sheet of one PDF. Never raises for a bad file: problems say why.
    `sha256` saves hashing the file again where the caller has done it already; `reader`
    is "pdfplumber" or "pdfium" (readers.READERS; None for readers.DEFAULT_READER)."""
    path = Path(path)
    templates = rules if isinstance(rules, list) else load_rules(rules)
    src = source_path or path.name
    try:
        digest = sha256 or file_sha256(path)
    except OSError as e:
        return FileResult(src, "", problems=[Problem("error", "unreadable_pdf",
                                                     f"The file cannot be opened ({e.strerror}).")])
    result = FileResult(src, digest)
    try:
        pages = read_pdf(path, password, reader)
    except PdfError as e:
        result.problems.append(Problem("error", e.code, e.message))
        return result
    except (Exception, MemoryError) as e:  # a parser failure deep inside pdfminer on a broken file
        err = classify(e)
        result.problems.append(Problem("error", err.code, err.message))
        return result
    result.sheets, probs = read_pages(pages, templates)
    result.problems.extend(probs)
    return result


def _text_layer_problem(pages: list[Page]) -> Problem | None:
    n = sum(len(p.glyphs) for p in pages)
    garbled = sum(p.n_garbled for p in pages)
    if not pages:
        return Problem("error", "unreadable_pdf", "No page of the PDF could be read; the file may "
                       "be damaged, so download it again.")
    if n == 0:
        if any(p.n_images for p in pages):
            return Problem("error", "no_text_layer", "The pages are images without a text layer "
                           "(a scan); run OCR on the file before extracting.")
        return Problem("error", "no_text_layer", "The PDF has no text at all; if its pages are "
                       "drawn as outlines or images, run OCR on it before extracting.")
    if garbled / max(n, 1) > GARBLED_SHARE:
        return Problem("error", "garbled_text", "The fonts have no usable ToUnicode map, so the text "
                       "reads as (cid:NN) codes; the file needs OCR or a re-export with embedded text.")
    return None


def _sheet_pages(pages: list[Page], starts: list[tuple], k: int) -> list[Page]:
    """The pages of sheet k: from where it begins to where the next one begins, the first
    and last page clipped where sheets share a page."""
    i, y0 = starts[k][0], starts[k][1]
    ni, ny = (starts[k + 1][0], starts[k + 1][1]) if k + 1 < len(starts) else (len(pages), 0.0)
    if ni == i:
        return [clip(pages[i], y0, ny)]
    out = [clip(pages[i], y0, None) if y0 > 0 else pages[i]] + pages[i + 1:ni]
    if ni < len(pages) and ny > 0:
        out.append(clip(pages[ni], 0.0, ny))
    return out


def _looks_garbled(pages: list[Page]) -> bool:
    """Wrong characters rather than (cid:NN): hardly any Japanese, mostly ASCII symbols."""
    text = "".join(g.text for p in pages for g in p.glyphs)
    if len(text) < 50:
        return False
    cjk = sum(1 for ch in text if ord(ch) >= 0x3000)
    ascii_sym = sum(1 for ch in text if ch.isascii() and not ch.isalnum() and not ch.isspace())
    return cjk / len(text) < 0.2 and ascii_sym / len(text) > 0.25


def read_pages(pages: list[Page], templates: list[Template]) -> tuple[list[Sheet], list[Problem]]:
    prob = _text_layer_problem(pages)
    if prob:
        return [], [prob]
    labels = {f.label for t in templates for f in t.fields.values()}
    labels |= {w for t in templates for w in (t.text_header, t.criterion_header)}
    pages = strip_furniture(pages, labels)
    starts = []     # (page index, y where the sheet begins on it, Index, Anchors)
    needed = [set(t.text_header) for t in templates]
    for i, page in enumerate(pages):
        chars = {g.text for g in page.glyphs}
        if not any(n <= chars for n in needed):
            continue    # no criteria table header on this page: it starts no sheet
        idx = Index(page.glyphs, page.rulings)
        ys = sheet_starts(page, idx, templates)
        for j, y0 in enumerate(ys):
            if ys == [0.0]:
                sub, sidx = page, idx
            else:       # several sheets printed on one page
                sub = clip(page, y0, ys[j + 1] if j + 1 < len(ys) else None)
                sidx = Index(sub.glyphs, sub.rulings)
            a = find_anchors(sub, sidx, templates)
            if a is not None:
                starts.append((i, y0, sidx, a))
    if not starts:
        if _looks_garbled(pages):
            return [], [Problem("error", "garbled_text", "The text layer reads as random symbols "
                                "(fonts without a usable ToUnicode map); the file needs OCR or a "
                                "re-export with embedded text.")]
        return [], [Problem("error", "unknown_template", "No page of this PDF looks like an "
                            "evaluation sheet (no 分担金・拠出金の名称 / 達成状況 labels); "
                            "if it is a new template, add a rules file.")]
    sheets, problems = [], []
    for k, (i, y0, idx, a) in enumerate(starts):
        reader = SheetReader(_sheet_pages(pages, starts, k), templates, k)
        try:
            sheet = reader.read(idx, a)
        except UnknownTemplate as e:
            problems.append(Problem("error", "unknown_template", f"The sheet has the labels of an "
                                    f"evaluation sheet but {e}; if it is a new template, add a rules file.",
                                    None, k))
            continue
        except Exception as e:   # a layout we do not understand: report, never guess
            problems.append(Problem("error", "layout_error", f"The sheet on page {pages[i].number} "
                                    f"could not be read ({type(e).__name__}: {e}).", None, k))
            continue
        sheet.problems = reader.problems
        sheet.src = reader.src
        finalize(sheet)
        sheets.append(sheet)
        problems.extend(sheet.problems)
    return sheets, problems


def finalize(sheet: Sheet) -> None:
    """Parse raw field texts into typed values; every gap becomes a problem row."""
    f = sheet.fields
    t = sheet.template_obj
    out: dict = {}

    def missing(name: str, what: str):
        sheet.problems.append(Problem("warning", "missing_field", f"No {what} was found on the sheet.",
                                      name, sheet.sheet_index))

    def invalid(name: str, what: str, raw):
        sheet.problems.append(Problem("warning", "invalid_value", f"The {what} {raw!r} could not be "
                                      "read; left empty.", name, sheet.sheet_index))

    out["fiscal_year"] = f.get("fiscal_year")
    out["fiscal_year_label"] = f.get("fiscal_year_label")
    if out["fiscal_year"] is None:
        missing("fiscal_year", "fiscal year (年度) next to the contribution name")
    out["contribution_name"] = f.get("contribution_name")
    if not out["contribution_name"]:
        missing("contribution_name", "contribution name (分担金・拠出金の名称)")
    org = f.get("organization_name")
    out["organization_name"] = org
    out["organization_abbr"] = values.acronym(org) if org else None
    if not org:
        missing("organization_name", "organisation name (拠出先の国際機関名)")
    dept = f.get("department")
    if dept:
        out["bureau"], out["division"] = values.split_bureau_division(dept)
        if out["division"] is None:
            invalid("division", "department", dept)
    else:
        out["bureau"] = out["division"] = None
        missing("bureau", "department (担当課・室名)")
    label = f.get("budget_label")
    out["budget_label"] = label
    out["budget_jpy"] = None
    if label:
        out["budget_jpy"] = values.parse_yen(label, f.get("budget_unit"))
        if out["budget_jpy"] is None:
            invalid("budget_jpy", "budget", label)
    elif not f.get("budget_ambiguous"):
        missing("budget_jpy", "budget (予算額)")
    rating = f.get("overall_rating_raw")
    out["overall_rating"] = None
    if rating:
        if rating in t.overall_scale:
            out["overall_rating"] = rating
        else:
            invalid("overall_rating", "overall rating", rating)
    else:
        missing("overall_rating", "overall rating (総合評価)")
    out["overview"] = f.get("overview")
    if not out["overview"]:
        missing("overview", "overview (国際機関の概要)")
    sheet.fields = out
    seen = set()
    for c in sheet.criteria:
        name = f"criteria[{c.no}]"
        if c.canonical is None:
            sheet.problems.append(Problem("warning", "unknown_criterion", f"Criterion title {c.label!r} "
                                          f"matches no title of template {t.id}.", name, sheet.sheet_index))
        elif c.confidence < LOW_CONFIDENCE:
            sheet.problems.append(Problem("warning", "low_confidence", f"Criterion {c.no}'s title "
                                          f"{c.label!r} fits the rules' title only partly "
                                          f"(confidence {c.confidence:.2f}); check its canonical key.",
                                          name, sheet.sheet_index))
        if c.rating is not None and t.criterion_scale and c.rating not in t.criterion_scale:
            invalid(f"{name}.rating", "criterion rating", c.rating)
            c.rating = None
        if not c.text:
            missing(f"{name}.text", f"achievement text for criterion {c.no}")
        seen.add(c.no)
    for cr in t.criteria:
        if cr.no not in seen:
            missing(f"criteria[{cr.no}]", f"criterion {cr.no} ({cr.title})")


def iter_pdfs(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str]]:
    """Files and folders (recursive, *.pdf in any case) with their path relative to the root given."""
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for f in sorted(x for x in p.rglob("*") if x.is_file() and x.suffix.lower() == ".pdf"):
                yield f, f.relative_to(p).as_posix()
        else:
            yield p, p.name


def extract_many(paths: Iterable[str | Path], rules: str | Path | list[Template] | None = None,
                 password: str | None = None,
                 progress: Callable[[FileResult, int], None] | None = None,
                 reader: str | None = None) -> list[FileResult]:
    """Extract every PDF under the given paths; one bad file never stops the rest."""
    templates = rules if isinstance(rules, list) else load_rules(rules)
    results = []
    for n, (path, rel) in enumerate(iter_pdfs(paths), 1):
        r = extract_pdf(path, templates, password, rel, reader=reader)
        results.append(r)
        if progress:
            progress(r, n)
    return results


def extract_tables(paths: Iterable[str | Path], rules=None, password: str | None = None,
                   reader: str | None = None):
    """The three tables (sheets, criteria, problems) as pandas DataFrames."""
    from .tables import to_frames
    return to_frames(extract_many(paths, rules, password, reader=reader))
