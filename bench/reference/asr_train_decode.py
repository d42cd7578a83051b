# The PyTorch-eager reference for bench/Sld.Bench.Bench.Asr: the decoder-only ASR model of
# harness/Sld.Bench/Model/AsrModel.cs (GPT-2 style: learned positions, pre-LN, manual attention with a key/value
# cache, exact GELU, tied embeddings) loaded from the same safetensors weights, trained with the SLD loss as the
# authors' run_clm.py computes it (CE text + CE speech + alpha * KL, code form), then greedy decoding with a KV
# cache over left-padded prompts. Prints one JSON line. Run with /usr/bin/python3 (Debian's torch = our libtorch).
import argparse
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn as nn
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "reference"))
import safetensors_io  # noqa: E402

PAD, SPEECH_END, TEXT_END, SPECIALS = 0, 1, 2, 4
TEXT_UNITS = 28


class CausalSelfAttention(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.n_head = n_head
        self.c_attn = nn.Linear(n_embd, 3 * n_embd)
        self.c_proj = nn.Linear(n_embd, n_embd)

    def forward(self, x, mask, past):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)  # (B, H, T, hs)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))  # (B, H, T, S)
        att = att.masked_fill(~mask, float("-inf"))
        y = F.softmax(att, dim=-1) @ v
        return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C)), (k, v)


class Block(nn.Module):
    def __init__(self, n_embd, n_head):
        super().__init__()
        self.ln_1 = nn.LayerNorm(n_embd)
        self.attn = CausalSelfAttention(n_embd, n_head)
        self.ln_2 = nn.LayerNorm(n_embd)
        self.mlp = nn.ModuleDict({"c_fc": nn.Linear(n_embd, 4 * n_embd), "c_proj": nn.Linear(4 * n_embd, n_embd)})

    def forward(self, x, mask, past):
        a, present = self.attn(self.ln_1(x), mask, past)
        x = x + a
        h = self.ln_2(x)
        return x + self.mlp["c_proj"](F.gelu(self.mlp["c_fc"](h))), present


class Gpt(nn.Module):
    def __init__(self, vocab, block, layers, heads, width):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(block, width)
        self.h = nn.ModuleList([Block(width, heads) for _ in range(layers)])
        self.ln_f = nn.LayerNorm(width)

    def forward(self, idx, pos, mask, past=None):
        x = self.wte(idx) + self.wpe(pos)
        presents = []
        for i, block in enumerate(self.h):
            x, p = block(x, mask, None if past is None else past[i])
            presents.append(p)
        return F.linear(self.ln_f(x), self.wte.weight), presents  # tied output projection


class AsrModel(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.gpt = Gpt(**kw)


def utterance(b, speech, text, K):
    """The benchmark's deterministic utterance b, identical to the C# worker's."""
    s = speech + (b * 37 % 64) - 32
    m = text + (b * 13 % 20) - 10
    ids = [SPECIALS + TEXT_UNITS + (b * 31 + t * 7) % K for t in range(s)]
    units = [SPECIALS + (b * 5 + j * 3) % TEXT_UNITS for j in range(m)]
    return ids, units


def train_batch(a):
    rows = [utterance(b, a.speech, a.text, a.K) for b in range(a.batch)]
    seqs = [ids + [SPEECH_END] + units + [TEXT_END] for ids, units in rows]
    T = max(len(s) for s in seqs)
    idx = torch.tensor([s + [PAD] * (T - len(s)) for s in seqs])
    labels = torch.tensor([s + [-100] * (T - len(s)) for s in seqs])
    mask = torch.tensor([[1] * len(s) + [0] * (T - len(s)) for s in seqs])
    return idx, labels, mask, sum(len(s) for s in seqs)


def sld_loss(logits, labels, mask, K, alpha=0.008, eps=0.1, temperature=1.0):
    """run_clm.py's all_loss, with our vocabulary (speech tokens are the last K ids)."""
    speech_offset = logits.size(-1) - K
    shift_logits = logits[:, :-1, -K:].contiguous() * mask[:, :-1].unsqueeze(-1) + 1e-9
    temp = (labels[:, 1:] - speech_offset) * mask[:, 1:]
    temp[temp < 0] = 0
    one_hot = F.one_hot(temp, num_classes=K)
    teacher = (one_hot * (1 - eps) + eps / K) * mask[:, 1:].unsqueeze(-1) + 1e-9
    kl = nn.KLDivLoss(reduction="batchmean")(F.log_softmax(shift_logits / temperature, -1),
                                              F.softmax(teacher / temperature, -1)) * temperature ** 2
    flat = logits[:, :-1].reshape(-1, logits.size(-1))
    shift = labels[:, 1:].reshape(-1)
    is_speech = (shift == SPEECH_END) | (shift >= speech_offset)
    ce_text = F.cross_entropy(flat, torch.where(is_speech, -100, shift), ignore_index=-100)
    ce_speech = F.cross_entropy(flat, torch.where(is_speech, shift, -100), ignore_index=-100)
    return ce_text + ce_speech + alpha * kl


@torch.no_grad()
def greedy(model, prompts, max_new, vocab):
    """Batched greedy decoding with a KV cache over left-padded prompts; returns tokens generated."""
    allowed = torch.zeros(vocab, dtype=torch.bool)
    allowed[SPECIALS:SPECIALS + TEXT_UNITS] = True
    allowed[TEXT_END] = True
    B, P = len(prompts), max(len(p) for p in prompts)
    idx = torch.tensor([[PAD] * (P - len(p)) + p for p in prompts])
    valid = torch.tensor([[False] * (P - len(p)) + [True] * len(p) for p in prompts])
    pos = (valid.long().cumsum(1) - 1).clamp(min=0)
    causal = torch.ones(P, P, dtype=torch.bool).tril()
    mask = causal & (valid.view(B, 1, 1, P) | torch.eye(P, dtype=torch.bool))
    logits, past = model.gpt(idx, pos, mask)
    logits = logits[:, -1]
    next_pos = pos[:, -1] + 1
    done = torch.zeros(B, dtype=torch.bool)
    generated = 0
    for _ in range(max_new):
        token = logits.masked_fill(~allowed, float("-inf")).argmax(-1)
        generated += int((~done).sum())
        done |= token == TEXT_END
        if bool(done.all()):
            break
        token = torch.where(done, PAD, token)
        valid = torch.cat([valid, torch.ones(B, 1, dtype=torch.bool)], 1)
        logits, past = model.gpt(token.view(B, 1), next_pos.view(B, 1), valid.view(B, 1, 1, -1), past)
        logits = logits[:, -1]
        next_pos = next_pos + 1
    return generated


def main():
    ap = argparse.ArgumentParser()
    for name, default in [("threads", 2), ("layers", 4), ("width", 256), ("heads", 4), ("block", 512), ("K", 500),
                          ("batch", 8), ("speech", 200), ("text", 50), ("warmup", 2), ("steps", 8),
                          ("decode_utts", 16), ("decode_batch", 16), ("max_new", 60), ("decode_passes", 2)]:
        ap.add_argument("--" + name.replace("_", "-"), type=int, default=default)
    ap.add_argument("--weights", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    vocab = SPECIALS + TEXT_UNITS + a.K
    model = AsrModel(vocab=vocab, block=a.block, layers=a.layers, heads=a.heads, width=a.width)
    state, _ = safetensors_io.load(a.weights)
    model.load_state_dict(state, strict=True)

    # Decoding first, from the shared weights (training changes them).
    model.eval()
    utts = [utterance(b, a.speech, a.text, a.K)[0] + [SPEECH_END] for b in range(a.decode_utts)]
    utts.sort(key=len, reverse=True)  # longest first, as the C# decoder batches
    rates, cpu_rates, tokens = [], [], 0
    for _ in range(a.decode_passes + 1):
        start, cpu, tokens = time.perf_counter(), time.process_time(), 0
        for i in range(0, len(utts), a.decode_batch):
            tokens += greedy(model, utts[i:i + a.decode_batch], a.max_new, vocab)
        rates.append(len(utts) / (time.perf_counter() - start))
        cpu_rates.append(len(utts) / (time.process_time() - cpu))
    decode_rate = statistics.median(rates[1:])  # the first pass warms up

    model.train()
    params = list(model.parameters())
    optimizer = torch.optim.AdamW([{"params": [p for p in params if p.dim() >= 2], "weight_decay": 0.01},
                                   {"params": [p for p in params if p.dim() < 2], "weight_decay": 0.0}], lr=3e-4)
    idx, labels, mask, n_tokens = train_batch(a)
    T = idx.size(1)
    pos = torch.arange(T)
    causal = torch.ones(T, T, dtype=torch.bool).tril()
    step_times, step_cpu, losses = [], [], []
    for step in range(a.warmup + a.steps):
        start, cpu = time.perf_counter(), time.process_time()
        logits, _ = model.gpt(idx, pos, causal)
        loss = sld_loss(logits, labels, mask, a.K)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if step >= a.warmup:
            step_times.append(time.perf_counter() - start)
            step_cpu.append(time.process_time() - cpu)
    print(json.dumps({"implementation": "pytorch-eager", "train_tokens_per_s": n_tokens / statistics.median(step_times),
                      "train_tokens_per_cpu_s": n_tokens / statistics.median(step_cpu),
                      "train_tokens_per_step": n_tokens, "first_loss": losses[0], "decode_utterances_per_s": decode_rate,
                      "decode_utterances_per_cpu_s": statistics.median(cpu_rates[1:]),
                      "decode_tokens": tokens, "torch": torch.__version__}))


if __name__ == "__main__":
    main()
