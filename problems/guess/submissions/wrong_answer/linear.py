# Wrong: guesses 1, 2, 3, ... which takes far more than 30 guesses for most numbers.
g = 1
while True:
    print(g, flush=True)
    if input().strip() == "correct":
        break
    g += 1
