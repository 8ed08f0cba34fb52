"""Rules of a grid-of-cells family (a rules file with a `family` key): header fields found
by their label cells, and tables of the generic kinds of cell_tables.py. Data only."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .normalize import squash

CELL_PARSERS = {"text", "era_year", "checked", "amount", "percent", "number"}
CELL_PLACES = {"right", "below", "row"}
TABLE_KINDS = {"grid", "indicator", "checklist"}
FIELD_TYPES = {"string", "int32", "list"}


class CellRulesError(Exception):
    """A family rules file that cannot be used; the message names the file and key."""


@dataclass(frozen=True)
class CellField:
    name: str
    label: str              # squashed
    parser: str
    cell: str = "right"
    pattern: re.Pattern | None = None
    type: str = "string"
    null_words: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class CellTable:
    name: str
    kind: str
    spec: dict              # the table's keys as written (kind-specific, cell_tables.py)

    def word(self, key: str) -> str:
        return squash(str(self.spec[key]))

    def words(self, key: str) -> list[str]:
        return [squash(str(w)) for w in self.spec.get(key, [])]


@dataclass
class CellTemplate:
    id: str
    name: str
    family: str
    path: str
    title: str
    fields: dict[str, CellField]
    tables: dict[str, CellTable] = field(default_factory=dict)
    digest: str = ""

    def rule_ref(self, key: str) -> str:
        return f"{Path(self.path).name}:{key}"

    def printed_labels(self) -> set[str]:
        """What its label cells print (squashed): the fields' labels, the tables' anchors
        and check groups (cells.join_cut_labels joins a label cut by a page break by them)."""
        out = {f.label for f in self.fields.values()}
        for t in self.tables.values():
            if "anchor" in t.spec:
                out.add(t.word("anchor"))
            out.update(squash(str(w)) for w in (t.spec.get("anchors") or {}).values())
            out.update(t.words("groups"))
        return out

    def table_name(self, part: str) -> str:
        return f"{self.family}_{part}"


def _need(d: dict, key: str, where: str, typ=str):
    if key not in d:
        raise CellRulesError(f"{where}: missing key '{key}'")
    if not isinstance(d[key], typ):
        raise CellRulesError(f"{where}: key '{key}' must be {typ.__name__}")
    return d[key]


def _choice(value: str, allowed: set[str], where: str, key: str) -> str:
    if value not in allowed:
        raise CellRulesError(f"{where}: key '{key}' is {value!r}; known: {', '.join(sorted(allowed))}")
    return value


def _field(name: str, d: dict, where: str) -> CellField:
    pat = d.get("pattern")
    try:
        rx = re.compile(pat) if pat else None
    except re.error as e:
        raise CellRulesError(f"{where}: key 'pattern' is not a valid regex: {e}") from e
    cell = _choice(d.get("cell", "right"), CELL_PLACES, where, "cell")
    if cell == "row" and rx is None:
        raise CellRulesError(f"{where}: cell = 'row' needs a 'pattern'")
    return CellField(name, squash(_need(d, "label", where)),
                     _choice(_need(d, "parser", where), CELL_PARSERS, where, "parser"),
                     cell, rx, _choice(d.get("type", "string"), FIELD_TYPES, where, "type"),
                     tuple(squash(w) for w in d.get("null_words", [])), bool(d.get("required", True)))


def parse_cell_template(data: dict, path: str) -> CellTemplate:
    f = Path(path).name
    fields = {n: _field(n, d, f"{f} [fields.{n}]") for n, d in _need(data, "fields", f, dict).items()}
    tables = {}
    for n, d in _need(data, "tables", f, dict).items():
        where = f"{f} [tables.{n}]"
        tables[n] = CellTable(n, _choice(_need(d, "kind", where), TABLE_KINDS, where, "kind"), dict(d))
    return CellTemplate(id=_need(data, "id", f), name=data.get("name", data["id"]),
                        family=_need(data, "family", f), path=str(path),
                        title=squash(_need(data, "title", f)), fields=fields, tables=tables)
