# Crashes on long chains: recursive DFS exceeds Python's recursion limit (RecursionError).
import sys


def main():
    data = sys.stdin.read().split()
    n, m = int(data[0]), int(data[1])
    adj = [[] for _ in range(n + 1)]
    for i in range(m):
        adj[int(data[2 + 2 * i])].append(int(data[3 + 2 * i]))
    state = [0] * (n + 1)
    post = []
    cyclic = False

    def visit(v):
        nonlocal cyclic
        state[v] = 1
        for w in adj[v]:
            if state[w] == 1:
                cyclic = True
            elif state[w] == 0:
                visit(w)
        state[v] = 2
        post.append(v)

    for v in range(1, n + 1):
        if state[v] == 0:
            visit(v)
    print("IMPOSSIBLE" if cyclic else " ".join(map(str, reversed(post))))


main()
