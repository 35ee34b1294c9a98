"""`qz docs`: regenerate the generated documents from the metadata (or `--check` that they are current):
docs/data-dictionary.md (tables, facts, indicators) and docs/section-index.md (section → notebook cell →
chapter functions → tables, facts, indicators, text)."""

from __future__ import annotations

from qzanalysis.tools import datadoc, section_index

DOCUMENTS = [
    (datadoc.DOC_PATH, datadoc.render_data_dictionary),
    (section_index.DOC_PATH, section_index.render_section_index),
]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "docs", help="根据元数据生成数据字典 docs/data-dictionary.md 和章节索引 docs/section-index.md"
    )
    p.add_argument("--check", action="store_true", help="只检查文件是否为最新，不写入")
    p.set_defaults(func=run)


def run(args) -> int:
    stale = []
    for path, render in DOCUMENTS:
        text = render()
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if args.check:
            if current != text:
                stale.append(path)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"已写入 {path}")
    if args.check:
        for path in stale:
            print(f"{path} 不是最新的：请运行 qz docs")
        if not stale:
            print("生成的文档都是最新的")
        return 1 if stale else 0
    return 0
