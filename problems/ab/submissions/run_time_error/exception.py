# Crashes: parses the line as one integer, which raises ValueError ("1 2" is not an int).
n = int(input())
print(n)
