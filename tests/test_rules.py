"""The shipped rules load and validate; a broken rules file fails loudly with its file and
key named, in the API and on the command line; an edited (valid) rules folder still runs."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from conftest import ROOT, SAMPLES

import extract
from extract import RulesError, load_rules
from extract.rules import evaluation_templates

RULES = ROOT / "rules"
# The evaluation-sheet templates (review.toml, a cell family, has tests of its own).
RULE_FILES = sorted(p for p in RULES.glob("*.toml") if not p.read_text(encoding="utf-8").count("\nfamily ="))
IDS = {"h28", "h29", "r1", "r4"}
SAMPLE = SAMPLES / "h28-iom-trafficking.pdf"


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "extract", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


# --- a minimal TOML writer, enough for rules files ------------------------------------------


def _key(k: str) -> str:
    return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)   # JSON string escapes are valid TOML
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    raise TypeError(type(v))


def _is_table_array(v) -> bool:
    return isinstance(v, list) and bool(v) and all(isinstance(x, dict) for x in v)


def dump_toml(data: dict, prefix: str = "") -> str:
    out = []
    for k, v in data.items():
        if not isinstance(v, dict) and not _is_table_array(v):
            out.append(f"{_key(k)} = {_value(v)}")
    for k, v in data.items():
        name = f"{prefix}.{_key(k)}" if prefix else _key(k)
        if isinstance(v, dict):
            out.append(f"\n[{name}]")
            out.append(dump_toml(v, name))
        elif _is_table_array(v):
            for item in v:
                out.append(f"\n[[{name}]]")
                out.append(dump_toml(item, name))
    return "\n".join(x for x in out if x) + "\n"


def rules_copy(tmp_path, edit=None, name: str | None = None):
    """A copy of the shipped rules folder; `edit(data)` changes the parsed file `name`."""
    d = tmp_path / "rules"
    shutil.copytree(RULES, d)
    if edit is not None:
        p = d / name
        data = tomllib.loads(p.read_text(encoding="utf-8"))
        edit(data)
        p.write_text(dump_toml(data), encoding="utf-8")
    return d


def template_signature(t):
    """A template's content, without where it was loaded from."""
    return (t.id, t.name, t.fiscal_years, t.overall_scale, t.criterion_scale, t.fields,
            t.criterion_header, t.text_header, t.rating_header,
            tuple(p.pattern for p in t.number_patterns), tuple(t.criteria))


# --- shipped rules ------------------------------------------------------------------------


def test_shipped_rules_load(shipped_rules):
    assert {t.id for t in shipped_rules} == IDS
    assert sorted(p.name for p in RULE_FILES) == sorted(f"{i}.toml" for i in IDS)
    assert len(evaluation_templates(load_rules(RULES))) == len(RULE_FILES)


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_each_rules_file_validates_alone(tmp_path, path):
    shutil.copy(path, tmp_path / path.name)
    (t,) = load_rules(tmp_path)
    assert t.id == path.stem
    assert t.digest and len(t.digest) == 64
    nos = [c.no for c in t.criteria]
    assert nos == list(range(1, len(nos) + 1)), "criteria numbered 1..n in order"
    assert len({c.canonical for c in t.criteria}) == len(nos), "one canonical key per criterion"
    assert t.overall_scale
    # h28/h29: five criteria, no per-criterion rating; r1/r4: four, with a 評価 column.
    if t.id in ("h28", "h29"):
        assert len(nos) == 5 and not t.criterion_scale
    else:
        assert len(nos) == 4 and t.criterion_scale and t.rating_header


def test_fiscal_years_do_not_overlap(shipped_rules):
    spans = sorted(t.fiscal_years for t in shipped_rules)
    assert spans[0][0] == 2016
    for (a0, a1), (b0, b1) in zip(spans, spans[1:]):
        assert a1 < b0, f"fiscal years overlap: {spans}"
        assert b0 == a1 + 1, f"a gap in fiscal years: {spans}"


def test_cli_rules_lists_templates():
    proc = run_cli("rules")
    assert proc.returncode == 0, proc.stderr
    for i in IDS:
        assert re.search(rf"^{i}\t", proc.stdout, re.M), proc.stdout


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_toml_writer_round_trips(tmp_path, path):
    """The helper used below writes rules that load to the same templates."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert tomllib.loads(dump_toml(data)) == data
    d = rules_copy(tmp_path, lambda x: None, path.name)
    got = {t.id: template_signature(t) for t in evaluation_templates(load_rules(d))}
    want = {t.id: template_signature(t) for t in evaluation_templates(load_rules(RULES))}
    assert got == want


# --- malformed rules ----------------------------------------------------------------------


def _del_canonical(d):
    del d["criteria"][0]["canonical"]


def _bad_parser(d):
    d["fields"]["budget_jpy"]["parser"] = "yen_v2"


def _bad_canonical(d):
    d["criteria"][1]["canonical"] = "impact"


def _bad_regex(d):
    d["table"]["number_patterns"][1] = r"^(\d+[．.、]"


def _no_group_regex(d):
    d["table"]["number_patterns"][0] = r"^\d+[．.]"


def _missing_field(d):
    del d["fields"]["overall_rating"]


def _missing_title(d):
    del d["criteria"][2]["title"]


def _years_as_text(d):
    d["match"]["fiscal_years"] = "2016-2018"


def _label_not_text(d):
    d["fields"]["overview"]["label"] = 3


def _duplicate_no(d):
    d["criteria"][1]["no"] = d["criteria"][0]["no"]


def _bad_cell(d):
    d["fields"]["overview"]["cell"] = "left"


MALFORMED = {
    # id: (edit, words the message must hold besides the file name)
    "missing-canonical": (_del_canonical, ["criteria[0]", "canonical"]),
    "unknown-parser": (_bad_parser, ["fields.budget_jpy", "parser", "yen_v2"]),
    "unknown-canonical": (_bad_canonical, ["criteria[1]", "canonical", "impact"]),
    "bad-regex": (_bad_regex, ["number_patterns[1]"]),
    "regex-without-group": (_no_group_regex, ["number_patterns[0]"]),
    "missing-required-field": (_missing_field, ["fields", "overall_rating"]),
    "missing-title": (_missing_title, ["criteria[2]", "title"]),
    "fiscal-years-not-a-list": (_years_as_text, ["fiscal_years"]),
    "label-not-a-string": (_label_not_text, ["fields.overview", "label"]),
    "duplicate-criterion-no": (_duplicate_no, ["criteria"]),
    "unknown-cell": (_bad_cell, ["fields.overview", "cell", "left"]),
}


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_rules_name_file_and_key(tmp_path, path, case):
    edit, words = MALFORMED[case]
    d = rules_copy(tmp_path, edit, path.name)
    with pytest.raises(RulesError) as ei:
        load_rules(d)
    msg = str(ei.value)
    for w in [path.name] + words:
        assert w in msg, f"{w!r} not in {msg!r}"
    # the other files are fine: only the broken one is named
    for other in RULE_FILES:
        if other != path:
            assert other.name not in msg


def _break_syntax(text: str) -> tuple[str, int]:
    """Unquote the first parser value (parser = "yen" -> parser = yen); returns its line no."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        m = re.match(r'parser = "(\w+)"', line)
        if m:
            lines[i] = f"parser = {m.group(1)}\n"
            return "".join(lines), i + 1
    raise AssertionError("no parser line")


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.name)
def test_bad_toml_syntax_names_file_and_line(tmp_path, path):
    d = rules_copy(tmp_path)
    text, line = _break_syntax(path.read_text(encoding="utf-8"))
    (d / path.name).write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as ei:
        load_rules(d)
    msg = str(ei.value)
    assert path.name in msg and f"line {line}" in msg, msg


def test_bad_toml_syntax_names_the_key(tmp_path):
    path = RULES / "h28.toml"
    d = rules_copy(tmp_path)
    text, _ = _break_syntax(path.read_text(encoding="utf-8"))
    (d / path.name).write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as ei:
        load_rules(d)
    assert "parser" in str(ei.value)


def test_not_utf8_names_file(tmp_path):
    d = rules_copy(tmp_path)
    (d / "h29.toml").write_bytes((RULES / "h29.toml").read_text(encoding="utf-8").encode("shift_jis", errors="replace"))
    with pytest.raises(RulesError, match=r"h29\.toml"):
        load_rules(d)


def test_duplicate_ids(tmp_path):
    d = rules_copy(tmp_path)
    shutil.copy(RULES / "r1.toml", d / "r1-copy.toml")
    with pytest.raises(RulesError, match="id"):
        load_rules(d)


def test_empty_or_missing_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(RulesError, match="no rules files"):
        load_rules(tmp_path / "empty")
    with pytest.raises(RulesError, match="not found"):
        load_rules(tmp_path / "nowhere")


def test_extract_pdf_raises_rules_error_for_bad_rules(tmp_path):
    """A broken rules folder is a usage error, not a problem row of every file."""
    d = rules_copy(tmp_path, _bad_regex, "r4.toml")
    with pytest.raises(RulesError, match=r"r4\.toml"):
        extract.extract_pdf(SAMPLE, rules=d)


# --- command line with --rules ------------------------------------------------------------


@pytest.mark.parametrize("case", ["missing-canonical", "unknown-parser", "bad-regex"])
def test_cli_bad_rules_exits_2(tmp_path, case):
    edit, words = MALFORMED[case]
    d = rules_copy(tmp_path, edit, "h29.toml")
    out = tmp_path / "out"
    proc = run_cli("run", "--rules", d, SAMPLE, "-o", out)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    for w in ["h29.toml"] + words:
        assert w in proc.stderr, proc.stderr
    assert not (out / "sheets").exists(), "nothing is written with broken rules"
    proc = run_cli("rules", "--rules", d)
    assert proc.returncode == 2
    assert "h29.toml" in proc.stderr and words[-1] in proc.stderr


def test_cli_missing_rules_dir_exits_2(tmp_path):
    proc = run_cli("run", "--rules", tmp_path / "nowhere", SAMPLE, "-o", tmp_path / "out")
    assert proc.returncode == 2
    assert "nowhere" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_cli_with_changed_criterion_title_still_runs(tmp_path, extracted):
    def retitle(d):
        d["criteria"][0]["title"] = "専門分野における国際的な発信力"
        d["criteria"][0].pop("variants", None)

    d = rules_copy(tmp_path, retitle, "h28.toml")
    assert load_rules(d)[0].criteria[0].title == "専門分野における国際的な発信力"
    out = tmp_path / "out"
    proc = run_cli("run", "--rules", d, SAMPLE, "-o", out)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    sheets = pd.read_parquet(out / "sheets")
    criteria = pd.read_parquet(out / "criteria")
    assert len(sheets) == 1 and sheets["template"][0] == "h28"
    base = extracted(SAMPLE)
    assert sheets["contribution_name"][0] == base.sheets[0].fields["contribution_name"]
    # the other criteria are still found under their keys
    want = {c.canonical for c in base.sheets[0].criteria} - {"activity_outcomes"}
    assert want <= set(criteria["canonical"].dropna())
    # the printed title no longer equals the rule's: criterion 1 is not matched with full
    # confidence (or is flagged)
    c1 = criteria[criteria["criterion_no"] == 1].iloc[0]
    problems = pd.read_parquet(out / "problems")
    assert c1["confidence"] < 1.0 or "criteria[1]" in set(problems["field"].dropna())


# --- a template is data: a new field is a few lines of its rules file --------------------

NEW_FIELD = '''
[fields.department_printed]
label = "担当課・室名"
parser = "text"
description = "department as printed"
'''


def test_a_field_added_in_a_rules_file_becomes_a_column(tmp_path):
    """The README's worked example: a field added to r4.toml only, no code change."""
    def add_field(d):
        src = (RULES / "r4.toml").read_text("utf-8")
        (d / "r4.toml").write_text(src.replace("[fields.budget_jpy]", NEW_FIELD.lstrip() + "\n[fields.budget_jpy]"),
                                   "utf-8")
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    add_field(folder)
    pdfs = [SAMPLES / "r4-unhcr-refugees-word.pdf", SAMPLES / "h28-iom-trafficking.pdf"]
    base = extract.extract_tables(pdfs)
    got = extract.extract_tables(pdfs, rules=folder)
    sheets = got["sheets"]
    assert "department_printed" not in base["sheets"].columns
    # template fields first, then the derived cross-year keys and the quality
    assert list(sheets.columns) == (list(base["sheets"].columns[:-4]) + ["department_printed"]
                                    + list(base["sheets"].columns[-4:]))
    r4, h28 = sheets.iloc[0], sheets.iloc[1]
    assert r4["template"] == "r4" and r4["department_printed"] == f"{r4['bureau']} {r4['division']}"
    assert pd.isna(h28["department_printed"])              # h28's rules do not have the field
    # every other value as before
    pd.testing.assert_frame_equal(sheets.drop(columns="department_printed"), base["sheets"])
    pd.testing.assert_frame_equal(got["criteria"], base["criteria"])
    f = got["fields"]
    (row,) = f[f["field"] == "department_printed"].itertuples()
    assert row.rule == "r4.toml:fields.department_printed" and row.page == 1
    assert not any(p == "department_printed" for p in got["problems"]["field"])


def test_a_field_added_in_a_rules_file_reaches_the_parquet_files(tmp_path):
    """`extract run --rules` writes the added column into OUT/sheets (the writer takes the
    sheets schema from the templates, not the contract's fixed list)."""
    from extract import batch
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    src = (folder / "r4.toml").read_text("utf-8")
    (folder / "r4.toml").write_text(src.replace("[fields.budget_jpy]", NEW_FIELD.lstrip() + "\n[fields.budget_jpy]"),
                                    "utf-8")
    pdfs = [SAMPLES / "r4-unhcr-refugees-word.pdf", SAMPLES / "h28-iom-trafficking.pdf"]
    batch.run(pdfs, tmp_path / "out", rules_dir=folder, jobs=1, cache_dir=tmp_path / "cache")
    sheets = pd.read_parquet(tmp_path / "out" / "sheets").sort_values("template")
    assert list(sheets["department_printed"].isna()) == [True, False]          # h28, r4
    r4 = sheets[sheets["template"] == "r4"].iloc[0]
    assert r4["department_printed"] == f"{r4['bureau']} {r4['division']}"


def test_a_field_must_be_read_the_same_way_in_every_template(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    src = (folder / "r4.toml").read_text("utf-8")
    (folder / "r4.toml").write_text(src.replace('parser = "organization"', 'parser = "text"'), "utf-8")
    with pytest.raises(RulesError, match=r"r4\.toml \[fields\.organization_name\].*text/row.*h28\.toml.*organization/row"):
        load_rules(folder)


def test_the_sheets_schema_is_the_shipped_templates_fields():
    """tables.SHEETS (the contract) is what the shipped rules and the parser registry give."""
    from extract.tables import SHEETS, sheets_schema
    assert sheets_schema(load_rules()) == SHEETS
    assert sheets_schema(load_rules()[:1]) == SHEETS      # every template has the contract's fields
