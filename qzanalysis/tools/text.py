"""`qz text --year Y`: the state of the year's report text (data/<Y>/text/): which chapters are still drafts,
how many references print placeholders, and every problem with its file, line and column.

`qz text --year Y --revised ch03_quality [ch04_cooperation …| all]` marks chapters revised (``draft: false``),
the same as editing the first lines of the file by hand. It is the only command that writes into the text.
"""

from __future__ import annotations

import sys

from qzanalysis.core.dataset import read_year
from qzanalysis.core.findings import Level
from qzanalysis.core.text import PREFACE, TABLES, mark_revised, references
from qzanalysis.core.years import previous_reference_report
from qzanalysis.tools.common import add_year_args

TEXT_CHECKS = ("text", "text_references")


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "text",
        help="查看某年度报告文字的状态（草稿、待补数值、问题），或把修订好的章节标为已修订",
        description="列出 data/<年度>/text/ 中每章文字的状态：是否草稿、引用了多少数值、几处显示为【待补】。",
    )
    add_year_args(p)
    p.add_argument(
        "--revised",
        nargs="+",
        metavar="章节",
        help="把这些章节标为已修订（如 ch03_quality、preface；all 表示全部），即把文件开头的 draft: true 改为 false",
    )
    p.set_defaults(func=run)


def run(args) -> int:
    data = read_year(args.year, args.data_dir)
    if data.text is None:
        print(f"{args.year} 年没有报告文字文件夹：{data.path / 'text'}", file=sys.stderr)
        return 1
    if args.revised:
        return _mark(data, args.revised)
    data.report.extend(previous_reference_report(data))
    print(f"{args.year} 年报告文字：{data.text.folder}\n")
    findings = [f for f in data.report.findings if f.check in TEXT_CHECKS]
    print(f"{'文件':<22}{'状态':<8}{'引用':>6}{'待补':>6}")
    for name, tf in sorted(data.text.files.items(), key=lambda kv: (kv[0] != PREFACE, kv[0])):
        refs = [r for r in references(tf.body, tf.first_line) if r.kind not in ("missing", TABLES)]
        pending = sum(1 for f in findings if f.file == tf.label and f.level is Level.WARN and f.value)
        state = "草稿" if tf.draft else "定稿"
        print(f"{name + '.md':<22}{state:<8}{len(refs):>6}{pending:>6}")
    shown = [f for f in findings if f.level in (Level.FAIL, Level.WARN)]
    if shown:
        print("\n问题：")
        for f in shown:
            print(f"  {f}")
    errors = sum(1 for f in findings if f.level is Level.FAIL)
    print(f"\n结论：{errors} 个错误，{sum(1 for f in findings if f.level is Level.WARN)} 个警告。")
    return 1 if errors else 0


def _mark(data, names: list[str]) -> int:
    files = data.text.files
    chosen = list(files) if names == ["all"] else names
    unknown = [n.removesuffix(".md") for n in chosen if n.removesuffix(".md") not in files]
    if unknown:
        print(
            f"没有这些文字文件：{'、'.join(unknown)}（可选：{'、'.join(sorted(files))}、all）",
            file=sys.stderr,
        )
        return 1
    for name in chosen:
        tf = files[name.removesuffix(".md")]
        changed = mark_revised(tf.path)
        print(f"{tf.label}：{'已标为已修订' if changed else '不是草稿，未改动'}")
    return 0
