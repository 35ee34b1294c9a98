"""Where things live. Paths resolve from the package, never from the working directory."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = PACKAGE_DIR.parent
METADATA_DIR = PACKAGE_DIR / "metadata"
SCHEMA_DIR = METADATA_DIR / "schemas"
# Run from a checkout (or an editable install), the notebooks, data, reports and docs are the repository's.
# Installed from a wheel, the package sits in site-packages, which is never written: the notebooks come
# with the package (qzanalysis/notebooks/, copied in at build time, see pyproject.toml), and data, reports
# and docs are looked for in the current folder unless --data-dir / --out (or QZ_DATA_DIR) say otherwise.
IN_CHECKOUT = (REPO_ROOT / "pyproject.toml").is_file() and (REPO_ROOT / "notebooks").is_dir()
PROJECT_ROOT = REPO_ROOT if IN_CHECKOUT else Path.cwd()
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
NOTEBOOK_DIR = REPO_ROOT / "notebooks" if IN_CHECKOUT else PACKAGE_DIR / "notebooks"
REPORTS_DIR = PROJECT_ROOT / "reports"
DOCS_DIR = PROJECT_ROOT / "docs"


def data_root(data_dir: str | os.PathLike | None = None) -> Path:
    """The folder that holds one sub-folder per year (``QZ_DATA_DIR`` overrides the default)."""
    if data_dir:  # None or "" (a notebook parameter left empty): the default
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
