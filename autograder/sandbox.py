"""The sandbox a student's kernel runs in while it is graded.

On Linux the kernel starts inside bubblewrap (`bwrap`): a fresh mount namespace that shows the system
read-only (/usr, /etc, Python and the autograder/minigrad packages) and nothing of the course (no
source/, release/, gradebook, other students); one writable scratch folder; no network (its own empty
network namespace: the kernel talks to the grader over Unix sockets in a folder of their own); its own pid
namespace, so that every process the notebook starts dies with the kernel; an unprivileged user with no
capabilities. Inside, `prlimit` caps the address space (memory), file size and core dumps.

Where bubblewrap is missing or cannot create namespaces (macOS, some containers) the kernel runs
unsandboxed with the limits that remain, and `sandbox_status()` says so, so that every summary can say
it loudly.
"""
from __future__ import annotations

import functools
import glob
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager

import autograder

# Environment of the kernel: nothing of the instructor's, one thread per kernel (we run one kernel per
# core), plots without a display.
KERNEL_ENV = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MALLOC_ARENA_MAX": "2",
    "MPLBACKEND": "Agg",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYDEVD_DISABLE_FILE_VALIDATION": "1",
}
MAX_FILE_MB = 64  # largest file a notebook may write


def _package_dirs() -> list[str]:
    """Folders that must be visible for the kernel to import Python, ipykernel, torch and our packages."""
    dirs = {sys.prefix, sys.base_prefix, os.path.dirname(autograder.__file__)}
    try:
        import minigrad

        dirs.add(os.path.dirname(minigrad.__file__))
    except Exception:  # minigrad is not needed to grade, only to run the chapters
        pass
    for entry in sys.path:  # site-packages outside the prefixes (user installs)
        if entry.endswith("site-packages") and os.path.isdir(entry):
            dirs.add(entry)
    return sorted(dirs)


def bwrap_args(scratch: Path, sockets: Path | None = None) -> list[str]:
    """The bubblewrap command line that runs a program with only `scratch` (and `sockets`) writable."""
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
            "--unshare-user", "--uid", "1000", "--gid", "1000", "--cap-drop", "ALL",
            "--hostname", "sandbox", "--clearenv"]
    for d in ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc"]:
        args += ["--ro-bind-try", d, d]
    # The empty /tmp comes before the package folders: a course (and its .venv) under /tmp stays visible.
    args += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/dev/shm"]
    for d in _package_dirs():
        args += ["--ro-bind", d, d]
    for dev in sorted(glob.glob("/dev/nvidia*")):  # the GPU, when there is one
        args += ["--dev-bind", dev, dev]
    args += ["--bind", str(scratch), str(scratch), "--chdir", str(scratch / "work")]
    if sockets is not None:
        args += ["--bind", str(sockets), str(sockets)]
    env = dict(KERNEL_ENV, HOME=str(scratch / "work"), TMPDIR="/tmp", MPLCONFIGDIR="/tmp/mpl",
               IPYTHONDIR="/tmp/ipython", JUPYTER_RUNTIME_DIR=str(sockets or scratch / "rt"))
    for key in ("CUDA_VISIBLE_DEVICES",):
        if key in os.environ:
            env[key] = os.environ[key]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


def limits_args(memory_mb: int | None) -> list[str]:
    """prlimit's command line: address space, file size and core dump limits (Linux)."""
    if not shutil.which("prlimit"):
        return []
    args = ["prlimit", f"--fsize={MAX_FILE_MB << 20}", "--core=0"]
    if memory_mb:
        args.append(f"--as={memory_mb << 20}")
    return args + ["--"]


@functools.lru_cache(maxsize=None)
def sandbox_status() -> str | None:
    """None when the bubblewrap sandbox works here, else a sentence saying why it does not."""
    if sys.platform != "linux":
        return f"no sandbox on {sys.platform}: student code runs with your rights (limits: time only)"
    if not shutil.which("bwrap"):
        return "bubblewrap (bwrap) is not installed: student code runs with your rights (apt-get install bubblewrap)"
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "work").mkdir()
        try:
            proc = subprocess.run(bwrap_args(Path(tmp)) + [sys.executable, "-c", "print(1)"],
                                  capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"bubblewrap does not start ({err}): student code runs with your rights"
    if proc.returncode != 0 or proc.stdout.strip() != "1":
        return f"bubblewrap cannot create namespaces here ({proc.stderr.strip()[:200]}): student code runs with your rights"
    return None


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts inside the sandbox, with Unix-socket transport.

    Set `scratch` (a folder with `work/` and `rt/`) and `memory_mb` before starting the kernel.
    """

    scratch: Path
    sockets: Path
    memory_mb: int | None = None

    def format_kernel_cmd(self, extra_arguments=None):
        kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", self.connection_file,
                  "--HistoryManager.enabled=False"] + list(extra_arguments or [])
        cmd = limits_args(self.memory_mb) + kernel
        if sandbox_status() is None:
            cmd = bwrap_args(self.scratch, self.sockets) + cmd
        return cmd


def kernel_manager(scratch: Path, memory_mb: int | None) -> SandboxedKernelManager:
    """A kernel manager for one submission: its files under `scratch`, its sockets in a short folder.

    The kernel talks to the grader over Unix sockets, whose paths may not exceed about 100 bytes: a
    course deep in the file system would make them too long, so they live in a fresh folder of the
    system's temporary directory (`km.sockets`; the caller removes it when the kernel is done).
    """
    sockets = Path(tempfile.mkdtemp(prefix="ag-"))
    km = SandboxedKernelManager(kernel_name="python3", transport="ipc", ip=str(sockets / "k"),
                                connection_file=str(sockets / "kernel.json"))
    km.scratch, km.sockets, km.memory_mb = scratch, sockets, memory_mb
    return km
