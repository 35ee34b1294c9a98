"""The one gate for HTML that passes through from notebooks into a report: nh3 (the Ammonia sanitizer).

Chapter outputs (HTML tables, Markdown turned into HTML, Markdown cells) carry data strings. Data are escaped
where they are put into text (`qzanalysis.report.narrative.esc`, `formatting.table_html`); this is the
second line of defence: whatever markup slips through keeps only harmless tags and attributes, no scripts,
event handlers, styles, frames, objects, SVG, images or non-http(s) links. Images in a report come only from
the figures the renderer itself embeds. Every page also carries a Content-Security-Policy (`CSP`) that lets
no script run and loads nothing from outside the file.
"""

from __future__ import annotations

import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "title", "lang"},
    "a": {"href"},
    "td": {"colspan", "rowspan", "data-label"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}
# The content of these goes with the tag (a <style> block from pandas' Styler would restyle the page).
DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "svg", "math", "noscript", "template"}

# default-src 'none' covers scripts, frames, objects, fonts and connections; only inline styles and the
# embedded (data:) images are allowed. A meta CSP also governs srcdoc frames, which inherit it.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def clean(fragment: str) -> str:
    """`fragment` with only the allowed tags and attributes; links only to http(s)/mailto addresses."""
    return nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        clean_content_tags=DROPPED_WITH_CONTENT,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        url_relative="deny",  # a relative link would point at a file beside the report that is not sent
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


__all__ = ["CSP", "clean"]
