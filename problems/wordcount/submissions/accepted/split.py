# Splits the input on '\n' only; str.split() without arguments ignores any run of blanks.
import sys

lines = sys.stdin.read().split("\n")
n = int(lines[0])
print("\n".join(str(len(line.split())) for line in lines[1 : n + 1]))
