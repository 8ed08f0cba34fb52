"""A template as the rules files describe it: plain data, read by rules.py, used by every
stage (no import of the stages, so anything may import it)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=64)
def _file_name(path: str) -> str:
    """A rules file's name (a rules key is given for every value of every sheet)."""
    return Path(path).name


@dataclass(frozen=True)
class FieldRule:
    name: str
    label: str          # squashed (no spacing), normalized
    parser: str         # a name in parsers.PARSERS
    description: str = ""   # how problem messages name the field ("budget")
    cell: str = "row"   # where the value lies relative to its label (parsers.CELLS)


@dataclass(frozen=True)
class CriterionRule:
    no: int
    canonical: str
    title: str
    variants: tuple[str, ...] = ()

    @property
    def titles(self) -> tuple[str, ...]:
        return (self.title,) + self.variants


@dataclass
class Template:
    id: str
    name: str
    path: str
    fiscal_years: tuple[int, int]
    overall_scale: tuple[str, ...]
    criterion_scale: tuple[str, ...]
    fields: dict[str, FieldRule]
    criterion_header: str
    text_header: str
    rating_header: str | None
    number_patterns: tuple[re.Pattern, ...]
    criteria: list[CriterionRule] = field(default_factory=list)
    title: str | None = None        # printed above a sheet; separates sheets sharing a page
    digest: str = ""

    def rule_ref(self, key: str) -> str:
        return f"{_file_name(self.path)}:{key}"
