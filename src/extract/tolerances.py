"""Every geometric tolerance of the sheet engine, in one place.

Names ending in _EM are fractions of the font size of the glyphs concerned (an "em"):
`x < label_right - LABEL_OVERLAP_EM * size`. Names ending in _PT are absolute distances in
PDF points, for slack that does not grow with the text (a ruling line's width, rounding).
Changing one of these changes output: run the golden tests and the corpus score after.
"""
from __future__ import annotations

# ------------------------------------------------------------------ absolute slack (points)
EDGE_PT = 0.5            # a glyph edge touching a boundary still counts as inside
TOUCH_PT = 0.1           # a value glyph may start this far left of its label's right edge
ROW_TOP_PT = 1.0         # a label may start this far above the contribution-name label
CLIP_RULING_PT = 1.0     # ruling lines kept this far outside a clipped page part
VALUE_START_PT = 2.0     # value column start when no value glyph is beside any label
LABEL_LEFT_PT = 1.0      # the table's left edge, left of the leftmost label
BAND_MIN_PT = 0.5        # thinner bands between ruling lines are ignored
RATING_EDGE_PT = 2.0     # criterion text is laid out up to this far left of the rating column
CLIMB_STEP_PT = 0.1      # lift over a value line above the first header label
FALLBACK_SIZE_PT = 10.0  # font size assumed where there is no line to measure
VALUE_PROBE_PT = 1.0     # row borders are looked for this far inside the value column
HEADER_PROBE_PT = 2.0    # without a 評価基準 header, the label column is probed this far in
PAST_FOOT_PT = 1.0       # "below the page": this far past its foot

# ------------------------------------------------------------------ anchors (em)
TEXT_HEADER_RIGHT_EM = 2.0     # the text header (達成状況) lies this far right of the name label
LABEL_OVERLAP_EM = 0.3         # a row label overlaps the label column by at least this
LABEL_REACH_LEFT_EM = 3.0      # ... and starts no further left of it than this
CRITERION_HEADER_REACH_EM = 3.0  # 評価基準 centred within this of the text header's row
RATING_HEADER_REACH_EM = 0.5     # 評価 within this of the text header's row
WRAP_INDENT_EM = 1.2             # a label wrapped in its cell may go on this far right of the
                                 # cell's left edge (a line that begins with an ideographic space)
SHEET_START_MARGIN_EM = 0.3    # a later sheet on the page begins this far above its title
MIN_REST_GLYPHS = 20           # fewer glyphs above the first sheet: a stamp, not a sheet's rest
MIN_REST_LINES = 2
REST_INDENT_EM = 0.5           # ... unless its lines begin no further left than this of the next
                               # sheet's name label's right edge (in the text column)

# ------------------------------------------------------------------ header fields (em)
VALUE_RULE_MIN_COVER = 0.3     # share of the header height a value-column ruling must cover
RATING_BOX_REACH_EM = 2.5      # overall rating glyphs within this of its label's row
RATING_BOX_RULE_REACH_EM = 3.0  # ruling lines closing the rating box within this
RATING_BOX_PAD_EM = 0.5        # rating box margin where no ruling line closes it
BAND_RULE_REACH_EM = 3.0       # a ruling line above the first header row within this
LAST_BAND_DEPTH_EM = 2.5       # the last header row ends this far below its label (no ruling)
OVERVIEW_ABOVE_EM = 0.3        # overview text may reach this far above its label's top
OVERVIEW_LABEL_LINE_EM = 1.2   # glyphs left of the label within this of its top are the label's line
CLIMB_NEAR_EM = 0.5            # value lines above the first header label: touching ...
CLIMB_GAP_EM = 0.8             # ... and no further apart than this
CLIMB_START_EM = 0.3           # the climb starts this far above the label
FY_GAP_EM = 0.6                # a gap this wide splits the fiscal-year cell off the name
FY_RULE_MIN_COVER = 0.8        # share of a glyph's height a ruling must cover to split cells

# ------------------------------------------------------------------ criteria table (em)
TEXT_COLUMN_GAP_PT = 1.5       # the gap left of the text column is at least this wide
SUBCOLUMN_GAP_PT = 2.0         # gaps between number / title / sub-item columns
TABLE_RULE_MIN_COVER = 0.2     # share of the table height a column ruling must cover
COLUMN_RULE_PT = 2.0           # a later page's rule between the title and text columns: this close
TABLE_BODY_PT = 15.0           # a rule of the criteria table's body reaches this far below its header's text
REPEAT_HEADER_AREA = 0.3       # a repeated header row lies in this top share of the page
REPEAT_HEADER_REACH_EM = 0.5   # its other headers within this of its row
TITLE_GAP_EM = 1.0             # a wider gap between title lines starts a new title block
NUMBER_REACH_EM = 2.0          # a criterion number within this of its title block

# ------------------------------------------------------------------ rows without rulings (em)
WIDE_GAP_EM = 0.6              # a gap this much wider than usual is a row's cell padding
CONTINUATION_GAP_PT = 0.8      # a gap this much wider than usual may end the previous row
CONTINUATION_ASYM_EM = 1.0     # a cut must improve a title's centring by this to count
REST_MIN_PITCHES = 0.75        # a row's rest overleaf (row_rest) under this many line pitches is no line

# ------------------------------------------------------------------ a line past its row's border (em)
OVERFLOW_ABUT_EM = 0.15        # a line whose top is at most this far below a row's bottom border
OVERFLOW_PITCH_EM = 0.02       # ... and whose baseline keeps the line pitch of the text above exactly
                               # (within this: Ghostscript's reprints round positions to 0.1 pt; a
                               # border and cell padding add more, 0.05 em and up) is the last line
                               # of the row above
OVERFLOW_FOOT_ABUT_EM = 0.75   # as OVERFLOW_ABUT_EM for the page's last line of text (Writer, rows
                               # kept whole: 0.38 em below; printed again by Ghostscript: 0.53 em)

# ------------------------------------------------------------------ confidence
RULES_METHOD_DOUBT = 0.85      # a criterion numbered by word matching, not by its printed number
GAP_SPLIT_DOUBT = 0.85         # rows cut by centring and gaps, not by ruling lines
CANONICAL_MIN_SIMILARITY = 0.5  # below this a title gets no canonical key
