"""Our white-box attacks against Foolbox 3.3.4's on the same stochastic weights and images,
both scored by the engine's launch protocol (attacks.md §1.2). `make compare-foolbox` runs it.

    OMP_NUM_THREADS=2 .venv/bin/python scripts/compare_foolbox.py [--models bsn-l,bsn-2,bnn-s]
        [--samples 100] [--bnn-samples 5] [--bnn-steps 100] [--ours "cwl2 search=off c=10 abort_by=sample"] ...

1. Writes an `.adv` script that trains each model (seed 5; `bsn-2`/`bsn-l` with `epochs=30`;
   `bnn-s` fine-tuned from a `bnn-d` as in examples/zoo.adv), saves it, evaluates it and runs our
   CWL2 (`search=off c=10`, 1,000 steps; on bnn-s `--bnn-steps`, 100) and BIM (`eps=32/255 early=false`) on it, plus every
   `--ours` variant (an attack with its parameters); runs it with `adv run` (trained models come
   from the engine's cache on a second run).
2. Loads every saved model into its PyTorch twin (scripts/torch_models.py, strict), wrapped to
   answer with the mean logits of 10 passes (the engine's average(10)), and runs Foolbox 3's
   `L2CarliniWagnerAttack(binary_search_steps=1, initial_const=10, steps=1000, stepsize=5e-3,
   abort_early=True)` and `LinfBasicIterativeAttack(abs_stepsize=0.05, steps=100)` at 32/255 on
   exactly the test images our runs attacked (results.json's per-sample indices), in one batch.
   For CW it prints where Foolbox's early abort fired and the summed loss its checks compared
   (beside each tenth's mean), and how many iterations ours ran.
   Foolbox's adversarials are kept in the output folder, keyed by the model's hash, the attack and
   the images, so a second run after a change on our side does not repeat them.
3. Scores Foolbox's adversarials by the launch protocol: each one is launched 100 times under
   average(10) and s_i is the misclassified fraction; ASR = mean s_i; mean L2 per pixel x1000
   over the images returned (a CW run that never found an adversarial returns none: Foolbox 3
   gives an all-zero image there, counted as nothing returned). Ours are scored by the engine.

Prints one row per model and attack: ours (ASR, L2/px x1000, seconds), Foolbox's, the ASR
difference in points and our L2 relative to Foolbox's, then the `--ours` variants.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # see check_checkpoint.py

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mnist_idx import load_split  # noqa: E402
from torch_models import load_adv_checkpoint, unwrap  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# The models, by the engine's names: the statements that make them (seed 5).
TRAIN = {
    "bsn-l": ["model bsnl = train bsn-l epochs=30"],
    "bsn-2": ["model bsn2 = train bsn-2 epochs=30"],
    "bsn-4": ["model bsn4 = train bsn-4 epochs=30"],
    "bnn-s": ["model bnnd = train bnn-d epochs=6 batch=64 lr=0.001 regime=step lr_step=3 gamma=0.2",
              "model bnns = train bnn-s from bnnd latent_init=sign binarize_input=false epochs=2 batch=64 "
              "lr=0.001 regime=step"],
}
NAME = {"bsn-l": "bsnl", "bsn-2": "bsn2", "bsn-4": "bsn4", "bnn-s": "bnns"}
# Our side of each compared row, and Foolbox 3's.
ATTACKS = {"cwl2": "cwl2 search=off c=10", "bim": "bim eps=32/255 early=false"}


class Average(nn.Module):
    """The engine's average(n) policy: the mean logits of n stochastic forward passes.

    With `trace = (x, labels, c)` set, every call that records gradients (one per CW iteration)
    appends the batch's summed CW loss `sum ||x' - x_hat0||^2 + c max(0, z_y - max_other z)` to
    `losses`, so the iteration at which Foolbox's early abort fired can be read afterwards."""

    def __init__(self, model: nn.Module, passes: int = 10):
        super().__init__()
        self.model, self.passes = model, passes
        self.trace: tuple[torch.Tensor, torch.Tensor, float] | None = None
        self.losses: list[float] = []

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = torch.stack([self.model(x) for _ in range(self.passes)]).mean(0)
        if self.trace is not None and x.requires_grad:
            x0, y, c = self.trace
            with torch.no_grad():
                xhat0 = torch.tanh(torch.atanh((x0 - 0.5) / 0.5 * 0.999999)) * 0.5 + 0.5
                other = (z - nn.functional.one_hot(y, z.shape[1]) * 1e9).argmax(1)
                rows = torch.arange(len(y))
                margin = (z[rows, y] - z[rows, other]).clamp(min=0)
                self.losses.append(((x - xhat0).flatten(1).pow(2).sum(1) + c * margin).sum().item())
        return z


def describe_abort(losses: list[float], steps: int) -> str:
    """Where Foolbox 3's CW stopped and what its check compared: the summed loss at each check
    (every tenth of the steps) beside the mean over the tenth before it."""
    every = -(-steps // 10)
    calls = len(losses)
    where = "ran all steps" if calls >= steps else f"early abort at iteration {calls - 1}"
    checks = []
    for it in range(0, calls, every):
        window = losses[max(1, it - every + 1):it + 1] if it else losses[:1]
        checks.append(f"{it}: {losses[it]:.1f} (tenth's mean {sum(window) / len(window):.1f})")
    return f"{where}; summed loss at the checks: " + ", ".join(checks)


def foolbox_attack(name: str, steps: int, abort_early: bool = True):
    import foolbox as fb
    if name == "cwl2":
        return fb.attacks.L2CarliniWagnerAttack(binary_search_steps=1, initial_const=10, steps=steps,
                                                stepsize=5e-3, confidence=0, abort_early=abort_early), None
    return fb.attacks.LinfBasicIterativeAttack(abs_stepsize=0.05, steps=100, random_start=False), 32 / 255


def launch_scores(model: nn.Module, images: torch.Tensor, labels: torch.Tensor, launches: int = 100,
                  passes: int = 10, chunk: int = 20) -> torch.Tensor:
    """s_i: the fraction of `launches` average(`passes`) queries that misclassify image i."""
    out = []
    with torch.no_grad():
        for start in range(0, images.shape[0], chunk):
            x = images[start:start + chunk]
            y = labels[start:start + chunk]
            tiled = x.repeat_interleave(launches, 0)
            mean = torch.stack([model(tiled) for _ in range(passes)]).mean(0)
            wrong = (mean.argmax(1) != y.repeat_interleave(launches)).float().view(-1, launches)
            out.append(wrong.mean(1))
    return torch.cat(out)


def our_script(models: list[str], samples: dict[str, int], steps: dict[str, int], variants: list[str]) -> str:
    lines = ["# written by scripts/compare_foolbox.py", "seed 5", "load mnist"]
    for m in models:
        lines += TRAIN[m]
        lines += [f'save {NAME[m]} to "{NAME[m]}.safetensors"', f"evaluate {NAME[m]}"]
    for m in models:
        for attack in [ATTACKS["cwl2"] + f" steps={steps[m]}", ATTACKS["bim"]] + variants:
            if attack.split()[0] == "cwl2" and "steps=" not in attack:
                attack += f" steps={steps[m]}"
            lines.append(f"attack {attack} on {NAME[m]} samples={samples[m]}")
    return "\n".join(lines + ["report"]) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", default="bsn-l,bsn-2,bnn-s", help=f"comma-separated, of {','.join(TRAIN)}")
    ap.add_argument("--samples", type=int, default=100, help="images attacked per BSN model")
    ap.add_argument("--bnn-samples", type=int, default=5, help="images attacked on bnn-s (each costs ~2 min per attack and side)")
    ap.add_argument("--bnn-steps", type=int, default=100, help="CWL2 iterations on bnn-s (1,000 takes ~30 min per 20 images and side)")
    ap.add_argument("--ours", action="append", default=[],
                    help="an extra variant of ours, e.g. 'cwl2 search=off c=10 abort_by=sample' (repeatable)")
    ap.add_argument("--adv", default=str(ROOT / ".build/release/adv"), help="the adv binary")
    ap.add_argument("--out", default=str(ROOT / ".build/compare-foolbox"), help="output folder")
    ap.add_argument("--skip-ours", action="store_true", help="reuse the folder's results.json")
    ap.add_argument("--first", type=int, default=0,
                    help="compare on the first N of the images ours attacked on bnn-s (0: all); ours is then "
                         "scored from its per-sample records, its time scaled by N/samples")
    ap.add_argument("--foolbox-abort-early", choices=["true", "false"], default="true",
                    help="Foolbox 3's CW abort_early (its default true; false runs every step, as ours does "
                         "on stochastic targets unless the mean loss stops falling)")
    args = ap.parse_args()
    models = [m for m in args.models.split(",") if m]
    unknown = [m for m in models if m not in TRAIN]
    if unknown:
        ap.error(f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(TRAIN)}")
    try:
        import foolbox as fb
    except ImportError:
        sys.exit("foolbox is not installed in this environment: run 'make venv' (it pins foolbox==3.3.4)")
    torch.set_num_threads(2)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    samples = {m: args.bnn_samples if m.startswith("bnn") else args.samples for m in models}
    steps = {m: args.bnn_steps if m.startswith("bnn") else 1000 for m in models}

    if not args.skip_ours:
        script = out / "compare.adv"
        script.write_text(our_script(models, samples, steps, args.ours))
        print(f"running ours: {args.adv} run {script} --out {out}", flush=True)
        subprocess.run([args.adv, "run", str(script), "--out", str(out)], check=True)
    results = json.loads((out / "results.json").read_text())
    x_test, y_test = load_split("t10k")

    rows = []
    for m in models:
        name = NAME[m]
        model = load_adv_checkpoint(out / f"{name}.safetensors")
        unwrap(model).reseed(5)
        wrapped = Average(model).eval()
        fmodel = fb.PyTorchModel(wrapped, bounds=(0, 1))
        record = next(r for r in results["models"] if r["name"] == name)
        mine = [r for r in results["results"] if r["model"] == name]
        for i, r in enumerate(mine):
            attack = r["attack"]
            l2 = r["l2_per_pixel"]
            ours = (r["asr"], float("nan") if l2 is None else l2 * 1000, r["wall_seconds"])
            if i >= 2:  # a --ours variant
                rows.append((m, r["statement"], ours, None))
                continue
            per_sample = r["per_sample"]
            if args.first and m.startswith("bnn") and args.first < len(per_sample):
                # The same images on both sides: ours from its records of the first N, its time
                # the batch's share (its samples ran as one batch).
                part = per_sample[:args.first]
                found = [s["l2_per_pixel"] for s in part if s.get("returned") and s.get("l2_per_pixel") is not None]
                ours = (sum(s["success"] for s in part) / len(part),
                        sum(found) / len(found) * 1000 if found else float("nan"),
                        r["wall_seconds"] * len(part) / len(per_sample))
                per_sample = part
            idx = torch.tensor([s["index"] for s in per_sample])
            x, y = x_test[idx].contiguous(), y_test[idx].contiguous()
            noabort = "|noabort" if attack == "cwl2" and args.foolbox_abort_early == "false" else ""
            key = hashlib.sha256(f"{record['model_hash']}|{attack}|{steps[m]}|{idx.tolist()}{noabort}".encode()).hexdigest()[:16]
            cached = out / f"foolbox-{name}-{attack}-{key}.pt"
            if cached.exists():
                saved = torch.load(cached)
                adv, seconds, abort = saved["adv"], saved["seconds"], saved.get("abort", "")
            else:
                print(f"foolbox {attack} on {m}, {len(idx)} images ...", flush=True)
                fb_attack, eps = foolbox_attack(attack, steps[m], abort_early=args.foolbox_abort_early == "true")
                torch.manual_seed(5)
                wrapped.trace, wrapped.losses = (x, y, 10.0) if attack == "cwl2" else None, []
                start = time.perf_counter()
                _, adv, _ = fb_attack(fmodel, x, y, epsilons=eps)
                seconds = time.perf_counter() - start
                wrapped.trace = None
                abort = describe_abort(wrapped.losses, steps[m]) if attack == "cwl2" else ""
                torch.save({"adv": adv, "seconds": seconds, "abort": abort}, cached)
            if abort:
                print(f"foolbox cwl2 on {m}: {abort}", flush=True)
                calls = [s["gradients"] for s in per_sample]
                print(f"ours   cwl2 on {m}: gradient calls per sample {min(calls)}-{max(calls)} of {steps[m]}", flush=True)
            returned = adv.flatten(1).abs().sum(1) > 0
            unwrap(model).reseed(1_000_005)
            s = launch_scores(model, adv, y) * returned.float()
            d = (adv - x).flatten(1).norm(dim=1) / x[0].numel()
            l2 = d[returned].mean().item() * 1000 if returned.any() else float("nan")
            rows.append((m, r["statement"], ours, (s.mean().item(), l2, seconds)))
        print(f"{m}: clean accuracy {record['clean_accuracy']:.3f} ({record['policy']}, engine)", flush=True)

    print()
    print(f"{'model':6} {'attack (ours)':52} {'ours ASR':>8} {'L2x1000':>7} {'s':>6}   "
          f"{'foolbox ASR':>11} {'L2x1000':>7} {'s':>6}   {'dASR pts':>8} {'L2 ours/fb':>10}")
    for m, statement, o, f in rows:
        text = statement.replace("attack ", "", 1)
        line = f"{m:6} {text[:52]:52} {o[0]:8.2f} {o[1]:7.2f} {o[2]:6.0f}"
        if f:
            ratio = o[1] / f[1] if f[1] > 0 else float("nan")
            line += f"   {f[0]:11.2f} {f[1]:7.2f} {f[2]:6.0f}   {100 * (o[0] - f[0]):+8.1f} {ratio:10.2f}"
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
