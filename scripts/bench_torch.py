"""PyTorch side of `make bench`: times the same fixed workloads as Sources/AdvLang/Benchmarks.swift.

    OMP_NUM_THREADS=2 .venv/bin/python scripts/bench_torch.py [--json] [--repeats 3]

Workloads (each: one untimed warm-up run, then the MEDIAN of `--repeats` timed runs, as the
engine does):
  lenet-epoch  one LeNet training epoch on the 4,000 embedded training images, batch 128,
               Adam lr 1e-3, reshuffled each epoch from a fixed-seed generator.
  bim100       BIM, eps 32/255, alpha 0.05, exactly 100 iterations without early stop on test
               images 0..99 as one batch of 100: 100 forward+backward passes plus the
               sign/projection/clip, no queries (scripts/bim.py `bim_fixed`). Run on the weights
               after the first (warm-up) training epoch; the work does not depend on the weights.

Output: one line per workload, `torch <workload> seconds=X.XXXX` (the Makefile parses field 3),
or with --json a single JSON object.
"""

from __future__ import annotations

import argparse
import copy
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bim import bim_fixed  # noqa: E402
from mnist_idx import load_mnist  # noqa: E402
from torch_models import LeNet  # noqa: E402


def timed(repeats: int, body) -> tuple[float, list[float]]:
    """Median of `repeats` runs after one untimed warm-up (first-call allocations, oneDNN
    primitive creation and page faults would otherwise land in the first sample)."""
    body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text lines")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()

    # Two threads, to compare with the engine on the same budget on this shared 2-core machine.
    torch.set_num_threads(2)
    torch.manual_seed(0)
    (x_train, y_train), (x_test, y_test) = load_mnist()

    model = LeNet()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    shuffle = torch.Generator().manual_seed(1)
    after_first_epoch = {}

    def epoch() -> None:
        model.train()
        perm = torch.randperm(x_train.shape[0], generator=shuffle)
        for start in range(0, x_train.shape[0], 128):
            idx = perm[start:start + 128]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
        if not after_first_epoch:
            after_first_epoch.update(copy.deepcopy(model.state_dict()))

    epoch_s, epoch_all = timed(args.repeats, epoch)

    attacked = LeNet()
    attacked.load_state_dict(after_first_epoch)
    attacked.eval()
    # Only the input gradient is needed; freezing the weights keeps autograd from building
    # weight-gradient graph nodes it would never use.
    attacked.requires_grad_(False)
    x, y = x_test[:100], y_test[:100]
    bim_s, bim_all = timed(args.repeats, lambda: bim_fixed(attacked, x, y, eps=32 / 255, alpha=0.05, steps=100))

    if args.json:
        print(json.dumps({
            "engine": "torch",
            "torch_version": torch.__version__,
            "threads": torch.get_num_threads(),
            "statistic": f"median of {args.repeats} after 1 warm-up",
            "seconds": {"lenet-epoch": round(epoch_s, 6), "bim100": round(bim_s, 6)},
            "runs": {"lenet-epoch": [round(t, 6) for t in epoch_all], "bim100": [round(t, 6) for t in bim_all]},
        }, indent=2))
    else:
        print(f"torch lenet-epoch seconds={epoch_s:.4f}")
        print(f"torch bim100 seconds={bim_s:.4f}")


if __name__ == "__main__":
    main()
