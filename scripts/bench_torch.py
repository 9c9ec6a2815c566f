"""PyTorch side of `make bench`: times the same fixed workloads as Sources/AdvLang/Benchmarks.swift.

    OMP_NUM_THREADS=2 .venv/bin/python scripts/bench_torch.py [--json] [--repeats 3] [--only NAME[,NAME]]

Workloads, in this order (every one after one untimed warm-up run, as the engine does):
  lenet-epoch     one LeNet training epoch on the 4,000 embedded training images, batch 128,
                  Adam lr 1e-3, reshuffled each epoch from a fixed-seed generator. Median of --repeats.
  bim100          BIM, eps 32/255, alpha 0.05, exactly 100 iterations without early stop on test
                  images 0..99 as one batch of 100: 100 forward+backward passes plus the
                  sign/projection/clip, no queries (scripts/bim.py `bim_fixed`). Run on the weights
                  after one LeNet epoch; the work does not depend on the weights. Median of --repeats.
  resnet18-epoch  one epoch of ResNet18(1, 10) (torchvision layout) on the 4,000 training images,
                  batch 128, SGD lr 0.001, momentum 0.9, weight decay 1e-5 (Table V, MNIST), train
                  mode. ONE timed run after the warm-up epoch (the engine does the same).
  bsn-l-epoch     one epoch of BSN-L, batch 128, Adam lr 1e-3, weight decay 1e-5 (Table VII).
                  Median of --repeats.
  launches        the stochastic evaluation protocol: 1,000 test images, each launched 100 times
                  under average(10) of an (untrained) BSN-L = 10^6 single-image forward passes,
                  under torch.no_grad(); rows are batched (--launch-rows, default 1,000 = one image's
                  100 launches x 10 passes per forward call: faster than larger batches, which
                  leave the cache); per image the fraction of launches misclassified. ONE timed
                  run after the warm-up run (the engine does the same).
  surrogate-round one round of Papernot et al.'s substitute training with Jacobian-based data-set
                  augmentation (the engine's `SurrogateTrainer.round`): test images 0..199 labelled
                  by the oracle's hard labels (argmax, no_grad), a fresh LeNet trained on them from
                  scratch for 10 epochs (SGD lr 0.01, momentum 0.9, batch 128, no weight decay,
                  reshuffled each epoch; inputs normalised by the seed images' mean and standard
                  deviation, as lenet's `normalize` does), then one augmentation step
                  x + 0.1 * sign(d p_y / dx), p_y the softmax probability of the oracle label,
                  clipped to [0, 1], and the oracle labels of the 200 new points. The oracle is an untrained LeNet
                  (torch.manual_seed(0)); the work does not depend on its weights.
                  Median of --repeats.

OpenMP waiting: the script keeps torch's default (libgomp busy-waits), its fastest setting on an
idle machine (PASSIVE was 10-60 % slower there). But when another process keeps the 2 cores
busy, busy-waiting threads run up to ~70x slower; the script therefore samples the machine's
CPU use for 0.5 s at its start and warns (stderr) when other processes keep more than a quarter
of it busy. Rerun on an idle machine, or set
OMP_WAIT_POLICY=PASSIVE in the environment to measure under load (recorded in the --json output).

Output: one line per workload, `torch <workload> seconds=X.XXXX` (the Makefile parses field 3),
or with --json a single JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bim import bim_fixed  # noqa: E402
from mnist_idx import load_mnist  # noqa: E402
from torch_models import BNN, BSNL, LeNet, ResNet18  # noqa: E402

WORKLOADS = ["lenet-epoch", "bim100", "resnet18-epoch", "bsn-l-epoch", "bnn-d-epoch", "launches", "surrogate-round"]


def reset_peak_memory() -> None:
    """Starts Linux's peak resident memory (VmHWM) again, as the engine's benchmarks do."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_memory_mb() -> float | None:
    """VmHWM of this process in megabytes (2^20 bytes), or None where /proc does not say."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


PEAKS: dict[str, float | None] = {}


def timed(repeats: int, body) -> tuple[float, list[float]]:
    """Median of `repeats` runs after one untimed warm-up (first-call allocations, oneDNN
    primitive creation and page faults would otherwise land in the first sample). Their peak
    memory, warm-up included, is left in PEAKS["last"]."""
    reset_peak_memory()
    body()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    PEAKS["last"] = peak_memory_mb()
    return statistics.median(times), times


def busy_fraction(seconds: float = 0.5) -> float | None:
    """Fraction of all CPU time that was not idle during `seconds` (Linux /proc/stat; None
    elsewhere). Measured while this process sleeps, so it is other processes' load."""
    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        return sum(fields), fields[3] + fields[4]  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    return 1 - (idle1 - idle0) / max(total1 - total0, 1)


def epoch_runner(model, opt, x, y, batch: int = 128, seed: int = 1):
    """A closure running one training epoch (train mode, mean cross-entropy, reshuffled each
    call from a fixed-seed generator; the last batch is partial: 4000 = 31*128 + 32)."""
    shuffle = torch.Generator().manual_seed(seed)

    def epoch() -> None:
        model.train()
        perm = torch.randperm(x.shape[0], generator=shuffle)
        for start in range(0, x.shape[0], batch):
            idx = perm[start:start + batch]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()

    return epoch


def launch_success(model, x, y, launches: int = 100, passes: int = 10, rows: int = 1_000) -> torch.Tensor:
    """Per image, the fraction of `launches` whose average(`passes`) prediction is wrong.
    Every launch of every image is its own set of `passes` single-image forward passes; they are
    tiled into batches of about `rows` rows (image-major, then launch, then pass)."""
    per_image = launches * passes
    chunk = max(1, rows // per_image)
    out = []
    with torch.no_grad():
        for start in range(0, x.shape[0], chunk):
            xi, yi = x[start:start + chunk], y[start:start + chunk]
            n = xi.shape[0]
            logits = model(xi.repeat_interleave(per_image, 0))
            predicted = logits.view(n, launches, passes, -1).mean(2).argmax(-1)
            out.append((predicted != yi[:, None]).double().mean(1))
    return torch.cat(out)


def surrogate_round(oracle, seed_x, epochs: int = 10, lr: float = 0.01, momentum: float = 0.9,
                    batch: int = 128, lam: float = 0.1, shuffle: torch.Generator | None = None):
    """One JbDA round: oracle labels of `seed_x`, a fresh LeNet trained on them, the augmented
    points clip(x + lam * sign(d softmax(F(x))_y / dx), 0, 1) and their oracle labels."""
    with torch.no_grad():
        labels = oracle(seed_x).argmax(1)
    surrogate = LeNet()
    # The engine's `normalize` (on for lenet): the training set's per-channel mean and
    # (population) standard deviation, applied inside the model.
    mean = seed_x.mean(dim=(0, 2, 3), keepdim=True)
    std = seed_x.std(dim=(0, 2, 3), unbiased=False, keepdim=True)
    opt = torch.optim.SGD(surrogate.parameters(), lr=lr, momentum=momentum)
    surrogate.train()
    n = seed_x.shape[0]
    for _ in range(epochs):
        perm = torch.randperm(n, generator=shuffle)
        for start in range(0, n, batch):
            idx = perm[start:start + batch]
            loss = F.cross_entropy(surrogate((seed_x[idx] - mean) / std), labels[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    surrogate.eval()
    x = seed_x.clone().requires_grad_(True)
    p = F.softmax(surrogate((x - mean) / std), 1).gather(1, labels[:, None]).sum()
    (g,) = torch.autograd.grad(p, x)
    added = (seed_x + lam * g.sign()).clamp(0, 1)
    with torch.no_grad():
        added_labels = oracle(added).argmax(1)
    return surrogate, added, added_labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text lines")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of lenet-epoch, bim100, bsn-l-epoch, surrogate-round")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {','.join(WORKLOADS)}")
    ap.add_argument("--launch-rows", type=int, default=1_000, help="rows per forward call in 'launches'")
    args = ap.parse_args()
    only = [w for w in args.only.split(",") if w]
    unknown = [w for w in only if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    selected = [w for w in WORKLOADS if not only or w in only]

    load = busy_fraction()
    if load is not None and load > 0.25:
        print(f"warning: other processes kept {load:.0%} of the CPUs busy before the run; with "
              f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(default: active)')} the timings may be far "
              "too slow (rerun when idle, or set OMP_WAIT_POLICY=PASSIVE)", file=sys.stderr)

    # Two threads, to compare with the engine on the same budget on this shared 2-core machine.
    torch.set_num_threads(2)
    torch.manual_seed(0)
    (x_train, y_train), (x_test, y_test) = load_mnist()
    results: dict[str, tuple[float, list[float], str]] = {}
    median = f"median of {args.repeats} after 1 warm-up"
    single = "1 run after 1 warm-up"

    lenet = LeNet()
    lenet_epoch = epoch_runner(lenet, torch.optim.Adam(lenet.parameters(), lr=1e-3), x_train, y_train)
    if "lenet-epoch" in selected:
        s, runs = timed(args.repeats, lenet_epoch)
        results["lenet-epoch"] = (s, runs, median)
        PEAKS["lenet-epoch"] = PEAKS["last"]

    if "bim100" in selected:
        if "lenet-epoch" not in selected:
            lenet_epoch()  # untimed: the weights after one epoch, as when both workloads run
        attacked = LeNet()
        attacked.load_state_dict(lenet.state_dict())
        attacked.eval()
        # Only the input gradient is needed; freezing the weights keeps autograd from building
        # weight-gradient graph nodes it would never use.
        attacked.requires_grad_(False)
        x, y = x_test[:100], y_test[:100]
        s, runs = timed(args.repeats, lambda: bim_fixed(attacked, x, y, eps=32 / 255, alpha=0.05, steps=100))
        results["bim100"] = (s, runs, median)
        PEAKS["bim100"] = PEAKS["last"]

    if "resnet18-epoch" in selected:
        torch.manual_seed(0)
        resnet = ResNet18(1, 10)
        opt = torch.optim.SGD(resnet.parameters(), lr=0.001, momentum=0.9, weight_decay=1e-5)
        s, runs = timed(1, epoch_runner(resnet, opt, x_train, y_train))
        results["resnet18-epoch"] = (s, runs, single)
        PEAKS["resnet18-epoch"] = PEAKS["last"]

    if "bsn-l-epoch" in selected:
        torch.manual_seed(0)
        bsnl = BSNL(seed=0)
        opt = torch.optim.Adam(bsnl.parameters(), lr=1e-3, weight_decay=1e-5)
        s, runs = timed(args.repeats, epoch_runner(bsnl, opt, x_train, y_train))
        results["bsn-l-epoch"] = (s, runs, median)
        PEAKS["bsn-l-epoch"] = PEAKS["last"]

    if "bnn-d-epoch" in selected:
        torch.manual_seed(0)
        bnn = BNN(stochastic=False)
        opt = torch.optim.Adam(bnn.parameters(), lr=0.005, weight_decay=1e-4)
        s, runs = timed(1, epoch_runner(bnn, opt, x_train, y_train, batch=256))
        results["bnn-d-epoch"] = (s, runs, single)
        PEAKS["bnn-d-epoch"] = PEAKS["last"]

    if "launches" in selected:
        torch.manual_seed(0)
        model = BSNL(seed=3).eval()
        s, runs = timed(1, lambda: launch_success(model, x_test, y_test, rows=args.launch_rows))
        results["launches"] = (s, runs, single)
        PEAKS["launches"] = PEAKS["last"]

    if "surrogate-round" in selected:
        torch.manual_seed(0)
        oracle = LeNet().eval().requires_grad_(False)
        seed_x = x_test[:200]
        shuffle = torch.Generator().manual_seed(5)
        s, runs = timed(args.repeats, lambda: surrogate_round(oracle, seed_x, shuffle=shuffle))
        results["surrogate-round"] = (s, runs, median)
        PEAKS["surrogate-round"] = PEAKS["last"]

    if args.json:
        print(json.dumps({
            "engine": "torch",
            "torch_version": torch.__version__,
            "threads": torch.get_num_threads(),
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "default"),
            "busy_fraction_at_start": None if load is None else round(load, 3),
            "statistic": {w: r[2] for w, r in results.items()},
            "seconds": {w: round(r[0], 6) for w, r in results.items()},
            "runs": {w: [round(t, 6) for t in r[1]] for w, r in results.items()},
            "peak_rss_mb": {w: PEAKS.get(w) for w in results},
        }, indent=2))
    else:
        for w, (s, _, _) in results.items():
            peak = PEAKS.get(w)
            print(f"torch {w} seconds={s:.4f}" + ("" if peak is None else f" rss_mb={peak:.0f}"))


if __name__ == "__main__":
    main()
