"""Execute the chapter notebooks of one year and export shareable HTML (`qz render`).

Public entry point: :func:`render_year`. Modules, one job each:
``params`` (parameter injection), ``execute`` (kernels), ``export`` (HTML editions),
``state`` (change detection), ``index`` (index.html), ``project`` (links to the rest of the library),
``files`` (atomic writes), ``pipeline`` (orchestration), ``command`` (CLI).
"""

from qzanalysis.tools.render.pipeline import ChapterResult, RenderResult, render_year

__all__ = ["ChapterResult", "RenderResult", "render_year"]
