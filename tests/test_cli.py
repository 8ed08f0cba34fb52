"""The command line: exit codes, Parquet output with the contract's column types, help."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import ROOT, SAMPLES, sample_pdfs

import pandas as pd

from extract.cli import build_parser

PROBLEM_SAMPLES = {"scanned-no-text-layer.pdf": "no_text_layer", "not-a-sheet.pdf": "unknown_template",
                   "garbled-no-tounicode.pdf": "garbled_text"}

# Column types from OUTPUT_SCHEMA.md (written out here, independently of extract.tables).
S, I32, I64, F64 = pa.string(), pa.int32(), pa.int64(), pa.float64()
SCHEMA = {
    "sheets": {"sheet_id": S, "source_path": S, "source_sha256": S, "sheet_index": I32,
               "page_first": I32, "page_last": I32, "template": S, "fiscal_year": I32,
               "fiscal_year_label": S, "contribution_name": S, "organization_name": S,
               "organization_abbr": S, "bureau": S, "division": S, "budget_jpy": I64,
               "budget_label": S, "overall_rating": S, "overview": S},
    "criteria": {"sheet_id": S, "criterion_no": I32, "label": S, "canonical": S, "rating": S,
                 "text": S, "page": I32, "x0": F64, "top": F64, "x1": F64, "bottom": F64,
                 "method": S, "confidence": F64},
    "problems": {"source_path": S, "sheet_index": I32, "sheet_id": S, "severity": S, "code": S,
                 "field": S, "message": S},
}


def run_cli(*args, cwd=ROOT, timeout=300):
    return subprocess.run([sys.executable, "-m", "extract", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def parquet_files(folder):
    files = sorted(folder.rglob("*.parquet"))
    assert files, f"no parquet file in {folder}"
    return files


@pytest.fixture(scope="module")
def samples_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "out"
    # the MOFA samples by name: the folder also holds samples/review/ (another family)
    return run_cli("run", *sample_pdfs(), "-o", out), out


@pytest.mark.slow
def test_run_on_samples_exits_1(samples_run):
    proc, out = samples_run
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    for name in SCHEMA:
        assert (out / name).is_dir(), f"no {name}/ dataset folder"


@pytest.mark.parametrize("table", list(SCHEMA))
def test_arrow_schema_matches_contract(samples_run, table):
    _, out = samples_run
    for f in parquet_files(out / table):
        schema = pq.read_schema(f)
        got = {n: schema.field(n).type for n in schema.names}
        # every contract column with its type; columns beyond the contract are allowed
        want = SCHEMA[table]
        wrong = {n: (str(want[n]), str(got.get(n))) for n in want if got.get(n) != want[n]}
        assert not wrong, f"{f.relative_to(out)}: column: (want, got) {wrong}"


def test_tables_readable_by_pandas(samples_run, extracted):
    _, out = samples_run
    frames = {name: pd.read_parquet(out / name) for name in SCHEMA}
    for name, df in frames.items():
        cols = list(df.columns)
        assert [c for c in cols if c in SCHEMA[name]] == list(SCHEMA[name]), \
            f"{name}: contract columns missing or out of order: {cols}"
    sheets, criteria, problems = frames["sheets"], frames["criteria"], frames["problems"]
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    want_sheets = sum(len(extracted(p).sheets) for p in pdfs)
    assert len(sheets) == want_sheets
    assert len(criteria) == sum(len(s.criteria) for p in pdfs for s in extracted(p).sheets)
    assert set(criteria["sheet_id"]) == set(sheets["sheet_id"])
    assert sheets["sheet_id"].is_unique
    # source_path is relative to the common root of the inputs: files given one by one from
    # one folder are named by their file name (a folder given keeps its name: test_safety)
    assert set(sheets["source_path"]) == {p.name for p in pdfs if p.name not in PROBLEM_SAMPLES}
    errs = problems[problems["severity"] == "error"]
    assert dict(zip(errs["source_path"], errs["code"])) == PROBLEM_SAMPLES


def test_summary_line_lists_problem_codes(samples_run):
    proc, out = samples_run
    lines = [x for x in proc.stdout.splitlines() if x.strip()]
    assert lines, "no summary on stdout"
    summary = lines[-1]
    for code in PROBLEM_SAMPLES.values():
        assert code in summary, summary
    n = len(list(SAMPLES.glob("*.pdf")))
    assert re.search(rf"\b{n} file", summary), summary
    assert str(out) in summary


def test_progress_names_every_file(samples_run):
    proc, _ = samples_run
    for p in SAMPLES.glob("*.pdf"):
        assert p.name in proc.stderr


@pytest.mark.slow
def test_good_files_exit_0(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    for name in ("h28-iom-trafficking.pdf", "combined-h29-r4.pdf"):
        shutil.copy(SAMPLES / name, d / name)
    out = tmp_path / "out"
    proc = run_cli("run", d, "-o", out, "-q")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == ""               # --quiet: no progress lines
    assert len(pd.read_parquet(out / "sheets")) == 3
    assert len(pd.read_parquet(out / "criteria")) == 5 + 5 + 4


def test_single_file_argument_exits_0(tmp_path):
    out = tmp_path / "out"
    proc = run_cli("run", SAMPLES / "r4-unv-kangxi.pdf", "--out", out)
    assert proc.returncode == 0, proc.stderr
    assert list(pd.read_parquet(out / "sheets")["source_path"]) == ["r4-unv-kangxi.pdf"]


@pytest.mark.slow
def test_rerun_replaces_output(tmp_path):
    out = tmp_path / "out"
    assert run_cli("run", SAMPLES / "combined-h29-r4.pdf", "-o", out, "-q").returncode == 0
    assert run_cli("run", SAMPLES / "r4-unv-kangxi.pdf", "-o", out, "-q").returncode == 0
    assert list(pd.read_parquet(out / "sheets")["source_path"]) == ["r4-unv-kangxi.pdf"]


@pytest.mark.slow
def test_password_option(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    w = pypdf.PdfWriter(clone_from=str(SAMPLES / "r4-unv-kangxi.pdf"))
    w.encrypt(user_password="pw-123", owner_password="owner", algorithm="AES-256")
    enc = tmp_path / "enc.pdf"
    w.write(enc)
    proc = run_cli("run", enc, "-o", tmp_path / "a")
    assert proc.returncode == 1 and "encrypted" in proc.stdout
    proc = run_cli("run", enc, "-o", tmp_path / "b", "--password", "pw-123")
    assert proc.returncode == 0, proc.stderr
    assert len(pd.read_parquet(tmp_path / "b" / "sheets")) == 1


def test_out_is_a_file_exits_2(tmp_path):
    f = tmp_path / "taken"
    f.write_text("x")
    proc = run_cli("run", SAMPLES / "r4-unv-kangxi.pdf", "-o", f, "-q")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-500:]
    assert str(f) in proc.stderr


def test_missing_input_exits_2(tmp_path):
    proc = run_cli("run", tmp_path / "no-such-folder", SAMPLES / "r4-unv-kangxi.pdf", "-o", tmp_path / "out")
    assert proc.returncode == 2
    assert "no-such-folder" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out" / "sheets").exists()


@pytest.mark.parametrize("args", [[], ["run"], ["frobnicate"], ["run", "samples", "--no-such-option"]],
                         ids=["no-command", "run-without-path", "unknown-command", "unknown-option"])
def test_usage_errors_exit_2(args):
    proc = run_cli(*args)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "usage" in proc.stderr.lower()


# --- help ---------------------------------------------------------------------------------


def _subparsers():
    p = build_parser()
    actions = [a for a in p._actions if a.__class__.__name__ == "_SubParsersAction"]
    assert len(actions) == 1
    return p, actions[0].choices


def _options(parser) -> list[str]:
    return [s for a in parser._actions for s in a.option_strings if s.startswith("--")]


def _help_params():
    _, subs = _subparsers()
    return [pytest.param(None, id="extract")] + [pytest.param(n, id=f"extract-{n}") for n in subs]


@pytest.mark.parametrize("sub", _help_params())
def test_help(sub):
    proc = run_cli(*([sub] if sub else []), "--help")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "usage" in text.lower()
    p, subs = _subparsers()
    parser = subs[sub] if sub else p
    for opt in _options(parser):
        assert opt in text, f"{opt} not in help of {sub or 'extract'}"
    flat = " ".join(text.split())
    if sub is None:
        for name in subs:
            assert name in text
        assert "fields" in flat and "extract report OUT" in flat and "extract export OUT" in flat
    if sub == "run":
        for opt in ("--out", "--rules", "--password", "--quiet"):
            assert opt in text
        assert "exit" in text.lower()       # the help documents the exit codes
        for what in ("OUT/fields", "extract report OUT", "extract export OUT", "2016.parquet"):
            assert what in flat, what
    if sub == "rules":
        assert "--rules" in text


README = ROOT / "README.md"
# Subcommands added to the parser but not yet documented in README.md: remove a name once
# README shows it (the xfail is not strict, so a documented one shows up as XPASS).
PENDING_DOCS: set[str] = set()


def _subcommand_params():
    _, subs = _subparsers()
    out = []
    for name in subs:
        marks = []
        if not README.is_file():
            marks.append(pytest.mark.xfail(reason="README.md not written yet", strict=False))
        elif name in PENDING_DOCS:
            marks.append(pytest.mark.xfail(reason=f"README.md does not document `extract {name}` yet",
                                           strict=False))
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.mark.parametrize("name", _subcommand_params())
def test_readme_mentions_every_subcommand(name):
    lines = [x for x in README.read_text(encoding="utf-8").splitlines() if "extract " in x]
    assert any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", x) for x in lines), \
        f"README.md never shows `extract {name}` (on a line containing 'extract ')"


def test_summary_lists_the_failed_files(samples_run):
    proc, _ = samples_run
    listed = [x for x in proc.stdout.splitlines() if x.startswith("failed: ")]
    assert sorted(listed) == sorted(f"failed: {name} ({code})" for name, code in PROBLEM_SAMPLES.items())


def test_failed_lines_are_capped():
    from extract.cli import failed_lines
    probs = [{"source_path": f"f{i}.pdf", "severity": "error", "code": "no_text_layer"} for i in range(25)]
    probs.append({"source_path": "w.pdf", "severity": "warning", "code": "missing_field"})
    lines = failed_lines(probs, limit=20)
    assert len(lines) == 21 and lines[0] == "failed: f0.pdf (no_text_layer)"
    assert "5 more" in lines[-1] and not any("w.pdf" in x for x in lines)


class _Tty:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, s):
        self.text += s

    def flush(self):
        pass


class _Stats:
    def __init__(self, sheets=0, problems=None):
        self.sheets, self.problems = sheets, problems or {}


@pytest.mark.parametrize("width", [40, 80, 200])
def test_progress_line_fits_the_width_and_waits_for_a_rate(width):
    from extract.cli import progress_line
    early = progress_line(3, 1000, 2, 0, 0.000004, width)
    assert "files/s" not in early and len(early) < width
    later = progress_line(500, 1000, 480, 7, 100.0, width, failed="a/b/broken.pdf (unreadable_pdf)")
    assert len(later) < width
    if width >= 120:
        assert "5.0 files/s" in later and "failed: a/b/broken.pdf (unreadable_pdf)" in later


def test_progress_bar_names_a_failed_file_and_fits_the_terminal(monkeypatch):
    import os
    from extract import cli
    monkeypatch.setattr("shutil.get_terminal_size", lambda fallback=None: os.terminal_size((60, 20)))
    stream = _Tty()
    bar = cli.Progress(False, stream)
    ok = {"sheets": [{}], "problems": []}
    bad = {"sheets": [], "problems": [{"severity": "error", "code": "no_text_layer"}]}
    bar("a.pdf", ok, 1, 3, _Stats(1))
    assert "files/s" not in stream.text            # no rate from a file done in microseconds
    bar("scan.pdf", bad, 2, 3, _Stats(1, {"no_text_layer": 1}))
    bar("c.pdf", ok, 3, 3, _Stats(2, {"no_text_layer": 1}))
    frames = [f.replace("\x1b[K", "").rstrip("\n") for f in stream.text.split("\r") if f]
    assert len(frames) == 3 and all(len(f) < 60 for f in frames)
    assert "scan.pdf" in frames[1] and "scan.pdf" in frames[2]   # stays on the bar
    assert stream.text.endswith("\n")


def test_a_rules_error_is_a_usage_error(tmp_path):
    """A rules folder that does not load: exit 2 and the file at fault, for every command
    that loads rules (the rules module is imported only by the commands that use it)."""
    (tmp_path / "x.toml").write_text("garbage = [", encoding="utf-8")
    for args in (["rules"], ["run", SAMPLES / "h28-fake-bold.pdf", "-o", tmp_path / "out"]):
        r = run_cli(*args, "--rules", tmp_path)
        assert r.returncode == 2, (args, r.stderr)
        assert "rules error: x.toml: not valid TOML" in r.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*/*.parquet"))
