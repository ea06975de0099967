#!/usr/bin/env python3
"""Writes data/secret/group*/ of maxsub (deterministic). Run from the package folder."""
import random

rng = random.Random(31337)


def best(a):
    cur = bestv = a[0]
    for v in a[1:]:
        cur = max(v, cur + v)
        bestv = max(bestv, cur)
    return bestv


def write(group, name, a):
    base = f"data/secret/{group}/{name}"
    with open(base + ".in", "w") as f:
        f.write(f"{len(a)}\n{' '.join(map(str, a))}\n")
    with open(base + ".ans", "w") as f:
        f.write(f"{best(a)}\n")


def rand(n, lim, bias=0):
    return [rng.randint(-lim, lim) + bias for _ in range(n)]


write("group1", "01-single", [-7])
write("group1", "02-mixed", rand(100, 100))
write("group1", "03-all-positive", [rng.randint(1, 100) for _ in range(100)])
write("group2", "01-mixed", rand(1000, 10**4))
write("group2", "02-negative", [rng.randint(-10**4, -1) for _ in range(1000)])
write("group3", "01-overflow", [10**6 - rng.randint(0, 1000) for _ in range(3000)])
write("group3", "02-negative", [rng.randint(-10**6, -1) for _ in range(20000)])
write("group3", "03-max", [min(10**6, max(-10**6, v)) for v in rand(20000, 10**6, 200000)])
