"""A new table is a schema, a CSV and a call: everything else is derived from the schema.

The test adds a throw-away table the way the README says (in a temporary tree: a copy of the schemas and
of data/2021) and sees it validated, shown with its titles, units, decimals and section, listed in the data
dictionary, given a sheet in the workbook and row keys for the changes page.
"""

from __future__ import annotations

import shutil

import pytest

from qzanalysis.core import catalog
from qzanalysis.core.dataset import read_year
from qzanalysis.core.paths import DEFAULT_DATA_DIR, SCHEMA_DIR
from qzanalysis.indicators import changes
from qzanalysis.report.chapters import common
from qzanalysis.tools.datadoc import render_data_dictionary
from qzanalysis.tools.yearly.template import build_workbook
from qzanalysis.tools.yearly.workbook import sheet_names

SCHEMA = """\
title: 社团人数
section: 3.5.4
description: 各学生社团的成员人数（测试用的临时表）。
fields:
  - {name: club, title: 社团, type: string, constraints: {required: true}}
  - {name: members, title: 成员人数, type: integer, unit: 人, constraints: {minimum: 0}}
  - {name: share, title: 占在校生比例, type: number, unit: "%", decimals: 2, constraints: {minimum: 0, maximum: 100}}
  - {name: note, title: 备注, type: string}
primaryKey: [club]
"""


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """1. the schema (in a copy of qzanalysis/metadata/schemas/), 2. the CSV (in a copy of data/2021)."""
    schemas = tmp_path / "schemas"
    shutil.copytree(SCHEMA_DIR, schemas)
    (schemas / "club_members.yaml").write_text(SCHEMA, encoding="utf-8")
    monkeypatch.setattr(catalog, "SCHEMA_DIR", schemas)
    catalog.table_specs.cache_clear()
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR / "2021", data / "2021")
    (data / "2021" / "manifest.yaml").unlink()
    (data / "2021" / "club_members.csv").write_text(
        "club,members,share,note\n机器人社,25,0.7,\n篮球社,40,1.1,\n", encoding="utf-8"
    )
    yield data
    monkeypatch.undo()
    catalog.table_specs.cache_clear()


def test_a_new_table_is_a_schema_a_csv_and_a_call(tree, monkeypatch):
    data = read_year(2021, tree)
    assert data.report.ok, data.report.format()
    assert list(data.table("club_members")["members"]) == [25, 40]
    assert "club_members" in set(data.status["table"])

    # 3. the call, as a notebook cell would make it
    shown = []
    monkeypatch.setattr(
        common, "show_table", lambda frame, spec, caption, **kw: shown.append((frame, spec, caption, kw))
    )
    assert common.show_data_table(data, "club_members")
    frame, spec, caption, kw = shown[0]
    assert caption == "社团人数（3.5.4）" and kw["columns"] == ["club", "members", "share"]
    from qzanalysis.report.formatting import display_table

    table = display_table(frame, spec, **kw)
    assert list(table.columns) == ["社团", "成员人数（人）", "占在校生比例（%）"]
    assert list(table["占在校生比例（%）"]) == ["0.70", "1.10"]  # the schema's decimals

    assert "## 社团人数（`club_members.csv`）" in render_data_dictionary()
    wb = build_workbook(2022, data, data.catalogue)
    assert "社团人数" in wb.sheetnames and sheet_names()["club_members"] == "社团人数"
    assert [c.value for c in wb["社团人数"][1]][:2] == ["社团", "成员人数（人）"]
    assert changes.row_keys()["club_members"] == ("club",)


def test_a_new_tables_rows_are_checked(tree):
    (tree / "2021" / "club_members.csv").write_text(
        "club,members,share,note\n机器人社,-3,,\n", encoding="utf-8"
    )
    text = read_year(2021, tree).report.format()
    assert "club_members.csv，第 2 行，列“members”" in text and "“-3”" in text
