"""Sheets printed again by a PDF printer: Ghostscript's pdfwrite device re-distils a PDF as
the PDF printers of office PCs do (its own font subsets and descriptors, its own content
streams). The glyph boxes come out lower than in the original by about a sixth of an em
(other declared descents), the rules a few hundredths of a point off.

    redistill(src, dst)         # gs -sDEVICE=pdfwrite -o dst src
    cairo_reprint(src, dst)     # pdftocairo -pdf src dst (poppler through cairo, as GTK's
                                # "Print to File" and Linux browsers write PDFs)
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


def pdftocairo() -> str | None:
    """poppler's pdftocairo executable, or None."""
    return shutil.which("pdftocairo")


def cairo_reprint(src: str | Path, dst: str | Path) -> Path:
    """src drawn again through cairo's PDF surface: its own Type 1 font subsets, whose
    descriptors declare the font's whole bounding box (Noto CJK: /Descent -1048), its own
    flipped text matrices, and no /ActualText."""
    exe = pdftocairo()
    if exe is None:
        raise RuntimeError("pdftocairo (poppler-utils) is not installed")
    dst = Path(dst)
    subprocess.run([exe, "-pdf", str(src), str(dst)], check=True, capture_output=True, timeout=300)
    return dst


def redistilled(render: Callable, reprint: Callable = redistill) -> Callable:
    """A producer's render function whose PDF then goes through `reprint` (redistill or
    cairo_reprint); returns the reprint's path (as render_html and render_office return theirs)."""
    def render_then_redistill(specs: list[dict], path: str | Path, style: dict | None = None) -> Path:
        with tempfile.TemporaryDirectory(prefix="extract-gs-") as tmp:
            first = Path(tmp) / "first.pdf"
            render(specs, first, style)
            return reprint(first, path)
    return render_then_redistill
