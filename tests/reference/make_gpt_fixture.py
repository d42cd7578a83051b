"""Generates tests/fixtures/gpt_parity.safetensors: a 2-layer GPT with fixed weights, one batch, and what
PyTorch computes for it (logits, loss, every parameter gradient, parameters after two AdamW steps with
gradient clipping). The C# parity test must reproduce all of it within 1e-5 (CPU).

Logits, loss and gradients are float32. The two AdamW steps run in float64 (from the same float32 weights):
the key part of every attention bias has an analytically zero gradient (softmax ignores a shift shared by all
keys of a query), so in float32 its gradient is rounding noise of ~1e-9 whose value depends on the CPU's
kernels, and Adam's m / (sqrt(v) + eps) turns any noise above eps = 1e-8 into a full step of +-lr. In float32
that made two CPUs disagree by 7.5e-4 on `h.0.attn.c_attn.bias`; in float64 the noise is ~1e-17, far below eps,
and the steps are the same on every x86-64 CPU.

Usage: /usr/bin/python3 tests/reference/make_gpt_fixture.py tests/fixtures/gpt_parity.safetensors
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import safetensors_io  # noqa: E402

CONFIG = dict(vocab_size=97, block_size=16, layers=2, heads=2, embd=32)
B, T = 3, 11
LR, BETAS, EPS, WEIGHT_DECAY, CLIP = 1e-2, (0.9, 0.95), 1e-8, 0.1, 1.0


class CausalSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c["heads"]
        self.c_attn = nn.Linear(c["embd"], 3 * c["embd"])
        self.c_proj = nn.Linear(c["embd"], c["embd"])

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        q = q.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        k = k.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        v = v.view(b, t, self.heads, c // self.heads).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        causal = torch.ones(t, t, dtype=torch.bool).triu(1)
        att = att.masked_fill(causal, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, c)
        return self.c_proj(y)


class Mlp(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c_fc = nn.Linear(c["embd"], 4 * c["embd"])
        self.c_proj = nn.Linear(4 * c["embd"], c["embd"])

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x)))


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.ln_1 = nn.LayerNorm(c["embd"])
        self.attn = CausalSelfAttention(c)
        self.ln_2 = nn.LayerNorm(c["embd"])
        self.mlp = Mlp(c)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Gpt(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.wte = nn.Embedding(c["vocab_size"], c["embd"])
        self.wpe = nn.Embedding(c["block_size"], c["embd"])
        self.h = nn.ModuleList([Block(c) for _ in range(c["layers"])])
        self.ln_f = nn.LayerNorm(c["embd"])

    def forward(self, idx):
        pos = torch.arange(idx.size(1))
        x = self.wte(idx) + self.wpe(pos)
        for block in self.h:
            x = block(x)
        return F.linear(self.ln_f(x), self.wte.weight)  # tied output projection


def main(out_path):
    torch.manual_seed(1234)
    model = Gpt(CONFIG)
    with torch.no_grad():  # non-trivial LayerNorm affines so their gradients are exercised
        for name, p in model.named_parameters():
            if ".ln_" in name or name.startswith("ln_"):
                p.add_(0.1 * torch.randn_like(p))
    idx = torch.randint(0, CONFIG["vocab_size"], (B, T))
    targets = torch.randint(0, CONFIG["vocab_size"], (B, T))
    targets[0, :3] = -1  # ignored positions, like a prompt under loss masking
    targets[2, -2:] = -1

    out = {f"param.{n}": p.detach().clone() for n, p in model.named_parameters()}
    out["input.idx"], out["input.targets"] = idx, targets

    logits = model(idx)
    loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
    loss.backward()
    out["expected.logits"] = logits.detach()
    out["expected.loss"] = loss.detach()
    for n, p in model.named_parameters():
        out[f"expected.grad.{n}"] = p.grad.detach().clone()

    model.zero_grad(set_to_none=True)
    model.double()
    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY, foreach=False)
    for _ in range(2):
        logits = model(idx)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        loss.backward()
        out["expected.step.grad_norm"] = torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP).detach().reshape(())
        opt.step()
        opt.zero_grad(set_to_none=True)
    for n, p in model.named_parameters():
        out[f"expected.step2.{n}"] = p.detach().clone()

    meta = {"config": json.dumps(CONFIG), "torch": torch.__version__,
            "adamw": json.dumps(dict(lr=LR, betas=BETAS, eps=EPS, weight_decay=WEIGHT_DECAY, clip=CLIP, dtype="float64")),
            "generator": "tests/reference/make_gpt_fixture.py"}
    safetensors_io.save(out_path, out, meta)


if __name__ == "__main__":
    main(sys.argv[1])
