"""Arguments shared by subcommands."""

from __future__ import annotations


def add_year_args(parser, year_required: bool = True) -> None:
    from qzanalysis.tools.collection.args import add_school_args

    parser.add_argument("--year", type=int, required=year_required, help="年度，如 2021")
    parser.add_argument(
        "--data-dir", default=None, help="数据根目录（默认为仓库的 data/，或环境变量 QZ_DATA_DIR）"
    )
    add_school_args(parser)


def print_frame(frame, fmt: str) -> None:
    if fmt == "csv":
        import sys

        frame.to_csv(sys.stdout, index=False)
    else:
        print(frame.to_string(index=False))
