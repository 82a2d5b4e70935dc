"""Scaling benchmark: time per op and peak memory as graphs grow, minigrad vs torch, in one run.

Graphs of 10^3 .. 3*10^5 ops, of two shapes, on 0-d tensors and on (64,) tensors:

* chain: y = op(y), n times (mul, add, sin, tanh in turn), then backward;
* wide:  n/2 products of one leaf, summed pairwise in a balanced tree (n/2 adds), then backward:
         many nodes ready at once, and one leaf that receives n/2 gradients.

and a training loop: 1,000 SGD steps of a small MLP, keeping every step's loss tensor (a
graph that backward has already run through), as notebooks do when they plot a loss curve.

Each measurement runs in a fresh subprocess, so that peak memory (the growth of the peak resident
set size over what the process held after its warm-up) belongs to that run alone. Every size is timed
over the same amount of work, 10^5 ops (a hundred graphs of 10^3 ops, one graph of 3*10^5), so that
noise from the machine weighs the same on the smallest and the largest graph. Printed:
time per op (forward, and forward + backward) and peak memory per library, and the ratios
minigrad / torch. Goals: minigrad's time per op within 1.5x from the smallest to the largest
graph; its peak memory never above torch's.

    python bench/scaling.py [--sizes 1000,10000,100000,300000] [--quick] [--repeat 3] [--no-gc]

``--no-gc`` switches CPython's cyclic garbage collector off in both libraries' runs after their warm-up:
the difference is what the collector costs as the graph grows (it walks every live node again at each
full collection; torch's graph nodes are C++ objects that it never sees, minigrad's are Python objects).
"""
import argparse
import gc
import json
import os
import resource
import subprocess
import sys
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


# ---------------------------------------------------------------------- one measurement
def _peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def build_chain(L, x, n):
    y = x
    for i in range(n):
        k = i % 4
        y = y * 1.0001 if k == 0 else y + 0.001 if k == 1 else y.sin() if k == 2 else y.tanh()
    return y.sum() if y.dim() else y


def build_wide(L, x, n):
    level = [x * (1.0 + 1e-6 * i) for i in range(n // 2)]
    while len(level) > 1:
        pairs = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        level = pairs + level[len(pairs) * 2:]
    y = level[0]
    return y.sum() if y.dim() else y


def graph_run(L, kind, n, shape, collector=True, budget=100000):
    """Time per op over at least ``budget`` ops (as many graphs of ``n`` ops as that takes), so that
    every size is timed over the same amount of work and noise weighs the same on each; peak memory
    of the first graph."""
    x = L.ones(shape, requires_grad=True) if shape else L.tensor(0.5, requires_grad=True)
    build = build_chain if kind == "chain" else build_wide
    build(L, x, 100).backward()  # warm-up
    gc.collect()  # start from a collected heap (else the first collection, of everything the
    base = _peak_kb()  # imports made, would land in whichever measurement comes first)
    if not collector:
        gc.disable()
    result = {"fwd_s": 0.0, "total_s": 0.0}
    graphs = max(1, budget // n)
    for _ in range(graphs):
        x.grad = None
        t0 = time.process_time()
        y = build(L, x, n)
        t1 = time.process_time()
        y.backward()
        t2 = time.process_time()
        del y
        result.setdefault("peak_kb", _peak_kb() - base)
        result["fwd_s"] += (t1 - t0) / graphs
        result["total_s"] += (t2 - t0) / graphs
    return result


def training_run(L, steps):
    L.manual_seed(0)
    model = L.nn.Sequential(L.nn.Linear(32, 64), L.nn.Tanh(), L.nn.Linear(64, 10))
    opt = L.optim.SGD(model.parameters(), lr=0.01)
    x, y = L.randn(64, 32), L.randint(0, 10, (64,))
    loss_fn = L.nn.CrossEntropyLoss()
    losses = []
    for _ in range(5):  # warm-up
        opt.zero_grad()
        loss_fn(model(x), y).backward()
    gc.collect()
    base = _peak_kb()
    t0 = time.process_time()
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss)  # keeps the loss tensor, and with it the (used) graph
    return {"total_s": time.process_time() - t0, "peak_kb": _peak_kb() - base}


def child(spec):
    sys.path.insert(0, ROOT)
    if spec["lib"] == "torch":
        import torch as L
        L.set_num_threads(1)
    else:
        import minigrad as L
    if spec["kind"] == "training":
        result = training_run(L, spec["n"])
    else:
        result = graph_run(L, spec["kind"], spec["n"], tuple(spec["shape"]), spec.get("gc", True))
    print(json.dumps(result))


# ---------------------------------------------------------------------- the table
def measure(spec, repeat=1):
    """The fastest of ``repeat`` fresh processes (time and peak memory each: a busy machine only ever adds)."""
    runs = [_measure_once(spec) for _ in range(repeat)]
    return {key: min(run[key] for run in runs) for key in runs[0]}


def _measure_once(spec):
    out = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)],
                         capture_output=True, text=True, check=True,
                         env=dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1"))
    return json.loads(out.stdout.strip().splitlines()[-1])


def _growth(runs, key, large, small):
    """How much the time per op of ``key`` grew from ``small`` ops to ``large`` ops."""
    return (runs[large][key] / large) / (runs[small][key] / small)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="1000,10000,100000,300000")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--quick", action="store_true", help="sizes 1000,10000 and 100 training steps")
    ap.add_argument("--repeat", type=int, default=3, help="fresh processes per measurement (the fastest counts)")
    ap.add_argument("--no-gc", action="store_true", help="the graph runs without the cyclic garbage collector")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(json.loads(args.child))
        return
    sizes = [1000, 10000] if args.quick else [int(s) for s in args.sizes.split(",")]
    steps = 100 if args.quick else args.steps

    print(f"{'graph':24s} {'ops':>7s} | {'us/op fwd':>9s} {'fwd+bwd':>8s} {'peak MB':>8s} | "
          f"{'us/op fwd':>9s} {'fwd+bwd':>8s} {'peak MB':>8s} | {'time':>5s} {'memory':>6s}")
    print(f"{'':24s} {'':>7s} | {'torch':^27s} | {'minigrad':^27s} | {'minigrad/torch':^12s}")
    per_op = {}  # {label: {library: {ops: its run}}}
    memory_ok = True
    for kind in ("chain", "wide"):
        for shape in ((), (64,)):
            label = f"{kind} {'scalar' if not shape else str(shape[0]) + '-vector'}"
            for n in sizes:
                r = {lib: measure(dict(lib=lib, kind=kind, n=n, shape=shape, gc=not args.no_gc), args.repeat)
                     for lib in ("torch", "minigrad")}
                t, m = r["torch"], r["minigrad"]
                for lib in r:
                    per_op.setdefault(label, {}).setdefault(lib, {})[n] = r[lib]
                time_ratio = m["total_s"] / t["total_s"]
                mem_ratio = m["peak_kb"] / max(t["peak_kb"], 1)
                memory_ok &= m["peak_kb"] <= t["peak_kb"]
                print(f"{label:24s} {n:7d} | {1e6 * t['fwd_s'] / n:9.2f} {1e6 * t['total_s'] / n:8.2f} "
                      f"{t['peak_kb'] / 1024:8.1f} | {1e6 * m['fwd_s'] / n:9.2f} "
                      f"{1e6 * m['total_s'] / n:8.2f} {m['peak_kb'] / 1024:8.1f} | "
                      f"{time_ratio:5.2f} {mem_ratio:6.2f}", flush=True)
    r = {lib: measure(dict(lib=lib, kind="training", n=steps, shape=()), args.repeat) for lib in ("torch", "minigrad")}
    t, m = r["torch"], r["minigrad"]
    memory_ok &= m["peak_kb"] <= t["peak_kb"]
    print(f"{'training, ' + str(steps) + ' steps':24s} {'':7s} | {'':9s} {1e3 * t['total_s'] / steps:5.2f} ms "
          f"{t['peak_kb'] / 1024:8.1f} | {'':9s} {1e3 * m['total_s'] / steps:5.2f} ms "
          f"{m['peak_kb'] / 1024:8.1f} | {m['total_s'] / t['total_s']:5.2f} "
          f"{m['peak_kb'] / max(t['peak_kb'], 1):6.2f}")
    print()
    # Torch's own growth, from the same run, says what the machine adds (caches, memory) as graphs grow.
    for label, runs in per_op.items():
        m, t = runs["minigrad"], runs["torch"]
        print(f"minigrad {label}: time per op at {sizes[-1]} ops / at {sizes[0]} ops = "
              f"{_growth(m, 'total_s', sizes[-1], sizes[0]):.2f} (goal <= 1.5; torch: "
              f"{_growth(t, 'total_s', sizes[-1], sizes[0]):.2f})")
        if 10000 in m and sizes[-1] > 10000:
            print(f"{'':9s}{' ' * len(label)}  building the graph, per op at {sizes[-1]} ops / at 10000 ops = "
                  f"{_growth(m, 'fwd_s', sizes[-1], 10000):.2f} (flat: 1; torch: "
                  f"{_growth(t, 'fwd_s', sizes[-1], 10000):.2f})")
    print(f"peak memory never above torch's: {'yes' if memory_ok else 'no'}")


if __name__ == "__main__":
    main()
