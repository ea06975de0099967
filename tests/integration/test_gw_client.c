/*
 * test_gw_client.c - the gateway tests' client side: raw WebSocket frames over blocking sockets
 * with poll() deadlines, a little HTTP, and the gavel-gw process fixture.
 */
#include "test_gw_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gv.h"
#include "test_proc.h"

#define TC_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/*** Sockets ***/

int tc_rcvbuf;

int tc_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0)
        return -1;
    if (tc_rcvbuf > 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &tc_rcvbuf, sizeof tc_rcvbuf);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int tc_send(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads exactly len bytes before the deadline: 1, 0 on EOF, -1 on timeout/error. */
static int read_exact(int fd, void *buf, size_t len, int64_t deadline)
{
    char *p = buf;
    while (len > 0) {
        int left = (int)(deadline - gv_now_ms());
        struct pollfd pfd = {fd, POLLIN, 0};
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            return -1;
        ssize_t n = recv(fd, p, len, 0);
        if (n == 0)
            return 0;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return errno == ECONNRESET ? 0 : -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

int tc_eof_within(int fd, int timeout_ms)
{
    int64_t deadline = gv_now_ms() + timeout_ms;
    char buf[4096];
    for (;;) {
        int left = (int)(deadline - gv_now_ms());
        struct pollfd pfd = {fd, POLLIN, 0};
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            return 0;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n == 0 || (n < 0 && errno == ECONNRESET))
            return 1;
    }
}

/*** HTTP ***/

int tc_http(int port, const char *request, char *resp, size_t size)
{
    int fd = tc_connect(port);
    if (fd < 0 || tc_send(fd, request, strlen(request)) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t len = 0;
    int64_t deadline = gv_now_ms() + 10000;
    while (len + 1 < size) {
        int left = (int)(deadline - gv_now_ms());
        struct pollfd pfd = {fd, POLLIN, 0};
        if (left <= 0 || poll(&pfd, 1, left) <= 0)
            break;
        ssize_t n = recv(fd, resp + len, size - 1 - len, 0);
        if (n <= 0)
            break;
        len += (size_t)n;
        resp[len] = '\0';
        /* Stop once Content-Length bytes of body are in (keep-alive responses do not close). */
        const char *body = strstr(resp, "\r\n\r\n");
        const char *cl = strcasestr(resp, "\r\nContent-Length:");
        if (body && cl && cl < body && len - (size_t)(body + 4 - resp) >= (size_t)atol(cl + 17))
            break;
    }
    resp[len] = '\0';
    close(fd);
    int status = -1;
    if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
        return -1;
    return status;
}

int tc_http_simple(int port, const char *method, const char *path, const char *body, char *resp,
                   size_t size)
{
    size_t blen = body ? strlen(body) : 0;
    size_t cap = strlen(method) + strlen(path) + blen + 256; /* 256: the fixed header lines */
    char *req = malloc(cap);
    if (!req)
        return -1;
    int n = snprintf(req, cap,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     method, path, blen);
    if (n < 0 || (size_t)n + blen >= cap) {
        free(req);
        return -1;
    }
    if (body)
        memcpy(req + n, body, blen + 1);
    int st = tc_http(port, req, resp, size);
    free(req);
    return st;
}

const char *tc_body(const char *resp)
{
    const char *b = strstr(resp, "\r\n\r\n");
    return b ? b + 4 : "";
}

/*** WebSocket ***/

int tc_ws_open(int port)
{
    static const char key[] = "dGhlIHNhbXBsZSBub25jZQ==";
    char req[512], resp[2048] = {0};
    int fd = tc_connect(port);
    if (fd < 0)
        return -1;
    snprintf(req, sizeof req,
             "GET /ws HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
             port, key);
    if (tc_send(fd, req, strlen(req)) < 0)
        goto fail;
    /* Read the response head byte by byte so no frame after it is swallowed. */
    size_t len = 0;
    int64_t deadline = gv_now_ms() + 5000;
    while (len < sizeof resp - 1 && !strstr(resp, "\r\n\r\n"))
        if (read_exact(fd, resp + len++, 1, deadline) != 1)
            goto fail;
    if (strncmp(resp, "HTTP/1.1 101", 12) != 0 ||
        !strstr(resp, "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"))
        goto fail;
    return fd;
fail:
    close(fd);
    return -1;
}

int tc_ws_frame(int fd, int fin, int rsv, int opcode, const void *payload, size_t len,
                int unmasked)
{
    uint8_t *buf = malloc(len + 14);
    size_t n = 0;
    if (!buf)
        return -1;
    buf[n++] = (uint8_t)((fin ? 0x80 : 0) | (rsv & 7) << 4 | (opcode & 0x0f));
    uint8_t mask_bit = unmasked ? 0 : 0x80;
    if (len < 126) {
        buf[n++] = mask_bit | (uint8_t)len;
    } else if (len < 65536) {
        buf[n++] = mask_bit | 126;
        buf[n++] = (uint8_t)(len >> 8);
        buf[n++] = (uint8_t)len;
    } else {
        buf[n++] = mask_bit | 127;
        for (int i = 7; i >= 0; i--)
            buf[n++] = (uint8_t)((uint64_t)len >> (8 * i));
    }
    uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    if (!unmasked) {
        memcpy(buf + n, mask, 4);
        n += 4;
    }
    for (size_t i = 0; i < len; i++)
        buf[n + i] = ((const uint8_t *)payload)[i] ^ (unmasked ? 0 : mask[i % 4]);
    int rc = tc_send(fd, buf, n + len);
    free(buf);
    return rc;
}

int tc_ws_text(int fd, const char *text)
{
    return tc_ws_frame(fd, 1, 0, 1, text, strlen(text), 0);
}

int tc_ws_read(int fd, int timeout_ms, struct tc_frame *f)
{
    int64_t deadline = gv_now_ms() + timeout_ms;
    uint8_t h[8];
    memset(f, 0, sizeof *f);
    int rc = read_exact(fd, h, 2, deadline);
    if (rc != 1)
        return rc;
    f->fin = h[0] >> 7;
    f->rsv = (h[0] >> 4) & 7;
    f->opcode = h[0] & 0x0f;
    uint64_t len = h[1] & 0x7f;
    if (h[1] & 0x80)
        return -1; /* servers never mask */
    if (len >= 126) {
        size_t k = len == 126 ? 2 : 8;
        if ((rc = read_exact(fd, h, k, deadline)) != 1)
            return rc;
        len = 0;
        for (size_t i = 0; i < k; i++)
            len = len << 8 | h[i];
    }
    if (len > TC_FRAME_MAX)
        return -1;
    f->data = malloc(len + 1);
    if (!f->data)
        return -1;
    if (len && (rc = read_exact(fd, f->data, len, deadline)) != 1) {
        free(f->data);
        f->data = NULL;
        return rc;
    }
    f->data[len] = 0;
    f->len = len;
    return 1;
}

/* Reads frames until a close, or (when needle is not NULL) a text frame containing needle; pings
 * are answered on the way only in the needle case. Returns 1 with that frame in *f (the caller
 * frees f->data), 0 on EOF, -1 on timeout or error. */
static int read_until(int fd, int timeout_ms, const char *needle, struct tc_frame *f)
{
    int64_t deadline = gv_now_ms() + timeout_ms;
    for (;;) {
        int left = (int)(deadline - gv_now_ms());
        int rc = tc_ws_read(fd, left > 0 ? left : 1, f);
        if (rc <= 0)
            return rc;
        if (f->opcode == 8 || (needle && f->opcode == 1 && strstr((char *)f->data, needle)))
            return 1;
        if (needle && f->opcode == 9) /* answer pings, as browsers do */
            tc_ws_frame(fd, 1, 0, 10, f->data, f->len, 0);
        free(f->data);
    }
}

int tc_ws_expect_close(int fd, int timeout_ms)
{
    struct tc_frame f;
    int rc = read_until(fd, timeout_ms, NULL, &f);
    if (rc <= 0)
        return rc;
    int code = f.len >= 2 ? (f.data[0] << 8 | f.data[1]) : 1005;
    free(f.data);
    return code;
}

int tc_ws_wait_text(int fd, const char *needle, int timeout_ms, char *out, size_t size)
{
    struct tc_frame f;
    int rc = read_until(fd, timeout_ms, needle, &f);
    if (rc <= 0)
        return rc;
    if (f.opcode == 8) {
        free(f.data);
        return 0;
    }
    if (out)
        gv_strlcpy(out, (char *)f.data, size);
    free(f.data);
    return 1;
}

/*** The gavel-gw fixture ***/

static int wait_healthy(struct gw_fixture *g)
{
    char resp[4096];
    for (int i = 0; i < 200; i++) {
        int st = tc_http_simple(g->port, "GET", "/healthz", NULL, resp, sizeof resp);
        if (st == 200)
            return 0;
        int status;
        if (waitpid(g->pid, &status, WNOHANG) == g->pid) {
            g->pid = 0;
            return -1;
        }
        usleep(50 * 1000);
    }
    return -1;
}

int gw_start(struct gw_fixture *g, const char *const *extra_args, int keep_redis)
{
    const char *build = getenv("GAVEL_BUILD_DIR"), *src = getenv("GAVEL_SOURCE_DIR");
    if (!build || !src) {
        fprintf(stderr, "gw_start: GAVEL_BUILD_DIR and GAVEL_SOURCE_DIR must be set\n");
        return -1;
    }
    if (!keep_redis && rf_start(&g->redis) != 0)
        return -1;
    for (int attempt = 0; attempt < 5; attempt++) {
        char bin[512], problems[512], listen[64];
        const char *argv[64];
        int n = 0;
        snprintf(bin, sizeof bin, "%s/frontend-gw/gavel-gw", build);
        snprintf(problems, sizeof problems, "%s/problems", src);
        g->port = tp_free_port();
        snprintf(listen, sizeof listen, "127.0.0.1:%d", g->port);
        argv[n++] = bin;
        argv[n++] = "--listen";
        argv[n++] = listen;
        argv[n++] = "--redis";
        argv[n++] = g->redis.url;
        argv[n++] = "--problems";
        argv[n++] = problems;
        for (int i = 0; extra_args && extra_args[i] && n < 62; i++)
            argv[n++] = extra_args[i];
        argv[n] = NULL;
        g->pid = tp_spawn(argv, NULL);
        if (g->pid < 0)
            return -1;
        if (wait_healthy(g) == 0)
            return 0;
        gw_stop_gateway(g);
    }
    return -1;
}

void gw_stop_gateway(struct gw_fixture *g)
{
    tp_stop(&g->pid, SIGTERM, 3000);
}

void gw_stop(struct gw_fixture *g)
{
    gw_stop_gateway(g);
    rf_stop(&g->redis);
}
