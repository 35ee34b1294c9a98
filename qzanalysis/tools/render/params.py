"""Parameter injection with papermill's semantics, without importing papermill (slow import).

The `injected-parameters` cell goes right after the cell tagged `parameters` (or first, if there is none),
replacing any injected cell left in the file by an earlier papermill run.
"""

from __future__ import annotations

import nbformat

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"


def parameters_source(params: dict) -> str:
    lines = ["# Parameters (injected by qz render)"]
    lines += [f"{name} = {value!r}" for name, value in params.items()]
    return "\n".join(lines) + "\n"


def _tags(cell) -> list:
    return cell.get("metadata", {}).get("tags", [])


def inject_parameters(nb, params: dict) -> list[int | None]:
    """Insert the injected cell into `nb` in place.

    Returns, for every cell of the modified notebook, its index in the notebook file (None for the
    injected cell), so errors can be reported against the file the author edits.
    """
    kept = [(i, c) for i, c in enumerate(nb.cells) if INJECTED_TAG not in _tags(c)]
    at = next((pos + 1 for pos, (_, c) in enumerate(kept) if PARAMETERS_TAG in _tags(c)), 0)
    cell = nbformat.v4.new_code_cell(parameters_source(params), metadata={"tags": [INJECTED_TAG]})
    cells = [c for _, c in kept]
    origins: list[int | None] = [i for i, _ in kept]
    cells.insert(at, cell)
    origins.insert(at, None)
    nb.cells = cells
    return origins
