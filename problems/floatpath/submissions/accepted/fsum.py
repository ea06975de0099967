# Exact-ish summation with math.fsum; print() uses the shortest repr (may be 1.4e-06 style).
import math
import sys

data = sys.stdin.read().split()
n = int(data[0])
pts = [(float(data[1 + 2 * i]), float(data[2 + 2 * i])) for i in range(n)]
print(math.fsum(math.dist(a, b) for a, b in zip(pts, pts[1:])))
