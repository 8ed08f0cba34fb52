"""Command line: a thin layer over extract.api and extract.batch (arguments, progress, exit codes)."""
from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from pathlib import Path

from . import __version__, workers
from .inputs import display_name, iter_pdfs
from .readers import DEFAULT_READER, READERS
# The rules and the engine are imported by the commands that use them: `run` starts its
# workers' server first (workers.start), which then loads the extractor beside this process.

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2 with a hint
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see --help)\n")


def _positive_float(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not v > 0 or v == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number of seconds above 0, not {text}")
    return v


def _non_negative_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"must be 0 (no limit) or a number of MB, not {text}")
    return v


def _error(message: str) -> None:
    print(f"extract: error: {display_name(message)}", file=sys.stderr)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="extract", description="Turn MOFA contribution evaluation-sheet PDFs "
                "(国際機関等への拠出金等に対する評価) into Parquet tables: sheets, criteria, problems "
                "and fields (where each value was read). Then `extract report OUT` writes an HTML "
                "page about the batch and `extract export OUT --to csv|xlsx DEST` the tables for "
                "spreadsheets.")
    p.add_argument("--version", action="version", version=f"extract {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    r = sub.add_parser("run", help="extract every sheet from PDFs and folders into Parquet tables",
                       description="Extract every sheet from the given PDF files and folders "
                       "(searched recursively for *.pdf) and write OUT/sheets, OUT/criteria, "
                       "OUT/problems and OUT/fields (each extracted value with the page and box "
                       "it was read from) as Parquet datasets (sheets, criteria and fields one "
                       "file per fiscal year, 2016.parquet, unknown.parquet; fiscal_year a column "
                       "of each). Unchanged files are taken from the cache in OUT/.cache. Then: "
                       "`extract report OUT` (an HTML page about the batch), `extract export OUT "
                       "--to csv|xlsx DEST` (the tables for spreadsheets). "
                       "Exit status: 0 when every file was extracted, 1 when any file produced an "
                       "error row, 2 on usage or output problems (another run writing OUT, a "
                       "folder in OUT that extract did not create, a full disk), 130 when "
                       "interrupted.")
    r.add_argument("inputs", nargs="+", metavar="PATH", help="PDF files or folders")
    r.add_argument("-o", "--out", default="out", help="output folder (default: out)")
    r.add_argument("--rules", metavar="DIR", help="folder of rules files (default: the shipped rules/)")
    r.add_argument("--password", help="password for encrypted PDFs")
    r.add_argument("-j", "--jobs", type=int, default=None,
                   help=f"worker processes (default: all cores, here {os.cpu_count()})")
    r.add_argument("--timeout", type=_positive_float, default=120.0,
                   help="seconds allowed per file (default: 120)")
    r.add_argument("--memory-limit", type=_non_negative_int, default=2048, metavar="MB",
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
                       "samples/<name>.expected.json (samples/ of the extract repository unless "
                       "--samples DIR). Exit status 0 when all agree, 1 otherwise, 2 when there "
                       "are no samples.")
    c.add_argument("--samples", metavar="DIR", default=None,
                   help="folder (default: samples/ of the extract repository, whatever the current folder)")
    c.add_argument("--rules", metavar="DIR", help="folder of rules files (default: the shipped rules/)")
    _add_analyst_commands(sub)
    return p


def _add_analyst_commands(sub) -> None:
    """`export` and `report`: what to do with an output folder once it is written."""
    ex = sub.add_parser("export", help="write the tables of an output folder as CSV or one xlsx workbook",
                        description="Write the tables (sheets, criteria, problems, fields) of an "
                        "`extract run` output folder as CSV files in UTF-8 with a byte-order mark "
                        "(DEST is a folder: DEST/sheets.csv, ...) or as one Excel workbook with "
                        "a sheet per table (DEST is a file; needs the extra extract[xlsx]). Exit "
                        "status: 0 when written, 1 when cells had to be left empty (listed), 2 on "
                        "error.")
    ex.add_argument("out", metavar="OUT", help="output folder of `extract run`")
    ex.add_argument("--to", choices=("csv", "xlsx"), required=True, help="format")
    ex.add_argument("dest", metavar="DEST", help="folder (csv) or .xlsx file (xlsx)")
    rp = sub.add_parser("report", help="write one HTML page about a batch: problems, ratings, budget, panel",
                        description="Write one self-contained HTML page (no network) about an "
                        "`extract run` output folder: files, sheets, quality grades, problems by "
                        "code with the files concerned, overall ratings by fiscal year, budget by "
                        "rating and the contribution x fiscal year panel. With --audit PDF_ROOT, "
                        "also write the audit page of every file with a problem into REPORT-audit/ "
                        "next to the report, linked from it. Exit status: 0 when written, 2 on error.")
    rp.add_argument("out", metavar="OUT", help="output folder of `extract run`")
    rp.add_argument("-o", "--output", default="report.html", help="HTML file (default: report.html)")
    rp.add_argument("--audit", metavar="PDF_ROOT",
                    help="the folder the batch was run on: write the audit pages of the files "
                    "with problems (source_path is read relative to it)")
    rp.add_argument("--audit-all", action="store_true", help="with --audit: every file, not only "
                    "those with problems")
    rp.add_argument("--rules", metavar="DIR", help="rules folder for the audit pages (default: shipped)")


def _reader_option(p: argparse.ArgumentParser, what: str = "") -> None:
    p.add_argument("--reader", choices=READERS, default=None,
                   help=f"PDF reader{what} (default: {DEFAULT_READER})")


# A rate is shown once this many seconds have passed (before, a file or two done in
# microseconds, from the cache, would read as a million files/s).
RATE_AFTER_S = 1.0
MAX_FAILED_LISTED = 20


def _fit(text: str, width: int) -> str:
    """text cut to width columns, with … where it was cut."""
    return text if len(text) <= width else text[:max(width - 1, 0)] + "…"


def progress_line(done: int, total: int, sheets: int, problems: int, elapsed: float,
                  width: int, failed: str | None = None) -> str:
    """The live bar, never wider than `width` columns: the bar shrinks first, then the name
    of the last failed file is cut."""
    rate = done / elapsed if elapsed >= RATE_AFTER_S and done else None
    speed = (f"{rate:.1f} files/s, ETA {int((total - done) / rate) // 60}:"
             f"{int((total - done) / rate) % 60:02d}") if rate else "ETA …"
    counts = f" {done}/{total} files, {sheets} sheets, {problems} problems, {speed}"
    tail = f" | failed: {failed}" if failed else ""
    bar_w = max(min(24, width - len(counts) - len(tail) - 3), 0)
    fill = int(bar_w * done / max(total, 1))
    bar = f"[{'#' * fill}{'.' * (bar_w - fill)}]" if bar_w >= 5 else ""
    return _fit(bar + counts + tail, width - 1)


def failed_files(problems: list[dict]) -> dict[str, list[str]]:
    """The files with an error row, each with its error codes, in the order met."""
    out: dict[str, list[str]] = {}
    for p in problems:
        if p["severity"] == "error":
            codes = out.setdefault(p["source_path"], [])
            if p["code"] not in codes:
                codes.append(p["code"])
    return out


class Progress:
    """A live bar on a terminal (fitted to its width, naming the last file that failed); one
    line per file otherwise; nothing when quiet."""

    def __init__(self, quiet: bool, stream=sys.stderr):
        import time
        self.quiet = quiet
        self.stream = stream
        self.tty = stream.isatty()
        self.t0 = time.monotonic()
        self.failed: str | None = None

    def __call__(self, source_path, rows, done, total, stats):
        import shutil
        import time
        if self.quiet:
            return
        errs = sorted({p["code"] for p in rows["problems"] if p["severity"] == "error"})
        if self.tty:
            if errs:
                self.failed = f"{display_name(source_path)} ({','.join(errs)})"
            width = shutil.get_terminal_size((80, 24)).columns
            line = progress_line(done, total, stats.sheets, sum(stats.problems.values()),
                                 time.monotonic() - self.t0, width, self.failed)
            self.stream.write("\r" + line + "\x1b[K" + ("\n" if done == total else ""))
        else:
            self.stream.write(f"[{done}/{total}] {display_name(source_path)}: {len(rows['sheets'])} sheet(s)"
                              + (f", error: {','.join(errs)}" if errs else "") + "\n")
        self.stream.flush()


def failed_lines(problems: list[dict], limit: int = MAX_FAILED_LISTED) -> list[str]:
    """The summary's list of failed files: one line each, at most `limit`."""
    failed = failed_files(problems)
    lines = [f"failed: {display_name(sp)} ({', '.join(codes)})" for sp, codes in list(failed.items())[:limit]]
    if len(failed) > limit:
        lines.append(f"failed: … and {len(failed) - limit} more (see the problems table)")
    return lines


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
    if not a.scheduler:
        workers.start(a.reader)     # the workers' server loads the extractor while the engine is imported
    from . import batch
    from .outdir import OutputError
    try:
        rows, st = batch.run(a.inputs, a.out, rules_dir=a.rules, jobs=a.jobs, timeout=a.timeout,
                             memory_limit_mb=a.memory_limit or None, force=a.force,
                             password=a.password, cache_dir=a.cache, scheduler=a.scheduler,
                             progress=Progress(a.quiet), reader=a.reader)
    except (OutputError, batch.WorkerStartError, batch.OptionError) as e:
        _error(str(e))
        return EXIT_USAGE
    except batch.Interrupted as e:
        print(f"\ninterrupted; {e.done} files done are cached; output unchanged", file=sys.stderr)
        return EXIT_INTERRUPTED
    failed = failed_files(rows["problems"])
    for line in failed_lines(rows["problems"]):
        print(line)
    codes = ", ".join(f"{c} {n}" for c, n in sorted(st.problems.items()))
    print(f"{st.files} file(s) ({st.cached} from cache), {st.sheets} sheet(s), "
          f"{len(rows['criteria'])} criteria, {len(rows['problems'])} problem(s)"
          + (f": {codes}" if codes else "") + f"; {len(failed)} file(s) with errors; "
          f"written to {a.out} in {st.seconds:.1f} s")
    return EXIT_PROBLEMS if failed else EXIT_OK


def cmd_rules(a) -> int:
    from .rules import describe, load_rules
    for t in load_rules(a.rules):
        print(describe(t))
    return EXIT_OK


def cmd_diff(a) -> int:
    """0 equal, 1 different, 2 on error."""
    from .diff import DiffError, diff_outputs, format_text, write_parquet
    try:
        res = diff_outputs(a.old, a.new, a.reader)
    except DiffError as e:
        print(f"extract diff: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    if a.out:
        write_parquet(res, a.out)
    if a.json:
        print(json.dumps(res.to_json(), ensure_ascii=False, indent=1, default=str))
    else:
        print(format_text(res))
    return EXIT_OK if res.equal else EXIT_PROBLEMS


def cmd_audit(a) -> int:
    """0 when written (even for a file with problems), 2 on error."""
    from .audit import write_audit
    from .rules import load_rules
    if not Path(a.pdf).is_file():
        print(f"extract audit: error: no such file: {a.pdf}", file=sys.stderr)
        return EXIT_USAGE
    r = write_audit(a.pdf, a.out, load_rules(a.rules), a.password, a.resolution, a.reader)
    errors = [p["code"] for p in r["problems"] if p["severity"] == "error"]
    print(f"{a.out}: {len(r['sheets'])} sheet(s), {len(r['fields'])} value(s) boxed, "
          f"{len(r['problems'])} problem(s)" + (f" (error: {', '.join(errors)})" if errors else ""))
    return EXIT_OK


def cmd_check(a) -> int:
    """0 when every sample agrees with its golden, 1 otherwise, 2 when there are no samples."""
    from .golden import check_samples, default_samples_dir
    from .rules import load_rules
    folder = Path(a.samples) if a.samples else default_samples_dir()
    if folder is None:
        print("extract check: error: this installation of extract has no samples folder (it "
              "comes with the source repository); give one with --samples DIR", file=sys.stderr)
        return EXIT_USAGE
    if not folder.is_dir():
        print(f"extract check: error: no such folder: {folder}", file=sys.stderr)
        return EXIT_USAGE
    n, diffs = check_samples(folder, load_rules(a.rules))
    if n == 0:
        print(f"extract check: error: no *.pdf in {folder}", file=sys.stderr)
        return EXIT_USAGE
    if diffs:
        print("file\ttable\tfield\texpected → got")
        for d in diffs:
            print(d.show())
        files = len({d.file for d in diffs})
        print(f"{n} sample(s) checked, {files} differ ({len(diffs)} difference(s))")
        return EXIT_PROBLEMS
    print(f"{n} sample(s) checked, all agree with their expected output")
    return EXIT_OK


def cmd_export(a) -> int:
    from .export import ExportError, export
    from .outputs import OutputError
    try:
        res = export(a.out, a.to, a.dest)
    except (OutputError, ExportError) as e:
        print(f"extract export: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    for note in res.omitted:
        print(f"extract export: cell left empty: {note}", file=sys.stderr)
    counts = ", ".join(f"{name} {n}" for name, n in res.rows.items())
    print(f"{a.dest}: {len(res.files)} file(s) written ({counts} rows)"
          + (f"; {len(res.omitted)} cell(s) left empty" if res.omitted else ""))
    return EXIT_PROBLEMS if res.omitted else EXIT_OK


def cmd_report(a) -> int:
    from .outputs import OutputError
    from .report import write_report
    if a.audit and not Path(a.audit).is_dir():
        print(f"extract report: error: no such folder: {a.audit}", file=sys.stderr)
        return EXIT_USAGE
    try:
        res = write_report(a.out, a.output, pdf_root=a.audit, rules=a.rules, audit_all=a.audit_all)
    except OutputError as e:
        print(f"extract report: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    for sp in res.not_found:
        print(f"extract report: no audit page for {sp}: not found under {a.audit}", file=sys.stderr)
    s = res.summary
    print(f"{a.output}: {len(s.files)} file(s), {len(s.sheets)} sheet(s), "
          f"{sum(g.count for g in s.problems)} problem(s)"
          + (f"; {len(res.audit_pages)} audit page(s) in {res.path.stem}-audit/" if a.audit else ""))
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    p = build_parser()
    a = p.parse_args(argv)
    if not a.command:
        p.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return {"run": cmd_run, "rules": cmd_rules, "diff": cmd_diff, "audit": cmd_audit,
                "check": cmd_check, "export": cmd_export, "report": cmd_report}[a.command](a)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:
        from .rules import RulesError      # (imported here: see the imports above)
        if not isinstance(e, RulesError):
            raise
        print(f"extract: rules error: {e}", file=sys.stderr)
        return EXIT_USAGE


def entry() -> None:
    """The `extract` command (console script and `python -m extract`): main(), then exit."""
    code = main()
    # The process ends here and its objects go with it: frozen, they are not walked by the
    # interpreter's last garbage collections (with pyarrow and pandas loaded, 0.1 s of exit).
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    entry()
