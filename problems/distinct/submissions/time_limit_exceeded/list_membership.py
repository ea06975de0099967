# Too slow: keeps the distinct values in a list, so each lookup scans it: O(n * distinct).
import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
seen = []
for tok in data[1 : n + 1]:
    x = int(tok)
    if x not in seen:
        seen.append(x)
print(len(seen))
