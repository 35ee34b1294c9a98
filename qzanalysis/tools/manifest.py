"""`qz manifest --year Y`: the explicit command that records each data file's hash in data/<Y>/manifest.yaml."""

from __future__ import annotations

from qzanalysis.core.dataset import write_manifest
from qzanalysis.core.paths import year_dir
from qzanalysis.tools.common import add_year_args


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("manifest", help="生成或更新某年度的数据清单（文件哈希、行数、来源）")
    add_year_args(p)
    p.add_argument("--source", default=None, help="数据来源说明（保留已有说明时可省略）")
    p.set_defaults(func=run)


def run(args) -> int:
    if not year_dir(args.year, args.data_dir).is_dir():
        print(f"找不到 {args.year} 年的数据文件夹：{year_dir(args.year, args.data_dir)}")
        return 1
    path = write_manifest(args.year, args.data_dir, args.source)
    print(f"已写入 {path}")
    return 0
