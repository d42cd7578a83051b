"""Writes torch.save files of the shapes real checkpoints take, and the tensors they hold as safetensors, for
TorchSaveFileTests: a bare state dict, one wrapped as {"model": ..., "epoch": ..., "optimizer": ...} (the
training-loop habit), one as {"state_dict": ...} (Lightning's) and one nested two levels ({"model": {"encoder":
..., "decoder": ...}}), which must come back with dotted names.
Usage: /usr/bin/python3 tests/reference/torch_save_interop.py OUT_DIR
"""
import os
import sys

import torch
from torch import nn

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import safetensors_io  # noqa: E402


def main(out):
    torch.manual_seed(3)
    model = nn.Sequential(nn.Embedding(10, 4), nn.Conv1d(4, 6, 3), nn.LayerNorm(6), nn.Linear(6, 5))
    model.register_buffer("counts", torch.arange(7, dtype=torch.int64))
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    os.makedirs(out, exist_ok=True)
    torch.save(state, os.path.join(out, "bare.pt"))
    optim = torch.optim.AdamW(model.parameters())
    torch.save({"model": state, "epoch": 3, "optimizer": optim.state_dict()}, os.path.join(out, "wrapped.pt"))
    torch.save({"state_dict": state, "hparams": {"lr": 0.1}}, os.path.join(out, "lightning.pt"))
    half = {k: v for k, v in list(state.items())[:4]}
    rest = {k: v for k, v in list(state.items())[4:]}
    torch.save({"model": {"encoder": half, "decoder": rest}}, os.path.join(out, "nested.pt"))
    expected = dict(state)
    expected.update({f"encoder.{k}": v for k, v in half.items()})
    expected.update({f"decoder.{k}": v for k, v in rest.items()})
    safetensors_io.save(os.path.join(out, "expected.safetensors"), expected, {"torch": torch.__version__})


if __name__ == "__main__":
    main(sys.argv[1])
