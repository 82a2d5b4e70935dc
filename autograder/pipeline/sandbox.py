"""The sandbox a student's kernel runs in while it is graded.

On Linux the kernel starts inside bubblewrap (``bwrap``), which shows it:

* the system and the Python environment read-only (``/usr``, ``/etc``, the virtual environment, minigrad
  and the parts of autograder that run in a kernel: never ``autograder/judge`` or ``autograder/pipeline``,
  never the course: no source/, release/, gradebook, other students);
* one writable place, a tmpfs of ``Limits.disk_mb`` mounted at ``/dev/shm`` that also holds ``/tmp``
  and the working folder, so that everything a notebook writes counts against one size limit (and,
  being RAM, against the memory limit too); ``/`` and ``/dev`` are read-only;
* no network (an empty network namespace: the kernel talks to the grader over Unix sockets in a
  folder of their own, made read-only once the kernel has created them), its own pid namespace (every
  process it starts dies with it) and no capabilities.

Memory and processes: where the grader may create cgroups (as root, or with a delegated cgroup v2
subtree), the kernel runs in a cgroup of its own with ``memory_mb`` (RAM-backed files included) and
``processes`` as hard limits. Elsewhere, the address space is limited to ``memory_mb - disk_mb`` (so
that the tmpfs fits in the same budget) and the process count is not enforced; ``sandbox_status()``
and ``limits_status()`` say what holds, so that every summary can say it.

A ``Profile`` changes what the kernel can import: the do-it-yourself run of some exercises replaces
torch (and sympy) with a stand-in that refuses every use, and minigrad's backward engine with a stub
(see autograder/judge/selfmade.py). The real files are simply not in that sandbox.
"""
from __future__ import annotations

import atexit
import functools
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import DottedObjectName, Type

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
WRITABLE = "/dev/shm"            # the one tmpfs a sandboxed kernel may write to
WORK = f"{WRITABLE}/work"        # its working folder (data files of the assignment are put here)
TRUSTED_ONLY = ("judge", "pipeline", "student")  # autograder's folders a kernel never sees


@dataclass(frozen=True)
class Limits:
    """What one graded notebook may use. Every field is a command-line option of `grade`."""

    cell_timeout: float = 120.0     # seconds per cell
    notebook_timeout: float = 900.0  # seconds per notebook
    memory_mb: int = 4096           # RAM, files in /tmp and /dev/shm included
    disk_mb: int = 512              # everything the notebook writes (working folder, /tmp, /dev/shm)
    processes: int = 64             # processes and threads


@dataclass(frozen=True)
class Profile:
    """What a sandbox shows in place of some files: {host path of a file or folder: stand-in path}."""

    name: str = "plain"
    replace: dict = field(default_factory=dict)


PLAIN = Profile()


# ---------------------------------------------------------------------------------------- what is shown
def _package_dirs() -> list[str]:
    """Folders the kernel needs to import Python, ipykernel, torch and our packages."""
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


def _hidden_dirs() -> list[str]:
    """autograder's trusted folders: covered by an empty tmpfs in every sandbox."""
    root = os.path.dirname(autograder.__file__)
    return [os.path.join(root, name) for name in TRUSTED_ONLY if os.path.isdir(os.path.join(root, name))]


def bwrap_args(sockets: Path | None, limits: Limits = Limits(), profile: Profile = PLAIN,
               data_files: list[Path] = ()) -> list[str]:
    """The bubblewrap command line (see the module docstring)."""
    args = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session", "--unshare-user", "--uid", "1000",
            "--gid", "1000", "--cap-drop", "ALL", "--hostname", "sandbox", "--clearenv"]
    for d in ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64"]:
        args += ["--ro-bind-try", d, d]
    for f in ["/etc/passwd", "/etc/group", "/etc/hosts", "/etc/nsswitch.conf", "/etc/ld.so.cache",
              "/etc/localtime", "/etc/fonts", "/etc/ssl", "/etc/mime.types", "/etc/matplotlibrc"]:
        args += ["--ro-bind-try", f, f]  # what programs read from /etc, and nothing else of it
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(limits.disk_mb << 20), "--tmpfs", WRITABLE, "--dir", f"{WRITABLE}/tmp",
             # relative: bwrap resolves the link inside the sandbox
             "--dir", WORK, "--symlink", f"{WRITABLE.lstrip('/')}/tmp", "/tmp"]
    for d in _package_dirs():  # after /tmp: a course (and its .venv) under /tmp stays visible
        args += ["--ro-bind", d, d]
    for d in _hidden_dirs():
        args += ["--tmpfs", d]
    for target, stand_in in profile.replace.items():
        args += ["--ro-bind", str(stand_in), str(target)]
    for dev in sorted(glob.glob("/dev/nvidia*")):  # the GPU, when there is one
        args += ["--dev-bind", dev, dev]
    for f in data_files:
        args += ["--ro-bind", str(f), f"{WORK}/{f.name}"]
    if sockets is not None:
        args += ["--bind", str(sockets), str(sockets)]
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", WORK]
    env = dict(KERNEL_ENV, HOME=WORK, TMPDIR="/tmp", MPLCONFIGDIR="/tmp/mpl", IPYTHONDIR="/tmp/ipython")
    if sockets is not None:
        env["JUPYTER_RUNTIME_DIR"] = str(sockets)
    for key in ("CUDA_VISIBLE_DEVICES",):
        if key in os.environ:
            env[key] = os.environ[key]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


def rlimit_args(limits: Limits, cgroup: bool) -> list[str]:
    """prlimit's command line: file size and core dumps; the address space too without a cgroup."""
    if not shutil.which("prlimit"):
        return []
    args = ["prlimit", f"--fsize={limits.disk_mb << 20}", "--core=0"]
    if not cgroup and limits.memory_mb:
        args.append(f"--as={max(256, limits.memory_mb - limits.disk_mb) << 20}")
    return args + ["--"]


# ---------------------------------------------------------------------------------------- cgroups
class Cgroup:
    """A cgroup of its own for one kernel: memory (tmpfs pages included) and process limits.

    cgroup v1 (``memory`` and ``pids`` hierarchies) or v2 (a subtree we may write, with the memory and
    pids controllers); ``Cgroup.support()`` says which, or None where neither can be used.
    """

    def __init__(self, limits: Limits):
        kind, bases = self.support()
        self.kind, self.dirs = kind, []
        name = f"autograder-{uuid.uuid4().hex[:12]}"
        for base in bases:
            path = Path(base) / name
            path.mkdir()
            self.dirs.append(path)
        if kind == "v1":
            memory, pids = self.dirs
            (memory / "memory.limit_in_bytes").write_text(str(limits.memory_mb << 20))
            try:
                (memory / "memory.memsw.limit_in_bytes").write_text(str(limits.memory_mb << 20))
            except OSError:
                pass  # no swap accounting: there is no swap to escape to either
            (pids / "pids.max").write_text(str(limits.processes))
        else:
            group = self.dirs[0]
            (group / "memory.max").write_text(str(limits.memory_mb << 20))
            (group / "memory.swap.max").write_text("0") if (group / "memory.swap.max").exists() else None
            (group / "pids.max").write_text(str(limits.processes))

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def support() -> tuple[str | None, tuple[str, ...]]:
        """('v1', (memory dir, pids dir)), ('v2', (subtree dir,)), or (None, ()) with no usable cgroups."""
        root = Path("/sys/fs/cgroup")
        v1 = (root / "memory", root / "pids")
        if all((d / "cgroup.procs").exists() for d in v1) and all(_writable(d) for d in v1):
            bases = tuple(str(d / "autograder") for d in v1)
            for b in bases:
                Path(b).mkdir(exist_ok=True)
            return "v1", bases
        if (root / "cgroup.controllers").exists():
            own = root / _own_v2_path().lstrip("/")
            parent = own.parent if own != root else root
            for base in (root, parent):
                controllers = (
                    (base / "cgroup.subtree_control").read_text().split()
                    if (base / "cgroup.subtree_control").exists()
                    else []
                )
                if {"memory", "pids"} <= set(controllers) and _writable(base):
                    return "v2", (str(base),)
        return None, ()

    def procs_files(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs]

    def wrap(self, command: list[str]) -> list[str]:
        """``command``, started inside this cgroup (the shell joins it, then execs the command)."""
        script = 'for p in "$@"; do [ "$p" = -- ] && break; echo $$ > "$p" || exit 97; shift; done; shift; exec "$@"'
        return ["/bin/sh", "-c", script, "sh", *self.procs_files(), "--", *command]

    def hit_memory_limit(self) -> bool:
        try:
            events = (self.dirs[0] / ("memory.oom_control" if self.kind == "v1" else "memory.events")).read_text()
            return any(line.startswith("oom_kill ") and line.split()[1] != "0" for line in events.splitlines())
        except OSError:
            return False

    _exiting: list = []  # closed cgroups whose killed processes had not finished exiting

    def close(self) -> None:
        """Kill what is left in the cgroup and remove it: at once if its processes are gone, else once
        they are (a kernel takes 20-70 ms to exit: the next close, or the end of this process, removes it)
        so that grading never waits for a kernel's exit."""
        for d in self.dirs:
            try:
                for pid in (d / "cgroup.procs").read_text().split():
                    try:
                        os.kill(int(pid), 9)
                    except ProcessLookupError:
                        pass
            except OSError:
                pass
        Cgroup._exiting.append(self)
        Cgroup.remove_closed()

    @staticmethod
    def remove_closed(wait: float = 0.0) -> None:
        """Remove the closed cgroups whose processes have exited, waiting up to ``wait`` s for them."""
        deadline = time.monotonic() + wait
        while Cgroup._exiting:
            for group in list(Cgroup._exiting):
                for d in list(group.dirs):
                    try:
                        d.rmdir()
                        group.dirs.remove(d)
                    except FileNotFoundError:
                        group.dirs.remove(d)
                    except OSError:
                        pass  # still exiting
                if not group.dirs:
                    Cgroup._exiting.remove(group)
            if not Cgroup._exiting or time.monotonic() >= deadline:
                return
            time.sleep(0.02)


atexit.register(Cgroup.remove_closed, wait=5.0)


def reset_after_fork() -> None:
    """In a worker forked from the grader: the closed cgroups left to remove are the parent's; its own
    are removed when it exits (a pool's workers end without running atexit hooks)."""
    from multiprocessing import util

    Cgroup._exiting = []
    util.Finalize(None, Cgroup.remove_closed, kwargs={"wait": 5.0}, exitpriority=0)


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


def _own_v2_path() -> str:
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        if line.startswith("0::"):
            return line[3:]
    return "/"


# ---------------------------------------------------------------------------------------- status
@functools.lru_cache(maxsize=None)
def sandbox_status() -> str | None:
    """None when the bubblewrap sandbox works here, else a sentence saying why it does not."""
    if sys.platform != "linux":
        return f"no sandbox on {sys.platform}: student code runs with your rights (limits: time only)"
    if not shutil.which("bwrap"):
        return "bubblewrap (bwrap) is not installed: student code runs with your rights (apt-get install bubblewrap)"
    try:
        proc = subprocess.run(
            bwrap_args(None) + [sys.executable, "-c", "print(1)"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"bubblewrap does not start ({err}): student code runs with your rights"
    if proc.returncode != 0 or proc.stdout.strip() != "1":
        return (f"bubblewrap cannot create namespaces here ({proc.stderr.strip()[:200]}): "
                "student code runs with your rights")
    return None


def limits_status() -> str | None:
    """None when memory and process limits are enforced by a cgroup, else what holds instead."""
    if Cgroup.support()[0] is not None:
        return None
    return (
        "no writable cgroup here: memory is limited as address space (tmpfs counted in), the process "
        "count is not limited"
    )


# ---------------------------------------------------------------------------------------- kernels
class PromptKernelClient(AsyncKernelClient):
    """jupyter_client's client, ready as soon as the kernel has answered ``kernel_info`` on the shell
    channel and reported idle for it on iopub (so iopub is connected). jupyter_client then still drains
    iopub until 0.2 s pass in silence (0.2 s more for every kernel, two a notebook for some), and waits
    0.2 s more when iopub joined late; here a late iopub costs one more ``kernel_info``, 0.05 s later."""

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        asked = set()
        while True:
            asked.add(self.kernel_info())
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                reply = None
            if reply is not None and reply["parent_header"].get("msg_id") in asked:
                if await self._idle_for(asked, wait=0.05):
                    self._handle_kernel_info_reply(reply)
                    return
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")

    async def _idle_for(self, asked: set, wait: float) -> bool:
        """Whether iopub brings the kernel's idle status for one of the ``asked`` requests in ``wait`` s."""
        end = time.monotonic() + wait
        while (left := end - time.monotonic()) > 0:
            try:
                msg = await self.iopub_channel.get_msg(timeout=left)
            except Empty:
                return False
            if (msg["msg_type"] == "status" and msg["content"].get("execution_state") == "idle"
                    and msg["parent_header"].get("msg_id") in asked):
                return True
        return False


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel starts inside the sandbox, in its cgroup, over Unix sockets."""

    client_class = DottedObjectName("autograder.pipeline.sandbox.PromptKernelClient")
    client_factory = Type(PromptKernelClient, klass=AsyncKernelClient)

    sockets: Path
    limits: Limits = Limits()
    profile: Profile = PLAIN
    data_files: list = []
    cgroup: Cgroup | None = None
    cwd: str = ""

    def format_kernel_cmd(self, extra_arguments=None):
        kernel = [
            sys.executable,
            "-m",
            "ipykernel_launcher",
            "-f",
            self.connection_file,
            "--HistoryManager.enabled=False",
        ] + list(extra_arguments or [])
        cmd = rlimit_args(self.limits, self.cgroup is not None) + kernel
        if sandbox_status() is None:
            cmd = bwrap_args(self.sockets, self.limits, self.profile, self.data_files) + cmd
        return self.cgroup.wrap(cmd) if self.cgroup is not None else cmd

    zygote = None  # a zygote.Zygote: the kernel is forked from it instead of started afresh
    forked = None

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        if self.zygote is None:
            return await super()._async_launch_kernel(kernel_cmd, **kw)
        process = self.zygote.launch(self.sockets, self.connection_file, self.limits, self.data_files, self.cgroup)
        self.forked = process
        self.provisioner.process, self.provisioner.pid, self.provisioner.pgid = process, process.pid, None
        self._reconcile_connection_info(self.provisioner.connection_info)

    def seal(self) -> None:
        """Once the kernel has made its sockets: nothing more may be written to that shared folder."""
        os.chmod(self.sockets, 0o500)

    def release(self) -> None:
        """Remove the cgroup, the sockets folder and any scratch folder (after the kernel has stopped)."""
        if self.cgroup is not None:
            self.cgroup.close()
        if self.cwd != str(self.sockets):
            shutil.rmtree(self.cwd, ignore_errors=True)
        try:
            os.chmod(self.sockets, 0o700)
        except OSError:
            pass
        shutil.rmtree(self.sockets, ignore_errors=True)


def kernel_manager(limits: Limits, profile: Profile = PLAIN, data_files=()) -> SandboxedKernelManager:
    """A kernel manager for one notebook run. Its sockets live in a short fresh folder (Unix socket
    paths may not exceed about 100 bytes); call ``release()`` when the kernel is done."""
    from . import zygote as zygotes

    zygote = zygotes.get(profile)
    # 0700: the sandbox's user is ours, mapped; a zygote's kernels have theirs in the folder it shows
    sockets = zygote.kernel_dir() if zygote is not None else Path(tempfile.mkdtemp(prefix="ag-"))
    km = SandboxedKernelManager(
        kernel_name="python3", transport="ipc", ip=str(sockets / "k"), connection_file=str(sockets / "kernel.json")
    )
    km.sockets, km.limits, km.profile, km.data_files = sockets, limits, profile, list(data_files)
    km.cgroup = Cgroup(limits) if Cgroup.support()[0] is not None and sandbox_status() is None else None
    km.zygote = zygote
    km.cwd = str(sockets)  # where the kernel process starts; in the sandbox it then moves to WORK
    if sandbox_status() is not None:  # no sandbox: a scratch folder of its own, with the data files
        km.cwd = tempfile.mkdtemp(prefix="ag-work-")
        for f in data_files:
            shutil.copy(f, km.cwd)
    return km
