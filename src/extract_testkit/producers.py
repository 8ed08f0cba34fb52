"""The producers the tests render sheets with, each with its style knobs.

    PRODUCERS["chromium"].render(specs, path, style)

reportlab draws with reportlab (render.py, no external program); chromium prints HTML with
headless Chromium (render_html.py); libreoffice exports a flat ODF text document with
LibreOffice Writer (render_office.py); libreoffice+gs and chromium+gs print those again with
Ghostscript's pdfwrite, as a PDF printer does (redistill.py; not reportlab's sheets: their
fonts are not embedded, and Ghostscript without them prints other glyphs); libreoffice+cairo,
chromium+cairo and reportlab+cairo print them again through cairo (`pdftocairo -pdf`, as GTK's
"Print to File" does; poppler draws reportlab's unembedded Heisei fonts with a system font
and cairo embeds that). `available()`
says whether the programs are installed and fontconfig knows a font with Japanese glyphs:
without one, both print every kanji and kana as glyph 0 of a Latin font (tofu boxes on the
page, no text for most of them in the text layer), and the sheet cannot be compared to its
spec.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from typing import Callable

from . import redistill, render, render_html, render_office


@cache
def japanese_font() -> bool:
    """Whether fontconfig has a font covering Japanese (`fc-list :lang=ja`)."""
    exe = shutil.which("fc-list")
    if exe is None:
        return False
    out = subprocess.run([exe, ":lang=ja", "family"], capture_output=True, text=True, timeout=60)
    return bool(out.stdout.strip())


@dataclass(frozen=True)
class Producer:
    name: str
    knobs: dict[str, list]
    render: Callable
    available: Callable[[], bool]
    # styles left out of random sweeps: combinations the README lists as known limitations
    excluded: Callable[[dict], bool] = lambda style: False


PRODUCERS = {
    "reportlab": Producer("reportlab", render.KNOBS, render.render_sheets, lambda: True),
    "chromium": Producer("chromium", render_html.HTML_KNOBS, render_html.render_chromium,
                         lambda: render_html.chromium() is not None and japanese_font()),
    "libreoffice": Producer("libreoffice", render_office.OFFICE_KNOBS, render_office.render_libreoffice,
                            lambda: render_office.soffice() is not None and japanese_font()),
}
PRODUCERS |= {f"{name}+gs": Producer(f"{name}+gs", PRODUCERS[name].knobs, redistill.redistilled(PRODUCERS[name].render),
                                     lambda base=PRODUCERS[name]: base.available() and redistill.ghostscript() is not None,
                                     PRODUCERS[name].excluded)
              for name in ("libreoffice", "chromium")}
PRODUCERS |= {f"{name}+cairo": Producer(f"{name}+cairo", PRODUCERS[name].knobs,
                                        redistill.redistilled(PRODUCERS[name].render, redistill.cairo_reprint),
                                        lambda base=PRODUCERS[name]: base.available() and redistill.pdftocairo() is not None,
                                        PRODUCERS[name].excluded)
              for name in ("libreoffice", "chromium", "reportlab")}
