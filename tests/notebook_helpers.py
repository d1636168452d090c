"""Tiny notebooks written by the tests, and a data folder of another unit."""

import json
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_notebook

# The seed town: its pages are in <outputs>/<UNIT>/<year>/ (one folder per unit of a collection).
UNIT = "罗市镇人民政府"

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
        nb.metadata["luoshi"] = {"report_template": name}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


OTHER_UNIT = ("青山乡人民政府", "Qingshan Township")


def another_unit_data(folder: Path) -> Path:
    """Copy the shipped data into folder/data with a source record naming another unit."""
    from conftest import copy_seed

    data = copy_seed(folder / "data")
    package = data / "processed" / "2020" / "datapackage.json"
    descriptor = json.loads(package.read_text("utf-8"))
    descriptor["sources"][0].update(issuer=OTHER_UNIT[0], issuer_en=OTHER_UNIT[1])
    package.write_text(json.dumps(descriptor, ensure_ascii=False), "utf-8")
    return data
