"""Change detection: a per-chapter key over everything that can change a chapter's HTML.

jupyter-cache only hashes code cells, so a new data file or a library fix would not re-run a chapter.
The key here covers the notebook file, the year's data files, the library source (code, metadata,
templates), the injected parameters and the package version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from qzanalysis.tools.render.files import write_atomic

STATE_FILE = ".render-state.json"
LIBRARY_SUFFIXES = {".py", ".yaml", ".yml", ".j2", ".css", ".json"}


def _hash_files(root: Path, files) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        # Length prefixes keep (name, content) pairs unambiguous.
        name = path.relative_to(root).as_posix().encode()
        content = path.read_bytes()
        digest.update(len(name).to_bytes(8, "big") + name + len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def data_fingerprint(year_dir: Path) -> str:
    """All files of the year's data directory (dotfiles such as .DS_Store excluded)."""
    year_dir = Path(year_dir)
    if not year_dir.is_dir():
        return "missing"
    files = [
        p
        for p in year_dir.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(year_dir).parts)
    ]
    return _hash_files(year_dir, files)


def years_fingerprint(data_root: Path, year: int) -> str:
    """The year's folder and every earlier year's: chapters compare with the previous year and chart
    trends over all earlier ones, so a change there must re-render too."""
    data_root = Path(data_root)
    years = sorted(int(p.name) for p in data_root.glob("[0-9]*") if p.is_dir() and p.name.isdigit())
    parts = [f"{y}:{data_fingerprint(data_root / str(y))}" for y in years if y <= year]
    parts.append(f"{year}:{data_fingerprint(data_root / str(year))}")  # 'missing' when absent
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def library_fingerprint(lib_dir: Path) -> str:
    """Library code, metadata YAML and templates under the package directory."""
    lib_dir = Path(lib_dir)
    files = [
        p
        for p in lib_dir.rglob("*")
        if p.is_file() and p.suffix in LIBRARY_SUFFIXES and "__pycache__" not in p.parts
    ]
    return _hash_files(lib_dir, files)


def chapter_key(notebook: Path, data_fp: str, lib_fp: str, params: dict, version: str) -> str:
    digest = hashlib.sha256()
    digest.update(Path(notebook).read_bytes())
    digest.update(json.dumps([data_fp, lib_fp, params, version], sort_keys=True).encode())
    return digest.hexdigest()


class RenderState:
    """`<out>/<year>/.render-state.json`: per chapter, the key and facts of the last good render,
    plus the last error if the most recent attempt failed.

    A failed attempt keeps the last good key, so an unchanged broken chapter is retried next time
    and a chapter reverted to its last good version is skipped again.
    """

    def __init__(self, path: Path, chapters: dict | None = None):
        self.path = Path(path)
        self.chapters: dict[str, dict] = chapters or {}

    @classmethod
    def load(cls, year_out: Path) -> RenderState:
        path = Path(year_out) / STATE_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            chapters = data.get("chapters", {}) if isinstance(data, dict) else {}
        except (OSError, ValueError):
            chapters = {}  # unreadable state only costs a re-run
        return cls(path, chapters)

    def is_fresh(self, name: str, key: str, outputs: list[Path]) -> bool:
        # "key" is only ever the key of the last *good* render, whose HTML is what is on disk.
        entry = self.chapters.get(name, {})
        return entry.get("key") == key and all(Path(p).is_file() for p in outputs)

    def mark_skipped(self, name: str) -> None:
        entry = self.chapters[name]
        entry["status"] = "ok"  # e.g. a broken chapter reverted to its last good version
        entry.pop("error", None)

    def mark_ok(self, name: str, key: str, **facts) -> None:
        self.chapters[name] = {"status": "ok", "key": key, **facts}

    def mark_failed(self, name: str, error: str, **facts) -> None:
        entry = dict(self.chapters.get(name, {}))
        entry.update(status="failed", error=error, **facts)
        self.chapters[name] = entry

    def drop(self, names, year_out: Path, default_outputs) -> list[str]:
        """Forget these chapters and delete the files they wrote (`outputs`, relative to `year_out`; for an
        entry from before outputs were recorded, `default_outputs(name)`). Returns the names dropped."""
        year_out = Path(year_out).resolve()
        dropped = []
        for name in sorted(names):
            entry = self.chapters.pop(name, None)
            if entry is None:
                continue
            for relative in entry.get("outputs") or default_outputs(name):
                path = (year_out / relative).resolve()
                if path.is_relative_to(year_out):  # never outside the report's folder, whatever the file says
                    path.unlink(missing_ok=True)
            dropped.append(name)
        return dropped

    def save(self) -> None:
        write_atomic(
            self.path,
            json.dumps(
                {"version": 1, "chapters": self.chapters}, ensure_ascii=False, indent=1, sort_keys=True
            ),
        )
