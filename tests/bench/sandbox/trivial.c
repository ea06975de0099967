/* trivial.c - the benchmark's trivial program: exits 0 at once (built static). */
int main(void)
{
    return 0;
}
