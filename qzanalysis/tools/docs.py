"""`qz docs [--out FILE]`: regenerate the data dictionary from the metadata (or `--check` that it is current).

The default file is the repository's docs/data-dictionary.md; for an installed package, docs/ in the current
folder (never inside the installation)."""

from __future__ import annotations

from pathlib import Path

from qzanalysis.tools.datadoc import DOC_PATH, render_data_dictionary


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("docs", help="根据元数据生成数据字典（默认 docs/data-dictionary.md）")
    p.add_argument("--check", action="store_true", help="只检查文件是否为最新，不写入")
    p.add_argument("--out", default=None, help=f"写入的文件（默认 {DOC_PATH}）")
    p.set_defaults(func=run)


def run(args) -> int:
    path = Path(args.out).expanduser() if args.out else DOC_PATH
    text = render_data_dictionary()
    current = path.read_text(encoding="utf-8") if path.is_file() else ""
    if args.check:
        if current != text:
            print(f"{path} 不是最新的：请运行 qz docs")
            return 1
        print("数据字典是最新的")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"已写入 {path}")
    return 0
