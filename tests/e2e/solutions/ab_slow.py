# A Plus B, accepted but slow on purpose: it sleeps before answering, so that judging the whole
# package takes a few seconds and a test can act in the middle of it (the sleep is wall time,
# well under the wall limit of 3 x CPU limit + 1 s).
import time

time.sleep(0.4)
a, b = map(int, input().split())
print(a + b)
