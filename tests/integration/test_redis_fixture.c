/*
 * test_redis_fixture.c - the shared test helpers themselves: the private redis-server starts,
 * answers, keeps data across a hard restart (AOF, fsync always), and is gone after rf_stop; the
 * test_proc helpers give a bindable port, write files, run a child with its output in a file,
 * report its exit status or the signal that stopped it, and remove a tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redis_fixture.h"
#include "test_proc.h"

#include "gv.h"

#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

static void test_proc_helpers(void **state)
{
    (void)state;
    int port = tp_free_port();
    assert_true(port > 0 && port < 65536);

    char dir[] = "/tmp/gavel-tp-XXXXXX";
    assert_non_null(mkdtemp(dir));
    assert_int_equal(tp_write_file(dir, "a.txt", "hello\n"), 0);
    char path[64], out[64];
    snprintf(path, sizeof path, "%s/a.txt", dir);
    snprintf(out, sizeof out, "%s/out.log", dir);
    char *text = gv_read_file(path, 64, NULL);
    assert_non_null(text);
    assert_string_equal(text, "hello\n");
    free(text);
    assert_int_equal(tp_write_file("/nonexistent-dir", "a.txt", "x"), -1);

    const char *const talk[] = {"/bin/sh", "-c", "echo to-out; echo to-err >&2; exit 3", NULL};
    pid_t pid = tp_spawn(talk, out);
    assert_true(pid > 0);
    assert_int_equal(tp_stop(&pid, 0, 5000), 3); /* signal 0: just wait for the exit */
    assert_int_equal(pid, 0);
    text = gv_read_file(out, 64, NULL);
    assert_non_null(text);
    assert_string_equal(text, "to-out\nto-err\n");
    free(text);

    const char *const sleeper[] = {"/bin/sleep", "30", NULL};
    pid = tp_spawn(sleeper, NULL);
    assert_true(pid > 0);
    assert_int_equal(tp_stop(&pid, SIGTERM, 5000), 128 + SIGTERM);
    assert_int_equal(tp_stop(&pid, SIGTERM, 100), -1); /* nothing left to stop */

    tp_rm_tree(dir);
    struct stat st;
    assert_int_equal(stat(dir, &st), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_start_restart_stop),
        cmocka_unit_test(test_proc_helpers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
