/* Kahn's algorithm with a FIFO queue; prints IMPOSSIBLE when some task never gets free. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int n, m;
    if (scanf("%d %d", &n, &m) != 2)
        return 1;
    int *a = malloc(sizeof(int) * (m + 1)), *b = malloc(sizeof(int) * (m + 1));
    int *start = calloc(n + 2, sizeof(int)), *adj = malloc(sizeof(int) * (m + 1));
    int *indeg = calloc(n + 1, sizeof(int)), *queue = malloc(sizeof(int) * (n + 1));
    if (!a || !b || !start || !adj || !indeg || !queue)
        return 1;
    for (int i = 0; i < m; i++) {
        if (scanf("%d %d", &a[i], &b[i]) != 2)
            return 1;
        start[a[i] + 1]++;
        indeg[b[i]]++;
    }
    for (int v = 1; v <= n + 1; v++)
        start[v] += start[v - 1];
    int *fill = calloc(n + 1, sizeof(int));
    if (!fill)
        return 1;
    for (int i = 0; i < m; i++)
        adj[start[a[i]] + fill[a[i]]++] = b[i];
    int head = 0, tail = 0;
    for (int v = 1; v <= n; v++)
        if (indeg[v] == 0)
            queue[tail++] = v;
    while (head < tail) {
        int v = queue[head++];
        for (int k = start[v]; k < start[v + 1]; k++)
            if (--indeg[adj[k]] == 0)
                queue[tail++] = adj[k];
    }
    if (tail < n) {
        puts("IMPOSSIBLE");
        return 0;
    }
    for (int i = 0; i < n; i++)
        printf("%d%c", queue[i], i + 1 == n ? '\n' : ' ');
    return 0;
}
