/* Manacher's algorithm on the string with separators: O(n). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    static char s[100005];
    if (scanf("%100002s", s) != 1)
        return 1;
    int n = (int)strlen(s), m = 2 * n + 3;
    char *t = malloc((size_t)m);
    int *p = calloc((size_t)m, sizeof *p);
    if (!t || !p)
        return 1;
    t[0] = '^';
    for (int i = 0; i < n; i++) {
        t[2 * i + 1] = '#';
        t[2 * i + 2] = s[i];
    }
    t[2 * n + 1] = '#';
    t[2 * n + 2] = '$';
    int center = 0, right = 0, best = 0;
    for (int i = 1; i < m - 1; i++) {
        if (i < right) {
            int mirror = p[2 * center - i];
            p[i] = mirror < right - i ? mirror : right - i;
        }
        while (t[i + p[i] + 1] == t[i - p[i] - 1])
            p[i]++;
        if (i + p[i] > right) {
            center = i;
            right = i + p[i];
        }
        if (p[i] > best)
            best = p[i];
    }
    printf("%d\n", best);
    return 0;
}
