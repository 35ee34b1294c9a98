"""The schools' index (`<out>/<year>/index.html`): each school's report, the area report, and the schools skipped
because their data fail validation, each with its findings. Every data string is escaped."""

from __future__ import annotations

from datetime import datetime
from html import escape
from pathlib import Path

from qzanalysis.core.collection import Collection
from qzanalysis.core.findings import Level
from qzanalysis.indicators.area import findings_of
from qzanalysis.tools.render import project
from qzanalysis.tools.render.export import INDEX_FILE
from qzanalysis.tools.render.files import write_atomic
from qzanalysis.tools.render.index import _page as page  # the report's page shell: its CSS and CSP

SHOWN_FINDINGS = 10  # per skipped school; `qz validate --school` lists them all


def _status(result, school) -> tuple[str, str | None]:
    """(status text, href of the school's report or None)."""
    sid = school.school.id
    href = f"{sid}/{INDEX_FILE}"
    if not school.ok:
        return f"数据未通过校验（{len(findings_of(school, Level.FAIL))} 个错误），未生成", None
    rendered = result.reports.get(sid)
    exists = (result.out_dir / sid / INDEX_FILE).is_file()
    if rendered is None:
        return ("本次未重新生成", href) if exists else ("尚未生成", None)
    failed = rendered.failed
    if failed:
        return f"{len(failed)} 章本次生成失败", href if exists else None
    return "已生成", href


def collection_index_html(collection: Collection, result) -> str:
    year = result.year
    title = f"{collection.area} {year} 年中等职业学校质量年度报告"
    rows = []
    for school in result.schools:
        status, href = _status(result, school)
        name = escape(school.name)
        link = f'<a href="{escape(href)}">{name}</a>' if href else name
        css_class = ' class="qz-failed"' if not school.ok or "失败" in status else ""
        rows.append(
            f"<tr><td>{escape(school.school.id)}</td><td>{link}</td><td>{escape('、'.join(school.types))}</td>"
            f"<td{css_class}>{escape(status)}</td></tr>"
        )
    area = ""
    if result.area is not None and (result.out_dir / "area" / INDEX_FILE).is_file():
        area = (
            f'<p class="qz-area"><a href="area/{INDEX_FILE}">{escape(collection.area)}'
            f"{escape(collection.area_title(year))}</a>："
            "各校主要指标、国家标准达标情况与上年变化的对照（只含数据通过校验的学校）。</p>"
        )
    skipped = []
    for school in result.skipped:
        errors = findings_of(school, Level.FAIL)
        items = "".join(f"<li>{escape(str(collection.relative(f)))}</li>" for f in errors[:SHOWN_FINDINGS])
        more = len(errors) - SHOWN_FINDINGS
        command = f"qz validate --school {school.school.id} --year {year}"
        skipped.append(
            f"<h3>{escape(school.name)}</h3><ul>{items}</ul>"
            + (f"<p>……另有 {more} 个错误。</p>" if more > 0 else "")
            + f"<p>改正数据后重新生成；全部问题：<code>{escape(command)}</code></p>"
        )
    skipped_html = (
        "<h2>未生成报告的学校</h2><p>以下学校的数据未通过校验，本次没有生成报告，也不参与区域比较。</p>"
        + "".join(skipped)
        if skipped
        else ""
    )
    now = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")
    body = f"""<h1>{escape(title)}</h1>
{area}
<h2>各校报告</h2>
<table class="qz-schools">
<thead><tr><th>代码</th><th>学校</th><th>类型</th><th>状态</th></tr></thead>
<tbody>
{"".join(rows)}
</tbody>
</table>
{skipped_html}
<p class="qz-note">学校名单：{escape(collection.path.name)} · qzanalysis {escape(project.package_version())} · 生成于 {escape(now)}</p>"""
    extra_css = """.qz-schools { width: 100%; }
.qz-schools td, .qz-schools th { text-align: left; }
.qz-area { background: #eef4fb; border-left: 4px solid #1f5fa8; padding: .6rem 1rem; }"""
    return page(title, body, extra_css)


def write_collection_index(collection: Collection, result) -> Path:
    path = result.out_dir / INDEX_FILE
    write_atomic(path, collection_index_html(collection, result))
    return path
