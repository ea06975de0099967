#!/usr/bin/env python3
"""Input validator of hello: the input is empty. Exit 42 if valid."""
import sys

sys.exit(42 if sys.stdin.buffer.read() == b"" else 43)
