#!/usr/bin/env python3
"""Writes data/secret/* of toposort (deterministic). Run from the package folder.
The .ans holds one valid order (smallest task first) or IMPOSSIBLE."""
import heapq
import random

rng = random.Random(777)


def solve(n, edges):
    adj = [[] for _ in range(n + 1)]
    indeg = [0] * (n + 1)
    for a, b in edges:
        adj[a].append(b)
        indeg[b] += 1
    heap = [v for v in range(1, n + 1) if indeg[v] == 0]
    heapq.heapify(heap)
    order = []
    while heap:
        v = heapq.heappop(heap)
        order.append(v)
        for w in adj[v]:
            indeg[w] -= 1
            if indeg[w] == 0:
                heapq.heappush(heap, w)
    return order if len(order) == n else None


def write(name, n, edges):
    with open(f"data/secret/{name}.in", "w") as f:
        f.write(f"{n} {len(edges)}\n")
        f.writelines(f"{a} {b}\n" for a, b in edges)
    order = solve(n, edges)
    with open(f"data/secret/{name}.ans", "w") as f:
        f.write("IMPOSSIBLE\n" if order is None else " ".join(map(str, order)) + "\n")


def random_dag(n, m):
    perm = list(range(1, n + 1))
    rng.shuffle(perm)
    edges = []
    for _ in range(m):
        i, j = sorted(rng.sample(range(n), 2))
        edges.append((perm[i], perm[j]))
    return edges


write("01-single", 1, [])
write("02-no-rules", 5, [])
write("03-duplicates", 3, [(3, 1), (3, 1), (1, 2), (3, 2)])
write("04-small-cycle", 6, [(1, 2), (2, 3), (4, 5), (5, 6), (6, 4)])
write("05-random-dag", 2000, random_dag(2000, 5000))
write("06-long-chain", 5000, [(i, i + 1) for i in range(4999, 0, -1)])
cyc = random_dag(3000, 6000)
cyc.append((cyc[-1][1], cyc[-1][0]))
write("07-random-cycle", 3000, cyc)
write("08-big-dag", 5000, random_dag(5000, 8000))
