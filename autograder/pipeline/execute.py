"""Execute a notebook cell by cell in a sandboxed kernel, within time, memory and output limits.

Unlike `nbclient.execute`, this never gives up on the whole notebook: a cell that errors, times out,
floods its output or kills the kernel is recorded (what happened, in which cell), the kernel is stopped,
and the cells after it are marked as not run, so that the grader keeps the points earned before.

``replace`` maps cell indices to code that runs in place of the cell's own source; its outputs are
returned separately (``Execution.replies``) and the cell itself is left as it was. The judge uses this
to run its harness where the test cells are.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from ..kernel import REPLY_MIME
from .sandbox import PLAIN, Limits, Profile, kernel_manager

GRADER_CELL_TIMEOUT = 300    # the grader's own cells (its probe): not the student's time
MAX_OUTPUT_BYTES = 2_000_000  # per notebook, the student's own output; a flood beyond this stops the kernel
INVALID_OUTPUT = "[an output that a notebook cannot hold was left out here]\n"


@dataclass
class Execution:
    """What happened: ``status[i]`` for every code cell i ("ok", "error", "not run", or the event)."""

    status: dict[int, str] = field(default_factory=dict)
    replies: dict[int, list] = field(default_factory=dict)  # outputs of the code that replaced cell i
    event: str | None = None
    event_cell: int | None = None
    detail: str = ""
    seconds: float = 0.0


class _LimitedClient(NotebookClient):
    """nbclient, plus: the execute_reply status of every cell, and a cap on the total output size."""

    def __init__(self, *args, max_output_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_output_bytes = max_output_bytes
        self.output_bytes = 0
        self.flooded = False
        self.replies: dict[int, str] = {}
        self.on_cell_executed = self._record_reply

    def _record_reply(self, cell, cell_index, execute_reply):
        self.replies[cell_index] = execute_reply["content"].get("status", "error")

    def output(self, outs, msg, display_id, cell_index):
        content = msg.get("content", {})
        data = content.get("data")
        if not (isinstance(data, dict) and REPLY_MIME in data):  # the judge's reply has its own size limit
            self.output_bytes += len(str(content))
        if self.output_bytes > self.max_output_bytes:
            if not self.flooded:  # stop the kernel: the cell then ends as a dead kernel
                self.flooded = True
                asyncio.ensure_future(self.km.shutdown_kernel(now=True))
            return None
        try:
            return super().output(outs, msg, display_id, cell_index)
        except nbformat.ValidationError:  # e.g. display data {'text/plain': 5}: no notebook can hold it
            outs.append(nbformat.v4.new_output("stream", name="stdout", text=INVALID_OUTPUT))
            return None


def run_notebook(
    nb,
    *,
    limits: Limits = Limits(),
    profile: Profile = PLAIN,
    data_files=(),
    replace=None,
    max_output_bytes: int = MAX_OUTPUT_BYTES,
    km=None,
) -> Execution:
    """Run every code cell of ``nb`` (in place) in a sandboxed kernel; see the module docstring.
    ``km``: a kernel from ``start_kernel`` (with the same limits, profile and data files) to run it in."""
    replace = replace or {}
    result = Execution()
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    result.status = {i: "not run" for i in code_cells}
    start = time.monotonic()
    km = km or kernel_manager(limits, profile, data_files)
    client = _LimitedClient(
        nb,
        km=km,
        allow_errors=True,
        timeout=limits.cell_timeout,
        startup_timeout=120,
        shutdown_kernel="immediate",
        max_output_bytes=max_output_bytes,
        resources={"metadata": {"path": km.cwd}},
    )
    try:
        with client.setup_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
            for channel in (client.kc.shell_channel, client.kc.iopub_channel):
                channel.get_msg = _polled(channel.get_msg)
            km.seal()
            for i in code_cells:
                left = limits.notebook_timeout - (time.monotonic() - start)
                if left <= 0:
                    result.event, result.event_cell = "notebook timeout", i
                    break
                cell = nb.cells[i]
                allowed = GRADER_CELL_TIMEOUT if cell.metadata.get("autograder_probe") else limits.cell_timeout
                client.timeout = int(max(1, min(allowed, left)))
                if i in replace:
                    cell = nbformat.v4.new_code_cell(replace[i])
                    nb.cells[i], original = cell, nb.cells[i]
                try:
                    client.execute_cell(cell, i)
                except CellTimeoutError:
                    result.event = (
                        "timeout" if client.timeout >= min(allowed, limits.cell_timeout) else "notebook timeout"
                    )
                    result.event_cell, result.status[i] = i, result.event
                    break
                except DeadKernelError:
                    memory = km.cgroup is not None and km.cgroup.hit_memory_limit()
                    result.event = "output limit" if client.flooded else "memory limit" if memory else "kernel died"
                    result.event_cell, result.status[i] = i, result.event
                    break
                except Exception as err:  # noqa: BLE001 -- what the cell sent broke nbclient: the cell's
                    # doing, never "the kernel did not start" (which stops a batch when most submissions say it)
                    result.event, result.event_cell, result.status[i] = "invalid messages", i, "invalid messages"
                    why = (str(err).splitlines() or [""])[0][:200]
                    result.detail = (f"the cell sent messages that broke its run and was stopped "
                                     f"({type(err).__name__}: {why})")
                    break
                finally:
                    if i in replace:
                        nb.cells[i] = original
                        result.replies[i] = list(cell.outputs)
                if client.flooded:
                    result.event, result.event_cell, result.status[i] = "output limit", i, "output limit"
                    break
                result.status[i] = "ok" if client.replies.get(i) == "ok" else "error"
    except Exception as err:  # the kernel did not start, or died while starting
        if result.event is None:
            result.event, result.detail = "kernel did not start", f"{type(err).__name__}: {err}"
            why = km.forked.error() if km.forked is not None else None
            if why:  # what stopped a kernel forked from the zygote
                result.detail += f" ({why})"
    finally:
        _close(km, client.kc)
        if result.event:
            result.detail = result.detail or _describe(result, limits, max_output_bytes)
        result.seconds = time.monotonic() - start
    return result


def _close(km, kc=None) -> None:
    """Stop the kernel and everything the run opened: its sockets and zmq contexts (nbclient leaves
    those to their owner: a worker grading hundreds of notebooks would run out of file descriptors)."""
    from jupyter_core.utils import run_sync

    if kc is not None:
        kc.stop_channels()
    if km.forked is not None:
        km.forked.kill()
    _kill_process_group(getattr(km.provisioner, "pgid", None))
    km.release()
    try:
        run_sync(km.cleanup_resources)()
    except Exception:  # noqa: BLE001 -- already cleaned up
        pass


def start_kernel(limits: Limits = Limits(), profile: Profile = PLAIN, data_files=()):
    """A sandboxed kernel that starts now, for a ``run_notebook(..., km=...)`` to come: it gets ready
    while the grader does other work. None if it cannot start (run_notebook then starts one itself and
    reports why). A kernel that is not used after all goes to ``discard``."""
    from jupyter_core.utils import run_sync

    km = kernel_manager(limits, profile, data_files)
    try:
        run_sync(km.start_kernel)(cwd=km.cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except Exception:  # noqa: BLE001 -- run_notebook's own start says what went wrong
        discard(km)
        return None
    return km


def discard(km) -> None:
    """Stop a kernel from ``start_kernel`` that no notebook ran in, and remove its folders."""
    _close(km)


def reset_after_fork() -> None:
    """Give a process forked from one that ran kernels an event loop of its own. The inherited loop
    (jupyter_core keeps one per thread for nbclient's blocking calls) shares its epoll instance with the
    parent's: the parent's sockets then wake the child's loop forever, a busy loop in which a kernel
    never gets ready."""
    import asyncio

    from jupyter_core import utils

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    utils._loop.set(loop)


def close_thread_loop() -> None:
    """Close the event loop that nbclient's blocking calls made for this thread: jupyter_core makes one
    per thread and nobody closes it, so every grading thread that ends would leave its descriptors open."""
    import asyncio

    from jupyter_core import utils

    loop = utils._loop.get()
    if loop is not None and not loop.is_closed():
        loop.close()
    utils._loop.set(None)
    asyncio.set_event_loop(None)


def _polled(get_msg, step: float = 0.5):
    """A channel's ``get_msg`` that polls its socket at least every ``step`` seconds.

    A zmq socket's readiness can go unnoticed by asyncio while another socket of the same client is
    read (nbclient reads iopub and shell at once): a reply then waits for the whole cell timeout
    (nbclient issue #312, seen here after cells that open ipywidgets comms: 120 s for a 0.1 s cell)."""
    from queue import Empty

    async def get(timeout=None):
        end = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = step if end is None else max(0.0, min(step, end - time.monotonic()))
            try:
                return await get_msg(timeout=wait)
            except Empty:
                if end is not None and time.monotonic() >= end:
                    raise

    return get


def _kill_process_group(group: int | None) -> None:
    """Kill whatever the notebook started and left running (its kernel's process group).

    In the sandbox its pid namespace (and cgroup) already end every process with the kernel; this is
    the fallback where there is no sandbox.
    """
    if group and group != os.getpgrp():
        try:
            os.killpg(group, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def _describe(result: Execution, limits: Limits, max_output_bytes: int) -> str:
    """One sentence for the student's feedback."""
    return {
        "timeout": f"the cell ran longer than the {limits.cell_timeout:g} s limit and was stopped",
        "notebook timeout": "the notebook ran longer than its time limit and was stopped",
        "memory limit": f"the notebook used more than its {limits.memory_mb} MB of memory and was stopped",
        "kernel died": "the Python kernel died (a crash, os._exit, or more memory than the "
        f"{limits.memory_mb} MB limit)",
        "output limit": f"the notebook printed more than {max_output_bytes // 1000} kB and was stopped",
    }.get(result.event, result.event)
