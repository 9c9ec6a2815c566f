"""PyTorch twins of the Swift architectures used for parity fixtures and benchmarks.

The attribute names are part of the contract: `state_dict()` keys (conv1.weight, fc1.bias, ...)
are exactly the parameter names of Sources/AdvNN/Architectures/{LeNet,MLP}.swift, so a
checkpoint written from these modules loads into the engine without renaming.
Layouts follow PyTorch: conv weights [out, in, kh, kw], linear weights [out, in].
"""

from __future__ import annotations

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


LENET_KEYS = [
    "conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias",
    "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias",
]
MLP_KEYS = ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]


if __name__ == "__main__":
    for model, keys in ((LeNet(), LENET_KEYS), (MLP(), MLP_KEYS)):
        sd = model.state_dict()
        assert list(sd) == keys, list(sd)
        out = model(torch.zeros(2, 1, 28, 28))
        assert out.shape == (2, 10)
        print(type(model).__name__, {k: list(v.shape) for k, v in sd.items()})
