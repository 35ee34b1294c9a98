"""Time N schools' reports in one `qz render` run against N separate `qz render` runs (issue 11, target ≤ 0.5).

    .venv/bin/python benchmarks/collection_benchmark.py [--schools 20] [--jobs 2] [--chapters ch01,ch02]

The schools are made up (tests/fixtures/collection/make_schools.py, all valid, 2021 only). Every way renders
the same school reports, from scratch (--force), as a user runs them: subprocesses, outputs into a temp dir.
- one run:        qz render --school b01,b02,… --year 2021 --collection …   (the area report is timed apart)
- separate runs:  qz render --year 2021 --data-dir <school's root>          (once per school)
- separate runs with --fresh-kernels: a new kernel, with its imports, for every chapter of every school, as
  `qz render` worked before warm kernels (the cost issue 11 describes)
Wall-clock time is what the user waits for; CPU time (user + system of every process, kernels included) is
printed too, because the machine may be shared: quote the load average printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QZ = Path(sys.executable).parent / "qz"
sys.path.insert(0, str(REPO))

from tests.fixtures.collection.make_schools import make_collection, numbered_schools  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(cmds: list[list[str]]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of every process started) for the commands, one after another."""
    wall, cpu = time.perf_counter(), _cpu()
    for cmd in cmds:
        done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"failed ({done.returncode}): {' '.join(cmd)}\n{done.stderr[-3000:]}")
    return time.perf_counter() - wall, _cpu() - cpu


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--chapters", default=None, help="only these chapters (both ways), e.g. ch01,ch02")
    parser.add_argument("--keep", type=Path, default=None, help="generate into this folder and keep it")
    parser.add_argument("--skip-fresh", action="store_true", help="do not time the runs with fresh kernels")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="qz-collection-bench-") as tmp:
        root = args.keep or Path(tmp)
        schools = numbered_schools(args.schools)
        collection = make_collection(root / "collection", schools)
        year, out = "2021", root / "out"
        common = ["--year", year, "--force", "--jobs", str(args.jobs)]
        if args.chapters:
            common += ["--chapters", args.chapters]
        ids = ",".join(s.id for s in schools)
        print(f"{len(schools)} made-up schools; {os.cpu_count()} CPUs; load average before: {_load()}")

        one = [
            str(QZ),
            "render",
            *common,
            "--collection",
            str(collection),
            "--school",
            ids,
            "--out",
            str(out / "one"),
        ]
        t_one, cpu_one = _run([one])
        print(f"one run:        {t_one:7.1f} s wall, {cpu_one:7.1f} s CPU   (load average now: {_load()})")

        separate = [
            [str(QZ), "render", *common, "--data-dir", str(root / "collection" / "schools" / s.id / "data"),
             "--out", str(out / "separate" / s.id)]
            for s in schools
        ]  # fmt: skip
        t_sep, cpu_sep = _run(separate)
        print(f"separate runs:  {t_sep:7.1f} s wall, {cpu_sep:7.1f} s CPU   (load average now: {_load()})")
        print(f"  ratio:        {t_one / t_sep:.2f} wall, {cpu_one / cpu_sep:.2f} CPU")
        if not args.skip_fresh:
            t_fresh, cpu_fresh = _run([[*cmd, "--fresh-kernels"] for cmd in separate])
            print(
                f"separate runs, fresh kernels: {t_fresh:7.1f} s wall, {cpu_fresh:7.1f} s CPU   (load: {_load()})"
            )
            print(
                f"  ratio:        {t_one / t_fresh:.2f} wall, {cpu_one / cpu_fresh:.2f} CPU   (target ≤ 0.5)"
            )

        area = [str(QZ), "render", "--year", year, "--all", "--collection", str(collection),
                "--out", str(out / "one"), "--jobs", str(args.jobs)]  # fmt: skip
        if args.chapters:
            area += ["--chapters", args.chapters]
        t_area, cpu_area = _run([area])  # the schools are unchanged: only the area report runs
        print(f"area report:    {t_area:7.1f} s wall, {cpu_area:7.1f} s CPU   (load average now: {_load()})")


if __name__ == "__main__":
    main()
