# An independent check of a demo recipe, written directly in PyTorch + torchaudio + scikit-learn (no Sld.Bench
# code): Kaldi fbank or MFCC at 50 Hz with per-utterance CMVN -> MiniBatchKMeans(K) -> deduplicated units -> a
# tiny GPT (learned positions) trained on `units <speech_end> text <text_end>` with loss on the text only, then
# greedy decoding of 100 dev utterances. It tells a recipe that cannot learn in the budget from a harness bug.
# Usage: /usr/bin/python3 bench/reference/demo_recipe_pytorch.py --corpus DIR [--feat mfcc] [--units word] [--steps N]
# (DIR from `sldbench corpus synth --preset demo -o DIR`). experiments/RESULTS.md has what it measured.
import json, math, random, sys, time, os, argparse
import torch, torchaudio, numpy as np
from sklearn.cluster import MiniBatchKMeans
ap = argparse.ArgumentParser()
ap.add_argument('--corpus', default='/tmp/exp5/corpus'); ap.add_argument('--K', type=int, default=100)
ap.add_argument('--steps', type=int, default=800); ap.add_argument('--layers', type=int, default=2); ap.add_argument('--width', type=int, default=128)
ap.add_argument('--lr', type=float, default=3e-3); ap.add_argument('--batch_tokens', type=int, default=2048); ap.add_argument('--dedup', type=int, default=1)
ap.add_argument('--feat', default='fbank'); ap.add_argument('--units', default='char'); ap.add_argument('--speech_loss', type=float, default=0.0)
a = ap.parse_args()
torch.set_num_threads(2); torch.manual_seed(0); random.seed(0)
def load(split, n=None):
    rows = [json.loads(l) for l in open(f'{a.corpus}/{split}.jsonl')][:n]
    out = []
    for r in rows:
        w, sr = torchaudio.load(f"{a.corpus}/{r['audio']}")
        if a.feat == 'fbank': f = torchaudio.compliance.kaldi.fbank(w * 32768, num_mel_bins=80, dither=0.0)
        else: f = torchaudio.compliance.kaldi.mfcc(w * 32768, num_ceps=13, dither=0.0)
        f = (f - f.mean(0)) / (f.std(0) + 1e-5)
        T = f.shape[0] // 2 * 2; f = f[:T].view(T // 2, 2, -1).mean(1)
        out.append((f.numpy(), r['text']))
    return out
t0 = time.time(); train = load('train'); dev = load('dev', 100); print('features', time.time() - t0, flush=True)
frames = np.concatenate([f for f, _ in train]); idx = np.random.RandomState(0).permutation(len(frames))[:200000]
km = MiniBatchKMeans(a.K, random_state=0, n_init=1, batch_size=4096).fit(frames[idx]); print('kmeans', time.time() - t0, flush=True)
def tok(f):
    t = km.predict(f).tolist()
    return [x for i, x in enumerate(t) if i == 0 or x != t[i - 1]] if a.dedup else t
U = (lambda s: [w + ' ' for w in s.split()]) if a.units == 'word' else list
chars = sorted({c for _, s in train for c in U(s)}); SE, TE, PAD = a.K, a.K + 1, a.K + 2; C0 = a.K + 3; V = C0 + len(chars)
cid = {c: C0 + i for i, c in enumerate(chars)}
def enc(data): return [(tok(f), [cid[c] for c in U(s) if c in cid], s) for f, s in data]
tr = enc(train); dv = enc(dev); print('mean speech len', np.mean([len(x) for x, _, _ in tr]), 'text', np.mean([len(y) for _, y, _ in tr]), flush=True)
class Block(torch.nn.Module):
    def __init__(s, d, h):
        super().__init__(); s.ln1 = torch.nn.LayerNorm(d); s.att = torch.nn.MultiheadAttention(d, h, batch_first=True); s.ln2 = torch.nn.LayerNorm(d)
        s.mlp = torch.nn.Sequential(torch.nn.Linear(d, 4 * d), torch.nn.GELU(), torch.nn.Linear(4 * d, d))
    def forward(s, x, m):
        h = s.ln1(x); x = x + s.att(h, h, h, attn_mask=m, need_weights=False)[0]; return x + s.mlp(s.ln2(x))
class G(torch.nn.Module):
    def __init__(s):
        super().__init__(); d = a.width; s.wte = torch.nn.Embedding(V, d); s.wpe = torch.nn.Embedding(1024, d)
        s.blocks = torch.nn.ModuleList([Block(d, 4) for _ in range(a.layers)]); s.ln = torch.nn.LayerNorm(d); s.head = torch.nn.Linear(d, V, bias=False)
    def forward(s, x):
        T = x.shape[1]; m = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        h = s.wte(x) + s.wpe(torch.arange(T))
        for b in s.blocks: h = b(h, m)
        return s.head(s.ln(h))
model = G(); opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=0.01, betas=(0.9, 0.95))
def batch():
    order = list(range(len(tr))); random.shuffle(order); rows = []; mx = 0
    for i in order:
        L = len(tr[i][0]) + len(tr[i][1]) + 2
        if rows and max(mx, L) * (len(rows) + 1) > a.batch_tokens: break
        rows.append(i); mx = max(mx, L)
    X = torch.full((len(rows), mx), PAD); Y = torch.full((len(rows), mx), -100)
    for r, i in enumerate(rows):
        s, t, _ = tr[i]; seq = s + [SE] + t + [TE]; X[r, :len(seq)] = torch.tensor(seq)
        tgt = seq[1:]; w = [-100] * len(s) if not a.speech_loss else tgt[:len(s)]
        Y[r, :len(seq) - 1] = torch.tensor((w[:len(s) - 1] + [SE] if a.speech_loss else [-100] * len(s)) + t + [TE])
    return X, Y
t0 = time.time()
for step in range(a.steps):
    lr = a.lr * min(1, (step + 1) / 50) * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / a.steps)))
    for g in opt.param_groups: g['lr'] = lr
    X, Y = batch(); loss = torch.nn.functional.cross_entropy(model(X).reshape(-1, V), Y.reshape(-1))
    opt.zero_grad(); loss.backward(); torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0); opt.step()
    if step % 100 == 0: print(step, round(loss.item(), 3), round(time.time() - t0, 1), flush=True)
def ed(r, h):
    d = list(range(len(h) + 1))
    for i in range(1, len(r) + 1):
        p = d[:]; d[0] = i
        for j in range(1, len(h) + 1): d[j] = min(p[j] + 1, d[j - 1] + 1, p[j - 1] + (r[i - 1] != h[j - 1]))
    return d[-1]
model.eval(); we = wn = ce = cn = 0; ids = {v: k for k, v in cid.items()}
with torch.no_grad():
    for k, (s, t, txt) in enumerate(dv):
        seq = s + [SE]
        for _ in range(len(s) + 20):
            nxt = model(torch.tensor([seq]))[0, -1].argmax().item()
            if nxt == TE: break
            seq.append(nxt)
        hyp = ''.join(ids.get(x, '?') for x in seq[len(s) + 1:]).strip()
        if k < 5: print('REF', txt, '\nHYP', hyp)
        we += ed(txt.split(), hyp.split()); wn += len(txt.split()); ce += ed(txt, hyp); cn += len(txt)
print(f'dev WER {100 * we / wn:.1f} CER {100 * ce / cn:.1f} time {time.time() - t0:.0f}s')
