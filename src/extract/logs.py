"""Warnings of the libraries we read PDFs with: counted per file and kept in the log.

pdfminer warns through `logging` about every odd font or object it meets ("Could not get
FontBBox from font descriptor…" once per font and page of a browser-printed file); with no
logging configured, Python prints each one on stderr. While a file is read they are
collected instead, and one INFO record on the `extract.pdf` logger sums them up: configure
logging (`logging.basicConfig(level=logging.INFO, filename=…)`) to keep it.
"""
from __future__ import annotations

import contextlib
import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

# The loggers whose records are collected while a PDF is read.
CAPTURED = ("pdfminer",)
# How many distinct messages the summary record quotes.
QUOTED = 3

log = logging.getLogger("extract.pdf")


@dataclass
class Tally:
    """Warnings collected while one file was read, by message."""
    messages: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.messages.values())

    def summary(self) -> str:
        top = "; ".join(f"{m[:100]} (x{n})" for m, n in self.messages.most_common(QUOTED))
        more = len(self.messages) - QUOTED
        return f"{self.total} pdfminer warning(s): {top}" + (f"; {more} more kind(s)" if more > 0 else "")


class _Collect(logging.Handler):
    def __init__(self, tally: Tally):
        super().__init__(logging.WARNING)
        self.tally = tally

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.tally.messages[record.getMessage()] += 1
        except Exception:       # a record whose arguments do not format: count it anyway
            self.tally.messages[str(record.msg)] += 1


@contextlib.contextmanager
def collect_warnings(source: str) -> Iterator[Tally]:
    """Collect the warnings of CAPTURED loggers (and their children) instead of letting them
    reach the terminal; at the end log one INFO summary for `source` if there were any."""
    tally = Tally()
    handler = _Collect(tally)
    saved = []
    for name in CAPTURED:
        lg = logging.getLogger(name)
        saved.append((lg, lg.propagate))
        lg.addHandler(handler)
        lg.propagate = False
    try:
        yield tally
    finally:
        for lg, propagate in saved:
            lg.removeHandler(handler)
            lg.propagate = propagate
        if tally.total:
            log.info("%s: %s", source, tally.summary())
