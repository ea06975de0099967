#!/usr/bin/env python3
"""Input validator of distinct: n (1..2*10^6), then one line of n integers in [0, 10^12)
without leading zeros, separated by single spaces. Exit 42 if valid."""
import re
import sys

lines = sys.stdin.buffer.read().split(b"\n")
ok = len(lines) == 3 and lines[2] == b"" and re.fullmatch(rb"[1-9][0-9]*", lines[0]) is not None
if ok:
    n = int(lines[0])
    ok = 1 <= n <= 2 * 10**6 and re.fullmatch(rb"(0|[1-9][0-9]{0,11})( (0|[1-9][0-9]{0,11}))*",
                                               lines[1]) is not None
    ok = ok and lines[1].count(b" ") == n - 1
sys.exit(42 if ok else 43)
