# A+B in Python 3: integers are unbounded.
a, b = map(int, input().split())
print(a + b)
