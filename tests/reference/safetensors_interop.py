"""The reference side of the safetensors interop test.

  write PATH   writes tensors of every dtype Sld.Bench reads, with values from formula(); the C# test
               computes the same formula with the same libtorch and compares bit-exactly.
  verify PATH  reads a file written by Sld.Bench, checks each tensor against formula() bit-exactly and the
               metadata, and prints a JSON report; exit status 1 on any mismatch.
Run with /usr/bin/python3.
"""
import json
import sys

import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import safetensors_io  # noqa: E402

SHAPES = {"float32": [3, 5], "float16": [4, 2], "bfloat16": [7], "float64": [2, 2, 2], "int64": [6],
          "int32": [2, 3], "int16": [5], "int8": [4], "uint8": [9], "bool": [3, 3], "scalar": [], "empty": [0, 4]}
TYPES = {"float32": torch.float32, "float16": torch.float16, "bfloat16": torch.bfloat16, "float64": torch.float64,
         "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8,
         "bool": torch.bool, "scalar": torch.float32, "empty": torch.float32}


def formula(name):
    """arange * 0.37 - 1.5 in float64, cast to the target type (bool: every third element)."""
    shape, dtype = SHAPES[name], TYPES[name]
    n = 1
    for s in shape:
        n *= s
    base = torch.arange(n, dtype=torch.float64)
    if dtype == torch.bool:
        return (base.remainder(3) == 0).reshape(shape)
    if dtype in (torch.uint8,):
        return (base * 7).remainder(256).to(dtype).reshape(shape)
    return (base * 0.37 - 1.5).to(dtype).reshape(shape)


def main():
    mode, path = sys.argv[1], sys.argv[2]
    if mode == "write":
        safetensors_io.save(path, {k: formula(k) for k in SHAPES}, {"written_by": "reference", "torch": torch.__version__})
        return 0
    tensors, metadata = safetensors_io.load(path)
    report = {"metadata": metadata, "mismatches": []}
    for name in SHAPES:
        if name not in tensors:
            report["mismatches"].append(f"{name}: missing")
            continue
        t, want = tensors[name], formula(name)
        if t.dtype != want.dtype or list(t.shape) != list(want.shape) or not torch.equal(t, want):
            report["mismatches"].append(f"{name}: got {t.dtype} {list(t.shape)}")
    print(json.dumps(report))
    return 1 if report["mismatches"] else 0


if __name__ == "__main__":
    sys.exit(main())
