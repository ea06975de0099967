/* A Plus B, wrong answer: the sum kept in 32 bits, right only while it fits. */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    long long a, b;
    if (scanf("%lld %lld", &a, &b) != 2)
        return 1;
    int32_t sum = (int32_t)(uint32_t)((uint64_t)a + (uint64_t)b);
    printf("%d\n", sum);
    return 0;
}
