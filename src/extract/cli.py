"""Command line: a thin layer over extract.api (arguments, progress, exit codes)."""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from . import api, tables
from .rules import RulesError, load_rules

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # usage errors exit 2, as argparse does, with a hint
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="extract", description="Turn MOFA contribution evaluation-sheet PDFs "
                "(国際機関等への拠出金等に対する評価) into Parquet tables: sheets, criteria, problems.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    r = sub.add_parser("run", help="extract every sheet from PDFs and folders into Parquet tables",
                       description="Extract every sheet from the given PDF files and folders "
                       "(searched recursively for *.pdf) and write out/sheets, out/criteria and "
                       "out/problems as Parquet datasets. Exit status: 0 when every file was "
                       "extracted, 1 when any file produced an error row, 2 on usage errors.")
    r.add_argument("inputs", nargs="+", metavar="PATH", help="PDF files or folders")
    r.add_argument("-o", "--out", default="out", help="output folder (default: out)")
    r.add_argument("--rules", metavar="DIR", help="folder of rules files (default: the shipped rules/)")
    r.add_argument("--password", help="password for encrypted PDFs")
    r.add_argument("-q", "--quiet", action="store_true", help="no progress lines, summary only")
    t = sub.add_parser("rules", help="load and validate a rules folder, list its templates",
                       description="Load every *.toml in the rules folder, validate it, and list "
                       "the templates. Exit status 2 names the file and key of the first error.")
    t.add_argument("--rules", metavar="DIR", help="folder of rules files (default: the shipped rules/)")
    return p


def cmd_run(a) -> int:
    templates = load_rules(a.rules)
    missing = [x for x in a.inputs if not Path(x).exists()]
    if missing:
        print(f"extract: error: no such file or folder: {', '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    files = list(api.iter_pdfs(a.inputs))
    total = len(files)

    def progress(res, n):
        if a.quiet:
            return
        codes = ",".join(sorted({p.code for p in res.problems if p.severity == "error"}))
        status = f"{len(res.sheets)} sheet(s)" + (f", error: {codes}" if codes else "")
        print(f"[{n}/{total}] {res.source_path}: {status}", file=sys.stderr, flush=True)

    results = api.extract_many(a.inputs, templates, a.password, progress)
    counts = tables.write(results, a.out)
    by_code = Counter(p.code for r in results for p in r.problems)
    failed = sum(1 for r in results if any(p.severity == "error" for p in r.problems))
    print(f"{total} file(s), {counts['sheets']} sheet(s), {counts['criteria']} criteria, "
          f"{counts['problems']} problem(s)" + (": " + ", ".join(f"{c} {n}" for c, n in
                                                              sorted(by_code.items())) if by_code else "")
          + f"; written to {a.out}")
    return EXIT_PROBLEMS if failed else EXIT_OK


def cmd_rules(a) -> int:
    for t in load_rules(a.rules):
        print(f"{t.id}\t{t.name}\tFY{t.fiscal_years[0]}-{t.fiscal_years[1]}\t"
              f"{len(t.criteria)} criteria\t{Path(t.path).name}")
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    p = build_parser()
    a = p.parse_args(argv)
    if not a.command:
        p.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return {"run": cmd_run, "rules": cmd_rules}[a.command](a)
    except RulesError as e:
        print(f"extract: rules error: {e}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
