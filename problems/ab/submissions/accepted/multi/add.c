/* add.c - adds two 64-bit integers. */
#include "add.h"

long long add(long long a, long long b)
{
    return a + b;
}
