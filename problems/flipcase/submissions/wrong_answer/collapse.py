# Wrong: split()/join() collapses runs of white space and drops leading and trailing spaces.
n = int(input())
for _ in range(n):
    print(" ".join(input().split()).swapcase())
