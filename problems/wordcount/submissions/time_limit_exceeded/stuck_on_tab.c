/* Too slow, forever: the blank-skipping loop only advances over spaces, so a tab stops it. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    static char line[10100];
    int n;
    if (fgets(line, sizeof line, stdin) == NULL || sscanf(line, "%d", &n) != 1)
        return 1;
    for (int i = 0; i < n; i++) {
        int words = 0;
        size_t j = 0;
        if (fgets(line, sizeof line, stdin) == NULL)
            line[0] = '\0';
        line[strcspn(line, "\n")] = '\0';
        while (line[j] != '\0') {
            while (line[j] == ' ' || line[j] == '\t')
                if (line[j] == ' ')
                    j++;
            if (line[j] == '\0')
                break;
            words++;
            while (line[j] != '\0' && line[j] != ' ' && line[j] != '\t')
                j++;
        }
        printf("%d\n", words);
    }
    return 0;
}
