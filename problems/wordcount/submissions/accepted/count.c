/* Reads whole lines with getline() and counts word starts: a non-blank after a blank. */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int n;
    if (getline(&line, &cap, stdin) < 0 || sscanf(line, "%d", &n) != 1)
        return 1;
    for (int i = 0; i < n; i++) {
        int words = 0, in_word = 0;
        if ((len = getline(&line, &cap, stdin)) < 0)
            len = 0;
        for (ssize_t j = 0; j < len; j++) {
            int blank = line[j] == ' ' || line[j] == '\t' || line[j] == '\n';
            if (!blank && !in_word)
                words++;
            in_word = !blank;
        }
        printf("%d\n", words);
    }
    free(line);
    return 0;
}
