"""scikit-learn's KMeans and MiniBatchKMeans on frames written by the k-means parity tests (.npy files).

usage:
  kmeans_reference.py lloyd-from-init FRAMES.npy INIT.npy ITERATIONS OUT_CENTERS.npy
      Lloyd iterations (tol=0) from the given initial centers; prints {"inertia", "iterations"}.
  kmeans_reference.py kmeans++ FRAMES.npy K ITERATIONS SEED...
      k-means++ init + Lloyd (n_init=1, tol=0) once per seed; prints {"inertias": [...]}.
  kmeans_reference.py minibatch FRAMES.npy K BATCH MAX_ITER SEED...
      MiniBatchKMeans (n_init=1, k-means++, tol=0, max_no_improvement=10) once per seed; prints {"inertias": [...]}.
"""
import json
import sys

import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans


def main():
    mode, x = sys.argv[1], np.load(sys.argv[2])
    if mode == "lloyd-from-init":
        init = np.load(sys.argv[3])
        model = KMeans(n_clusters=init.shape[0], init=init, n_init=1, max_iter=int(sys.argv[4]), tol=0.0,
                       algorithm="lloyd").fit(x)
        np.save(sys.argv[5], model.cluster_centers_.astype(np.float32))
        print(json.dumps({"inertia": float(model.inertia_), "iterations": int(model.n_iter_)}))
    elif mode == "kmeans++":
        k, iterations = int(sys.argv[3]), int(sys.argv[4])
        inertias = [float(KMeans(n_clusters=k, init="k-means++", n_init=1, max_iter=iterations, tol=0.0,
                                 algorithm="lloyd", random_state=int(s)).fit(x).inertia_) for s in sys.argv[5:]]
        print(json.dumps({"inertias": inertias}))
    elif mode == "minibatch":
        k, batch, max_iter = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        inertias = []
        for s in sys.argv[6:]:
            model = MiniBatchKMeans(n_clusters=k, init="k-means++", n_init=1, batch_size=batch, max_iter=max_iter,
                                    tol=0.0, max_no_improvement=10, random_state=int(s)).fit(x)
            # inertia_ of MiniBatchKMeans is over all frames with the final centers, as ours.
            inertias.append(float(model.inertia_))
        print(json.dumps({"inertias": inertias}))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
