"""BIM (L-infinity Basic Iterative Method) in PyTorch, reference for the Swift engine's `BIM`.

Semantics: the attack specification (attacks.md) section 0.1 (Foolbox 1.8.0 `Adversarial` bookkeeping)
and section 2 (Foolbox `LinfinityBasicIterativeAttack` as the paper ran it):

    initial query on x: already misclassified -> not attacked, adversarial = x (distance 0)
    x_0 = x
    for t = 1..T:
        g   = grad_x CE(logits(x_{t-1}), y)            (ascent, original label)
        x_t = x_{t-1} + alpha * sign(g)                 (sign(0) = 0)
        x_t = x + clamp(x_t - x, -eps, eps)             (L-inf projection)
        x_t = clamp(x_t, 0, 1)
        query x_t; misclassified -> candidate (kept if its MSE is the smallest so far)
        misclassified and return_early -> stop this sample
    return the best candidate, or nothing

Batched for speed, but every quantity is per sample: the loss is a SUM of per-sample
cross-entropies (so each sample's gradient is its own, unscaled by the batch size), and a sample
that stops is removed from the batch (frozen), exactly as the engine's `AdversarialBatch` does.
The models here are deterministic, so running a sample inside a smaller batch changes nothing
but (possibly) the last float bits of the convolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F


@dataclass
class BIMResult:
    """Per-sample outcome; index i refers to row i of the attacked batch."""

    adversarial: torch.Tensor  # [N, ...] best candidate; NaN rows where none was found
    success: torch.Tensor      # [N] bool: an adversarial was returned (Foolbox: not None)
    iterations: torch.Tensor   # [N] int64: steps taken (0 = misclassified before the attack)
    last_iterate: torch.Tensor  # [N, ...] the final x_t (= adversarial when return_early succeeds)
    mse: torch.Tensor          # [N] MSE of the best candidate (inf where none)
    queries: torch.Tensor      # [N] int64: model predictions, including the initial one
    gradients: torch.Tensor    # [N] int64: gradient evaluations


def bim_step(x_t: torch.Tensor, grad: torch.Tensor, origin: torch.Tensor,
             eps: torch.Tensor, alpha: torch.Tensor) -> torch.Tensor:
    """One BIM update; same operation order as the engine's `BIM.step` so floats agree."""
    stepped = x_t + alpha * torch.sign(grad)  # torch.sign(0) == 0, as the spec requires
    projected = origin + torch.clamp(stepped - origin, -eps, eps)
    return torch.clamp(projected, 0.0, 1.0)


def _scalar(value: float, like: torch.Tensor) -> torch.Tensor:
    # Round eps and alpha to the input dtype once, like the engine's `Float(...)`, instead of
    # leaving the promotion of Python floats to each operator.
    return torch.tensor(value, dtype=like.dtype, device=like.device)


def input_gradient(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor):
    """Returns (logits, gradient of the summed cross-entropy w.r.t. x)."""
    x = x.detach().requires_grad_(True)
    logits = model(x)
    loss = F.cross_entropy(logits, y, reduction="sum")
    # autograd.grad w.r.t. the input only: parameter .grad buffers are neither needed nor touched.
    (grad,) = torch.autograd.grad(loss, x)
    return logits.detach(), grad


def bim(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float,
        alpha: float = 0.05, steps: int = 100, return_early: bool = True) -> BIMResult:
    """Untargeted L-inf BIM with Foolbox bookkeeping; see the module docstring."""
    model.eval()
    x = x.detach()
    n = x.shape[0]
    eps_t, alpha_t = _scalar(eps, x), _scalar(alpha, x)

    best = torch.full_like(x, float("nan"))
    best_mse = torch.full((n,), float("inf"), dtype=x.dtype)
    queries = torch.zeros(n, dtype=torch.int64)
    gradients = torch.zeros(n, dtype=torch.int64)
    iterations = torch.zeros(n, dtype=torch.int64)

    def register(rows: torch.Tensor, candidates: torch.Tensor) -> torch.Tensor:
        """One query of `candidates` (rows `rows`); keeps misclassified ones with a smaller MSE."""
        with torch.no_grad():
            wrong = model(candidates).argmax(1) != y[rows]
        queries[rows] += 1
        mse = (candidates - x[rows]).pow(2).flatten(1).mean(1)
        # Strictly smaller, as Foolbox: on a tie the earlier candidate stays.
        better = wrong & (mse < best_mse[rows])
        best[rows[better]] = candidates[better]
        best_mse[rows[better]] = mse[better]
        return wrong

    all_rows = torch.arange(n)
    # Foolbox's Adversarial(...) constructor: a sample misclassified on the clean input is
    # returned as is (distance 0) and never attacked.
    already_wrong = register(all_rows, x)
    active = ~already_wrong

    iterate = x.clone()
    for t in range(1, steps + 1):
        rows = active.nonzero().flatten()
        if rows.numel() == 0:
            break
        _, grad = input_gradient(model, iterate[rows], y[rows])
        gradients[rows] += 1
        with torch.no_grad():
            nxt = bim_step(iterate[rows], grad, x[rows], eps_t, alpha_t)
        iterate[rows] = nxt
        iterations[rows] = t
        wrong = register(rows, nxt)
        if return_early:
            active[rows[wrong]] = False

    return BIMResult(adversarial=best, success=torch.isfinite(best_mse), iterations=iterations,
                     last_iterate=iterate, mse=best_mse, queries=queries, gradients=gradients)


def bim_fixed(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float,
              alpha: float = 0.05, steps: int = 100) -> torch.Tensor:
    """BIM's arithmetic only: `steps` forward+backward passes on the whole batch plus the
    sign/projection/clip, with no queries, bookkeeping or early stop. Used as a fixed-work
    benchmark; returns the final iterate."""
    x = x.detach()
    eps_t, alpha_t = _scalar(eps, x), _scalar(alpha, x)
    iterate = x
    for _ in range(steps):
        _, grad = input_gradient(model, iterate, y)
        with torch.no_grad():
            iterate = bim_step(iterate, grad, x, eps_t, alpha_t)
    return iterate


def success_and_l2(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor, result: BIMResult):
    """Per-sample s_i and d_i of attacks.md sections 1.2-1.3 for a deterministic model.

    s_i = 1 if an adversarial was returned and the model misclassifies it; d_i = ||x_adv - x||_2 / n
    (n = C*H*W) for returned samples, NaN otherwise.
    """
    s = torch.zeros(x.shape[0])
    d = torch.full((x.shape[0],), float("nan"))
    rows = result.success.nonzero().flatten()
    if rows.numel():
        with torch.no_grad():
            adv = result.adversarial[rows]
            s[rows] = (model(adv).argmax(1) != y[rows]).float()
            d[rows] = (adv - x[rows]).flatten(1).norm(dim=1) / x[0].numel()
    return s, d


def summarize(s: torch.Tensor, d: torch.Tensor) -> tuple[float, float | None]:
    """(ASR, 1000 * mean L2 per pixel over returned samples, or None when none returned)."""
    returned = ~torch.isnan(d)
    l2 = 1000.0 * d[returned].double().mean().item() if returned.any() else None
    return s.double().mean().item(), l2
