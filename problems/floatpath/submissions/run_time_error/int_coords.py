# Crashes: assumes integer coordinates; int("0.5") raises ValueError.
import math

n = int(input())
pts = [tuple(map(int, input().split())) for _ in range(n)]
print(sum(math.dist(a, b) for a, b in zip(pts, pts[1:])))
