"""Imported by the multiprocessing forkserver of a batch (set_forkserver_preload): the
forkserver ends with the process that started it, and has the extractor loaded already."""
from . import lifeline

lifeline.die_with_parent()
from . import batch  # noqa: E402,F401  (preload: forked workers start with it imported)
