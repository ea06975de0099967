// Kahn's algorithm taking the largest free task first: a different valid order than the
// answer file's, which only a custom validator accepts.
#include <iostream>
#include <queue>
#include <vector>

int main()
{
    std::ios::sync_with_stdio(false);
    int n, m;
    std::cin >> n >> m;
    std::vector<std::vector<int>> adj(n + 1);
    std::vector<int> indeg(n + 1, 0);
    for (int i = 0; i < m; i++) {
        int a, b;
        std::cin >> a >> b;
        adj[a].push_back(b);
        indeg[b]++;
    }
    std::priority_queue<int> ready;
    for (int v = 1; v <= n; v++)
        if (indeg[v] == 0)
            ready.push(v);
    std::vector<int> order;
    while (!ready.empty()) {
        int v = ready.top();
        ready.pop();
        order.push_back(v);
        for (int w : adj[v])
            if (--indeg[w] == 0)
                ready.push(w);
    }
    if ((int)order.size() < n) {
        std::cout << "IMPOSSIBLE\n";
        return 0;
    }
    for (int i = 0; i < n; i++)
        std::cout << order[i] << (i + 1 == n ? '\n' : ' ');
}
