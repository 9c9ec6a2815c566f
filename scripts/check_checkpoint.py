"""Checks that one of the engine's safetensors checkpoints loads and works in PyTorch.

    .venv/bin/python scripts/check_checkpoint.py FILE [--images N] [--passes 10] [--seed 0] [--allow-extra]

Loads FILE with torch_models.load_adv_checkpoint (state_dict with strict=True: every key and
shape must match the PyTorch twin of the architecture named in the metadata; input
normalisation from the `mean`/`std` metadata), evaluates it in eval mode on the first N
embedded MNIST test images (for stochastic models the logits are the average of `--passes`
forward passes, the engine's default policy average(10)), and prints the accuracy and the first
logits row. Exit code 0 on success, 1 when loading or evaluation fails, 2 on bad arguments.
`--allow-extra` accepts tensors that are not state_dict keys (the parity fixtures).
Only MNIST-shaped (1x28x28) checkpoints can be evaluated on the embedded images; others are
loaded and run on random inputs of their shape instead (no accuracy).
"""

from __future__ import annotations

import os

# libgomp (torch's OpenMP) busy-waits by default: when another process keeps both cores busy,
# 2 torch threads then run up to ~70x slower (a ResNet18 training step took 3.6 s instead of
# 0.07 s on the shared 2-core machine). Passive waiting avoids that; OMP_WAIT_POLICY=ACTIVE in
# the environment restores the default.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_idx import load_split  # noqa: E402
from torch_models import is_stochastic, load_adv_checkpoint, unwrap  # noqa: E402


def evaluate(model: torch.nn.Module, x: torch.Tensor, passes: int, batch: int = 500) -> torch.Tensor:
    """Logits of `x` in eval mode; stochastic models: the mean over `passes` forward passes."""
    model.eval()
    n = passes if is_stochastic(model) else 1
    out = []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch):
            chunk = x[start:start + batch]
            out.append(torch.stack([model(chunk) for _ in range(n)]).mean(0))
    return torch.cat(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", type=Path)
    ap.add_argument("--images", type=int, default=1000, help="first N t10k images (at most 1,000 embedded)")
    ap.add_argument("--passes", type=int, default=10, help="passes averaged for stochastic models")
    ap.add_argument("--seed", type=int, default=0, help="seed of the stochastic models' generator")
    ap.add_argument("--allow-extra", action="store_true", help="ignore tensors that are not state_dict keys")
    args = ap.parse_args()
    if args.images < 1 or args.passes < 1:
        ap.error("--images and --passes must be positive")

    torch.set_num_threads(2)
    try:
        model = load_adv_checkpoint(args.file, allow_extra=args.allow_extra)
    except Exception as error:  # noqa: BLE001 - report any loading failure as a failed check
        print(f"FAILED to load {args.file}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    meta = model.metadata
    inner = unwrap(model)
    if hasattr(inner, "reseed"):
        inner.reseed(args.seed)
    params = sum(p.numel() for p in inner.parameters())
    print(f"{args.file.name}: arch {meta['arch']}, input {meta['input_shape']}, classes {meta['classes']}, "
          f"{len(inner.state_dict())} tensors, {params:,} parameters loaded (strict)")
    if model is not inner:
        print(f"  input normalisation mean {meta['mean']} std {meta['std']}")
    if is_stochastic(model):
        print(f"  stochastic, slope {getattr(inner, 'slope', '-')}, logits = mean of {args.passes} passes")
    if model.extra_tensors:
        print(f"  ignored {len(model.extra_tensors)} extra tensors: {', '.join(model.extra_tensors)}")

    shape = [int(v) for v in meta["input_shape"].split("x")]
    try:
        if shape == [1, 28, 28]:
            x, y = load_split("t10k")
            x, y = x[:args.images], y[:args.images]
            logits = evaluate(model, x, args.passes)
            accuracy = (logits.argmax(1) == y).double().mean().item()
            print(f"accuracy {accuracy:.4f} on the first {x.shape[0]} test images")
        else:
            logits = evaluate(model, torch.rand(min(args.images, 8), *shape, generator=torch.Generator().manual_seed(0)),
                              args.passes)
            print(f"not MNIST-shaped: ran {logits.shape[0]} random {meta['input_shape']} inputs (no accuracy)")
        if not torch.isfinite(logits).all():
            print("FAILED: non-finite logits", file=sys.stderr)
            return 1
    except Exception as error:  # noqa: BLE001
        print(f"FAILED to evaluate: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print("first logits row: [" + ", ".join(f"{v:.4f}" for v in logits[0].tolist()) + "]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
