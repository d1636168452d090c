"""Tiny notebooks written by the tests: one that works, one that fails, one that hangs."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

PARAMETERS = (
    'year: int = 2020  # report year\nlang: str = "zh"  # zh or en\n'
    'output_dir: str = ""  # figures folder\ndata_dir: str = ""  # data folder'
)


def write_notebook(folder: Path, name: str, body: str, template: bool = True) -> Path:
    """Write a notebook with the runner's parameters cell followed by body.

    template=False leaves out the report-template marker, as in an analyst's scratch notebook.
    """
    nb = new_notebook(cells=[
        new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
        new_code_cell(body),
    ])
    nb.metadata["kernelspec"] = {"name": "luoshi-analysis", "display_name": "Python (luoshi-analysis)",
                                 "language": "python"}
    if template:
        nb.metadata["luoshi"] = {"report_template": True}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path
