"""Imported by the multiprocessing forkserver of a batch (set_forkserver_preload): the
forkserver ends with the process that started it, and has the extractor loaded already,
with fugashi's dictionary (a third of a second per worker otherwise: workers are forked
afresh after --max-tasks files, and every one would load it again)."""
from . import lifeline

lifeline.die_with_parent()
from . import api, batch, pdf, pdfium, ranges  # noqa: E402,F401  (preload: forked workers start with them imported)
from .match import tagger  # noqa: E402

tagger()
