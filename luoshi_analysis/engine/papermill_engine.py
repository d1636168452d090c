"""papermill's nbclient engine, registered under our name, that keeps the cells run so far.

A run saves the notebook once at the end (not after every cell), so when the kernel dies or a
cell times out papermill itself writes nothing; this engine writes the cells finished until
then. It is registered through papermill's public engine registry and told where to keep the
notebook by a keyword argument of ``execute_notebook``, which papermill passes to the engine.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import nbformat
import papermill
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

from luoshi_analysis.engine.kernels import (
    KERNEL_NAME,
    PreforkedKernelManager,
    ProjectKernelManager,
)

ENGINE_NAME = "luoshi"


class KeepingEngine(NBClientEngine):
    """nbclient's engine that writes the notebook as run so far to ``keep_at`` on any failure."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: NotebookExecutionManager, kernel_name: str,
                                 keep_at: Path | None = None, **kwargs: object) -> object:
        """Execute the notebook; on failure write what ran to ``keep_at`` before raising."""
        try:
            return super().execute_managed_notebook(nb_man, kernel_name, **kwargs)
        except BaseException:
            if keep_at is not None:
                with contextlib.suppress(Exception):
                    nbformat.write(nb_man.nb, keep_at)
            raise


papermill_engines.register(ENGINE_NAME, KeepingEngine)


def execute(template: Path, output: Path, parameters: dict[str, object], cwd: Path,
            cell_timeout: float | None, manager: PreforkedKernelManager | None) -> None:
    """Run a template with parameters into output under papermill, keeping cells on failure.

    Args:
        template: The notebook template.
        output: Where the executed notebook is written (also on failure, up to the last cell).
        parameters: Injected after the template's parameters cell.
        cwd: The kernel's working folder.
        cell_timeout: Seconds a cell may run before it is interrupted (None: no limit).
        manager: A kernel forked for this notebook (None: papermill starts the project kernel).
    """
    papermill.execute_notebook(
        str(template), str(output), parameters=parameters, kernel_name=KERNEL_NAME,
        progress_bar=False, log_output=False, execution_timeout=cell_timeout, cwd=str(cwd),
        # one write at the end, not one per cell (a timed-out run leaves no notebook)
        request_save_on_cell_execute=False, engine_name=ENGINE_NAME, keep_at=output,
        **({"km": manager} if manager else {"kernel_manager_class": ProjectKernelManager}))

