"""The reference side of the fbank benchmark: torchaudio.compliance.kaldi.fbank (80 bins, dither off) on the
same waveforms the C# side uses, one call per utterance as a data-preparation script would do it.

usage: torchaudio_fbank.py WAVEFORMS.npy LENGTHS.npy THREADS REPEATS
WAVEFORMS.npy holds every utterance back to back (float32 in [-1, 1]); LENGTHS.npy their lengths (int64).
Prints one JSON line: frames per pass, and the wall-clock and process CPU seconds of the fastest of REPEATS
passes (after one warm-up). CPU time is what to compare on a machine other jobs are using.
"""
import json
import sys
import time

import numpy as np
import torch
import torchaudio.compliance.kaldi as kaldi


def main() -> None:
    samples = torch.from_numpy(np.load(sys.argv[1]))
    lengths = np.load(sys.argv[2]).tolist()
    torch.set_num_threads(int(sys.argv[3]))
    repeats = int(sys.argv[4])
    waveforms = list(torch.split(samples, lengths))

    def one_pass() -> int:
        frames = 0
        for w in waveforms:
            frames += kaldi.fbank(w.unsqueeze(0) * 32768, num_mel_bins=80, dither=0.0).shape[0]
        return frames

    frames = one_pass()
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        one_pass()
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    print(json.dumps({"frames": frames, "seconds": best, "cpu_seconds": best_cpu, "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
