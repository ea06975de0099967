/* Binary search over [1, 10^9]: at most 30 guesses; flushes after each one. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    long lo = 1, hi = 1000000000L;
    char reply[32];
    while (lo <= hi) {
        long mid = lo + (hi - lo) / 2;
        printf("%ld\n", mid);
        fflush(stdout);
        if (scanf("%31s", reply) != 1)
            return 1;
        if (strcmp(reply, "correct") == 0)
            return 0;
        if (strcmp(reply, "lower") == 0)
            hi = mid - 1;
        else
            lo = mid + 1;
    }
    return 1;
}
