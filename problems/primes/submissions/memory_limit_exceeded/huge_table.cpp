// Over the memory limit: a 64-bit table for every number up to 2^27 is 1 GiB, and
// std::vector zero-fills it, so every page is really touched.
#include <iostream>
#include <vector>

int main()
{
    long long n;
    std::cin >> n;
    std::vector<long long> smallest_factor(1LL << 27, 0);
    long long count = 0;
    for (long long i = 2; i <= n; i++) {
        if (smallest_factor[i] != 0)
            continue;
        count++;
        for (long long j = i; j < (1LL << 27); j += i)
            if (smallest_factor[j] == 0)
                smallest_factor[j] = i;
    }
    std::cout << count << '\n';
}
