"""Start notebook kernels by forking a process that has already imported the analysis stack.

A plain kernel start costs a new Python, ipykernel, pandas, matplotlib and the CJK font on
every notebook. The runner imports them once (``preload``); each job then forks a kernel from
its worker before papermill starts, and papermill adopts it through ``PreforkedKernelManager``.
The kernel stays in the worker's process group, so the runner's hard time limit still kills it,
and it is killed by the system when the worker that forked it dies (``die_with_parent``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import importlib
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty
from typing import cast

import zmq
import zmq.asyncio
from jupyter_client import AsyncKernelManager, KernelManager
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import HasTraits, default

from luoshi_analysis.engine.preload import block_module

# The project kernel as the templates declare it (notebook metadata "kernelspec"); `make kernel`
# registers the same name for the user, `make install` inside .venv.
KERNEL_NAME = "luoshi-analysis"
KERNEL_DISPLAY_NAME = "Python (luoshi-analysis)"
# how soon a client retries connecting to a kernel that has not bound its sockets yet
RECONNECT_MS = 10

PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.oinspect",
    "IPython.core.debugger",
    "IPython.core.completerlib",
    "sqlite3",
    "tornado.platform.asyncio",
    "IPython.display",
    "pandas",
    "pandas.io.formats.html",  # DataFrame.to_html, in every notebook
    "matplotlib",
    "luoshi_analysis",
    "luoshi_analysis.reports.plots",
    "luoshi_analysis.reports.notebook",
)


def can_fork() -> bool:
    """Return True where kernels can be forked (POSIX)."""
    return hasattr(os, "fork")


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(expected_parent: int) -> None:
    """Ask Linux to kill this process when its parent dies; exit now if it already has.

    A runner killed with SIGKILL cannot clean up: its workers and their kernels end by
    themselves instead. Elsewhere (no prctl) this does nothing.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != expected_parent:  # the parent died before the request took effect
        os._exit(1)


def exit_description(returncode: int | None) -> str:
    """Describe how a process ended: "signal SIGKILL" or "exit code 3"."""
    if returncode is None:
        return "still running"
    if returncode < 0:
        try:
            return f"signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"signal {-returncode}"
    return f"exit code {returncode}"


def preload() -> None:
    """Import what every kernel needs, once, in the process kernels will be forked from.

    Kernels forked from this process run without debugpy (nothing attaches a debugger to a
    batch run). Also draws one small chart with Chinese text to PNG and SVG, so every forked kernel finds
    the fonts loaded and the backends imported instead of paying for them itself, and reads
    the kernel provisioners' entry points once for every worker.
    """
    import io

    from jupyter_client.provisioning import KernelProvisionerFactory

    # A batch kernel has no frontend to attach a debugger: ipykernel, imported while debugpy
    # cannot be (0.08 s to import), runs as where debugpy is not installed and opens no debug
    # socket. A notebook may still import debugpy itself: the block is lifted afterwards.
    blocked = block_module("debugpy")
    try:
        for name in PRELOAD:
            importlib.import_module(name)
    finally:
        if blocked:
            del sys.modules["debugpy"]
    KernelProvisionerFactory.instance()  # scans every installed package's entry points
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1))
    ax = fig.subplots()
    ax.barh(["收入 Revenue"], [1.0])
    ax.set_title("罗市镇 Luoshi −1,234.5%")
    for fmt in ("png", "svg"):
        fig.savefig(io.BytesIO(), format=fmt, dpi=72)


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


class ProjectKernelSpecs(HasTraits):
    """Mixin for kernel managers: the project kernel needs no registered kernel spec."""

    data_dir: str  # the kernel manager's (jupyter_client's) data folder

    @default("kernel_spec_manager")
    def _project_kernel_spec_manager(self) -> KernelSpecManager:
        return ProjectKernelSpecManager(data_dir=self.data_dir)


class ProjectKernelManager(ProjectKernelSpecs, KernelManager):
    """A kernel manager that starts the project kernel without a registered kernel spec."""


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
        """Wait for the kernel to exit (woken by the exit itself where Linux offers a pidfd)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        if self.poll() is None and hasattr(os, "pidfd_open"):
            with contextlib.suppress(OSError):
                pidfd = os.pidfd_open(self.pid)
                try:
                    select.select([pidfd], [], [], timeout)
                finally:
                    os.close(pidfd)
        pause = 0.001  # a killed kernel is gone within a few milliseconds: check soon, then less
        while (code := self.poll()) is None:
            if timeout is not None and deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        return code

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


class QuickReadyClient(AsyncKernelClient):
    """A kernel client that is ready as soon as the kernel has answered on shell and IOPub.

    jupyter_client's own wait ends with 0.2 s of silence on IOPub, on every kernel start. Its
    sockets also retry a connection every 10 ms instead of zmq's 100 ms: the client often
    connects before the forked kernel has bound its sockets.
    """

    @default("context")
    def _quick_retry_context(self) -> zmq.asyncio.Context:
        self._created_context = True  # the client closes it when its channels stop
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, RECONNECT_MS)
        return context

    async def _async_wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout if timeout is not None else float("inf"))
        while True:
            request = self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=0.5)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                # the idle status of this request on IOPub proves IOPub is connected too
                try:
                    while True:
                        msg = await self.iopub_channel.get_msg(timeout=0.3)
                        if (msg["parent_header"].get("msg_id") == request
                                and msg["msg_type"] == "status"
                                and msg["content"].get("execution_state") == "idle"):
                            self._handle_kernel_info_reply(reply)
                            return
                except Empty:
                    pass  # IOPub joined late and missed it: ask again
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
            await asyncio.sleep(0)

    # AsyncKernelClient binds wait_for_ready to the base class's function, not to a method
    # looked up on the instance: an override must be bound here too
    wait_for_ready = _async_wait_for_ready


class PreforkedKernelManager(ProjectKernelSpecs, AsyncKernelManager):
    """A kernel manager that adopts a kernel forked with its connection file already written."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("client_factory", QuickReadyClient)
        # the forked kernel has read its connection file: no Curve keys can be added later
        kwargs.setdefault("transport_encryption", "disabled")
        super().__init__(**kwargs)
        self._forked: ForkedProcess | None = None

    def adopt(self, pid: int) -> None:
        """Record the forked kernel this manager is to adopt when papermill starts it."""
        self._forked = ForkedProcess(pid)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: object) -> None:
        # the connection file was written before the fork (pre_launch left it as it was)
        if self.provisioner is None or self._forked is None:
            raise RuntimeError("adopt() a forked kernel before papermill starts it")
        provisioner = ForkedProvisioner(
            kernel_id=self.provisioner.kernel_id, kernel_spec=self.kernel_spec, parent=self
        )
        # the part of Popen jupyter_client uses (poll, wait, signals, pid)
        provisioner.process = cast("subprocess.Popen[bytes]", self._forked)
        provisioner.pid = self._forked.pid
        provisioner.pgid = os.getpgid(self._forked.pid)
        provisioner.cwd = kw.get("cwd")
        provisioner.connection_info = self.provisioner.connection_info
        self.provisioner = provisioner
        self._reconcile_connection_info(provisioner.connection_info)

    def returncode(self) -> int | None:
        """Return the kernel's exit status (negative: the signal), or None while it runs."""
        return self._forked.poll() if self._forked is not None else None

    def discard(self) -> None:
        """Kill the kernel without a shutdown round-trip and remove its sockets and files.

        The kernel is killed whether or not papermill got as far as adopting it.
        """
        if self._forked is not None:
            self._forked.kill()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._forked.wait(timeout=2)  # reap it: no zombie, its CPU counted
        KernelManager.cleanup_resources(self)  # the blocking form of the async method
        if self.transport == "ipc":
            shutil.rmtree(Path(self.ip).parent, ignore_errors=True)


def _run_kernel(connection_file: str, cwd: str, worker: int) -> None:
    """In the forked child: serve as an IPython kernel on the given connection file."""
    die_with_parent(worker)
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

    The connection file is written first, so the kernel binds its sockets while papermill
    is still preparing the notebook.

    Args:
        cwd: The kernel's working folder.
        close_fds: Descriptors of the caller the kernel must not hold (e.g. a result pipe).
    """
    # Unix sockets in a private folder: no TCP ports for parallel kernels to race for
    sockets = tempfile.mkdtemp(prefix="luoshi-k")
    manager = PreforkedKernelManager(kernel_name=KERNEL_NAME, transport="ipc", ip=f"{sockets}/k",
                                     connection_file=f"{sockets}/kernel.json")
    manager.write_connection_file()
    worker = os.getpid()
    pid = os.fork()
    if pid == 0:  # child: never returns into the caller's stack
        code = 0
        try:
            for fd in close_fds:
                os.close(fd)
            _run_kernel(manager.connection_file, cwd, worker)
        except BaseException:  # noqa: BLE001 - report and leave without running parent code
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    manager.adopt(pid)
    return manager
