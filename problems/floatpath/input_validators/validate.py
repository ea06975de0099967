#!/usr/bin/env python3
"""Input validator of floatpath: n (1..1000), then n lines "x y", reals in [-1000, 1000] with
at most 6 decimals. Exit 42 if valid."""
import re
import sys

REAL = r"-?(0|[1-9][0-9]*)(\.[0-9]{1,6})?"
lines = sys.stdin.buffer.read().decode("ascii").split("\n")
ok = lines[-1] == "" and re.fullmatch(r"[1-9][0-9]*", lines[0]) is not None
if ok:
    n = int(lines[0])
    ok = 1 <= n <= 1000 and len(lines) == n + 2
    for line in lines[1 : n + 1] if ok else []:
        m = re.fullmatch(f"({REAL}) ({REAL})", line)
        if not m or not all(abs(float(v)) <= 1000 for v in line.split()):
            ok = False
sys.exit(42 if ok else 43)
