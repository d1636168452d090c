"""Start notebook kernels by forking a process that has already imported the analysis stack.

A plain kernel start costs a new Python, ipykernel, pandas, matplotlib and the CJK font on
every notebook. The runner imports them once (``preload``); each job then forks a kernel from
its worker before papermill starts, and papermill adopts it through ``PreforkedKernelManager``.
The kernel stays in the worker's process group, so the runner's hard time limit still kills it.
"""

from __future__ import annotations

import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client import KernelManager
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import default

# The project kernel as the templates declare it (notebook metadata "kernelspec"); `make kernel`
# registers the same name for the user, `make install` inside .venv.
KERNEL_NAME = "luoshi-analysis"
KERNEL_DISPLAY_NAME = "Python (luoshi-analysis)"

PRELOAD = (
    "ipykernel.kernelapp",
    "IPython.display",
    "pandas",
    "matplotlib",
    "luoshi_analysis",
    "luoshi_analysis.plots",
    "luoshi_analysis.notebook",
)


def can_fork() -> bool:
    """Return True where kernels can be forked (POSIX)."""
    return hasattr(os, "fork")


def preload() -> None:
    """Import what every kernel needs, once, in the process kernels will be forked from."""
    for name in PRELOAD:
        importlib.import_module(name)


def project_kernel_spec() -> KernelSpec:
    """Return the project kernel's spec: this environment's Python running ipykernel."""
    return KernelSpec(
        argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        display_name=KERNEL_DISPLAY_NAME, language="python",
    )


class ProjectKernelSpecManager(KernelSpecManager):
    """The installed kernel specs, and the project kernel whether or not it is installed.

    A fresh clone, CI or a plain ``pip install`` has no registered ``luoshi-analysis`` kernel;
    the runner still runs the templates that declare it, in its own environment.
    """

    def get_kernel_spec(self, kernel_name: str) -> KernelSpec:
        """Return the spec named kernel_name; the project kernel is always this environment's."""
        if kernel_name == KERNEL_NAME:
            return project_kernel_spec()
        return super().get_kernel_spec(kernel_name)


class ProjectKernelManager(KernelManager):
    """A kernel manager that starts the project kernel without a registered kernel spec."""

    @default("kernel_spec_manager")
    def _project_kernel_spec_manager(self) -> KernelSpecManager:
        return ProjectKernelSpecManager(data_dir=self.data_dir)


class ForkedProcess:
    """The part of Popen that jupyter_client uses, for a kernel forked by this process."""

    stdin = stdout = stderr = None  # the kernel writes to the worker's log, not to pipes

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """Return the exit code, or None while the kernel runs."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                self.returncode = 0
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the kernel to exit."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        """Signal the kernel (never its process group, which is the worker's)."""
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        """Kill the kernel."""
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        """Ask the kernel to stop."""
        self.send_signal(signal.SIGTERM)


class ForkedProvisioner(LocalProvisioner):
    """A provisioner whose kernel was forked before papermill started."""

    async def send_signal(self, signum: int) -> None:
        """Signal the kernel process only."""
        if self.process:
            self.process.send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        """Kill the kernel process."""
        if self.process:
            self.process.kill()

    async def terminate(self, restart: bool = False) -> None:
        """Terminate the kernel process."""
        if self.process:
            self.process.terminate()


class PreforkedKernelManager(ProjectKernelManager):
    """A kernel manager that hands its connection file to an already forked kernel."""

    def __init__(self, pid: int, handoff: int, **kwargs):
        super().__init__(**kwargs)
        self._prefork_pid = pid
        self._handoff = handoff

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw) -> None:
        # the provisioner chose ports and wrote the connection file; the kernel is waiting for it
        os.write(self._handoff, (self.connection_file + "\n").encode())
        os.close(self._handoff)
        provisioner = ForkedProvisioner(
            kernel_id=self.provisioner.kernel_id, kernel_spec=self.kernel_spec, parent=self
        )
        provisioner.process = ForkedProcess(self._prefork_pid)
        provisioner.pid = self._prefork_pid
        provisioner.pgid = os.getpgid(self._prefork_pid)
        provisioner.cwd = kw.get("cwd")
        provisioner.connection_info = self.provisioner.connection_info
        self.provisioner = provisioner
        self._reconcile_connection_info(provisioner.connection_info)


    def discard(self) -> None:
        """Kill the kernel without a shutdown round-trip and remove its sockets and files."""
        if self.has_kernel:
            self.provisioner.process.kill()
        self.cleanup_resources()
        if self.transport == "ipc":
            shutil.rmtree(Path(self.ip).parent, ignore_errors=True)


def _run_kernel(handoff: int, cwd: str) -> None:
    """In the forked child: wait for the connection file, then serve as an IPython kernel."""
    with os.fdopen(handoff, "r") as pipe:
        connection_file = pipe.readline().strip()
    if not connection_file:
        os._exit(0)
    os.chdir(cwd)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    # parent_handle: the kernel exits by itself if the worker that forked it dies
    app.initialize(["-f", connection_file, "--HistoryManager.hist_file=:memory:",
                    f"--IPKernelApp.parent_handle={os.getppid()}"])
    app.start()


def fork_kernel(cwd: str, close_fds: tuple[int, ...] = ()) -> PreforkedKernelManager:
    """Fork a kernel child now and return the manager papermill should use to adopt it.

    Args:
        cwd: The kernel's working folder.
        close_fds: Descriptors of the caller the kernel must not hold (e.g. a result pipe).
    """
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never returns into the caller's stack
        code = 0
        try:
            for fd in (write_end, *close_fds):
                os.close(fd)
            _run_kernel(read_end, cwd)
        except BaseException:  # noqa: BLE001 - report and leave without running parent code
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    os.close(read_end)
    # Unix sockets in a private folder: no TCP ports for parallel kernels to race for
    sockets = tempfile.mkdtemp(prefix="luoshi-k")
    return PreforkedKernelManager(pid, write_end, kernel_name=KERNEL_NAME, transport="ipc",
                                  ip=f"{sockets}/k")
