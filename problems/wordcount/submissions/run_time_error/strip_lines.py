# Crashes: strip() also removes the blank lines at the end, so lines[n] raises IndexError.
import sys

lines = sys.stdin.read().strip().split("\n")
n = int(lines[0])
for i in range(1, n + 1):
    print(len(lines[i].split()))
