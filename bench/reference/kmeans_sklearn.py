"""scikit-learn's KMeans on the frames the k-means benchmark wrote (a .npy file), timed the same way as the
C# side: wall time (and CPU time of all threads) of one fit (k-means++ init + Lloyd iterations + final
labels), n_init=1, tol=0 so every iteration runs. Prints one JSON line: inertia, seconds, cpu_seconds,
iterations, versions.

usage: kmeans_sklearn.py FRAMES.npy K ITERATIONS SEED
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.cluster import KMeans


def main():
    path, k, iterations, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    x = np.load(path)
    start, cpu = time.perf_counter(), time.process_time()
    model = KMeans(n_clusters=k, init="k-means++", n_init=1, max_iter=iterations, tol=0.0,
                   algorithm="lloyd", random_state=seed).fit(x)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(json.dumps({"implementation": "sklearn", "inertia": float(model.inertia_), "seconds": seconds, "cpu_seconds": cpu,
                      "iterations": int(model.n_iter_), "version": sklearn.__version__,
                      "numpy": np.__version__}))


if __name__ == "__main__":
    main()
