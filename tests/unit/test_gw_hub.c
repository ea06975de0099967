/* test_gw_hub.c - subscriber lists and the snapshot/live join (gw_hub.c): no gap, no duplicate,
 * one final. The callbacks record what each client got and which fetches were asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_hub.h"

#define MAXLOG 64

struct client {
    struct gw_hub_client hc;
    char got[MAXLOG][64];
    int n;
};

static char fetches[MAXLOG][64];
static int n_fetches, fetch_fails;

static void on_send(struct gw_hub_client *hc, const char *text, size_t len, void *arg)
{
    (void)arg;
    struct client *c = (struct client *)hc;
    assert_true(c->n < MAXLOG);
    snprintf(c->got[c->n++], 64, "%.*s", (int)len, text);
}

static int on_fetch(const char *id, void *arg)
{
    (void)arg;
    if (fetch_fails)
        return -1;
    snprintf(fetches[n_fetches++ % MAXLOG], 64, "%s", id);
    return 0;
}

static struct gw_hub *hub_new(void)
{
    static const struct gw_hub_ops ops = {on_send, on_fetch, NULL};
    n_fetches = fetch_fails = 0;
    return gw_hub_new(&ops);
}

static void ev(struct gw_hub *h, const char *id, long long seq, int final)
{
    char j[64];
    snprintf(j, sizeof j, "%s%s#%lld", final ? "final" : "ev", id, seq);
    gw_hub_event(h, id, seq, final, j, strlen(j));
}

static void snap(struct gw_hub *h, const char *id, long long seq, int final)
{
    char j[64];
    snprintf(j, sizeof j, "%s%s#%lld", final ? "final" : "snap", id, seq);
    gw_hub_snapshot(h, id, seq, final, j, strlen(j));
}

static void test_snapshot_then_live(void **state)
{
    (void)state;
    struct gw_hub *h = hub_new();
    struct client a = {0};
    assert_int_equal(gw_hub_subscribe(h, &a.hc, "s1"), 0);
    assert_int_equal(n_fetches, 1);
    ev(h, "s1", 1, 0); /* arrives before the snapshot: buffered */
    ev(h, "s1", 2, 0);
    assert_int_equal(a.n, 0);
    snap(h, "s1", 1, 0); /* the snapshot already includes seq 1 */
    ev(h, "s1", 2, 0);   /* duplicate of a buffered one */
    ev(h, "s1", 3, 1);
    ev(h, "s1", 3, 1); /* duplicate final */
    assert_int_equal(a.n, 3);
    assert_string_equal(a.got[0], "snaps1#1");
    assert_string_equal(a.got[1], "evs1#2");
    assert_string_equal(a.got[2], "finals1#3");
    gw_hub_client_gone(h, &a.hc);
    struct gw_hub_stats st;
    gw_hub_get_stats(h, &st);
    assert_int_equal(st.topics, 0);
    assert_int_equal(st.subs, 0);
    assert_int_equal(st.finals, 1);
    gw_hub_free(h);
}

static void test_finished_submission_gets_final_once(void **state)
{
    (void)state;
    struct gw_hub *h = hub_new();
    struct client a = {0}, b = {0};
    gw_hub_subscribe(h, &a.hc, "s2");
    gw_hub_subscribe(h, &b.hc, "s2");
    assert_int_equal(n_fetches, 1); /* one fetch per topic */
    snap(h, "s2", 7, 1);
    ev(h, "s2", 7, 1);
    assert_int_equal(a.n, 1);
    assert_int_equal(b.n, 1);
    assert_string_equal(a.got[0], "finals2#7");
    gw_hub_free(h);
}

static void test_gap_refetches(void **state)
{
    (void)state;
    struct gw_hub *h = hub_new();
    struct client a = {0};
    gw_hub_subscribe(h, &a.hc, "s3");
    snap(h, "s3", 0, 0);
    ev(h, "s3", 1, 0);
    ev(h, "s3", 3, 0); /* seq 2 was lost */
    assert_int_equal(a.n, 2);
    assert_int_equal(n_fetches, 2);
    ev(h, "s3", 4, 0); /* buffered while waiting */
    snap(h, "s3", 3, 0);
    assert_int_equal(a.n, 4);
    assert_string_equal(a.got[2], "snaps3#3");
    assert_string_equal(a.got[3], "evs3#4");
    gw_hub_free(h);
}

static void test_resync_after_redis_loss(void **state)
{
    (void)state;
    struct gw_hub *h = hub_new();
    struct client a = {0}, done = {0};
    gw_hub_subscribe(h, &a.hc, "s4");
    gw_hub_subscribe(h, &done.hc, "s5");
    snap(h, "s4", 2, 0);
    snap(h, "s5", 9, 1);
    n_fetches = 0;
    gw_hub_resync_all(h); /* events 3..5 and the final were published while we were away */
    assert_int_equal(n_fetches, 1); /* s5 got its final: nothing to ask */
    snap(h, "s4", 6, 1);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.got[1], "finals4#6");
    gw_hub_resync_all(h);
    assert_int_equal(done.n, 1);
    gw_hub_free(h);
}

static void test_resync_without_news_sends_nothing(void **state)
{
    (void)state;
    struct gw_hub *h = hub_new();
    struct client a = {0};
    gw_hub_subscribe(h, &a.hc, "s6");
    snap(h, "s6", 4, 0);
    gw_hub_resync_all(h);
    snap(h, "s6", 4, 0);
    assert_int_equal(a.n, 1); /* same seq: no duplicate snapshot */
    gw_hub_free(h);
}

static void test_not_found_and_limits(void **state)
{
    (void)state;
    struct gw_hub *h = hub_new();
    struct client a = {0};
    gw_hub_subscribe(h, &a.hc, "nope");
    gw_hub_snapshot_failed(h, "nope", 1);
    assert_int_equal(a.n, 1);
    assert_non_null(strstr(a.got[0], "\"not_found\""));
    assert_int_equal(a.hc.n_subs, 0);
    for (int i = 0; i < GW_HUB_SUBS_PER_CLIENT; i++) {
        char id[16];
        snprintf(id, sizeof id, "x%d", i);
        assert_int_equal(gw_hub_subscribe(h, &a.hc, id), 0);
    }
    assert_int_equal(gw_hub_subscribe(h, &a.hc, "onemore"), -1);
    gw_hub_unsubscribe(h, &a.hc, "x3");
    assert_int_equal(gw_hub_subscribe(h, &a.hc, "onemore"), 0);
    gw_hub_free(h);
}

static void test_fetch_refused_waits_for_resync(void **state)
{
    (void)state;
    struct gw_hub *h = hub_new();
    struct client a = {0};
    fetch_fails = 1;
    gw_hub_subscribe(h, &a.hc, "s7");
    ev(h, "s7", 1, 0);
    assert_int_equal(a.n, 0);
    fetch_fails = 0;
    gw_hub_resync_all(h);
    assert_int_equal(n_fetches, 1);
    snap(h, "s7", 1, 0);
    assert_int_equal(a.n, 1);
    gw_hub_free(h);
}

static void test_many_topics_grow_table(void **state)
{
    (void)state;
    struct gw_hub *h = hub_new();
    enum { N = 2000 };
    struct client *cs = calloc(N, sizeof *cs);
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "t%d", i);
        assert_int_equal(gw_hub_subscribe(h, &cs[i].hc, id), 0);
        n_fetches = 0;
    }
    for (int i = 0; i < N; i++) {
        char id[16];
        snprintf(id, sizeof id, "t%d", i);
        snap(h, id, 0, 0);
        ev(h, id, 1, 1);
        assert_int_equal(cs[i].n, 2);
    }
    struct gw_hub_stats st;
    gw_hub_get_stats(h, &st);
    assert_int_equal(st.topics, N);
    assert_int_equal(st.finals, N);
    gw_hub_free(h);
    free(cs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snapshot_then_live),
        cmocka_unit_test(test_finished_submission_gets_final_once),
        cmocka_unit_test(test_gap_refetches),
        cmocka_unit_test(test_resync_after_redis_loss),
        cmocka_unit_test(test_resync_without_news_sends_nothing),
        cmocka_unit_test(test_not_found_and_limits),
        cmocka_unit_test(test_fetch_refused_waits_for_resync),
        cmocka_unit_test(test_many_topics_grow_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
