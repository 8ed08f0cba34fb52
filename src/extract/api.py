"""Public functions: one PDF to its sheets, many paths to the three tables.

The pipeline itself (pages to sheets) is in pipeline.py."""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable

from .model import FileResult, Problem
from .inputs import display_name, file_sha256, iter_pdfs  # noqa: F401  (iter_pdfs, file_sha256: public here since the first version)
from .pdf_common import PdfError, classify
from .pipeline import read_all
from .readers import read_pdf
from .rules import Template, load_rules


def extract_pdf(path: str | Path, rules: list[Template] | str | Path | None = None,
                password: str | None = None, source_path: str | None = None,
                sha256: str | None = None, reader: str | None = None) -> FileResult:
    """Extract every sheet of one PDF. Never raises for a bad file: problems say why.
    `sha256` saves hashing the file again where the caller has done it already; `reader`
    is "pdfplumber" or "pdfium" (readers.READERS; None for readers.DEFAULT_READER)."""
    path = Path(path)
    templates = rules if isinstance(rules, list) else load_rules(rules)
    src = display_name(source_path or path.name)
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
    result.sheets, result.cell_sheets, probs = read_all(pages, templates)
    result.problems.extend(probs)
    return result




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
    """The tables (sheets, criteria, problems, fields) as pandas DataFrames."""
    from .tables import to_frames     # here: extracting (a batch worker) needs no pandas
    return to_frames(extract_many(paths, rules, password, reader=reader))
