/*
 * fanout_bench.c - gw-fanout-bench, the load generator of tests/bench/gateway/run.sh.
 *
 *   gw-fanout-bench gavel PORT N EVENTS REDIS_URL   N clients subscribe to one submission on a
 *                                                  gavel-gw; EVENTS "tests" events are published
 *                                                  through the queue (as a worker would)
 *   gw-fanout-bench ws PORT N EVENTS               N clients on a broadcast server; one more client
 *                                                  sends EVENTS messages, each sent to everybody
 *   gw-fanout-bench idle PORT N SECONDS            N idle WebSocket connections held open
 *
 * Fan-out modes print one line: delivered messages per second (N * EVENTS over the time from the
 * first publish to the last delivery), then p50 and p99 latency in ms (publish to delivery, per
 * message), then the total ms. Clients are non-blocking sockets in one epoll loop; frames are
 * only delimited and counted (no JSON parsing), so the generator stays cheap. Theory: the
 * publisher records when event k left; each client's j-th event is event j (both servers keep
 * order per connection), so its latency is now - sent[j].
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gv.h"
#include "queue_sync.h"
#include "test_gw_client.h"

#define BENCH_PAYLOAD \
    "{\"n\":1,\"group\":\"secret\",\"verdict\":\"AC\",\"time_ms\":12,\"memory_kib\":3400}"

struct client {
    int fd;
    uint8_t hdr[14];
    size_t hlen, need;    /* header bytes collected / needed */
    uint64_t remaining;   /* payload bytes left in the current frame */
    int opcode;
    long frames;          /* text frames completed */
};

static int64_t *sent_us;
static int64_t *lat_us;
static size_t n_lat;

static void frame_done(struct client *c, int skip_first)
{
    if (c->opcode != 1)
        return;
    long j = c->frames++ - skip_first;
    if (j >= 0 && sent_us[j])
        lat_us[n_lat++] = gv_now_us() - sent_us[j];
}

/* Walks the bytes of one read: frame headers and payload lengths only. */
static void feed(struct client *c, const uint8_t *p, size_t n, int skip_first)
{
    while (n > 0) {
        if (c->remaining > 0) {
            size_t k = n < c->remaining ? n : (size_t)c->remaining;
            c->remaining -= k;
            p += k;
            n -= k;
            if (c->remaining == 0)
                frame_done(c, skip_first);
            continue;
        }
        c->hdr[c->hlen++] = *p++;
        n--;
        if (c->hlen == 2) {
            uint8_t l = c->hdr[1] & 0x7f;
            c->need = 2 + (l == 126 ? 2 : l == 127 ? 8 : 0);
        }
        if (c->hlen < 2 || c->hlen < c->need)
            continue;
        uint64_t len = c->hdr[1] & 0x7f;
        if (len >= 126) {
            len = 0;
            for (size_t i = 2; i < c->need; i++)
                len = len << 8 | c->hdr[i];
        }
        c->opcode = c->hdr[0] & 0x0f;
        c->hlen = 0;
        c->remaining = len;
        if (len == 0)
            frame_done(c, skip_first);
    }
}

static int cmp64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static struct client *open_clients(int port, int n)
{
    struct client *cs = calloc((size_t)n, sizeof *cs);
    for (int i = 0; i < n; i++) {
        cs[i].fd = tc_ws_open(port);
        if (cs[i].fd < 0) {
            fprintf(stderr, "gw-fanout-bench: connection %d failed: %s\n", i, strerror(errno));
            exit(1);
        }
    }
    return cs;
}

/* Reads until every client has `want` text frames or timeout; returns the last delivery time. */
static int64_t pump(struct client *cs, int n, long want, int skip_first, int timeout_ms,
                    void (*publish)(void *), void *arg)
{
    int ep = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
    }
    int done = 0;
    for (int i = 0; i < n; i++)
        done += cs[i].frames >= want;
    if (publish)
        publish(arg);
    int64_t deadline = gv_now_ms() + timeout_ms, last = gv_now_us();
    static uint8_t buf[1 << 16];
    struct epoll_event evs[256];
    while (done < n && gv_now_ms() < deadline) {
        int k = epoll_wait(ep, evs, 256, 100);
        for (int e = 0; e < k; e++) {
            struct client *c = &cs[evs[e].data.u32];
            ssize_t r = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
            if (r <= 0)
                continue;
            int before = c->frames >= want;
            feed(c, buf, (size_t)r, skip_first);
            if (!before && c->frames >= want) {
                done++;
                last = gv_now_us();
            }
        }
    }
    close(ep);
    if (done < n)
        fprintf(stderr, "gw-fanout-bench: only %d of %d clients got everything\n", done, n);
    return last;
}

/*** gavel-gw: publish through the queue ***/

struct gavel_pub {
    struct queue_conn *qc;
    struct queue_owner owner;
    char id[QUEUE_ID_MAX + 1];
    int events;
};

static void gavel_publish(void *arg)
{
    struct gavel_pub *g = arg;
    for (int k = 0; k < g->events; k++) {
        sent_us[k] = gv_now_us();
        if (queue_publish_tests(g->qc, &g->owner, g->id, g->events, BENCH_PAYLOAD, NULL) != QUEUE_OK)
            fprintf(stderr, "gw-fanout-bench: publish failed\n");
    }
}

static int run_gavel(int port, int n, int events, const char *url)
{
    struct gavel_pub g = {.events = events};
    char wid[QUEUE_ID_MAX + 1];
    struct queue_submission s = {0};
    g.qc = queue_conn_new(url, 5000);
    if (!g.qc || queue_enqueue(g.qc, "ab", "c", "x", 1, NULL, g.id) != QUEUE_OK ||
        queue_claim(g.qc, "bench", 2000, wid) != 1 ||
        queue_start(g.qc, "bench", wid, &s, &g.owner) != QUEUE_OK) {
        fprintf(stderr, "gw-fanout-bench: cannot make a submission in %s\n", url);
        return 1;
    }
    queue_submission_free(&s);
    struct client *cs = open_clients(port, n);
    char msg[160];
    snprintf(msg, sizeof msg, "{\"op\":\"subscribe\",\"id\":\"%s\"}", g.id);
    for (int i = 0; i < n; i++)
        tc_ws_text(cs[i].fd, msg);
    pump(cs, n, 1, 1, 30000, NULL, NULL); /* the snapshots */
    int64_t t0 = gv_now_us();
    int64_t last = pump(cs, n, events + 1, 1, 60000, gavel_publish, &g);
    qsort(lat_us, n_lat, sizeof *lat_us, cmp64);
    double secs = (double)(last - t0) / 1e6;
    printf("%.0f %.2f %.2f %.0f\n", (double)n_lat / secs, lat_us[n_lat / 2] / 1e3,
           lat_us[n_lat * 99 / 100] / 1e3, secs * 1e3);
    return 0;
}

/*** A broadcast server: publish by sending ***/

struct ws_pub {
    int fd;
    int events;
};

static void ws_publish(void *arg)
{
    struct ws_pub *p = arg;
    for (int k = 0; k < p->events; k++) {
        sent_us[k] = gv_now_us();
        tc_ws_text(p->fd, BENCH_PAYLOAD);
    }
}

static int run_ws(int port, int n, int events)
{
    struct client *cs = open_clients(port, n);
    struct ws_pub p = {tc_ws_open(port), events};
    if (p.fd < 0)
        return 1;
    usleep(200 * 1000);
    int64_t t0 = gv_now_us();
    int64_t last = pump(cs, n, events, 0, 60000, ws_publish, &p);
    qsort(lat_us, n_lat, sizeof *lat_us, cmp64);
    double secs = (double)(last - t0) / 1e6;
    printf("%.0f %.2f %.2f %.0f\n", (double)n_lat / secs, lat_us[n_lat / 2] / 1e3,
           lat_us[n_lat * 99 / 100] / 1e3, secs * 1e3);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: gw-fanout-bench gavel|ws|idle PORT N EVENTS|SECONDS [REDIS_URL]\n");
        return 2;
    }
    int port = atoi(argv[2]), n = atoi(argv[3]), events = atoi(argv[4]);
    if (strcmp(argv[1], "idle") == 0) {
        struct client *cs = open_clients(port, n);
        printf("ready\n");
        fflush(stdout);
        sleep((unsigned)events);
        for (int i = 0; i < n; i++)
            close(cs[i].fd);
        return 0;
    }
    sent_us = calloc((size_t)events + 1, sizeof *sent_us);
    lat_us = calloc((size_t)n * ((size_t)events + 1), sizeof *lat_us);
    if (strcmp(argv[1], "gavel") == 0 && argc >= 6)
        return run_gavel(port, n, events, argv[5]);
    if (strcmp(argv[1], "ws") == 0)
        return run_ws(port, n, events);
    fprintf(stderr, "gw-fanout-bench: unknown mode %s\n", argv[1]);
    return 2;
}
