/*
 * test_queue_async.c - the gateway's event-driven client against a real redis-server on a
 * libevent loop: enqueue (hash + queue together), get with seq, queue length and live workers,
 * live events with their submission and seq, requests refused at once while down, and both
 * links coming back by themselves after Redis is killed and restarted (AOF keeps the data), with
 * the "resubscribed" callback so snapshots can be sent again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redis_fixture.h"

#include "gv.h"
#include "queue_async.h"
#include "queue_sync.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

struct seen {
    int ups, downs, subscribes, resubscribes;
    int events;
    struct queue_event last;
    char last_json[512];
    int done; /* a request's callback ran */
    int rc;
    char id[QUEUE_ID_MAX + 1];
    char token[QUEUE_TOKEN_LEN + 1];
    long long n;
    long long seq;
    char status[16];
};

static void on_state(enum queue_link state, void *arg)
{
    struct seen *s = arg;
    if (state == QUEUE_LINK_UP)
        s->ups++;
    else
        s->downs++;
}

static void on_event(const struct queue_event *ev, void *arg)
{
    struct seen *s = arg;
    s->events++;
    s->last = *ev;
    gv_strlcpy(s->last_json, ev->json, sizeof s->last_json);
}

static void on_resubscribed(int first, void *arg)
{
    struct seen *s = arg;
    if (first)
        s->subscribes++;
    else
        s->resubscribes++;
}

static void on_enqueued(int rc, const char *id, const char *token, void *arg)
{
    struct seen *s = arg;
    s->done++;
    s->rc = rc;
    if (rc == QUEUE_OK) {
        gv_strlcpy(s->id, id, sizeof s->id);
        gv_strlcpy(s->token, token, sizeof s->token);
    }
}

static void on_get(int rc, const struct queue_submission *sub, void *arg)
{
    struct seen *s = arg;
    s->done++;
    s->rc = rc;
    if (rc == QUEUE_OK) {
        s->seq = sub->seq;
        gv_strlcpy(s->status, sub->status, sizeof s->status);
    }
}

static void on_count(int rc, long long n, void *arg)
{
    struct seen *s = arg;
    s->done++;
    s->rc = rc;
    s->n = n;
}

/* Runs the loop until *flag >= want or 5 s pass. */
static void run_until(struct event_base *base, const int *flag, int want)
{
    int64_t deadline = gv_now_ms() + 5000;
    while (*flag < want && gv_now_ms() < deadline) {
        struct timeval tv = {0, 20000};
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
    }
    assert_true(*flag >= want);
}

static void test_async(void **state)
{
    (void)state;
    struct redis_fixture rf;
    assert_int_equal(rf_start(&rf), 0);
    struct event_base *base = event_base_new();
    struct seen s;
    memset(&s, 0, sizeof s);
    struct queue_async_config cfg = {.redis_url = rf.url,
                                     .backoff_min_ms = 50,
                                     .backoff_max_ms = 400,
                                     .command_timeout_ms = 2000,
                                     .on_state = on_state,
                                     .on_event = on_event,
                                     .on_resubscribed = on_resubscribed,
                                     .arg = &s};
    struct queue_async *q = queue_async_new(base, &cfg);
    assert_non_null(q);
    run_until(base, &s.ups, 1);
    run_until(base, &s.subscribes, 1);
    assert_true(queue_async_up(q));
    assert_true(queue_async_subscribed(q));

    /* enqueue: id and token come back; the hash and the queue entry exist */
    static const char src[] = "print(1)\n";
    struct queue_new_submission sub = {"ab", "python3", src, sizeof src - 1, NULL};
    assert_int_equal(queue_async_enqueue(q, &sub, on_enqueued, &s), QUEUE_OK);
    run_until(base, &s.done, 1);
    assert_int_equal(s.rc, QUEUE_OK);
    assert_true(queue_id_valid(s.id));
    assert_int_equal(strlen(s.token), QUEUE_TOKEN_LEN);
    struct queue_new_submission bad = {"a b", "c", src, 1, NULL};
    assert_int_equal(queue_async_enqueue(q, &bad, on_enqueued, &s), QUEUE_ERR_INVALID);

    s.done = 0;
    assert_int_equal(queue_async_get(q, s.id, on_get, &s), QUEUE_OK);
    run_until(base, &s.done, 1);
    assert_int_equal(s.rc, QUEUE_OK);
    assert_string_equal(s.status, "queued");
    assert_int_equal(s.seq, 0);
    s.done = 0;
    assert_int_equal(queue_async_get(q, "nosuch", on_get, &s), QUEUE_OK);
    run_until(base, &s.done, 1);
    assert_int_equal(s.rc, QUEUE_ERR_NOTFOUND);
    s.done = 0;
    assert_int_equal(queue_async_length(q, on_count, &s), QUEUE_OK);
    run_until(base, &s.done, 1);
    assert_int_equal(s.n, 1);

    /* a worker picks it up: its heartbeat counts, its event arrives with submission and seq */
    struct queue_conn *w = queue_conn_new(rf.url, 2000);
    struct queue_worker_info info = {"h", 1, 1, "t", "[]"};
    assert_int_equal(queue_heartbeat(w, "w1", &info, 60000), QUEUE_OK);
    s.done = 0;
    assert_int_equal(queue_async_workers(q, on_count, &s), QUEUE_OK);
    run_until(base, &s.done, 1);
    assert_int_equal(s.n, 1);
    char id[QUEUE_ID_MAX + 1];
    assert_int_equal(queue_claim(w, "w1", 1000, id), 1);
    struct queue_submission js;
    struct queue_owner own;
    assert_int_equal(queue_start(w, "w1", id, &js, &own), QUEUE_OK);
    queue_submission_free(&js);
    assert_int_equal(queue_publish_status(w, &own, id, "compiling", NULL), QUEUE_OK);
    run_until(base, &s.events, 1);
    assert_string_equal(s.last.submission, s.id);
    assert_string_equal(s.last.type, "status");
    assert_int_equal(s.last.seq, 1);
    assert_non_null(strstr(s.last_json, "\"status\":\"compiling\""));

    /* Redis killed: the link goes down, requests are refused at once, both links come back */
    rf_kill(&rf);
    run_until(base, &s.downs, 1);
    assert_false(queue_async_up(q));
    assert_int_equal(queue_async_length(q, on_count, &s), QUEUE_ERR_DOWN);
    assert_int_equal(rf_restart(&rf, 1), 0);
    run_until(base, &s.ups, 2);
    run_until(base, &s.resubscribes, 1);
    assert_int_equal(s.subscribes, 1);
    int rc = QUEUE_ERR_DOWN;
    for (int i = 0; i < 100 && rc == QUEUE_ERR_DOWN; i++)
        rc = queue_publish_status(w, &own, id, "running", NULL);
    assert_int_equal(rc, QUEUE_OK);
    run_until(base, &s.events, 2);
    assert_int_equal(s.last.seq, 2);
    s.done = 0;
    assert_int_equal(queue_async_get(q, s.id, on_get, &s), QUEUE_OK);
    run_until(base, &s.done, 1);
    assert_int_equal(s.seq, 2);
    assert_string_equal(s.status, "running");

    /* freeing with a request in flight: its callback still runs, once, with DOWN */
    s.done = 0;
    assert_int_equal(queue_async_length(q, on_count, &s), QUEUE_OK);
    queue_async_free(q);
    assert_int_equal(s.done, 1);
    assert_int_equal(s.rc, QUEUE_ERR_DOWN);

    queue_conn_free(w);
    event_base_free(base);
    rf_stop(&rf);
}

int main(void)
{
    gv_log_init("test_queue_async", GV_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_async),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
