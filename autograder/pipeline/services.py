"""Throw-away services on one machine: a PostgreSQL server and a Dask cluster, started as separate
processes (Unix socket and loopback only). `make cluster-demo` and the pipeline's tests use them.

Without the binaries, ``missing()`` raises ServiceMissing; the tests turn that into a skip, except
under CI=1, where they fail: CI installs them (.ci/run).
"""
from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = os.path.dirname(sys.executable)


class ServiceMissing(RuntimeError):
    """A service's binaries are not installed here."""


def missing(what: str):
    raise ServiceMissing(what)


def _pg_bin(name: str) -> str | None:
    for candidate in sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True):
        return candidate
    return shutil.which(name)


class Postgres:
    """A PostgreSQL server of its own: initdb in a temporary folder, listening on a Unix socket only.
    As root the server runs as the `postgres` user (initdb refuses root)."""

    def __init__(self):
        initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
        if not initdb or not pg_ctl:
            missing("PostgreSQL's server binaries (initdb, pg_ctl) are not installed: apt-get install postgresql")
        self.pg_ctl = pg_ctl
        self.folder = Path(tempfile.mkdtemp(prefix="ag-pg-"))
        os.chmod(self.folder, 0o755)
        self.data, self.socket = self.folder / "data", self.folder
        self.run_as = []
        if os.geteuid() == 0:
            import pwd

            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                missing("running as root and there is no `postgres` user to run the server")
            os.chown(self.folder, user.pw_uid, user.pw_gid)
            self.run_as = ["runuser", "-u", "postgres", "--"]
        self._run([initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"])
        self._run([pg_ctl, "-D", str(self.data), "-l", str(self.folder / "log"), "-w", "-t", "60",
                   "-o", f"-k {self.socket} -c listen_addresses='' -c fsync=off", "start"])
        self.count = 0

    def _run(self, cmd):
        out = subprocess.run(self.run_as + cmd, capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: {out.stdout[-1000:]} {out.stderr[-1000:]}")

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        import psycopg

        self.count += 1
        name = f"gradebook{self.count}"
        with psycopg.connect(f"host={self.socket} user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return f"postgresql://postgres@/{name}?host={self.socket}"

    def stop(self):
        try:
            self._run([self.pg_ctl, "-D", str(self.data), "-m", "immediate", "stop"])
        except Exception:
            pass
        shutil.rmtree(self.folder, ignore_errors=True)


class DaskCluster:
    """`dask scheduler` and N `dask worker` processes on the loopback interface."""

    def __init__(self, workers: int = 2, host: str = "127.0.0.1"):
        if not shutil.which("dask", path=BIN + os.pathsep + os.environ.get("PATH", "")):
            missing("Dask's `dask` command is not installed: pip install distributed")
        self.folder = Path(tempfile.mkdtemp(prefix="ag-dask-"))
        self.file = self.folder / "scheduler.json"
        self.env = dict(os.environ, PATH=BIN + os.pathsep + os.environ.get("PATH", ""),
                        DASK_DISTRIBUTED__WORKER__DAEMON="False")
        self.procs = [self._start(["dask", "scheduler", "--scheduler-file", str(self.file), "--host", host,
                                   "--port", "0", "--no-dashboard"], "scheduler")]
        deadline = time.monotonic() + 120
        while not self.file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        self.address = json.loads(self.file.read_text())["address"]
        self.workers = [self._start(["dask", "worker", "--scheduler-file", str(self.file), "--host", host,
                                     "--nthreads", "1", "--no-nanny", "--no-dashboard", "--name", f"w{i}"], f"w{i}")
                        for i in range(workers)]
        self.procs += self.workers
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=180)

    def _start(self, cmd, name):
        log = open(self.folder / f"{name}.log", "w")
        return subprocess.Popen(cmd, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self):
        """The workers, then the scheduler: SIGTERM first (a worker then closes and removes its temporary
        folders, which it cannot do once the scheduler is gone), then SIGKILL to what is left of each
        process group after 10 s."""
        for group in (self.workers, self.procs[:1]):
            _signal_all(group, signal.SIGTERM, wait=10)
        _signal_all(self.procs, signal.SIGKILL)
        shutil.rmtree(self.folder, ignore_errors=True)


def _signal_all(procs, sig, wait: float | None = None) -> None:
    """Send ``sig`` to the process group of each of ``procs``, then wait up to ``wait`` s for them all."""
    for p in procs:
        try:
            os.killpg(p.pid, sig)
        except OSError:
            pass
    deadline = None if wait is None else time.monotonic() + wait
    for p in procs:
        try:
            p.wait(None if deadline is None else max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass

