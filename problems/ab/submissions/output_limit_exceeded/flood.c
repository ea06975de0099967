/* Prints the right answer, then writes without end: the output limit must stop it. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    long long a, b;
    static char block[65536];
    if (scanf("%lld %lld", &a, &b) != 2)
        return 1;
    printf("%lld\n", a + b);
    memset(block, '7', sizeof block);
    for (;;) {
        if (fwrite(block, 1, sizeof block, stdout) != sizeof block)
            return 1;
    }
}
