/* Wrong: right characters, but no newline after the last line (white space counts here). */
#include <stdio.h>
#include <string.h>

int main(void)
{
    static char line[1100];
    int n;
    if (fgets(line, sizeof line, stdin) == NULL || sscanf(line, "%d", &n) != 1)
        return 1;
    for (int i = 0; i < n && fgets(line, sizeof line, stdin) != NULL; i++) {
        line[strcspn(line, "\n")] = '\0';
        for (char *p = line; *p; p++) {
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
            else if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        }
        printf(i == 0 ? "%s" : "\n%s", line);
    }
    return 0;
}
