"""Reader for the embedded MNIST subset (IDX files, gzip-compressed).

Reads the same files as the Swift engine (Sources/AdvData/Resources/mnist-5k/) so that the
PyTorch fixtures and benchmarks see exactly the pixels our engine sees: uint8 scaled to [0, 1]
as float32, NCHW, no normalisation.

Usage:
    from mnist_idx import load_mnist
    (x_train, y_train), (x_test, y_test) = load_mnist()
"""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ROOT = REPO / "Sources" / "AdvData" / "Resources" / "mnist-5k"

# Magic numbers: two zero bytes, the element type (0x08 = unsigned byte) and the number of
# dimensions. Checking them catches a swapped images/labels file early, before shapes go wrong.
IMAGES_MAGIC = 0x00000803
LABELS_MAGIC = 0x00000801


def read_idx(path: Path | str, expected_magic: int) -> np.ndarray:
    """Returns the IDX array stored in `path` (gzip or plain) as uint8 with its stored shape."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4:
        raise ValueError(f"{path}: too short for an IDX header")
    (magic,) = struct.unpack(">I", raw[:4])
    if magic != expected_magic:
        raise ValueError(f"{path}: magic 0x{magic:08x}, expected 0x{expected_magic:08x}")
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"{path}: header truncated")
    shape = struct.unpack(f">{ndim}I", raw[4:header])
    count = int(np.prod(shape))
    # A short or over-long payload means a corrupt or mislabelled file; refuse both rather than
    # silently reshaping garbage.
    if len(raw) - header != count:
        raise ValueError(f"{path}: payload has {len(raw) - header} bytes, shape {shape} needs {count}")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_split(split: str, root: Path | str = DEFAULT_ROOT, as_torch: bool = True):
    """Loads `split` ("train" or "t10k") as (images [N,1,H,W] float32 in [0,1], labels [N] int64).

    Returns torch tensors when `as_torch` (default), numpy arrays otherwise.
    """
    if split not in ("train", "t10k"):
        raise ValueError(f"unknown split {split!r}; use 'train' or 't10k'")
    root = Path(root)
    images = read_idx(root / f"{split}-images-idx3-ubyte.gz", IMAGES_MAGIC)
    labels = read_idx(root / f"{split}-labels-idx1-ubyte.gz", LABELS_MAGIC)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{split}: {images.shape[0]} images but {labels.shape[0]} labels")
    # Divide in float32 (not float64 then cast) to match the engine's uint8 -> Float conversion.
    x = (images.astype(np.float32) / np.float32(255.0))[:, None, :, :]
    y = labels.astype(np.int64)
    if not as_torch:
        return x, y
    import torch

    return torch.from_numpy(np.ascontiguousarray(x)), torch.from_numpy(y)


def load_mnist(root: Path | str = DEFAULT_ROOT, as_torch: bool = True):
    """Returns ((train images, train labels), (test images, test labels))."""
    return load_split("train", root, as_torch), load_split("t10k", root, as_torch)


if __name__ == "__main__":
    (xtr, ytr), (xte, yte) = load_mnist(as_torch=False)
    print(f"train {xtr.shape} {xtr.dtype} labels {np.bincount(ytr).tolist()}")
    print(f"test  {xte.shape} {xte.dtype} labels {np.bincount(yte).tolist()}")
    print(f"pixel range [{xtr.min()}, {xtr.max()}]")
