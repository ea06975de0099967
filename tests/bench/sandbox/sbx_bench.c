/*
 * sbx_bench.c - per-run cost of the sandbox paths, for tests/bench/sandbox/run.sh.
 *
 * Theory of operation. `sbx-bench MODE N PROGRAM [ARG...]` runs PROGRAM N times (after a few
 * warm-up runs) and prints "median_us p90_us cpu_us" of the per-run wall time:
 *   floor  fork + execve + wait4: the least any sandbox can cost;
 *   lib    sbx_run() in one pooled box (strict policy, no limits), as the judge uses it: after
 *          each run sbx_box_prestart (a box's init stays for its next runs, so it only has one
 *          started when the last was killed) and the bench sleeps BENCH_IDLE_US, untimed: the
 *          idle time a judge checking output or a server waiting for its next command has
 *          (the CPU of what the init does then is counted);
 *   lib_busy  runs back to back: no idle time, no sbx_box_prestart (each run waits for the
 *          init to have made the box ready after the last);
 *   cmd    fork + execve + wait4 of a whole command line (gavel-sandbox -- ..., bwrap ...); for
 *          gavel-sandbox that is the warm path: what earlier commands kept is reused;
 *   cold   the same, but `PROGRAM --cleanup` runs before each run (untimed, its CPU left out):
 *          gavel-sandbox's first run on a host where nothing is kept.
 * In lib mode PROGRAM is copied into the box's work folder once and run as /box/prog.
 * Each run's stdout and stderr go to /dev/null. A third number is the CPU time per run of the
 * whole machine (user, nice, system, irq and softirq of /proc/stat, all CPUs): on a busy host
 * wall times swell, CPU costs much less so. Machine-wide, because the work of a run is not all
 * in processes this one waits for: a box's init reaps the program and lives on, a sandbox
 * server works for the command, kernel workers tear namespaces down. So run it on an otherwise
 * idle machine (its resolution is 1/CLK_TCK over all the runs).
 */
#include "sandbox.h"

#include "gv.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BENCH_WARMUP 20
#define BENCH_WARMUP_COLD 2
#define BENCH_RUNS_MAX 100000
#define BENCH_IDLE_US 2000 /* lib: untimed idle time after each run */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Busy CPU time of the whole machine so far (the "cpu" line of /proc/stat), or -1. */
static int64_t cpu_us(void)
{
    FILE *f = fopen("/proc/stat", "r");
    if (f == NULL)
        return -1;
    unsigned long long user, nice, sys, idle, iowait, irq, softirq;
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle, &iowait,
                   &irq, &softirq);
    fclose(f);
    if (n != 7)
        return -1;
    long hz = sysconf(_SC_CLK_TCK);
    return (int64_t)((user + nice + sys + irq + softirq) * 1000000ULL / (unsigned long long)hz);
}

static int fork_exec(char **argv, int devnull)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(devnull, 1);
        dup2(devnull, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return 0;
}

static int lib_run(struct sbx_box *box, char **argv, int devnull)
{
    struct sbx_spec spec;
    sbx_spec_init(&spec);
    spec.argv = (const char *const *)argv;
    spec.stdout_fd = spec.stderr_fd = devnull;
    struct sbx_result r;
    if (sbx_run(box, &spec, &r) < 0 || r.status != SBX_OK) {
        char json[1024];
        sbx_result_to_json(&r, json, sizeof json);
        fprintf(stderr, "sbx-bench: %s\n", json);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: sbx-bench floor|lib|lib_busy|cmd|cold N PROGRAM [ARG...]\n");
        return 2;
    }
    const char *mode = argv[1];
    long n = strtol(argv[2], NULL, 10);
    if (n < 1 || n > BENCH_RUNS_MAX)
        return 2;
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    struct sbx_pool *pool = NULL;
    struct sbx_box *box = NULL;
    bool prestart = strcmp(mode, "lib") == 0;
    if (prestart || strcmp(mode, "lib_busy") == 0) {
        char err[256];
        struct sbx_config cfg = {.n_boxes = 1};
        pool = sbx_pool_new(&cfg, err, sizeof err);
        if (pool == NULL) {
            fprintf(stderr, "sbx-bench: %s\n", err);
            return 1;
        }
        box = sbx_box_acquire(pool);
        /* The program goes into the box's work folder once, as a judge puts a binary there. */
        size_t len;
        char *data = gv_read_file(argv[3], 64 << 20, &len);
        if (data == NULL || sbx_box_put(box, "prog", data, len, 0755) < 0) {
            fprintf(stderr, "sbx-bench: cannot put %s into the box\n", argv[3]);
            return 1;
        }
        free(data);
        argv[3] = "/box/prog";
    }
    bool cold = strcmp(mode, "cold") == 0;
    char *cleanup[] = {argv[3], "--cleanup", NULL};
    int64_t *t = calloc((size_t)n, sizeof *t);
    int64_t cpu_sum = 0;
    for (long i = cold ? -BENCH_WARMUP_COLD : -BENCH_WARMUP; i < n; i++) {
        if (cold && fork_exec(cleanup, devnull) < 0) {
            fprintf(stderr, "sbx-bench: %s --cleanup failed\n", argv[3]);
            return 1;
        }
        int64_t c0 = cpu_us(), t0 = gv_now_us();
        int rc = box ? lib_run(box, argv + 3, devnull) : fork_exec(argv + 3, devnull);
        if (rc < 0) {
            fprintf(stderr, "sbx-bench: run %ld of %s failed\n", i, mode);
            return 1;
        }
        if (i >= 0)
            t[i] = gv_now_us() - t0;
        char err[256];
        if (prestart && sbx_box_prestart(box, err, sizeof err) < 0) {
            fprintf(stderr, "sbx-bench: sbx_box_prestart: %s\n", err);
            return 1;
        }
        if (prestart)
            usleep(BENCH_IDLE_US);
        if (i >= 0) /* the prestart's CPU (and the last init's, reaped there) counts */
            cpu_sum += cpu_us() - c0;
    }
    qsort(t, (size_t)n, sizeof *t, cmp_i64);
    int64_t cpu = cpu_sum / n;
    printf("%lld %lld %lld\n", (long long)t[n / 2], (long long)t[n * 9 / 10], (long long)cpu);
    free(t);
    sbx_pool_free(pool);
    return 0;
}
