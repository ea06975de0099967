# Partial (score 50): tries every stretch, O(n^2); fine for groups 1 and 2, far too slow for 3.
n = int(input())
a = list(map(int, input().split()))
best = a[0]
for l in range(n):
    s = 0
    for r in range(l, n):
        s += a[r]
        if s > best:
            best = s
print(best)
