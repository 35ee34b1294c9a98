"""The render package's view of the rest of the project: paths, versions, git.

The lead's modules (`qzanalysis.paths`, `qzanalysis.dataset`) are the source of truth; the fallbacks
here only keep `qz render` usable while those modules are in flux, and are equivalent by contract.
"""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[2]  # .../qzanalysis
TEMPLATES_DIR = PACKAGE_DIR / "templates"


def repo_root() -> Path:
    try:
        from qzanalysis.core.paths import REPO_ROOT

        return Path(REPO_ROOT)
    except ImportError:
        return PACKAGE_DIR.parent


def notebooks_dir() -> Path:
    try:
        from qzanalysis.core.paths import NOTEBOOK_DIR

        return Path(NOTEBOOK_DIR)
    except ImportError:
        return repo_root() / "notebooks"


def reports_dir() -> Path:
    try:
        from qzanalysis.core.paths import REPORTS_DIR

        return Path(REPORTS_DIR)
    except ImportError:
        return repo_root() / "reports"


def year_dir(year: int, data_dir: str | Path | None) -> Path:
    try:
        from qzanalysis.core.paths import year_dir as _year_dir

        return Path(_year_dir(year, data_dir))
    except ImportError:
        base = Path(data_dir) if data_dir is not None else repo_root() / "data"
        return base / str(year)


def package_version() -> str:
    try:
        import qzanalysis

        version = getattr(qzanalysis, "__version__", None)
        if version:
            return str(version)
    except ImportError:
        pass
    try:
        from importlib.metadata import version as _v

        return _v("qzanalysis")
    except Exception:
        return "0+unknown"


def data_version(year: int, data_dir: str | Path | None) -> str:
    try:
        from qzanalysis.core.dataset import data_version as _dv

        return str(_dv(year, data_dir))
    except ImportError:
        pass
    except Exception as exc:  # the data may be broken; the index must still render
        return f"未知（{type(exc).__name__}）"
    root = year_dir(year, data_dir)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def git_commit(root: Path | None = None) -> str | None:
    """Short HEAD sha with `-dirty` when tracked files changed; None outside git / without commits."""
    root = root or repo_root()
    try:
        sha = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
        )
        if sha.returncode != 0:
            return None
        status = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = sha.stdout.strip()
    return commit + ("-dirty" if status.stdout.strip() else "")
