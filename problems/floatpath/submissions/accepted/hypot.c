/* Sums the segment lengths with hypot() and prints ten decimals. */
#include <math.h>
#include <stdio.h>

int main(void)
{
    int n;
    double px, py, x, y, total = 0.0;
    if (scanf("%d %lf %lf", &n, &px, &py) != 3)
        return 1;
    for (int i = 1; i < n; i++) {
        if (scanf("%lf %lf", &x, &y) != 2)
            return 1;
        total += hypot(x - px, y - py);
        px = x;
        py = y;
    }
    printf("%.10f\n", total);
    return 0;
}
