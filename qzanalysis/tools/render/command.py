"""`qz render` subcommand. The lead's `qzanalysis.cli` calls `add_parser(subparsers)`.

Ctrl+C (SIGINT) or SIGTERM at any moment: every chapter is cancelled, every kernel shut down, nothing
half-written is left, "已中断" is printed and the exit status is 130 (143 for SIGTERM).
"""

from __future__ import annotations

import argparse
import sys

from qzanalysis.tools.collection.args import add_school_args


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "render",
        help="执行各章笔记本，生成发布版、审阅版、分析版（各一个 HTML 文件）与目录页",
        description="执行提纲中声明的各章笔记本，写入 <out>/<year>/：publication.html（发布版）、review.html（审阅版）、"
        "analysis.html（分析版，含代码）、index.html；build.html 与各章单页供分析人员使用。未变化的章节会跳过。"
        "--all：学校名单中每所学校的报告、区域汇总报告和学校目录。",
    )
    parser.add_argument("--year", type=int, required=True, help="报告年度，例如 2021")
    parser.add_argument("--data-dir", default=None, help="数据根目录（默认 data/）")
    parser.add_argument(
        "--out", default=None, help="输出根目录（默认 reports/；--all 时默认为学校名单旁的 reports/）"
    )
    parser.add_argument(
        "--all", action="store_true", help="生成学校名单中每所学校的报告、区域汇总报告和学校目录"
    )
    add_school_args(parser, school_help="只生成学校名单中这些学校的报告（代码，逗号分隔）")
    parser.add_argument("--notebooks-dir", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--force", action="store_true", help="即使没有变化也重新执行所有选中的章节")
    parser.add_argument("--jobs", "-j", type=int, default=2, help="同时运行的内核数（默认 2）")
    parser.add_argument("--chapters", default=None, help="只生成这些章节，逗号分隔，例如 ch01,ch03")
    parser.add_argument("--timeout", type=int, default=600, help="单个单元格的超时秒数（默认 600）")
    parser.add_argument(
        "--pdf",
        action="store_true",
        help="另将发布版打印为 A4 PDF（publication.pdf，带页码和目录），使用本机的 Chromium、Chrome 或 Edge",
    )
    parser.add_argument(
        "--fresh-kernels",
        action="store_true",
        help="每章启动全新的 Python 内核，不使用预热内核（较慢；用于排查问题）",
    )
    # --school here selects schools to render (into the collection's layout), not a data folder.
    parser.set_defaults(func=run, school_sets_data_dir=False)
    return parser


def _skip_slow_optional_imports() -> None:
    """jsonschema imports `rfc3987_syntax` (optional, only for the "iri" format) if it is installed, and that
    module builds a Lark grammar at import: 1-3 s per process. nbformat never validates "iri", so in the
    CLI process we make the import fail fast; jsonschema handles ImportError for it by design."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: import fails fast


def run(args) -> int:
    from qzanalysis.tools.interrupt import Interrupted, signals_raise_interrupted

    with signals_raise_interrupted():
        try:
            return _run(args)
        except Interrupted as exc:
            print("已中断", file=sys.stderr, flush=True)
            return exc.exit_code


def _run(args) -> int:
    _skip_slow_optional_imports()
    from qzanalysis.core.findings import DataValidationError
    from qzanalysis.tools.render.browser import BrowserError

    if args.jobs < 1:
        print("qz render: --jobs 必须 ≥ 1", file=sys.stderr)
        return 2
    if args.all or args.school:
        return _run_collection(args)
    from qzanalysis.tools.render.pipeline import render_year

    try:
        result = render_year(
            args.year,
            data_dir=args.data_dir,
            **_run_options(args),
        )
    except DataValidationError as exc:  # checked before any kernel starts: nothing was written
        print(f"qz render: 未生成任何文件。{exc}", file=sys.stderr)
        return 1
    except BrowserError as exc:  # no browser: checked first, so nothing was written
        print(f"qz render: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"qz render: {exc}", file=sys.stderr)
        return 2
    _print_failed(result.failed)
    return result.exit_code


def _run_options(args) -> dict:
    """The options one school's render and a collection's render share, from the command line."""
    return {
        "out_dir": args.out,
        "notebooks_dir": args.notebooks_dir,
        "force": args.force,
        "jobs": args.jobs,
        "chapters": args.chapters,
        "timeout": args.timeout,
        "warm": not args.fresh_kernels,
        "pdf": args.pdf,
    }


def _run_collection(args) -> int:
    from qzanalysis.tools.collection.args import (
        COLLECTION_PROBLEMS,
        collection_option,
        open_collection,
        refuse,
    )
    from qzanalysis.tools.collection.render import render_collection
    from qzanalysis.tools.render.browser import BrowserError

    if args.data_dir:
        print("qz render: --all/--school 按学校名单找各校数据，不能与 --data-dir 同用", file=sys.stderr)
        return 2
    try:
        collection = open_collection(args)
        only = [s.strip() for s in args.school.split(",") if s.strip()] if args.school else None
        result = render_collection(
            collection,
            args.year,
            only=only,
            area=bool(args.all),
            **_run_options(args),
        )
    except BrowserError as exc:  # no browser: checked first, so nothing was written
        print(f"qz render: {exc}", file=sys.stderr)
        return 1
    except COLLECTION_PROBLEMS as exc:
        return refuse("qz render", exc)
    except ValueError as exc:
        print(f"qz render: {exc}", file=sys.stderr)
        return 2
    for school in result.skipped:
        print(
            f"qz render: {school.school.id} {school.name} 的数据未通过校验，未生成"
            f"（qz validate --school {school.school.id} --year {args.year}{collection_option(collection)}）",
            file=sys.stderr,
        )
    failed = [
        c for r in [*result.reports.values(), *([result.area] if result.area else [])] for c in r.failed
    ]
    _print_failed(failed)
    return result.exit_code


def _print_failed(failed) -> None:
    if failed:
        print(f"qz render: {len(failed)} 个章节失败：", file=sys.stderr)
        for chapter in failed:
            print(f"  {chapter.error}", file=sys.stderr)


def main(argv=None) -> int:
    """Stand-alone entry (`python -m qzanalysis.tools.render`), independent of the main CLI."""
    parser = argparse.ArgumentParser(prog="qz")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["render", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)
