"""The `qz` command. Each subcommand lives in its own module with `add_parser(subparsers)`."""

from __future__ import annotations

import argparse
import importlib
import sys

from qzanalysis.tools.crash import quiet_warnings, report_crash

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
    parser = ChineseArgumentParser(
        prog="qz", description="中等职业教育质量年度报告：校验数据、计算指标、核查、生成报告"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # a subcommand package not present in this checkout
            raise
        module.add_parser(subparsers)
    return parser


class ChineseHelpFormatter(argparse.HelpFormatter):
    """argparse's help with the usage line's prefix in Chinese."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its help headings and error messages in Chinese (option names stay as typed)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        super().__init__(*args, **kwargs)
        self._positionals.title = "参数"
        self._optionals.title = "选项"
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = "显示本帮助并退出"

    _ERRORS = (
        ("the following arguments are required: ", "缺少必需的参数："),
        ("unrecognized arguments: ", "无法识别的参数："),
        ("invalid int value: ", "不是整数："),
        ("invalid choice: ", "不是可选的取值："),
        ("expected one argument", "需要一个值"),
        ("ambiguous option: ", "选项不明确："),
        ("argument ", "参数 "),
        ("choose from ", "可选："),
    )

    def error(self, message: str):
        for english, chinese in self._ERRORS:
            message = message.replace(english, chinese)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：{message}\n")


def main(argv: list[str] | None = None) -> int:
    from qzanalysis.tools.interrupt import Interrupted, signals_raise_interrupted

    if argv is None:  # the real command line (tests pass argv and keep their own warning handling)
        quiet_warnings()
    argv = list(sys.argv[1:] if argv is None else argv)
    # From the first moment: SIGTERM (and Ctrl+C) stop any command through its cleanup, never mid-write.
    with signals_raise_interrupted():
        try:
            return _main(argv)
        except (KeyboardInterrupt, Interrupted) as exc:
            print("已中断", file=sys.stderr)
            return exc.exit_code if isinstance(exc, Interrupted) else 130
        except BrokenPipeError:  # e.g. `qz indicators | head`
            return 0
        except Exception as exc:  # noqa: BLE001 - the last resort: no traceback for any input
            return report_crash(exc, argv)


def _main(argv: list[str]) -> int:
    from qzanalysis.tools.collection.args import resolve_school

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    refused = resolve_school(args)  # --school ID: that school's data root, from the collection file
    if refused is not None:
        return refused
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
