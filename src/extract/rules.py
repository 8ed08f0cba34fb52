"""Load and validate the TOML templates in rules/: one file per template generation.

Rules are data only: labels, regexes, parser *names* looked up in a fixed registry,
titles and rating scales. Nothing in them is executed.
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .cell_rules import CellRulesError, CellTemplate, parse_cell_template
from .normalize import squash
from .parsers import CELLS, PARSERS
from .templates import CriterionRule, FieldRule, Template  # noqa: F401  (public here)

CANONICAL = {"activity_outcomes", "diplomatic_value", "management", "japanese_staff", "pdca"}
# The fields the output contract promises (OUTPUT_SCHEMA.md); a template may add others.
REQUIRED_FIELDS = {"overview", "contribution_name", "budget_jpy", "organization_name",
                   "department", "overall_rating"}
# The field whose label anchors the label column of the header (anchors.py).
ANCHOR_FIELD = "contribution_name"


class RulesError(Exception):
    """A rules file that cannot be used; the message names the file and the key."""


def _get(d: dict, key: str, typ, where: str, required: bool = True, default=None):
    if key not in d:
        if required:
            raise RulesError(f"{where}: missing key '{key}'")
        return default
    v = d[key]
    if not isinstance(v, typ):
        tname = typ.__name__ if isinstance(typ, type) else "/".join(t.__name__ for t in typ)
        raise RulesError(f"{where}: key '{key}' must be {tname}, got {type(v).__name__}")
    return v


def _one_of(value: str, allowed: set[str], where: str, key: str) -> None:
    if value not in allowed:
        raise RulesError(f"{where}: key '{key}' is {value!r}; known: {', '.join(sorted(allowed))}")


def _field_rule(fname: str, spec: dict, where: str) -> FieldRule:
    label = _get(spec, "label", str, where)
    parser = _get(spec, "parser", str, where)
    _one_of(parser, set(PARSERS), where, "parser")
    if not squash(label):
        raise RulesError(f"{where}: key 'label' is empty")
    description = _get(spec, "description", str, where, required=False, default=fname.replace("_", " "))
    cell = _get(spec, "cell", str, where, required=False, default=PARSERS[parser].cell)
    _one_of(cell, set(CELLS), where, "cell")
    return FieldRule(fname, squash(label), parser, description, cell)


def _criteria(crits_raw: list, f: str) -> list[CriterionRule]:
    if not crits_raw:
        raise RulesError(f"{f}: key 'criteria' must list at least one criterion")
    crits = []
    for i, c in enumerate(crits_raw):
        where = f"{f} criteria[{i}]"
        if not isinstance(c, dict):
            raise RulesError(f"{where}: must be a table")
        no = _get(c, "no", int, where)
        canonical = _get(c, "canonical", str, where)
        _one_of(canonical, CANONICAL, where, "canonical")
        title = _get(c, "title", str, where)
        variants = _get(c, "variants", list, where, required=False, default=[])
        crits.append(CriterionRule(no, canonical, title, tuple(variants)))
    nos = [c.no for c in crits]
    if len(set(nos)) != len(nos):
        raise RulesError(f"{f}: key 'criteria' has duplicate numbers {nos}")
    return crits


def _number_patterns(table: dict, f: str) -> tuple[re.Pattern, ...]:
    pats = []
    for i, p in enumerate(_get(table, "number_patterns", list, f"{f} [table]")):
        try:
            rx = re.compile(p)
        except (re.error, TypeError) as e:
            raise RulesError(f"{f} [table]: key 'number_patterns[{i}]' is not a valid regex: {e}")
        if rx.groups < 1:
            raise RulesError(f"{f} [table]: key 'number_patterns[{i}]' needs one group for the number")
        pats.append(rx)
    return tuple(pats)


def parse_template(data: dict, path: str) -> Template:
    f = Path(path).name
    tid = _get(data, "id", str, f)
    name = _get(data, "name", str, f, required=False, default=tid)
    match = _get(data, "match", dict, f)
    fy = _get(match, "fiscal_years", list, f"{f} [match]")
    if len(fy) != 2 or not all(isinstance(x, int) for x in fy) or fy[0] > fy[1]:
        raise RulesError(f"{f} [match]: key 'fiscal_years' must be [first, last] Western years")
    rating = _get(data, "rating", dict, f)
    overall = _get(rating, "overall", list, f"{f} [rating]")
    crit_scale = _get(rating, "criterion", list, f"{f} [rating]", required=False, default=[])
    for key, scale in (("overall", overall), ("criterion", crit_scale)):
        if not all(isinstance(x, str) and x for x in scale):
            raise RulesError(f"{f} [rating]: key '{key}' must be a list of non-empty strings")
    fields_raw = _get(data, "fields", dict, f)
    fields = {}
    for fname, spec in fields_raw.items():
        where = f"{f} [fields.{fname}]"
        if not isinstance(spec, dict):
            raise RulesError(f"{where}: must be a table with 'label' and 'parser'")
        fields[fname] = _field_rule(fname, spec, where)
    missing = REQUIRED_FIELDS - set(fields)
    if missing:
        raise RulesError(f"{f}: [fields] lacks {', '.join(sorted(missing))}")
    table = _get(data, "table", dict, f)
    pats = _number_patterns(table, f)
    crits = _criteria(_get(data, "criteria", list, f), f)
    return Template(
        id=tid, name=name, path=str(path), fiscal_years=(fy[0], fy[1]),
        overall_scale=tuple(overall), criterion_scale=tuple(crit_scale), fields=fields,
        criterion_header=squash(_get(table, "criterion_header", str, f"{f} [table]")),
        text_header=squash(_get(table, "text_header", str, f"{f} [table]")),
        rating_header=squash(t) if (t := _get(table, "rating_header", str, f"{f} [table]",
                                              required=False)) else None,
        number_patterns=pats, criteria=crits,
        title=squash(t) if (t := _get(data, "title", str, f, required=False)) else None)


def load_rules(folder: str | Path | None = None) -> list[Template]:
    """Every *.toml in the folder (default: the rules shipped with the project)."""
    folder = Path(folder) if folder else default_rules_dir()
    if not folder.is_dir():
        raise RulesError(f"rules folder not found: {folder}")
    out = []
    for p in sorted(folder.glob("*.toml")):
        raw = p.read_bytes()
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise RulesError(f"{p.name}: not UTF-8 text ({e.reason} at byte {e.start})") from e
        except tomllib.TOMLDecodeError as e:
            raise RulesError(f"{p.name}: not valid TOML: {e}{_where(raw, e)}") from e
        t = _parse_any(data, str(p))
        t.digest = hashlib.sha256(raw).hexdigest()
        out.append(t)
    if not out:
        raise RulesError(f"no rules files (*.toml) in {folder}")
    ids = [t.id for t in out]
    if len(set(ids)) != len(ids):
        raise RulesError(f"{folder}: two rules files share an id: {ids}")
    _same_parsers([t for t in out if isinstance(t, Template)])
    return out


def _parse_any(data: dict, path: str) -> Template | CellTemplate:
    """A rules file with a `family` key describes a grid-of-cells family (cell_rules.py)."""
    if "family" not in data:
        return parse_template(data, path)
    try:
        return parse_cell_template(data, path)
    except CellRulesError as e:
        raise RulesError(str(e)) from e


def evaluation_templates(templates: list) -> list[Template]:
    """The templates of the evaluation-sheet family (the others are cell families)."""
    return [t for t in templates if isinstance(t, Template)]


def cell_templates(templates: list) -> list[CellTemplate]:
    return [t for t in templates if isinstance(t, CellTemplate)]


def _same_parsers(templates: list[Template]) -> None:
    """A field is read the same way in every template (its cell is found before the
    template is known)."""
    seen: dict[str, tuple[str, str, str]] = {}
    for t in templates:
        for r in t.fields.values():
            first = seen.setdefault(r.name, (r.parser, r.cell, Path(t.path).name))
            if first[:2] != (r.parser, r.cell):
                raise RulesError(f"{Path(t.path).name} [fields.{r.name}]: parser/cell "
                                 f"{r.parser}/{r.cell} differ from {first[2]}'s {first[0]}/{first[1]}")


def _where(raw: bytes, e: Exception) -> str:
    """The key and text of the line a TOML error points at (tomllib gives only line/column)."""
    m = re.search(r"line (\d+)", str(e))
    if not m:
        return ""
    lines = raw.decode("utf-8", "replace").splitlines()
    n = int(m.group(1))
    if not 1 <= n <= len(lines):
        return ""
    text = lines[n - 1].strip()
    key = text.split("=", 1)[0].strip() if "=" in text else ""
    return (f"; key '{key}'" if key else "") + f" in: {text[:80]}"


def default_rules_dir() -> Path:
    """rules/ at the repository root (a source checkout) or shipped inside the package."""
    here = Path(__file__).resolve().parent
    for cand in (here.parent.parent / "rules", here / "rules"):
        if cand.is_dir():
            return cand
    return here.parent.parent / "rules"


def describe(t: Template | CellTemplate) -> str:
    """One line for `extract rules`."""
    if isinstance(t, CellTemplate):
        return (f"{t.id}\t{t.name}\tfamily {t.family}\t{len(t.fields)} fields, "
                f"{len(t.tables)} tables\t{Path(t.path).name}")
    return (f"{t.id}\t{t.name}\tFY{t.fiscal_years[0]}-{t.fiscal_years[1]}\t"
            f"{len(t.criteria)} criteria\t{Path(t.path).name}")
