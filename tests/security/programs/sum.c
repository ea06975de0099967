/* sum.c - a typical native solution: read numbers, allocate, sort, print (strict policy check). */
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    size_t n = 0, cap = 16;
    long *v = malloc(cap * sizeof *v), x, sum = 0;
    while (v != NULL && scanf("%ld", &x) == 1) {
        if (n == cap) v = realloc(v, (cap *= 2) * sizeof *v);
        if (v != NULL) v[n++] = x;
    }
    if (v == NULL) return 1;
    char *big = malloc(64 << 20); /* a large block: mmap, not brk */
    if (big == NULL) return 1;
    for (size_t i = 0; i < (64u << 20); i += 4096) big[i] = 1;
    qsort(v, n, sizeof *v, cmp);
    for (size_t i = 0; i < n; i++) sum += v[i];
    printf("sum %ld min %ld\n", sum, n ? v[0] : 0);
    fprintf(stderr, "done\n");
    free(big);
    free(v);
    return 0;
}
