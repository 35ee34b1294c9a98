"""第九章 其他：学校自己的第九章（data/<year>/text/ch09_other.md，由笔记本放置）；审阅版另附数据来源与版本、
数据表状态、指标口径说明（由元数据生成）与术语表。这些都是审阅的声音（@review_voice），不进入发布版。"""

from __future__ import annotations

import pandas as pd
import yaml

from qzanalysis.core.dataset import MANIFEST, data_files, data_version, display_path
from qzanalysis.core.findings import Level
from qzanalysis.indicators.compare import Verdict
from qzanalysis.indicators.registry import registry
from qzanalysis.report.formatting import MISSING_TEXT
from qzanalysis.report.narrative import missing_notice, review_voice, sentence, show_markdown, show_table

# Chinese names of indicator options (the option keys in metadata/indicators.yaml).
OPTION_NAMES = {"denominator": "分母", "numerator": "分子"}

# What each verdict of qzanalysis.compare means, for readers (keys are the Verdict values).
VERDICT_MEANINGS = {
    Verdict.CONSISTENT.value: "按报告的数字重新计算，四舍五入到报告所印的小数位后与报告值相同。",
    Verdict.ROUNDING.value: "四舍五入得不到报告值，但重算值截尾到所印位数（截尾），或从多三位小数起逐位四舍五入（逐位舍入），恰好等于报告值。",
    Verdict.INCONSISTENT.value: "四舍五入、截尾、逐位舍入都得不到报告值，多为口径（分母）不同或录入差错，正文会说明。",
    Verdict.UNCHECKABLE.value: "报告没有印出计算所需的原始数字，只能保留报告值。",
    Verdict.COMPUTED_ONLY.value: "报告没有印出此值，表中只有按数据计算的结果。",
}

TERMS = [
    ("报告值", "质量年度报告原文所印的数字，按原样录入，不作改动。"),
    ("计算值（重新计算值）", "用报告中的原始数字按指标定义重新计算的结果。"),
    (
        "口径",
        "指标的计算方法，尤其是分母的选取；各地做法不一时，以报告本身的做法为默认口径，并在此列出可选口径。",
    ),
    ("人次", "按参加次数计数，同一人参加多次计多次；“人”按人数计数。"),
    (
        "推算",
        "报告未直接给出、由报告中其他数字算出的值（如上年合作企业数 = 本年数 − 增加数），图表中注明“推算”。",
    ),
    ("判定单位", "报告所印单位明显有误时，根据各项合计判断的实际单位；原印单位同时保留。"),
    (MISSING_TEXT, "本年度未提供该数据；缺失不等于零。"),
]


def _manifest_source(data) -> str | None:
    path = data.path / MANIFEST
    if not path.exists():
        return None
    manifest = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return manifest.get("source") or None


@review_voice
def narrative_sources(data) -> None:
    """数据来源、数据文件夹、数据版本（文件内容哈希）与数据检查结果。"""
    show_markdown("## 数据来源与版本（审阅）")
    files = data_files(data.year, data.path.parent)
    if not files:
        show_markdown(missing_notice(f"{data.year} 年"))
        return
    version = data_version(data.year, data.path.parent)
    text = sentence(
        "本报告的全部数字来自数据文件夹 `{folder}` 中的 {n} 个文件，经程序读取、检查后生成正文中的数字、表格和图表。"
        "数据版本号为 **{v}**（由各文件内容计算的校验码）：数据文件有任何改动，版本号都会改变。",
        folder=display_path(data.path),
        n=len(files),
        v=version,
    )
    source = _manifest_source(data)
    if source:
        text += sentence("数据清单记载的来源：{s}。", s=str(source).strip().rstrip("。"))
    errors, warnings = len(data.report.of(Level.FAIL)), len(data.report.of(Level.WARN))
    text += sentence("\n\n数据检查：{e} 个错误，{w} 个提醒。", e=errors, w=warnings)
    show_markdown(text)


@review_voice
def table_status(data) -> None:
    """各数据表在本年度是否提供、是否完整。"""
    show_markdown("## 数据表状态")
    status = data.status
    if status is None or status.empty:
        show_markdown(missing_notice("数据表状态"))
        return
    frame = status.copy()
    frame["文件"] = [data.catalogue.tables[name].filename for name in frame["table"]]
    frame["行数"] = [
        MISSING_TEXT if s == "缺失" else str(n) for s, n in zip(frame["状态"], frame["行数"], strict=True)
    ]
    frame["说明"] = frame["说明"].fillna("").astype(str)
    frame = frame.sort_values("章节", key=_section_key)
    show_table(frame[["表", "文件", "章节", "状态", "说明", "行数"]], None, f"{data.year} 年数据表状态")


def _section_key(series):
    def key(text):
        parts = []
        for p in str(text).split("."):
            parts.append(int(p) if p.isdigit() else 0)
        return tuple(parts) if parts and str(text)[:1].isdigit() else (-1,)

    return series.map(key)


def indicator_definitions():
    """Registry as a display frame: 指标, 单位, 章节, 定义, 报告是否印出, 可选口径."""
    rows = []
    for ind in registry().values():
        rows.append(
            {
                "指标": ind.name,
                "单位": ind.unit,
                "章节": ind.section,
                "定义": ind.definition,
                "报告是否印出": "是" if ind.printed else "否",
                "可选口径": "、".join(OPTION_NAMES.get(name, name) for name in ind.options),
            }
        )
    frame = pd.DataFrame(rows)
    return frame.sort_values("章节", key=_section_key, kind="stable")


@review_voice
def table_indicators() -> None:
    """指标登记表：名称、单位、章节、定义（由 metadata/indicators.yaml 生成）。"""
    show_markdown(
        "## 指标定义\n\n下表由指标登记表（`qzanalysis/metadata/indicators.yaml`）生成，是各章“重新计算值”的依据。"
    )
    show_table(indicator_definitions(), None, "本报告重新计算的指标及其定义")


def option_glossary(data=None):
    """Every indicator option: 指标, 选项, 口径说明, and which choice is used — the school's own definition
    (school.yaml `definitions`) when `data` is given, else the default."""
    used_column = "本校口径" if data is not None else "默认口径"
    rows = []
    for ind in registry().values():
        used = ind.chosen_options(data)
        for name, spec in ind.options.items():
            for choice, meaning in spec["choices"].items():
                rows.append(
                    {
                        "指标": ind.name,
                        "选项": OPTION_NAMES.get(name, name),
                        "代码": choice,
                        "口径说明": meaning,
                        used_column: "●" if choice == used[name] else "",
                    }
                )
    return pd.DataFrame(rows, columns=["指标", "选项", "口径说明", used_column, "代码"])


@review_voice
def table_options(data=None) -> None:
    """可选口径（分母、分子）一览，标出本校采用的口径。"""
    show_markdown(
        "## 可选口径\n\n部分指标没有全国统一的计算方法。下表列出可以选择的分子或分母，"
        "标“●”的是本校采用的口径（学校概况 school.yaml 中声明，未声明的取默认口径），各章都用这一口径。"
    )
    frame = option_glossary(data)
    if frame.empty:
        show_markdown("> 指标登记表中没有可选口径。")
        return
    show_table(frame, None, "可选口径一览")


def glossary():
    rows = [{"术语": term, "含义": meaning} for term, meaning in TERMS]
    rows += [{"术语": f"核对结果：{v}", "含义": meaning} for v, meaning in VERDICT_MEANINGS.items()]
    return pd.DataFrame(rows)


@review_voice
def table_glossary() -> None:
    show_markdown("## 术语表")
    show_table(glossary(), None, "术语表")


__all__ = [
    "narrative_sources",
    "table_status",
    "table_indicators",
    "table_options",
    "table_glossary",
]
