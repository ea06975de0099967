#!/usr/bin/env python3
"""Input validator of toposort: "n m" (1 <= n <= 5000, 0 <= m <= 10000), then m lines "a b"
with 1 <= a, b <= n and a != b. Exit 42 if valid."""
import re
import sys

lines = sys.stdin.buffer.read().decode("ascii").split("\n")
NUM = r"(0|[1-9][0-9]*)"
m0 = re.fullmatch(NUM + " " + NUM, lines[0])
ok = lines[-1] == "" and m0 is not None
if ok:
    n, m = int(m0.group(1)), int(m0.group(2))
    ok = 1 <= n <= 5000 and 0 <= m <= 10000 and len(lines) == m + 2
    for line in lines[1 : m + 1] if ok else []:
        e = re.fullmatch(NUM + " " + NUM, line)
        if not e or not (1 <= int(e.group(1)) <= n and 1 <= int(e.group(2)) <= n) or \
                e.group(1) == e.group(2):
            ok = False
            break
sys.exit(42 if ok else 43)
