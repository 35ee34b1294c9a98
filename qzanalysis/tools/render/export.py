"""HTML export of an executed notebook in two editions.

report   — for school leaders: no code, no parameters cells, no stderr, no error tracebacks, a small
           stylesheet of our own instead of JupyterLab's ~270 KiB one.
analysis — for analysts: all code and prompts (JupyterLab styling), parameters included; only
           `remove-cell` cells are dropped.

Both editions are offline: the `qz` template removes MathJax, require.js, mermaid and widget loaders,
and no output may carry a live <script>.
"""

from __future__ import annotations

import copy
import functools
import logging
import re
import threading

from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets import Bool

from qzanalysis.tools.render.params import INJECTED_TAG, PARAMETERS_TAG
from qzanalysis.tools.render.project import TEMPLATES_DIR

REMOVE_CELL = "remove-cell"
REMOVE_INPUT = "remove-input"
REMOVE_OUTPUT = "remove-output"
_SCRIPT = re.compile(r"<(/?)(script)", re.IGNORECASE)
# Outputs that only work with JavaScript; useless (and unsafe) in a static page.
_SCRIPT_MIMETYPES = {
    "application/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
}


# javascript: URLs in links or sources (e.g. a Markdown link that reached the page) are disabled too.
_JS_URL = re.compile(r"""\b(href|src|action|formaction)\s*=\s*["']?\s*javascript:[^"'\s>]*["']?""", re.I)


def neutralize_scripts(text: str) -> str:
    """Show any <script> tag as text. Data strings are escaped upstream (pandas, qzanalysis.narrative);
    this is the second line of defence for HTML/Markdown that slipped through unescaped."""
    text = _SCRIPT.sub(r"&lt;\1\2", text)
    return _JS_URL.sub(r'\1="#"', text)


class CleanOutputsPreprocessor(Preprocessor):
    """Drop stderr streams / tracebacks (report edition) and script-bearing outputs (both editions)."""

    report = Bool(False).tag(config=True)

    def preprocess(self, nb, resources):
        kept = []
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                cell.source = neutralize_scripts(cell.source)
            if cell.cell_type != "code":
                kept.append(cell)
                continue
            outputs = []
            for out in cell.get("outputs", []):
                kind = out.get("output_type")
                if self.report and kind == "stream" and out.get("name") == "stderr":
                    continue
                if self.report and kind == "error":
                    continue
                if "data" in out:
                    for mime in _SCRIPT_MIMETYPES & set(out.data):
                        del out.data[mime]
                    for mime in ("text/html", "text/markdown"):
                        if mime in out.data:
                            out.data[mime] = neutralize_scripts(out.data[mime])
                    if not out.data:
                        continue
                outputs.append(out)
            cell.outputs = outputs
            # A code cell with nothing left to show would be an empty box in the report.
            if self.report and not outputs:
                continue
            kept.append(cell)
        nb.cells = kept
        nb.metadata.pop("widgets", None)
        return nb, resources


@functools.cache
def _exporter_class():
    from nbconvert import HTMLExporter

    class QzHTMLExporter(HTMLExporter):
        # `language_code` only accepts ISO 639-1 ("zh"); the reports are zh-CN.
        def _init_resources(self, resources):
            resources = super()._init_resources(resources)
            resources["language_code"] = "zh-CN"
            return resources

    return QzHTMLExporter


@functools.cache
def _exporter(report: bool):
    """One exporter per edition per process: compiling the templates costs ~0.4 s, exporting ~0.1 s."""
    exporter = _exporter_class()(
        template_name="qz",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        exclude_input=report,
        exclude_input_prompt=report,
        exclude_output_prompt=report,
        exclude_anchor_links=report,
        mathjax_url="",
        require_js_url="",
    )
    exporter.log.setLevel(logging.ERROR)  # e.g. "Alternative text is missing" for every chart
    if report:
        tags = TagRemovePreprocessor(
            remove_cell_tags={REMOVE_CELL, PARAMETERS_TAG, INJECTED_TAG},
            remove_input_tags={REMOVE_INPUT},
            remove_all_outputs_tags={REMOVE_OUTPUT},
        )
    else:
        # The analysis edition shows all code, `remove-input` cells included: it exists to be checked.
        tags = TagRemovePreprocessor(remove_cell_tags={REMOVE_CELL})
    exporter.register_preprocessor(tags, enabled=True)
    exporter.register_preprocessor(CleanOutputsPreprocessor(report=report), enabled=True)
    return exporter, threading.Lock()  # exporters keep per-call state: one export at a time each


def warm_exporters() -> None:
    """Build both exporters and compile their templates ahead of the first real export."""
    import nbformat

    for report in (True, False):
        exporter, lock = _exporter(report)
        with lock:
            exporter.from_notebook_node(nbformat.v4.new_notebook(), resources={"qz": _EMPTY_QZ})


_EMPTY_QZ = {"edition": "report", "links": {"index": "", "other": ""}, "footer": "", "title": ""}


def export_html(nb, *, edition: str, title: str, links: dict, footer: str) -> str:
    """Return the HTML of `nb` (not modified) for `edition` ("report" or "analysis").

    `links` holds relative hrefs: `index`, and `other` (the other edition of this chapter).
    """
    if edition not in ("report", "analysis"):
        raise ValueError(f"unknown edition {edition!r}")
    nb = copy.deepcopy(nb)
    nb.metadata["title"] = title  # the lab template takes <title> from here
    resources = {
        "metadata": {"name": title},
        "qz": {"edition": edition, "links": links, "footer": footer, "title": title},
    }
    exporter, lock = _exporter(edition == "report")
    with lock:
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    # Markdown outputs become HTML only here, so disable javascript: URLs once more on the final page.
    return _JS_URL.sub(r'\1="#"', body)
