"""Reference Kaldi features for the parity tests: torchaudio.compliance.kaldi fbank / mfcc (dither off) of
float32 waveforms stored as .npy files, plus torchaudio.functional.compute_deltas for the delta check.
The scaled float32 waveform is computed in float64 (torchaudio then works in float64 throughout), as the C#
side does: in float32, mel bins far below a frame's peak are FFT rounding noise that depends on the FFT library.

usage: kaldi_features.py OUT_DIR CONFIG_JSON WAVEFORM.npy...
CONFIG_JSON holds torchaudio keyword arguments plus "kind" (fbank|mfcc), "scale" (the waveform is multiplied
by it, as the C# side does) and "deltas" (0 or 1). For each input NAME.npy it writes OUT_DIR/NAME.ref.npy
(and OUT_DIR/NAME.delta.npy when "deltas" is 1, the first-order deltas of the features over time).
Prints one JSON line per input: name, frames, dims.
"""
import json
import os
import sys

import numpy as np
import torch
import torchaudio.compliance.kaldi as kaldi
import torchaudio.functional as F


def main() -> None:
    out_dir, config = sys.argv[1], json.loads(sys.argv[2])
    kind = config.pop("kind")
    scale = config.pop("scale")
    deltas = config.pop("deltas", 0)
    torch.set_num_threads(1)
    for path in sys.argv[3:]:
        name = os.path.splitext(os.path.basename(path))[0]
        waveform = (torch.from_numpy(np.load(path).astype(np.float32)).unsqueeze(0) * scale).double()
        compute = kaldi.fbank if kind == "fbank" else kaldi.mfcc
        features = compute(waveform, dither=0.0, **config)
        np.save(os.path.join(out_dir, name + ".ref.npy"), features.numpy().astype(np.float32))
        if deltas:
            d = F.compute_deltas(features.T.unsqueeze(0), win_length=5, mode="replicate")[0].T
            np.save(os.path.join(out_dir, name + ".delta.npy"), d.contiguous().numpy().astype(np.float32))
        print(json.dumps({"name": name, "frames": features.shape[0], "dims": features.shape[1]}))


if __name__ == "__main__":
    main()
