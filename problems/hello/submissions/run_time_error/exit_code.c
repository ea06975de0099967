/* Run-time error: the output is right, but main returns 3, and a non-zero exit is an error. */
#include <stdio.h>

int main(void)
{
    puts("Hello World!");
    return 3;
}
