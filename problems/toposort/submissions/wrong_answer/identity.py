# Wrong: ignores the rules and never detects a cycle; prints 1..n.
n, m = map(int, input().split())
print(*range(1, n + 1))
