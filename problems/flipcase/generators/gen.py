#!/usr/bin/env python3
"""Writes data/secret/* of flipcase (deterministic). Run from the package folder."""
import random

rng = random.Random(4242)


def flip(s):
    return "".join(c.lower() if "A" <= c <= "Z" else c.upper() if "a" <= c <= "z" else c for c in s)


def write(name, lines):
    with open(f"data/secret/{name}.in", "w") as f:
        f.write(f"{len(lines)}\n")
        f.writelines(line + "\n" for line in lines)
    with open(f"data/secret/{name}.ans", "w") as f:
        f.writelines(flip(line) + "\n" for line in lines)


write("01-one-word", ["aBc"])
write("02-empty-lines", ["", "X", "", "", "y"])
write("03-spaces", ["   leading", "trailing   ", "  both  ", "in   the    middle", " "])
write("04-tabs", ["\tTab\tAt\tStart", "mixed \t \t white", "\t", "end\t"])
write("05-punctuation", ["{[(<!?>)]} ~`@#$%^&*_+-=|\\:;\"',./", "1234567890", "Mixed CASE and 3 Digits"])
chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \t.,;:!?-"
write("06-random", ["".join(rng.choice(chars) for _ in range(rng.randint(0, 1000))) for _ in range(100)])
