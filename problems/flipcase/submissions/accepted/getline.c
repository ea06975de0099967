/* Flips letters byte by byte with getline(); every other byte is copied as is. */
#include <stdio.h>
#include <stdlib.h>

static int flip(int c)
{
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 'A';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 'a';
    return c;
}

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int n;
    if (getline(&line, &cap, stdin) < 0 || sscanf(line, "%d", &n) != 1)
        return 1;
    for (int i = 0; i < n && (len = getline(&line, &cap, stdin)) >= 0; i++) {
        for (ssize_t j = 0; j < len; j++)
            putchar(flip((unsigned char)line[j]));
    }
    free(line);
    return 0;
}
