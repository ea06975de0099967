/* @EXPECTED_RESULTS@: WRONG-ANSWER, RUN-ERROR
 *
 * The header above (DOMjudge style) overrides the folder: this submission may end either as
 * a wrong answer or as a run-time error. It keeps at most 1000 characters and gives up with
 * abort() on longer strings (in the large group), so here it is in fact a run-time error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char s[1002];
    if (fgets(s, sizeof s, stdin) == NULL)
        return 1;
    if (strchr(s, '\n') == NULL)
        abort();
    int n = (int)strcspn(s, "\n"), best = 0;
    for (int c = 0; c < 2 * n - 1; c++) {
        int l = c / 2, r = l + c % 2;
        while (l >= 0 && r < n && s[l] == s[r]) {
            l--;
            r++;
        }
        if (r - l - 1 > best)
            best = r - l - 1;
    }
    printf("%d\n", best);
    return 0;
}
