"""`grade --scheduler tcp://HOST:PORT`: the batch on a Dask distributed cluster.

    dask scheduler                                            # one machine (port 8786)
    dask worker tcp://HOST:8786 --nworkers N --nthreads 1     # every grading machine: N = its cores

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

import uuid

from .course import CourseError
from .grade import BatchStopped, _failed, code_fingerprint, remote_check, remote_grade

CONNECT_TIMEOUT = 30


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


def grade_on_cluster(scheduler: str, tasks: list[dict], bundles: dict, limits, batch, zygote_on: bool = True) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise CourseError("--scheduler needs the `distributed` package: pip install -e . in the course's "
                          "virtual environment") from None
    try:
        client = Client(scheduler, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise CourseError(f"cannot reach the Dask scheduler at {scheduler} ({err}): start it with "
                          f"`dask scheduler` and workers with `dask worker {scheduler} --nthreads 1`") from None
    try:
        workers = client.scheduler_info().get("workers", {})
        if not workers:
            client.wait_for_workers(1, timeout=120)
        mine = code_fingerprint()
        for address, theirs in client.run(_worker_fingerprint).items():
            if theirs != mine:
                raise BatchStopped(f"the Dask worker {address} runs other grading code than this machine "
                                   "(install the same checkout of the course on every machine)")
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
