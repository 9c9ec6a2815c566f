"""Foolbox side of `make bench`: the attack workloads of Sources/AdvLang/Benchmarks.swift in
Foolbox 3.3.4 on PyTorch, against the same LeNet weights and the same test images.

    OMP_NUM_THREADS=2 .venv/bin/python scripts/bench_foolbox.py [--model .build/bench-lenet.safetensors] [--only cwl2,boundary]

`adv bench` writes the model file first: the LeNet it attacks, with the attacked test indices in
its metadata (`bench_samples`, the first 100 test images it classifies correctly).

Workloads (each after an untimed short warm-up run on two images, then one timed run):
  cwl2      L2CarliniWagnerAttack, binary_search_steps=5, steps=1000, stepsize=5e-3,
            confidence=0, initial_const=1e-2, abort_early=True, on the 100 images as one batch.
  boundary  BoundaryAttack(steps=5000), Foolbox 3's defaults otherwise (one candidate per step,
            LinearSearchBlendedUniformNoiseAttack start), on the first 10 images as one batch.

Output: `foolbox <workload> seconds=X asr=A l2x1000=L` per workload, where ASR is the fraction of
images Foolbox reports adversarial and L2 the mean over those of ‖x_adv − x‖₂ / 784, ×1000
(attacks.md §1.3), as the engine prints them.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_idx import load_mnist  # noqa: E402
from bench_torch import peak_memory_mb, reset_peak_memory  # noqa: E402
from torch_models import load_adv_checkpoint  # noqa: E402

WORKLOADS = ["cwl2", "boundary"]


def quality(x: torch.Tensor, adv: torch.Tensor, success: torch.Tensor) -> tuple[float, float]:
    asr = success.float().mean().item()
    if not success.any():
        return asr, float("nan")
    per_pixel = (adv - x).flatten(1).norm(dim=1) / x[0].numel()
    return asr, per_pixel[success].mean().item() * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default=".build/bench-lenet.safetensors", help="checkpoint written by 'adv bench'")
    ap.add_argument("--only", default="", help=f"comma-separated subset of {','.join(WORKLOADS)}")
    args = ap.parse_args()
    only = [w for w in args.only.split(",") if w]
    unknown = [w for w in only if w not in WORKLOADS]
    if unknown:
        ap.error(f"unknown workload(s) {', '.join(unknown)}; choose from {', '.join(WORKLOADS)}")
    try:
        import foolbox as fb
    except ImportError:
        sys.exit("foolbox is not installed in this environment: run 'make venv' (it pins foolbox==3.3.4)")
    if not Path(args.model).exists():
        sys.exit(f"{args.model}: no such file; run '.build/release/adv bench --only cwl2,boundary' first")

    torch.set_num_threads(2)
    torch.manual_seed(0)
    model = load_adv_checkpoint(args.model)
    indices = [int(v) for v in model.metadata["bench_samples"].split(",")]
    _, (x_test, y_test) = load_mnist()
    x, y = x_test[indices].contiguous(), y_test[indices].contiguous()
    fmodel = fb.PyTorchModel(model, bounds=(0, 1))
    with torch.no_grad():
        wrong = (model(x).argmax(1) != y).sum().item()
    if wrong:
        print(f"warning: PyTorch misclassifies {wrong} of the {len(indices)} images the engine chose", file=sys.stderr)

    def run(name: str, attack, warmup, n: int) -> None:
        reset_peak_memory()
        warmup(fmodel, x[:2], y[:2], epsilons=None)
        start = time.perf_counter()
        _, adv, success = attack(fmodel, x[:n], y[:n], epsilons=None)
        seconds = time.perf_counter() - start
        asr, l2 = quality(x[:n], adv, success)
        peak = peak_memory_mb()
        print(f"foolbox {name} seconds={seconds:.4f} asr={asr:.4f} l2x1000={l2:.4f}"
              + ("" if peak is None else f" rss_mb={peak:.0f}"), flush=True)

    if not only or "cwl2" in only:
        run("cwl2", fb.attacks.L2CarliniWagnerAttack(binary_search_steps=5, steps=1000, stepsize=5e-3,
                                                     confidence=0, initial_const=1e-2, abort_early=True),
            fb.attacks.L2CarliniWagnerAttack(binary_search_steps=1, steps=2), 100)
    if not only or "boundary" in only:
        run("boundary", fb.attacks.BoundaryAttack(steps=5000), fb.attacks.BoundaryAttack(steps=20), 10)


if __name__ == "__main__":
    main()
