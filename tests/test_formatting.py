"""Formatting for readers: units, thousands separators, missing values, escaping, alignment."""

from __future__ import annotations

import math

import pandas as pd

from qzanalysis.report.formatting import display_table, fmt_change, fmt_number, table_html


def test_fmt_number():
    assert fmt_number(3742, 0, "人") == "3,742 人"
    assert fmt_number(98.41, 2, "%") == "98.41%"
    assert fmt_number(15.1, 1, ":1") == "15.1:1"
    assert fmt_number(math.nan, 2, "%") == "—"
    assert fmt_number(None, 0) == "—"
    assert fmt_change(-1.9) == "−1.9 个百分点"


def test_display_table_uses_schema_titles_and_marks_missing(data_2021):
    shown = display_table(data_2021.table("culture_scores"), "culture_scores")
    assert list(shown.columns)[:3] == ["学段", "学科", "校平均分（分）"]
    assert shown["全市排名（名）"].iloc[0] == "—"  # lost in the PDF, not zero
    assert shown["校平均分（分）"].iloc[0] == "61.46"


def test_table_html_escapes_and_aligns():
    frame = pd.DataFrame({"专业": ["<script>alert(1)</script>", "会计"], "合格率": ["98.41%", "—"]})
    page = table_html(frame, "标题<b>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "标题&lt;b&gt;" in page
    assert '<td class="qz-text">&lt;script&gt;' in page  # text column, left-aligned by the report's CSS
    assert '<td class="qz-short">98.41%</td>' in page  # a number column: right-aligned, kept on one line
    assert "<style" not in page  # no inline stylesheet: the sanitizer would drop it, and the CSP forbids none
