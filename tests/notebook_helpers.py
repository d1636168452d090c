"""Tiny notebooks written by the tests: one that works, one that fails, one that hangs."""

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

PARAMETERS = (
    'year: int = 2020  # report year\nlang: str = "zh"  # zh or en\n'
    'output_dir: str = ""  # figures folder\ndata_dir: str = ""  # data folder'
)


def write_notebook(folder: Path, name: str, body: str) -> Path:
    """Write a notebook with the runner's parameters cell followed by body."""
    nb = new_notebook(cells=[
        new_code_cell(PARAMETERS, metadata={"tags": ["parameters"]}),
        new_code_cell(body),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path
