/*
 * hostile.c - one static binary, many attacks on the sandbox: `hostile MODE [ARG...]`.
 *
 * test_security_suite runs it inside the box, one mode per table row. The exit code says how an
 * attack that returned ended: 3 = it was blocked (the call failed, nothing found), 0 = it worked
 * (the row then fails), 4 = the mode was used wrongly. Most attacks are expected never to return
 * at all: the sandbox kills the program (forbidden call, limit), and the row checks that status.
 * Anything found is printed to stdout, so the runner can also look for leaked secrets there.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BLOCKED 3
#define WORKED  0
#define MISUSE  4
#define CHUNK   (64 * 1024)
/* The walk looks at this many directory entries at most, files of at most this size. */
#define WALK_MAX_ENTRIES 20000
#define WALK_MAX_FILE    (1 << 20)

static int argc_;
static char **argv_;

static const char *arg(int i)
{
    return i < argc_ ? argv_[i] : "";
}

/*** Resources ***/

static int fork_bomb(void)
{
    for (;;)
        fork();
    return WORKED; /* not reached */
}

static void *sleeper(void *p)
{
    (void)p;
    for (;;)
        pause();
    return NULL;
}

static int thread_bomb(void)
{
    for (;;) {
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
    }
    return WORKED; /* not reached */
}

static int malloc_touch(void)
{
    for (;;) {
        char *p = malloc(1 << 20);
        if (p == NULL) return BLOCKED;
        memset(p, 7, 1 << 20);
    }
}

static int mmap_touch(void)
{
    size_t size = (size_t)8 << 30;
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED) return BLOCKED;
    for (size_t i = 0; i < size; i += 4096)
        p[i] = 1;
    return WORKED;
}

/* Small frames, each written whole, so the stack grows page by page as a real deep recursion's
 * does (a huge frame would jump past the guard gap and just fault). */
static int recurse(int depth)
{
    volatile char frame[2048];
    memset((char *)frame, depth, sizeof frame);
    if (depth > (1 << 30)) return 0; /* never: keeps the compiler from calling it endless */
    return recurse(depth + 1) + frame[100];
}

static int busy(void)
{
    for (volatile unsigned long i = 0;; i++) {
    }
    return WORKED; /* not reached */
}

static int sleep_forever(void)
{
    for (;;)
        pause();
    return WORKED; /* not reached */
}

static int flood(int fd)
{
    static char buf[CHUNK];
    memset(buf, 'x', sizeof buf);
    for (;;)
        if (write(fd, buf, sizeof buf) < 0) return BLOCKED;
}

/* Many 1 MiB files in a folder until something says no. */
static int fill(const char *dir)
{
    static char buf[1 << 20];
    memset(buf, 'f', sizeof buf);
    for (int i = 0;; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/fill-%d", dir, i);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) return BLOCKED;
        ssize_t n = write(fd, buf, sizeof buf);
        close(fd);
        if (n != (ssize_t)sizeof buf) return BLOCKED;
    }
}

/* One file that grows until something says no. */
static int fill_one(const char *path)
{
    static char buf[CHUNK];
    memset(buf, 'g', sizeof buf);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return BLOCKED;
    for (;;)
        if (write(fd, buf, sizeof buf) < 0) return BLOCKED;
}

/*** Reading what is not ours ***/

/* Prints up to 64 KiB of each path given; WORKED if any had content. */
static int read_paths(void)
{
    int found = 0;
    for (int i = 2; i < argc_; i++) {
        char buf[CHUNK];
        int fd = open(argv_[i], O_RDONLY);
        if (fd < 0) {
            printf("%s: %s\n", argv_[i], strerror(errno));
            continue;
        }
        ssize_t n = read(fd, buf, sizeof buf);
        close(fd);
        if (n > 0) {
            printf("%s: %zd bytes:\n%.*s\n", argv_[i], n, (int)n, buf);
            found = 1;
        }
    }
    return found ? WORKED : BLOCKED;
}

static int file_has(const char *path, const char *marker)
{
    static char buf[WALK_MAX_FILE + 1];
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, WALK_MAX_FILE);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    return memmem(buf, (size_t)n, marker, strlen(marker)) != NULL;
}

static int skip_dir(const char *path)
{
    static const char *const skip[] = {"/proc",  "/sys",   "/usr", "/dev", "/lib",
                                       "/lib64", "/lib32", "/bin", "/sbin"};
    for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
        if (strcmp(path, skip[i]) == 0) return 1;
    return 0;
}

static int walk(const char *dir, const char *marker, int *budget)
{
    DIR *d = opendir(dir);
    if (d == NULL) return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d)) != NULL && --*budget > 0) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, e->d_name);
        if (e->d_type == DT_DIR && !skip_dir(path))
            found = walk(path, marker, budget);
        else if (e->d_type == DT_REG && file_has(path, marker)) {
            printf("found the marker in %s\n", path);
            found = 1;
        }
    }
    closedir(d);
    return found;
}

/* Looks for argv[2] in every readable file of the box (but the system folders). */
static int find_marker(void)
{
    int budget = WALK_MAX_ENTRIES;
    return walk("/", arg(2), &budget) ? WORKED : BLOCKED;
}

/* Looks for a variable named argv[2] in our environment and in every process's. */
static int find_env(void)
{
    extern char **environ;
    for (char **e = environ; *e != NULL; e++) {
        printf("env: %s\n", *e);
        if (strstr(*e, arg(2)) != NULL) return WORKED;
    }
    DIR *d = opendir("/proc");
    struct dirent *e;
    int found = 0;
    while (d != NULL && (e = readdir(d)) != NULL) {
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/environ", e->d_name);
        if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && file_has(path, arg(2))) {
            printf("found it in %s\n", path);
            found = 1;
        }
    }
    if (d != NULL) closedir(d);
    return found ? WORKED : BLOCKED;
}

/* Tries to create a file at each path given; WORKED if any could be written. */
static int write_paths(void)
{
    int worked = 0;
    for (int i = 2; i < argc_; i++) {
        int fd = open(argv_[i], O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0 && write(fd, "pwned\n", 6) == 6) {
            printf("wrote %s\n", argv_[i]);
            worked = 1;
        } else {
            printf("%s: %s\n", argv_[i], strerror(errno));
        }
        if (fd >= 0) close(fd);
    }
    return worked ? WORKED : BLOCKED;
}

/*** The network ***/

static int connect_loopback(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return BLOCKED;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(arg(2)))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0) {
        printf("connected\n");
        return WORKED;
    }
    printf("connect: %s\n", strerror(errno));
    return BLOCKED;
}

static int socket_family(int family)
{
    int fd = socket(family, SOCK_STREAM, 0);
    return fd >= 0 ? WORKED : BLOCKED;
}

/*** Processes ***/

static int kill_all(void)
{
    int r = kill(-1, SIGKILL);
    usleep(100 * 1000);
    printf("kill(-1): %d\n", r);
    return BLOCKED;
}

/* The parent leaves after 300 ms; the grandchild, in its own session, appends a byte to the
 * file named by argv[2] every 100 ms for a minute, so the runner can tell that it ran and that
 * it is dead (the file stops growing). */
static int daemonize(void)
{
    const char *path = argv_[2] != NULL && argc_ > 2 ? argv_[2] : "/tmp/daemon-alive";
    pid_t p = fork();
    if (p < 0) return BLOCKED;
    if (p > 0) {
        usleep(300 * 1000);
        return 0; /* the run "ends" here */
    }
    setsid();
    if (fork() != 0) _exit(0);
    signal(SIGHUP, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    for (int i = 0; i < 600; i++) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            (void)!write(fd, "x", 1);
            close(fd);
        }
        usleep(100 * 1000);
    }
    _exit(0);
}

static int sigstop_self(void)
{
    raise(SIGSTOP);
    return WORKED;
}

static int close_stdout(void)
{
    close(1);
    close(2);
    volatile unsigned long s = 0;
    for (unsigned long i = 0; i < 10000000; i++)
        s += i;
    if (write(1, "x", 1) >= 0) return MISUSE;
    return 0;
}

static int argv_size(void)
{
    size_t total = 0;
    for (int i = 2; i < argc_; i++)
        total += strlen(argv_[i]);
    printf("argv bytes %zu\n", total);
    return 0;
}

/*** Forbidden system calls (expected never to return) ***/

static int do_x32(void)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(0x40000000L | 39L) : "rcx", "r11", "memory");
    return WORKED;
}

static int do_int80(void)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "r8", "r9", "r10", "r11", "memory");
    return WORKED;
}

static int proc_mem(void)
{
    static char target[16] = "original";
    int fd = open("/proc/self/mem", O_RDWR);
    if (fd >= 0) {
        ssize_t n = pwrite(fd, "changed", 8, (off_t)(uintptr_t)target);
        printf("/proc/self/mem: wrote %zd, now %s\n", n, target);
        close(fd);
    }
    /* pid 1 of the box belongs to the sandbox; writing its memory would be a way out */
    fd = open("/proc/1/mem", O_RDWR);
    if (fd < 0) {
        printf("/proc/1/mem: %s\n", strerror(errno));
        return BLOCKED;
    }
    close(fd);
    return WORKED;
}

static int mount_tmpfs(void)
{
    return mount("none", "/tmp", "tmpfs", 0, NULL) == 0 ? WORKED : BLOCKED;
}

static int chroot_escape(void)
{
    mkdir("/tmp/jail", 0755);
    if (chroot("/tmp/jail") != 0) return BLOCKED;
    for (int i = 0; i < 64; i++)
        (void)!chdir("..");
    return chroot(".") == 0 ? WORKED : BLOCKED;
}

static int setuid_root(void)
{
    if (setuid(0) == 0 || setgid(0) == 0) return WORKED;
    printf("setuid: %s\n", strerror(errno));
    return BLOCKED;
}

static int raw(long nr, long a, long b, long c, long d, long e)
{
    return syscall(nr, a, b, c, d, e) < 0 ? BLOCKED : WORKED;
}

/*** Links left for the host ***/

/* In the work folder: links to host files (and the host path given), a FIFO, a regular file. */
static int leave_links(void)
{
    int bad = symlink("/etc/shadow", "/box/shadow_link") | symlink(arg(2), "/box/host_link") |
              symlink("/", "/box/root_link") | mkfifo("/box/fifo", 0644);
    if (link("/etc/passwd", "/box/hard_passwd") == 0) printf("hard link made\n");
    int fd = open("/box/ok.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "fine\n", 5) != 5) bad = 1;
    if (fd >= 0) close(fd);
    return bad ? MISUSE : 0;
}

/* Any descriptor open beyond stdin, stdout and stderr (and the one listing them) leaked in. */
static int leaked_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL) return MISUSE;
    int leaked = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        int fd = atoi(e->d_name);
        if (e->d_name[0] == '.' || fd <= 2 || fd == dirfd(d)) continue;
        char path[64], target[256] = "";
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(path, target, sizeof target - 1);
        printf("leaked fd %d -> %s\n", fd, n > 0 ? target : "?");
        leaked = 1;
    }
    closedir(d);
    return leaked ? WORKED : BLOCKED;
}

struct mode {
    const char *name;
    int (*fn)(void);
};

static int m_stack(void)
{
    return recurse(0);
}
static int m_stdout(void)
{
    return flood(1);
}
static int m_stderr(void)
{
    return flood(2);
}
static int m_fill(void)
{
    return fill(arg(2));
}
static int m_fill_one(void)
{
    return fill_one(arg(2));
}
static int m_netlink(void)
{
    return socket_family(AF_NETLINK);
}
static int m_vsock(void)
{
    return socket_family(AF_VSOCK);
}
static int m_ptrace(void)
{
    return raw(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0, 0);
}
static int m_unshare_user(void)
{
    return raw(SYS_unshare, CLONE_NEWUSER, 0, 0, 0, 0);
}
static int m_clone_user(void)
{
    long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (r == 0) _exit(0);
    return r < 0 ? BLOCKED : WORKED;
}
static int m_io_uring(void)
{
    char params[120] = {0};
    return raw(SYS_io_uring_setup, 8, (long)params, 0, 0, 0);
}
static int m_bpf(void)
{
    char attr[128] = {0};
    return raw(SYS_bpf, 0 /* BPF_MAP_CREATE */, (long)attr, sizeof attr, 0, 0);
}
static int m_perf(void)
{
    char attr[128] = {0};
    attr[4] = (char)sizeof attr; /* size */
    return raw(SYS_perf_event_open, (long)attr, 0, -1, -1, 0);
}
static int m_keyctl(void)
{
    return raw(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0, 0, 0);
}

static int m_seccomp(void)
{
    return raw(SYS_seccomp, 1 /* SECCOMP_SET_MODE_FILTER */, 8 /* NEW_LISTENER */, 0, 0, 0);
}
static int m_prctl_seccomp(void)
{
    return raw(SYS_prctl, PR_SET_SECCOMP, 2, 0, 0, 0);
}
static int m_personality(void)
{
    return raw(SYS_personality, 0x0040000 /* ADDR_NO_RANDOMIZE */, 0, 0, 0, 0);
}
static int m_tiocsti(void)
{
    char c = 'x';
    return raw(SYS_ioctl, 0, 0x5412 /* TIOCSTI */, (long)&c, 0, 0);
}
static int m_clone3(void)
{
    long r = syscall(SYS_clone3, NULL, 0);
    printf("clone3: %ld %s\n", r, strerror(errno));
    return r == -1 && errno == ENOSYS ? BLOCKED : WORKED;
}

static const struct mode modes[] = {
    {"fork_bomb", fork_bomb},
    {"thread_bomb", thread_bomb},
    {"malloc", malloc_touch},
    {"mmap", mmap_touch},
    {"stack", m_stack},
    {"busy", busy},
    {"sleep", sleep_forever},
    {"flood_stdout", m_stdout},
    {"flood_stderr", m_stderr},
    {"fill", m_fill},
    {"fill_one", m_fill_one},
    {"read", read_paths},
    {"find", find_marker},
    {"env", find_env},
    {"write", write_paths},
    {"connect", connect_loopback},
    {"netlink", m_netlink},
    {"vsock", m_vsock},
    {"kill_all", kill_all},
    {"ptrace", m_ptrace},
    {"mount", mount_tmpfs},
    {"unshare_user", m_unshare_user},
    {"clone_user", m_clone_user},
    {"setuid", setuid_root},
    {"chroot", chroot_escape},
    {"x32", do_x32},
    {"int80", do_int80},
    {"io_uring", m_io_uring},
    {"bpf", m_bpf},
    {"perf", m_perf},
    {"keyctl", m_keyctl},
    {"proc_mem", proc_mem},
    {"daemon", daemonize},
    {"sigstop", sigstop_self},
    {"close_stdout", close_stdout},
    {"argv", argv_size},
    {"links", leave_links},
    {"fds", leaked_fds},
    {"seccomp", m_seccomp},
    {"prctl_seccomp", m_prctl_seccomp},
    {"personality", m_personality},
    {"tiocsti", m_tiocsti},
    {"clone3", m_clone3},
};

int main(int argc, char **argv)
{
    argc_ = argc;
    argv_ = argv;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
        if (strcmp(arg(1), modes[i].name) == 0) return modes[i].fn();
    fprintf(stderr, "hostile: unknown mode %s\n", arg(1));
    return MISUSE;
}
