"""Engine benchmark: minigrad vs torch on the CPU, measured in the same run.

(a) one training step (forward, cross-entropy loss, backward, SGD update) of an MLP
    784-256-256-10 on a batch of 128, float32: dominated by matrix products (BLAS);
(b) a chain of 2,000 small scalar operations, forward and backward: the per-op overhead of the
    engine itself (torch spends ~10 us per op here; numpy's own per-call cost is ~1.5 us).

The same code runs on both libraries (``L`` is ``torch`` or ``minigrad``). torch gets as many
threads as numpy's BLAS uses; both counts are printed. Goals: (a) ratio <= 1.3, (b) ratio <= 1.0.

    python bench/engine.py [--repeat N]
"""
import argparse
import ctypes
import os
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import minigrad  # noqa: E402


def blas_threads():
    """Threads numpy's OpenBLAS uses (read from the loaded library; env/cpu count as fallback)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "openblas" in line.lower() and ".so" in line}
        for path in libs:
            lib = ctypes.CDLL(path)
            for name in ("scipy_openblas_get_num_threads64_", "openblas_get_num_threads64_",
                         "openblas_get_num_threads"):
                if hasattr(lib, name):
                    return int(getattr(lib, name)())
    except OSError:
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if os.environ.get(var):
            return int(os.environ[var])
    return os.cpu_count()


def timeit(fn, repeat, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ---------------------------------------------------------------------- (a) MLP training step
def mlp_step(L, seed=0):
    """A closure running one training step of a 784-256-256-10 MLP with library ``L``."""
    rng = np.random.default_rng(seed)
    x = L.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = L.tensor(rng.integers(0, 10, 128))
    model = L.nn.Sequential(L.nn.Linear(784, 256), L.nn.ReLU(), L.nn.Linear(256, 256), L.nn.ReLU(),
                            L.nn.Linear(256, 10))
    opt = L.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = L.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


# ---------------------------------------------------------------------- (b) scalar op chain
def scalar_chain(L, n_ops=2000):
    """A closure: n_ops small ops on a 0-d tensor (mul, add, sin, tanh in turn), then backward."""
    def run():
        x = L.tensor(0.5, requires_grad=True)
        y = x
        for _ in range(n_ops // 4):
            y = y * 1.01
            y = y + 0.1
            y = y.sin()
            y = y.tanh()
        y.backward()
        return x.grad
    return run


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()

    threads = blas_threads()
    torch.set_num_threads(threads)
    print(f"threads: numpy BLAS {threads}, torch {torch.get_num_threads()}  "
          f"(torch {torch.__version__}, numpy {np.__version__})")

    # the two libraries must compute the same thing
    assert abs(scalar_chain(torch)().item() - scalar_chain(minigrad)().item()) < 1e-3

    rows = []
    for label, make, per in [("(a) MLP 784-256-256-10 step, batch 128", mlp_step, 1),
                             ("(b) 2000 scalar ops fwd+bwd", scalar_chain, 2000)]:
        t_torch = timeit(make(torch), args.repeat)
        t_mini = timeit(make(minigrad), args.repeat)
        rows.append((label, t_torch, t_mini, per))

    print(f"{'benchmark':42s} {'torch':>12s} {'minigrad':>12s} {'ratio':>7s}")
    for label, tt, tm, per in rows:
        unit = "ms" if per == 1 else "us/op"
        scale = 1e3 if per == 1 else 1e6 / per
        print(f"{label:42s} {tt * scale:9.3f} {unit:>2s} {tm * scale:9.3f} {unit:>2s} {tm / tt:7.2f}")
    print("goals: (a) ratio <= 1.3, (b) ratio <= 1.0  (ratio = minigrad time / torch time)")


if __name__ == "__main__":
    main()
