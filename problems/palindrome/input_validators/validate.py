#!/usr/bin/env python3
"""Input validator of palindrome: one line of 1..10^5 lowercase letters. Exit 42 if valid."""
import re
import sys

data = sys.stdin.buffer.read().decode("ascii")
sys.exit(42 if re.fullmatch(r"[a-z]{1,100000}\n", data) else 43)
