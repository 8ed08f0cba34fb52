"""`extract check`: the samples against their golden files."""
from __future__ import annotations

import copy
import json
import shutil

from conftest import SAMPLES
from extract import cli
from extract.golden import compare, golden

PDF = SAMPLES / "r1-subitems.pdf"


def test_compare_names_file_table_and_field(extracted):
    got = golden(extracted(PDF))
    want = copy.deepcopy(got)
    want["sheets"][0]["budget_jpy"] += 1
    want["criteria"][2]["text"] = want["criteria"][2]["text"][:-1] + "X"
    want["problems"].append({"code": "missing_field", "field": "overview", "message": "m",
                             "severity": "warning", "sheet_index": 0, "source_path": PDF.name})
    diffs = compare(PDF.name, want, got)
    where = [(d.file, d.table, d.field) for d in diffs]
    no = want["criteria"][2]["criterion_no"]
    assert where == [(PDF.name, "sheets", "[0].budget_jpy"),
                     (PDF.name, "criteria", f"[0].criteria[{no}].text"),
                     (PDF.name, "problems", "[0].missing_field(overview).*")]
    assert diffs[0].expected == got["sheets"][0]["budget_jpy"] + 1
    assert "[-X-]" in diffs[1].show()
    # a value stored with another type (1 for 1.0) is a difference too: the file would change
    want = copy.deepcopy(got)
    want["criteria"][0]["confidence"] = int(want["criteria"][0]["confidence"])
    assert [d.field for d in compare(PDF.name, want, got)] == [f"[0].criteria[{want['criteria'][0]['criterion_no']}].confidence"]


def test_cli_check(tmp_path, capsys):
    for name in ("h28-iom-trafficking", "not-a-sheet"):
        for ext in (".pdf", ".expected.json"):
            shutil.copy(SAMPLES / (name + ext), tmp_path / (name + ext))
    assert cli.main(["check", "--samples", str(tmp_path)]) == 0
    assert "2 sample(s) checked, all agree" in capsys.readouterr().out
    exp = tmp_path / "h28-iom-trafficking.expected.json"
    data = json.loads(exp.read_text(encoding="utf-8"))
    data["sheets"][0]["overall_rating"] = "B"
    exp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "not-a-sheet.expected.json").unlink()
    assert cli.main(["check", "--samples", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "h28-iom-trafficking.pdf  sheets  [0].overall_rating  B → A" in out
    assert "not-a-sheet.pdf" in out and "missing" in out
    assert "2 sample(s) checked, 2 differ" in out


def test_cli_check_usage_errors(tmp_path, capsys):
    assert cli.main(["check", "--samples", str(tmp_path / "nope")]) == 2
    assert cli.main(["check", "--samples", str(tmp_path)]) == 2
    assert "no *.pdf" in capsys.readouterr().err


def test_check_defaults_to_the_repositorys_samples_from_any_folder(tmp_path, monkeypatch, capsys):
    from extract import golden as golden_mod
    assert golden_mod.default_samples_dir() == SAMPLES.resolve()
    small = tmp_path / "small"
    small.mkdir()
    for ext in (".pdf", ".expected.json"):
        shutil.copy(SAMPLES / ("not-a-sheet" + ext), small / ("not-a-sheet" + ext))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)        # no ./samples here
    monkeypatch.setattr(golden_mod, "default_samples_dir", lambda: small)
    assert cli.main(["check"]) == 0
    assert "1 sample(s) checked, all agree" in capsys.readouterr().out


def test_check_without_samples_says_so(monkeypatch, capsys):
    from extract import golden as golden_mod
    monkeypatch.setattr(golden_mod, "default_samples_dir", lambda: None)
    assert cli.main(["check"]) == 2
    err = capsys.readouterr().err
    assert "no samples folder" in err and "--samples" in err
