# Accepted although it shouts: the default validator compares case-insensitively unless the
# problem sets case_sensitive (this one does not), and ignores the extra spaces.
print("  HELLO    WORLD!  ")
