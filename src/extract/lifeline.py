"""Child processes that end when their parent ends, however it ends (even by SIGKILL).

On Linux the kernel sends SIGKILL to a process whose parent dies (prctl PR_SET_PDEATHSIG);
elsewhere, and as a second line of defence, a thread watches the parent's pid."""
from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1
# How often the watchdog thread looks whether the parent is still there.
WATCH_SECONDS = 0.5
_WATCH_STACK = 256 * 1024


def die_with_parent() -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies (Linux); True if set."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        # the C library the interpreter runs on (dlopen(NULL)), not ctypes.util.find_library:
        # that runs ldconfig in a subprocess (~3 ms per worker, 18 ms of imports)
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        return prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def watch(pid: int) -> None:
    """End this process at once when process `pid` is gone (a daemon thread polls it)."""
    def loop():
        while alive(pid):
            time.sleep(WATCH_SECONDS)
        os._exit(1)
    old = threading.stack_size()
    try:
        threading.stack_size(_WATCH_STACK)
        threading.Thread(target=loop, name="lifeline", daemon=True).start()
    finally:
        threading.stack_size(old)
