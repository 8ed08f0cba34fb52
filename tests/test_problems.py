"""Every problem code comes from a real file: broken, encrypted, scanned, garbled or
foreign PDFs give an error row with the right code, a one-sentence message and no sheet;
they never raise and never stop a batch."""
from __future__ import annotations

import os
import random
import re
import shutil

import pytest

from conftest import SAMPLES

import extract
from extract.tables import rows

GOOD = SAMPLES / "h28-iom-trafficking.pdf"
GOOD2 = SAMPLES / "r4-unv-kangxi.pdf"
# AES-256 (PDF 2.0) passwords are UTF-8; RC4 (PDF 1.4) ones are PDFDocEncoding, so ASCII.
PASSWORDS = {"AES-256": "s3cret-パス", "RC4-128": "s3cret-pw"}


def one_sentence(msg: str) -> bool:
    """One sentence for a person: starts with a capital, ends with a full stop, no line
    breaks and no second sentence inside."""
    return (bool(msg) and msg == msg.strip() and "\n" not in msg and msg[0].isupper()
            and msg.endswith(".") and re.search(r"[.!?]\s+[A-Z]", msg[:-1]) is None)


def assert_error(result, code: str):
    """The file failed with `code`: an error row with that code, no sheet, plain messages."""
    t = rows([result])
    codes = [(p["severity"], p["code"]) for p in t["problems"]]
    assert ("error", code) in codes, f"want error {code}, got {codes}"
    assert result.sheets == [] and t["sheets"] == [] and t["criteria"] == []
    for p in result.problems:
        assert one_sentence(p.message), f"not one sentence: {p.message!r}"
        assert p.sheet_index is None
    assert all(p["source_path"] == result.source_path for p in t["problems"])


def comparable(result) -> dict:
    """Rows without what depends on the file bytes (sheet_id, source_sha256, source_path),
    floats to 0.1 (a re-written PDF stores its page box with fewer digits)."""
    t = rows([result])
    drop = {"sheet_id", "source_sha256", "source_path"}
    return {name: [{k: round(v, 1) if isinstance(v, float) else v for k, v in r.items()
                    if k not in drop} for r in rs] for name, rs in t.items()}


# --- unreadable ---------------------------------------------------------------------------


@pytest.mark.parametrize("name, data", [
    ("empty.pdf", b""),
    ("random.pdf", random.Random(7).randbytes(20000)),
    ("page.pdf", "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>"
                 "<body><h1>見つかりません</h1></body></html>\n".encode()),
    ("header-only.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
    ("head.pdf", GOOD.read_bytes()[:1500]),
], ids=["empty", "random-bytes", "html-named-pdf", "pdf-header-only", "first-1500-bytes"])
def test_not_a_pdf_is_unreadable(tmp_path, name, data):
    p = tmp_path / name
    p.write_bytes(data)
    r = extract.extract_pdf(p)
    assert_error(r, "unreadable_pdf")
    assert r.source_path == name


@pytest.mark.parametrize("part", ["first-half", "second-half"])
def test_truncated_pdf_never_raises(tmp_path, part):
    data = GOOD.read_bytes()
    cut = data[: len(data) // 2] if part == "first-half" else data[len(data) // 2:]
    p = tmp_path / f"cut-{part}.pdf"
    p.write_bytes(cut)
    r = extract.extract_pdf(p)        # must not raise: half a file has no usable page tree
    assert_error(r, "unreadable_pdf")
    assert not r.sheets


def test_missing_file_is_unreadable(tmp_path):
    r = extract.extract_pdf(tmp_path / "nope.pdf")
    assert_error(r, "unreadable_pdf")


def test_pdf_without_pages(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    p = tmp_path / "zero-pages.pdf"
    pypdf.PdfWriter().write(p)
    assert_error(extract.extract_pdf(p), "unreadable_pdf")


# --- encryption ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def encrypted_copies(tmp_path_factory):
    pypdf = pytest.importorskip("pypdf")
    d = tmp_path_factory.mktemp("encrypted")
    out = {}
    for alg in ("AES-256", "RC4-128"):
        w = pypdf.PdfWriter(clone_from=str(GOOD))
        w.encrypt(user_password=PASSWORDS[alg], owner_password="owner-pw", algorithm=alg)
        out[alg] = d / f"user-{alg}.pdf"
        w.write(out[alg])
    w = pypdf.PdfWriter(clone_from=str(GOOD))
    w.encrypt(user_password="", owner_password="owner-pw", algorithm="AES-128")
    out["owner-only"] = d / "owner-only.pdf"
    w.write(out["owner-only"])
    return out


@pytest.mark.parametrize("alg", ["AES-256", "RC4-128"])
def test_user_password_is_encrypted(encrypted_copies, alg):
    assert_error(extract.extract_pdf(encrypted_copies[alg]), "encrypted")


@pytest.mark.parametrize("alg", ["AES-256", "RC4-128"])
def test_wrong_password_is_encrypted(encrypted_copies, alg):
    assert_error(extract.extract_pdf(encrypted_copies[alg], password="wrong"), "encrypted")


@pytest.mark.parametrize("alg", ["AES-256", "RC4-128"])
def test_password_extracts_the_same_sheets(encrypted_copies, extracted, alg):
    r = extract.extract_pdf(encrypted_copies[alg], password=PASSWORDS[alg])
    assert not [p for p in r.problems if p.severity == "error"]
    assert comparable(r) == comparable(extracted(GOOD))


def test_owner_password_only_extracts(encrypted_copies, extracted):
    r = extract.extract_pdf(encrypted_copies["owner-only"])
    assert not [p for p in r.problems if p.severity == "error"]
    assert comparable(r) == comparable(extracted(GOOD))


# --- text layer and template ---------------------------------------------------------------


@pytest.mark.parametrize("sample, code", [
    ("scanned-no-text-layer.pdf", "no_text_layer"),
    ("not-a-sheet.pdf", "unknown_template"),
    ("garbled-no-tounicode.pdf", "garbled_text"),
])
def test_sample_problem_files(extracted, sample, code):
    r = extracted(SAMPLES / sample)
    assert_error(r, code)
    assert len([p for p in r.problems if p.severity == "error"]) == 1


def test_blank_page_has_no_text_layer(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    w = pypdf.PdfWriter()
    w.add_blank_page(595, 842)
    p = tmp_path / "blank.pdf"
    w.write(p)
    assert_error(extract.extract_pdf(p), "no_text_layer")


def test_good_samples_have_no_errors(extracted):
    for pdf in sorted(SAMPLES.glob("*.pdf")):
        if pdf.name in {"scanned-no-text-layer.pdf", "not-a-sheet.pdf", "garbled-no-tounicode.pdf"}:
            continue
        r = extracted(pdf)
        assert r.sheets, pdf.name
        assert not [p for p in r.problems if p.severity == "error"], pdf.name
        for p in r.problems:           # warnings too are one sentence
            assert one_sentence(p.message), f"{pdf.name}: {p.message!r}"


# --- batches ------------------------------------------------------------------------------


def test_batch_with_bad_files_extracts_the_good_ones(tmp_path, extracted):
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    shutil.copy(GOOD, d / "a-good.pdf")
    shutil.copy(GOOD2, d / "sub" / "b-good.PDF")           # upper-case suffix, in a sub-folder
    shutil.copy(SAMPLES / "not-a-sheet.pdf", d / "c-not-a-sheet.pdf")
    shutil.copy(SAMPLES / "scanned-no-text-layer.pdf", d / "sub" / "d-scan.pdf")
    (d / "e-empty.pdf").write_bytes(b"")
    (d / "f-random.pdf").write_bytes(os.urandom(4096))
    (d / "g-html.pdf").write_text("<html><body>moved</body></html>")
    (d / "h-cut.pdf").write_bytes(GOOD.read_bytes()[:2000])
    (d / "notes.txt").write_text("not a pdf, not picked up")

    results = extract.extract_many([d])
    by = {r.source_path.removeprefix("in/"): r for r in results}   # the folder's name is part of it
    assert sorted(by) == ["a-good.pdf", "c-not-a-sheet.pdf", "e-empty.pdf", "f-random.pdf",
                          "g-html.pdf", "h-cut.pdf", "sub/b-good.PDF", "sub/d-scan.pdf"]
    assert comparable(by["a-good.pdf"]) == comparable(extracted(GOOD))
    assert comparable(by["sub/b-good.PDF"]) == comparable(extracted(GOOD2))
    want = {"c-not-a-sheet.pdf": "unknown_template", "sub/d-scan.pdf": "no_text_layer",
            "e-empty.pdf": "unreadable_pdf", "f-random.pdf": "unreadable_pdf",
            "g-html.pdf": "unreadable_pdf", "h-cut.pdf": "unreadable_pdf"}
    for name, code in want.items():
        assert_error(by[name], code)

    frames = extract.extract_tables([d])
    sheets, problems = frames["sheets"], frames["problems"]
    assert sorted(sheets["source_path"].astype(str)) == ["in/a-good.pdf", "in/sub/b-good.PDF"]
    errs = problems[problems["severity"] == "error"]
    assert dict(zip(errs["source_path"].astype(str), errs["code"].astype(str))) == {
        f"in/{k}": v for k, v in want.items()}
