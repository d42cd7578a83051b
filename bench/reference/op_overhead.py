# The PyTorch-eager reference of the per-op overhead probe in bench/Sld.Bench.Bench.TrainStep (--probe):
# `a + b` on 1-element float tensors, --calls times after a warm-up of as many, timed with perf_counter.
# Prints one JSON line with microseconds per op; the C# probes (old binding, TorchSharp) print the same fields.
import argparse
import json
import time

import torch


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--calls", type=int, default=100_000)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    if args.calls < 1:
        ap.error(f"--calls must be positive, got {args.calls}")
    torch.set_num_threads(args.threads)
    a, b = torch.ones(1), torch.ones(1)

    def timed():
        t0 = time.perf_counter()
        for _ in range(args.calls):
            a + b
        return (time.perf_counter() - t0) * 1e6 / args.calls

    timed()  # warm-up
    print(json.dumps({"implementation": "pytorch-eager", "torch": torch.__version__, "calls": args.calls,
                      "us_per_op": timed()}))


if __name__ == "__main__":
    main()
