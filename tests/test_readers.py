"""Issue 11: the pdfium reader against the pdfplumber reader (the reference).

* every sample (and, when present, every file of ../shared/corpus) and every robustness
  geometry of extract_testkit/render.py: identical values and problem codes, provenance
  boxes within BOX_TOLERANCE;
* page geometry drawn here (vertical writing, rotated and scaled text, /Rotate, a MediaBox
  not at the origin, Form XObjects, Bezier and multi-subpath paths, fake bold): the same
  glyphs, boxes and ruling lines, page by page;
* hostile files: the same problem codes.
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import CORPUS, SAMPLES, sample_pdfs
from extract import extract_pdf
from extract.pdf import PdfError
from extract.readers import READERS, read_pdf
from extract_testkit.readers import BOX_TOLERANCE, compare_readers

pytest.importorskip("pypdfium2")

CORPUS_PDFS = sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []
# Glyph boxes and ruling lines of the two readers agree to this (points): pdfium gives
# float32 coordinates.
GEOMETRY_TOLERANCE = 0.01


def _assert_equivalent(pdf: Path, templates, password=None):
    d = compare_readers(pdf, templates, password)
    assert not d.values, "\n".join(d.values[:10])
    assert not d.problems, "\n".join(d.problems)
    assert d.max_box <= BOX_TOLERANCE, f"provenance boxes differ by {d.max_box:.2f} pt"
    return d


@pytest.mark.parametrize("pdf", sample_pdfs(), ids=lambda p: p.name)
def test_samples_equivalent(pdf, shipped_rules):
    d = _assert_equivalent(pdf, shipped_rules)
    assert d.n_values > 0 or d.file.startswith(("garbled", "scanned", "not-a-sheet"))


@pytest.mark.skipif(not CORPUS_PDFS, reason=f"shared dev corpus not found at {CORPUS}")
@pytest.mark.parametrize("pdf", CORPUS_PDFS or [None], ids=lambda p: p.name if p else "none")
def test_corpus_equivalent(pdf, shipped_rules):
    _assert_equivalent(pdf, shipped_rules)


FIXTURES = Path(__file__).parent / "fixtures"
PRODUCER_PDFS = sorted(FIXTURES.glob("producers/*/*.pdf")) + sorted(FIXTURES.glob("text-layer/*.pdf"))


@pytest.mark.parametrize("pdf", PRODUCER_PDFS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_producer_fixtures_equivalent(pdf, shipped_rules):
    """Other producers: Chromium's Type3 fonts, /ActualText spans, LibreOffice Calc and Writer;
    Chromium without a Japanese font (glyph 0 without Unicode)."""
    _assert_equivalent(pdf, shipped_rules)


# ------------------------------------------------------------------ robustness geometries

def _robustness_cases():
    pytest.importorskip("reportlab")
    from test_robustness import CASES
    return [pytest.param(ids, style, id=cid) for cid, ids, style, xf in CASES if not xf]


@pytest.mark.parametrize("ids,style", _robustness_cases())
def test_rendered_equivalent(tmp_path, shipped_rules, ids, style):
    from extract_testkit.render import render_sheets
    from extract_testkit.specs import SPECS
    path = tmp_path / "sheet.pdf"
    render_sheets([SPECS[i] for i in ids], path, style)
    d = _assert_equivalent(path, shipped_rules)
    assert d.n_values > 0


def test_random_styles_equivalent(tmp_path, shipped_rules):
    """test_robustness's random styles (same strategy and examples) through both readers."""
    pytest.importorskip("reportlab")
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import strategies as st
    from extract_testkit.render import KNOBS, render_sheets
    from extract_testkit.specs import SPECS

    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(style=st.fixed_dictionaries({k: st.sampled_from(v) for k, v in KNOBS.items()}),
           spec_id=st.sampled_from(sorted(SPECS)), seed=st.integers(0, 9))
    def check(style, spec_id, seed):
        path = tmp_path / "rand.pdf"
        render_sheets([SPECS[spec_id]], path, dict(style, seed=seed))
        _assert_equivalent(path, shipped_rules)

    check()


# ------------------------------------------------------------------ page geometry

def _draw(path: Path, kind: str) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("HeiseiMin-W3", 11)
    c.drawString(60, 780, "評価基準 Rating 2024")
    if kind == "vertical":
        vert = UnicodeCIDFont("HeiseiKakuGo-W5", isVertical=True)
        vert.name = vert.fontName = "HeiseiKakuGo-W5-V"     # not over the horizontal one others use
        pdfmetrics.registerFont(vert)
        c.setFont("HeiseiKakuGo-W5-V", 12)
        c.drawString(300, 700, "縦書きの評価")
    elif kind == "rotated":
        for angle, x in ((90, 300), (30, 200), (180, 400), (270, 500)):
            c.saveState()
            c.translate(x, 400)
            c.rotate(angle)
            c.drawString(0, 0, "回転テキストABC")
            c.restoreState()
    elif kind == "scaled":
        t = c.beginText(100, 700)
        t.setFont("HeiseiMin-W3", 11)
        t.setHorizScale(80)
        t.setRise(3)
        t.setCharSpace(1.5)
        t.textLine("横に縮めたテキスト Abc")
        c.drawText(t)
        c.saveState()
        c.scale(1.5, 0.8)
        c.drawString(60, 600, "拡大ABC")
        c.restoreState()
    elif kind == "paths":
        c.beginForm("f1")
        c.setFont("HeiseiMin-W3", 12)
        c.setLineWidth(0.5)
        c.line(10, 10, 200, 10)
        c.rect(10, 20, 190, 0.8, fill=1)
        c.rect(10, 30, 190, 50)
        c.drawString(20, 40, "フォーム内の文字")
        c.endForm()
        c.saveState()
        c.translate(100, 300)
        c.scale(1.2, 1.2)
        c.doForm("f1")
        c.restoreState()
        p = c.beginPath()
        p.moveTo(100, 100)
        p.lineTo(300, 100)
        p.moveTo(100, 120)
        p.lineTo(100, 300)
        p.moveTo(120, 120)
        p.curveTo(130, 120, 140, 120, 150, 120)
        c.drawPath(p)
        c.rect(50, 500, 300, 100, stroke=1, fill=0)
        c.grid([50, 150, 250], [600, 650, 700])
    elif kind == "fakebold":
        for dx in (0, 0.3, 0.6):
            c.drawString(100 + dx, 700, "重ね刷りの太字")
    elif kind == "fills":           # one fill in row bands (as LibreOffice Calc paints it)
        _draw_fills(c)
    elif kind == "standard14":      # fonts without a FontDescriptor: pdfminer's AFM descents
        for i, font in enumerate(("Helvetica", "Times-Roman", "Courier-Bold", "Helvetica-Oblique")):
            c.setFont(font, 9 + i)
            c.drawString(80, 700 - 30 * i, f"Budget 2024: 1,234 yen ({font})")
    c.showPage()
    c.save()


BLUE, GREY = (0.867, 0.922, 0.969), (0.949, 0.949, 0.949)


def _draw_fills(c) -> None:
    """A header band over a label column painted as bands of one fill, a band of another fill
    below them, two gray bands, and two filled and stroked rects."""
    c.setFillColorRGB(*BLUE)
    c.rect(50, 600, 400, 30, stroke=0, fill=1)      # header band: top 212..242
    c.rect(50, 550, 100, 50, stroke=0, fill=1)      # label column bands: 242..292, 292..342
    c.rect(50, 500, 100, 50, stroke=0, fill=1)
    c.setFillColorRGB(*GREY)
    c.rect(50, 450, 100, 50, stroke=0, fill=1)      # another fill: 342..392
    c.setFillGray(0.5)
    c.rect(300, 400, 100, 40, stroke=0, fill=1)     # gray bands: 402..442, 442..482
    c.rect(300, 360, 100, 40, stroke=0, fill=1)
    c.setFillColorRGB(*BLUE)
    c.rect(200, 300, 80, 40, stroke=1, fill=1)      # stroked: 502..542, 542..582
    c.rect(200, 260, 80, 40, stroke=1, fill=1)
    c.setFillGray(0)


def _rewrite(path: Path, rotate: int = 0, mediabox=None) -> None:
    pypdf = pytest.importorskip("pypdf")
    r = pypdf.PdfReader(str(path))
    w = pypdf.PdfWriter()
    for page in r.pages:
        if rotate:
            page.rotate(rotate)
        if mediabox:
            from pypdf.generic import ArrayObject, FloatObject, NameObject
            page[NameObject("/MediaBox")] = ArrayObject([FloatObject(v) for v in mediabox])
        w.add_page(page)
    buf = io.BytesIO()
    w.write(buf)
    path.write_bytes(buf.getvalue())


def _glyph_key(g):
    return (g.text, round(g.x0), round(g.top))


GEOMETRIES = [("standard14", 0, None), ("vertical", 0, None), ("rotated", 0, None), ("scaled", 0, None), ("paths", 0, None),
              ("fakebold", 0, None), ("scaled", 90, None), ("paths", 270, None), ("rotated", 180, None),
              ("paths", 0, (20, 30, 615, 872)), ("vertical", 90, (-10, 5, 585, 847)), ("fills", 0, None),
              ("fills", 90, None)]


@pytest.mark.parametrize("kind,rotate,mediabox", GEOMETRIES,
                         ids=[f"{k}-rot{r}" + ("-mediabox" if m else "") for k, r, m in GEOMETRIES])
def test_page_geometry_identical(tmp_path, kind, rotate, mediabox):
    pytest.importorskip("reportlab")
    path = tmp_path / f"{kind}.pdf"
    _draw(path, kind)
    if rotate or mediabox:
        _rewrite(path, rotate, mediabox)
    a, b = (read_pdf(path, reader=r) for r in READERS)
    assert len(a) == len(b) == 1
    pa, pb = a[0], b[0]
    assert (pa.width, pa.height) == pytest.approx((pb.width, pb.height), abs=GEOMETRY_TOLERANCE)
    assert (pa.n_images, pa.n_garbled) == (pb.n_images, pb.n_garbled)
    ga, gb = sorted(pa.glyphs, key=_glyph_key), sorted(pb.glyphs, key=_glyph_key)
    assert [g.text for g in ga] == [g.text for g in gb]
    assert len(ga) >= 10
    for x, y in zip(ga, gb):
        assert (x.x0, x.top, x.x1, x.bottom, x.size) == pytest.approx(
            (y.x0, y.top, y.x1, y.bottom, y.size), abs=GEOMETRY_TOLERANCE), x.text
    ra = sorted((r.seam, r.x0, r.top, r.x1, r.bottom) for r in pa.rulings)
    rb = sorted((r.seam, r.x0, r.top, r.x1, r.bottom) for r in pb.rulings)
    assert len(ra) == len(rb)
    for x, y in zip(ra, rb):
        assert x == pytest.approx(y, abs=GEOMETRY_TOLERANCE)
    if kind == "paths":
        assert len(ra) >= 10


def test_vertical_writing_boxes_are_upright_columns(tmp_path):
    """Vertical writing: one glyph under the other, box width = font size."""
    pytest.importorskip("reportlab")
    path = tmp_path / "v.pdf"
    _draw(path, "vertical")
    page = read_pdf(path, reader="pdfium")[0]
    col = [g for g in page.glyphs if g.x0 > 200]
    assert len(col) == 6
    assert all(abs(g.x0 - col[0].x0) < 0.01 and abs(g.size - 12) < 0.01 for g in col)
    assert all(b.top >= a.bottom - 0.01 for a, b in zip(col, col[1:]))


def test_lone_character_of_a_font_not_embedded_is_read(tmp_path):
    """A text object of one Japanese character in a font that is not embedded (a wrapped
    label's last character: 分担金・拠出金の名 / 称). pdfium draws such a font with a font of
    the system; where none has the glyph, the object's bounds have no width and pdfium's
    text page leaves the character out. That page is read with pdfplumber instead, so
    both readers give the same glyphs whatever fonts the machine has."""
    pytest.importorskip("reportlab")
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas
    import pypdfium2 as pdfium2
    from extract import pdfium as reader
    path = tmp_path / "lone.pdf"
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    c = canvas.Canvas(str(path), pagesize=(595, 842))
    c.setFont("HeiseiMin-W3", 10)
    c.drawString(47, 652.66, "分担金・拠出金の名")
    c.drawString(47, 639.46, "称")
    c.save()
    doc = pdfium2.PdfDocument(str(path))
    try:
        page = doc[0]      # held: the text objects' handles are the page's
        left_out = "称" not in page.get_textpage().get_text_range()
        assert sum(map(reader._unread, reader.read_shapes(page).texts)) == int(left_out)
    finally:
        doc.close()
    got = {r: [(g.text, round(g.x0, 2), round(g.top, 2)) for g in read_pdf(path, reader=r)[0].glyphs]
           for r in ("pdfplumber", "pdfium")}
    assert "称" in [t for t, _, _ in got["pdfium"]]
    assert got["pdfium"] == got["pdfplumber"]


def test_actual_text_is_read_by_both_readers(tmp_path):
    """Marked content /ActualText: pdfium's text page gives the ActualText (every character
    at the start of the span, which the reader sets side by side so that dedupe_chars keeps
    them all); pdfplumber (pdfminer) the glyphs drawn. Pinned here so that a change of
    either is seen (issue 9 wants /ActualText read)."""
    from test_hostile import raw_pdf
    jp = "評価".encode("utf-16-be").hex().upper().encode()
    content = (b"/Span <</ActualText (ABC)>> BDC BT /F1 12 Tf 100 700 Td (xyz) Tj ET EMC\n"
               b"/Span <</ActualText <FEFF" + jp + b">>> BDC BT /F1 12 Tf 100 650 Td (qq) Tj ET EMC\n"
               b"BT /F1 12 Tf 100 600 Td (plain) Tj ET\n")
    path = tmp_path / "actual.pdf"
    path.write_bytes(raw_pdf({
        1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
           b"/Resources << /Font << /F1 5 0 R >> >> >>",
        4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"}))
    text = {r: "".join(g.text for g in read_pdf(path, reader=r)[0].glyphs) for r in READERS}
    assert text == {"pdfplumber": "ABC評価plain", "pdfium": "ABC評価plain"}   # marked.py for pdfplumber
    # pdfium puts them all at the span's start; the reader sets them one after the other
    got = {g.text: g for g in read_pdf(path, reader="pdfium")[0].glyphs}
    assert got["A"].x0 == pytest.approx(100.0, abs=0.01) and got["評"].x0 == pytest.approx(100.0, abs=0.01)
    assert got["A"].x1 == pytest.approx(got["B"].x0) and got["B"].x1 == pytest.approx(got["C"].x0)
    assert got["評"].x1 == pytest.approx(got["価"].x0)


# ------------------------------------------------------------------ hostile files

def _problem_codes(path: Path, reader: str, password=None) -> list[str]:
    return sorted(p.code for p in extract_pdf(path, password=password, reader=reader).problems
                  if p.severity == "error")


# Hostile items where the readers legitimately differ (both outcomes are accepted by
# test_hostile's catalogue): name -> why.
READER_DIFFERS = {
    "broken-xref.pdf": "pdfium rebuilds the zeroed xref table and reads the sheet; pdfminer gives up",
    "nested-dicts.pdf": "pdfium skips the 100k-deep page dictionary entry and finds a page "
                        "without text (no_text_layer); pdfminer fails on it (unreadable_pdf)",
}


def test_hostile_same_codes(tmp_path):
    from test_hostile import invented, make_catalogue, truth_of
    folder = tmp_path / "in"
    cat = make_catalogue(folder)
    skip = {"bomb.pdf", "pages-2000.pdf"}      # need the batch's memory limit and timeout
    differ = []
    for name in sorted(set(cat) - skip):
        res = {r: extract_pdf(folder / name, reader=r) for r in READERS}
        got = {r: sorted(p.code for p in x.problems if p.severity == "error") for r, x in res.items()}
        outcome = "sheets" if res["pdfium"].sheets and not got["pdfium"] else got["pdfium"][0]
        assert outcome in cat[name]["accept"], (name, got)
        if (got["pdfium"], len(res["pdfium"].sheets)) != (got["pdfplumber"], len(res["pdfplumber"].sheets)):
            differ.append(name)
        if res["pdfium"].sheets and name in READER_DIFFERS:      # whatever it reads is true
            truth = truth_of("h28-iom-trafficking.pdf")
            for sh in res["pdfium"].sheets:
                assert not invented(sh.fields, truth), name
    assert sorted(differ) == sorted(READER_DIFFERS)


def test_password_both_readers(tmp_path):
    from test_hostile import GOOD, _sample, encrypted
    path = tmp_path / "enc.pdf"
    path.write_bytes(encrypted(_sample(GOOD[0]), "secret", "owner-secret"))
    for r in READERS:
        assert _problem_codes(path, r) == ["encrypted"], r
        assert _problem_codes(path, r, password="wrong") == ["encrypted"], r
        ok = extract_pdf(path, password="secret", reader=r)
        assert ok.sheets and not [p for p in ok.problems if p.severity == "error"], r


def test_unreadable_raises_pdf_error(tmp_path):
    path = tmp_path / "cut.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog")
    for r in READERS:
        with pytest.raises(PdfError) as e:
            read_pdf(path, reader=r)
        assert e.value.code == "unreadable_pdf"


def test_unknown_reader_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="unknown reader"):
        read_pdf(sample_pdfs()[0], reader="mupdf")


# ------------------------------------------------------------------ --reader on the commands

def test_cli_run_and_diff_with_reader(tmp_path):
    from extract import cli
    good = [p for p in sample_pdfs() if p.name in ("h28-iom-trafficking.pdf", "r1-two-budgets.pdf")]
    src = tmp_path / "in"
    src.mkdir()
    for p in good:
        (src / p.name).write_bytes(p.read_bytes())
    outs = {}
    for r in READERS:
        outs[r] = tmp_path / f"out-{r}"
        assert cli.main(["run", str(src), "-o", str(outs[r]), "-q", "-j", "1", "--reader", r]) == 0
    # the two runs' tables are equal, and equal to a fresh pdfium extraction of the PDFs
    assert cli.main(["diff", str(outs["pdfplumber"]), str(outs["pdfium"])]) == 0
    assert cli.main(["diff", str(outs["pdfplumber"]), str(src), "--reader", "pdfium"]) == 0
    # a named reader has cache entries of its own: the pdfium run did not reuse pdfplumber's
    assert cli.main(["run", str(src), "-o", str(outs["pdfplumber"]), "-q", "-j", "1",
                     "--cache", str(outs["pdfium"] / ".cache"), "--reader", "pdfium"]) == 0


def test_cli_audit_with_reader(tmp_path, capsys):
    from extract import cli
    pdf = next(p for p in sample_pdfs() if p.name == "h28-iom-trafficking.pdf")
    pages = {}
    for r in READERS:
        out = tmp_path / f"{r}.html"
        assert cli.main(["audit", str(pdf), "-o", str(out), "--reader", r]) == 0
        assert "1 sheet(s)" in capsys.readouterr().out
        pages[r] = out.read_text(encoding="utf-8")
    assert len(pages["pdfium"]) > 10_000


def test_cli_rejects_unknown_reader(capsys):
    from extract import cli
    with pytest.raises(SystemExit) as e:
        cli.main(["run", "samples", "--reader", "mupdf"])
    assert e.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


# ------------------------------------------------------------------ bombs and crashes in C

def _font_pdf(font: bytes, extra: dict[int, bytes]) -> bytes:
    from test_hostile import raw_pdf
    content = b"BT /F1 12 Tf 100 700 Td (a) Tj ET"
    objs = {1: b"<< /Type /Catalog /Pages 2 0 R >>", 2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
            4: b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            5: font}
    objs.update(extra)
    return raw_pdf(objs)


def _bomb_stream(gib: int = 1) -> bytes:
    from test_hostile import zlib_bomb
    bomb = zlib_bomb(gib)
    return b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(bomb) + bomb + b"\nendstream"


def test_font_program_bomb_is_memory_limit(tmp_path):
    """A FontFile2 inflating to 1 GiB: refused before pdfium reads it (pdfium would abort)."""
    path = tmp_path / "font-bomb.pdf"
    path.write_bytes(_font_pdf(
        b"<< /Type /Font /Subtype /TrueType /BaseFont /Bomb /FirstChar 97 /LastChar 97 "
        b"/Widths [500] /FontDescriptor 6 0 R >>",
        {6: b"<< /Type /FontDescriptor /FontName /Bomb /Flags 32 /FontBBox [0 0 1000 1000] "
            b"/ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 /FontFile2 7 0 R >>",
         7: _bomb_stream()}))
    assert _problem_codes(path, "pdfium") == ["memory_limit"]


def test_crash_in_pdfium_is_a_worker_crashed_row(tmp_path):
    """pdfium aborts the process when an allocation fails: here a Type3 glyph procedure
    inflating to 1 GiB under a 1024 MB limit (not refused by preflight.py). The worker dies;
    the batch goes on and the other files are extracted."""
    from extract import batch
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-type3-bomb.pdf").write_bytes(_font_pdf(
        b"<< /Type /Font /Subtype /Type3 /FontBBox [0 0 1000 1000] /FontMatrix [0.001 0 0 0.001 0 0] "
        b"/CharProcs << /a 6 0 R >> /Encoding << /Differences [97 /a] >> /FirstChar 97 "
        b"/LastChar 97 /Widths [1000] /Resources << >> >>", {6: _bomb_stream()}))
    for name in ("h28-iom-trafficking.pdf", "r1-two-budgets.pdf"):
        (folder / f"b-{name}").write_bytes(next(p for p in sample_pdfs() if p.name == name).read_bytes())
    rows, stats = batch.run([folder], tmp_path / "out", jobs=1, memory_limit_mb=1024, force=True,
                            reader="pdfium")
    errors = {p["source_path"]: p["code"] for p in rows["problems"] if p["severity"] == "error"}
    # source_path keeps the input folder's name (issue 8)
    assert errors == {"in/a-type3-bomb.pdf": "worker_crashed"}
    assert {s["source_path"] for s in rows["sheets"]} == {"in/b-h28-iom-trafficking.pdf", "in/b-r1-two-budgets.pdf"}


def test_glyph_rows_are_glyphs():
    """model.glyph_rows (the pdfium reader's fast constructor) builds what Glyph() builds."""
    from extract.model import Glyph, glyph_rows
    rows = [("a", "a", 1.0, 2.5, 3.0, 4.25, 1.25), ("字", "字", -1.5, 0.1, 7.3, 9.9, 2.6)]
    got = glyph_rows(*(list(col) for col in zip(*rows)))
    want = [Glyph(*r) for r in rows]
    assert got == want
    assert [(g.xc, g.yc) for g in got] == [(g.xc, g.yc) for g in want]
    assert glyph_rows([], [], [], [], [], [], []) == []
    with pytest.raises(AttributeError):
        got[0].x0 = 5.0             # still frozen
    x0, x1, top, bottom = [1.0, -1.5], [2.5, 0.1], [3.0, 7.3], [4.25, 9.9]
    given = glyph_rows(["a", "字"], ["a", "字"], x0, x1, top, bottom, [1.25, 2.6],
                       ([(a + b) / 2 for a, b in zip(x0, x1)], [(a + b) / 2 for a, b in zip(top, bottom)]))
    assert given == want and [(g.xc, g.yc) for g in given] == [(g.xc, g.yc) for g in want]


def _pdfminer_objects(data: bytes) -> list:
    from pdfminer.pdfparser import PDFStreamParser
    from pdfminer.psexceptions import PSEOF
    parser = PDFStreamParser(data)
    parser.set_document(None)
    out = []
    try:
        while True:
            out.append(parser.nextobject()[1])
    except PSEOF:
        return out


def _plain(o):
    from pdfminer.pdftypes import PDFObjRef
    from pdfminer.psparser import PSKeyword, PSLiteral
    if isinstance(o, PDFObjRef):
        return ("ref", o.objid)
    if isinstance(o, (PSLiteral, PSKeyword)):
        return (type(o).__name__, o.name)
    if isinstance(o, dict):
        return {k: _plain(v) for k, v in o.items()}
    if isinstance(o, list):
        return [_plain(v) for v in o]
    return (type(o).__name__, o)


@pytest.mark.parametrize("data", [
    b"3 0 4 60 << /Type /Font /BaseFont /ABCDEF+IPAexGothic /Widths [500 1000 250.5 -3 +.5]"
    b" /FontDescriptor 4 0 R /X true /Y false /Z null >> [1 2 3 0 R /A (str) <414 2>]",
    b"1 0 << /K [4 0 R 5 0 R] /N 12 /E [] /D << >> >>\n%comment\n7",
    b"1 0 << /A 1.5.3 >>", b"1 0 << /A#20B 1 >>", b"1 0 << /S (a\\)b) >>", b"1 0 [1 2R]",
    b"1 0 << /A <ABC> >>", b"1 0 {proc}", b"5 0 R", b"1 0 << /A 1 /B >>",
])
def test_object_stream_parsed_as_pdfminer_does(data):
    """preflight.parse_object_stream builds pdfminer's objects, or leaves the data to it."""
    from extract.preflight import _Unsupported, parse_object_stream
    try:
        got = parse_object_stream(None, data)
    except _Unsupported:
        return
    assert _plain(got) == _plain(_pdfminer_objects(data))


def _pdfminer_plain(data: bytes) -> object:
    """What PDFDocument._getobj_parse reads at the start of `data`."""
    import io
    from pdfminer.pdfparser import PDFParser
    parser = PDFParser(io.BytesIO(data))
    parser.set_document(None)
    for _ in range(3):                    # objid, genno, obj
        parser.nexttoken()
    return parser.nextobject()[1]


@pytest.mark.parametrize("data", [
    b"7 0 obj\n<< /Type /Font /W [ 1 [ 500 600 ] 3 9 1000 ] /DW 1000 >>\nendobj\n",
    b"7 0 obj<</A 1 0 R/B[2 0 R 3]/C(text)/D<414243>/E -1.5/F true>>endobj",
    b"7 0 obj 42 endobj",
    b"7 0 obj\r\n[/a/b 1 2.5 .5 -3]\r\nendobj",
    b"7 0 obj << /Name /endobjX >> endobj",
    b"7 0 obj << /S (a (nested) endobj) >> endobj",
    b"7 0 obj << /N null /M 1 >> endobj",
    b"7 0 obj << /Length 5 >> stream\nabcde\nendstream endobj",
    b"8 0 obj << /A 1 >> endobj",
    b"7 0 obj << /A 1 >> << /B 2 >> endobj",
    b"7 0 obj << /A [1 2 >> endobj",
    b"7 0 obj << % comment\n/A 1 >> endobj",
])
def test_plain_object_parsed_as_pdfminer_does(data):
    """preflight.parse_plain_object builds the object pdfminer's PDFParser reads at an
    object's offset, or leaves it to that parser."""
    from extract.preflight import _Unsupported, parse_plain_object
    try:
        got = parse_plain_object(None, data, 7)
    except _Unsupported:
        return
    assert _plain(got) == _plain(_pdfminer_plain(data))


def _files_objects(pdf: Path):
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    with open(pdf, "rb") as f:
        data = f.read()
        doc = PDFDocument(PDFParser(f))
        for xref in doc.xrefs:
            for objid in xref.get_objids():
                strm, pos, _ = xref.get_pos(objid)
                if strm is None:
                    yield objid, data[pos:pos + (1 << 18)]


def test_every_plain_object_of_the_samples_parsed_as_pdfminer_does(tmp_path):
    """Every object outside object streams in every sample, a combined file of them (pypdf
    writes no object streams) and every corpus file (when there): parse_plain_object reads
    what pdfminer reads, or leaves it to pdfminer."""
    from extract.preflight import _Unsupported, parse_plain_object
    from extract_testkit.combine import join_pdfs, sheet_samples
    join_pdfs(sheet_samples(SAMPLES), tmp_path / "combined.pdf", 12)
    pdfs = [tmp_path / "combined.pdf"] + sorted(SAMPLES.rglob("*.pdf"))
    pdfs += sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []
    parsed = 0
    for pdf in pdfs:
        try:
            objects = list(_files_objects(pdf))
        except Exception:       # a broken sample: not what is compared here
            continue
        for objid, data in objects:
            try:
                got = parse_plain_object(None, data, objid)
            except _Unsupported:
                continue
            assert _plain(got) == _plain(_pdfminer_plain(data)), (pdf.name, objid)
            parsed += 1
    assert parsed > 50


def test_plain_objects_of_random_tokens_parsed_as_pdfminer_does():
    """Random objects from the tokens of font dictionaries (nested, numbers, names,
    strings, references, nulls, comments, bad closings): parse_plain_object agrees with
    pdfminer or leaves them to it."""
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from extract.preflight import _Unsupported, parse_plain_object
    tokens = st.sampled_from([b"<<", b">>", b"[", b"]", b"/W", b"/Type", b"/Font", b"/endobj", b"1",
                              b"-2.5", b".5", b"3 0 R", b"(s)", b"(a(b)c)", b"<41>", b"true", b"null",
                              b"%c\n", b"\n", b" ", b"stream", b"endobj", b"obj"])

    @settings(max_examples=400, deadline=None, derandomize=True, database=None)
    @given(st.lists(tokens, max_size=30), st.sampled_from([b" ", b"\n", b""]))
    def check(body, sep):
        data = b"7 0 obj " + sep.join(body) + b" endobj"
        try:
            got = parse_plain_object(None, data, 7)
        except _Unsupported:
            return
        assert _plain(got) == _plain(_pdfminer_plain(data))

    check()


def test_preflight_parses_the_samples_object_streams_itself(monkeypatch):
    """The object streams of the samples (LibreOffice writes its fonts there) are parsed by
    parse_object_stream, not by pdfminer's parser (several times slower): with pdfminer's
    made to fail, preflight finds the same descents."""
    from pdfminer.pdfdocument import PDFDocument
    from extract.preflight import preflight
    pdfs = sorted(SAMPLES.glob("*.pdf"))
    want = [preflight(p).descents for p in pdfs]
    assert sum(len(d) for d in want) > 10

    def fail(self, stream):
        raise AssertionError("pdfminer parsed an object stream")
    monkeypatch.setattr(PDFDocument, "_get_objects", fail)
    assert [preflight(p).descents for p in pdfs] == want


@pytest.mark.parametrize("reader", READERS)
def test_seams_of_one_fill_are_marked(tmp_path, reader):
    """A filled rect's top or bottom with the same fill on the other side is a seam, no
    boundary for a grid's cells (pdf_common.seamless_edges): Calc's bands of one fill would
    cut a merged label cell. A change of fill, a stroked rect and every side are rulings."""
    pytest.importorskip("reportlab")
    path = tmp_path / "fills.pdf"
    _draw(path, "fills")
    page, = read_pdf(path, reader=reader)

    def across(top, x, seam=False):
        return [r for r in page.rulings if r.horizontal and r.seam == seam and abs(r.top - top) < 0.5
                and r.x0 - 0.5 <= x <= r.x1 + 0.5]

    assert not across(242, 100) and not across(292, 100)        # bands of one fill: seams
    assert across(242, 100, seam=True) and across(292, 100, seam=True)
    assert across(242, 300)                                      # the header band's own bottom
    assert across(212, 100) and across(342, 100) and across(392, 100)   # above, a change of fill, below
    assert not across(442, 350) and across(402, 350) and across(482, 350)  # gray bands
    assert len(across(542, 240)) >= 2                            # stroked rects keep their edges
    sides = {round(r.x0) for r in page.rulings if not r.horizontal and r.top < 300 < r.bottom}
    assert {50, 150} <= sides


CALC_REVIEW_PDFS = sorted((Path(__file__).resolve().parent / "fixtures" / "review-calc").glob("*.pdf"))


@pytest.mark.parametrize("pdf", CALC_REVIEW_PDFS, ids=lambda p: p.stem)
def test_glyph_widths_where_the_text_layer_gives_a_kangxi_radical(pdf):
    """LibreOffice's ToUnicode map gives the one glyph of 行 and ⾏ as ⾏ (Kangxi labels);
    pdfium reads the value's 行 as 行, for which FPDFFont_GetGlyphWidth finds no code: the
    width comes from the character's loose box (pdfium._unmapped_advances), as pdfplumber
    has it from the font's widths."""
    a, b = (read_pdf(pdf, reader=r) for r in READERS)
    for pa, pb in zip(a, b):
        assert sorted(g.text for g in pa.glyphs) == sorted(g.text for g in pb.glyphs)
        by_text: dict[str, list] = {}
        for g in pb.glyphs:
            by_text.setdefault(g.text, []).append(g)
        wide = []
        for x in pa.glyphs:         # the same glyph of the other reader: its nearest twin
            y = min(by_text[x.text], key=lambda g: abs(g.x0 - x.x0) + abs(g.top - x.top))
            if abs((x.x1 - x.x0) - (y.x1 - y.x0)) > 0.1:
                wide.append((x.text, x.x1 - x.x0, y.x1 - y.x0))
        assert not wide, wide[:5]
