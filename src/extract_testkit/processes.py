"""Processes of a session, for the tests and bench/faults.py that check nothing is left
running after a run was killed (Linux /proc; elsewhere they report nothing)."""
from __future__ import annotations

import time
from pathlib import Path


def _stat(pid_dir: Path) -> tuple[str, int] | None:
    """(state, session id) of a process, None when it is gone."""
    try:
        raw = (pid_dir / "stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2:].split()
    return fields[0], int(fields[3])


def descendants_of_session(sid: int) -> list[str]:
    """'PID command' of every live (not zombie) process whose session id is `sid`: a process
    started with start_new_session=True and everything it started, reparented or not."""
    out = []
    for d in Path("/proc").glob("[0-9]*"):
        st = _stat(d)
        if st is None or st[1] != sid or st[0] == "Z":
            continue
        try:
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        out.append(f"{d.name} {cmd[:120]}")
    return out


def wait_gone(sid: int, seconds: float) -> list[str]:
    """Wait until no process of session `sid` is left; those still there after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        left = descendants_of_session(sid)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.1)
