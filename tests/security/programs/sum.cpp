// sum.cpp - iostream, vector, sort, map, a thread (strict policy check).
#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <thread>
#include <vector>

int main()
{
    std::ios::sync_with_stdio(false);
    std::vector<long> v;
    long x;
    while (std::cin >> x) v.push_back(x);
    std::sort(v.begin(), v.end());
    std::map<std::string, long> m;
    long sum = 0;
    std::thread t([&] {
        for (long y : v) sum += y;
    });
    t.join();
    m["sum"] = sum;
    std::cout << "sum " << m["sum"] << " min " << (v.empty() ? 0 : v[0]) << "\n";
    return 0;
}
