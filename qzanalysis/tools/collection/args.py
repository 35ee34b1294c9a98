"""`--school ID` and `--collection FILE` for any command that takes `--data-dir`.

`qz validate --school s01 --year 2021` is `qz validate --data-dir <s01's data root> --year 2021`: a school of
the collection is named instead of its folder. The collection file is `--collection`, else $QZ_COLLECTION,
else collection.yaml in the working directory.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from qzanalysis.core.collection import (
    COLLECTION_ENV,
    COLLECTION_FILE,
    Collection,
    CollectionError,
    find_collection,
    load_collection,
)

COLLECTION_HELP = f"学校名单文件（默认：环境变量 {COLLECTION_ENV}，或当前文件夹的 {COLLECTION_FILE}）"


def add_school_args(parser, *, school_help: str = "学校名单中的学校代码：使用该校的数据根目录") -> None:
    parser.add_argument("--school", default=None, help=school_help)
    parser.add_argument("--collection", default=None, help=COLLECTION_HELP)


class UsageError(Exception):
    """A command-line problem with a message for the analyst (exit status 2)."""


# What a command says and returns when the collection cannot be used: no file or an unknown school id is a usage
# problem (2); a collection file with problems is bad data (1).
COLLECTION_PROBLEMS = (UsageError, KeyError, CollectionError)


def refuse(prog: str, exc: Exception) -> int:
    """Print a collection problem (one of COLLECTION_PROBLEMS) for `prog`; returns the exit status."""
    message = exc.args[0] if isinstance(exc, KeyError) else str(exc)
    print(f"{prog}：{message}", file=sys.stderr)
    return 1 if isinstance(exc, CollectionError) else 2


def open_collection(args) -> Collection:
    """The collection named by the arguments. Raises UsageError (not found) or CollectionError (bad file)."""
    try:
        path = find_collection(getattr(args, "collection", None))
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from None
    return load_collection(path)


def resolve_school(args) -> int | None:
    """Turn `--school` into `args.data_dir`. Returns an exit status when it cannot (after saying why)."""
    school_id = getattr(args, "school", None)
    if not school_id or not getattr(args, "school_sets_data_dir", True):
        return None
    if getattr(args, "data_dir", None):
        print("qz：--school 与 --data-dir 只能用一个", file=sys.stderr)
        return 2
    try:
        args.data_dir = str(open_collection(args).school(school_id).data_root)
    except COLLECTION_PROBLEMS as exc:
        return refuse("qz", exc)
    return None


def collection_option(collection: Collection) -> str:
    """' --collection <file>' when a command run here would not find `collection` by itself, else ''.

    Suggested commands (“全部问题：qz validate --school s04 --year 2022”) must work as printed, also when the
    analyst ran this one from another folder with --collection."""
    try:
        if find_collection(None) == collection.path:
            return ""
    except FileNotFoundError:
        pass
    return f" --collection {shlex.quote(str(collection.path))}"


def data_options(args) -> str:
    """The options that name the same data root again in a suggested command: ' --school s01' (with
    ' --collection <file>' when needed), ' --data-dir <folder>', or '' for the default data/."""
    school_id = getattr(args, "school", None)
    if school_id:
        try:
            return f" --school {school_id}" + collection_option(open_collection(args))
        except COLLECTION_PROBLEMS:
            return f" --school {school_id}"
    data_dir = getattr(args, "data_dir", None)
    return f" --data-dir {shlex.quote(str(data_dir))}" if data_dir else ""


def shown_path(path: Path) -> str:
    """`path` as typed in a suggested command: relative to the working folder when under it, quoted if need be."""
    path = Path(path).resolve()
    try:
        path = path.relative_to(Path.cwd().resolve())
    except ValueError:
        pass
    return shlex.quote(str(path))
