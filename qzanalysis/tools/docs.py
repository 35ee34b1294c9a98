"""`qz docs`: regenerate docs/data-dictionary.md from the metadata (or `--check` that it is current)."""

from __future__ import annotations

from qzanalysis.tools.datadoc import DOC_PATH, render_data_dictionary


def add_parser(subparsers) -> None:
    p = subparsers.add_parser("docs", help="根据元数据生成数据字典 docs/data-dictionary.md")
    p.add_argument("--check", action="store_true", help="只检查文件是否为最新，不写入")
    p.set_defaults(func=run)


def run(args) -> int:
    text = render_data_dictionary()
    current = DOC_PATH.read_text(encoding="utf-8") if DOC_PATH.exists() else ""
    if args.check:
        if current != text:
            print(f"{DOC_PATH} 不是最新的：请运行 qz docs")
            return 1
        print("数据字典是最新的")
        return 0
    DOC_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOC_PATH.write_text(text, encoding="utf-8")
    print(f"已写入 {DOC_PATH}")
    return 0
