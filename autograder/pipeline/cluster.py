"""`grade --scheduler tcp://HOST:PORT`: the batch on a Dask distributed cluster.

    dask scheduler --host PRIVATE_IP                          # one machine (port 8786; see README: security)
    dask worker tcp://HOST:8786 --nworkers N --nthreads 1     # every grading machine: N = its cores

A worker with more than one thread grades that many notebooks at once in one process: it works, but
the capacity plan assumes one thread per worker, so the batch warns about it (``_warn_about_threads``).

Every worker machine needs this course's checkout installed the same way (`make setup`: the same
autograder, minigrad, torch; bubblewrap for the sandbox), nothing else: no shared folder. Tasks are
self-contained: a submission's files and timestamp, plus its assignment's bundle (the instructor's
notebooks, data files and hidden-test delimiters), held on the cluster as the result of a task
(``share_bundle``) rather than scattered: Dask's memory manager keeps one copy of data nobody is about
to use, and a scattered bundle whose last copy dies with its worker cannot be rebuilt (every task that
needs it is cancelled), while a task's result is simply computed again. A worker grades in the same
sandbox as local grading (kernels forked from its own zygote), after grading the instructor's solutions
of that assignment itself (``ensure_checked``: a worker whose environment is broken stops the batch with
the reason instead of failing every student). The worker returns the Result and the graded notebooks'
text; this process alone writes files and the gradebook, as results arrive, so the progress bar counts
submissions finished anywhere on the cluster. A worker that dies mid-batch loses nothing: the scheduler
runs its tasks again on another worker.
"""
from __future__ import annotations

import sys
import uuid

from ..i18n import _
from .course import CourseError
from .grade import BatchStopped, _failed, code_fingerprint, remote_check, remote_grade

CONNECT_TIMEOUT = 30
WORKERS_TIMEOUT = 120  # how long a batch waits for a first worker to join the scheduler
START_WORKERS = "dask worker {address} --nworkers $(nproc) --nthreads 1"  # on every grading machine


def scheduler_address(text: str) -> str:
    """``--scheduler`` as Dask takes it: tcp://HOST:PORT, or tls://HOST:PORT (with Dask's TLS settings);
    HOST:PORT means tcp://. Anything else is a CourseError, before anything is planned or graded."""
    scheme, sep, rest = text.strip().partition("://")
    if not sep:
        scheme, rest = "tcp", text.strip()
    host, colon, port = rest.rpartition(":")
    valid_host = bool(host.strip("[]")) and not any(c in host for c in "/@?# ")
    valid_port = port.isascii() and port.isdigit() and 0 < int(port) < 65536
    if scheme not in ("tcp", "tls") or not colon or not valid_host or not valid_port:
        raise CourseError(_("--scheduler {address}: not a Dask scheduler's address; give tcp://HOST:PORT (what "
                            "`dask scheduler` prints, e.g. tcp://10.0.0.5:8786), or tls://HOST:PORT").format(
                                address=repr(text)))
    return f"{scheme}://{host}:{int(port)}"


def _worker_fingerprint() -> str:
    return code_fingerprint()


def _bundle(b: dict) -> dict:
    return b


def share_bundle(client, assignment: str, bundle: dict, batch_id: str):
    """A future for an assignment's bundle that the scheduler can recompute if every copy is lost.
    The bundle travels once, inside this task (large data files included: no warning about it)."""
    import dask

    with dask.config.set({"distributed.admin.large-graph-warning-threshold": "4GiB"}):
        return client.submit(_bundle, bundle, pure=False, key=f"bundle-{assignment}-{batch_id}")


def _wait_for_workers(client, scheduler: str) -> None:
    """Return once the scheduler has a worker; a CourseError that says how to start one after
    WORKERS_TIMEOUT seconds without."""
    if client.scheduler_info().get("workers"):
        return
    print(_("the Dask scheduler at {address} has no worker yet: waiting {seconds} s for one").format(
        address=scheduler, seconds=WORKERS_TIMEOUT), file=sys.stderr, flush=True)
    try:
        client.wait_for_workers(1, timeout=WORKERS_TIMEOUT)
    except TimeoutError:
        raise CourseError(_("no Dask worker joined the scheduler at {address} in {seconds} s: start workers on "
                            "the grading machines with `{workers}` (the course's environment, set up with `make "
                            "setup`), then grade again").format(
                                address=scheduler, seconds=WORKERS_TIMEOUT,
                                workers=START_WORKERS.format(address=scheduler))) from None


def _check_workers(client, mine: str) -> None:
    """Stop the batch, naming the worker, when a worker cannot import the grading code or runs other code
    than ``mine`` (this machine's code_fingerprint); warn about workers with several threads first."""
    _warn_about_threads(client.scheduler_info().get("workers", {}))
    for address, theirs in client.run(_worker_fingerprint, on_error="return").items():
        if isinstance(theirs, BaseException):
            raise BatchStopped(_("the Dask worker {address} cannot import the grading code ({error}): install "
                                 "the same checkout of the course on every machine (`make setup`) and start the "
                                 "workers with its environment (.venv/bin/dask worker ...)").format(
                                     address=address, error=str(theirs) or type(theirs).__name__))
        if theirs != mine:
            raise BatchStopped(_("the Dask worker {address} runs other grading code than this machine (install "
                                 "the same checkout of the course on every machine)").format(address=address))


def _warn_about_threads(workers: dict) -> None:
    """Warn about workers with more than one thread: each grades that many notebooks at once, in one
    process (kernels beside one judge), while the capacity plan assumes `--nthreads 1`."""
    many = sorted(f"{address} ({w['nthreads']})" for address, w in workers.items() if w.get("nthreads", 1) > 1)
    if many:
        print(_("warning: Dask workers with more than one thread: {workers}; each grades that many notebooks at "
                "once in one process, which the capacity plan (README) does not assume: start workers with "
                "--nworkers N --nthreads 1").format(workers=", ".join(many)), file=sys.stderr, flush=True)


def grade_on_cluster(scheduler: str, tasks: list[dict], bundles: dict, limits, batch, zygote_on: bool = True) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CourseError("--scheduler needs the `distributed` package: pip install -e . in the course's "
                          "virtual environment") from None
    scheduler = scheduler_address(scheduler)
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as err:
        workers = START_WORKERS.format(address=scheduler)
        raise CourseError(_("cannot reach the Dask scheduler at {address} ({error}): start it with `dask "
                            "scheduler` and workers with `{workers}`").format(
                                address=scheduler, error=err, workers=workers)) from None
    try:
        _wait_for_workers(client, scheduler)
        mine = code_fingerprint()
        _check_workers(client, mine)
        batch_id = uuid.uuid4().hex[:12]  # keys of this batch only, whoever else uses the cluster
        shared = {a: share_bundle(client, a, dict(b, code=mine), batch_id) for a, b in bundles.items()}
        # the instructor's solutions first, on the cluster, before any student; then every worker also
        # checks them itself before its first task of an assignment (remote_grade -> ensure_checked)
        checks = [client.submit(remote_check, shared[a], limits, zygote_on, pure=False, key=f"check-{a}-{batch_id}")
                  for a in bundles]
        for future in as_completed(checks, loop=client.loop):
            why = future.result()
            if why:
                raise BatchStopped(why)
        futures = {}
        for i, t in enumerate(tasks):
            key = f"grade-{t['student']}-{t['assignment']}-{t['hash'][:12]}-{batch_id}"
            futures[client.submit(remote_grade, t, shared[t["assignment"]], limits, zygote_on, pure=False,
                                  key=key)] = i
        try:
            for future in as_completed(list(futures), loop=client.loop):
                i = futures[future]
                texts = {}
                try:
                    result, texts = future.result()
                except BatchStopped:
                    raise
                except Exception as err:  # e.g. KilledWorker: the task killed worker after worker
                    result = _failed(tasks[i], f"{type(err).__name__}: {str(err)[:200]}")
                batch.add(result, texts)
        except BaseException:
            client.cancel(list(futures) + checks, force=True)
            raise
    finally:
        client.close()
