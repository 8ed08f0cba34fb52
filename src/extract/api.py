"""Public functions: one PDF to its sheets, many paths to the three tables.

The pipeline itself (pages to sheets) is in pipeline.py."""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .model import FileResult, Problem
from .pdf import PdfError, classify, iter_pages, open_pdf
from .pipeline import read_all
from .rules import Template, load_rules


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def extract_pdf(path: str | Path, rules: list[Template] | str | Path | None = None,
                password: str | None = None, source_path: str | None = None,
                sha256: str | None = None) -> FileResult:
    """Extract every sheet of one PDF. Never raises for a bad file: problems say why.
    `sha256` saves hashing the file again where the caller has done it already."""
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
        with open_pdf(path, password) as pdf:
            pages = list(iter_pages(pdf))
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
                 progress: Callable[[FileResult, int], None] | None = None) -> list[FileResult]:
    """Extract every PDF under the given paths; one bad file never stops the rest."""
    templates = rules if isinstance(rules, list) else load_rules(rules)
    results = []
    for n, (path, rel) in enumerate(iter_pdfs(paths), 1):
        r = extract_pdf(path, templates, password, rel)
        results.append(r)
        if progress:
            progress(r, n)
    return results


def extract_tables(paths: Iterable[str | Path], rules=None, password: str | None = None):
    """The tables (sheets, criteria, problems, fields) as pandas DataFrames."""
    from .tables import to_frames     # here: extracting (a batch worker) needs no pandas
    return to_frames(extract_many(paths, rules, password))
