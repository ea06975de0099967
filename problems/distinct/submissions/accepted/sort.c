/* Reads all of stdin with fread, parses by hand, sorts with qsort and counts value changes. */
#include <stdio.h>
#include <stdlib.h>

static int cmp(const void *a, const void *b)
{
    unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
    return (x > y) - (x < y);
}

int main(void)
{
    size_t cap = 1 << 20, len = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + len, 1, cap - len, stdin)) > 0) {
        len += got;
        if (len == cap)
            buf = realloc(buf, (cap *= 2) + 1);
    }
    if (!buf)
        return 1;
    buf[len] = '\0';
    char *p = buf;
    long n = strtol(p, &p, 10);
    unsigned long long *v = malloc(sizeof *v * (size_t)(n > 0 ? n : 1));
    if (!v)
        return 1;
    for (long i = 0; i < n; i++) {
        while (*p == ' ' || *p == '\n')
            p++;
        unsigned long long x = 0;
        while (*p >= '0' && *p <= '9')
            x = x * 10 + (unsigned long long)(*p++ - '0');
        v[i] = x;
    }
    qsort(v, (size_t)n, sizeof *v, cmp);
    long distinct = n > 0;
    for (long i = 1; i < n; i++)
        distinct += v[i] != v[i - 1];
    printf("%ld\n", distinct);
    return 0;
}
