"""Time `qz render --force` against plain `jupyter nbconvert --execute --to html`, one notebook after another.

    .venv/bin/python benchmarks/render_benchmark.py [--year 2021] [--notebooks-dir DIR] [--data-dir DIR] [--repeat N]

Both are measured as a user runs them: as subprocesses, wall-clock, outputs into a temp dir.
Without chapter notebooks in notebooks/, the fixture notebooks in tests/fixtures/render/ are used (say so
when you quote the figures). nbconvert runs each notebook with its own default parameters (year 2021,
data_dir None), so compare for the default year. Target: ratio ≤ 0.45.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
FIXTURES = REPO / "tests" / "fixtures" / "render"


def _timed(cmds: list[list[str]]) -> float:
    start = time.perf_counter()
    for cmd in cmds:
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2021)
    parser.add_argument("--notebooks-dir", type=Path, default=REPO / "notebooks")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=1, help="take the best of N runs of each")
    args = parser.parse_args()

    notebooks = sorted(args.notebooks_dir.glob("ch*.ipynb"))
    if not notebooks:
        args.notebooks_dir, args.data_dir = FIXTURES / "notebooks", FIXTURES / "data"
        notebooks = sorted(args.notebooks_dir.glob("ch*.ipynb"))
        print(f"no chapter notebooks in notebooks/: using the fixtures in {args.notebooks_dir}")
    print(f"{len(notebooks)} notebooks: {', '.join(p.stem for p in notebooks)}")

    qz = [str(BIN / "qz"), "render"]
    if subprocess.run([*qz, "--help"], capture_output=True).returncode != 0:
        # The same code path without the main CLI's other subcommands (e.g. one is broken mid-edit).
        qz = [sys.executable, "-m", "qzanalysis.tools.render"]
        print("`qz render --help` failed: timing `python -m qzanalysis.tools.render` instead")
    times_qz, times_nbconvert = [], []
    with tempfile.TemporaryDirectory(prefix="qz-bench-") as tmp:
        for i in range(args.repeat):
            render = [
                *qz,
                "--year",
                str(args.year),
                "--force",
                "--jobs",
                str(args.jobs),
                "--out",
                f"{tmp}/qz{i}",
            ]
            render += ["--notebooks-dir", str(args.notebooks_dir)]
            if args.data_dir is not None:
                render += ["--data-dir", str(args.data_dir)]
            times_qz.append(_timed([render]))

            nbconvert = [str(BIN / "jupyter"), "nbconvert", "--execute", "--to", "html"]
            times_nbconvert.append(
                _timed([[*nbconvert, "--output-dir", f"{tmp}/nbconvert{i}", str(nb)] for nb in notebooks])
            )
            print(f"run {i + 1}: qz render {times_qz[-1]:.1f} s, nbconvert {times_nbconvert[-1]:.1f} s")

    a, b = min(times_qz), min(times_nbconvert)
    print(f"qz render --force (jobs={args.jobs}):  {a:6.1f} s")
    print(f"jupyter nbconvert, sequential: {b:6.1f} s")
    print(f"ratio: {a / b:.2f}  (target ≤ 0.45)")


if __name__ == "__main__":
    main()
