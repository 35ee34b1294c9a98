"""`qz render --pdf`: the publication edition printed to A4 with page numbers and a contents list that gives
each chapter's page.

Two passes over the same file: the first print's bookmarks (Chromium's document outline, one per heading)
tell on which page each heading lands; the page numbers are then written into the contents list (on the same
lines, so the layout does not move) and the page is printed again. The PDF is written only when printing
succeeded; without a browser nothing is written and the message says how to get one.
"""

from __future__ import annotations

import io
import re
import tempfile
from html import unescape
from pathlib import Path

from qzanalysis.tools.render.browser import Browser
from qzanalysis.tools.render.files import write_atomic_bytes

_TOC_LINK = re.compile(r'(<li class="qz-toc-\d+"><a href="#[^"]+">|<li><a href="#[^"]+">)([^<]+)</a>')


def heading_pages(pdf: bytes) -> dict[str, int]:
    """Bookmark title → page number (1-based) from a PDF's outline."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages: dict[str, int] = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
                continue
            try:
                number = reader.get_destination_page_number(item)
            except Exception:  # a bookmark without a page
                continue
            if number is not None:
                pages.setdefault(" ".join(str(item.title).split()), number + 1)

    walk(reader.outline)
    return pages


def with_page_numbers(page_html: str, pages: dict[str, int]) -> str:
    """The contents list with each entry's page number after its title."""

    def add(match: re.Match) -> str:
        title = " ".join(unescape(match.group(2)).split())
        number = pages.get(title)
        if number is None:
            return match.group(0)
        return f'{match.group(1)}{match.group(2)}<span class="qz-page">{number}</span></a>'

    return _TOC_LINK.sub(add, page_html)


def print_pdf(html_path: Path, pdf_path: Path, footer: str = "") -> Path:
    """Print `html_path` to `pdf_path` (A4, page numbers, contents with pages). Raises BrowserError."""
    html_path, pdf_path = Path(html_path), Path(pdf_path)
    page = html_path.read_text(encoding="utf-8")
    with Browser() as browser, tempfile.TemporaryDirectory(prefix="qz-pdf-") as tmp:
        browser.open(html_path)
        first = browser.pdf(footer)
        numbered = Path(tmp) / html_path.name
        numbered.write_text(with_page_numbers(page, heading_pages(first)), encoding="utf-8")
        browser.open(numbered)
        final = browser.pdf(footer)
    write_atomic_bytes(pdf_path, final)
    return pdf_path


__all__ = ["heading_pages", "print_pdf", "with_page_numbers"]
