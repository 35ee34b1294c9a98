"""`qz indicators --year Y [--format table|csv]`: every indicator recomputed, beside the printed value."""

from __future__ import annotations

import sys

from qzanalysis.core.dataset import load_year
from qzanalysis.core.findings import DataValidationError
from qzanalysis.indicators.registry import indicator_table
from qzanalysis.tools.common import add_year_args, print_frame


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
        data = load_year(args.year, args.data_dir)
        table = indicator_table(data, parse_options(args.option))
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    columns = ["id", "指标", "单位", "计算值", "报告值", "差异", "核对", "章节"]
    if args.format == "csv":
        print_frame(table[columns + ["定义"]], "csv")
    else:
        shown = table[columns].copy()
        for col in ("计算值", "报告值", "差异"):
            shown[col] = shown[col].map(
                lambda v: "—" if v is None or v != v else f"{v:,.4f}".rstrip("0").rstrip(".")
            )
        print_frame(shown, "table")
        counts = table["核对"].value_counts()
        print("\n" + "，".join(f"{k} {v} 项" for k, v in counts.items()))
    return 0
