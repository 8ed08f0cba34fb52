"""A yearly file holds many sheets of one template that share paragraphs word for word: it
must come out exactly as its sheets do one by one (issue 8: furniture never eats cell text).

Built here with pypdf: the pages of every sheet of every sample, the whole sequence three
times in one PDF, so every sheet, label and paragraph recurs at the same place."""
from __future__ import annotations

import pytest

from conftest import sample_pdfs
from extract import extract_pdf

REPEAT = 3


def _criteria(sheet) -> list[tuple]:
    return [(c.no, c.label, c.canonical, c.rating, c.text) for c in sheet.criteria]


@pytest.fixture(scope="module")
def combined(tmp_path_factory, shipped_rules):
    pypdf = pytest.importorskip("pypdf")
    singles = []
    for pdf in sample_pdfs():
        for s in extract_pdf(pdf, shipped_rules, source_path=pdf.name).sheets:
            singles.append((pdf, s))
    w = pypdf.PdfWriter()
    for _ in range(REPEAT):
        for pdf, s in singles:
            w.append(str(pdf), pages=(s.page_first - 1, s.page_last))
    path = tmp_path_factory.mktemp("combined") / "all-samples-x3.pdf"
    w.write(path)
    return [s for _ in range(REPEAT) for _, s in singles], extract_pdf(path, shipped_rules)


def test_every_sample_sheet_is_found_in_the_combined_file(combined):
    one_by_one, got = combined
    assert len(one_by_one) >= 19 * REPEAT
    assert [p.code for p in got.problems if p.severity == "error"] == []
    assert len(got.sheets) == len(one_by_one)


def test_combined_file_gives_exactly_the_criteria_of_the_sheets_one_by_one(combined):
    one_by_one, got = combined
    for k, (want, have) in enumerate(zip(one_by_one, got.sheets)):
        assert _criteria(have) == _criteria(want), f"sheet {k} ({want.fields.get('contribution_name')})"


def test_combined_file_gives_the_same_fields(combined):
    one_by_one, got = combined
    assert [s.fields for s in got.sheets] == [s.fields for s in one_by_one]


@pytest.mark.parametrize("borders", ["none", "horizontal"])
@pytest.mark.parametrize("furniture", [False, True])
@pytest.mark.parametrize("spec_id", ["h28-iom-trafficking", "r1-unicef-covid", "r4-unhcr-refugees"])
def test_a_sheet_drawn_three_times_without_full_borders(tmp_path, spec_id, borders, furniture):
    """Without vertical ruling lines, or without any, the table's extent is less clear:
    cell text repeated three times must still stay, and furniture still go."""
    from extract_testkit.render import render_sheets
    from extract_testkit.specs import SPECS
    style = {"borders": borders, "furniture": furniture}
    render_sheets([SPECS[spec_id]], tmp_path / "once.pdf", style)
    render_sheets([SPECS[spec_id]] * REPEAT, tmp_path / "thrice.pdf", style)
    once, thrice = extract_pdf(tmp_path / "once.pdf"), extract_pdf(tmp_path / "thrice.pdf")
    assert len(once.sheets) == 1
    assert [_criteria(s) for s in thrice.sheets] == [_criteria(once.sheets[0])] * REPEAT
    if furniture:
        assert not any("公表用" in (c.text or "") for s in thrice.sheets for c in s.criteria)


def test_pages_between_two_sheets_that_do_not_go_on_with_the_table_belong_to_no_sheet(tmp_path, shipped_rules):
    """A list of the sheets and a cover printed between two sheets (a combined file with a
    divider): the first sheet's table rules the edge between its title and text columns, those
    pages do not, so they end it (before: read as its continuation, the list's text appended
    to criterion 5 and a sixth criterion invented from its note)."""
    pypdf = pytest.importorskip("pypdf")
    from conftest import SAMPLES
    first, divider, second = (SAMPLES / n for n in ("h28-iom-trafficking.pdf", "combined-cover-index.pdf",
                                                      "h29-opcw-syria-word.pdf"))
    w = pypdf.PdfWriter()
    w.append(str(first))
    w.append(str(divider), pages=(1, 2))     # the list of the file's sheets
    w.append(str(divider), pages=(0, 1))     # its cover
    w.append(str(second))
    path = tmp_path / "divided.pdf"
    w.write(path)
    got = extract_pdf(path, shipped_rules)
    alone = [extract_pdf(p, shipped_rules).sheets[0] for p in (first, second)]
    assert [_criteria(s) for s in got.sheets] == [_criteria(s) for s in alone]
    assert [(s.page_first, s.page_last) for s in got.sheets] == [(1, 2), (5, 5)]
    assert [(p.code, p.severity, p.sheet_index) for p in got.problems] == [("pages_skipped", "warning", 0)]
    assert "Pages 3-4" in got.problems[0].message
