# Wrong: counts changes between neighbours, which is only right for sorted input.
import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
v = data[1 : n + 1]
print(1 + sum(1 for i in range(1, n) if v[i] != v[i - 1]))
