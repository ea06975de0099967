# Too slow on long runs of one letter: expanding around every centre is O(n^2) there.
s = input().strip()
n = len(s)
best = 0
for c in range(2 * n - 1):
    l, r = c // 2, c // 2 + c % 2
    while l >= 0 and r < n and s[l] == s[r]:
        l -= 1
        r += 1
    best = max(best, r - l - 1)
print(best)
