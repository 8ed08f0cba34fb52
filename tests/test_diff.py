"""`extract diff`: matching of sheets, field-level changes, the character diff, exit codes,
and the acceptance run: a title changed in a copy of the rules shows up for the r4 sheets only."""
from __future__ import annotations

import copy
import json
import re
import shutil

import pandas as pd
import pytest

from conftest import ROOT, SAMPLES, sample_pdfs
from extract import batch, cli
from extract.diff import DiffError, char_diff, diff_outputs, diff_tables, show_change


def _sheet(sid, sha="a" * 64, idx=0, fy=2020, name="国連児童基金(UNICEF)拠出金", path="x.pdf", **kw):
    row = {"sheet_id": sid, "source_path": path, "source_sha256": sha, "sheet_index": idx,
           "page_first": 1, "page_last": 2, "template": "r1", "fiscal_year": fy,
           "fiscal_year_label": "令和2年度", "contribution_name": name,
           "organization_name": "国連児童基金(UNICEF)", "organization_abbr": "UNICEF",
           "bureau": "国際協力局", "division": "地球規模課題総括課", "budget_jpy": 1000,
           "budget_label": "1,000円", "overall_rating": "A", "overview": "概要", "quality": 1.0,
           "quality_grade": "good"}
    row.update(kw)
    return row


def _crit(sid, no, text="達成状況の本文。" * 10, **kw):
    row = {"sheet_id": sid, "criterion_no": no, "label": f"評価基準{no}", "canonical": "management",
           "rating": "a", "text": text, "page": 1, "x0": 10.0, "top": 20.0, "x1": 30.0,
           "bottom": 40.0, "method": "layout", "confidence": 1.0}
    row.update(kw)
    return row


def _tables(sheets, criteria=(), problems=()):
    return {"sheets": list(sheets), "criteria": list(criteria), "problems": list(problems),
            "fields": []}


BASE = _tables([_sheet("s1"), _sheet("s2", sha="b" * 64, name="別の拠出金", path="y.pdf")],
               [_crit("s1", 1), _crit("s1", 2), _crit("s2", 1)])


def test_equal_tables():
    res = diff_tables(BASE, copy.deepcopy(BASE))
    assert res.equal and res.unchanged == 2 and res.rows() == []


def test_changed_fields_keyed_by_sheet_and_criterion():
    new = copy.deepcopy(BASE)
    new["sheets"][0]["budget_jpy"] = 2000
    new["criteria"][1]["rating"] = None
    new["criteria"][1]["text"] = new["criteria"][1]["text"].replace("本文", "新しい本文", 1)
    res = diff_tables(BASE, new)
    assert not res.equal and len(res.changed) == 1 and res.unchanged == 1
    d = res.changed[0]
    assert (d.sheet_id_old, d.sheet_id_new, d.match_by) == ("s1", "s1", "sha256+index")
    got = {f.field: (f.old, f.new, f.change) for f in d.fields}
    assert got["budget_jpy"] == (1000, 2000, "changed")
    assert got["criteria[2].rating"] == ("a", None, "removed")
    assert got["criteria[2].text"][2] == "changed"
    assert set(got) == {"budget_jpy", "criteria[2].rating", "criteria[2].text"}
    shown = [f.diff for f in d.fields if f.field == "criteria[2].text"][0]
    assert "{+新しい+}" in shown and len(shown) < 60


def test_reissued_pdf_matched_by_year_and_name():
    new = copy.deepcopy(BASE)
    for r in new["sheets"][:1]:
        r["source_sha256"], r["sheet_id"], r["source_path"] = "c" * 64, "s9", "x-v2.pdf"
    for r in new["criteria"][:2]:
        r["sheet_id"] = "s9"
    new["criteria"][0]["label"] = "改訂"
    res = diff_tables(BASE, new)
    assert not res.added and not res.removed
    d = res.changed[0]
    assert d.match_by == "fiscal_year+name" and (d.sheet_id_old, d.sheet_id_new) == ("s1", "s9")
    assert {f.field for f in d.fields} == {"source_path", "source_sha256", "criteria[1].label"}
    assert d.match_key.startswith("FY2020:")


def test_added_removed_sheets_and_problems():
    new = copy.deepcopy(BASE)
    new["sheets"].pop(1)
    new["criteria"].pop(2)
    new["sheets"].append(_sheet("s3", sha="d" * 64, fy=2021, name="新規", path="z.pdf"))
    new["problems"].append({"source_path": "x.pdf", "sheet_index": 0, "severity": "warning",
                            "code": "missing_field", "field": "overview", "message": "m"})
    new["problems"].append({"source_path": "bad.pdf", "sheet_index": None, "severity": "error",
                            "code": "encrypted", "field": None, "message": "pw"})
    res = diff_tables(BASE, new)
    assert [s.sheet_id_new for s in res.added] == ["s3"]
    assert [s.sheet_id_old for s in res.removed] == ["s2"]
    assert {f.change for f in res.added[0].fields} == {"added"}
    assert any(f.field == "criteria[1].text" for f in res.removed[0].fields)
    assert [f.field for f in res.changed[0].fields] == ["problems[missing_field:overview]"]
    assert [(s.source_path, s.fields[0].change) for s in res.file_problems] == [("bad.pdf", "added")]
    kinds = {r["change"] for r in res.rows()}
    assert kinds == {"added", "removed"}


def test_char_diff_is_compact():
    old = "前" * 30 + "旧" + "後" * 30
    new = "前" * 30 + "新" + "後" * 30
    assert char_diff(old, new) == "…" + "前" * 12 + "[-旧-]{+新+}" + "後" * 12 + "…"
    assert char_diff("abc", "abd") == "ab[-c-]{+d+}"
    assert show_change(1, None) == "1 → null"
    assert show_change("a\nb", "a\nc") == "a⏎b → a⏎c"


# ------------------------------------------------------------------ folders and CLI

@pytest.fixture
def two_outputs(tmp_path):
    old, new = tmp_path / "old", tmp_path / "new"
    batch.write_tables(copy.deepcopy(BASE), old)
    changed = copy.deepcopy(BASE)
    changed["sheets"][1]["overall_rating"] = "B"
    batch.write_tables(changed, new)
    return old, new


def test_cli_exit_codes_and_formats(two_outputs, tmp_path, capsys):
    old, new = two_outputs
    assert cli.main(["diff", str(old), str(old)]) == 0
    assert "no differences" in capsys.readouterr().out
    assert cli.main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"changed\s+overall_rating\s+A → B", out) and "y.pdf#0" in out
    assert cli.main(["diff", "--json", "--out", str(tmp_path / "d"), str(old), str(new)]) == 1
    j = json.loads(capsys.readouterr().out)
    assert j["equal"] is False and j["summary"]["changed"] == 1
    assert j["changed"][0]["fields"] == [{"field": "overall_rating", "old": "A", "new": "B",
                                          "change": "changed", "diff": "A → B"}]
    df = pd.read_parquet(tmp_path / "d" / "diff")
    assert list(df.columns) == ["match_key", "sheet_id_old", "sheet_id_new", "source_path",
                                "field", "old", "new", "change"]
    assert df.to_dict("records")[0]["field"] == "overall_rating"


def test_errors_exit_2(two_outputs, tmp_path, capsys):
    old, _ = two_outputs
    assert cli.main(["diff", str(old), str(tmp_path / "nope")]) == 2
    assert "no such output folder" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert cli.main(["diff", str(old), str(empty)]) == 2
    assert "has no table 'sheets'" in capsys.readouterr().err
    broken = tmp_path / "broken"
    shutil.copytree(old, broken)
    for f in (broken / "sheets").rglob("*.parquet"):
        f.write_bytes(b"not parquet")
    assert cli.main(["diff", str(broken), str(old)]) == 2
    assert "cannot read table" in capsys.readouterr().err
    with pytest.raises(DiffError):
        diff_outputs(empty, old)


# ------------------------------------------------------------------ acceptance on the samples

@pytest.fixture(scope="module")
def sample_runs(tmp_path_factory, extracted):
    """The samples extracted with the shipped rules (the session's cached extractions,
    written as `extract run` writes them) and re-run by the batch engine with a copy of the
    rules whose r4 criterion 4 title was edited."""
    from extract.tables import rows as table_rows
    tmp = tmp_path_factory.mktemp("runs")
    rules = tmp / "rules"
    shutil.copytree(ROOT / "rules", rules)
    r4 = rules / "r4.toml"
    text = r4.read_text(encoding="utf-8")
    assert 'title = "日本人職員・ポストの状況等"' in text
    r4.write_text(text.replace('title = "日本人職員・ポストの状況等"', 'title = "邦人職員の採用状況"'),
                  encoding="utf-8")
    old_rows = table_rows([extracted(p) for p in sample_pdfs()])
    batch.write_tables(old_rows, tmp / "old")
    # the MOFA samples by name, not the folder: it also holds samples/review/
    batch.run(sample_pdfs(), tmp / "new", rules_dir=rules, jobs=2, cache_dir=tmp / "cache")
    return tmp / "old", tmp / "new", old_rows


@pytest.mark.slow
def test_edited_title_changes_exactly_the_r4_sheets(sample_runs, capsys):
    old, new, rows = sample_runs
    r4 = {s["sheet_id"] for s in rows["sheets"] if s["template"] == "r4"}
    assert len(r4) >= 5
    res = diff_outputs(old, new)
    assert not res.added and not res.removed and not res.file_problems
    assert {d.sheet_id_new for d in res.changed} == r4
    assert res.unchanged == len(rows["sheets"]) - len(r4)
    for d in res.changed:
        fields = {f.field: f for f in d.fields}
        assert fields["criteria[4].canonical"].old == "japanese_staff"
        assert fields["criteria[4].canonical"].new is None
        crit = {k for k in fields if k.startswith("criteria[")}
        assert crit <= {"criteria[4].canonical", "criteria[4].label", "criteria[4].confidence",
                        "criteria[4].method"}
        assert set(fields) - crit <= {"quality", "quality_grade", "problems[unknown_criterion:criteria[4]]"}
    assert cli.main(["diff", str(old), str(new)]) == 1
    out = capsys.readouterr().out
    assert out.count("criteria[4].canonical") == len(r4)
    assert cli.main(["diff", str(new), str(new)]) == 0


def test_review_tables_are_compared_sheet_by_sheet(tmp_path):
    """The second family: review_sheets are sheets, review_budget etc. rows of their sheet."""
    from conftest import REVIEW_SAMPLES
    from extract.tables import rows
    from extract import extract_pdf
    old = rows([extract_pdf(REVIEW_SAMPLES / "dev_01.pdf", source_path="dev_01.pdf")])
    assert old["review_sheets"] and old["review_budget"]
    assert diff_tables(old, copy.deepcopy(old)).equal
    new = copy.deepcopy(old)
    new["review_budget"][3]["amount_jpy"] = 1
    new["review_sheets"][0]["methods"] = ["補助"]
    res = diff_tables(old, new)
    (d,) = res.changed
    assert {f.field for f in d.fields} == {"review_budget[3].amount_jpy", "methods"}
    new["review_checks"] = new["review_checks"][1:]          # a check item lost
    (d,) = diff_tables(old, new).changed
    assert any(f.field.startswith("review_checks[") and f.new is None for f in d.fields)
