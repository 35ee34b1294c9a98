"""Installed from a wheel, outside the checkout, `qz` works with --data-dir and an output folder of the user's
choosing: it finds its notebooks (shipped in the wheel), and writes nothing into site-packages.

The wheel is built with the project's own setuptools (no network), installed without dependencies into a
fresh venv that borrows the project venv's packages through a .pth line, and run from a folder outside the
checkout. About 30 s.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest

from qzanalysis.core.paths import DEFAULT_DATA_DIR, REPO_ROOT

PYPROJECT = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_package_list_matches_the_source_tree():
    """pyproject lists the packages by hand (for the notebooks mapping): every folder must be in it."""
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.relative_to(REPO_ROOT).parts)
        for p in (REPO_ROOT / "qzanalysis").rglob("*")
        if p.is_dir() and p.name != "__pycache__"
    } | {"qzanalysis"}
    notebooks = {"qzanalysis.notebooks"} | {
        f"qzanalysis.notebooks.{p.name}"
        for p in (REPO_ROOT / "notebooks").iterdir()
        if p.is_dir() and not p.name.startswith(".")
    }  # notebooks/area/: the area report's
    assert listed == found | notebooks


def _tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    top = tmp_path_factory.mktemp("wheel")
    run = dict(check=True, capture_output=True, text=True, timeout=300)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(top),
            ".",
        ],
        cwd=REPO_ROOT,
        **run,
    )
    (wheel,) = top.glob("qzanalysis-*.whl")
    venv = top / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], **run)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], **run
        ).stdout.strip()
    )
    # the dependencies from the project venv, after the new venv's own site-packages (where the wheel goes)
    (site / "project-deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "-q",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        **run,
    )
    work = top / "elsewhere"
    work.mkdir()
    shutil.copytree(DEFAULT_DATA_DIR, work / "mydata")
    return {"venv": venv, "site": site, "work": work, "package": site / "qzanalysis"}


def qz(installed, *args, cwd=None):
    env = {k: v for k, v in os.environ.items() if k not in ("QZ_DATA_DIR", "PYTHONPATH")}
    # nbconvert's templates are data files under the project venv's share/jupyter (a full install of the
    # dependencies into the new venv would put them under its own)
    env["JUPYTER_PATH"] = str(Path(sys.prefix) / "share" / "jupyter")
    return subprocess.run(
        [installed["venv"] / "bin" / "qz", *args],
        cwd=cwd or installed["work"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_wheel_carries_the_notebooks_and_metadata(installed):
    package = installed["package"]
    assert sorted(p.name for p in (package / "notebooks").glob("ch*.ipynb")) == sorted(
        p.name for p in (REPO_ROOT / "notebooks").glob("ch*.ipynb")
    )
    assert sorted(p.name for p in (package / "notebooks" / "area").glob("*.ipynb")) == sorted(
        p.name for p in (REPO_ROOT / "notebooks" / "area").glob("*.ipynb")
    )
    assert (package / "metadata" / "outline.yaml").is_file() and (package / "templates" / "qz").is_dir()
    out = subprocess.run(
        [
            installed["venv"] / "bin" / "python",
            "-c",
            "import qzanalysis.core.paths as p; print(p.__file__, p.NOTEBOOK_DIR)",
        ],
        cwd=installed["work"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(package) in out and "elsewhere" not in out.split()[1]


def test_installed_qz_validates_renders_and_documents_outside_the_checkout(installed):
    before = _tree_hash(installed["package"])
    work = installed["work"]
    done = qz(installed, "validate", "--year", "2021", "--data-dir", "mydata")
    assert done.returncode == 0, done.stdout + done.stderr
    done = qz(
        installed,
        "render",
        "--year",
        "2021",
        "--data-dir",
        "mydata",
        "--out",
        "myreports",
        "--chapters",
        "ch01",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (work / "myreports" / "2021" / "ch01_school.html").is_file()
    assert (work / "myreports" / "2021" / "index.html").is_file()
    done = qz(installed, "docs")
    assert done.returncode == 0, done.stderr
    assert (work / "docs" / "data-dictionary.md").is_file() and str(work) in done.stdout
    # the default data folder of an installed qz is ./data, not the installation
    done = qz(installed, "validate", "--year", "2021")
    assert done.returncode == 1 and str(work / "data" / "2021") in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert _tree_hash(installed["package"]) == before
    assert not list(installed["site"].glob("docs")) and not list(installed["site"].glob("reports"))
