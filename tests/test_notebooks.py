"""Notebook hygiene: no outputs committed, a typed parameters cell first, no number typed into Markdown.

Section numbers in headings ("## 1.3 教师队伍") are the report's structure, not data, and are allowed.
"""

from __future__ import annotations

import json
import re

import pytest
from papermill.translators import PythonTranslator

from qzanalysis.core.paths import NOTEBOOK_DIR

NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("ch*.ipynb"))
HEADING_NUMBER = re.compile(r"^(#+\s*)(\d+(\.\d+)*)", re.M)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_hygiene(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert nb["metadata"]["qz"]["title"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"].get("tags", [])
    params = {p.name: p for p in PythonTranslator.inspect({"source": "".join(code[0]["source"])})}
    # what `papermill --help-notebook` lists: both parameters, with types papermill understands
    assert params["year"].inferred_type_name == "int"
    assert (params["data_dir"].inferred_type_name, params["data_dir"].default) == ("Optional[str]", "None")
    for cell in code:
        assert cell["outputs"] == [] and cell["execution_count"] is None
    for i, cell in enumerate(cells):
        if cell["cell_type"] != "markdown":
            continue
        text = HEADING_NUMBER.sub(r"\1", "".join(cell["source"]))
        assert not re.search(r"\d", text), f"{path.name} cell {i} types a number: {text[:80]!r}"
