"""`qz render` subcommand. The lead's `qzanalysis.cli` calls `add_parser(subparsers)`."""

from __future__ import annotations

import argparse
import sys


def add_parser(subparsers) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "render",
        help="执行各章笔记本，生成发布版、审阅版、分析版（各一个 HTML 文件）与目录页",
        description="执行 notebooks/ch*.ipynb，写入 <out>/<year>/：publication.html（发布版）、review.html（审阅版）、"
        "analysis.html（分析版，含代码）、index.html；build.html 与各章单页供分析人员使用。未变化的章节会跳过。",
    )
    parser.add_argument("--year", type=int, required=True, help="报告年度，例如 2021")
    parser.add_argument("--data-dir", default=None, help="数据根目录（默认 data/）")
    parser.add_argument("--out", default=None, help="输出根目录（默认 reports/）；结果写入 <out>/<year>/")
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
    parser.set_defaults(func=run)
    return parser


def _skip_slow_optional_imports() -> None:
    """jsonschema imports `rfc3987_syntax` (optional, only for the "iri" format) if it is installed, and that
    module builds a Lark grammar at import: 1-3 s per process. nbformat never validates "iri", so in the
    CLI process we make the import fail fast; jsonschema handles ImportError for it by design."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None: import fails fast


def run(args) -> int:
    _skip_slow_optional_imports()
    from qzanalysis.core.findings import DataValidationError
    from qzanalysis.tools.render.browser import BrowserError
    from qzanalysis.tools.render.pipeline import render_year

    if args.jobs < 1:
        print("qz render: --jobs 必须 ≥ 1", file=sys.stderr)
        return 2
    try:
        result = render_year(
            args.year,
            data_dir=args.data_dir,
            out_dir=args.out,
            notebooks_dir=args.notebooks_dir,
            force=args.force,
            jobs=args.jobs,
            chapters=args.chapters,
            timeout=args.timeout,
            pdf=getattr(args, "pdf", False),
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
    if result.failed:
        print(f"qz render: {len(result.failed)} 个章节失败：", file=sys.stderr)
        for chapter in result.failed:
            print(f"  {chapter.error}", file=sys.stderr)
    return result.exit_code


def main(argv=None) -> int:
    """Stand-alone entry (`python -m qzanalysis.tools.render`), independent of the main CLI."""
    parser = argparse.ArgumentParser(prog="qz")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["render", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)
