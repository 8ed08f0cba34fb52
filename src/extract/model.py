"""The sheet as plain dataclasses: what every stage passes on to the next."""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from itertools import repeat

from .templates import Template

Part = tuple[int, list["Glyph"]]     # (page number, glyphs) a value was read from


@dataclass(frozen=True, slots=True)
class Glyph:
    """One printed character; `text` is normalized, `raw` as the PDF gives it.

    Centres are stored, not derived: layout code reads them millions of times."""
    text: str
    raw: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    xc: float = field(init=False, compare=False)
    yc: float = field(init=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "xc", (self.x0 + self.x1) / 2)
        object.__setattr__(self, "yc", (self.top + self.bottom) / 2)


def glyph_rows(text: list[str], raw: list[str], x0: list[float], x1: list[float],
               top: list[float], bottom: list[float], size: list[float],
               centres: tuple[list[float], list[float]] | None = None) -> list[Glyph]:
    """[Glyph(*row) for row in zip(text, raw, x0, x1, top, bottom, size)], about twice as
    fast: no __init__ per glyph, each slot is filled for every glyph at once (the readers
    build a thousand glyphs a page). `centres`: (xc, yc) when the caller has computed them
    as Glyph does ((x0 + x1) / 2, (top + bottom) / 2)."""
    out = list(map(object.__new__, repeat(Glyph, len(text))))
    if centres is None:
        centres = ([(a + b) / 2 for a, b in zip(x0, x1)], [(a + b) / 2 for a, b in zip(top, bottom)])
    for name, column in (("text", text), ("raw", raw), ("x0", x0), ("x1", x1), ("top", top),
                         ("bottom", bottom), ("size", size), ("xc", centres[0]), ("yc", centres[1])):
        deque(map(getattr(Glyph, name).__set__, out, column), maxlen=0)
    return out


@dataclass(frozen=True, slots=True)
class Ruling:
    """A ruling line: horizontal (y0 == y1) or vertical (x0 == x1); a seam is the top or
    bottom of a fill with the same fill beyond it, seen by nobody (pdf_common.seamless_edges)."""
    x0: float
    top: float
    x1: float
    bottom: float
    seam: bool = False
    horizontal: bool = field(init=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "horizontal", (self.x1 - self.x0) >= (self.bottom - self.top))


@dataclass
class Page:
    number: int                 # 1-based
    width: float
    height: float
    glyphs: list[Glyph]
    rulings: list[Ruling]
    n_images: int = 0
    n_garbled: int = 0          # glyphs whose text is (cid:NN) or U+FFFD

    @property
    def foot(self) -> float:
        """Where the page's text ends: its bottom edge, or the lowest glyph a producer drew
        below it (a cell too tall for the page: in the file, though no viewer shows it)."""
        return max([self.height] + [g.bottom for g in self.glyphs])


@dataclass
class Box:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class CriterionSources:
    """Where a criterion's parts were read, and the rules key of its title."""
    label: list[Part] = field(default_factory=list)
    rating: list[Part] = field(default_factory=list)
    text: list[Part] = field(default_factory=list)
    rule: str | None = None


@dataclass
class Criterion:
    no: int | None
    label: str | None          # None where the text layer cannot tell its characters
    canonical: str | None = None
    rating: str | None = None
    text: str | None = ""      # None likewise (pipeline.drop_unmapped)
    box: Box | None = None
    method: str = "layout"
    confidence: float = 1.0
    sources: CriterionSources = field(default_factory=CriterionSources)


@dataclass
class Problem:
    severity: str               # error | warning
    code: str
    message: str
    field: str | None = None
    sheet_index: int | None = None


@dataclass
class Sheet:
    sheet_index: int
    page_first: int
    page_last: int
    template: str
    fields: dict = field(default_factory=dict)
    criteria: list[Criterion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    template_obj: Template | None = None     # the template that matched
    template_score: float = 0.0
    src: dict[str, list[Part]] = field(default_factory=dict)   # column -> where it was read


@dataclass
class FileResult:
    """Everything one PDF yields: sheets, or problems saying why not."""
    source_path: str
    source_sha256: str
    sheets: list[Sheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    cell_sheets: list = field(default_factory=list)    # sheets of the cell families (cell_sheet.py)


@dataclass
class FieldCell:
    """One printed label and the glyphs of its value."""
    name: str             # the field (a key of the rules file's [fields])
    label: str            # the label cell's text, squashed (a budget label names its year)
    glyphs: list[Glyph]   # the value
    page: int
