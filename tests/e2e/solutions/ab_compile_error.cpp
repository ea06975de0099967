// A Plus B that does not compile: a statement lacks its semicolon.
#include <iostream>

int main()
{
    long long a, b;
    std::cin >> a >> b
    std::cout << a + b << '\n';
}
