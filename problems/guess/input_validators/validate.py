#!/usr/bin/env python3
"""Input validator of guess: one line with the secret x, 1 <= x <= 10^9. Exit 42 if valid."""
import re
import sys

data = sys.stdin.buffer.read().decode("ascii")
m = re.fullmatch(r"([1-9][0-9]*)\n", data)
sys.exit(42 if m and 1 <= int(m.group(1)) <= 10**9 else 43)
