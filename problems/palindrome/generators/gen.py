#!/usr/bin/env python3
"""Writes data/secret/*/ of palindrome (deterministic). Run from the package folder."""
import random

rng = random.Random(5)


def longest(s):
    t = "^#" + "#".join(s) + "#$"
    p = [0] * len(t)
    center = right = 0
    for i in range(1, len(t) - 1):
        if i < right:
            p[i] = min(right - i, p[2 * center - i])
        while t[i + p[i] + 1] == t[i - p[i] - 1]:
            p[i] += 1
        if i + p[i] > right:
            center, right = i, i + p[i]
    return max(p)


def write(group, name, s):
    base = f"data/secret/{group}/{name}"
    with open(base + ".in", "w") as f:
        f.write(s + "\n")
    with open(base + ".ans", "w") as f:
        f.write(f"{longest(s)}\n")


def rand(n, alphabet="ab"):
    return "".join(rng.choice(alphabet) for _ in range(n))


write("1-small", "01-single", "z")
write("1-small", "02-even", "xabbay")
write("1-small", "03-random", rand(1000))
write("2-large", "01-random", rand(100000, "abcdefghijklmnopqrstuvwxyz"))
half = rand(30000)
write("2-large", "02-hidden", rand(20000, "xyz") + half + half[::-1] + rand(20000, "xyz"))
write("2-large", "03-all-same", "a" * 100000)
