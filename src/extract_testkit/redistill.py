"""Sheets printed again by a PDF printer: Ghostscript's pdfwrite device re-distils a PDF as
the PDF printers of office PCs do (its own font subsets and descriptors, its own content
streams). The glyph boxes come out lower than in the original by about a sixth of an em
(other declared descents), the rules a few hundredths of a point off.

    redistill(src, dst)         # gs -sDEVICE=pdfwrite -o dst src
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Callable


def ghostscript() -> str | None:
    """The Ghostscript executable, or None."""
    return shutil.which("gs")


def redistill(src: str | Path, dst: str | Path) -> Path:
    exe = ghostscript()
    if exe is None:
        raise RuntimeError("Ghostscript (gs) is not installed")
    dst = Path(dst)
    subprocess.run([exe, "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=pdfwrite", "-o", str(dst), str(src)],
                   check=True, capture_output=True, timeout=300)
    return dst


def redistilled(render: Callable) -> Callable:
    """A producer's render function whose PDF then goes through redistill; returns the
    reprint's path (as render_html and render_office return theirs)."""
    def render_then_redistill(specs: list[dict], path: str | Path, style: dict | None = None) -> Path:
        with tempfile.TemporaryDirectory(prefix="extract-gs-") as tmp:
            first = Path(tmp) / "first.pdf"
            render(specs, first, style)
            return redistill(first, path)
    return render_then_redistill
