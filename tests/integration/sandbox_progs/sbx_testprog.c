/*
 * sbx_testprog.c - one small static program with many behaviours, run inside boxes by the
 * sandbox's integration tests: `sbx_testprog WHAT [ARG...]`.
 *
 *   exit N            exit with status N
 *   abort             abort() (SIGABRT: shows the program is not the namespace's init)
 *   burn MS THREADS   burn MS ms of CPU in each of THREADS threads (MS = 0: forever)
 *   sleep             sleep forever
 *   touch MIB         malloc and touch MIB MiB, then exit 0
 *   write KIB         write KIB KiB to stdout
 *   fork N            try to fork N children that sleep; exit with how many forks worked
 *   daemon            double fork + setsid; the grandchild sleeps forever; exit 0 at once
 *   fds               exit with the number of open descriptors
 *   signals           exit 0 if no signal is blocked or ignored (/proc/self/status), else 1
 *   env               print the environment, one per line
 *   plant             in the cwd: "link" -> /etc/passwd, "fifo" a FIFO, "dir/", "file" = "data"
 *   ptrace            call ptrace (forbidden by every policy)
 *   files             write "out.txt" = "hello" in the cwd and "/tmp/t" = "x"; exit 0
 *   clean             exit 0 if the cwd and /tmp hold no entries, else 1
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/ptrace.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long burn_ms;

static long thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *burn(void *arg)
{
    (void)arg;
    static volatile unsigned long sink __attribute__((unused));
    unsigned long x = 0;
    while (burn_ms == 0 || thread_cpu_ms() < burn_ms)
        for (int i = 0; i < 100000; i++)
            x = x * 31 + (unsigned long)i;
    sink = x;
    return NULL;
}

static int do_burn(long ms, int threads)
{
    burn_ms = ms;
    pthread_t t[64];
    if (threads < 1 || threads > 64)
        return 2;
    for (int i = 1; i < threads; i++)
        pthread_create(&t[i], NULL, burn, NULL);
    burn(NULL);
    for (int i = 1; i < threads; i++)
        pthread_join(t[i], NULL);
    return 0;
}

static int do_touch(long mib)
{
    size_t len = (size_t)mib << 20;
    char *p = malloc(len);
    if (p == NULL)
        return 3;
    for (size_t i = 0; i < len; i += 4096)
        p[i] = 1;
    return p[len / 2] == 1 ? 0 : 4;
}

static int do_write(long kib)
{
    char buf[1024];
    memset(buf, 'x', sizeof buf);
    for (long i = 0; i < kib; i++)
        if (write(1, buf, sizeof buf) != (ssize_t)sizeof buf)
            return 5;
    return 0;
}

static int do_fork(int n)
{
    int ok = 0;
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p == 0) {
            pause();
            _exit(0);
        }
        if (p > 0)
            ok++;
    }
    return ok;
}

/* fork(), tried again for up to 100 ms: the box's init may not have reaped the last orphan. */
static pid_t fork_patiently(void)
{
    pid_t p = fork();
    for (int try = 0; try < 100 && p < 0 && errno == EAGAIN; try++) {
        usleep(1000);
        p = fork();
    }
    return p;
}

/* n times: a child forks a grandchild and exits at once, so the grandchild dies an orphan and
 * only the box's init can reap it. Unreaped, those zombies would use up the processes limit. */
static int do_orphans(int n)
{
    for (int i = 0; i < n; i++) {
        pid_t p = fork_patiently();
        if (p < 0)
            return 9;
        if (p == 0)
            _exit(fork_patiently() < 0 ? 1 : 0);
        int st;
        if (waitpid(p, &st, 0) != p || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return 10;
    }
    return 0;
}

static int do_daemon(void)
{
    pid_t p = fork();
    if (p == 0) {
        setsid();
        if (fork() == 0) {
            for (;;)
                pause();
        }
        _exit(0);
    }
    waitpid(p, NULL, 0);
    return 0;
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    if (d == NULL)
        return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

/* SigBlk and SigIgn of /proc/self/status are both all zeros. */
static bool signals_default(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return false;
    char line[256];
    int clean = 0;
    while (fgets(line, sizeof line, f) != NULL)
        if ((strncmp(line, "SigBlk:", 7) == 0 || strncmp(line, "SigIgn:", 7) == 0) &&
            strspn(line + 7, "\t 0") == strlen(line + 7) - 1)
            clean++;
    fclose(f);
    return clean == 2;
}

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    int rc = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
    close(fd);
    return rc;
}

#define LEFTOVER_KEY    0x67617665 /* a SysV segment a run leaves behind */
#define LEFTOVER_MARKER "/usr/local/gavel-marker" /* in the folder bound over /usr/local */

/* What a run in a box whose init ran an earlier one must not find: a pid other than 2, files in
 * /tmp, the earlier run's SysV segment, its bind over /usr/local (first: this run has the bind).
 * Leaves a file in /tmp and a segment behind for the next run. Exit status: bits of what was
 * wrong. */
static int do_leftovers(bool first)
{
    int bad = 0;
    if (getpid() != 2)
        bad |= 1;
    if (count_entries("/tmp") != 0)
        bad |= 2;
    if (shmget(LEFTOVER_KEY, 0, 0) >= 0 || errno != ENOENT)
        bad |= 4;
    if ((access(LEFTOVER_MARKER, F_OK) == 0) != first)
        bad |= 8;
    if (write_file("/tmp/left", "x") < 0 || shmget(LEFTOVER_KEY, 4096, IPC_CREAT | 0600) < 0)
        bad |= 16;
    return bad;
}

static int do_plant(void)
{
    if (symlink("/etc/passwd", "link") < 0 || mkfifo("fifo", 0666) < 0 || mkdir("dir", 0700) < 0 ||
        write_file("dir/inner", "in") < 0 || write_file("file", "data") < 0)
        return 6;
    return 0;
}

int main(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    long a = argc > 2 ? atol(argv[2]) : 0;
    if (strcmp(what, "exit") == 0)
        return (int)a;
    if (strcmp(what, "abort") == 0)
        abort();
    if (strcmp(what, "burn") == 0)
        return do_burn(a, argc > 3 ? atoi(argv[3]) : 1);
    if (strcmp(what, "sleep") == 0)
        for (;;)
            pause();
    if (strcmp(what, "touch") == 0)
        return do_touch(a);
    if (strcmp(what, "write") == 0)
        return do_write(a);
    if (strcmp(what, "fork") == 0)
        return do_fork((int)a);
    if (strcmp(what, "umask") == 0)
        return (int)umask(0);
    if (strcmp(what, "orphans") == 0)
        return do_orphans((int)a);
    if (strcmp(what, "daemon") == 0)
        return do_daemon();
    if (strcmp(what, "signals") == 0)
        return signals_default() ? 0 : 1;
    if (strcmp(what, "fds") == 0)
        return count_entries("/proc/self/fd") - 1; /* minus the one opendir uses */
    if (strcmp(what, "env") == 0) {
        extern char **environ;
        for (char **e = environ; *e; e++)
            printf("%s\n", *e);
        return 0;
    }
    if (strcmp(what, "plant") == 0)
        return do_plant();
    if (strcmp(what, "ptrace") == 0)
        return (int)ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : 7;
    if (strcmp(what, "files") == 0)
        return write_file("out.txt", "hello") < 0 || write_file("/tmp/t", "x") < 0 ? 8 : 0;
    if (strcmp(what, "leftovers") == 0)
        return do_leftovers(argc > 2 && strcmp(argv[2], "first") == 0);
    if (strcmp(what, "clean") == 0)
        return count_entries(".") == 0 && count_entries("/tmp") == 0 ? 0 : 1;
    fprintf(stderr, "sbx_testprog: unknown '%s'\n", what);
    return 100;
}
