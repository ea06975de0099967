/* Too slow: computes the answer, then spins forever before printing it. */
#include <stdio.h>

int main(void)
{
    long long a, b;
    volatile unsigned long long n = 0;
    if (scanf("%lld %lld", &a, &b) != 2)
        return 1;
    for (;;)
        n++;
    printf("%lld\n", a + b);
    return 0;
}
