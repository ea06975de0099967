# Crashes: expects the judge to answer with a number; int("lower") raises ValueError.
lo, hi = 1, 10**9
while True:
    mid = (lo + hi) // 2
    print(mid, flush=True)
    diff = int(input())
    if diff == 0:
        break
    lo, hi = (lo, mid - 1) if diff < 0 else (mid + 1, hi)
