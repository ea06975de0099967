# Wrong: expands around characters only, so it never finds even-length palindromes.
s = input().strip()
best = 0
for c in range(len(s)):
    r = 0
    while c - r - 1 >= 0 and c + r + 1 < len(s) and s[c - r - 1] == s[c + r + 1]:
        r += 1
    best = max(best, 2 * r + 1)
print(best)
