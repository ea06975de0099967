/*
 * test_gw_fanout.c - many WebSocket clients, each following its own submission, and the
 * gateway's behaviour across restarts.
 *
 *  - 1000 clients, 1000 submissions whose finals this test publishes through the queue's sync
 *    API: every client gets exactly one final, its own.
 *  - the gateway restarted in the middle: clients reconnect, re-subscribe, and get the right
 *    final (those finished while it was down at once, from the snapshot).
 *  - a client that does not read while events pile up is closed (1008), its memory freed.
 *  - the gateway's Redis subscription cut (CLIENT KILL TYPE pubsub) while finals are published:
 *    it resubscribes and re-sends snapshots, so nobody misses a final.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gv.h"
#include "queue_sync.h"
#include "test_gw_client.h"

#define N_CLIENTS 1000

static struct gw_fixture gw;
static struct queue_conn *qc;

struct job {
    char id[QUEUE_ID_MAX + 1];
    struct queue_owner owner;
    int fd;
};

/* Keep-alive is tested in test_gw_ws; here clients may stay silent for long under load. */
static const char *const args[] = {"--ping-interval-ms", "600000", NULL};

static int setup(void **state)
{
    (void)state;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 4096) {
        rl.rlim_cur = rl.rlim_max < 4096 ? rl.rlim_max : 4096;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (gw_start(&gw, args, 0) != 0)
        return -1;
    qc = queue_conn_new(gw.redis.url, 5000);
    return qc ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    queue_conn_free(qc);
    gw_stop(&gw);
    return 0;
}

static void subscribe(int fd, const char *id)
{
    char msg[160];
    int n = snprintf(msg, sizeof msg, "{\"op\":\"subscribe\",\"id\":\"%s\"}", id);
    assert_true(n > 0 && (size_t)n < sizeof msg);
    assert_int_equal(tc_ws_text(fd, msg), 0);
}

/* Enqueues n submissions, and claims and starts them as worker `w`. */
static void make_jobs(struct job *jobs, int n, const char *w)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(queue_enqueue(qc, "ab", "c", "x", 1, NULL, jobs[i].id), QUEUE_OK);
    for (int i = 0; i < n; i++) {
        char id[QUEUE_ID_MAX + 1];
        struct queue_submission s = {0};
        int got = queue_claim(qc, w, 2000, id);
        if (got != 1)
            fail_msg("claim %d of %d: %d", i, n, got);
        int k = 0;
        while (k < n && strcmp(jobs[k].id, id) != 0)
            k++;
        assert_true(k < n);
        assert_int_equal(queue_start(qc, w, id, &s, &jobs[k].owner), QUEUE_OK);
        queue_submission_free(&s);
    }
}

static void publish_final(struct job *j, const char *verdict)
{
    char result[128];
    snprintf(result, sizeof result, "{\"verdict\":\"%s\",\"score\":0}", verdict);
    assert_int_equal(queue_publish_final(qc, &j->owner, j->id, verdict, result, NULL), QUEUE_OK);
}

/* Reads frames on fd until the final; checks it names the job and the verdict. */
static void expect_final(struct job *j, const char *verdict, int timeout_ms)
{
    char msg[4096], want[64];
    int rc = tc_ws_wait_text(j->fd, "\"final\"", timeout_ms, msg, sizeof msg);
    if (rc != 1) {
        static char m[65536];
        tc_http_simple(gw.port, "GET", "/metrics", NULL, m, sizeof m);
        const char *ws = strstr(m, "gavel_gw_websocket_connections ");
        fail_msg("no final for %s (fd %d): %d\n%.1500s", j->id, j->fd, rc, ws ? ws : m);
    }
    assert_non_null(strstr(msg, j->id));
    snprintf(want, sizeof want, "\"verdict\":\"%s\"", verdict);
    if (!strstr(msg, want))
        fail_msg("final for %s without %s: %s", j->id, want, msg);
}

/* No second final anywhere within quiet_ms. */
static void expect_no_more_finals(struct job *jobs, int n, int quiet_ms)
{
    int64_t end = gv_now_ms() + quiet_ms;
    struct pollfd *p = calloc((size_t)n, sizeof *p);
    for (int i = 0; i < n; i++)
        p[i] = (struct pollfd){jobs[i].fd, POLLIN, 0};
    while (gv_now_ms() < end) {
        int r = poll(p, (nfds_t)n, (int)(end - gv_now_ms()));
        if (r <= 0)
            break;
        for (int i = 0; i < n; i++) {
            if (!(p[i].revents & POLLIN))
                continue;
            struct tc_frame f;
            if (tc_ws_read(p[i].fd, 1000, &f) == 1) {
                if (f.opcode == 1 && strstr((char *)f.data, "\"final\""))
                    fail_msg("a second final for %s", jobs[i].id);
                free(f.data);
            } else {
                p[i].fd = -1;
            }
        }
    }
    free(p);
}

static void test_thousand_clients_one_final_each(void **state)
{
    (void)state;
    struct job *jobs = calloc(N_CLIENTS, sizeof *jobs);
    int64_t t0 = gv_now_ms();
    /* Kept cheap (this runs under ASan beside other tests): the submissions are not claimed, and
     * the finals are published as a tool would (no owner); test_gateway_restarted_in_the_middle
     * walks the worker's path. */
    for (int i = 0; i < N_CLIENTS; i++)
        assert_int_equal(queue_enqueue(qc, "ab", "c", "x", 1, NULL, jobs[i].id), QUEUE_OK);
    for (int i = 0; i < N_CLIENTS; i++) {
        jobs[i].fd = tc_ws_open(gw.port);
        assert_true(jobs[i].fd >= 0);
        subscribe(jobs[i].fd, jobs[i].id);
    }
    for (int i = 0; i < N_CLIENTS; i++)
        assert_int_equal(tc_ws_wait_text(jobs[i].fd, "\"snapshot\"", 20000, NULL, 0), 1);
    fprintf(stderr, "1000 clients subscribed: %lld ms\n", (long long)(gv_now_ms() - t0));
    for (int i = 0; i < N_CLIENTS; i++) {
        char result[128];
        const char *v = i % 2 ? "AC" : "WA";
        snprintf(result, sizeof result, "{\"verdict\":\"%s\",\"score\":0}", v);
        assert_int_equal(queue_publish_final(qc, NULL, jobs[i].id, v, result, NULL), QUEUE_OK);
    }
    for (int i = 0; i < N_CLIENTS; i++)
        expect_final(&jobs[i], i % 2 ? "AC" : "WA", 20000);
    expect_no_more_finals(jobs, N_CLIENTS, 500);
    fprintf(stderr, "1000 clients: all finals in %lld ms\n", (long long)(gv_now_ms() - t0));
    for (int i = 0; i < N_CLIENTS; i++)
        close(jobs[i].fd);
    free(jobs);
}

static void test_gateway_restarted_in_the_middle(void **state)
{
    (void)state;
    enum { N = 40 };
    struct job jobs[N];
    memset(jobs, 0, sizeof jobs);
    make_jobs(jobs, N, "w-restart");
    for (int i = 0; i < N; i++) {
        jobs[i].fd = tc_ws_open(gw.port);
        subscribe(jobs[i].fd, jobs[i].id);
        assert_int_equal(tc_ws_wait_text(jobs[i].fd, "\"snapshot\"", 5000, NULL, 0), 1);
        assert_int_equal(queue_publish_status(qc, &jobs[i].owner, jobs[i].id, "running", NULL),
                         QUEUE_OK);
    }
    gw_stop_gateway(&gw);
    for (int i = 0; i < N; i++) {
        assert_true(tc_eof_within(jobs[i].fd, 3000)); /* 1001, then closed */
        close(jobs[i].fd);
    }
    for (int i = 0; i < N / 2; i++) /* finished while no gateway was running */
        publish_final(&jobs[i], "TLE");
    assert_int_equal(gw_start(&gw, args, 1), 0);
    for (int i = 0; i < N; i++) {
        jobs[i].fd = tc_ws_open(gw.port);
        assert_true(jobs[i].fd >= 0);
        subscribe(jobs[i].fd, jobs[i].id);
    }
    for (int i = 0; i < N / 2; i++)
        expect_final(&jobs[i], "TLE", 5000);
    for (int i = N / 2; i < N; i++) {
        assert_int_equal(tc_ws_wait_text(jobs[i].fd, "\"snapshot\"", 5000, NULL, 0), 1);
        publish_final(&jobs[i], "RTE");
    }
    for (int i = N / 2; i < N; i++)
        expect_final(&jobs[i], "RTE", 5000);
    expect_no_more_finals(jobs, N, 300);
    for (int i = 0; i < N; i++)
        close(jobs[i].fd);
}

static void test_subscription_cut_resends_snapshots(void **state)
{
    (void)state;
    enum { N = 20 };
    struct job jobs[N];
    memset(jobs, 0, sizeof jobs);
    make_jobs(jobs, N, "w-cut");
    for (int i = 0; i < N; i++) {
        jobs[i].fd = tc_ws_open(gw.port);
        subscribe(jobs[i].fd, jobs[i].id);
        assert_int_equal(tc_ws_wait_text(jobs[i].fd, "\"snapshot\"", 5000, NULL, 0), 1);
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "redis-cli -p %d CLIENT KILL TYPE pubsub >/dev/null", gw.redis.port);
    assert_int_equal(system(cmd), 0);
    for (int i = 0; i < N; i++) /* most of these are published while nobody listens */
        publish_final(&jobs[i], "MLE");
    for (int i = 0; i < N; i++)
        expect_final(&jobs[i], "MLE", 8000);
    expect_no_more_finals(jobs, N, 300);
    for (int i = 0; i < N; i++)
        close(jobs[i].fd);
}

static void test_slow_reader_is_closed(void **state)
{
    (void)state;
    char id[QUEUE_ID_MAX + 1], wid[QUEUE_ID_MAX + 1];
    struct queue_submission s = {0};
    struct queue_owner owner;
    assert_int_equal(queue_enqueue(qc, "ab", "c", "x", 1, NULL, id), QUEUE_OK);
    assert_int_equal(queue_claim(qc, "w-slow", 1000, wid), 1);
    assert_int_equal(queue_start(qc, "w-slow", wid, &s, &owner), QUEUE_OK);
    queue_submission_free(&s);
    tc_rcvbuf = 4096;
    int fd = tc_ws_open(gw.port);
    assert_true(fd >= 0);
    tc_rcvbuf = 0;
    char sub[160];
    snprintf(sub, sizeof sub, "{\"op\":\"subscribe\",\"id\":\"%s\"}", id);
    tc_ws_text(fd, sub);
    usleep(300 * 1000);
    /* Many big test events, never read: the output cap (1 MiB) is passed. */
    char *items = malloc(8192);
    size_t n = 0;
    for (int i = 0; i < 60; i++)
        n += (size_t)sprintf(items + n, "%s{\"n\":%d,\"group\":\"secret\",\"verdict\":\"AC\"}",
                             i ? "," : "", i);
    for (int i = 0; i < 900; i++)
        queue_publish_tests(qc, &owner, id, 100000, items, NULL);
    free(items);
    /* The server gives up on us: 1008 queued behind the backlog, then the linger ends. */
    char resp[65536];
    int closed = 0;
    for (int i = 0; i < 50 && !closed; i++) {
        assert_int_equal(tc_http_simple(gw.port, "GET", "/metrics", NULL, resp, sizeof resp), 200);
        closed = strstr(resp, "gavel_gw_websocket_closed_slow_total 1\n") != NULL;
        usleep(100 * 1000);
    }
    assert_true(closed);
    /* Its memory is gone with it: no WebSocket left open on the server. */
    for (int i = 0; i < 50; i++) {
        assert_int_equal(tc_http_simple(gw.port, "GET", "/metrics", NULL, resp, sizeof resp), 200);
        if (strstr(resp, "gavel_gw_websocket_connections 0\n"))
            break;
        usleep(100 * 1000);
    }
    assert_non_null(strstr(resp, "gavel_gw_websocket_connections 0\n"));
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gateway_restarted_in_the_middle),
        cmocka_unit_test(test_subscription_cut_resends_snapshots),
        cmocka_unit_test(test_slow_reader_is_closed),
        /* Last: it leaves its 1000 submissions in gavel:queue, unclaimed. */
        cmocka_unit_test(test_thousand_clients_one_final_each),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
