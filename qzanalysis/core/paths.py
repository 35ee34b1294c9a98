"""Where things live. Paths resolve from the package, never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_DIR.parent
METADATA_DIR = PACKAGE_DIR / "metadata"
SCHEMA_DIR = METADATA_DIR / "schemas"
DEFAULT_DATA_DIR = REPO_ROOT / "data"
NOTEBOOK_DIR = REPO_ROOT / "notebooks"
REPORTS_DIR = REPO_ROOT / "reports"


def data_root(data_dir: str | os.PathLike | None = None) -> Path:
    """The folder that holds one sub-folder per year (``QZ_DATA_DIR`` overrides the default)."""
    if data_dir is not None:
        return Path(data_dir).expanduser().resolve()
    env = os.environ.get("QZ_DATA_DIR")
    return Path(env).expanduser().resolve() if env else DEFAULT_DATA_DIR


def year_dir(year: int, data_dir: str | os.PathLike | None = None) -> Path:
    return data_root(data_dir) / str(int(year))


def available_years(data_dir: str | os.PathLike | None = None) -> list[int]:
    root = data_root(data_dir)
    if not root.is_dir():
        return []
    return sorted(int(p.name) for p in root.iterdir() if p.is_dir() and p.name.isdigit())
