"""Headless Chromium for the tests and benchmarks of the HTML pages (audit, report).

Debian's `chromium` package (apt-get install -y chromium); tests skip where it is missing."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

TIMEOUT_S = 300


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def run_chromium(profile: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium with a throw-away profile folder and no network services."""
    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError("no chromium on PATH")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_S)


def dump_dom(profile: Path, url: str, window: str = "1400,1000", budget_ms: int = 5000) -> str:
    """The DOM after the page's scripts ran (virtual time lets timers and frames run)."""
    p = run_chromium(profile, f"--window-size={window}", f"--virtual-time-budget={budget_ms}",
                     "--dump-dom", url)
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-2000:])
    return p.stdout


def screenshot(profile: Path, url: str, png: Path, window: str = "1400,1000",
               budget_ms: int = 5000) -> Path:
    p = run_chromium(profile, f"--window-size={window}", f"--virtual-time-budget={budget_ms}",
                     f"--screenshot={png}", url)
    if not png.is_file():
        raise RuntimeError(p.stderr[-2000:])
    return png


# appended to a copy of a page: the browser's own timings, written into the title
_PROBE = ("<script>addEventListener('load',function(){var t=performance.now();"
          "requestAnimationFrame(function(){requestAnimationFrame(function(){"
          "document.title='PROBE '+Math.round(t)+' '+Math.round(performance.now());});});});"
          "</script>")


def load_times_ms(html: Path, work: Path, tries: int = 3) -> tuple[int, int] | None:
    """(ms to the load event, ms to the first frame after it) of a page, measured by the
    browser itself on a probed copy; None when no timing came back. For benchmarks only."""
    probe = work / f"probe-{html.name}"
    probe.write_text(html.read_text(encoding="utf-8") + _PROBE, encoding="utf-8")
    for _ in range(tries):
        out = dump_dom(work / "profile", probe.as_uri(), budget_ms=60000)
        m = re.search(r"<title>PROBE (\d+) (\d+)</title>", out)
        if m:
            return int(m.group(1)), int(m.group(2))
    return None
