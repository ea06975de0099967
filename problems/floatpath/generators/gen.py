#!/usr/bin/env python3
"""Writes data/secret/* of floatpath (deterministic). Run from the package folder."""
import math
import random

rng = random.Random(20261125)


def write(name, pts):
    with open(f"data/secret/{name}.in", "w") as f:
        f.write(f"{len(pts)}\n")
        for x, y in pts:
            f.write(f"{x} {y}\n")
    total = math.fsum(math.hypot(float(b[0]) - float(a[0]), float(b[1]) - float(a[1]))
                      for a, b in zip(pts, pts[1:]))
    with open(f"data/secret/{name}.ans", "w") as f:
        f.write(repr(total) + "\n")


def coord(lo, hi):
    return f"{rng.uniform(lo, hi):.6f}"


write("01-single", [("12.5", "-7")])
write("02-tiny", [("0", "0"), ("0.000001", "0.000001")])
write("03-short", [(coord(0, 0.1), coord(0, 0.1)) for _ in range(5)])
write("04-random", [(coord(-1000, 1000), coord(-1000, 1000)) for _ in range(1000)])
corners = [("-1000", "-1000"), ("1000", "1000"), ("-1000", "1000"), ("1000", "-1000")]
write("05-long", [corners[i % 4] for i in range(1000)])
