"""Command line: a thin layer over extract.api and extract.batch (arguments, progress, exit codes)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import __version__, batch
from .api import iter_pdfs
from .readers import DEFAULT_READER, READERS
from .rules import RulesError, load_rules

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with a hint
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="extract", description="Turn MOFA contribution evaluation-sheet PDFs "
                "(国際機関等への拠出金等に対する評価) into Parquet tables: sheets, criteria, problems.")
    p.add_argument("--version", action="version", version=f"extract {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    r = sub.add_parser("run", help="extract every sheet from PDFs and folders into Parquet tables",
                       description="Extract every sheet from the given PDF files and folders "
                       "(searched recursively for *.pdf) and write OUT/sheets, OUT/criteria and "
                       "OUT/problems as Parquet datasets (sheets and criteria partitioned by fiscal "
                       "year, fy=2016/...). Unchanged files are taken from the cache in OUT/.cache. "
                       "Exit status: 0 when every file was extracted, 1 when any file produced an "
                       "error row, 2 on usage errors.")
    r.add_argument("inputs", nargs="+", metavar="PATH", help="PDF files or folders")
    r.add_argument("-o", "--out", default="out", help="output folder (default: out)")
    r.add_argument("--rules", metavar="DIR", help="folder of rules files (default: the shipped rules/)")
    r.add_argument("--password", help="password for encrypted PDFs")
    r.add_argument("-j", "--jobs", type=int, default=None,
                   help=f"worker processes (default: all cores, here {os.cpu_count()})")
    r.add_argument("--timeout", type=float, default=120.0, help="seconds allowed per file (default: 120)")
    r.add_argument("--memory-limit", type=int, default=2048, metavar="MB",
                   help="address-space limit per worker in MB, 0 for none (default: 2048)")
    r.add_argument("--force", action="store_true", help="ignore the cache and extract every file again")
    r.add_argument("--cache", metavar="DIR", help="cache folder (default: OUT/.cache)")
    r.add_argument("--scheduler", metavar="ADDRESS",
                   help="run on a Dask cluster (tcp://HOST:PORT); needs the extra extract[dask]")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress output, summary only")
    _reader_option(r)
    t = sub.add_parser("rules", help="load and validate a rules folder, list its templates",
                       description="Load every *.toml in the rules folder, validate it, and list "
                       "the templates. Exit status 2 names the file and key of the first error.")
    t.add_argument("--rules", metavar="DIR", help="folder of rules files (default: the shipped rules/)")
    d = sub.add_parser("diff", help="compare two output folders sheet by sheet and field by field",
                       description="Compare the tables of two `extract run` output folders. Exit "
                       "status: 0 when equal, 1 when different, 2 on error.")
    d.add_argument("old", metavar="OLD_OUT")
    d.add_argument("new", metavar="NEW_OUT")
    d.add_argument("--json", action="store_true", help="print the diff as JSON")
    d.add_argument("--out", metavar="DIR", help="also write DIR/diff/ (Parquet, one row per changed field)")
    _reader_option(d, " for an OLD or NEW that is a PDF or a folder of PDFs (extracted now)")
    au = sub.add_parser("audit", help="write an HTML page showing where every value was read",
                        description="Extract one PDF and write a self-contained HTML page: each "
                        "page image with a box around every extracted value, the values, the "
                        "problems and the sheet quality.")
    au.add_argument("pdf", metavar="PDF")
    au.add_argument("-o", "--out", default="audit.html", help="HTML file (default: audit.html)")
    au.add_argument("--rules", metavar="DIR", help="folder of rules files (default: the shipped rules/)")
    au.add_argument("--password", help="password for an encrypted PDF")
    au.add_argument("--resolution", type=int, default=100, help="page image dpi (default: 100)")
    _reader_option(au)
    c = sub.add_parser("check", help="compare the samples with their expected outputs",
                       description="Extract every samples/*.pdf and compare it with "
                       "samples/<name>.expected.json. Exit status 0 when all agree, 1 otherwise.")
    c.add_argument("--samples", metavar="DIR", default="samples", help="folder (default: samples)")
    c.add_argument("--rules", metavar="DIR", help="folder of rules files (default: the shipped rules/)")
    return p


def _reader_option(p: argparse.ArgumentParser, what: str = "") -> None:
    p.add_argument("--reader", choices=READERS, default=None,
                   help=f"PDF reader{what} (default: {DEFAULT_READER})")


class Progress:
    """A live bar on a terminal; one line per file otherwise; nothing when quiet."""

    def __init__(self, quiet: bool, stream=sys.stderr):
        self.quiet = quiet
        self.stream = stream
        self.tty = stream.isatty()
        self.t0 = None

    def __call__(self, source_path, rows, done, total, stats):
        import time
        if self.quiet:
            return
        if self.t0 is None:
            self.t0 = time.monotonic()
        if self.tty:
            el = max(time.monotonic() - self.t0, 1e-6)
            rate = done / el
            eta = (total - done) / rate if rate else 0
            width = 24
            fill = int(width * done / max(total, 1))
            nprob = sum(stats.problems.values())
            self.stream.write(f"\r[{'#' * fill}{'.' * (width - fill)}] {done}/{total} files, "
                              f"{stats.sheets} sheets, {nprob} problems, {rate:.1f} files/s, "
                              f"ETA {int(eta) // 60}:{int(eta) % 60:02d} ")
            if done == total:
                self.stream.write("\n")
            self.stream.flush()
        else:
            errs = sorted({p["code"] for p in rows["problems"] if p["severity"] == "error"})
            self.stream.write(f"[{done}/{total}] {source_path}: {len(rows['sheets'])} sheet(s)"
                              + (f", error: {','.join(errs)}" if errs else "") + "\n")
            self.stream.flush()


def cmd_run(a) -> int:
    missing = [x for x in a.inputs if not Path(x).exists()]
    if missing:
        print(f"extract: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    out = Path(a.out)
    if out.exists() and not out.is_dir():
        print(f"extract: error: the output path is a file, not a folder: {a.out}", file=sys.stderr)
        return EXIT_USAGE
    if next(iter_pdfs(a.inputs), None) is None:
        print(f"extract: error: no PDF files (*.pdf) found in: {', '.join(a.inputs)}", file=sys.stderr)
        return EXIT_USAGE
    if a.jobs is not None and a.jobs < 1:
        print("extract: error: --jobs must be at least 1", file=sys.stderr)
        return EXIT_USAGE
    rows, st = batch.run(a.inputs, a.out, rules_dir=a.rules, jobs=a.jobs, timeout=a.timeout,
                         memory_limit_mb=a.memory_limit or None, force=a.force, password=a.password,
                         cache_dir=a.cache, scheduler=a.scheduler, progress=Progress(a.quiet),
                         reader=a.reader)
    failed = {p["source_path"] for p in rows["problems"] if p["severity"] == "error"}
    codes = ", ".join(f"{c} {n}" for c, n in sorted(st.problems.items()))
    print(f"{st.files} file(s) ({st.cached} from cache), {len(rows['sheets'])} sheet(s), "
          f"{len(rows['criteria'])} criteria, {len(rows['problems'])} problem(s)"
          + (f": {codes}" if codes else "") + f"; {len(failed)} file(s) with errors; "
          f"written to {a.out} in {st.seconds:.1f} s")
    return EXIT_PROBLEMS if failed else EXIT_OK


def cmd_rules(a) -> int:
    for t in load_rules(a.rules):
        print(f"{t.id}\t{t.name}\tFY{t.fiscal_years[0]}-{t.fiscal_years[1]}\t"
              f"{len(t.criteria)} criteria\t{Path(t.path).name}")
    return EXIT_OK


def cmd_diff(a) -> int:
    from .diff import main as diff_main
    return diff_main(a.old, a.new, as_json=a.json, out=a.out, reader=a.reader)


def cmd_audit(a) -> int:
    from .audit import main as audit_main
    return audit_main(a.pdf, a.out, rules=a.rules, password=a.password, resolution=a.resolution,
                      reader=a.reader)


def cmd_check(a) -> int:
    from .check import main as check_main
    return check_main(a.samples, rules=a.rules)


def main(argv: list[str] | None = None) -> int:
    p = build_parser()
    a = p.parse_args(argv)
    if not a.command:
        p.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return {"run": cmd_run, "rules": cmd_rules, "diff": cmd_diff, "audit": cmd_audit,
                "check": cmd_check}[a.command](a)
    except RulesError as e:
        print(f"extract: rules error: {e}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
