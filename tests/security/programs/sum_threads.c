/* sum_threads.c - four threads sum a range (strict allows threads, not processes). */
#include <pthread.h>
#include <stdio.h>

#define THREADS 4

static long part[THREADS];

static void *work(void *arg)
{
    long t = (long)arg;
    for (long i = t; i < 1000000; i += THREADS) part[t] += i;
    return NULL;
}

int main(void)
{
    pthread_t th[THREADS];
    for (long t = 0; t < THREADS; t++)
        if (pthread_create(&th[t], NULL, work, (void *)t) != 0) return 1;
    long sum = 0;
    for (int t = 0; t < THREADS; t++) {
        pthread_join(th[t], NULL);
        sum += part[t];
    }
    printf("sum %ld\n", sum);
    return 0;
}
