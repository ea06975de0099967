// std::sort + std::unique over 64-bit values, with unsynchronised iostreams.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <vector>

int main()
{
    std::ios::sync_with_stdio(false);
    std::cin.tie(nullptr);
    std::size_t n;
    std::cin >> n;
    std::vector<std::uint64_t> v(n);
    for (auto &x : v)
        std::cin >> x;
    std::sort(v.begin(), v.end());
    std::cout << (std::unique(v.begin(), v.end()) - v.begin()) << '\n';
}
