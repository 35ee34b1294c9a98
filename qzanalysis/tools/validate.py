"""`qz validate --year Y`: exit 0 when the year's data are clean, 1 with every problem listed otherwise.

The checks: every table against its schema, the catalogue and the profile, cross-table sums, and the
plausibility of every indicator (a rate over 100% is an error naming its inputs).
"""

from __future__ import annotations

from qzanalysis.core.findings import Level
from qzanalysis.core.years import previous_reference_report
from qzanalysis.indicators.plausibility import read_checked_year
from qzanalysis.tools.common import add_year_args, school_heading


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("validate", help="校验某年度的数据，列出全部问题")
    add_year_args(p)
    p.add_argument("--verbose", "-v", action="store_true", help="同时列出 INFO 级别的说明（如已去掉的单位）")
    p.add_argument(
        "--all", action="store_true", help="校验学校名单中的每一所学校，一校一行列出各表状态与问题数"
    )
    p.set_defaults(func=run)


def run(args) -> int:
    if args.all:
        from qzanalysis.tools.collection.status import run_all

        return run_all(args)
    data = read_checked_year(args.year, args.data_dir)
    report = data.report
    if data.path.is_dir():
        report.extend(previous_reference_report(data))
    print(f"{school_heading(data)}：{data.path}")
    print("\n数据表：")
    print(data.status[["table", "表", "状态", "说明", "行数"]].to_string(index=False))
    print("\n检查项：")
    for name, level in report.check_status().items():
        print(f"  {level.value:<4} {name}")
    for name in report.checks_skipped:
        print(f"  SKIP {name}（所需的表或数值缺失，未核对）")
    shown = report.format(include_info=args.verbose)
    if shown:
        print("\n问题：")
        print(shown)
    errors, warnings = len(report.errors), len(report.of(Level.WARN))
    print(f"\n结论：{errors} 个错误，{warnings} 个警告。" + ("校验通过。" if report.ok else "校验未通过。"))
    return 0 if report.ok else 1
