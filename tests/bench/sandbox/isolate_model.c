/*
 * isolate_model.c - one run shaped like isolate's, for the sandbox benchmark (run.sh: iso_model).
 *
 * isolate is not packaged in Debian 12, so the benchmark cannot run it beside ours. This is a
 * run written here from isolate's documented design (its manual page and README: `isolate --cg
 * --run`), to measure on the same machine, in the same run, what that design costs at least:
 *   the keeper   this process, dynamically linked against glibc as isolate is; it reads a
 *                configuration file, sets and resets the box's cgroup counters (v1: memory,
 *                pids, cpuacct), joins the group, clones the box process into new ipc, net,
 *                mount and pid namespaces (a new network namespace per run, as isolate makes
 *                unless --share-net), waits, reads the CPU time and memory peak from the group
 *                and writes a meta file;
 *   the proxy    pid 1 in the box: makes the mount tree private, mounts a tmpfs root and binds
 *                /bin, /dev, /lib, /lib64, /usr, /etc (read-only but /dev) and the box folder,
 *                a fresh /proc and /tmp, chroots, sets rlimits, forks the program and waits;
 *   the program  switches to the box's uid and gid and execs.
 * It leaves out what isolate also does (its rules and environment handling, error pipes, the
 * libcap it links, disk quotas, --init and --cleanup), so it is a lower bound of isolate's run.
 * It is not isolate, and no isolate code is in it.
 *
 * Usage: isolate-model BOXDIR PROGRAM   (as root; BOXDIR holds root/ and box/, PROGRAM is a
 * path inside the box). Exit status: the program's, or 2 when a step failed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define MODEL_UID   60999
#define MODEL_GROUP "gavel-isomodel"
#define STACK_BYTES (256 * 1024)

static const char *box_dir, *program;
static char root[PATH_MAX], groups[3][PATH_MAX];
static int n_groups;

static void die(const char *what)
{
    fprintf(stderr, "isolate-model: %s: %m\n", what);
    _exit(2);
}

static void put(const char *dir, const char *file, const char *value)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, value, strlen(value)) < 0)
        die(path);
    close(fd);
}

static long get(const char *dir, const char *file)
{
    char path[PATH_MAX + 64], buf[64] = {0};
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, buf, sizeof buf - 1) < 0)
        die(path);
    close(fd);
    return atol(buf);
}

/* The v1 memory, pids and cpuacct groups of this process, with MODEL_GROUP below each. */
static void find_groups(void)
{
    static const char *const ctl[] = {"memory", "pids", "cpuacct"};
    FILE *f = fopen("/proc/self/cgroup", "r");
    char line[PATH_MAX];
    while (f != NULL && fgets(line, sizeof line, f) != NULL) {
        char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;
        if (p == NULL)
            continue;
        *p++ = '\0';
        p[strcspn(p, "\n")] = '\0';
        for (int i = 0; i < 3; i++)
            if (strcmp(c + 1, ctl[i]) == 0) {
                snprintf(groups[i], sizeof groups[i], "/sys/fs/cgroup/%s%s/%s", ctl[i],
                         strcmp(p, "/") == 0 ? "" : p, MODEL_GROUP);
                if (mkdir(groups[i], 0755) < 0 && access(groups[i], F_OK) < 0)
                    die(groups[i]);
                n_groups++;
            }
    }
    if (f != NULL)
        fclose(f);
}

static void bind(const char *host, const char *inside, int read_only)
{
    char target[PATH_MAX + 16];
    snprintf(target, sizeof target, "%s%s", root, inside);
    if (mkdir(target, 0755) < 0 && access(target, F_OK) < 0)
        die(target);
    if (mount(host, target, NULL, MS_BIND | MS_REC, NULL) < 0)
        die(target);
    unsigned long fl = MS_REMOUNT | MS_BIND | MS_NOSUID | (read_only ? MS_RDONLY | MS_NODEV : 0);
    if (mount(NULL, target, NULL, fl, NULL) < 0)
        die(target);
}

static int proxy_main(void *arg)
{
    (void)arg;
    char work[PATH_MAX], target[PATH_MAX + 16];
    snprintf(work, sizeof work, "%s/box", box_dir);
    if (mount(NULL, "/", NULL, MS_PRIVATE | MS_REC, NULL) < 0)
        die("make / private");
    if (mount("isolate-model", root, "tmpfs", MS_NOSUID, "mode=755") < 0)
        die("root tmpfs");
    bind("/usr/bin", "/bin", 1);
    bind("/dev", "/dev", 0);
    bind("/usr/lib", "/lib", 1);
    if (access("/usr/lib64", F_OK) == 0)
        bind("/usr/lib64", "/lib64", 1);
    bind("/usr", "/usr", 1);
    bind("/etc", "/etc", 1);
    bind(work, "/box", 0);
    snprintf(target, sizeof target, "%s/proc", root);
    if (mkdir(target, 0755) < 0 || mount("proc", target, "proc", MS_NOSUID | MS_NODEV, NULL) < 0)
        die("/proc");
    snprintf(target, sizeof target, "%s/tmp", root);
    if (mkdir(target, 0755) < 0 || mount("tmp", target, "tmpfs", MS_NOSUID, "mode=1777") < 0)
        die("/tmp");
    if (chroot(root) < 0 || chdir("/box") < 0)
        die("chroot");
    struct rlimit lim = {64, 64};
    if (setrlimit(RLIMIT_NOFILE, &lim) < 0)
        die("rlimit");
    lim.rlim_cur = lim.rlim_max = 0;
    if (setrlimit(RLIMIT_CORE, &lim) < 0)
        die("rlimit");
    pid_t child = fork();
    if (child < 0)
        die("fork");
    if (child == 0) {
        if (setresgid(MODEL_UID, MODEL_UID, MODEL_UID) < 0 ||
            setresuid(MODEL_UID, MODEL_UID, MODEL_UID) < 0)
            die("uid");
        char *argv[] = {(char *)program, NULL}, *envp[] = {"PATH=/usr/bin:/bin", NULL};
        execve(program, argv, envp);
        die("execve");
    }
    int st;
    if (waitpid(child, &st, 0) < 0)
        die("waitpid");
    return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    box_dir = argv[1];
    program = argv[2];
    snprintf(root, sizeof root, "%s/root", box_dir);
    char config[4096];
    int fd = open("/etc/passwd", O_RDONLY | O_CLOEXEC); /* stands for isolate's config file */
    if (fd < 0 || read(fd, config, sizeof config) < 0)
        die("config");
    close(fd);
    find_groups();
    if (n_groups == 3) {
        put(groups[0], "memory.max_usage_in_bytes", "0");
        put(groups[1], "pids.max", "64");
        put(groups[2], "cpuacct.usage", "0");
        char me[32];
        snprintf(me, sizeof me, "%d", (int)getpid());
        for (int i = 0; i < 3; i++)
            put(groups[i], "cgroup.procs", me);
    }
    static char stack[STACK_BYTES];
    int flags = CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWPID | SIGCHLD;
    pid_t box = clone(proxy_main, stack + sizeof stack, flags, NULL);
    if (box < 0)
        die("clone");
    int st;
    struct rusage ru;
    if (wait4(box, &st, 0, &ru) < 0)
        die("wait4");
    long cpu_ns = n_groups == 3 ? get(groups[2], "cpuacct.usage") : 0;
    long mem = n_groups == 3 ? get(groups[0], "memory.max_usage_in_bytes") : ru.ru_maxrss * 1024L;
    char meta[PATH_MAX];
    snprintf(meta, sizeof meta, "%s/meta", box_dir);
    FILE *m = fopen(meta, "w");
    if (m == NULL)
        die(meta);
    fprintf(m, "time:%.3f\nmax-rss:%ld\nexitcode:%d\n", cpu_ns / 1e9, mem / 1024,
            WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    fclose(m);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}
