#!/usr/bin/env python3
"""Reference values for test/linalg from numpy.linalg: writes test/fixtures/linalg.json.

Run: python3 scripts/make-linalg-fixtures.py (needs numpy). Inputs come from a seeded generator,
so the file only changes when this script does. For qr/svd/eigh only quantities that do not depend
on sign or order conventions are stored (eigenvalues, singular values, |diag R|).
"""
import json
import os

import numpy as np

rng = np.random.default_rng(17)


def spd(batch, n):
    x = rng.standard_normal((batch, n, n))
    return x @ np.swapaxes(x, -1, -2) + n * np.eye(n)


def as_list(a):
    return np.asarray(a, dtype=np.float64).tolist()


spd_in = spd(2, 4)
square_in = rng.standard_normal((2, 3, 3))
rhs = rng.standard_normal((2, 3, 2))
tall = rng.standard_normal((5, 3))
tall_rhs = rng.standard_normal((5, 2))
wide = rng.standard_normal((3, 5))
wide_rhs = rng.standard_normal(3)
vector = rng.standard_normal(6)
batch_mats = rng.standard_normal((2, 3, 4))

sign, logabs = np.linalg.slogdet(square_in)
spd_sign, spd_logabs = np.linalg.slogdet(spd_in)

fixtures = {
    "spd": {
        "a": as_list(spd_in),
        "cholesky": as_list(np.linalg.cholesky(spd_in)),
        "eigvalsh": as_list(np.linalg.eigvalsh(spd_in)),
        "det": as_list(np.linalg.det(spd_in)),
        "inv": as_list(np.linalg.inv(spd_in)),
        "slogdet": {"sign": as_list(spd_sign), "logabsdet": as_list(spd_logabs)},
    },
    "square": {
        "a": as_list(square_in),
        "b": as_list(rhs),
        "solve": as_list(np.linalg.solve(square_in, rhs)),
        "inv": as_list(np.linalg.inv(square_in)),
        "det": as_list(np.linalg.det(square_in)),
        "slogdet": {"sign": as_list(sign), "logabsdet": as_list(logabs)},
        "singular_values": as_list(np.linalg.svd(square_in, compute_uv=False)),
    },
    "tall": {
        "a": as_list(tall),
        "b": as_list(tall_rhs),
        "lstsq": as_list(np.linalg.lstsq(tall, tall_rhs, rcond=None)[0]),
        "abs_diag_r": as_list(np.abs(np.diag(np.linalg.qr(tall)[1]))),
        "singular_values": as_list(np.linalg.svd(tall, compute_uv=False)),
        "norms": {str(o): float(np.linalg.norm(tall, o)) for o in ["fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]},
    },
    "wide": {
        "a": as_list(wide),
        "b": as_list(wide_rhs),
        "lstsq": as_list(np.linalg.lstsq(wide, wide_rhs, rcond=None)[0]),
        "abs_diag_r": as_list(np.abs(np.diag(np.linalg.qr(wide)[1]))),
        "singular_values": as_list(np.linalg.svd(wide, compute_uv=False)),
    },
    "vector": {
        "x": as_list(vector),
        "norms": {str(o): float(np.linalg.norm(vector, o)) for o in [1, 2, 3, 0.5, np.inf, -np.inf, 0]},
    },
    "batch": {
        "a": as_list(batch_mats),
        "singular_values": as_list(np.linalg.svd(batch_mats, compute_uv=False)),
        "fro": as_list(np.linalg.norm(batch_mats, "fro", axis=(-2, -1))),
        "nuc": as_list(np.linalg.norm(batch_mats, "nuc", axis=(-2, -1))),
        "trace": as_list(np.trace(batch_mats, axis1=-2, axis2=-1)),
        "diag_part": as_list(np.diagonal(batch_mats, axis1=-2, axis2=-1)),
        "band_1_0": as_list(np.tril(batch_mats) - np.tril(batch_mats, -2)),
    },
}

out = os.path.join(os.path.dirname(__file__), "..", "test", "fixtures", "linalg.json")
with open(out, "w") as f:
    json.dump(fixtures, f, indent=1)
    f.write("\n")
print(f"wrote {os.path.normpath(out)}")
