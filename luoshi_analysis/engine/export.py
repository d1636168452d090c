"""Export executed notebooks to self-contained HTML pages, and check the figure files beside them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from luoshi_analysis.core import config
from luoshi_analysis.core.atomic import write_bytes, write_text
from luoshi_analysis.reports.labels import LANGS, text

if TYPE_CHECKING:
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

# CSS comments in nbconvert's stylesheet name outside hosts; a page must name none.
_STYLE_BLOCK = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL | re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def _strip_css_comments(page: str) -> str:
    return _STYLE_BLOCK.sub(lambda m: m[1] + _CSS_COMMENT.sub("", m[2]) + m[3], page)


# the process's one exporter and its TagRemovePreprocessor: templates compiled once
_EXPORTER: list[tuple[HTMLExporter, TagRemovePreprocessor]] = []


def _exporter(lang: str, with_code: bool) -> HTMLExporter:
    """Return the process's one HTML exporter, set for a language and code setting.

    One exporter serves every page, so nbconvert's templates are compiled once per process.
    """
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    if not _EXPORTER:
        exporter = HTMLExporter(
            template_name=config.NBCONVERT_TEMPLATE,
            extra_template_basedirs=[str(config.TEMPLATES_DIR)],
            exclude_input_prompt=True,
            exclude_output_prompt=True,
            embed_images=True,
        )
        remove_tags = TagRemovePreprocessor(enabled=True)
        exporter.register_preprocessor(remove_tags, enabled=True)
        _EXPORTER.append((exporter, remove_tags))
    exporter, remove_tags = _EXPORTER[0]
    exporter.exclude_input = not with_code
    exporter.language_code = lang
    remove_tags.remove_cell_tags = {lang_ for lang_ in LANGS if lang_ != lang}
    return exporter


def notebook_to_html(nb: nbformat.NotebookNode, lang: str, title: str, with_code: bool) -> str:
    """Return a self-contained HTML page of an executed notebook.

    Cells tagged with the other language are dropped; code is hidden unless with_code. The cell
    papermill injects gets a fixed id (papermill draws a random one), so that a page depends on
    its notebook's content only: the same run made twice, or on a cluster, is the same page.
    """
    exporter = _exporter(lang, with_code)
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    nb.metadata["title"] = title
    page, _ = exporter.from_notebook_node(
        nb, resources={"luoshi_back_label": text("back_to_index", lang)}
    )
    return _strip_css_comments(page)


class FigureFileMissing(Exception):
    """A figure file the notebook wrote is gone and cannot be made again from the notebook."""


def restore_figure_files(nb: nbformat.NotebookNode, figures: Path) -> list[str]:
    """Check the figure files a notebook's charts were written to; remake any missing PNG.

    ``ctx.show`` names the files it wrote in each image's metadata, and the notebook holds the
    PNG's own bytes: a PNG deleted during the run is written again from them. Returns the
    names of the files written again.

    Raises:
        FigureFileMissing: a file that cannot be written again (an SVG) is gone.
    """
    import base64

    restored = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            png_meta = output.get("metadata", {}).get("image/png", {})
            for name in png_meta.get(config.FIGURE_FILES_KEY, []):
                path = figures / Path(name).name
                if path.is_file():
                    continue
                if path.suffix != ".png":
                    raise FigureFileMissing(f"figure file {path} was removed during the run; "
                                            "run again to draw it")
                write_bytes(path, base64.b64decode(output["data"]["image/png"]), fsync=False)
                restored.append(path.name)
    return restored


def export_page_file(executed: Path, page: Path, lang: str, title: str, with_code: bool,
                     figures: Path | None = None) -> list[str]:
    """Read an executed notebook and write its page (to a temporary name, then renamed).

    With ``figures`` (the folder its charts were written to), the figure files are checked
    after the page is in place (``restore_figure_files``); returns the files written again.
    """
    nb = nbformat.read(executed, as_version=4)
    write_text(page, notebook_to_html(nb, lang, title, with_code))
    return restore_figure_files(nb, figures) if figures is not None else []


def warm_exporter() -> None:
    """Export an empty notebook once, so that nbconvert is imported and its templates compiled."""
    notebook_to_html(nbformat.v4.new_notebook(), "zh", "warm-up", with_code=False)
