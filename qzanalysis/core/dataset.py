"""Load one year of data in one call: every table read, validated and typed."""

from __future__ import annotations

import copy
import hashlib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from qzanalysis.core.catalog import Catalogue, FactSpec, TableSpec
from qzanalysis.core.content_checks import other_years, year_finding
from qzanalysis.core.findings import DataValidationError, Finding, Level, Report
from qzanalysis.core.paths import PROJECT_ROOT, year_dir
from qzanalysis.core.profile import PROFILE_FILE, SchoolProfile, read_profile
from qzanalysis.core.readers import RawTable
from qzanalysis.core.text import YearText, check_text, read_text
from qzanalysis.core.validation import cross_table_checks, read_table
from qzanalysis.core.year_catalogue import read_catalogue

MANIFEST = "manifest.yaml"
UNIT_FACTORS_TO_YUAN = {"元": 1.0, "千元": 1e3, "万元": 1e4, "亿元": 1e8}


@dataclass
class YearData:
    year: int
    path: Path
    tables: dict[str, pd.DataFrame]
    facts: pd.DataFrame
    report: Report
    status: pd.DataFrame = field(repr=False, default=None)
    # CSV line of each row, per table. Kept out of DataFrame.attrs: pandas deep-copies attrs on every selection.
    lines: dict[str, list[int]] = field(repr=False, default_factory=dict)
    # data/<year>/school.yaml; None when the year has none (a WARN finding says so)
    profile: SchoolProfile | None = None
    # the built-in facts and tables plus the year's own (data/<year>/catalogue.yaml)
    catalogue: Catalogue = field(repr=False, default_factory=Catalogue.builtin)
    # the school's own words (data/<year>/text/); None when the year has none
    text: YearText | None = field(repr=False, default=None)
    # decimals of each number-typed cell as typed in the CSV, per table and column, in the rows' order
    cell_decimals: dict[str, dict[str, list[int]]] = field(repr=False, default_factory=dict)

    @property
    def school_name(self) -> str:
        """The school's full name as this year's profile gives it (a visible placeholder when absent)."""
        return self.profile.name if self.profile else "（未填写学校名称）"

    def fact_spec(self, fact_id: str) -> FactSpec:
        """The catalogue entry (label, unit, section, kind) of a fact: this year's catalogue, else the one of
        another year that declares it. Raises KeyError for an id no catalogue knows."""
        spec = self.catalogue.facts.get(fact_id) or self.catalogue.elsewhere.get(fact_id)
        if spec is None:
            raise KeyError(f"未登记的指标代码：{fact_id}")
        return spec

    def has(self, name: str) -> bool:
        return name in self.tables

    def table(self, name: str) -> pd.DataFrame | None:
        """The typed table, or None when this year did not provide it."""
        return self.tables.get(name)

    def fact(self, fact_id: str) -> float:
        """A fact's value, NaN when missing (never 0), or when only another year declares it.
        Raises KeyError for an id no catalogue knows (a typo in code)."""
        if fact_id not in self.catalogue.facts:
            if fact_id in self.catalogue.elsewhere:
                return math.nan
            raise KeyError(f"未登记的指标代码：{fact_id}")
        if fact_id in self.facts.index:
            value = self.facts.at[fact_id, "value"]
            return float(value) if value == value else math.nan
        return math.nan

    def declares(self, fact_id: str) -> bool:
        """Whether this school's catalogue knows the fact (built-in, this year's own, or another year's own)."""
        return fact_id in self.catalogue.facts or fact_id in self.catalogue.elsewhere

    def optional_fact(self, fact_id: str) -> float:
        """A fact only some schools declare (their catalogue.yaml): its value, NaN when missing or when this
        school never declares it. For chapter code that shows such a number where a school has it; code
        reading the built-in catalogue uses `fact`, which refuses an unknown id."""
        return self.fact(fact_id) if self.declares(fact_id) else math.nan

    def fact_decimals(self, fact_id: str) -> int | None:
        """Decimals as printed (from the CSV text), for comparing within the printed rounding."""
        if fact_id in self.facts.index:
            return int(self.facts.at[fact_id, "decimals"])
        return None

    def table_decimals(self, name: str, column: str, position: int) -> int | None:
        """Decimals of one cell of a number column as the CSV has it (“88.60” → 2), the row given by its
        position in `table(name)`; None for a column that is not number-typed or a table not provided."""
        found = self.cell_decimals.get(name, {}).get(column)
        return found[position] if found is not None and 0 <= position < len(found) else None

    def fact_map(self) -> dict[str, float]:
        return {k: float(v) for k, v in self.facts["value"].items() if v == v}


def display_path(path: Path) -> str:
    """A path as messages show it: relative to the project (the checkout, or the current folder)."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def _typed_frame(raw: RawTable, spec: TableSpec) -> pd.DataFrame:
    columns = {}
    for i, f in enumerate(spec.fields):
        cells = [row[i] for row in raw.rows]
        if f.type == "integer":
            columns[f.name] = pd.array([int(float(c)) if c != "" else None for c in cells], dtype="Int64")
        elif f.type == "number":
            columns[f.name] = pd.array([float(c) if c != "" else math.nan for c in cells], dtype="float64")
        elif f.type == "boolean":
            true_values = set(f.descriptor.get("trueValues", ["true"]))
            columns[f.name] = pd.array(
                [None if c == "" else c in true_values for c in cells], dtype="boolean"
            )
        else:
            columns[f.name] = pd.array([c if c != "" else None for c in cells], dtype="object")
    frame = pd.DataFrame(columns)
    if spec.name == "facts":
        frame["decimals"] = [_decimals(row[spec.field_names.index("value")]) for row in raw.rows]
        frame = frame.set_index("id", drop=False)
    if {"amount", "unit"} <= set(frame.columns):
        factor = frame["unit"].map(UNIT_FACTORS_TO_YUAN)
        frame["amount_yuan"] = frame["amount"] * factor
        frame["amount_wan_yuan"] = frame["amount_yuan"] / 1e4
    return frame


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def data_files(year: int, data_dir=None) -> list[Path]:
    """Every file of the year's folder, sub-folders included (the tables, school.yaml, catalogue.yaml, the
    text, the manifest), without hidden files such as .DS_Store."""
    folder = year_dir(year, data_dir)
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def _relative(path: Path, folder: Path) -> str:
    return path.relative_to(folder).as_posix()


def data_version(year: int, data_dir=None) -> str:
    """A short hash of every data file in the year's folder (the manifest aside: it only records them):
    the version stamped on rendered reports. Any change to a table, the profile, the declarations or the
    text changes it."""
    folder = year_dir(year, data_dir)
    digest = hashlib.sha256()
    for path in data_files(year, data_dir):
        if path.name == MANIFEST and path.parent == folder:
            continue
        digest.update(_relative(path, folder).encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def _profile_year_checks(profile: SchoolProfile | None, label: str, year: int) -> Report:
    """The report title and period of school.yaml must name this year (a copied folder names the last)."""
    report = Report(checks_run=["year_label"])
    for key in ("report_title", "period"):
        value = getattr(profile, key, "") if profile else ""
        wrong = other_years(value, year)
        if wrong:
            report.add(year_finding(f"{label}/{PROFILE_FILE}", None, key, value, year, wrong))
    return report


def _manifest_checks(folder: Path, label: str, year: int) -> Report:
    report = Report(checks_run=["manifest"])
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        report.add(
            Finding(Level.INFO, "manifest", "没有数据清单（manifest.yaml）；可运行 qz manifest 生成", label)
        )
        return report
    try:
        manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8")) or {}
        listed = manifest.get("files") or {}
        if not isinstance(listed, dict):
            raise TypeError("files 不是“文件名: {sha256, rows}”的映射")
    except (yaml.YAMLError, UnicodeDecodeError, AttributeError, TypeError, OSError) as exc:
        report.add(
            Finding(
                Level.WARN,
                "manifest",
                f"数据清单无法读取，未核对文件哈希：{type(exc).__name__}: {str(exc)[:120]}",
                f"{label}/{MANIFEST}",
                expected="由 qz manifest 生成的 YAML",
            )
        )
        return report
    listed_year = manifest.get("year")
    if listed_year is not None and str(listed_year).strip() != str(year):
        report.add(
            Finding(
                Level.FAIL,
                "year_label",
                f"数据清单登记的是 {listed_year} 年的数据，不是 {year} 年",
                f"{label}/{MANIFEST}",
                column="year",
                value=str(listed_year),
                expected=f"{year}；若复制了上一年的文件夹，请改用 qz new-year {year} 创建空白年度，"
                "或确认数据后运行 qz manifest 重新生成清单",
            )
        )
    for name, entry in listed.items():
        path = folder / name
        if not path.exists():
            report.add(Finding(Level.WARN, "manifest", "清单中登记的文件不存在", f"{label}/{name}"))
        elif file_hash(path) != entry.get("sha256"):
            report.add(
                Finding(
                    Level.WARN,
                    "manifest",
                    "文件内容与清单记录的哈希不一致：若为有意修改，请运行 qz manifest 更新清单",
                    f"{label}/{name}",
                )
            )
    for path in _recorded_files(folder):
        name = _relative(path, folder)
        if name not in listed:
            report.add(Finding(Level.WARN, "manifest", "文件未登记在清单中", f"{label}/{name}"))
    return report


def _recorded_files(folder: Path) -> list[Path]:
    """The files a manifest records: every data file of the year's folder except the manifest itself."""
    return [
        p
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and not any(part.startswith(".") for part in p.relative_to(folder).parts)
        and not (p.name == MANIFEST and p.parent == folder)
    ]


def _status_row(
    spec: TableSpec, frame: pd.DataFrame | None, report: Report, label: str, catalogue: Catalogue
) -> dict:
    path = f"{label}/{spec.filename}"
    errors = sum(1 for f in report.errors if f.file == path)
    if frame is None:
        state, detail = "缺失", "本年度未提供"
    elif spec.name == "facts":
        absent = len(set(catalogue.facts) - set(frame.index))
        state = "不完整" if absent else "完整"
        detail = f"目录中 {absent} 项未填" if absent else ""
    else:
        value_cols = [f.name for f in spec.fields if f.name != "note"]
        empty = int(frame[value_cols].isna().sum().sum())
        state = "不完整" if empty else "完整"
        detail = f"{empty} 个空单元格" if empty else ""
    if errors:
        state, detail = "有错误", f"{errors} 个错误"
    return {
        "table": spec.name,
        "表": spec.title,
        "章节": spec.section,
        "状态": state,
        "说明": detail,
        "行数": 0 if frame is None else len(frame),
    }


def read_year(year: int, data_dir=None) -> YearData:
    """Read and validate every table of a year; never raises on bad data (see load_year)."""
    folder = year_dir(year, data_dir)
    label = display_path(folder)
    report = Report()
    tables: dict[str, pd.DataFrame] = {}
    lines: dict[str, list[int]] = {}
    cell_decimals: dict[str, dict[str, list[int]]] = {}
    header_only: set[str] = set()
    if not folder.is_dir():
        report.add(
            Finding(
                Level.FAIL,
                "year_folder",
                f"找不到 {year} 年的数据文件夹",
                label,
                expected="可用 qz new-year 创建",
            )
        )
    catalogue, catalogue_report = read_catalogue(folder, label)
    report.extend(catalogue_report)
    specs = catalogue.tables
    for name, spec in specs.items():
        path = folder / spec.filename
        if not path.exists():
            continue
        raw, table_report = read_table(path, spec, f"{label}/{spec.filename}", catalogue.facts, int(year))
        report.extend(table_report)
        if name == "facts":
            raw = _drop_unfilled_facts(raw, report)
        if not raw.rows and not table_report.errors:
            # A header-only file (as `qz new-year` leaves it) means: not provided this year.
            report.add(
                Finding(Level.INFO, "empty_table", "只有表头，本年度按未提供处理", f"{label}/{spec.filename}")
            )
            header_only.add(name)
            continue
        if not table_report.errors:
            tables[name] = _typed_frame(raw, spec)
            lines[name] = list(raw.lines)
            cell_decimals[name] = {
                f.name: [_decimals(row[i]) for row in raw.rows]
                for i, f in enumerate(spec.fields)
                if f.type == "number"
            }
    known = {s.filename for s in specs.values()}
    for stray in sorted(folder.glob("*.csv")) if folder.is_dir() else []:
        if stray.name not in known:
            report.add(
                Finding(
                    Level.WARN,
                    "unknown_table",
                    "不是已定义的数据表，已忽略",
                    f"{label}/{stray.name}",
                    expected="、".join(sorted(known)),
                )
            )
    profile = None
    if folder.is_dir():
        report.extend(_manifest_checks(folder, label, int(year)))
        profile, profile_report = read_profile(folder, label)
        report.extend(profile_report)
        report.extend(_profile_year_checks(profile, label, int(year)))
    facts = tables.pop("facts", None)
    if facts is None:
        facts = pd.DataFrame(columns=["id", "label", "value", "unit", "note", "decimals"]).set_index(
            "id", drop=False
        )
    fact_values = {k: float(v) for k, v in facts["value"].items() if v == v}
    report.extend(cross_table_checks(tables, fact_values, label, lines))
    all_frames = {**tables, "facts": facts if len(facts) else None}
    status = pd.DataFrame(
        [_status_row(spec, all_frames.get(name), report, label, catalogue) for name, spec in specs.items()]
    )
    status.loc[status["table"].isin(header_only), "说明"] = "只有表头，按未提供处理"
    data = YearData(
        year=int(year),
        path=folder,
        tables=tables,
        facts=facts,
        report=report,
        status=status,
        lines=lines,
        profile=profile,
        catalogue=catalogue,
        cell_decimals=cell_decimals,
    )
    if folder.is_dir():
        data.text, text_report = read_text(folder, label)
        report.extend(text_report)
        report.extend(check_text(data.text, data))
    return data


def _drop_unfilled_facts(raw: RawTable, report: Report) -> RawTable:
    """Facts rows with an empty value (a blank template line) are 'not provided', not errors."""
    if "value" not in raw.header:
        return raw
    value_col = raw.header.index("value")
    keep = [i for i, row in enumerate(raw.rows) if row[value_col] != ""]
    dropped = len(raw.rows) - len(keep)
    if dropped:
        report.add(Finding(Level.INFO, "empty_table", f"{dropped} 项未填，按缺失处理", raw.display_path))
        raw.rows = [raw.rows[i] for i in keep]
        raw.lines = [raw.lines[i] for i in keep]
    return raw


def load_year(year: int, data_dir=None, strict: bool = True) -> YearData:
    """One call loads a year: all its tables, validated. Raises DataValidationError listing every problem."""
    data = _preloaded(year, data_dir) or read_year(year, data_dir)
    if strict and not data.report.ok:
        raise DataValidationError(data.report, f"{year} 年")
    return data


# ---- years read once for the renderer's warm kernels ---------------------------------------------------
# `qz render` forks each chapter's kernel from one warm process (tools/render/zygote.py). Every chapter of a
# school reads the same years; that process reads them once (`preload_years`) and each kernel's load_year then
# gets its own copy, as long as no file of the year has changed since. Empty everywhere else.
_PRELOADED: dict[Path, tuple[tuple, YearData]] = {}
PRELOADED_ROOTS = 4  # data roots kept (a run renders one school after another)


def _signature(folder: Path) -> tuple:
    """Every file of a year folder with its size and modification time."""
    if not folder.is_dir():
        return ()
    return tuple(
        sorted(
            (p.relative_to(folder).as_posix(), p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*")
        )
    )


def _preloaded(year: int, data_dir) -> YearData | None:
    folder = year_dir(year, data_dir)
    hit = _PRELOADED.get(folder)
    if hit is None or hit[0] != _signature(folder):
        return None
    return copy.deepcopy(hit[1])


def preload_years(year: int, data_dir=None) -> None:
    """Read `year` and every earlier year of its data root into this process, for later load_year calls (see
    above). Years that fail validation are not kept: load_year reads and reports them as usual."""
    from qzanalysis.core.paths import available_years

    root = year_dir(year, data_dir).parent
    for y in [y for y in available_years(root) if y <= int(year)] or [int(year)]:
        folder = year_dir(y, root)
        if folder in _PRELOADED and _PRELOADED[folder][0] == _signature(folder):
            _PRELOADED[folder] = _PRELOADED.pop(folder)  # most recently used last
            continue
        signature, data = _signature(folder), read_year(y, root)
        if data.report.ok:
            _PRELOADED[folder] = (signature, data)
    roots = list(dict.fromkeys(folder.parent for folder in reversed(_PRELOADED)))
    for folder in [f for f in _PRELOADED if f.parent not in roots[:PRELOADED_ROOTS]]:
        del _PRELOADED[folder]


def write_manifest(year: int, data_dir=None, source: str | None = None) -> Path:
    """The explicit command that records each data file's hash (``qz manifest``): the tables (with their row
    counts), school.yaml, catalogue.yaml and the text. Never called implicitly."""
    folder = year_dir(year, data_dir)
    path = folder / MANIFEST
    old = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    files = {}
    for p in _recorded_files(folder):
        entry: dict = {"sha256": file_hash(p)}
        if p.suffix == ".csv":
            with p.open(encoding="utf-8-sig", errors="replace") as fh:
                entry["rows"] = max(0, sum(1 for _ in fh) - 1)
        files[_relative(p, folder)] = entry
    manifest = {
        "year": int(year),
        "source": source or (old or {}).get("source", ""),
        "schema": "qzanalysis/metadata/schemas/<表名>.yaml；本年度自行登记的数值与表见 catalogue.yaml",
        "files": files,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(yaml.safe_dump(manifest, allow_unicode=True, sort_keys=False), encoding="utf-8")
    os.replace(tmp, path)
    return path
