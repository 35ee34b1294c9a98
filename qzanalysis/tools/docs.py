"""`qz docs [--out DIR]`: regenerate the generated documents from the metadata (or `--check` that they are
current): data-dictionary.md (tables, facts, indicators) and section-index.md (section → notebook cell →
chapter functions → tables, facts, indicators, text).

They go into the repository's docs/ by default; for an installed package, into docs/ of the current folder
(never inside the installation)."""

from __future__ import annotations

from pathlib import Path

from qzanalysis.core.paths import DOCS_DIR
from qzanalysis.tools import datadoc, section_index

DOCUMENTS = [
    (datadoc.DOC_PATH.name, datadoc.render_data_dictionary),
    (section_index.DOC_PATH.name, section_index.render_section_index),
]


def add_parser(subparsers) -> None:
    p = subparsers.add_parser(
        "docs", help="根据元数据生成数据字典 data-dictionary.md 和章节索引 section-index.md（默认写入 docs/）"
    )
    p.add_argument("--check", action="store_true", help="只检查文件是否为最新，不写入")
    p.add_argument("--out", default=None, help=f"写入的文件夹（默认 {DOCS_DIR}）")
    p.set_defaults(func=run)


def run(args) -> int:
    folder = Path(args.out).expanduser() if args.out else DOCS_DIR
    stale = []
    for name, render in DOCUMENTS:
        path = folder / name
        text = render()
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
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
