"""Minimal safetensors writer and reader (no dependency on the `safetensors` package).

File layout (https://github.com/huggingface/safetensors, "Format"):
    8 bytes   N, unsigned little-endian: byte length of the header
    N bytes   UTF-8 JSON object:
                {"<name>": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...,
                 "__metadata__": {"<str>": "<str>"}}          (metadata optional)
              padded with spaces so that the data starts at an 8-byte aligned offset
    rest      the tensors' raw little-endian bytes; data_offsets are relative to the start of
              this region, tensors are contiguous and together cover it without holes.

The Swift engine (Sources/AdvNN/Checkpoints/SafeTensors.swift) reads F32 and I64; the other
dtypes are here so that files written by other tools can be inspected.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Mapping

import numpy as np

# safetensors dtype name <-> numpy dtype, always little-endian on disk.
_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_NAMES = {dt: name for name, dt in _DTYPES.items()}

# The reference implementation refuses headers above 100 MB; doing the same protects against
# reading a random file's first 8 bytes as a gigantic length.
_MAX_HEADER = 100_000_000


def _as_numpy(value) -> np.ndarray:
    """Accepts numpy arrays and torch tensors (imported lazily so numpy-only users need no torch)."""
    if isinstance(value, np.ndarray):
        return value
    if hasattr(value, "detach"):  # torch.Tensor
        return value.detach().cpu().contiguous().numpy()
    return np.asarray(value)


def serialize(tensors: Mapping[str, object], metadata: Mapping[str, str] | None = None) -> bytes:
    """Returns the bytes of a safetensors file holding `tensors` in insertion order."""
    header: dict[str, object] = {}
    if metadata:
        # The format only allows str -> str metadata; the Swift reader drops anything else.
        bad = {k: v for k, v in metadata.items() if not (isinstance(k, str) and isinstance(v, str))}
        if bad:
            raise TypeError(f"metadata keys and values must be str, got {bad!r}")
        header["__metadata__"] = dict(metadata)
    chunks: list[bytes] = []
    offset = 0
    for name, value in tensors.items():
        if name == "__metadata__":
            raise ValueError("'__metadata__' is reserved")
        array = _as_numpy(value)
        # Compare by value: big-endian input still maps to its name and is converted below.
        little = array.dtype.newbyteorder("<")
        name_dt = next((n for n, d in _DTYPES.items() if d == little), None)
        if name_dt is None:
            raise TypeError(f"tensor {name!r}: unsupported dtype {array.dtype}")
        data = np.ascontiguousarray(array, dtype=_DTYPES[name_dt]).tobytes()
        header[name] = {"dtype": name_dt, "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    encoded = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    # Pad with spaces (valid JSON whitespace) so the tensor data is 8-byte aligned in the file,
    # which lets readers map it directly as typed arrays.
    encoded += b" " * (-len(encoded) % 8)
    return struct.pack("<Q", len(encoded)) + encoded + b"".join(chunks)


def save_file(tensors: Mapping[str, object], path: Path | str,
              metadata: Mapping[str, str] | None = None) -> int:
    """Writes `tensors` (numpy arrays or torch tensors) to `path`; returns the file size."""
    blob = serialize(tensors, metadata)
    Path(path).write_bytes(blob)
    return len(blob)


def deserialize(blob: bytes) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """Parses safetensors bytes into ({name: numpy array}, metadata), validating the layout."""
    if len(blob) < 8:
        raise ValueError("shorter than the 8-byte header length")
    (n,) = struct.unpack("<Q", blob[:8])
    if n > _MAX_HEADER or 8 + n > len(blob):
        raise ValueError(f"header length {n} exceeds the file ({len(blob)} bytes)")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    if not isinstance(header, dict):
        raise ValueError("header is not a JSON object")
    metadata = header.pop("__metadata__", None) or {}
    data = memoryview(blob)[8 + n:]
    tensors: dict[str, np.ndarray] = {}
    spans = []
    for name, entry in header.items():
        dtype = _DTYPES.get(entry.get("dtype"))
        if dtype is None:
            raise ValueError(f"tensor {name!r}: unsupported dtype {entry.get('dtype')!r}")
        shape = [int(d) for d in entry["shape"]]
        begin, end = (int(o) for o in entry["data_offsets"])
        if not 0 <= begin <= end <= len(data):
            raise ValueError(f"tensor {name!r}: offsets {begin}..{end} outside the data")
        if end - begin != int(np.prod(shape, dtype=np.int64)) * dtype.itemsize:
            raise ValueError(f"tensor {name!r}: {end - begin} bytes do not match shape {shape}")
        spans.append((begin, end, name))
        # Copy so the arrays stay valid and writable after `blob` goes away.
        tensors[name] = np.frombuffer(data[begin:end], dtype=dtype).reshape(shape).copy()
    # Like the reference reader, require the tensors to tile the data region exactly: holes or
    # overlaps mean the file was not written by a conforming writer.
    position = 0
    for begin, end, name in sorted(spans):
        if begin != position:
            raise ValueError(f"tensor {name!r} starts at {begin}, expected {position} (hole or overlap)")
        position = end
    if position != len(data):
        raise ValueError(f"{len(data) - position} trailing bytes after the last tensor")
    return tensors, dict(metadata)


def load_file(path: Path | str, as_torch: bool = False):
    """Reads `path`; returns (tensors, metadata). Tensors are numpy arrays, or torch tensors."""
    tensors, metadata = deserialize(Path(path).read_bytes())
    if as_torch:
        import torch

        tensors = {k: torch.from_numpy(v) for k, v in tensors.items()}
    return tensors, metadata


if __name__ == "__main__":
    import sys

    if len(sys.argv) != 2:
        sys.exit("usage: safetensors_io.py FILE   (prints the tensor list and metadata)")
    ts, meta = load_file(sys.argv[1])
    for k, v in ts.items():
        print(f"{k:20s} {_NAMES[v.dtype]:4s} {list(v.shape)}")
    for k, v in meta.items():
        print(f"__metadata__.{k} = {v}")
