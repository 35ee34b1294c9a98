"""The `qz` command. Each subcommand lives in its own module with `add_parser(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys

# Subcommand modules, in the order `qz --help` lists them.
COMMAND_MODULES = [
    "qzanalysis.tools.validate",
    "qzanalysis.tools.indicators",
    "qzanalysis.tools.manifest",
    "qzanalysis.tools.docs",
    "qzanalysis.tools.render.command",
    "qzanalysis.tools.audit",
    "qzanalysis.tools.yearly.command",
    "qzanalysis.tools.text",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qz", description="中等职业教育质量年度报告：校验数据、计算指标、核查、生成报告"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="命令")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # a subcommand package not present in this checkout
            raise
        module.add_parser(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("已中断", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `qz indicators | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
