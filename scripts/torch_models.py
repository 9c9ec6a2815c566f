"""PyTorch twins of the Swift architectures used for parity fixtures and benchmarks.

The attribute names are part of the contract: `state_dict()` keys (conv1.weight, fc1.bias, ...)
are exactly the parameter names of Sources/AdvNN/Architectures/*.swift (torchvision's keys for
`resnet18`), so a checkpoint written from these modules loads into the engine without renaming,
and `load_adv_checkpoint` loads the engine's checkpoints here with `strict=True`.
Layouts follow PyTorch: conv weights [out, in, kh, kw], linear weights [out, in].

Models (stochastic-nets.md):
  LeNet, MLP            deterministic baselines of the engine
  ResNet18              torchvision's resnet18 layout (section 2), any input channels / classes
  BSN2, BSN4, BSNL      binary stochastic neurons (sections 3-5); `slope` and a seeded
                        `generator` drive the Bernoulli draws, fresh at every forward pass
  BNN                   BinaryNet's resnet_binary (section 7), deterministic (BNN-D) or
                        stochastic (BNN-S) binarisation, straight-through gradients

Running the file checks every model's state_dict key list against the engine's and prints it.
"""

from __future__ import annotations

from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


class LeNet(nn.Module):
    """LeNet-5 style CNN; for 1x28x28 inputs the flattened feature size is 16*5*5 = 400.

    Pooling and activations are functional (parameter-free) so they add no state_dict keys.
    """

    def __init__(self, in_channels: int = 1, classes: int = 10, flat: int = 400):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(flat, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        # Flatten in C,H,W order: the engine's `flatten` uses the same row-major NCHW layout.
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


class MLP(nn.Module):
    """One hidden layer: flatten -> fc1 (784 -> hidden) -> ReLU -> fc2 (hidden -> classes)."""

    def __init__(self, inputs: int = 784, hidden: int = 100, classes: int = 10):
        super().__init__()
        self.fc1 = nn.Linear(inputs, hidden)
        self.fc2 = nn.Linear(hidden, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.relu(self.fc1(torch.flatten(x, 1))))


# ------------------------------------------------------------------------------------------------
# ResNet18 (stochastic-nets.md section 2)


class BasicBlock(nn.Module):
    """torchvision's BasicBlock: conv3x3 -> BN -> ReLU -> conv3x3 -> BN, + shortcut, ReLU.

    The shortcut is `downsample` = Sequential(conv 1x1 stride s, no bias; BN) when the shape
    changes, the identity otherwise. Attribute order = torchvision's state_dict key order.
    """

    def __init__(self, inputs: int, width: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(inputs, width, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = nn.Conv2d(width, width, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample = None
        if stride != 1 or inputs != width:
            self.downsample = nn.Sequential(nn.Conv2d(inputs, width, 1, stride=stride, bias=False),
                                            nn.BatchNorm2d(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(out + shortcut)


class ResNet18(nn.Module):
    """torchvision `resnet18(num_classes=...)` with `in_channels` input channels, written out so
    that no torchvision install is needed; same modules, keys, shapes, forward and init.

    stem="imagenet" (torchvision, default): conv 7x7/2 pad 3 -> BN -> ReLU -> max-pool 3x3/2 pad 1
    (ceil_mode False). stem="cifar" (the engine's `stem=cifar` option): conv 3x3/1 pad 1, no pool;
    the keys are the same, only conv1.weight's shape changes.
    Init as torchvision: conv weights kaiming-normal fan_out/relu (N(0, 2/(out*k*k))), BN weight 1
    bias 0 (zero_init_residual=False), fc PyTorch's default Linear init. BN eps 1e-5, momentum 0.1.
    """

    widths = (64, 128, 256, 512)

    def __init__(self, in_channels: int = 3, num_classes: int = 1000, stem: str = "imagenet"):
        super().__init__()
        if stem not in ("imagenet", "cifar"):
            raise ValueError(f"unknown stem {stem!r}; use 'imagenet' or 'cifar'")
        self.stem = stem
        if stem == "imagenet":
            self.conv1 = nn.Conv2d(in_channels, 64, 7, stride=2, padding=3, bias=False)
        else:
            self.conv1 = nn.Conv2d(in_channels, 64, 3, stride=1, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        inputs = 64
        for stage, width in enumerate(self.widths):
            stride = 1 if stage == 0 else 2
            layer = nn.Sequential(BasicBlock(inputs, width, stride), BasicBlock(width, width, 1))
            setattr(self, f"layer{stage + 1}", layer)
            inputs = width
        self.fc = nn.Linear(512, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.relu(self.bn1(self.conv1(x)))
        if self.stem == "imagenet":
            x = F.max_pool2d(x, kernel_size=3, stride=2, padding=1)
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        # adaptive_avg_pool2d(x, 1) = the mean over the whole final map (the engine's global pool).
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(x)


# ------------------------------------------------------------------------------------------------
# Binary stochastic neurons (stochastic-nets.md sections 3-5)


def bernoulli_hard_sigmoid_sample(a: torch.Tensor, slope: float, generator: torch.Generator | None) -> torch.Tensor:
    """h = 1 if u < k/2 * a + 0.5 else 0, u ~ U[0, 1) from `generator`: a Bernoulli draw with
    p = clamp((k*a + 1)/2, 0, 1) (the clamp is implied as u lies in [0, 1)); the engine's
    arithmetic. Two elementwise passes and one uniform draw per unit: about twice as fast as
    torch.bernoulli(clamp(...)) on CPU."""
    u = torch.rand(a.shape, generator=generator, dtype=a.dtype, device=a.device)
    return (u < a.mul(slope / 2).add_(0.5)).to(a.dtype)


class _BernoulliHardSigmoid(torch.autograd.Function):
    """h ~ Bernoulli(clamp((k*a + 1)/2, 0, 1)) in {0, 1}; backward straight through the sample,
    then the hard sigmoid's derivative k/2 where |k*a| < 1 (strict, as the engine), else 0."""

    @staticmethod
    def forward(ctx, a, slope, generator):
        ctx.save_for_backward(a)
        ctx.slope = slope
        return bernoulli_hard_sigmoid_sample(a, slope, generator)

    @staticmethod
    def backward(ctx, grad):
        (a,) = ctx.saved_tensors
        k = ctx.slope
        return grad * ((k * a).abs() < 1).to(grad.dtype) * (k / 2), None, None


def binary_stochastic(a: torch.Tensor, slope: float, generator: torch.Generator | None) -> torch.Tensor:
    """The BSN unit of stochastic-nets.md section 3 (fresh draws at every call). Without autograd
    (torch.no_grad(), or an input that needs no gradient) it skips the autograd node; the draws
    are the same either way."""
    if torch.is_grad_enabled() and a.requires_grad:
        return _BernoulliHardSigmoid.apply(a, float(slope), generator)
    return bernoulli_hard_sigmoid_sample(a, float(slope), generator)


def hard_sigmoid_probability(a: torch.Tensor, slope: float = 1.0) -> torch.Tensor:
    """The deterministic part of a BSN: p = clamp((k*a + 1)/2, 0, 1)."""
    return torch.clamp((slope * a + 1) / 2, 0, 1)


class _Stochastic(nn.Module):
    """Base of the stochastic models: `slope` (a plain float, not in the state_dict; the engine
    keeps it in the checkpoint metadata) and `generator`, the seeded torch.Generator every
    Bernoulli draw uses. `reseed(s)` restarts the stream; a fixed seed gives identical passes."""

    stochastic = True

    def __init__(self, slope: float = 1.0, seed: int = 0):
        super().__init__()
        self.slope = float(slope)
        self.generator = torch.Generator().manual_seed(seed)

    def reseed(self, seed: int) -> None:
        self.generator.manual_seed(seed)

    def bsn(self, a: torch.Tensor) -> torch.Tensor:
        return binary_stochastic(a, self.slope, self.generator)


class BSN(_Stochastic):
    """Stochastic MLP: flatten -> [fc_i -> BSN] for every hidden layer -> linear output (logits).
    Linear layers fc1..fcN with biases (PyTorch default init)."""

    def __init__(self, inputs: int, hidden: list[int] | tuple[int, ...], classes: int = 10,
                 slope: float = 1.0, seed: int = 0):
        super().__init__(slope, seed)
        sizes = [inputs, *hidden, classes]
        self.layers = len(sizes) - 1
        for i in range(self.layers):
            setattr(self, f"fc{i + 1}", nn.Linear(sizes[i], sizes[i + 1]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = torch.flatten(x, 1)
        for i in range(1, self.layers + 1):
            h = getattr(self, f"fc{i}")(h)
            if i < self.layers:
                h = self.bsn(h)
        return h


class BSN2(BSN):
    """BSN-2 (Table VIII): inputs -> 100 BSN -> classes."""

    def __init__(self, inputs: int = 784, classes: int = 10, slope: float = 1.0, seed: int = 0):
        super().__init__(inputs, [100], classes, slope, seed)


class BSN4(BSN):
    """BSN-4 (Table IX): 600-400-200 BSN on MNIST-sized inputs (<= 784), 2000-750-100 otherwise."""

    def __init__(self, inputs: int = 784, classes: int = 10, slope: float = 1.0, seed: int = 0):
        super().__init__(inputs, [600, 400, 200] if inputs <= 784 else [2000, 750, 100], classes, slope, seed)


class BSNL(_Stochastic):
    """BSN-L (section 5): conv 5x5 -> 6 (no padding) -> BSN -> max-pool 2; conv 5x5 -> 16 -> BSN
    -> max-pool 2; flatten (256 on 28x28, 400 on 32x32) -> 120 BSN -> 84 BSN -> classes.
    Slope fixed at 1 by the paper (kept settable: checkpoints record it)."""

    def __init__(self, in_channels: int = 1, classes: int = 10, image_size: int = 28,
                 slope: float = 1.0, seed: int = 0):
        super().__init__(slope, seed)
        side = ((image_size - 4) // 2 - 4) // 2
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * side * side, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(self.bsn(self.conv1(x)), 2)
        x = F.max_pool2d(self.bsn(self.conv2(x)), 2)
        x = self.bsn(self.fc1(torch.flatten(x, 1)))
        x = self.bsn(self.fc2(x))
        return self.fc3(x)


# ------------------------------------------------------------------------------------------------
# Binarised ResNets (stochastic-nets.md section 7, BinaryNet.pytorch's resnet_binary)


class _Binarize(torch.autograd.Function):
    """Deterministic: sign(x), sign(0) = 0. Stochastic: +1 with probability clamp((x+1)/2, 0, 1),
    else -1 (u ~ U[0,1) drawn from `generator`, +1 iff u < p, as the engine). Backward: identity."""

    @staticmethod
    def forward(ctx, x, stochastic, generator):
        if not stochastic:
            return torch.sign(x)
        u = torch.rand(x.shape, generator=generator, dtype=x.dtype, device=x.device)
        return torch.where(u < (x + 1) / 2, 1.0, -1.0).to(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        return grad, None, None


class _BinaryMode:
    """Shared by all binarised layers of one BNN (a plain object, so it adds no state_dict keys)."""

    def __init__(self, stochastic: bool, seed: int):
        self.stochastic = stochastic
        self.generator = torch.Generator().manual_seed(seed)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return _Binarize.apply(x, self.stochastic, self.generator)


class BinarizeConv2d(nn.Conv2d):
    """Conv without bias whose latent (real) weight is binarised at every forward pass, and whose
    input is binarised too unless it has exactly 3 channels (the RGB image entering the stem)."""

    def __init__(self, *args, mode: _BinaryMode, binarize_input: bool = True, **kwargs):
        super().__init__(*args, bias=False, **kwargs)
        self.__dict__["mode"] = mode  # not a submodule
        self.binarize_input = binarize_input

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.binarize_input and x.shape[1] != 3:
            x = self.mode(x)
        return F.conv2d(x, self.mode(self.weight), None, self.stride, self.padding)


class BinarizeLinear(nn.Linear):
    """Linear layer with binarised input and weight and a real-valued bias."""

    def __init__(self, *args, mode: _BinaryMode, **kwargs):
        super().__init__(*args, **kwargs)
        self.__dict__["mode"] = mode

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.linear(self.mode(x), self.mode(self.weight), self.bias)


class BinaryBlock(nn.Module):
    """Binary BasicBlock. binarynet: bconv -> BN -> Hardtanh -> bconv, + shortcut, then (unless
    `last`, the final block of the network) BN -> Hardtanh; `bn2` exists even when unused, as in
    BinaryNet. torchvision: bconv -> BN -> Hardtanh -> bconv -> BN, + shortcut, Hardtanh.
    Shortcut on a shape change: Sequential(bconv 1x1 stride s; BN)."""

    def __init__(self, inputs: int, width: int, stride: int, mode: _BinaryMode,
                 layout: str = "binarynet", last: bool = False):
        super().__init__()
        self.layout, self.last = layout, last
        self.conv1 = BinarizeConv2d(inputs, width, 3, stride=stride, padding=1, mode=mode)
        self.bn1 = nn.BatchNorm2d(width)
        self.conv2 = BinarizeConv2d(width, width, 3, stride=1, padding=1, mode=mode)
        self.bn2 = nn.BatchNorm2d(width)
        self.downsample = None
        if stride != 1 or inputs != width:
            self.downsample = nn.Sequential(BinarizeConv2d(inputs, width, 1, stride=stride, mode=mode),
                                            nn.BatchNorm2d(width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = F.hardtanh(self.bn1(self.conv1(x)))
        out = self.conv2(out)
        shortcut = x if self.downsample is None else self.downsample(x)
        if self.layout == "torchvision":
            return F.hardtanh(self.bn2(out) + shortcut)
        out = out + shortcut
        return out if self.last else F.hardtanh(self.bn2(out))


class BNN(nn.Module):
    """BNN-D (`stochastic=False`) / BNN-S (`stochastic=True`).

    layout="binarynet" (default, BinaryNet's resnet_binary for CIFAR, depth 18, inflate 5):
      stem bconv 3x3/1 pad 1 -> 80, BN, Hardtanh; layer1..3 = 2 binary blocks of 80/160/320
      (layer2/3 start with stride 2); the network's last block skips its BN + Hardtanh; global
      average pool (the whole final map: 8x8 on 32x32, 7x7 on MNIST) -> BN1d(320) (`bn2`) ->
      Hardtanh -> binarised linear with bias (`fc`) -> BN1d(classes) (`bn3`) = logits (the
      log-softmax of the original code is left to the loss).
    layout="torchvision": ResNet18's layout with binarised convs and fc and Hardtanh for ReLU
      (the engine's `layout=torchvision`); keys = ResNet18's.
    Init: conv weights N(0, 2/(k*k*out)), BN weight 1 bias 0, fc PyTorch's default.
    `generator` (seeded) drives BNN-S's noise; BNN-D draws nothing.
    `binarize_input=False` (the engine's `binarize_input=false`) feeds the image to the stem
    convolution unbinarised.
    """

    def __init__(self, stochastic: bool = False, in_channels: int = 1, num_classes: int = 10,
                 layout: str = "binarynet", seed: int = 0, binarize_input: bool = True):
        super().__init__()
        if layout not in ("binarynet", "torchvision"):
            raise ValueError(f"unknown layout {layout!r}; use 'binarynet' or 'torchvision'")
        self.stochastic, self.layout = stochastic, layout
        self.__dict__["mode"] = mode = _BinaryMode(stochastic, seed)
        widths = (64, 128, 256, 512) if layout == "torchvision" else (80, 160, 320)
        if layout == "torchvision":
            self.conv1 = BinarizeConv2d(in_channels, 64, 7, stride=2, padding=3, mode=mode,
                                        binarize_input=binarize_input)
        else:
            self.conv1 = BinarizeConv2d(in_channels, 80, 3, stride=1, padding=1, mode=mode,
                                        binarize_input=binarize_input)
        self.bn1 = nn.BatchNorm2d(widths[0])
        inputs = widths[0]
        for stage, width in enumerate(widths):
            stride = 1 if stage == 0 else 2
            final = stage == len(widths) - 1
            layer = nn.Sequential(BinaryBlock(inputs, width, stride, mode, layout),
                                  BinaryBlock(width, width, 1, mode, layout, last=final))
            setattr(self, f"layer{stage + 1}", layer)
            inputs = width
        if layout == "binarynet":
            self.bn2 = nn.BatchNorm1d(inputs)
        self.fc = BinarizeLinear(inputs, num_classes, mode=mode)
        if layout == "binarynet":
            self.bn3 = nn.BatchNorm1d(num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                k = m.kernel_size[0] * m.kernel_size[1]
                nn.init.normal_(m.weight, 0.0, (2.0 / (k * m.out_channels)) ** 0.5)

    @property
    def generator(self) -> torch.Generator:
        return self.mode.generator

    def reseed(self, seed: int) -> None:
        self.mode.generator.manual_seed(seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.hardtanh(self.bn1(self.conv1(x)))
        if self.layout == "torchvision":
            x = F.max_pool2d(x, kernel_size=3, stride=2, padding=1)
        for stage in range(1, 4 if self.layout == "binarynet" else 5):
            x = getattr(self, f"layer{stage}")(x)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        if self.layout == "torchvision":
            return self.fc(x)
        return self.bn3(self.fc(F.hardtanh(self.bn2(x))))


# ------------------------------------------------------------------------------------------------
# Building models by the engine's architecture names; loading the engine's checkpoints


def canonical(name: str) -> str:
    """The engine's spelling-insensitive key: `BSN-L`, `bsn_l` and `bsnl` all give `bsnl`."""
    return name.lower().replace("-", "").replace("_", "")


_ALIASES = {
    "lenet": "lenet", "lenet5": "lenet", "mlp": "mlp",
    "resnet18": "resnet18", "resnet": "resnet18",
    "bsn2": "bsn-2", "bsn4": "bsn-4", "bsnl": "bsn-l", "bsnlenet": "bsn-l",
    "bnnd": "bnn-d", "bnns": "bnn-s",
}


def build(arch: str, in_channels: int = 1, classes: int = 10, image_size: int = 28,
          params: dict[str, str] | None = None) -> nn.Module:
    """The module for the engine's architecture `arch` (any of its spellings), for square
    `in_channels` x `image_size` x `image_size` inputs. `params` are the engine's architecture
    parameters as strings (the checkpoint's `params` metadata); only the ones that change the
    module matter: `stem` (resnet18), `layout` and `binarize_input` (bnn-d/bnn-s), `hidden` (mlp)."""
    params = params or {}
    name = _ALIASES.get(canonical(arch))
    inputs = in_channels * image_size * image_size
    if name == "lenet":
        side = (image_size // 2 - 4) // 2
        return LeNet(in_channels, classes, flat=16 * side * side)
    if name == "mlp":
        return MLP(inputs, int(params.get("hidden", 100)), classes)
    if name == "resnet18":
        return ResNet18(in_channels, classes, stem=params.get("stem", "imagenet"))
    if name == "bsn-2":
        return BSN2(inputs, classes)
    if name == "bsn-4":
        return BSN4(inputs, classes)
    if name == "bsn-l":
        return BSNL(in_channels, classes, image_size)
    if name in ("bnn-d", "bnn-s"):
        return BNN(name == "bnn-s", in_channels, classes, layout=params.get("layout", "binarynet"),
                   binarize_input=params.get("binarize_input", "true") != "false")
    raise ValueError(f"unknown architecture {arch!r}; known: {sorted(set(_ALIASES.values()))}")


class Normalized(nn.Module):
    """`model((x - mean) / std)` with per-channel mean/std (the engine's input normalisation).
    mean/std are non-persistent buffers: `state_dict()` is the inner model's, prefixed `model.`."""

    def __init__(self, model: nn.Module, mean: list[float], std: list[float]):
        super().__init__()
        self.model = model
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model((x - self.mean) / self.std)


def unwrap(model: nn.Module) -> nn.Module:
    """The architecture module inside a `Normalized` wrapper (or `model` itself)."""
    return model.model if isinstance(model, Normalized) else model


def is_stochastic(model: nn.Module) -> bool:
    return bool(getattr(unwrap(model), "stochastic", False))


def parse_params(text: str) -> dict[str, str]:
    """The engine's `params` metadata (`key=value key=value ...`) as a dict of strings."""
    return dict(item.split("=", 1) for item in text.split() if "=" in item)


def load_adv_checkpoint(path: Path | str, allow_extra: bool = False) -> nn.Module:
    """Loads one of the engine's safetensors checkpoints into the matching PyTorch module.

    Reads `__metadata__` `arch`, `input_shape` (`CxHxW`), `classes`, `params`, `slope`, and
    `mean`/`std` (comma-separated per-channel floats; when present the result is
    `Normalized(model, mean, std)`). The tensors go through `load_state_dict(strict=True)`:
    a missing or unexpected key, or a shape mismatch, raises. With `allow_extra` (fixture files),
    tensors that are not state_dict keys are set aside in `model.extra_tensors` instead.
    The result is in eval mode and carries the metadata as `model.metadata`.
    """
    from safetensors_io import load_file

    tensors, meta = load_file(path, as_torch=True)
    for key in ("arch", "input_shape", "classes"):
        if key not in meta:
            raise ValueError(f"{path}: metadata has no {key!r} (not a checkpoint of the engine?)")
    shape = [int(v) for v in meta["input_shape"].split("x")]
    if len(shape) != 3 or shape[1] != shape[2]:
        raise ValueError(f"{path}: input_shape {meta['input_shape']!r} is not CxHxW with H = W")
    model = build(meta["arch"], shape[0], int(meta["classes"]), shape[1], parse_params(meta.get("params", "")))
    if "slope" in meta and isinstance(model, _Stochastic):
        model.slope = float(meta["slope"])
    extra = {}
    if allow_extra:
        keys = set(model.state_dict())
        extra = {k: v for k, v in tensors.items() if k not in keys}
        tensors = {k: v for k, v in tensors.items() if k in keys}
    model.load_state_dict(tensors, strict=True)
    if meta.get("mean") and meta.get("std"):
        mean = [float(v) for v in meta["mean"].split(",")]
        std = [float(v) for v in meta["std"].split(",")]
        if len(mean) != shape[0] or len(std) != shape[0]:
            raise ValueError(f"{path}: mean/std have {len(mean)}/{len(std)} values for {shape[0]} channels")
        model = Normalized(model, mean, std)
    model.eval()
    model.metadata = dict(meta)
    model.extra_tensors = extra
    return model


# ------------------------------------------------------------------------------------------------
# Key lists of the engine (the contract checked by running this file)

LENET_KEYS = [
    "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
    "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias",
]
MLP_KEYS = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


def _bn(prefix: str) -> list[str]:
    return [f"{prefix}.{s}" for s in ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")]


def _resnet_keys(stages: int, downsampled: tuple[int, ...]) -> list[str]:
    keys = ["conv1.weight", *_bn("bn1")]
    for stage in range(1, stages + 1):
        for block in (0, 1):
            p = f"layer{stage}.{block}"
            keys += [f"{p}.conv1.weight", *_bn(f"{p}.bn1"), f"{p}.conv2.weight", *_bn(f"{p}.bn2")]
            if block == 0 and stage in downsampled:
                keys += [f"{p}.downsample.0.weight", *_bn(f"{p}.downsample.1")]
    return keys


RESNET18_KEYS = _resnet_keys(4, (2, 3, 4)) + ["fc.weight", "fc.bias"]
BNN_KEYS = _resnet_keys(3, (2, 3)) + [*_bn("bn2"), "fc.weight", "fc.bias", *_bn("bn3")]
BSN2_KEYS = MLP_KEYS
BSN4_KEYS = [f"fc{i}.{s}" for i in range(1, 5) for s in ("weight", "bias")]
BSNL_KEYS = LENET_KEYS


if __name__ == "__main__":
    torch.manual_seed(0)
    checks = [
        ("lenet", LeNet(), LENET_KEYS, (1, 28, 28)),
        ("mlp", MLP(), MLP_KEYS, (1, 28, 28)),
        ("resnet18", ResNet18(1, 10), RESNET18_KEYS, (1, 28, 28)),
        ("bsn-2", BSN2(), BSN2_KEYS, (1, 28, 28)),
        ("bsn-4", BSN4(), BSN4_KEYS, (1, 28, 28)),
        ("bsn-l", BSNL(), BSNL_KEYS, (1, 28, 28)),
        ("bnn-d", BNN(False, 1, 10), BNN_KEYS, (1, 28, 28)),
        ("bnn-s", BNN(True, 1, 10), BNN_KEYS, (1, 28, 28)),
        ("resnet18 3x32x32", ResNet18(3, 10), RESNET18_KEYS, (3, 32, 32)),
        ("bnn-s 3x32x32", BNN(True, 3, 2), BNN_KEYS, (3, 32, 32)),
        ("bnn-d torchvision", BNN(False, 1, 10, layout="torchvision"), RESNET18_KEYS, (1, 28, 28)),
        ("bsn-l 3x32x32", BSNL(3, 10, 32), BSNL_KEYS, (3, 32, 32)),
    ]
    for name, model, keys, shape in checks:
        sd = model.state_dict()
        assert list(sd) == keys, (name, list(sd))
        model.eval()
        with torch.no_grad():
            out = model(torch.rand(2, *shape))
        assert out.shape == (2, model.fc.out_features if hasattr(model, "fc") else 10), (name, out.shape)
        params = sum(p.numel() for p in model.parameters())
        print(f"{name}: {len(sd)} keys, {params:,} parameters")
        print("  " + ", ".join(f"{k} {list(v.shape)}" for k, v in sd.items()))
    # Same key set through `build`, by the engine's names and aliases.
    for arch, keys in (("resnet18", RESNET18_KEYS), ("BSN-2", BSN2_KEYS), ("bsn_4", BSN4_KEYS),
                       ("bsnl", BSNL_KEYS), ("bnn-d", BNN_KEYS), ("BNN-S", BNN_KEYS), ("lenet", LENET_KEYS)):
        assert list(build(arch, 1, 10).state_dict()) == keys, arch
    print("all key lists match the engine's")
