"""Where a batch's worker processes come from: multiprocessing's forkserver, which loads the
extractor once (_forkserver.py) and forks a worker from it in milliseconds.

Its start-up (importing the readers and the stages: about half a second) is the longest step
before the first file can be read, so `start` runs it early, while the main process loads
its own modules, hashes the inputs and reads the cache (the CLI calls it first thing)."""
from __future__ import annotations

import multiprocessing as mp
import sys

PRELOAD = ["extract._forkserver"]
# Loaded too where the run reads with pdfplumber (pdfplumber and pdfminer's layout analysis,
# ~20 ms that a pdfium run does without).
PRELOAD_READER = {"pdfplumber": ["extract.pdf"]}


def context(reader: str | None = None):
    """The multiprocessing context workers are started with (spawn on Windows); its
    forkserver preloads what a run with `reader` needs. The preload is fixed when the
    forkserver starts: later runs of the process import what else they need."""
    if sys.platform == "win32":
        return mp.get_context("spawn")
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD + PRELOAD_READER.get(reader or "", []))
    return ctx


def start(reader: str | None = None) -> None:
    """Start the forkserver now, while the caller goes on (no-op where there is none, or
    when it runs already)."""
    if sys.platform != "win32":
        context(reader)
        from multiprocessing import forkserver
        forkserver.ensure_running()
