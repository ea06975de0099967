#!/usr/bin/env python3
"""Input validator of wordcount: n (1..1000), then exactly n lines of at most 10^4 printable
ASCII characters or tabs. Exit 42 if valid."""
import re
import sys

lines = sys.stdin.buffer.read().decode("ascii").split("\n")
ok = lines[-1] == "" and re.fullmatch(r"[1-9][0-9]*", lines[0]) is not None
if ok:
    n = int(lines[0])
    ok = 1 <= n <= 1000 and len(lines) == n + 2
    ok = ok and all(re.fullmatch(r"[\t -~]{0,10000}", line) for line in lines[1 : n + 1])
sys.exit(42 if ok else 43)
