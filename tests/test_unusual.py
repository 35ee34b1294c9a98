"""Whatever validation lets through, every command handles: schema-valid but unusual years (tests/unusual.py)
go through validate, indicators, audit and every chapter, with no traceback, and their text stays text."""

from __future__ import annotations

import json
import re
import warnings

import pytest

from qzanalysis.core.dataset import read_year
from qzanalysis.core.outline import chapters
from qzanalysis.core.paths import NOTEBOOK_DIR
from qzanalysis.tools import cli
from qzanalysis.tools.render.params import parameters_source
from tests.unusual import VARIANTS, write_year

# One data folder, one year per variant, in this order: each year's previous year is the one before,
# so the year-over-year chapter compares unusual data too.
YEARS = dict(zip(VARIANTS, (2031, 2032, 2033), strict=True))


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    data = tmp_path_factory.mktemp("unusual") / "data"
    for variant, year in YEARS.items():
        write_year(data, year, variant)
    return data


@pytest.mark.parametrize("variant", VARIANTS)
def test_unusual_years_are_valid(root, variant):
    """The generator writes what the schemas allow: no FAIL, or the other tests would prove nothing."""
    report = read_year(YEARS[variant], root).report
    assert report.ok, report.format()


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["indicators"],
        ["indicators", "--format", "csv"],
        ["audit"],
        ["audit", "--format", "csv"],
    ],
    ids=" ".join,
)
def test_commands_handle_unusual_years(root, variant, command, capsys):
    code = cli.main([*command, "--year", str(YEARS[variant]), "--data-dir", str(root)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err and "程序内部出错" not in err


def run_chapter(notebook: str, year: int, data_dir, monkeypatch) -> str:
    """Every code cell of a chapter notebook, in this process, after the parameters qz render injects.
    Returns the text of what the chapter displayed (Markdown and HTML outputs)."""
    import IPython.display

    shown: list[str] = []

    def display(*objs, **kwargs):
        shown.extend(str(getattr(o, "data", "")) for o in objs)

    monkeypatch.setattr(IPython.display, "display", display)
    nb = json.loads((NOTEBOOK_DIR / f"{notebook}.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    namespace: dict = {}
    exec(parameters_source({"year": year, "data_dir": str(data_dir)}), namespace)
    for i, cell in enumerate(code[1:], start=1):
        exec(compile("".join(cell["source"]), f"{notebook}.ipynb code cell {i}", "exec"), namespace)
    return "\n".join(shown)


@pytest.mark.parametrize("variant", VARIANTS)
@pytest.mark.parametrize("notebook", [c.notebook for c in chapters()])
def test_every_chapter_runs_on_unusual_years(root, variant, notebook, monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # e.g. a division by zero on the way to "inf"
        shown = run_chapter(notebook, YEARS[variant], root, monkeypatch)
    assert shown
    assert not re.search(r"\binf\b|\bnan\b|∞", shown, re.I), shown[:2000]


def test_rendered_data_text_stays_text(root, tmp_path):
    """The chapters that print notes, rendered for real: a URL in the data is no live link, ")" is no
    "&#41;", and markup in the data is shown as typed."""
    from qzanalysis.tools.render import render_year

    out = tmp_path / "reports"
    result = render_year(
        YEARS["many"],
        data_dir=root,
        out_dir=out,
        chapters=["ch01", "ch02", "ch03"],
        jobs=2,
        log=lambda m: None,
    )
    assert result.ok, [c.error for c in result.failed]
    pages = [p.read_text(encoding="utf-8") for p in (out / str(YEARS["many"])).glob("ch*.html")]
    assert len(pages) == 3
    for page in pages:
        assert 'href="http://example.com' not in page
        assert "&amp;#41;" not in page and "&amp;#58;" not in page
        assert "<script>alert(1)</script>" not in page
    assert any("http://example.com/a_(b)" in page for page in pages)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in page for page in pages)


@pytest.mark.parametrize("unit, verdict", [("千元", None), ("英镑", "无法核对")])
def test_a_funding_unit_without_allowed_values(data_copy, monkeypatch, capsys, unit, verdict):
    """Issue 10's crash: “千元” in funding.printed_unit passed validation, then audit, chapter 8 and the
    audit appendix raised KeyError. A unit that converts is used; one that does not is said."""
    from qzanalysis.core.dataset import load_year
    from qzanalysis.indicators.audit import audit

    path = data_copy / "2021" / "funding.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",元,万元,", f",{unit},万元,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli.main(["audit", "--year", "2021", "--data-dir", str(data_copy)]) == 0
    assert "Traceback" not in "".join(capsys.readouterr())
    row = audit(load_year(2021, data_copy)).set_index("项目").loc["经费来源表的单位"]
    if verdict:
        assert row["结论"] == verdict and f"“{unit}”不是可换算的金额单位" in row["说明"]
    for notebook in ("ch06_funding", "ch08_problems", "ch10_audit"):
        assert run_chapter(notebook, 2021, data_copy, monkeypatch)


@pytest.mark.parametrize(
    "text",
    ["见 http://example.com/a_(b)", "https://x.cn/p?q=1&r=(2)", "[点此](http://x.cn)", "~~删除~~ ftp://y.cn"],
)
def test_data_text_in_markdown_is_text_not_a_link(text):
    """nbconvert's Markdown renderer links bare URLs; escaped data must come out exactly as typed."""
    import html

    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    from qzanalysis.report.narrative import esc

    rendered = markdown2html_mistune(esc(text))
    assert "<a " not in rendered and "<del>" not in rendered
    assert html.unescape(re.sub(r"</?p>", "", rendered)).strip() == text
