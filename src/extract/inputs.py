"""The input files of a run: PDFs found under the paths given, each once, each named
unambiguously (source_path), with symlinked folders followed and loops guarded."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Iterable, Iterator


def file_sha256(path: str | Path) -> str:
    """The hex sha256 of the file's bytes (what the cache and the provenance key on)."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def display_name(name: str) -> str:
    """A file name as text that can always be written (UTF-8, Parquet, a terminal): bytes
    that are not valid UTF-8 (kept by Python as surrogate escapes) become \\xNN."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _walk(folder: Path) -> Iterator[Path]:
    """Every *.pdf (any case) below folder, symlinked folders followed, each folder once."""
    seen: set[tuple[int, int]] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        try:
            st = os.stat(dirpath)
        except OSError:
            dirnames[:] = []
            continue
        if (st.st_dev, st.st_ino) in seen:     # a symlink loop, or a folder reached twice
            dirnames[:] = []
            continue
        seen.add((st.st_dev, st.st_ino))
        dirnames.sort()
        for n in sorted(filenames):
            p = Path(dirpath) / n
            if n.lower().endswith(".pdf") and p.is_file():
                yield p


def _root(paths: list[Path]) -> Path:
    """The folder source_paths are relative to: the common parent of the folders given
    (so their names are part of source_path) and of the files' folders."""
    bases = [os.path.dirname(os.path.abspath(p)) for p in paths]
    return Path(os.path.commonpath(bases)) if bases else Path(".")


def iter_pdfs(paths: Iterable[str | Path]) -> Iterator[tuple[Path, str]]:
    """(path, source_path) of every PDF under the files and folders given, each file once
    (the same file given twice, or reached twice through a symlink, is listed once).

    source_path is relative to the common root of the inputs and includes the name of a
    folder given (SHEETS/a/x.pdf for `SHEETS/`), so two files of the same name in different
    folders never share it. A file given by name has its bare name when it is the only input."""
    given = [Path(p) for p in paths]
    root = _root(given)
    seen: set[str] = set()
    for p in given:
        found = _walk(p) if p.is_dir() else [p]
        for f in found:
            real = os.path.realpath(f)
            if real in seen:
                continue
            seen.add(real)
            try:
                rel = Path(os.path.abspath(f)).relative_to(root).as_posix()
            except ValueError:
                rel = os.path.abspath(f)
            yield f, display_name(rel)
