#!/usr/bin/env python3
"""Input validator of ab: one line "A B", -10^18 <= A, B <= 10^18. Exit 42 if valid."""
import re
import sys

INT = r"(0|-?[1-9][0-9]*)"
data = sys.stdin.buffer.read().decode("ascii")
m = re.fullmatch(INT + " " + INT + "\n", data)
ok = m is not None and all(abs(int(v)) <= 10**18 for v in m.groups())
sys.exit(42 if ok else 43)
