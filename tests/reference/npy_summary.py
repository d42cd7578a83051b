"""Prints what numpy sees in .npy files written by the C# NpyFile writer: one line per file with
shape, dtype, the sum of all values and the last value.

usage: npy_summary.py FILE.npy...
"""
import sys

import numpy as np

for path in sys.argv[1:]:
    a = np.load(path)
    print(a.shape, a.dtype, float(a.astype(np.float64).sum()), float(a.reshape(-1)[-1]))
