"""Loads a file of adversarials written by the engine and re-checks their labels in PyTorch.

    .venv/bin/python scripts/load_adversarials.py ADV.safetensors MODEL.safetensors [--launches N] [--seed 0]

ADV.safetensors is what `save adversarials [of MODEL] to "FILE"` writes
(Sources/AdvAttacks/Evaluation/AdversarialFile.swift): `adversarials` and `originals`
(float32, N x C x H x W in [0, 1]), `indices` (int64, the originals' test-split indices),
`labels` and `adversarial_labels` (int64), and `__metadata__` with the attack, its parameters
(JSON), the model's name, architecture, policy and hash, the data set, seed, statement and
engine version. It is read with the `safetensors` package, as any PyTorch or NumPy user would
(`safetensors.torch.load_file`, `safe_open(...).metadata()`).

MODEL.safetensors is the attacked model as `save MODEL to "FILE"` wrote it; it is loaded into
its PyTorch twin with torch_models.load_adv_checkpoint (strict). The script then

  * prints a summary: the attack and its settings, N, the mean L2 per pixel (x1000) and the
    largest L-infinity perturbation of the adversarials against their originals;
  * re-classifies the originals (each must be classified correctly: only such samples are
    attacked);
  * re-checks `adversarial_labels`: on a deterministic model every label must match exactly
    (mismatches are listed with their top-2 logit margin, exit code 1); on a stochastic one each
    image is launched `--launches` times (default: the attack's `launches`) under the model's
    policy (`single` = one pass, `average(n)` = the mean logits of n passes), the majority answer
    is compared with the engine's, and the agreement is printed (the two engines draw different
    noise, so only a share agrees; a low share on images the engine fooled about half the time
    is expected).

Exit code 0 when the file loads and every check that must hold holds, 1 otherwise, 2 on bad
arguments.
"""

from __future__ import annotations

import os

# libgomp busy-waits by default, which crawls when other processes keep the cores busy.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import json
import re
import sys
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from torch_models import is_stochastic, load_adv_checkpoint, unwrap  # noqa: E402


def load_adversarials(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """The tensors and the metadata of an adversarials file, read with the safetensors package."""
    tensors = load_file(str(path))
    with safe_open(str(path), framework="pt") as f:
        metadata = f.metadata() or {}
    for name, dtype in (("adversarials", torch.float32), ("originals", torch.float32), ("indices", torch.int64),
                        ("labels", torch.int64), ("adversarial_labels", torch.int64)):
        if name not in tensors:
            raise ValueError(f"{path}: no tensor {name!r} (not an adversarials file?)")
        if tensors[name].dtype != dtype:
            raise ValueError(f"{path}: {name} is {tensors[name].dtype}, expected {dtype}")
    return tensors, metadata


def passes_per_launch(policy: str) -> int:
    """Forward passes averaged in one answer: `single` 1, `average(n)` n, `deterministic` 1."""
    match = re.fullmatch(r"average\((\d+)\)", policy)
    return int(match.group(1)) if match else 1


def majority(counts: torch.Tensor) -> torch.Tensor:
    """Per row, the class with the most votes; ties go to the smallest index (as the engine)."""
    best = counts.max(1, keepdim=True).values
    return (counts == best).int().argmax(1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("adversarials", type=Path, help="file written by 'save adversarials'")
    ap.add_argument("model", type=Path, help="the attacked model as 'save' wrote it")
    ap.add_argument("--launches", type=int, default=None, help="launches per image on a stochastic model "
                    "(default: the attack's 'launches')")
    ap.add_argument("--seed", type=int, default=0, help="seed of a stochastic model's generator")
    args = ap.parse_args()
    if args.launches is not None and args.launches < 1:
        ap.error("--launches must be positive")
    torch.set_num_threads(2)

    try:
        tensors, meta = load_adversarials(args.adversarials)
        model = load_adv_checkpoint(args.model)
    except Exception as error:  # noqa: BLE001 - report any loading failure as a failed check
        print(f"FAILED to load: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    params = json.loads(meta.get("params", "{}"))
    adv, orig = tensors["adversarials"], tensors["originals"]
    labels, engine = tensors["labels"], tensors["adversarial_labels"]
    n = adv.shape[0]
    print(f"{args.adversarials.name}: {n} adversarials {tuple(adv.shape)} of {meta.get('model', '?')} "
          f"({meta.get('arch', '?')}, {meta.get('policy', '?')}) on {meta.get('dataset', '?')}, seed {meta.get('seed', '?')}, "
          f"engine {meta.get('version', '?')}")
    print(f"  statement: {meta.get('statement', '?')}")
    shown = {k: (json.dumps(v) if isinstance(v, (bool, list)) else v) for k, v in params.items()}
    print(f"  {meta.get('attack', '?')} " + " ".join(f"{k}={v}" for k, v in sorted(shown.items())))
    ok = True
    if meta.get("model_hash") and model.metadata.get("model_hash") and meta["model_hash"] != model.metadata["model_hash"]:
        print(f"  WARNING: {args.model.name} is another model (hash {model.metadata['model_hash'][:12]}…, "
              f"the adversarials were made on {meta['model_hash'][:12]}…)")
    if n == 0:
        print("  the attack returned no image; nothing to re-check")
        return 0

    delta = (adv - orig).flatten(1)
    l2 = delta.norm(dim=1) / delta.shape[1]
    print(f"  pixels in [{adv.min().item():.4f}, {adv.max().item():.4f}]; mean L2 per pixel x1000 "
          f"{1000 * l2.mean().item():.4f}; largest L-inf perturbation {delta.abs().max().item():.6f}")
    if adv.min() < 0 or adv.max() > 1:
        print("  FAILED: pixels outside [0, 1]")
        ok = False

    inner = unwrap(model)
    if hasattr(inner, "reseed"):
        inner.reseed(args.seed)
    with torch.no_grad():
        if not is_stochastic(model):
            clean = model(orig).argmax(1)
            print(f"  originals classified correctly: {(clean == labels).sum().item()}/{n}")
            logits = model(adv)
            ours = logits.argmax(1)
            agree = ours == engine
            fooled = (ours != labels).sum().item()
            print(f"  deterministic: labels re-checked {agree.sum().item()}/{n} equal to the engine's; "
                  f"{fooled}/{n} adversarial (ASR over returned images {fooled / n:.4f})")
            if not agree.all():
                top2 = logits.topk(2, dim=1).values
                for k in torch.nonzero(~agree).flatten().tolist():
                    print(f"    index {tensors['indices'][k].item()}: engine {engine[k].item()}, torch {ours[k].item()}, "
                          f"top-2 margin {(top2[k, 0] - top2[k, 1]).item():.2e}")
                ok = False
            if (clean != labels).any():
                ok = False
        else:
            launches = args.launches or int(params.get("launches", 100))
            passes = passes_per_launch(meta.get("policy") or model.metadata.get("policy", "single"))
            classes = int(model.metadata.get("classes", 10))
            counts = torch.zeros(n, classes, dtype=torch.int64)
            clean_counts = torch.zeros(n, classes, dtype=torch.int64)
            for _ in range(launches):
                answer = torch.stack([model(adv) for _ in range(passes)]).mean(0).argmax(1)
                counts[torch.arange(n), answer] += 1
                clean = torch.stack([model(orig) for _ in range(passes)]).mean(0).argmax(1)
                clean_counts[torch.arange(n), clean] += 1
            ours = majority(counts)
            agree = (ours == engine).sum().item()
            success = 1 - counts[torch.arange(n), labels].double() / launches
            print(f"  stochastic, {launches} launches of {passes} pass(es) each: majority labels agree with the engine's "
                  f"on {agree}/{n} ({agree / n:.1%}); mean share of adversarial launches {success.mean().item():.4f}; "
                  f"originals' majority correct {(majority(clean_counts) == labels).sum().item()}/{n}")
    print("ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
