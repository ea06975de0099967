# str.swapcase on each line; the input is ASCII, so it flips exactly A-Z and a-z.
import sys

lines = sys.stdin.read().split("\n")
n = int(lines[0])
sys.stdout.write("".join(line.swapcase() + "\n" for line in lines[1 : n + 1]))
