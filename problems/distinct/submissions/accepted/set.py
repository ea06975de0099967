# One read of all of stdin, then a set of the raw tokens: values have no leading zeros, so
# equal values are equal byte strings (and no int conversion is needed).
import sys

data = sys.stdin.buffer.read().split()
n = int(data[0])
print(len(set(data[1 : n + 1])))
