"""`qz new-year Y` and `qz import workbook.xlsx --year Y`. The lead's cli.py calls `add_parser(subparsers)`."""

from __future__ import annotations

import sys

from qzanalysis.core.findings import Level
from qzanalysis.tools.collection.args import add_school_args, data_options, shown_path

DATA_DIR_HELP = "数据根目录（默认为仓库的 data/，或环境变量 QZ_DATA_DIR）"


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "new-year",
        help="为新年度创建空白数据文件夹和 Excel 填报模板",
        description="创建 data/<年度>/（各表只有表头；报告正文数值列出全部指标代码）和 data/<年度>-填报模板.xlsx。",
    )
    p.add_argument("year", type=int, help="新年度，如 2022")
    p.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    add_school_args(p, school_help="学校名单中的学校代码：在该校的数据根目录中建立新年度")
    p.add_argument("--force", action="store_true", help="文件夹或模板已存在时覆盖（已填的数据会丢失）")
    p.set_defaults(func=run_new_year)

    p = subparsers.add_parser(
        "import",
        help="校验填好的 Excel 工作簿，全部通过后写入 data/<年度>/",
        description="按与 CSV 相同的规则校验工作簿；有任何错误都不写入。写入是原子的：要么整年写入，要么什么都不改。",
    )
    p.add_argument("workbook", help="填好的工作簿（.xlsx）")
    p.add_argument("--year", type=int, required=True, help="年度，如 2022")
    p.add_argument("--data-dir", default=None, help=DATA_DIR_HELP)
    add_school_args(p, school_help="学校名单中的学校代码：导入到该校的数据根目录")
    p.add_argument("--force", action="store_true", help="替换该年度已有的数据")
    p.add_argument("--source", default=None, help="写入数据清单的来源说明（默认记录工作簿文件名）")
    p.add_argument("--verbose", "-v", action="store_true", help="同时列出 INFO 级别的说明")
    p.set_defaults(func=run_import)


def run_new_year(args) -> int:
    from qzanalysis.tools.yearly.template import YearExistsError, new_year

    try:
        result = new_year(args.year, args.data_dir, force=args.force)
    except YearExistsError as exc:
        print(f"qz new-year：{exc}", file=sys.stderr)
        return 1
    school = _school(result.folder)
    print(
        f"已{'为' + school if school else ''}创建 {result.folder}（各表表头；报告正文数值已列出全部指标代码，数值待填）"
    )
    print(f"已创建填报模板 {result.workbook}")
    if result.profile_copied:
        print(f"学校概况 school.yaml 沿用 {result.previous} 年的（学校更名、类型或口径有变化时请修改）。")
    else:
        print("已写入学校概况模板 school.yaml：请填写学校全称（name）和类型（types），否则不能生成报告。")
    if result.own_facts or result.own_tables:
        print(
            f"沿用 {result.previous} 年自行登记的数值 {result.own_facts} 项、数据表 {result.own_tables} 张"
            "（catalogue.yaml；工作簿中的“本校自定义数值”“本校自定义数据表”可增删）。"
        )
    if result.previous:
        print(f"下拉选项中的专业、学科等取自 {result.previous} 年数据。")
        if (result.folder / "text").is_dir():
            print(
                f"报告文字已从 {result.previous} 年复制到 {result.folder / 'text'}，标为草稿："
                f"逐章修订后运行 qz text --year {result.year} --revised 章节文件名（见 docs/annual-update.md）。"
            )
    else:
        print("数据目录中没有更早年度的数据，下拉选项只含固定取值。")
    print(
        f"下一步：填好模板后运行 qz import {shown_path(result.workbook)}{data_options(args)} --year {result.year}"
    )
    return 0


def _school(folder) -> str:
    """' <学校全称>（2022 年）' from the folder's school.yaml, or '' when it has none yet."""
    from qzanalysis.core.profile import read_profile

    profile, _ = read_profile(folder, str(folder))
    return f" {profile.name} " if profile is not None else ""


def run_import(args) -> int:
    from qzanalysis.tools.yearly.importer import import_workbook

    result = import_workbook(args.workbook, args.year, args.data_dir, force=args.force, source=args.source)
    report = result.report
    shown = [f for f in report.findings if args.verbose or f.level in (Level.FAIL, Level.WARN)]
    if shown:
        print("问题：" if report.errors else "说明：")
        for finding in shown:
            print(f"  {finding}")
    if not result.written:
        print(f"\n未导入：{len(report.errors)} 个错误。{result.folder} 没有任何改动。", file=sys.stderr)
        return 1
    school = _school(result.folder)
    print(
        f"\n已{'为' + school if school else ''}导入 {len(result.tables)} 张表到 {result.folder}，"
        "并写入数据清单 manifest.yaml。"
    )
    if result.not_provided:
        print(f"本年度未提供：{len(result.not_provided)} 张表（报告中将注明“本年度未提供”）。")
    if result.unfilled_facts:
        print(f"报告正文数值中 {len(result.unfilled_facts)} 项未填，按缺失处理。")
    if report.warnings:
        print(f"{len(report.warnings)} 个警告（不阻止导入，请核对）。")
    again = data_options(args)
    print(f"下一步：qz validate{again} --year {result.year}，然后 qz render{again} --year {result.year}")
    return 0
