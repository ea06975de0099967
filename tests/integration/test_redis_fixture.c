/*
 * test_redis_fixture.c - the private redis-server helper itself: it starts, answers, keeps data
 * across a hard restart (AOF, fsync always), and is gone after rf_stop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redis_fixture.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>

static redisContext *connect_to(const struct redis_fixture *rf)
{
    redisContext *c = redisConnect("127.0.0.1", rf->port);
    assert_non_null(c);
    assert_int_equal(c->err, 0);
    return c;
}

static void test_start_restart_stop(void **state)
{
    (void)state;
    struct redis_fixture rf;
    assert_int_equal(rf_start(&rf), 0);
    assert_true(rf.port > 0);
    redisContext *c = connect_to(&rf);
    redisReply *r = redisCommand(c, "SET gavel:test 42");
    assert_non_null(r);
    freeReplyObject(r);
    redisFree(c);

    assert_int_equal(rf_restart(&rf, 1), 0); /* kill -9, then replay the AOF */
    c = connect_to(&rf);
    r = redisCommand(c, "GET gavel:test");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_string_equal(r->str, "42");
    freeReplyObject(r);
    redisFree(c);

    pid_t pid = rf.pid;
    char dir[sizeof rf.dir];
    strcpy(dir, rf.dir);
    rf_stop(&rf);
    assert_int_equal(kill(pid, 0), -1);
    struct stat st;
    assert_int_equal(stat(dir, &st), -1);
    rf_stop(&rf); /* twice is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_restart_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
