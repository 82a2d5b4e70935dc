"""Kernels forked from a zygote: the imports paid once per grading worker, not once per notebook.

A plain kernel start costs a Python start plus ``import torch`` and IPython (about 2.3 s of CPU here)
before the notebook's first cell. A zygote is a process started once per grading worker and per
sandbox profile, inside the same bubblewrap sandbox as a kernel (sandbox.py: read-only system and
packages, the judge and pipeline folders hidden, no network, the profile's stand-ins), which imports
ipykernel, numpy, torch, minigrad and matplotlib (no torch op: no thread pool, no CUDA) and then forks
one kernel per notebook (zygote_server.py). Each forked kernel gets, as a kernel started afresh does:

* its own tmpfs of ``Limits.disk_mb`` at /dev/shm holding /tmp and the working folder (nothing of
  another student: kernels of a zygote run one after the other, each on a new tmpfs);
* its own pid namespace (every process it starts dies with it) and its own user and mount namespaces,
  with no capability left;
* its own cgroup (memory and processes), joined before it runs a line: the grader writes its pid;
* only its own socket folder, the assignment's data files copied into its working folder, fresh
  random seeds.

Where the zygote cannot work (no bubblewrap, no nested namespaces, a thread started by an import), the
grader starts every kernel afresh as before and ``zygote_status()`` says why.
"""
from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import sandbox
from .sandbox import KERNEL_ENV, PLAIN, WORK, Limits, Profile, bwrap_args, sandbox_status

# What the course's notebooks import (tests/pipeline/test_scale.py checks that none is missing), heaviest
# first paid here: torch._dynamo (and sympy with it) comes with the first torch.optim optimizer, about 3 s a
# notebook otherwise; sklearn (chapter 07's digits) 2 s. Then what ipykernel imports as it starts (its
# debugger pulls in debugpy: 0.2 s a kernel otherwise). "pkg.*": every module of pkg.
PRELOAD = ("numpy", "torch", "torch.nn", "torch.optim", "torch._dynamo", "torch.func", "torch.autograd.forward_ad",
           "torch.autograd.functional", "torch.autograd.gradcheck", "torch.testing", "sympy", "minigrad",
           "minigrad.nn", "minigrad.viz", "minigrad.autograd.forward_ad", "graphviz", "matplotlib",
           "matplotlib.pyplot", "ipywidgets", "sklearn.datasets", "IPython.display",
           "autograder.checks", "autograder.kernel.harness", "autograder.kernel.probe", "autograder.chapters.*",
           "autograder.exercises.*",
           "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "IPython.core.completerlib",
           "IPython.core.debugger", "IPython.core.oinspect", "IPython.extensions.storemagic",
           "IPython.utils.wildcard", "tornado.platform.asyncio", "faulthandler")
SERVER = Path(__file__).with_name("zygote_server.py")
START_TIMEOUT = 180
UID = GID = 1000

_enabled = True
_zygotes: dict = {}
_failures: dict = {}
_status: str | None = None
_getting = threading.Lock()


class ZygoteError(RuntimeError):
    pass


def enable(on: bool) -> None:
    """Use zygotes in this process (grade --no-zygote turns them off)."""
    global _enabled
    _enabled = on


def zygote_status() -> str | None:
    """None while kernels are forked from a zygote, else why they are started afresh."""
    if not _enabled:
        return "kernels started afresh (--no-zygote)"
    if sandbox_status() is not None:
        return "kernels started afresh (no sandbox: the zygote needs bubblewrap)"
    return _status


def _preload(profile: Profile) -> list[str]:
    """What the zygote of ``profile`` imports: nothing that the profile replaces by a stand-in package.
    A package with some files replaced (minigrad with its engine stubbed) is imported: the zygote runs in
    the profile's sandbox, so it imports the stubs, exactly what the kernel would."""
    import importlib.util

    replaced = [str(k) for k in profile.replace]
    names = []
    for name in PRELOAD:
        top = name.split(".")[0]
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            continue
        if spec is None:
            continue
        where = [str(p) for p in (spec.submodule_search_locations or [])] or [str(spec.origin)]
        if any(r == w or w.startswith(r.rstrip("/") + "/") for r in replaced for w in where):
            continue
        names.append(name)
    return names


class Zygote:
    """One zygote process (one sandbox profile), and the kernels it forks."""

    def __init__(self, profile: Profile = PLAIN):
        self.profile = profile
        self.lock = threading.Lock()
        # not under /tmp: in the sandbox /tmp is on the tmpfs that each kernel replaces by its own
        base = next((d for d in ("/var/tmp", "/run") if os.path.isdir(d) and os.access(d, os.W_OK)), None)
        self.run = Path(tempfile.mkdtemp(prefix="ag-z-", dir=base))
        args = bwrap_args(self.run, Limits(disk_mb=64), profile)
        cmd = args + [sys.executable, "-c", SERVER.read_text(), json.dumps(_preload(profile))]
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
                                     start_new_session=True)
        try:
            hello = self._read(START_TIMEOUT)
        except ZygoteError:
            self.close()
            raise
        if not hello.get("ready"):
            self.close()
            raise ZygoteError(f"the zygote has {hello.get('threads')} threads after its imports (cannot fork)")
        self.loaded, self.failed = hello.get("loaded", []), hello.get("failed", {})
        self.nspid = None

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline() if ready else b""
        if not line:
            self.log.seek(0)
            err = self.log.read().decode(errors="replace").strip().splitlines()
            raise ZygoteError("the zygote " + ("did not answer" if not ready else "ended") +
                              (f": {err[-1][:300]}" if err else ""))
        return json.loads(line)

    def _ask(self, request: dict, timeout: float = 30) -> dict:
        try:
            self.proc.stdin.write((json.dumps(request) + "\n").encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as err:
            raise ZygoteError(f"the zygote is gone ({err})") from None
        return self._read(timeout)

    def kernel_dir(self) -> Path:
        """A socket folder for one kernel (inside the folder this zygote's sandbox shows)."""
        return Path(tempfile.mkdtemp(prefix="k", dir=self.run))

    def launch(self, sockets: Path, connection_file: str, limits: Limits, data_files=(), cgroup=None) -> "ForkedKernel":
        """Fork a kernel for ``connection_file``; returns a Popen-like handle on it."""
        if data_files:
            data = sockets / "data"
            data.mkdir(exist_ok=True)
            for f in data_files:
                shutil.copyfile(f, data / Path(f).name)
        env = dict(KERNEL_ENV, HOME=WORK, TMPDIR="/tmp", MPLCONFIGDIR="/tmp/mpl", IPYTHONDIR="/tmp/ipython",
                   JUPYTER_RUNTIME_DIR=str(sockets))
        for key in ("CUDA_VISIBLE_DEVICES",):
            if key in os.environ:
                env[key] = os.environ[key]
        rlimits = {"RLIMIT_FSIZE": limits.disk_mb << 20, "RLIMIT_CORE": 0}
        if cgroup is None and limits.memory_mb:
            rlimits["RLIMIT_AS"] = max(256, limits.memory_mb - limits.disk_mb) << 20
        spec = {"op": "fork", "sockets": str(sockets), "connection_file": connection_file, "env": env,
                "disk_bytes": limits.disk_mb << 20, "packages": sandbox._package_dirs(), "rlimits": rlimits,
                "uid": UID, "gid": GID}
        with self.lock:  # one request at a time on the pipe (a do-it-yourself run forks from a thread)
            zpid = self._ask(spec)["pid"]
            host = self._host_pid(zpid)
            try:
                if cgroup is not None:
                    for procs in cgroup.procs_files():
                        with open(procs, "w") as f:
                            f.write(str(host))
            finally:
                self._ask({"op": "go", "pid": zpid})
        return ForkedKernel(host, sockets)

    def _host_pid(self, zpid: int) -> int:
        """The pid, as this process sees it, of the zygote's child ``zpid``."""
        todo = [self.proc.pid]
        seen = 0
        while todo and seen < 64:
            pid = todo.pop()
            seen += 1
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            nspid = next((ln.split()[1:] for ln in status.splitlines() if ln.startswith("NSpid:")), [])
            if pid != self.proc.pid and nspid and nspid[-1] == str(zpid) and len(nspid) >= 2:
                return pid
            for task in Path(f"/proc/{pid}/task").glob("*"):
                try:
                    todo += [int(c) for c in (task / "children").read_text().split()]
                except OSError:
                    pass
        raise ZygoteError(f"cannot find the zygote's kernel {zpid}")

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                try:
                    self.proc.stdin.write(b'{"op": "exit"}\n')
                    self.proc.stdin.flush()
                except OSError:
                    pass
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except OSError:
                    pass
                self.proc.kill()
                self.proc.wait(timeout=10)
        except Exception:
            pass
        shutil.rmtree(self.run, ignore_errors=True)


class ForkedKernel:
    """What jupyter_client's LocalProvisioner expects of a Popen, for a kernel forked by a zygote."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, sockets: Path):
        self.pid, self.sockets = pid, sockets
        self.returncode = None
        self._start = self._starttime()

    def _starttime(self):
        try:
            return Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
        except (OSError, IndexError):
            return None

    def poll(self):
        if self.returncode is not None:
            return self.returncode
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            if fields[0] not in ("Z", "X") and fields[19] == self._start:
                return None
        except (OSError, IndexError):
            pass
        self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum):
        if self.poll() is None:
            try:
                os.kill(self.pid, signum)
            except ProcessLookupError:
                pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def error(self) -> str | None:
        try:
            return (self.sockets / "zygote-error.txt").read_text()[:300]
        except OSError:
            return None


def get(profile: Profile = PLAIN) -> Zygote | None:
    """This process's zygote for ``profile`` (started on first use), or None: start kernels afresh."""
    if not _enabled or sandbox_status() is not None:
        return None
    with _getting:  # two threads asking at once get one zygote
        return _get(profile)


def _get(profile: Profile) -> Zygote | None:
    global _status
    key = (profile.name, tuple(sorted((str(k), str(v)) for k, v in profile.replace.items())))
    z = _zygotes.get(key)
    if z is not None and z.alive():
        return z
    if z is not None:
        z.close()
        del _zygotes[key]
    if _failures.get(key, 0) >= 2:
        return None
    try:
        z = Zygote(profile)
    except (ZygoteError, OSError) as err:
        _failures[key] = _failures.get(key, 0) + 1
        _status = f"kernels started afresh (the zygote could not start: {err})"
        return None
    _zygotes[key] = z
    return z


def close_all() -> None:
    for z in list(_zygotes.values()):
        z.close()
    _zygotes.clear()


def reset_after_fork() -> None:
    """In a process forked from one that had zygotes: they are not its own (it must not talk to them),
    and a lock another thread held at the fork would never be released."""
    global _getting
    _zygotes.clear()
    _getting = threading.Lock()
