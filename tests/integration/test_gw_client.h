/*
 * test_gw_client.h - a small blocking WebSocket/HTTP client for the gateway's tests, and a fixture
 * that runs a real gavel-gw against a private Redis.
 *
 * The client writes frames byte by byte as the tests want them (masked or not, RSV bits, any
 * opcode, fragments), so the RFC 6455 conformance tests can break every rule on purpose. Every
 * read has a deadline: a test never hangs.
 */
#ifndef GAVEL_TEST_GW_CLIENT_H
#define GAVEL_TEST_GW_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "redis_fixture.h"

#define TC_FRAME_MAX (1 << 20)

struct tc_frame {
    int fin, rsv, opcode;
    uint8_t *data; /* NUL-terminated; free with free() */
    size_t len;
};

/* When > 0, SO_RCVBUF set on every new connection before connect (slow-reader tests). */
extern int tc_rcvbuf;

/* A TCP connection to 127.0.0.1:port; -1 on failure. */
int tc_connect(int port);
/* Sends bytes; 0 or -1. */
int tc_send(int fd, const void *data, size_t len);
/* One HTTP request over a new connection; returns the status, fills the response (headers and
 * body, NUL-terminated, at most size - 1 bytes). -1 on failure. */
int tc_http(int port, const char *request, char *resp, size_t size);
/* Convenience: METHOD path with an optional JSON body; same return as tc_http. */
int tc_http_simple(int port, const char *method, const char *path, const char *body, char *resp,
                   size_t size);
/* Pointer to the body of an HTTP response (after the blank line). */
const char *tc_body(const char *resp);
/* Opens a WebSocket to /ws, checks the 101 and the accept key; the fd or -1. */
int tc_ws_open(int port);
/* Sends one frame: masked unless `unmasked`. */
int tc_ws_frame(int fd, int fin, int rsv, int opcode, const void *payload, size_t len,
                int unmasked);
/* Sends a text message in one masked frame. */
int tc_ws_text(int fd, const char *text);
/* Reads one frame within timeout_ms: 1 with *f filled, 0 on EOF, -1 on timeout or error. */
int tc_ws_read(int fd, int timeout_ms, struct tc_frame *f);
/* Reads frames until a close arrives: returns its code (1005 when it has none), 0 on EOF first,
 * -1 on timeout. Pongs and texts on the way are skipped. */
int tc_ws_expect_close(int fd, int timeout_ms);
/* Reads text frames until one contains `needle` (pings are answered on the way); returns 1 and copies it to out (if not NULL,
 * at most size - 1 bytes), 0 on EOF/close, -1 on timeout. */
int tc_ws_wait_text(int fd, const char *needle, int timeout_ms, char *out, size_t size);
/* 1 when the peer closed the TCP connection within timeout_ms (reads and drops data). */
int tc_eof_within(int fd, int timeout_ms);

/* A gavel-gw process with its Redis. */
struct gw_fixture {
    struct redis_fixture redis;
    pid_t pid;
    int port;
    char web_dir[256]; /* a temp folder with a tiny built app, when asked for */
};

/* Starts Redis (unless keep_redis) and gavel-gw with extra arguments (NULL-terminated list) and
 * waits for /healthz to answer 200. 0 or -1. */
int gw_start(struct gw_fixture *g, const char *const *extra_args, int keep_redis);
/* Stops gavel-gw (SIGTERM, then SIGKILL after 3 s). Redis keeps running. */
void gw_stop_gateway(struct gw_fixture *g);
/* Stops both. */
void gw_stop(struct gw_fixture *g);

#endif
