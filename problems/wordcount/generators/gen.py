#!/usr/bin/env python3
"""Writes data/secret/* of wordcount (deterministic). Run from the package folder."""
import random

rng = random.Random(99)


def write(name, lines):
    with open(f"data/secret/{name}.in", "w") as f:
        f.write(f"{len(lines)}\n")
        f.writelines(line + "\n" for line in lines)
    with open(f"data/secret/{name}.ans", "w") as f:
        f.writelines(f"{len(line.split())}\n" for line in lines)


def random_line(length):
    out = []
    while len(out) < length:
        if rng.random() < 0.3:
            out.extend(rng.choice(" \t") for _ in range(rng.randint(1, 4)))
        else:
            out.extend(rng.choice("abcXYZ019.,;!?-'\"") for _ in range(rng.randint(1, 8)))
    return "".join(out[:length])


write("01-one-word", ["word"])
write("02-blank-lines", ["", "", "x", ""])
write("03-only-white", ["   ", "\t\t", " \t \t "])
write("04-punctuation", ["a-b c,d e.f", "!!! ??? ...", "'quoted words' \"here\""])
write("05-long-line", [random_line(10000)])
write("06-random", [random_line(rng.randint(0, 200)) for _ in range(1000)])
write("07-blank-end", ["last lines", "are blank", "", "  ", "\t"])
