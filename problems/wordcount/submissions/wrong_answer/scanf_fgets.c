/* Wrong: scanf("%d") leaves the newline of the first line, so the first fgets() reads an
 * empty rest of line and every count is shifted by one line. */
#include <stdio.h>

int main(void)
{
    static char line[10100];
    int n;
    if (scanf("%d", &n) != 1)
        return 1;
    for (int i = 0; i < n; i++) {
        int words = 0, in_word = 0;
        if (fgets(line, sizeof line, stdin) == NULL)
            line[0] = '\0';
        for (char *p = line; *p; p++) {
            int blank = *p == ' ' || *p == '\t' || *p == '\n';
            if (!blank && !in_word)
                words++;
            in_word = !blank;
        }
        printf("%d\n", words);
    }
    return 0;
}
