"""`qz indicators --year Y [--format table|csv]`: every indicator recomputed, beside the printed value."""

from __future__ import annotations

import sys

from qzanalysis.core.findings import DataValidationError
from qzanalysis.indicators.plausibility import check_year
from qzanalysis.indicators.registry import indicator_table, registry
from qzanalysis.tools.common import add_year_args, print_frame, school_heading


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("indicators", help="计算指标并与报告值核对")
    add_year_args(p)
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="指标.选项=取值",
        help="改变口径，如 dual_qualified_ratio.denominator=full_time（可重复）",
    )
    p.set_defaults(func=run)


def parse_options(pairs: list[str]) -> dict[str, dict[str, str]]:
    options: dict[str, dict[str, str]] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        ind, _, opt = key.partition(".")
        if not (ind and opt and value):
            raise ValueError(f"选项格式应为 指标.选项=取值，收到：{pair}")
        options.setdefault(ind, {})[opt] = value
    return options


def run(args) -> int:
    try:
        data = check_year(args.year, args.data_dir)
        options = parse_options(args.option)
        table = indicator_table(data, options)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    columns = ["id", "指标", "单位", "计算值", "报告值", "差异", "核对", "章节"]
    if args.format == "csv":
        print_frame(table[columns + ["定义", "口径", "说明"]], "csv")
        return 0
    print(school_heading(data) + "\n")
    shown = table[columns].copy()
    for col in ("计算值", "报告值", "差异"):
        shown[col] = shown[col].map(
            lambda v: "—" if v is None or v != v else f"{v:,.4f}".rstrip("0").rstrip(".")
        )
    print_frame(shown, "table")
    counts = table["核对"].value_counts()
    print("\n" + "，".join(f"{k} {v} 项" for k, v in counts.items()))
    print("\n口径不一的指标（本校在 school.yaml 的 definitions 中声明；--option 可临时改变）：")
    for ind_id, row in table.set_index("id").iterrows():
        if registry()[ind_id].options:
            source = (
                "--option" if ind_id in options else "本校口径" if _declared(data, ind_id) else "默认口径"
            )
            print(f"  {row['指标']}（{source}）：{row['口径']}")
    notes = table[table["说明"] != ""]
    if len(notes):
        print("\n说明：")
        for _, row in notes.iterrows():
            print(f"  {row['指标']}：{row['说明']}")
    return 0


def _declared(data, ind_id: str) -> bool:
    return data.profile is not None and bool(data.profile.definitions.get(ind_id))
