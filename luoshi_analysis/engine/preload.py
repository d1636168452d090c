"""Start-up work done once in the runner so that every forked worker and kernel inherits it."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path


def block_module(name: str) -> bool:
    """Make ``import name`` fail with ImportError (a None entry in sys.modules); True if done.

    A module already imported, or already blocked, is left as it is (False).
    """
    if name in sys.modules:
        return False
    sys.modules[name] = None  # type: ignore[assignment]  # None is how Python blocks an import
    return True


def skip_slow_optional_imports() -> None:
    """Keep jsonschema from importing rfc3987_syntax, which compiles a grammar for 1.3 s.

    nbformat (and so papermill and nbconvert) imports jsonschema, which loads rfc3987_syntax
    when it is installed (JupyterLab's dependencies bring it) to check "iri" formats; notebook
    schemas have none. Blocking it before the first import makes `luoshi run` start 1.4 s sooner.
    """
    if "jsonschema" not in sys.modules:
        block_module("rfc3987_syntax")


def compile_notebook_schemas(templates: set[Path]) -> None:
    """Validate the templates and a notebook with an output here, once, before any fork.

    nbformat compiles its JSON schemas on first use (about 0.08 s); done here, every worker
    inherits them instead of compiling its own.
    """
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    for template in sorted(templates):
        with contextlib.suppress(Exception):  # a broken template fails in its own job
            nbformat.read(template, as_version=4)
    nbformat.validate(new_notebook(cells=[new_code_cell(outputs=[new_output("stream", text="")])]))


def warm_library(year: int, data_root: Path | None) -> None:
    """Run the library's loaders and checks once on a year, in the process workers fork from.

    Their lazy imports and regular expressions are then loaded once here instead of in every
    kernel (0.05-0.1 s each). Nothing is kept but code: the library caches no data. Bad data
    is reported by the notebooks themselves, so any error here is ignored.
    """
    from luoshi_analysis.analysis.checks import check, statement_violations
    from luoshi_analysis.analysis.views import statements_over_years
    from luoshi_analysis.core.load import load_budget, load_indicators

    with contextlib.suppress(Exception):
        load_budget(year, data_root)
        load_indicators(year, data_root)
        check(year, data_root)
        statement_violations(year, data_root)
        statements_over_years(data_root)
