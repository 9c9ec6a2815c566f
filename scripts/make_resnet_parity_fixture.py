"""ResNet-18 parity fixture without stored weights.

Committing 45 MB of trained ResNet-18 weights is not worth it: instead both engines fill every
state_dict tensor from the same closed-form rule (`formula_state_dict`, mirrored in
Tests/AdvNNTests/ResNetParityTests.swift), and the fixture keeps only the inputs, the eval-mode
logits and the input gradients that PyTorch computes from them (a few kB).

Rule, per tensor named NAME with n elements (computed in float64, then rounded to float32):
    t      = sum of the unicode code points of NAME
    s_i    = sin(0.731 * i + 0.117 * t),  i = 0..n-1
    conv / fc weight      : s_i * sqrt(2 / fan_in)
    bias (fc)             : 0.1 * s_i
    bn weight             : 1 + 0.2 * s_i
    bn bias, running_mean : 0.1 * s_i
    running_var           : 0.5 + 0.5 * |s_i|
    num_batches_tracked   : 0
Run: .venv/bin/python scripts/make_resnet_parity_fixture.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_idx import load_split  # noqa: E402
from safetensors_io import save_file  # noqa: E402
from torch_models import ResNet18  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Tests" / "AdvNNTests" / "Fixtures" / "resnet18-formula.safetensors"


def formula(name: str, shape: tuple[int, ...]) -> np.ndarray:
    n = int(np.prod(shape)) if shape else 1
    t = sum(ord(c) for c in name)
    s = np.sin(0.731 * np.arange(n, dtype=np.float64) + 0.117 * t)
    if name.endswith("running_var"):
        v = 0.5 + 0.5 * np.abs(s)
    elif name.endswith("running_mean"):
        v = 0.1 * s
    elif len(shape) >= 2:  # conv or linear weight
        fan_in = int(np.prod(shape[1:]))
        v = s * math.sqrt(2.0 / fan_in)
    elif ".bn" in name or name.startswith("bn") or "downsample.1" in name:
        v = 1 + 0.2 * s if name.endswith("weight") else 0.1 * s
    else:  # fc.bias
        v = 0.1 * s
    return v.astype(np.float32).reshape(shape)


def main() -> None:
    torch.manual_seed(0)
    model = ResNet18(1, 10)
    state = {}
    for name, tensor in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.zeros((), dtype=torch.long)
        else:
            state[name] = torch.from_numpy(formula(name, tuple(tensor.shape)))
    model.load_state_dict(state, strict=True)
    model.eval()

    images, labels = load_split("t10k", as_torch=False)
    x = torch.from_numpy(np.ascontiguousarray(images[:4])).requires_grad_(True)
    y = torch.from_numpy(np.ascontiguousarray(labels[:4])).long()
    logits = model(x)
    loss = torch.nn.functional.cross_entropy(logits, y, reduction="sum")
    loss.backward()
    tensors = {
        "inputs": x.detach().numpy(),
        "labels": y.numpy(),
        "logits": logits.detach().numpy(),
        "input_grad": x.grad.numpy(),
    }
    meta = {"description": "ResNet-18 (1x28x28, 10 classes) with formula weights, eval mode; see the script",
            "torch_version": torch.__version__}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, OUT, metadata=meta)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes); logits[0] = {logits[0].detach().numpy()}")


if __name__ == "__main__":
    main()
