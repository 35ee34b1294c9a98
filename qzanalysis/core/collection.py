"""Several schools side by side: the collection file a city bureau keeps (``collection.yaml``).

Each school's data root is laid out exactly as a single school's ``data/`` (one folder per year, each with
its CSVs, ``school.yaml`` and ``manifest.yaml``), so the school's own analysts and the bureau work on the same
files. The collection only says which schools there are and where their roots live::

    # 区域汇总的学校名单
    area: 示例市                       # 地区名称：区域汇总报告的标题与页脚
    schools:
      - id: s01                        # 代码：字母、数字、-、_；用作输出文件夹名和命令中的 --school
        name: 示例市第一职业学校         # 学校全称（与该校 school.yaml 的 name 一致）
        types: [中等职业学校]            # 学校类型，取值同 school.yaml
        data: schools/s01/data         # 该校数据根目录，相对本文件；内含 2021/ 等年度文件夹
    reports: reports                   # 可选：qz render --all 的输出根目录（默认为本文件旁的 reports/）

Problems in the file are findings naming the file, the line and the key, all at once.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from qzanalysis.core.dataset import YearData, read_year
from qzanalysis.core.findings import Finding, Level, Report
from qzanalysis.core.profile import SCHOOL_TYPES
from qzanalysis.core.yaml_problems import yaml_problem

COLLECTION_FILE = "collection.yaml"
COLLECTION_ENV = "QZ_COLLECTION"
TOP_KEYS = {
    "area": "地区名称",
    "title": "区域汇总报告标题（印在地区名称下）",
    "schools": "学校名单",
    "reports": "输出根目录",
}
SCHOOL_KEYS = {"id": "代码", "name": "学校全称", "types": "学校类型", "data": "数据根目录"}
SCHOOL_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
# Output folders beside the schools' own: an id may not take their names.
RESERVED_IDS = {"area", "analysis", "review", "publication"}


@dataclass(frozen=True)
class School:
    """One school of the collection. `data_root` holds one folder per year, like ``data/``."""

    id: str
    name: str
    types: tuple[str, ...]
    data_root: Path
    line: int | None = None  # where the school's entry starts in the collection file
    data: str = ""  # the data root as written in the collection file


@dataclass(frozen=True)
class Collection:
    path: Path
    area: str
    schools: tuple[School, ...]
    title: str = ""
    reports: Path | None = None  # output root (None: <folder of the file>/reports)

    @property
    def folder(self) -> Path:
        return self.path.parent

    @property
    def reports_root(self) -> Path:
        return self.reports or self.folder / "reports"

    def school(self, school_id: str) -> School:
        """The school with this id. Raises KeyError naming the ids there are."""
        for school in self.schools:
            if school.id == school_id:
                return school
        raise KeyError(
            f"学校名单 {self.path} 中没有代码为“{school_id}”的学校；已有：{'、'.join(s.id for s in self.schools)}"
        )

    def relative(self, finding: Finding) -> Finding:
        """The finding with its file named from the collection's folder (schools/s01/data/2022/…)."""
        if finding.file and Path(finding.file).is_absolute():
            try:
                return replace(finding, file=Path(finding.file).relative_to(self.folder).as_posix())
            except ValueError:
                pass
        return finding

    def area_title(self, year: int) -> str:
        """The area report's title, printed under the area's name (collection.yaml `title`, else the usual one)."""
        return self.title or f"{int(year)} 年中等职业教育质量年度报告（区域汇总）"


class CollectionError(Exception):
    """The collection file cannot be used; `report` lists every problem."""

    def __init__(self, report: Report, path: Path):
        self.report = report
        self.path = path
        super().__init__(f"学校名单 {path} 有 {len(report.errors)} 个问题：\n{report.format()}")


def find_collection(explicit: str | os.PathLike | None = None, cwd: Path | None = None) -> Path:
    """The collection file: `explicit`, else $QZ_COLLECTION, else collection.yaml in the working directory.

    Raises FileNotFoundError with a message saying where it looked.
    """
    candidates = []
    if explicit:
        candidates.append(("--collection", Path(explicit).expanduser()))
    elif os.environ.get(COLLECTION_ENV):
        candidates.append((f"环境变量 {COLLECTION_ENV}", Path(os.environ[COLLECTION_ENV]).expanduser()))
    else:
        candidates.append(("当前文件夹", (cwd or Path.cwd()) / COLLECTION_FILE))
    source, path = candidates[0]
    if path.is_dir():
        path = path / COLLECTION_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"找不到学校名单（{source}：{path}）。用 --collection 指定 {COLLECTION_FILE}，或在它所在的文件夹中运行。"
        )
    return path.resolve()


def _lines(node) -> tuple[int | None, list[int | None]]:
    """Line of the `schools` key's list and of each item in it (1-based), from the YAML node tree."""
    if not isinstance(node, yaml.MappingNode):
        return None, []
    for key, value in node.value:
        if getattr(key, "value", None) == "schools" and isinstance(value, yaml.SequenceNode):
            return key.start_mark.line + 1, [item.start_mark.line + 1 for item in value.value]
    return None, []


def read_collection(path: str | os.PathLike) -> tuple[Collection | None, Report]:
    """Read and check a collection file. Never raises for bad content: (None, report) when unusable."""
    path = Path(path).resolve()
    where = str(path)
    report = Report(checks_run=["collection"])

    def fail(message: str, line=None, column=None, value=None, expected=None, level=Level.FAIL):
        report.add(Finding(level, "collection", message, where, line, column, value, expected))

    try:
        text = path.read_text(encoding="utf-8-sig")
        raw = yaml.safe_load(text)
        lines = _lines(yaml.compose(text))
    except OSError as exc:
        fail(f"无法读取：{exc.strerror or exc}")
        return None, report
    except UnicodeDecodeError:
        fail("文件不是 UTF-8 编码", expected="用文本编辑器另存为 UTF-8")
        return None, report
    except yaml.YAMLError as exc:
        fail(*yaml_problem(exc))
        return None, report
    if not isinstance(raw, dict):
        colon = "；键与值之间用英文冒号加空格“: ”，不是中文冒号“：”" if "：" in text else ""
        fail("内容应为“键: 值”的映射", expected="area: …，schools: [...]" + colon)
        return None, report
    for key in raw:
        if key not in TOP_KEYS:
            fail("未定义的键", column=str(key), value=str(key), expected="以下之一：" + "、".join(TOP_KEYS))
    area = str(raw.get("area") or "").strip()
    if not area:
        fail("缺少地区名称", column="area", expected="如 area: 示例市")
    items = raw.get("schools")
    schools_line, item_lines = lines
    if not isinstance(items, list) or not items:
        fail(
            "缺少学校名单",
            schools_line,
            "schools",
            expected="至少一所学校：- {id: …, name: …, types: […], data: …}",
        )
        items = []
    schools: list[School] = []
    seen_ids: dict[str, int | None] = {}
    seen_names: dict[str, int | None] = {}
    seen_roots: dict[Path, str] = {}
    for i, item in enumerate(items):
        line = item_lines[i] if i < len(item_lines) else None
        if not isinstance(item, dict):
            fail(
                "每所学校应写成“键: 值”的映射",
                line,
                "schools",
                str(item),
                "{id: …, name: …, types: […], data: …}"
                + ("；键与值之间用英文冒号加空格“: ”，不是中文冒号“：”" if "：" in str(item) else ""),
            )
            continue
        for key in item:
            if key not in SCHOOL_KEYS:
                fail("未定义的键", line, str(key), str(key), "以下之一：" + "、".join(SCHOOL_KEYS))
        for key, label in SCHOOL_KEYS.items():
            if item.get(key) in (None, "", []):
                fail(f"缺少{label}", line, key, expected="非空值")
        school_id = str(item.get("id") or "").strip()
        if school_id and not SCHOOL_ID.match(school_id):
            fail("学校代码只能由字母、数字、“-”和“_”组成", line, "id", school_id, "如 s01、kaihua-zz")
        elif school_id.lower() in RESERVED_IDS:
            fail(
                "学校代码与输出文件夹重名", line, "id", school_id, "不要用 " + "、".join(sorted(RESERVED_IDS))
            )
        elif school_id in seen_ids:
            fail(
                f"学校代码重复（第 {seen_ids[school_id]} 行已用）", line, "id", school_id, "每所学校一个代码"
            )
        seen_ids.setdefault(school_id, line)
        name = str(item.get("name") or "").strip()
        if name and name in seen_names:
            fail(f"学校全称重复（第 {seen_names[name]} 行已用）", line, "name", name, "每所学校一个全称")
        seen_names.setdefault(name, line)
        types = item.get("types") or []
        types = [types] if isinstance(types, str) else list(types) if isinstance(types, list) else [types]
        for t in types:
            if t not in SCHOOL_TYPES:
                fail("未知的学校类型", line, "types", str(t), "以下之一：" + "、".join(SCHOOL_TYPES))
        root = (path.parent / str(item.get("data") or "")).resolve()
        if item.get("data"):
            if root in seen_roots:
                fail(
                    f"与学校“{seen_roots[root]}”的数据根目录相同",
                    line,
                    "data",
                    str(item["data"]),
                    "每校一个目录",
                )
            seen_roots.setdefault(root, school_id)
            if root.exists() and not root.is_dir():
                fail("数据根目录不是文件夹", line, "data", str(item["data"]), "存放各年度文件夹的目录")
        schools.append(
            School(school_id, name, tuple(str(t) for t in types), root, line, str(item.get("data") or ""))
        )
    reports = raw.get("reports")
    if report.errors:
        return None, report
    collection = Collection(
        path=path,
        area=area,
        schools=tuple(schools),
        title=str(raw.get("title") or "").strip(),
        reports=(path.parent / str(reports)).resolve() if reports else None,
    )
    return collection, report


def load_collection(path: str | os.PathLike) -> Collection:
    """Read a collection file; raises CollectionError listing every problem."""
    collection, report = read_collection(path)
    if collection is None:
        raise CollectionError(report, Path(path))
    return collection


# ---- one year of every school ------------------------------------------------------------------------
@dataclass
class SchoolYear:
    """A school of the collection with one year of its data, read and validated (never raises)."""

    school: School
    data: YearData
    findings: list[Finding]  # the collection's own checks of this school (profile vs. the list)
    label: str = ""  # how the area report names it, unique among the schools read with it (see read_schools)

    @property
    def ok(self) -> bool:
        return self.data.report.ok

    @property
    def name(self) -> str:
        """The name the school gives itself this year (its school.yaml), else the collection's."""
        return self.data.profile.name if self.data.profile else self.school.name

    @property
    def types(self) -> tuple[str, ...]:
        return self.data.profile.types if self.data.profile else self.school.types

    @property
    def short_name(self) -> str:
        """The school's short name (school.yaml), else its name."""
        profile = self.data.profile
        return (profile.short_name if profile and profile.short_name else "") or self.name


def profile_findings(school: School, data: YearData) -> list[Finding]:
    """Where the year's school.yaml and the collection disagree on the school's name or types (WARN)."""
    profile = data.profile
    if profile is None:
        return []
    where = f"{data.path}/school.yaml"
    found = []
    if profile.name != school.name:
        found.append(
            Finding(
                Level.WARN,
                "collection",
                f"学校名称与学校名单（{school.id}）不一致",
                where,
                column="name",
                value=profile.name,
                expected=f"学校名单中的“{school.name}”，或改正名单",
            )
        )
    if set(profile.types) != set(school.types):
        found.append(
            Finding(
                Level.WARN,
                "collection",
                f"学校类型与学校名单（{school.id}）不一致；报告按 school.yaml 的类型对照标准",
                where,
                column="types",
                value="、".join(profile.types),
                expected="、".join(school.types),
            )
        )
    return found


def read_school_year(school: School, year: int, reader: Callable[..., YearData] = read_year) -> SchoolYear:
    data = reader(year, school.data_root)
    return SchoolYear(school, data, profile_findings(school, data))


def read_schools(
    collection: Collection, year: int, reader: Callable[..., YearData] = read_year
) -> list[SchoolYear]:
    """Every school's `year`, in the order of the collection file. `reader(year, data_dir)` reads and checks one
    school's year without raising (default `read_year`; the commands pass the plausibility-checked reader).

    Each gets a `label` no other school has: its short name, else its name, else its name and code; two schools
    under one name also get a WARN finding, since a reader cannot tell their rows apart by the name."""
    schools = [read_school_year(school, year, reader) for school in collection.schools]
    for s in schools:
        if not s.school.data_root.is_dir():
            s.findings.insert(0, _missing_root(collection, s.school, year))
    _label(schools)
    return schools


def _missing_root(collection: Collection, school: School, year: int) -> Finding:
    """A data root that does not exist is a wrong path in the collection file more often than a school without
    data: say so at the school's line, with both ways out."""
    return Finding(
        Level.FAIL,
        "collection",
        "该校的数据根目录不存在",
        str(collection.path),
        school.line,
        "data",
        school.data or str(school.data_root),
        f"改正学校名单中的路径（相对 {collection.path.name} 所在文件夹），"
        f"或用 qz new-year {year} --school {school.id} 新建",
    )


def _label(schools: list[SchoolYear]) -> None:
    names = Counter(s.name for s in schools)
    shorts = Counter(s.short_name for s in schools)
    for s in schools:
        if shorts[s.short_name] == 1:
            s.label = s.short_name
        elif names[s.name] == 1:
            s.label = s.name
        else:
            s.label = f"{s.name}（{s.school.id}）"
        if names[s.name] > 1:
            others = "、".join(o.school.id for o in schools if o.name == s.name and o is not s)
            s.findings.append(
                Finding(
                    Level.WARN,
                    "collection",
                    f"与学校 {others} 同名；区域汇总中以“{s.label}”区分",
                    f"{s.data.path}/school.yaml" if s.data.profile else None,
                    column="name",
                    value=s.name,
                    expected="每所学校的全称各不相同",
                )
            )
