/*
 * test_queue_outbox.c - a worker's event outbox against a real redis-server: 500 fast tests are
 * coalesced into a few `tests` events (every test carried once, in order, seq without holes,
 * the final last); events put while Redis is down are delivered once it is back; events of a job
 * that is no longer ours are dropped and the final reported refused; a final Redis cannot take
 * becomes a JE instead of leaving the job in limbo.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redis_fixture.h"

#include "gv.h"
#include "queue_outbox.h"

#include <cjson/cJSON.h>
#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_TESTS 500

struct finals {
    pthread_mutex_t lock;
    int n;
    int last_rc;
};

static void on_final(const char *id, int rc, long long seq, void *arg)
{
    (void)id;
    (void)seq;
    struct finals *f = arg;
    pthread_mutex_lock(&f->lock);
    f->n++;
    f->last_rc = rc;
    pthread_mutex_unlock(&f->lock);
}

static void start_job(struct queue_conn *c, const char *worker, char *id, struct queue_owner *o)
{
    assert_int_equal(queue_enqueue(c, "ab", "c", "x", 1, NULL, id), QUEUE_OK);
    char got[QUEUE_ID_MAX + 1];
    assert_int_equal(queue_claim(c, worker, 1000, got), 1);
    struct queue_submission s;
    assert_int_equal(queue_start(c, worker, got, &s, o), QUEUE_OK);
    queue_submission_free(&s);
}

static void put_test(struct queue_outbox *o, const struct queue_owner *own, const char *id, int n)
{
    char test[128];
    snprintf(test, sizeof test, "{\"n\":%d,\"group\":\"secret\",\"verdict\":\"AC\",\"time_ms\":0}",
             n);
    assert_int_equal(queue_outbox_test(o, own, id, N_TESTS, test), 0);
}

/* One test's world: a private Redis, a sync connection, a job claimed and started by worker
 * "w1", and an outbox that counts the finals it reports. Stays in place (the outbox holds &fin). */
struct rig {
    struct redis_fixture rf;
    struct queue_conn *c;
    char id[QUEUE_ID_MAX + 1];
    struct queue_owner own;
    struct finals fin;
    struct queue_outbox *o;
};

static void rig_open(struct rig *r, int window_ms)
{
    assert_int_equal(rf_start(&r->rf), 0);
    r->c = queue_conn_new(r->rf.url, 2000);
    assert_non_null(r->c);
    start_job(r->c, "w1", r->id, &r->own);
    r->fin = (struct finals){PTHREAD_MUTEX_INITIALIZER, 0, 0};
    r->o = queue_outbox_new(r->rf.url, window_ms, on_final, &r->fin);
    assert_non_null(r->o);
}

static void rig_close(struct rig *r)
{
    queue_outbox_free(r->o);
    queue_conn_free(r->c);
    rf_stop(&r->rf);
}

static void test_coalesced_in_order(void **state)
{
    (void)state;
    struct rig g;
    rig_open(&g, 50);
    struct queue_outbox *o = g.o;
    struct queue_owner own = g.own;
    const char *id = g.id;
    redisContext *sub = redisConnect("127.0.0.1", g.rf.port);
    redisReply *r = redisCommand(sub, "SUBSCRIBE %s", QUEUE_KEY_EVENTS);
    freeReplyObject(r);
    struct timeval tv = {5, 0};
    redisSetTimeout(sub, tv);

    int64_t t0 = gv_now_ms();
    assert_int_equal(queue_outbox_status(o, &own, id, "compiling"), 0);
    assert_int_equal(queue_outbox_status(o, &own, id, "running"), 0);
    for (int n = 1; n <= N_TESTS; n++) {
        put_test(o, &own, id, n);
        if (n % 50 == 0) usleep(20 * 1000); /* a judge that takes ~200 ms for all tests */
    }
    assert_int_equal(queue_outbox_final(o, &own, id, "AC", "{\"verdict\":\"AC\"}"), 0);
    assert_int_equal(queue_outbox_drain(o, 5000), 0);
    int64_t took = gv_now_ms() - t0;
    assert_int_equal(g.fin.n, 1);
    assert_int_equal(g.fin.last_rc, QUEUE_OK);

    int next_test = 1, tests_events = 0;
    long long seq = 0;
    for (;;) {
        r = NULL;
        assert_int_equal(redisGetReply(sub, (void **)&r), REDIS_OK);
        struct queue_event ev;
        assert_int_equal(queue_event_parse(r->element[2]->str, (size_t)r->element[2]->len, &ev), 0);
        assert_int_equal(ev.seq, ++seq);
        int final = strcmp(ev.type, "final") == 0;
        if (strcmp(ev.type, "tests") == 0) {
            tests_events++;
            cJSON *m = cJSON_Parse(ev.json);
            cJSON *t;
            assert_int_equal(cJSON_GetObjectItem(m, "total")->valueint, N_TESTS);
            cJSON_ArrayForEach(t, cJSON_GetObjectItem(m, "tests"))
                assert_int_equal(cJSON_GetObjectItem(t, "n")->valueint, next_test++);
            cJSON_Delete(m);
        }
        freeReplyObject(r);
        if (final) break;
    }
    assert_int_equal(next_test, N_TESTS + 1); /* every test exactly once, in order */
    /* at most one tests event per 50 ms window (+1 for the flush before the final) */
    assert_true(tests_events >= 1);
    assert_true(tests_events <= took / 50 + 2);
    struct queue_submission s;
    assert_int_equal(queue_get(g.c, id, &s), QUEUE_OK);
    assert_int_equal(s.seq, seq);
    cJSON *stored = cJSON_Parse(s.tests);
    assert_int_equal(cJSON_GetArraySize(stored), N_TESTS);
    cJSON_Delete(stored);
    queue_submission_free(&s);

    redisFree(sub);
    rig_close(&g);
}

static void test_delivered_after_outage(void **state)
{
    (void)state;
    struct rig g;
    rig_open(&g, 0);

    rf_kill(&g.rf);
    assert_int_equal(queue_outbox_status(g.o, &g.own, g.id, "compiling"), 0);
    for (int n = 1; n <= 3; n++)
        put_test(g.o, &g.own, g.id, n);
    assert_int_equal(queue_outbox_final(g.o, &g.own, g.id, "WA", "{\"verdict\":\"WA\"}"), 0);
    assert_int_equal(queue_outbox_drain(g.o, 400), -1); /* nowhere to go yet */
    assert_true(queue_outbox_pending(g.o) >= 3);
    assert_int_equal(rf_restart(&g.rf, 1), 0);
    assert_int_equal(queue_outbox_drain(g.o, 8000), 0);
    assert_int_equal(g.fin.n, 1);
    assert_int_equal(g.fin.last_rc, QUEUE_OK);
    struct queue_submission s;
    int rc = QUEUE_ERR_DOWN;
    for (int i = 0; i < 100 && rc == QUEUE_ERR_DOWN; i++) {
        rc = queue_get(g.c, g.id, &s);
        if (rc == QUEUE_ERR_DOWN) usleep(50 * 1000);
    }
    assert_int_equal(rc, QUEUE_OK);
    assert_string_equal(s.verdict, "WA");
    assert_int_equal(s.seq, 3); /* compiling, one coalesced tests event, final */
    queue_submission_free(&s);
    rig_close(&g);
}

static void test_refused_dropped(void **state)
{
    (void)state;
    struct rig g;
    rig_open(&g, 0);
    struct queue_owner stale = g.own;
    stale.attempt = 99;
    assert_int_equal(queue_outbox_status(g.o, &stale, g.id, "compiling"), 0);
    put_test(g.o, &stale, g.id, 1);
    assert_int_equal(queue_outbox_final(g.o, &stale, g.id, "AC", "{}"), 0);
    assert_int_equal(queue_outbox_drain(g.o, 3000), 0);
    assert_int_equal(g.fin.n, 1);
    assert_int_equal(g.fin.last_rc, QUEUE_ERR_REFUSED);
    struct queue_submission s;
    assert_int_equal(queue_get(g.c, g.id, &s), QUEUE_OK);
    assert_int_equal(s.seq, 0);
    assert_string_equal(s.status, "queued");
    queue_submission_free(&s);
    rig_close(&g);
}

/* A final Redis cannot take (here: not JSON) still ends the job, as a JE, and leaves no id in
 * the processing list. */
static void test_bad_final_becomes_je(void **state)
{
    (void)state;
    struct rig g;
    rig_open(&g, 0);
    assert_int_equal(queue_outbox_final(g.o, &g.own, g.id, "AC", "{not json"), 0);
    assert_int_equal(queue_outbox_drain(g.o, 3000), 0);
    assert_int_equal(g.fin.n, 1);
    assert_int_equal(g.fin.last_rc, QUEUE_OK);
    struct queue_submission s;
    assert_int_equal(queue_get(g.c, g.id, &s), QUEUE_OK);
    assert_string_equal(s.verdict, "JE");
    assert_non_null(strstr(s.result, "the result could not be stored"));
    queue_submission_free(&s);
    redisContext *raw = redisConnect("127.0.0.1", g.rf.port);
    redisReply *r = redisCommand(raw, "LLEN gavel:processing:w1");
    assert_int_equal(r->integer, 0);
    freeReplyObject(r);
    redisFree(raw);
    rig_close(&g);
}

int main(void)
{
    gv_log_init("test_queue_outbox", GV_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_coalesced_in_order),
        cmocka_unit_test(test_delivered_after_outage),
        cmocka_unit_test(test_refused_dropped),
        cmocka_unit_test(test_bad_final_becomes_je),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
