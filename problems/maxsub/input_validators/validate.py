#!/usr/bin/env python3
"""Input validator of maxsub: n, then one line of n integers. Flags (testdata.yaml's
input_validator_flags, optional): "n_max N a_max A"; default the group 3 bounds. Exit 42 if
valid."""
import re
import sys

args = dict(zip(sys.argv[1::2], sys.argv[2::2]))
n_max, a_max = int(args.get("n_max", 20000)), int(args.get("a_max", 10**6))
lines = sys.stdin.buffer.read().decode("ascii").split("\n")
ok = len(lines) == 3 and lines[2] == "" and re.fullmatch(r"[1-9][0-9]*", lines[0]) is not None
if ok:
    n = int(lines[0])
    vals = lines[1].split(" ")
    ok = 1 <= n <= n_max and len(vals) == n and all(
        re.fullmatch(r"0|-?[1-9][0-9]*", v) and abs(int(v)) <= a_max for v in vals)
sys.exit(42 if ok else 43)
