/* Wrong: lo = mid instead of mid + 1, so near the top it repeats one guess until the
 * judge stops it after 30 guesses. Stops quietly when the judge hangs up. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    long lo = 1, hi = 1000000000L;
    char reply[32];
    signal(SIGPIPE, SIG_IGN);
    for (;;) {
        long mid = (lo + hi) / 2;
        if (printf("%ld\n", mid) < 0 || fflush(stdout) != 0)
            return 0;
        if (scanf("%31s", reply) != 1)
            return 0;
        if (strcmp(reply, "correct") == 0)
            return 0;
        if (strcmp(reply, "lower") == 0)
            hi = mid - 1;
        else
            lo = mid;
    }
}
