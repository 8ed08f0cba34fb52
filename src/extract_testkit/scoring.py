"""How tests compare extracted values with ground truth: as ../shared/tools/score.py does
(NFKC, all whitespace removed, paragraph lists joined, 2016.0 == 2016)."""
from __future__ import annotations

import math
import re
import unicodedata

SHEET_FIELDS = ["fiscal_year", "contribution_name", "organization_name", "organization_abbr",
                "bureau", "division", "budget_jpy", "overall_rating", "overview"]
CRIT_FIELDS = ["label", "canonical", "rating", "text"]
# reportlab's CID fonts read back U+FF0D as U+2212 and U+FF5E as U+301C (render.py)
CID_FOLD = {"\u2212": "\uff0d", "\u301c": "\uff5e"}
_WS = re.compile(r"\s+")


def norm(v, fold_cid: bool = True) -> str:
    if isinstance(v, (list, tuple)):
        return "".join(norm(x, fold_cid) for x in v)
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    s = str(v)
    if fold_cid:
        for a, b in CID_FOLD.items():
            s = s.replace(a, b)
    return _WS.sub("", unicodedata.normalize("NFKC", s))
