"""The two PDF readers behind one call: a path to its pages (model.Page), or PdfError.

pdfium (pdfium.py) is the default: the same pages as pdfplumber's (pdf.py, the reference;
tests/test_readers.py holds them equal) several times faster."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:       # (the CLI imports this module for READERS before the engine is loaded)
    from .model import Page

READERS = ("pdfplumber", "pdfium")
DEFAULT_READER = "pdfium"


def read_pdf(path: str | Path, password: str | None = None, reader: str | None = None) -> list[Page]:
    """Every page of the PDF with the reader named (default DEFAULT_READER); raises
    pdf_common.PdfError for a file that cannot be read, ValueError for an unknown reader.
    Each reader's module is imported here, when it is used: the batch's main process reads
    no PDF, and a pdfium run never loads pdfplumber."""
    reader = reader or DEFAULT_READER
    if reader == "pdfium":
        from . import pdfium
        from .pdf_common import PdfError
        try:
            return pdfium.read_pages(path, password)
        except PdfError as err:
            # as pdf.open_pdf: a password that does not fit is tried without, so a PDF with
            # only an owner password opens whatever --password says
            if not password or err.code != "encrypted":
                raise
            return pdfium.read_pages(path, None)
    if reader == "pdfplumber":
        from . import pdf
        with pdf.open_pdf(path, password) as doc:
            return list(pdf.iter_pages(doc))
    raise ValueError(f"unknown reader {reader!r} (choose one of {', '.join(READERS)})")
