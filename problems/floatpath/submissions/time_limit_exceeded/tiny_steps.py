# Too slow: "simulates" the walk in steps of one micrometre (millions of steps per unit).
import math
import sys

data = sys.stdin.read().split()
n = int(data[0])
pts = [(float(data[1 + 2 * i]), float(data[2 + 2 * i])) for i in range(n)]
step = 1e-6
total = 0.0
for a, b in zip(pts, pts[1:]):
    d = math.dist(a, b)
    walked = 0.0
    while walked + step < d:
        walked += step
    total += d
print(total)
