/* Wrong: Kahn's algorithm that prints whatever it ordered, even when a cycle stopped it. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    int n, m;
    if (scanf("%d %d", &n, &m) != 2)
        return 1;
    int *a = malloc(sizeof(int) * (m + 1)), *b = malloc(sizeof(int) * (m + 1));
    int *indeg = calloc(n + 1, sizeof(int)), *done = calloc(n + 1, sizeof(int));
    if (!a || !b || !indeg || !done)
        return 1;
    for (int i = 0; i < m; i++) {
        if (scanf("%d %d", &a[i], &b[i]) != 2)
            return 1;
        indeg[b[i]]++;
    }
    for (int progress = 1; progress;) {
        progress = 0;
        for (int v = 1; v <= n; v++) {
            if (done[v] || indeg[v] != 0)
                continue;
            done[v] = 1;
            progress = 1;
            printf("%d ", v);
            for (int i = 0; i < m; i++)
                if (a[i] == v)
                    indeg[b[i]]--;
        }
    }
    putchar('\n');
    return 0;
}
