"""Imported by the multiprocessing forkserver of a batch (set_forkserver_preload): the
forkserver ends with the process that started it, and has the extractor loaded already,
with fugashi's dictionary (a third of a second per worker otherwise: workers are forked
afresh after --max-tasks files, and every one would load it again). What it loaded is then
frozen (gc.freeze, as Python's documentation advises before forking): a forked worker's
garbage collector never walks it, so never writes to (copies) those pages.

The pdfplumber reader (pdf.py) is not among them: workers.context adds it for a run that
uses it."""
import gc

from . import lifeline

lifeline.die_with_parent()
from . import api, batch, pdfium, ranges  # noqa: E402,F401  (preload: forked workers start with them imported)
from .match import tagger  # noqa: E402

tagger()
gc.freeze()
