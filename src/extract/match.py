"""Which template, which criterion: word-level matching of titles with fugashi.

Titles wrap at arbitrary points, change slightly between years (…有用性 vs
…有用性・重要性) and may carry Kangxi code points; comparing the content words
(lemmas) that MeCab finds is sturdier than comparing strings.
"""
from __future__ import annotations

import functools
import re
from collections import Counter

from .normalize import squash
from .rules import CriterionRule, Template

_CONTENT_POS = ("名詞", "動詞", "形容詞", "接頭辞", "接尾辞", "形状詞")


@functools.lru_cache(maxsize=1)
def tagger():
    """One MeCab tagger per process: loading the dictionary is the slow part."""
    import fugashi
    return fugashi.Tagger()


@functools.lru_cache(maxsize=4096)
def content_words(text: str) -> tuple[str, ...]:
    out = []
    for w in tagger()(squash(text)):
        pos = w.feature.pos1 if hasattr(w.feature, "pos1") else ""
        if pos.startswith(_CONTENT_POS) or re.match(r"[A-Za-z]", w.surface):
            lemma = getattr(w.feature, "lemma", None) or w.surface
            out.append(lemma if not re.match(r"[A-Za-z]", w.surface) else w.surface.upper())
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def similarity(a: str, b: str) -> float:
    """Dice coefficient of the content-word multisets, 0..1."""
    wa, wb = Counter(content_words(a)), Counter(content_words(b))
    if not wa or not wb:
        return 0.0
    inter = sum((wa & wb).values())
    return 2 * inter / (sum(wa.values()) + sum(wb.values()))


def containment(part: str, whole: str) -> float:
    """Share of `part`'s content words found in `whole` (for titles cut by a page break)."""
    wp, ww = Counter(content_words(part)), Counter(content_words(whole))
    if not wp:
        return 0.0
    return sum((wp & ww).values()) / sum(wp.values())


def best_criterion(title: str, template: Template) -> tuple[CriterionRule | None, float]:
    best, score = None, 0.0
    for c in template.criteria:
        for t in c.titles:
            s = 1.0 if squash(t) == squash(title) else similarity(title, t)
            if s > score:
                best, score = c, s
    return best, score


def strip_number(title: str, template: Template) -> tuple[int | None, str]:
    """Split a printed criterion title into its number and the title proper."""
    s = squash(title)
    for rx in template.number_patterns:
        m = rx.match(s)
        if m:
            try:
                return int(m.group(1)), s[m.end():]
            except ValueError:
                continue
    return None, s


def template_score(titles: list[str], fiscal_year: int | None, has_rating_column: bool,
                   template: Template) -> float:
    """How well a sheet's criterion titles and year fit a template, 0..1."""
    if not titles:
        return 0.0
    sims = [best_criterion(strip_number(t, template)[1], template)[1] for t in titles]
    score = sum(sims) / max(len(sims), len(template.criteria))
    if fiscal_year is not None:
        lo, hi = template.fiscal_years
        score += 0.15 if lo <= fiscal_year <= hi else -0.15
    if has_rating_column != bool(template.criterion_scale):
        score -= 0.1
    return score


def choose_template(titles: list[str], fiscal_year: int | None, has_rating_column: bool,
                    templates: list[Template]) -> tuple[Template | None, float]:
    best, score = None, -1.0
    for t in templates:
        s = template_score(titles, fiscal_year, has_rating_column, t)
        if s > score:
            best, score = t, s
    return best, score
