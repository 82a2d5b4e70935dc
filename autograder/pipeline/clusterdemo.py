"""`make cluster-demo` (`python -m autograder.pipeline.clusterdemo`): the whole pipeline at scale, on one
machine: a PostgreSQL server, a Dask scheduler and workers, each a separate process as on real machines.

It starts them (services.py: PostgreSQL in a temporary folder on a Unix socket, run as the `postgres`
user when root; Dask on 127.0.0.1), builds the demo course (course/demo-cluster, from course/source, or
the tiny course) with a synthetic class of --students, and runs, printing each command as an instructor
would type it on real machines:

    python -m autograder release --db URL
    python -m autograder collect class_export.zip --roster roster.csv
    python -m autograder grade   --db URL --scheduler tcp://HOST:PORT
    python -m autograder export  grades.csv --db URL
    python -m autograder report  --db URL

then stops every service (--keep leaves them running and prints how to stop them).
"""
from __future__ import annotations

import argparse
import csv
import shutil
import sys
import zipfile
from pathlib import Path

from . import cli, release as releasing
from .demo import _write_config, synthetic_class, write_tiny_course
from .services import DaskCluster, Postgres, ServiceMissing


def build(course_dir: Path, students: int) -> tuple[Path, Path, Path]:
    """course/demo-cluster with its class export (zip) and roster."""
    demo = course_dir / "demo-cluster"
    if demo.exists():
        shutil.rmtree(demo)
    demo.mkdir(parents=True)
    chapters = releasing.chapters(course_dir)
    if chapters:
        shutil.copytree(course_dir / "source" / chapters[0], demo / "source" / chapters[0])
        _write_config(demo)
    else:
        write_tiny_course(demo)
    releasing.generate_release(demo)  # sqlite, only to build the class; release --db records it again
    names = releasing.chapters(demo)
    archive, roster = demo / "class_export.zip", demo / "roster.csv"
    ids = []
    with zipfile.ZipFile(archive, "w") as zf:
        for a in names:
            base = list(synthetic_class(demo, a, a).items())
            for i in range(students):
                name, text = base[i % len(base)]
                student = f"{name.split('_')[0]}{i:03d}"
                ids.append(student)
                zf.writestr(f"export/{student}_{a}.ipynb", text)
    with open(roster, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student"])
        writer.writerows([[s] for s in sorted(set(ids))] + [["absent999"]])
    (demo / "gradebook.db").unlink(missing_ok=True)
    return demo, archive, roster


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m autograder.pipeline.clusterdemo", description=__doc__.split("\n\n")[0])
    p.add_argument("--course", default="course", metavar="DIR", help="the course folder (default: course/)")
    p.add_argument("--students", type=cli.positive_int, default=12, metavar="N", help="class size (default 12)")
    p.add_argument("--workers", type=cli.positive_int, default=2, metavar="N", help="Dask workers (default 2)")
    p.add_argument("--keep", action="store_true", help="leave PostgreSQL and Dask running at the end")
    args = p.parse_args(argv)
    pg = cluster = None
    try:
        print("starting PostgreSQL (initdb in a temporary folder, Unix socket only) ...", flush=True)
        pg = Postgres()
        url = pg.new_database()
        print(f"starting a Dask scheduler and {args.workers} workers on 127.0.0.1 ...", flush=True)
        cluster = DaskCluster(workers=args.workers)
        demo, archive, roster = build(Path(args.course).resolve(), args.students)
        steps = [["release", "--db", url], ["collect", str(archive), "--roster", str(roster)],
                 ["grade", "--db", url, "--scheduler", cluster.address],
                 ["export", str(demo / "grades.csv"), "--db", url], ["report", "--db", url]]
        for step in steps:
            print(f"\n$ python -m autograder {' '.join(step)} --course {demo}", flush=True)
            code = cli.main(step + ["--course", str(demo)])
            if code:
                return code
        print(f"\nPostgreSQL: {url}\nDask scheduler: {cluster.address}")
        if args.keep:
            print(f"left running; stop them with: kill {' '.join(str(p.pid) for p in cluster.procs)}; "
                  f"{' '.join(pg.run_as)} {pg.pg_ctl} -D {pg.data} stop")
            pg = cluster = None
        return 0
    except ServiceMissing as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    finally:
        if cluster is not None:
            cluster.stop()
        if pg is not None:
            pg.stop()


if __name__ == "__main__":
    sys.exit(main())
