"""index.html, for everyone: the single-file editions (and the PDF); build.html, for analysts: chapter pages
with their status and timings, the headline indicators printed beside recomputed, and provenance."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from qzanalysis.tools.render.project import TEMPLATES_DIR
from qzanalysis.tools.render.sanitize import CSP

HEADLINE_COLUMNS = ["指标", "报告值", "计算值", "单位", "核对"]
DEFAULT_HEADLINE_ROWS = 8

STATUS_TEXT = {
    "ok": "已生成",
    "failed": "本次生成失败",
    "missing": "尚未生成",
}


@dataclass
class ChapterEntry:
    name: str  # notebook stem
    title: str
    status: str  # ok | failed | missing
    report_href: str | None  # None when there is no good HTML on disk
    analysis_href: str | None
    rendered_at: str | None = None
    seconds: float | None = None
    error: str | None = None


def headline_table(year: int, data_dir, headline: list[str] | None) -> str:
    """The headline indicator rows as an escaped HTML table, or a notice if the data did not load."""
    try:
        from qzanalysis import load_year
        from qzanalysis.indicators.registry import indicator_table, registry

        table = indicator_table(load_year(year, data_dir))
        # Default: the indicators flagged `headline: true` in metadata/indicators.yaml.
        headline = headline or [ind.id for ind in registry().values() if ind.headline]
        if headline:
            order = {ind: i for i, ind in enumerate(headline)}
            table = table[table["id"].isin(order)]
            table = table.iloc[table["id"].map(order).argsort()]
        else:
            table = table.head(DEFAULT_HEADLINE_ROWS)
        rows = table.to_dict("records")
    except Exception as exc:  # never lose the index because of the data: say so instead
        return (
            '<p class="qz-warn">数据未能加载，无法显示主要指标。'
            f"<br><small>{escape(type(exc).__name__)}: {escape(str(exc)[:300])}</small></p>"
        )
    if not rows:
        return '<p class="qz-warn">没有可显示的主要指标。</p>'
    columns = [c for c in HEADLINE_COLUMNS if c in rows[0]]
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(_cell(row, c))}</td>" for c in columns) + "</tr>" for row in rows
    )
    return f'<table class="qz-headline"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(row: dict, column: str) -> str:
    """Printed values keep the report's decimals (74.50 stays 74.50); recomputed ones show one more digit."""
    from qzanalysis.report.formatting import fmt_number

    printed_decimals = row.get("报告小数位")
    if (
        column in ("报告值", "计算值")
        and printed_decimals == printed_decimals
        and printed_decimals is not None
    ):
        extra = 1 if column == "计算值" else 0
        return fmt_number(row.get(column), int(printed_decimals) + extra)
    return _fmt(row.get(column))


def _fmt(value) -> str:
    if value is None:
        return "—"
    try:
        if value != value:  # NaN: missing, shown as a dash like everywhere else
            return "—"
    except Exception:
        pass
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _chapter_rows(chapters: list[ChapterEntry]) -> str:
    rows = []
    for ch in chapters:
        title = escape(ch.title)
        if ch.report_href:
            title = f'<a href="{escape(ch.report_href)}">{title}</a>'
        analysis = f'<a href="{escape(ch.analysis_href)}">分析版</a>' if ch.analysis_href else "—"
        status = escape(STATUS_TEXT.get(ch.status, ch.status))
        if ch.status == "failed":
            note = "（显示的是上次成功的版本）" if ch.report_href else ""
            status = f'<span class="qz-failed" title="{escape(ch.error or "")}">{status}</span>{note}'
        when = escape(ch.rendered_at or "—")
        secs = f"{ch.seconds:.1f} 秒" if ch.seconds is not None else "—"
        rows.append(
            f"<tr><td>{title}</td><td>{analysis}</td><td>{status}</td><td>{when}</td><td>{secs}</td></tr>"
        )
    return "\n".join(rows)


def _page(title: str, body: str, extra_css: str = "") -> str:
    css = (TEMPLATES_DIR / "qz" / "report.css").read_text(encoding="utf-8")
    return f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<style type="text/css">
{css}
.qz-index, .qz-meta {{ width: 100%; }}
.qz-index td, .qz-index th, .qz-meta td, .qz-meta th {{ text-align: left; }}
.qz-meta th {{ width: 8rem; }}
.qz-failed {{ color: #b42318; font-weight: 600; }}
.qz-editions li {{ margin: .6rem 0; }}
{extra_css}
</style>
</head>
<body>
<main>
{body}
</main>
</body>
</html>
"""


def index_html(*, school: str, year: int, title: str, editions: dict[str, str], pdf: str | None) -> str:
    """The landing page: the report's editions, each one file to open or forward."""
    from qzanalysis.tools.render.assemble import BADGES, EDITION_NAMES

    items = []
    for edition, href in editions.items():
        note = BADGES[edition] or "学校发布的报告：可直接转发给领导，手机和电脑离线均可打开"
        items.append(
            f'<li><a href="{escape(href)}"><strong>{escape(EDITION_NAMES[edition])}</strong></a>'
            f'<br><span class="qz-note">{escape(note)}</span></li>'
        )
    if pdf:
        items.insert(
            1,
            f'<li><a href="{escape(pdf)}"><strong>发布版 PDF</strong></a>'
            '<br><span class="qz-note">A4 打印版，带页码和目录</span></li>',
        )
    body = (
        f"<h1>{escape(school)}<br>{escape(title)}</h1>"
        f'<ul class="qz-editions">{"".join(items) or "<li>尚未生成报告。</li>"}</ul>'
        '<p class="qz-note"><a href="build.html">分章节页面与生成记录（供分析人员）</a></p>'
    )
    return _page(f"{school} {title}", body)


def build_html(
    *,
    school: str,
    year: int,
    chapters: list[ChapterEntry],
    headline: str,
    data_version: str,
    package_version: str,
    commit: str | None,
    rendered_at: str,
) -> str:
    """The analysts' page: every chapter's pages, status and timing; headline indicators; provenance."""
    title = f"{school} {year} 年质量年度报告：生成记录"
    failed = [c for c in chapters if c.status == "failed"]
    banner = (
        f'<p class="qz-warn">有 {len(failed)} 个章节本次生成失败：'
        + "、".join(escape(c.title) for c in failed)
        + "。</p>"
        if failed
        else ""
    )
    body = f"""<h1>{escape(title)}</h1>
<p><a href="index.html">← 报告（发布版、审阅版、分析版）</a></p>
{banner}
<h2>章节</h2>
<p>章节标题链接到该章的审阅版单页；“分析版”包含生成图表和数字的全部代码，供核对使用。</p>
<table class="qz-index">
<thead><tr><th>章节</th><th>分析版</th><th>状态</th><th>生成时间</th><th>耗时</th></tr></thead>
<tbody>
{_chapter_rows(chapters)}
</tbody>
</table>
<h2>主要指标（报告值与计算值）</h2>
{headline}
<h2>版本信息</h2>
<table class="qz-meta">
<tr><th>报告年度</th><td>{year}</td></tr>
<tr><th>数据版本</th><td><code>{escape(data_version)}</code></td></tr>
<tr><th>程序版本</th><td>qzanalysis {escape(package_version)}</td></tr>
<tr><th>代码提交</th><td><code>{escape(commit or "未知（不在 git 仓库中或尚无提交）")}</code></td></tr>
<tr><th>生成时间</th><td>{escape(rendered_at)}</td></tr>
</table>"""
    return _page(title, body)
