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


def school_heading(data) -> str:
    """'<学校全称>（2021 年数据）' from the year's profile, or a plain year when the year has no profile."""
    if data.profile is None:
        return f"{data.year} 年数据（未填写学校概况 school.yaml）"
    return f"{data.profile.name}（{data.year} 年数据）"


def publishable_year(year: int, data_dir=None):
    """The year loaded for rendering: valid data, plausible indicators, and a profile naming the school.

    A missing school.yaml is only a WARN for `qz validate` (the tables can be checked and the indicators
    computed without it), but a report cannot be published without the school's name: here it is a FAIL,
    raised as DataValidationError before anything is written.
    """
    from qzanalysis.core.findings import DataValidationError
    from qzanalysis.indicators.plausibility import check_year

    data = check_year(year, data_dir)
    missing = missing_name(data)
    if missing is not None:
        data.report.add(missing)
        raise DataValidationError(data.report, f"{year} 年")
    return data


def missing_name(data):
    """The FAIL finding when the year's profile does not name the school (no report without it), else None."""
    from qzanalysis.core.findings import Finding, Level
    from qzanalysis.core.profile import PROFILE_FILE

    if data.profile is not None and data.profile.name:
        return None
    return Finding(
        Level.FAIL,
        "profile",
        "没有学校名称，不能生成报告",
        f"{data.path}/{PROFILE_FILE}",
        column="name",
        expected="在 school.yaml 中填写 name（学校全称）和 types（学校类型）",
    )
