"""Writes the torch.save fixtures that TorchCheckpointTests loads, and expected.json: for each file its tensors by
dotted name (as TorchCheckpoint.LoadStateDict names them) with dtype, shape, stride, offset, requires_grad and raw
bytes in hex, plus "aliases": an in-place fill of one tensor and the bytes another must then hold (found by doing
the same write on what torch.load returns), which is what sharing a storage means.
Usage: /usr/bin/python3 tests/reference/torch_save_fixtures.py OUT_DIR
"""
import argparse
import collections
import io
import json
import os
import pickle
import sys
import zipfile

import torch
from torch import nn


class Tiny(nn.Module):
    """Mirrors TorchCheckpointTests.Tiny: the layer kinds whose state dicts the harness loads."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(10, 4)
        self.conv = nn.Conv1d(4, 6, 3)
        self.norm = nn.LayerNorm(6)
        self.proj = nn.Linear(6, 5)

    def forward(self, ids):  # (B, T) -> (B, T - 2, 5)
        x = self.emb(ids).transpose(1, 2)  # (B, 4, T)
        x = self.conv(x).transpose(1, 2)  # (B, T - 2, 6)
        return self.proj(self.norm(x))


class TiedLM(nn.Module):
    """An output projection tied to the embedding, as in GPT-2: two state-dict keys, one storage."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(7, 3)
        self.head = nn.Linear(3, 7, bias=False)
        self.head.weight = self.emb.weight


def flatten(value, prefix, out):
    """Tensors by dotted name, exactly as TorchCheckpoint.LoadStateDict names them."""
    if isinstance(value, torch.Tensor):
        out[prefix] = value
    elif isinstance(value, dict):
        for k, v in value.items():
            name = str(k)
            flatten(v, name if not prefix else f"{prefix}.{name}", out)
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            flatten(v, f"{prefix}.{i}", out)
    return out


def raw_hex(t):
    return bytes(t.detach().reshape(-1).contiguous().view(torch.uint8).tolist()).hex()


def describe(t):
    return {
        "dtype": str(t.dtype).removeprefix("torch."),
        "shape": list(t.shape),
        "stride": list(t.stride()),
        "offset": t.storage_offset(),
        "requires_grad": t.requires_grad,
        "hex": raw_hex(t),
    }


def save(out_dir, expected, name, obj, aliases=(), **kwargs):
    path = os.path.join(out_dir, name)
    torch.save(obj, path, **kwargs)
    expect(expected, name, obj, aliases, lambda: torch.load(path))


def expect(expected, name, obj, aliases, reload):
    entry = {"tensors": {k: describe(t) for k, t in flatten(obj, "", {}).items()}, "aliases": []}
    for write, value, read in aliases:
        loaded = flatten(reload(), "", {})
        with torch.no_grad():
            loaded[write].fill_(value)
        entry["aliases"].append({"write": write, "value": value, "read": read, "hex": raw_hex(loaded[read])})
    expected[name] = entry


class _Storage:
    """One storage of a hand-written archive: what torch.save's persistent_id turns a storage into."""

    def __init__(self, key, storage_type, tensor):
        self.key, self.storage_type, self.tensor = key, storage_type, tensor


class _Call:
    """Pickles as a call of fn(*args), the way Tensor.__reduce_ex__ hands torch.save its rebuild calls."""

    def __init__(self, fn, *args):
        self.fn, self.args = fn, args

    def __reduce__(self):
        return self.fn, self.args


class _Torch2Pickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", obj.storage_type, obj.key, "cpu", obj.tensor.numel())
        return None


def _stand_in(module, name, value):
    """Makes module.name importable for the pickler (which refuses globals it cannot look up) if 1.13 lacks it."""
    if not hasattr(module, name):
        value.__module__, value.__qualname__ = module.__name__, name
        setattr(module, name, value)
    return getattr(module, name)


def save_torch2_style(out_dir, expected):
    """The records and calls PyTorch 2.x's torch.save writes, built by hand because only 1.13 is installed here:
    an archive named "archive", a byteorder record, _rebuild_tensor_v2 with its 7th (metadata) argument,
    _rebuild_parameter_with_state, and a bare UntypedStorage (persistent id numel counted in bytes)."""
    rebuild_with_state = _stand_in(torch._utils, "_rebuild_parameter_with_state",
                                   lambda data, requires_grad, hooks, state: None)
    untyped = _stand_in(torch.storage, "UntypedStorage", type("UntypedStorage", (), {}))
    floats = torch.arange(8.0)
    raw = torch.tensor([1, 2, 254, 255], dtype=torch.uint8)
    storage = _Storage("0", torch.FloatStorage, floats)
    hooks = collections.OrderedDict()
    obj = {
        "weight": _Call(torch._utils._rebuild_tensor_v2, storage, 2, (2, 3), (3, 1), False, hooks, {"tag": 1}),
        "param": _Call(rebuild_with_state,
                       _Call(torch._utils._rebuild_tensor_v2, storage, 0, (4,), (2,), False, hooks),
                       True, hooks, {"note": "state"}),
        "raw": _Storage("1", untyped, raw),
    }
    path = os.path.join(out_dir, "torch2_style.pt")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        data = io.BytesIO()
        _Torch2Pickler(data, protocol=2).dump(obj)
        z.writestr("archive/data.pkl", data.getvalue())
        z.writestr("archive/byteorder", "little")
        z.writestr("archive/data/0", bytes(floats.view(torch.uint8).tolist()))
        z.writestr("archive/data/1", bytes(raw.tolist()))
        z.writestr("archive/version", "3\n")
        z.writestr("archive/.data/version", "3\n")

    def load():
        """What 2.x's torch.load returns (1.13's cannot read the file): views of one float storage, and the bytes."""
        storage = floats.clone()
        return {
            "weight": storage.as_strided((2, 3), (3, 1), 2),
            "param": nn.Parameter(storage.as_strided((4,), (2,), 0)),
            "raw": raw.clone(),
        }

    expect(expected, "torch2_style.pt", load(), [("param", -3.0, "weight")], load)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    out_dir = parser.parse_args().out_dir
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1234)
    expected = {}

    tiny = Tiny()
    save(out_dir, expected, "module_state.pt", tiny.state_dict())

    # A training checkpoint: the model, AdamW state after one step (int keys, 0-d 'step' tensors), plain values.
    optimizer = torch.optim.AdamW(tiny.parameters(), lr=1e-3)
    tiny(torch.randint(0, 10, (2, 5))).square().mean().backward()
    optimizer.step()
    checkpoint = {
        "model": tiny.state_dict(),
        "optimizer": optimizer.state_dict(),
        "epoch": 3,
        "best_wer": 0.125,
        "name": "tiny-ctc",
        "history": [1.5, 1.25, None],
        "betas": (0.9, 0.98),
        "done": True,
        "big": 2**70,
        "negative": -123456789012,
        "blob": b"\x00\x01\xfe\xff",
        "buffer": bytearray(b"ok"),
        "tags": {"a", "b"},
        "raw_param": nn.Parameter(torch.arange(3.0)),
        "leaf": torch.ones(2, requires_grad=True),
    }
    save(out_dir, expected, "checkpoint.pt", checkpoint)

    tied = TiedLM()
    save(out_dir, expected, "tied.pt", tied.state_dict(), aliases=[("emb.weight", 0.5, "head.weight")])

    base = torch.arange(24.0).reshape(4, 6)
    views = {
        "base": base,
        "t": base.t(),  # stride (1, 6)
        "slice": base[1:3, 2:5],  # offset 8, stride (6, 1)
        "row": base[2],  # offset 12
        "every_other": base[:, ::2],  # stride (6, 2)
        "alone": torch.arange(10)[3:7],  # the whole 10-element storage is saved; offset 3
    }
    save(out_dir, expected, "views.pt", views,
         aliases=[("slice", 100.0, "base"), ("slice", 100.0, "t"), ("row", -1.0, "every_other")])

    special = [0.0, -0.0, 1.0, -2.5, float("inf"), float("-inf"), float("nan"), 1e-40, 3.4e38]
    dtypes = {
        "float32": torch.tensor(special, dtype=torch.float32),
        "float16": torch.tensor(special[:8] + [65504.0], dtype=torch.float16),
        "bfloat16": torch.tensor(special, dtype=torch.bfloat16),
        "float64": torch.tensor(special + [1e-310, 1.7e308], dtype=torch.float64),
        "int64": torch.tensor([0, -1, 2**63 - 1, -(2**63), 42]),
        "int32": torch.tensor([0, -1, 2**31 - 1, -(2**31)], dtype=torch.int32),
        "int16": torch.tensor([0, -1, 2**15 - 1, -(2**15)], dtype=torch.int16),
        "int8": torch.tensor([0, -1, 127, -128], dtype=torch.int8),
        "uint8": torch.tensor([0, 1, 128, 255], dtype=torch.uint8),
        "bool": torch.tensor([True, False, True]),
        "matrix": torch.randn(3, 4, dtype=torch.float64),
        "scalar": torch.tensor(3.5),
        "scalar_int": torch.tensor(-7),
        "empty": torch.zeros(0, 3),
        "empty_1d": torch.tensor([], dtype=torch.int32),
    }
    save(out_dir, expected, "dtypes.pt", dtypes)

    # Protocols 4 and 5 bring FRAME, MEMOIZE, STACK_GLOBAL, SHORT_BINUNICODE, SHORT_BINBYTES, BINBYTES,
    # EMPTY_SET/ADDITEMS, FROZENSET and (5) BYTEARRAY8 into data.pkl.
    for protocol in (4, 5):
        newer = {
            "set": {1, 2},
            "frozen": frozenset([3]),
            "short_bytes": b"ab",
            "long_bytes": bytes(range(256)) * 2,
            "buffer": bytearray(b"cd"),
            "text": "h\u00e9llo \u2713",
            "big": 2**70,
            "weight": torch.linspace(-1, 1, 5),
            "nested": collections.OrderedDict([("b", torch.tensor([1, 2], dtype=torch.int16))]),
        }
        save(out_dir, expected, f"protocol{protocol}.pt", newer, pickle_protocol=protocol)

    save_torch2_style(out_dir, expected)

    # Files that must be refused with a clear message (not described in expected.json).
    torch.save({"w": torch.ones(2)}, os.path.join(out_dir, "legacy.pt"), _use_new_zipfile_serialization=False)
    # The tensor comes first, so refusing the Namespace must also free the storage already read.
    torch.save({"w": torch.ones(2), "args": argparse.Namespace(lr=0.1)}, os.path.join(out_dir, "unknown_global.pt"))
    torch.jit.save(torch.jit.script(nn.Linear(2, 2)), os.path.join(out_dir, "scripted.pt"))

    with open(os.path.join(out_dir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"torch_version": torch.__version__, "files": expected}, f, indent=1)
    print(f"wrote {len(expected)} fixtures to {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
