"""`qz audit --year Y [--data-dir D] [--format table|csv] [--strict]`: the audit table, 不一致 first."""

from __future__ import annotations

import sys

from qzanalysis.core.findings import DataValidationError
from qzanalysis.indicators.audit import audit, display_frame, verdict_counts
from qzanalysis.indicators.audit_rules import INCONSISTENT
from qzanalysis.indicators.plausibility import check_year
from qzanalysis.tools.common import add_year_args, print_frame, school_heading


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("audit", help="核查报告中每个可推导的数值（不一致的排在最前）")
    add_year_args(p)
    p.add_argument("--format", choices=["table", "csv"], default="table")
    p.add_argument("--strict", action="store_true", help="有任何“不一致”时以非零状态退出")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        data = check_year(args.year, args.data_dir)
    except DataValidationError as exc:
        print(exc, file=sys.stderr)
        return 1
    table = audit(data)
    if args.format == "table":
        print(school_heading(data) + "\n")
    print_frame(display_frame(table), args.format)
    counts = verdict_counts(table)
    summary = "，".join(f"{r.结论} {r.项数} 项" for r in counts.itertuples())
    if args.format == "table":
        print("\n" + summary)
    else:
        print(summary, file=sys.stderr)
    inconsistent = int((table["结论"] == INCONSISTENT).sum())
    if args.strict and inconsistent:
        print(f"--strict：有 {inconsistent} 项不一致", file=sys.stderr)
        return 1
    return 0
