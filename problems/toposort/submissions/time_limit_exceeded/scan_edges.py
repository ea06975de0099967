# Too slow: finds each next task by scanning every rule again, O(n * m).
n, m = map(int, input().split())
edges = [tuple(map(int, input().split())) for _ in range(m)]
done = [False] * (n + 1)
order = []
for _ in range(n):
    blocked = [False] * (n + 1)
    for a, b in edges:
        if not done[a]:
            blocked[b] = True
    free = [v for v in range(1, n + 1) if not done[v] and not blocked[v]]
    if not free:
        print("IMPOSSIBLE")
        break
    done[free[0]] = True
    order.append(free[0])
else:
    print(*order)
