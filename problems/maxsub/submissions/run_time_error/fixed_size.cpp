// Partial (score 50): room for 1000 days only; vector::at throws std::out_of_range in group 3,
// which ends the program with abort().
#include <iostream>
#include <vector>

int main()
{
    int n;
    std::cin >> n;
    std::vector<long long> a(1000);
    for (int i = 0; i < n; i++)
        std::cin >> a.at(i);
    long long cur = a.at(0), best = a.at(0);
    for (int i = 1; i < n; i++) {
        cur = cur < 0 ? a.at(i) : cur + a.at(i);
        if (cur > best)
            best = cur;
    }
    std::cout << best << '\n';
}
