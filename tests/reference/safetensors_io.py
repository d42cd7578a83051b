"""A minimal, independent safetensors reader and writer for the reference scripts.

Debian ships no `safetensors` package, so this follows the published format directly: an 8-byte
little-endian header length, a JSON header (dtype, shape, data_offsets per tensor, optional
__metadata__ of strings), then the raw little-endian bytes. Run with /usr/bin/python3 (Debian's torch).
"""
import json
import struct

import torch

DTYPES = {
    "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8,
    "U8": torch.uint8, "BOOL": torch.bool,
}
CODES = {v: k for k, v in DTYPES.items()}


def save(path, tensors, metadata=None):
    """Writes tensors in the reference layout: larger element types first, then by name."""
    items = sorted(tensors.items(), key=lambda kv: (-kv[1].element_size(), kv[0]))
    header, offset, blobs = {}, 0, []
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in items:
        t = t.detach().cpu().contiguous()
        data = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": CODES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(",", ":")).encode("utf-8")
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def load(path):
    """Returns (tensors, metadata); checks that the data is covered exactly, without holes or overlaps."""
    with open(path, "rb") as f:
        blob = f.read()
    (n,) = struct.unpack("<Q", blob[:8])
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    tensors, expected = {}, 0
    for name, spec in sorted(header.items(), key=lambda kv: kv[1]["data_offsets"][0]):
        begin, end = spec["data_offsets"]
        assert begin == expected, f"{name}: hole or overlap at {begin}"
        expected = end
        dtype = DTYPES[spec["dtype"]]
        raw = bytearray(data[begin:end])
        flat = torch.frombuffer(raw, dtype=torch.uint8) if raw else torch.empty(0, dtype=torch.uint8)
        t = flat.view(dtype) if raw else torch.empty(0, dtype=dtype)
        tensors[name] = t.reshape(spec["shape"]).clone()
    assert expected == len(data), f"data is {len(data)} bytes but tensors cover {expected}"
    return tensors, metadata
