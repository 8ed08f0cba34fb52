"""Issue 5: hostile and broken inputs never stop a batch, never corrupt output, never yield
invented values.

Every bad input is GENERATED here into a temporary folder (no binary fixtures): raw PDF bytes
written by hand, pypdf rewrites of a sample (encryption, a classic xref table to break),
reportlab pages (2,000 pages, an image-only page, a Japanese non-sheet), and the colleague's
sheet renderer (extract_testkit/render.py) for a sheet with a blank field and one with a rating outside
the scale. The whole catalogue plus two good samples runs through ONE `extract.batch.run`
(2 workers, 10 s per file, 1024 MB of address space per worker); the per-item tests then read that run.
"""
from __future__ import annotations

import copy
import io
import json
import math
import random
import re
import socket
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(HERE))
from extract_testkit.scoring import SHEET_FIELDS, norm  # noqa: E402

pypdf = pytest.importorskip("pypdf")
pytest.importorskip("reportlab")

GOOD = ["h28-iom-trafficking.pdf", "r4-unhcr-refugees-word.pdf"]
TIMEOUT = 10.0
MEMORY_MB = 1024   # address space: a worker maps ~700 MB (pyarrow, the unidic dictionary) before its first file
SHEETS = "sheets"   # outcome: the file yields sheet rows and no file-level error

# ------------------------------------------------------------------ generators


def raw_pdf(objs: dict[int, bytes], root: int = 1, info: int | None = None) -> bytes:
    """A PDF written by hand from numbered object bodies, with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offs = {}
    for n in sorted(objs):
        offs[n] = len(out)
        out += b"%d 0 obj\n" % n + objs[n] + b"\nendobj\n"
    xref = len(out)
    size = max(objs) + 1
    out += b"xref\n0 %d\n0000000000 65535 f \n" % size
    for n in range(1, size):
        out += (b"%010d 00000 n \n" % offs[n]) if n in offs else b"0000000000 65535 f \n"
    out += b"trailer\n<< /Size %d /Root %d 0 R" % (size, root)
    if info:
        out += b" /Info %d 0 R" % info
    out += b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def one_page(content: bytes, page_extra: bytes = b"", stream_dict: bytes = b"") -> dict[int, bytes]:
    return {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           b"/Resources << >> " + page_extra + b" >>",
        4: b"<< /Length %d %s >>\nstream\n" % (len(content), stream_dict) + content + b"\nendstream",
    }


def zlib_bomb(gib: int = 4) -> bytes:
    """A zlib stream of `gib` GiB of zeros (~1 KB per MiB), built by repeating one
    full-flushed deflate segment, with the right Adler-32."""
    chunk = bytes(1 << 20)
    c = zlib.compressobj(9)
    head = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    seg = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    assert c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH) == seg
    n = gib * 1024
    total = n << 20
    adler = ((total % 65521) << 16) | 1      # Adler-32 of zeros: a stays 1, b = length
    return head + seg * (n - 1) + b"\x03\x00" + adler.to_bytes(4, "big")


def classic(data: bytes) -> bytes:
    """A sample rewritten by pypdf: a classic xref table, no object streams."""
    w = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def encrypted(data: bytes, user: str, owner: str) -> bytes:
    w = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data)))
    w.encrypt(user_password=user, owner_password=owner)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def zero_xref_offsets(data: bytes) -> bytes:
    out, n = re.subn(rb"\d{10} (\d{5}) n", lambda m: b"0000000000 " + m.group(1) + b" n", data)
    assert n > 5, "no classic xref table to break"
    return out


def reportlab_pages(path: Path, pages: list[list[str]], image: bool = False) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    for lines in pages:
        if image:
            from PIL import Image, ImageDraw
            from reportlab.lib.utils import ImageReader
            im = Image.new("L", (600, 800), 255)
            d = ImageDraw.Draw(im)
            for y in range(40, 760, 24):          # rows of "text-like" dark bars, as a scan
                d.rectangle([40, y, 40 + (y * 37) % 500, y + 10], fill=30)
            c.drawImage(ImageReader(im), 20, 20, 555, 800)
        c.setFont("HeiseiMin-W3", 10.5)
        for i, s in enumerate(lines):
            c.drawString(56, 780 - 18 * i, s)
        c.showPage()
    c.save()


def rendered_sheet(path: Path, **changes) -> dict:
    from extract_testkit.render import render_sheets
    from extract_testkit.specs import SPECS as specs
    spec = copy.deepcopy(specs["r4-unhcr-refugees"])
    spec.update(changes)
    render_sheets([spec], path, {})
    return spec


JAPANESE = [
    "令和5年度　外務省　広報資料",
    "日本の外交政策について",
    "外務省は、国際社会の平和と安定に貢献するため、各国との対話を進めています。",
    "本資料は一般向けの説明資料であり、評価シートではありません。",
    "問い合わせ先：外務省大臣官房広報文化外交戦略課",
]

# Accepted outcomes per item: problem codes (exactly one error row, with one of them) or SHEETS
# (sheet rows and no file-level error). Where several are listed, each is acceptable.


def _sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def make_catalogue(folder: Path) -> dict[str, dict]:
    """Write every hostile item into `folder`; returns name -> {accept, note, spec?}."""
    folder.mkdir(parents=True, exist_ok=True)
    good = _sample(GOOD[0])
    cat: dict[str, dict] = {}

    def put(name, data, accept, note):
        (folder / name).write_bytes(data)
        cat[name] = {"accept": set(accept), "note": note}

    put("empty.pdf", b"", {"unreadable_pdf"}, "zero bytes")
    put("random-bytes.pdf", random.Random(5).randbytes(8192), {"unreadable_pdf"}, "8 KB of noise")
    put("html-page.pdf", b"<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
        b"<body><h1>Not Found</h1><p>The requested URL was not found.</p></body></html>\n",
        {"unreadable_pdf"}, "an HTML error page saved as .pdf")
    put("cut-in-half.pdf", good[: len(good) // 2], {"unreadable_pdf", SHEETS},
        "a sample cut in half: unreadable, or whatever sheets survive with true values only")
    put("broken-xref.pdf", zero_xref_offsets(classic(good)), {SHEETS, "unreadable_pdf"},
        "xref offsets zeroed: pdfminer's fallback scan should still read the sheet (or unreadable)")
    d = classic(good)
    m = list(re.finditer(rb"startxref\s+(\d+)", d))[-1]
    put("broken-startxref.pdf", d[: m.start(1)] + b"123" + d[m.end(1):], {SHEETS},
        "startxref points into the header: pdfminer's fallback scan must read the sheet")
    put("encrypted-user.pdf", encrypted(good, "secret", "owner-secret"), {"encrypted"},
        "user password: encrypted (extracts with --password)")
    put("encrypted-owner-only.pdf", encrypted(good, "", "owner-secret"), {SHEETS},
        "owner password only: opens without a password, extracts")
    put("zero-pages.pdf", raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                                   2: b"<< /Type /Pages /Kids [] /Count 0 >>"}),
        {"unreadable_pdf", "unknown_template"}, "an empty page tree")
    tiny = [[f"p. {i + 1}"] for i in range(2000)]
    reportlab_pages(folder / "pages-2000.pdf", tiny)
    cat["pages-2000.pdf"] = {"accept": {"unknown_template", "timeout"},
                             "note": "2,000 tiny-text pages: no sheet, or stopped at the timeout"}
    put("bomb.pdf", raw_pdf(one_page(zlib_bomb(4), stream_dict=b"/Filter /FlateDecode")),
        {"memory_limit", "timeout", "no_text_layer"},
        "content stream inflating to 4 GiB of zeros: memory_limit/timeout, or a clean no_text_layer")
    put("nested-arrays.pdf", raw_pdf(one_page(b"", page_extra=b"/Nest " + b"[" * 100_000 + b"]" * 100_000)),
        {"unreadable_pdf", "no_text_layer"}, "100k nested [ in the page dictionary")
    put("nested-dicts.pdf", raw_pdf(one_page(b"", page_extra=b"/Nest " + b"<< /A " * 100_000 + b">> " * 100_000)),
        {"unreadable_pdf", "no_text_layer"}, "100k nested << in the page dictionary")
    put("nested-content.pdf", raw_pdf(one_page(b"[" * 100_000 + b"]" * 100_000 + b" pop\n")),
        {"unreadable_pdf", "no_text_layer"}, "100k nested [ in the content stream")
    put("circular-kids.pdf", raw_pdf({1: b"<< /Type /Catalog /Pages 2 0 R >>",
                                      2: b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"}),
        {"unreadable_pdf"}, "a page tree node whose /Kids is itself")
    put("scanned-sample.pdf", _sample("scanned-no-text-layer.pdf"), {"no_text_layer"},
        "the scanned sample: images only")
    reportlab_pages(folder / "image-only.pdf", [[]], image=True)
    cat["image-only.pdf"] = {"accept": {"no_text_layer"}, "note": "one page holding only an image"}
    reportlab_pages(folder / "japanese-not-a-sheet.pdf", [JAPANESE])
    cat["japanese-not-a-sheet.pdf"] = {"accept": {"unknown_template"},
                                       "note": "Japanese text that is not an evaluation sheet"}
    put("garbled-no-tounicode.pdf", _sample("garbled-no-tounicode.pdf"), {"garbled_text"},
        "the garbled sample: fonts without ToUnicode")
    spec = rendered_sheet(folder / "blank-rating.pdf", overall_rating="")
    cat["blank-rating.pdf"] = {"accept": {SHEETS}, "spec": spec, "null": "overall_rating",
                               "warning": "missing_field", "note": "総合評価 left blank"}
    spec = rendered_sheet(folder / "unknown-rating.pdf", overall_rating="Z")
    cat["unknown-rating.pdf"] = {"accept": {SHEETS}, "spec": spec, "null": "overall_rating",
                                 "warning": "invalid_value", "note": "総合評価 'Z' outside the scale"}
    for g in GOOD:
        put(g, _sample(g), {SHEETS}, "a good sample sheet")
    return cat


# ------------------------------------------------------------------ comparison helpers

def invented(row: dict, truth: dict, fields=SHEET_FIELDS) -> list[str]:
    """Non-null values of a sheet row that differ from the truth (null is never invented)."""
    out = []
    for f in fields:
        g = row.get(f)
        if g is None or (isinstance(g, float) and math.isnan(g)):
            continue
        if norm(g) != norm(truth.get(f)):
            out.append(f"{f}: got {norm(g)[:50]!r}, on the page {norm(truth.get(f))[:50]!r}")
    return out


def truth_of(name: str) -> dict:
    stem = Path(name).stem
    return json.loads((SAMPLES / f"{stem}.truth.json").read_text("utf-8"))["sheets"][0]


ACTION = re.compile(r"\b(run|check|download|re-export|re-?save|raise|add|report|remove|use|try|"
                    r"OCR|provide|edit|ask|contact|open|convert|repair|allow)\b", re.I)


def is_one_sentence(msg: str) -> bool:
    body = msg.strip()
    if not body.endswith("."):
        return False
    # a second sentence = terminator, space, capital letter (outside parentheses)
    depth, i = 0, 0
    for i, ch in enumerate(body[:-1]):
        depth += ch in "([" and 1 or 0
        depth -= ch in ")]" and 1 or 0
        if depth <= 0 and ch in ".!?" and re.match(r"\s+[A-Z]", body[i + 1:]):
            return False
    return True


# ------------------------------------------------------------------ the one batch

@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from extract import batch
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "in"
    t0 = time.monotonic()
    cat = make_catalogue(folder)
    t_make = time.monotonic() - t0
    out = base / "out"
    t0 = time.monotonic()
    rows, stats = batch.run([folder], out, jobs=2, timeout=TIMEOUT, memory_limit_mb=MEMORY_MB,
                            force=True)
    t_run = time.monotonic() - t0
    print(f"\n[hostile] catalogue of {len(cat)} files written in {t_make:.1f} s, "
          f"batch in {t_run:.1f} s (jobs=2, timeout {TIMEOUT:g} s, {MEMORY_MB} MB)")
    by_file: dict[str, dict] = {n: {"sheets": [], "problems": [], "criteria": []} for n in cat}
    sid = {}
    for r in rows["sheets"]:
        by_file.setdefault(_name(r), {"sheets": [], "problems": [], "criteria": []})
        by_file[_name(r)]["sheets"].append(r)
        sid[r["sheet_id"]] = _name(r)
    for r in rows["problems"]:
        by_file.setdefault(_name(r), {"sheets": [], "problems": [], "criteria": []})
        by_file[_name(r)]["problems"].append(r)
    for r in rows["criteria"]:
        by_file[sid[r["sheet_id"]]]["criteria"].append(r)
    for n in sorted(cat):
        f = by_file[n]
        errs = [p["code"] for p in f["problems"] if p["severity"] == "error"]
        print(f"[hostile] {n:28s} sheets={len(f['sheets'])} errors={errs} "
              f"warnings={[p['code'] for p in f['problems'] if p['severity'] == 'warning']}")
    return {"folder": folder, "out": out, "cat": cat, "rows": rows, "stats": stats,
            "by_file": by_file, "seconds": t_run, "base": base}


def _name(row: dict) -> str:
    """The catalogue name of a row: source_path includes the input folder's name (in/)."""
    return row["source_path"].removeprefix("in/")


def outcome(f: dict) -> str:
    """SHEETS, one error code, or a description of a mixed result."""
    file_errs = sorted({p["code"] for p in f["problems"]
                        if p["severity"] == "error" and p["sheet_index"] is None})
    if f["sheets"] and not file_errs:
        return SHEETS
    if not f["sheets"] and len(file_errs) == 1:
        n = sum(1 for p in f["problems"] if p["severity"] == "error")
        return file_errs[0] if n == 1 else f"{file_errs[0]} x{n}"
    return f"sheets={len(f['sheets'])} errors={file_errs}"


# Items whose outcome is a known bug of src/ (strict xfail; see the reasons).
XFAIL: dict[str, str] = {}

ITEMS = [
    "empty.pdf", "random-bytes.pdf", "html-page.pdf", "cut-in-half.pdf", "broken-xref.pdf",
    "broken-startxref.pdf",
    "encrypted-user.pdf", "encrypted-owner-only.pdf", "zero-pages.pdf", "pages-2000.pdf",
    "bomb.pdf", "nested-arrays.pdf", "nested-dicts.pdf", "nested-content.pdf", "circular-kids.pdf",
    "scanned-sample.pdf", "image-only.pdf", "japanese-not-a-sheet.pdf", "garbled-no-tounicode.pdf",
    "blank-rating.pdf", "unknown-rating.pdf", *GOOD,
]


def _p(names, xfails=XFAIL):
    for n in names:
        marks = [pytest.mark.xfail(strict=True, reason=xfails[n])] if n in xfails else []
        yield pytest.param(n, id=n, marks=marks)


@pytest.mark.slow
def test_catalogue_is_complete(run):
    assert sorted(run["cat"]) == sorted(ITEMS)
    assert run["stats"].files == len(ITEMS)


@pytest.mark.slow
@pytest.mark.parametrize("name", list(_p(ITEMS)))
def test_item_outcome(run, name):
    """Accounted for, with exactly one of the accepted outcomes."""
    f = run["by_file"][name]
    assert f["sheets"] or f["problems"], f"{name} is not accounted for"
    got = outcome(f)
    accept = run["cat"][name]["accept"]
    assert got in accept, f"{name} ({run['cat'][name]['note']}): got {got}, accepted {sorted(accept)}"


MESSAGE_XFAIL: dict[str, str] = {}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(_p([n for n in ITEMS if n not in GOOD], MESSAGE_XFAIL)))
def test_item_message(run, name):
    """Each error message is one sentence ending with a period that says what to do."""
    errs = [p for p in run["by_file"][name]["problems"] if p["severity"] == "error"]
    warns = [p for p in run["by_file"][name]["problems"] if p["severity"] == "warning"]
    for p in errs + warns:
        assert is_one_sentence(p["message"]), f"not one sentence ending with a period: {p['message']!r}"
    for p in errs:
        assert ACTION.search(p["message"]), f"does not say what to do: {p['message']!r}"


@pytest.mark.slow
@pytest.mark.parametrize("name", GOOD)
def test_good_samples_extract_true_values(run, name):
    f = run["by_file"][name]
    assert len(f["sheets"]) == 1
    assert not [p for p in f["problems"] if p["severity"] == "error"]
    truth = truth_of(name)
    row = f["sheets"][0]
    for k in SHEET_FIELDS:
        assert norm(row[k]) == norm(truth[k]), k
    got = {c["criterion_no"]: c for c in f["criteria"]}
    assert sorted(got) == [c["no"] for c in truth["criteria"]]
    for c in truth["criteria"]:
        assert norm(got[c["no"]]["text"]) == norm(c["text"]), f"criterion {c['no']}"
        assert norm(got[c["no"]]["rating"]) == norm(c["rating"]), f"criterion {c['no']} rating"


@pytest.mark.parametrize("name", ["cut-in-half.pdf", "broken-xref.pdf", "broken-startxref.pdf",
                                  "encrypted-owner-only.pdf"])
@pytest.mark.slow
def test_damaged_samples_never_invent(run, name):
    """Whatever sheets come out of a damaged copy of a good sample carry only true values."""
    truth = truth_of(GOOD[0])
    f = run["by_file"][name]
    for row in f["sheets"]:
        assert not invented(row, truth), invented(row, truth)
    tc = {c["no"]: c for c in truth["criteria"]}
    for c in f["criteria"]:
        t = tc.get(c["criterion_no"])
        assert t is not None, f"criterion {c['criterion_no']} is not on the page"
        assert norm(t["text"]).startswith(norm(c["text"])), f"criterion {c['criterion_no']} text"


@pytest.mark.slow
def test_owner_password_extracts_everything(run):
    f = run["by_file"]["encrypted-owner-only.pdf"]
    assert len(f["sheets"]) == 1
    truth = truth_of(GOOD[0])
    for k in SHEET_FIELDS:
        assert norm(f["sheets"][0][k]) == norm(truth[k]), k


@pytest.mark.slow
def test_user_password_extracts_with_password(run):
    from extract import extract_pdf
    path = run["folder"] / "encrypted-user.pdf"
    r = extract_pdf(path, password="secret")
    assert [p.code for p in r.problems if p.severity == "error"] == []
    assert len(r.sheets) == 1
    assert norm(r.sheets[0].fields["contribution_name"]) == norm(truth_of(GOOD[0])["contribution_name"])
    wrong = extract_pdf(path, password="wrong")
    assert [p.code for p in wrong.problems] == ["encrypted"] and not wrong.sheets


@pytest.mark.slow
@pytest.mark.parametrize("name", ["blank-rating.pdf", "unknown-rating.pdf"])
def test_doubtful_field_is_null_with_warning(run, name):
    item = run["cat"][name]
    f = run["by_file"][name]
    assert len(f["sheets"]) == 1
    row = f["sheets"][0]
    assert row[item["null"]] is None
    warn = [p for p in f["problems"] if p["field"] == item["null"]]
    assert [p["code"] for p in warn] == [item["warning"]]
    assert warn[0]["severity"] == "warning"
    spec = dict(item["spec"])
    spec[item["null"]] = None
    assert not invented(row, spec), invented(row, spec)


@pytest.mark.slow
def test_every_file_accounted_for_and_parquet_readable(run):
    import pandas as pd
    rows = run["rows"]
    seen = {_name(r) for r in rows["sheets"]} | {_name(r) for r in rows["problems"]}
    assert seen == set(ITEMS)
    for name in ("sheets", "criteria", "problems"):
        df = pd.read_parquet(run["out"] / name)
        assert len(df) == len(rows[name]), name
    probs = pd.read_parquet(run["out"] / "problems")
    assert set(probs["source_path"].str.removeprefix("in/")) <= set(ITEMS)
    # output stays inside out/: table folders, the cache and the lock file, no stray files
    assert {"sheets", "criteria", "problems"} <= {p.name for p in run["out"].iterdir()}
    assert all(p.is_dir() or p.name == ".extract.lock" for p in run["out"].iterdir())


@pytest.mark.slow
def test_sheet_values_plausible(run):
    for r in run["rows"]["sheets"]:
        assert r["fiscal_year"] is None or 1989 <= r["fiscal_year"] <= 2100
        assert r["budget_jpy"] is None or r["budget_jpy"] >= 0
        assert 1 <= r["page_first"] <= r["page_last"]


@pytest.mark.slow
def test_cli_same_folder_exits_1(run):
    """The CLI on the same folder (results of the batch reused from the cache) exits 1."""
    r = subprocess.run([sys.executable, "-m", "extract", "run", str(run["folder"]), "-o", str(run["out"]),
                        "-j", "2", "--timeout", f"{TIMEOUT:g}", "--memory-limit", str(MEMORY_MB), "-q"],
                       capture_output=True, text=True, timeout=300, cwd=run["base"])
    assert r.returncode == 1, r.stderr[-2000:]
    import pandas as pd
    assert len(pd.read_parquet(run["out"] / "sheets")) == len(run["rows"]["sheets"])


# ------------------------------------------------------------------ rules, paths, network

EVIL = "__import__('os').system('touch_PWNED')"


def _evil_rules(tmp_path: Path, parser: str = "organization") -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    for p in (ROOT / "rules").glob("*.toml"):
        (rules / p.name).write_bytes(p.read_bytes())
    src = (ROOT / "rules" / "h28.toml").read_text("utf-8")
    src = src.replace('id = "h28"', 'id = "evil"').replace("fiscal_years = [2016, 2016]",
                                                             "fiscal_years = [2099, 2099]")
    src = src.replace('label = "拠出先の国際機関名"\nparser = "organization"',
                      f'label = "{EVIL}"\nparser = "{parser}"')
    src = src.replace('name = "平成28年度"', 'name = "{{7*7}} ${HOME} $(touch_PWNED2)"')
    assert EVIL in src
    (rules / "zz-evil.toml").write_text(src, "utf-8")
    return rules


def test_rules_files_are_data_only(tmp_path, monkeypatch):
    from extract import extract_pdf, load_rules
    from extract.normalize import squash
    monkeypatch.chdir(tmp_path)
    rules = _evil_rules(tmp_path)
    ts = {t.id: t for t in load_rules(rules)}
    assert ts["evil"].fields["organization_name"].label == squash(EVIL)
    assert ts["evil"].name == "{{7*7}} ${HOME} $(touch_PWNED2)"
    r = extract_pdf(SAMPLES / GOOD[0], rules)
    assert len(r.sheets) == 1 and r.sheets[0].template == "h28"
    assert not list(tmp_path.glob("touch_PWNED*")) and not list(tmp_path.glob("PWNED*"))


def test_rules_parser_name_is_not_code(tmp_path, monkeypatch):
    from extract import RulesError, load_rules
    monkeypatch.chdir(tmp_path)
    rules = _evil_rules(tmp_path, parser=EVIL)
    with pytest.raises(RulesError, match="evil|parser"):
        load_rules(rules)
    r = subprocess.run([sys.executable, "-m", "extract", "rules", "--rules", str(rules)],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 2
    assert not list(tmp_path.glob("touch_PWNED*"))


def test_output_paths_never_from_pdf_content(tmp_path):
    """Title metadata '../../etc/x' (and a hostile /Title of the catalogue) writes nowhere else."""
    from extract import batch
    w = pypdf.PdfWriter(clone_from=pypdf.PdfReader(SAMPLES / GOOD[0]))
    w.add_metadata({"/Title": "../../etc/x", "/Subject": "/tmp/x", "/Author": "..\\..\\x"})
    root = tmp_path / "deep" / "er"
    inp = root / "in"
    inp.mkdir(parents=True)
    with open(inp / "titled.pdf", "wb") as f:
        w.write(f)
    before = {p for p in tmp_path.rglob("*")}
    out = root / "out"
    rows, _ = batch.run([inp], out, jobs=1, timeout=60, force=True)
    assert len(rows["sheets"]) == 1
    new = {p for p in tmp_path.rglob("*")} - before
    assert new and all(p == out or out in p.parents for p in new), sorted(map(str, new - {out}))
    assert not (tmp_path / "etc").exists() and not (root / "etc").exists()
    assert all(r["source_path"] == "in/titled.pdf" for r in rows["sheets"] + rows["problems"])


def test_no_network(monkeypatch):
    """extract_pdf never opens a socket (run in-process with sockets disabled)."""
    from extract import extract_pdf

    def refuse(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    r = extract_pdf(SAMPLES / GOOD[1])
    assert len(r.sheets) == 1
    assert norm(r.sheets[0].fields["organization_name"]) == norm(truth_of(GOOD[1])["organization_name"])


# ------------------------------------------------------------------ the fuzzer, briefly

def _fuzz_module():
    """bench/fuzz.py imported by name, so that its timing worker can be started by forkserver."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    import fuzz
    return fuzz


@pytest.mark.slow
def test_fuzz_short(tmp_path, capsys):
    fuzz = _fuzz_module()
    rc = fuzz.main(["--iterations", "30", "--seed", "7", "--jobs", "2", "--out", str(tmp_path),
                    "--timeout", "10", "--memory-limit", "700", "--time-sample", "0.1"])
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["inputs"] == 30
    assert sum(summary["files_by_error_code"].values()) == 30
    assert rc == 0 and summary["crashes"] == 0, json.dumps(summary.get("failures"), ensure_ascii=False)[:3000]
