/*
 * gv_util.c - clocks and bounded file I/O.
 *
 * The clocks are read in microseconds and divided; gv_wall_deadline() turns "ms from now" into the
 * absolute CLOCK_REALTIME timespec that condition-variable waits take, carrying nanoseconds over.
 *
 * gv_read_file() reads through one descriptor and stops one byte past the limit, so an unexpectedly
 * large (or endless, like /dev/zero) file costs at most `max` + 1 bytes of memory.
 */
#include "gv.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int64_t clock_us(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t gv_now_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}

int64_t gv_now_ms(void)
{
    return clock_us(CLOCK_MONOTONIC) / 1000;
}

int64_t gv_wall_ms(void)
{
    return clock_us(CLOCK_REALTIME) / 1000;
}

void gv_wall_deadline(struct timespec *ts, int64_t ms)
{
    if (ms < 0)
        ms = 0;
    clock_gettime(CLOCK_REALTIME, ts);
    int64_t ns = ts->tv_nsec + (ms % 1000) * 1000000;
    ts->tv_sec += (time_t)(ms / 1000 + ns / 1000000000);
    ts->tv_nsec = (long)(ns % 1000000000);
}

char *gv_read_fd(int fd, size_t max, size_t *len_out)
{
    struct gv_buf b;
    gv_buf_init(&b, max);
    char chunk[65536];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto err;
        if (n == 0)
            break;
        if (gv_buf_append(&b, chunk, (size_t)n) < 0) {
            if (errno == EMSGSIZE)
                errno = EFBIG;
            goto err;
        }
    }
    if (len_out)
        *len_out = b.len;
    return gv_buf_steal(&b);
err:;
    int saved = errno;
    gv_buf_free(&b);
    errno = saved;
    return NULL;
}

char *gv_read_file(const char *path, size_t max, size_t *len_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *data = gv_read_fd(fd, max, len_out);
    int saved = errno;
    close(fd);
    errno = saved;
    return data;
}

ssize_t gv_read_full(int fd, void *buf, size_t len)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, p + got, len - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* The one write-everything loop: write(2), or send(2) with MSG_NOSIGNAL on a socket. */
static int put_all(int fd, const void *data, size_t len, bool sock)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int gv_write_all(int fd, const void *data, size_t len)
{
    return put_all(fd, data, len, false);
}

int gv_send_all(int sock, const void *data, size_t len)
{
    return put_all(sock, data, len, true);
}

int gv_send_fds(int sock, const void *data, size_t len, const int *fds, size_t n)
{
    if (len == 0 || n > GV_SEND_FDS_MAX) {
        errno = EINVAL;
        return -1;
    }
    union {
        char buf[CMSG_SPACE(GV_SEND_FDS_MAX * sizeof(int))];
        struct cmsghdr align;
    } u;
    memset(&u, 0, sizeof u);
    struct iovec iov = {.iov_base = (void *)data, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (n > 0) {
        msg.msg_control = u.buf;
        msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
        struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(n * sizeof(int));
        memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
    }
    ssize_t sent;
    while ((sent = sendmsg(sock, &msg, MSG_NOSIGNAL)) < 0 && errno == EINTR)
        ;
    if (sent < 0)
        return -1;
    /* The descriptors went with the first byte; the rest goes plainly. */
    return gv_send_all(sock, (const char *)data + sent, len - (size_t)sent);
}

size_t gv_strlcpy(char *dst, const char *src, size_t dst_size)
{
    size_t n = strlen(src);
    if (dst_size) {
        size_t k = n < dst_size - 1 ? n : dst_size - 1;
        memcpy(dst, src, k);
        dst[k] = '\0';
    }
    return n;
}

uint64_t gv_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}
