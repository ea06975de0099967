/*
 * test_queue_sync.c - the worker's side of queue/ against a real redis-server: the life of a job
 * (enqueue, claim, start, events, final) with its events in order and seq without holes, the
 * final written once, ownership fencing after a reap, the reaper's requeue and JE after
 * QUEUE_MAX_ATTEMPTS, poison jobs, release, live worker count, and Redis going away and coming
 * back (the scripts are loaded again after the restart).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redis_fixture.h"

#include "gv.h"
#include "queue_sync.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fx {
    struct redis_fixture rf;
    struct queue_conn *c;
    redisContext *sub; /* SUBSCRIBEd to gavel:events */
    redisContext *raw; /* for looking at keys directly */
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(rf_start(&f->rf), 0);
    f->c = queue_conn_new(f->rf.url, 2000);
    assert_non_null(f->c);
    f->sub = redisConnect("127.0.0.1", f->rf.port);
    assert_true(f->sub && !f->sub->err);
    redisReply *r = redisCommand(f->sub, "SUBSCRIBE %s", QUEUE_KEY_EVENTS);
    assert_non_null(r);
    freeReplyObject(r);
    struct timeval tv = {2, 0};
    redisSetTimeout(f->sub, tv);
    f->raw = redisConnect("127.0.0.1", f->rf.port);
    assert_true(f->raw && !f->raw->err);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    queue_conn_free(f->c);
    if (f->sub) redisFree(f->sub);
    if (f->raw) redisFree(f->raw);
    rf_stop(&f->rf);
    free(f);
    return 0;
}

/* The next event message, parsed; fails the test after 2 s without one. */
static char *next_event(struct fx *f, struct queue_event *ev)
{
    redisReply *r = NULL;
    assert_int_equal(redisGetReply(f->sub, (void **)&r), REDIS_OK);
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 3);
    char *json = strdup(r->element[2]->str);
    freeReplyObject(r);
    assert_int_equal(queue_event_parse(json, strlen(json), ev), 0);
    return json;
}

static long long raw_int(struct fx *f, const char *fmt, const char *arg)
{
    redisReply *r = redisCommand(f->raw, fmt, arg);
    assert_non_null(r);
    long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : -1;
    freeReplyObject(r);
    return v;
}

static void enqueue(struct fx *f, char *id)
{
    static const char src[] = "int main(void){return 0;}";
    assert_int_equal(queue_enqueue(f->c, "ab", "c", src, sizeof src - 1, NULL, id), QUEUE_OK);
}

/* Claims the next job as worker and starts it. */
static void claim_start(struct fx *f, const char *worker, const char *want_id,
                        struct queue_owner *owner)
{
    char id[QUEUE_ID_MAX + 1];
    assert_int_equal(queue_claim(f->c, worker, 1000, id), 1);
    assert_string_equal(id, want_id);
    struct queue_submission s;
    assert_int_equal(queue_start(f->c, worker, id, &s, owner), QUEUE_OK);
    assert_string_equal(s.problem, "ab");
    queue_submission_free(&s);
}

static const char result_ac[] =
    "{\"status\":\"done\",\"verdict\":\"AC\",\"time_ms\":3,\"memory_kib\":900,"
    "\"tests\":[{\"n\":1,\"verdict\":\"AC\"},{\"n\":2,\"verdict\":\"AC\"}],"
    "\"timings\":{\"queued_ms\":1,\"compile_ms\":2,\"run_ms\":3,\"total_ms\":6}}";

static void test_lifecycle(void **state)
{
    struct fx *f = *state;
    char id[QUEUE_ID_MAX + 1];
    enqueue(f, id);
    assert_int_equal(strlen(id), QUEUE_NEW_ID_LEN);
    struct queue_owner owner;
    claim_start(f, "w1", id, &owner);
    assert_int_equal(owner.attempt, 1);
    assert_int_equal(raw_int(f, "LLEN %s", "gavel:processing:w1"), 1);

    long long seq = 0;
    assert_int_equal(queue_publish_status(f->c, &owner, id, "compiling", &seq), QUEUE_OK);
    assert_int_equal(seq, 1);
    assert_int_equal(queue_publish_status(f->c, &owner, id, "running", &seq), QUEUE_OK);
    assert_int_equal(queue_publish_tests(f->c, &owner, id, 2, "{\"n\":1,\"verdict\":\"AC\"}", &seq),
                     QUEUE_OK);
    /* the snapshot in between: state and seq agree */
    struct queue_submission s;
    assert_int_equal(queue_get(f->c, id, &s), QUEUE_OK);
    assert_int_equal(s.seq, 3);
    assert_string_equal(s.status, "running");
    assert_string_equal(s.tests, "[{\"n\":1,\"verdict\":\"AC\"}]");
    char *snap = queue_snapshot_json(&s);
    assert_non_null(strstr(snap, "\"type\":\"snapshot\""));
    assert_non_null(strstr(snap, "\"seq\":3"));
    free(snap);
    queue_submission_free(&s);
    assert_int_equal(queue_publish_tests(f->c, &owner, id, 2, "{\"n\":2,\"verdict\":\"AC\"}", &seq),
                     QUEUE_OK);
    assert_int_equal(queue_publish_final(f->c, &owner, id, "AC", result_ac, &seq), QUEUE_OK);
    assert_int_equal(seq, 5);

    static const char *const types[] = {"status", "status", "tests", "tests", "final"};
    for (int i = 0; i < 5; i++) {
        struct queue_event ev;
        char *json = next_event(f, &ev);
        assert_string_equal(ev.type, types[i]);
        assert_string_equal(ev.submission, id);
        assert_int_equal(ev.seq, i + 1);
        if (i == 0) {
            char want[256];
            snprintf(
                want, sizeof want,
                "{\"type\":\"status\",\"submission\":\"%s\",\"seq\":1,\"status\":\"compiling\"}",
                id);
            assert_string_equal(json, want);
        }
        free(json);
    }
    /* written once: a second final and any later event are refused, nothing more published */
    assert_int_equal(queue_publish_final(f->c, &owner, id, "WA", result_ac, NULL),
                     QUEUE_ERR_REFUSED);
    assert_int_equal(queue_publish_status(f->c, &owner, id, "running", NULL), QUEUE_ERR_REFUSED);
    assert_int_equal(raw_int(f, "LLEN %s", "gavel:processing:w1"), 0);
    assert_int_equal(queue_get(f->c, id, &s), QUEUE_OK);
    assert_string_equal(s.status, "done");
    assert_string_equal(s.verdict, "AC");
    assert_int_equal(s.seq, 5);
    char *get = queue_submission_json(&s, 0);
    assert_non_null(strstr(get, "\"verdict\":\"AC\""));
    assert_non_null(strstr(get, "\"queued_ms\":1"));
    assert_null(strstr(get, "\"type\""));
    assert_null(strstr(get, "\"source\""));
    free(get);
    get = queue_submission_json(&s, 1);
    assert_non_null(strstr(get, "\"source\":\"int main(void){return 0;}\""));
    free(get);
    snap = queue_snapshot_json(&s);
    assert_non_null(strstr(snap, "\"type\":\"final\""));
    free(snap);
    queue_submission_free(&s);
}

static void test_fencing_after_reap(void **state)
{
    struct fx *f = *state;
    char id[QUEUE_ID_MAX + 1];
    enqueue(f, id);
    struct queue_owner slow, fresh;
    claim_start(f, "slow", id, &slow);
    struct queue_worker_info info = {"host", 1, 1, "test", "[\"c\"]"};
    assert_int_equal(queue_heartbeat(f->c, "slow", &info, 100), QUEUE_OK);
    long long back = 0, failed = 0;
    assert_int_equal(queue_reap(f->c, &back, &failed), QUEUE_OK);
    assert_int_equal(back, 0); /* heartbeat alive: nothing reaped */
    usleep(200 * 1000);
    assert_int_equal(queue_reap(f->c, &back, &failed), QUEUE_OK);
    assert_int_equal(back, 1);
    assert_int_equal(failed, 0);
    assert_int_equal(queue_reap(f->c, &back, &failed), QUEUE_OK); /* a second reaper: nothing */
    assert_int_equal(back, 0);

    /* another worker takes it; the slow one is fenced off */
    claim_start(f, "fresh", id, &fresh);
    assert_int_equal(fresh.attempt, 2);
    assert_int_equal(queue_publish_status(f->c, &slow, id, "running", NULL), QUEUE_ERR_REFUSED);
    assert_int_equal(queue_publish_final(f->c, &slow, id, "WA", result_ac, NULL),
                     QUEUE_ERR_REFUSED);
    assert_int_equal(queue_publish_final(f->c, &fresh, id, "AC", result_ac, NULL), QUEUE_OK);

    struct queue_event ev;
    free(next_event(f, &ev)); /* the reaper's "queued" */
    assert_string_equal(ev.type, "status");
    assert_int_equal(ev.seq, 1);
    free(next_event(f, &ev));
    assert_string_equal(ev.type, "final");
    assert_int_equal(ev.seq, 2);
    struct queue_submission s;
    assert_int_equal(queue_get(f->c, id, &s), QUEUE_OK);
    assert_string_equal(s.verdict, "AC");
    assert_int_equal(s.attempts, 2);
    queue_submission_free(&s);
}

static void test_reaper_gives_up(void **state)
{
    struct fx *f = *state;
    char id[QUEUE_ID_MAX + 1], name[16];
    enqueue(f, id);
    for (int i = 1; i <= QUEUE_MAX_ATTEMPTS; i++) {
        struct queue_owner o;
        snprintf(name, sizeof name, "dead%d", i);
        claim_start(f, name, id, &o);
        struct queue_worker_info info = {"host", 1, 1, "test", "[]"};
        assert_int_equal(queue_heartbeat(f->c, name, &info, 1), QUEUE_OK);
        usleep(20 * 1000);
        long long back = -1, failed = -1;
        assert_int_equal(queue_reap(f->c, &back, &failed), QUEUE_OK);
        assert_int_equal(back, i < QUEUE_MAX_ATTEMPTS ? 1 : 0);
        assert_int_equal(failed, i < QUEUE_MAX_ATTEMPTS ? 0 : 1);
    }
    assert_int_equal(raw_int(f, "LLEN %s", QUEUE_KEY_QUEUE), 0);
    struct queue_submission s;
    assert_int_equal(queue_get(f->c, id, &s), QUEUE_OK);
    assert_string_equal(s.verdict, "JE");
    assert_non_null(strstr(s.result, "judged 3 times, every judge died"));
    queue_submission_free(&s);
    int finals = 0;
    for (int i = 0; i < QUEUE_MAX_ATTEMPTS; i++) {
        struct queue_event ev;
        free(next_event(f, &ev));
        assert_int_equal(ev.seq, i + 1);
        finals += strcmp(ev.type, "final") == 0;
    }
    assert_int_equal(finals, 1);
}

static void test_poison(void **state)
{
    struct fx *f = *state;
    /* an id whose hash is missing: start says so, the JE final creates it, once */
    redisReply *r = redisCommand(f->raw, "LPUSH %s ghost-1", QUEUE_KEY_QUEUE);
    freeReplyObject(r);
    char id[QUEUE_ID_MAX + 1];
    assert_int_equal(queue_claim(f->c, "w1", 1000, id), 1);
    struct queue_submission s;
    struct queue_owner o;
    assert_int_equal(queue_start(f->c, "w1", id, &s, &o), QUEUE_ERR_NOTFOUND);
    assert_int_equal(queue_publish_final(f->c, &o, id, "JE",
                                         "{\"verdict\":\"JE\","
                                         "\"message\":\"submission missing\"}",
                                         NULL),
                     QUEUE_OK);
    assert_int_equal(raw_int(f, "LLEN %s", "gavel:processing:w1"), 0);
    assert_int_equal(queue_publish_final(f->c, &o, id, "JE", "{}", NULL), QUEUE_ERR_REFUSED);
    /* an id that is no id at all is dropped at the claim */
    r = redisCommand(f->raw, "LPUSH %s %s", QUEUE_KEY_QUEUE, "bad id\r\n");
    freeReplyObject(r);
    assert_int_equal(queue_claim(f->c, "w1", 1000, id), 0);
    assert_int_equal(raw_int(f, "LLEN %s", "gavel:processing:w1"), 0);
    assert_int_equal(raw_int(f, "LLEN %s", QUEUE_KEY_QUEUE), 0);
    /* an empty queue: the claim waits its timeout, no longer */
    int64_t t0 = gv_now_ms();
    assert_int_equal(queue_claim(f->c, "w1", 300, id), 0);
    int64_t took = gv_now_ms() - t0;
    assert_true(took >= 250 && took < 1500);
    /* bad arguments never reach Redis */
    assert_int_equal(queue_publish_status(f->c, &o, id, "nonsense", NULL), QUEUE_ERR_INVALID);
    assert_int_equal(queue_publish_final(f->c, &o, "a b", "AC", "{}", NULL), QUEUE_ERR_INVALID);
    assert_int_equal(queue_publish_final(f->c, &o, id, "AC", "[1]", NULL), QUEUE_ERR_INVALID);
}

static void test_release_and_live(void **state)
{
    struct fx *f = *state;
    char a[QUEUE_ID_MAX + 1], b[QUEUE_ID_MAX + 1];
    enqueue(f, a);
    usleep(2000);
    enqueue(f, b);
    assert_true(strcmp(a, b) < 0); /* ids sort by time */
    struct queue_owner o;
    claim_start(f, "w1", a, &o);
    assert_int_equal(queue_release(f->c, &o, a), QUEUE_OK);
    assert_int_equal(queue_release(f->c, &o, a), QUEUE_ERR_REFUSED);
    /* handed back to the front: claimed again before b */
    struct queue_owner o2;
    claim_start(f, "w2", a, &o2);
    assert_int_equal(o2.attempt, 2);
    struct queue_submission s;
    assert_int_equal(queue_get(f->c, a, &s), QUEUE_OK);
    assert_int_equal(s.attempts, 1);
    queue_submission_free(&s);

    struct queue_worker_info info = {"host", 2, 0, "test", "[\"c\",\"cpp\"]"};
    assert_int_equal(queue_heartbeat(f->c, "w1", &info, 60000), QUEUE_OK);
    assert_int_equal(queue_heartbeat(f->c, "w2", &info, 60000), QUEUE_OK);
    long long n = 0;
    assert_int_equal(queue_live_workers(f->c, &n), QUEUE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(queue_heartbeat_clear(f->c, "w1"), QUEUE_OK);
    assert_int_equal(queue_live_workers(f->c, &n), QUEUE_OK);
    assert_int_equal(n, 1);
    redisReply *r = redisCommand(f->raw, "GET gavel:worker:w2");
    assert_non_null(strstr(r->str, "\"languages\":[\"c\",\"cpp\"]"));
    assert_non_null(strstr(r->str, "\"slots\":2"));
    freeReplyObject(r);
}

/* A claim whose answer was lost: its id sits in the worker's processing list, which the
 * worker's heartbeat hides from the reaper. queue_requeue_strays puts back what the worker does
 * not hold (and drops what is done), and leaves what it holds. */
static void test_requeue_strays(void **state)
{
    struct fx *f = *state;
    char a[QUEUE_ID_MAX + 1], b[QUEUE_ID_MAX + 1], c[QUEUE_ID_MAX + 1], id[QUEUE_ID_MAX + 1];
    enqueue(f, a);
    usleep(2000);
    enqueue(f, b);
    usleep(2000);
    enqueue(f, c);
    struct queue_owner oa;
    claim_start(f, "w1", a, &oa);                       /* held by a slot */
    assert_int_equal(queue_claim(f->c, "w1", 1000, id), 1); /* b: its answer "lost" */
    assert_string_equal(id, b);
    assert_int_equal(queue_claim(f->c, "w1", 1000, id), 1); /* c: lost too, then finished */
    assert_string_equal(id, c);
    redisReply *r = redisCommand(f->raw, "HSET gavel:sub:%s status done", c);
    freeReplyObject(r);
    const char *held[] = {a};
    long long back = -1;
    assert_int_equal(queue_requeue_strays(f->c, "w1", held, 1, &back), QUEUE_OK);
    assert_int_equal(back, 1);
    assert_int_equal(raw_int(f, "LLEN %s", "gavel:processing:w1"), 1);
    assert_int_equal(raw_int(f, "LLEN %s", "gavel:queue"), 1);
    assert_int_equal(queue_claim(f->c, "w2", 1000, id), 1); /* b is claimed again */
    assert_string_equal(id, b);
    assert_int_equal(queue_requeue_strays(f->c, "w1", held, 1, &back), QUEUE_OK);
    assert_int_equal(back, 0);
    assert_int_equal(queue_requeue_strays(f->c, "w1", held, QUEUE_STRAYS_HELD_MAX + 1, &back),
                     QUEUE_ERR_INVALID);
}

static void test_redis_gone_and_back(void **state)
{
    struct fx *f = *state;
    char id[QUEUE_ID_MAX + 1];
    enqueue(f, id);
    struct queue_owner o;
    claim_start(f, "w1", id, &o);
    rf_kill(&f->rf);
    int64_t t0 = gv_now_ms();
    assert_int_equal(queue_publish_status(f->c, &o, id, "running", NULL), QUEUE_ERR_DOWN);
    assert_int_equal(queue_publish_status(f->c, &o, id, "running", NULL), QUEUE_ERR_DOWN);
    assert_int_equal(queue_claim(f->c, "w1", 1000, id), QUEUE_ERR_DOWN);
    assert_true(gv_now_ms() - t0 < 1000); /* fails fast, never hangs */
    assert_false(queue_conn_up(f->c));
    assert_int_equal(rf_restart(&f->rf, 1), 0);
    /* the connection comes back by itself (within the backoff); the scripts are reloaded */
    int rc = QUEUE_ERR_DOWN;
    for (int i = 0; i < 100 && rc == QUEUE_ERR_DOWN; i++) {
        rc = queue_publish_final(f->c, &o, id, "AC", result_ac, NULL);
        if (rc == QUEUE_ERR_DOWN) usleep(50 * 1000);
    }
    assert_int_equal(rc, QUEUE_OK);
    struct queue_submission s;
    assert_int_equal(queue_get(f->c, id, &s), QUEUE_OK); /* survived the kill -9 (AOF) */
    assert_string_equal(s.verdict, "AC");
    queue_submission_free(&s);
}

int main(void)
{
    gv_log_init("test_queue_sync", GV_LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_fencing_after_reap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reaper_gives_up, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poison, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_and_live, setup, teardown),
        cmocka_unit_test_setup_teardown(test_requeue_strays, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redis_gone_and_back, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
