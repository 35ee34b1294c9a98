"""Number and table formatting for what readers see: units, thousands separators, Chinese titles."""

from __future__ import annotations

import html
import re

import pandas as pd

from qzanalysis.core.catalog import TableSpec, table_specs
from qzanalysis.core.values import MISSING_TEXT, fmt_change, fmt_number, is_missing


def decimals_of(series: pd.Series) -> int:
    """The decimals a column needs so that no printed digit is lost (at most 4)."""
    best = 0
    for v in series.dropna():
        text = f"{float(v):.4f}".rstrip("0").rstrip(".")
        best = max(best, len(text.split(".")[1]) if "." in text else 0)
    return best


def display_table(
    frame: pd.DataFrame,
    spec: TableSpec | str | None = None,
    columns: list[str] | None = None,
    decimals: dict[str, int] | None = None,
    titles: dict[str, str] | None = None,
) -> pd.DataFrame:
    """A copy of `frame` as display strings, with Chinese titles (and units) from the table's schema.

    A number column shows the decimals given in `decimals`, else those its schema field declares
    (`decimals:`), else as many as its values need."""
    if isinstance(spec, str):
        spec = table_specs()[spec]
    columns = columns or [c for c in frame.columns if c != "note" and not c.startswith("amount_")]
    decimals = {**_schema_decimals(spec), **(decimals or {})}
    out = {}
    spec_titles = spec.titles() if spec else {}
    for col in columns:
        series = frame[col]
        title = (titles or {}).get(col) or spec_titles.get(col, col)
        if pd.api.types.is_bool_dtype(series):
            out[title] = series.map(lambda v: "●" if v is True else ("" if v is False else MISSING_TEXT))
        elif pd.api.types.is_numeric_dtype(series):
            d = decimals.get(col, decimals_of(series))
            out[title] = series.map(lambda v, d=d: fmt_number(v, d))
        else:
            out[title] = series.map(lambda v: MISSING_TEXT if v is None or v != v else str(v))
    return pd.DataFrame(out)


def _schema_decimals(spec: TableSpec | None) -> dict[str, int]:
    if spec is None:
        return {}
    return {f.name: f.decimals for f in spec.fields if f.decimals is not None}


_NUMBER_CELL = re.compile(r"^[−+\-±]?[\d,]+(\.\d+)?\s*(%|:1|[^\d\s]{1,3})?$")


def _is_number_column(values: pd.Series) -> bool:
    cells = [str(v) for v in values if v is not None and v == v and str(v) not in ("", MISSING_TEXT)]
    return bool(cells) and all(_NUMBER_CELL.match(c) for c in cells)


def table_html(frame: pd.DataFrame, caption: str | None = None) -> str:
    """HTML for a display table. Every cell and title is escaped: data strings are never markup.

    Text columns are left-aligned (class ``qz-text``; number columns stay right-aligned) and short labels
    (学段, 结论) never break one character per line (``qz-short``). The report numbers the table and
    turns `caption` into its title; on a phone each row becomes a card labelled by the column titles."""
    titles = [str(c) for c in frame.columns]
    text_columns = {i for i, c in enumerate(frame.columns) if not _is_number_column(frame[c])}
    short_columns = {i for i, c in enumerate(frame.columns) if frame[c].astype(str).str.len().max() <= 6}
    classes = [
        " ".join(
            name for name, on in (("qz-text", i in text_columns), ("qz-short", i in short_columns)) if on
        )
        for i in range(len(titles))
    ]
    head = "".join(f"<th>{html.escape(c)}</th>" for c in titles)
    rows = []
    for values in frame.itertuples(index=False):
        cells = (MISSING_TEXT if is_missing(v) else str(v) for v in values)
        rows.append(
            "<tr>"
            + "".join(
                f'<td class="{cls}">{html.escape(c)}</td>' if cls else f"<td>{html.escape(c)}</td>"
                for c, cls in zip(cells, classes, strict=True)
            )
            + "</tr>"
        )
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return (
        f'<table class="qz-table">{cap}<thead><tr class="qz-head">{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


# fmt_number, fmt_change and MISSING_TEXT are defined with the data core (qzanalysis.core.values), so the
# indicators layer can use them too; they are re-exported here for the report's modules.
__all__ = ["MISSING_TEXT", "decimals_of", "display_table", "fmt_change", "fmt_number", "table_html"]
