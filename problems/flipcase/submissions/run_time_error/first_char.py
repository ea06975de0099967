# Crashes: looks at line[0] to keep indentation, which raises IndexError on an empty line.
n = int(input())
for _ in range(n):
    line = input()
    indent = line[0] in " \t"
    print(line.swapcase())
