# Wrong: split(" ") yields empty strings around extra spaces, and ignores tabs.
n = int(input())
for _ in range(n):
    print(len(input().split(" ")))
