"""The sheet as plain dataclasses: what every stage passes on to the next."""
from __future__ import annotations

from dataclasses import dataclass, field


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


@dataclass(frozen=True, slots=True)
class Ruling:
    """A ruling line: horizontal (y0 == y1) or vertical (x0 == x1)."""
    x0: float
    top: float
    x1: float
    bottom: float
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


@dataclass
class Box:
    page: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class Criterion:
    no: int | None
    label: str
    canonical: str | None = None
    rating: str | None = None
    text: str = ""
    box: Box | None = None
    method: str = "layout"
    confidence: float = 1.0
    # where label, rating and text were read: part -> [(page number, glyphs)], and "rule"
    sources: dict = field(default_factory=dict)


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
    template_obj: object = None     # the rules.Template that matched
    template_score: float = 0.0
    src: dict = field(default_factory=dict)   # field -> [(page number, glyphs)] it was read from


@dataclass
class FileResult:
    """Everything one PDF yields: sheets, or problems saying why not."""
    source_path: str
    source_sha256: str
    sheets: list[Sheet] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
