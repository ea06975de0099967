/*
 * test_serve_queue.c - `gavel-judge serve` end to end against a real redis-server, with the real
 * engine and sandbox: a tiny problem package is written into a temp folder, submissions are
 * enqueued through queue/ as the gateway does, and workers are started as processes.
 *
 *   enqueue -> final: status, tests and final events in order, seq without holes, timings;
 *   two workers share 200 jobs: each judged exactly once (one final each), both workers used;
 *   kill -9 of a worker in a slow job: another finishes it within the heartbeat TTL plus a few
 *     seconds, with exactly one final;
 *   Redis killed and restarted (AOF) with jobs queued and running: every job ends, the worker
 *     reconnects by itself; a worker started while Redis is down waits for it and first puts
 *     back what an earlier process of its name left in its processing list;
 *   poison jobs (unknown problem, unknown language, missing hash): JE once, and the worker goes on;
 *   SIGTERM during a job: it still ends with one final and the worker exits 0; with a short grace
 *     the job is handed back and another worker ends it, once;
 *   SIGSTOP + SIGCONT: the worker is not stopped by it and goes on judging.
 *
 * Needs root (the sandbox); skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "redis_fixture.h"
#include "test_proc.h"

#include "gv.h"
#include "queue_sync.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <hiredis/hiredis.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define TTL_MS   2000
#define MAX_JOBS 256

static const char quick_src[] = "#include <stdio.h>\n"
                                "int main(void){long a,b;if(scanf(\"%ld %ld\",&a,&b)!=2)return 1;"
                                "printf(\"%ld\\n\",a+b);return 0;}\n";
/* 2 x 2.5 s: outlives the heartbeat TTL after a SIGTERM */
static const char slower_src[] = "#include <stdio.h>\n#include <time.h>\n"
                                 "int main(void){long a,b;if(scanf(\"%ld %ld\",&a,&b)!=2)return 1;"
                                 "struct timespec t={2,500000000};nanosleep(&t,0);"
                                 "printf(\"%ld\\n\",a+b);return 0;}\n";
static const char slow_src[] = "#include <stdio.h>\n#include <time.h>\n"
                               "int main(void){long a,b;if(scanf(\"%ld %ld\",&a,&b)!=2)return 1;"
                               "struct timespec t={1,500000000};nanosleep(&t,0);"
                               "printf(\"%ld\\n\",a+b);return 0;}\n";

struct fx {
    struct redis_fixture rf;
    char dir[256]; /* temp folder: problems/, worker logs */
    char problems[300];
    struct queue_conn *c;
    redisContext *sub;
    redisContext *raw;
};

/*** Files ***/

static void write_file(const char *dir, const char *name, const char *text)
{
    assert_int_equal(tp_write_file(dir, name, text), 0);
}

static void make_dir(const char *path)
{
    assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
}

/* problems/sum: one sample and one secret test, a 2 s time limit. */
static void write_package(struct fx *f)
{
    char p[400];
    snprintf(f->problems, sizeof f->problems, "%s/problems", f->dir);
    make_dir(f->problems);
    snprintf(p, sizeof p, "%s/sum", f->problems);
    make_dir(p);
    write_file(p, "problem.yaml", "name: Sum\nlimits:\n  memory: 256\n");
    write_file(p, ".timelimit", "2\n");
    snprintf(p, sizeof p, "%s/sum/data", f->problems);
    make_dir(p);
    snprintf(p, sizeof p, "%s/sum/data/sample", f->problems);
    make_dir(p);
    write_file(p, "1.in", "1 2\n");
    write_file(p, "1.ans", "3\n");
    snprintf(p, sizeof p, "%s/sum/data/secret", f->problems);
    make_dir(p);
    write_file(p, "1.in", "20 22\n");
    write_file(p, "1.ans", "42\n");
}

/* A verdict the engine reached by judging (not JE). The tests here check the queue, not the
 * engine's verdicts (its own tests do): asserting AC would make them fail on an engine bug. */
static int judged(const char *verdict)
{
    static const char *const ok[] = {"AC", "WA", "TLE", "MLE", "RTE", "OLE", "CE"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(verdict, ok[i]) == 0) return 1;
    return 0;
}

/*** Workers ***/

struct worker {
    pid_t pid;
    char name[32];
};

static void print_log(struct fx *f, const char *name)
{
    char path[400];
    snprintf(path, sizeof path, "%s/%s.log", f->dir, name);
    char *text = gv_read_file(path, 1 << 20, NULL);
    if (text) {
        size_t len = strlen(text);
        fprintf(stderr, "---- %s (last 4 KiB) ----\n%s\n", name,
                len > 4096 ? text + len - 4096 : text);
        free(text);
    }
}

static void start_worker(struct fx *f, struct worker *w, const char *name, int slots, int grace_ms)
{
    char bin[512], log[400], s[16], ttl[16], grace[16], cache[400];
    snprintf(bin, sizeof bin, "%s/judge/gavel-judge", getenv("GAVEL_BUILD_DIR"));
    snprintf(log, sizeof log, "%s/%s.log", f->dir, name);
    snprintf(s, sizeof s, "%d", slots);
    snprintf(ttl, sizeof ttl, "%d", TTL_MS);
    snprintf(grace, sizeof grace, "%d", grace_ms);
    snprintf(cache, sizeof cache, "%s/cache", f->dir); /* the test's own compile cache */
    gv_strlcpy(w->name, name, sizeof w->name);
    const char *const argv[] = {bin,          "serve",     "--redis",         f->rf.url,
                                "--problems", f->problems, "--slots",         s,
                                "--id",       name,        "--heartbeat-ttl", ttl,
                                "--grace",    grace,       "--claim-timeout", "200",
                                "--cache",    cache,       NULL};
    w->pid = tp_spawn(argv, log);
    assert_true(w->pid > 0);
}

/* Sends sig and waits at most timeout_ms for the exit; returns the exit status or -1. */
static int stop_worker(struct worker *w, int sig, int timeout_ms)
{
    return tp_stop(&w->pid, sig, timeout_ms);
}

/*** Fixture ***/

static void subscribe(struct fx *f)
{
    f->sub = redisConnect("127.0.0.1", f->rf.port);
    assert_true(f->sub && !f->sub->err);
    redisReply *r = redisCommand(f->sub, "SUBSCRIBE %s", QUEUE_KEY_EVENTS);
    assert_non_null(r);
    freeReplyObject(r);
}

static int setup(void **state)
{
    if (geteuid() != 0) {
        fprintf(stderr, "test_serve_queue: needs root for the sandbox\n");
        skip();
    }
    struct fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    snprintf(f->dir, sizeof f->dir, "/tmp/gavel-serve-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    write_package(f);
    assert_int_equal(rf_start(&f->rf), 0);
    f->c = queue_conn_new(f->rf.url, 2000);
    f->raw = redisConnect("127.0.0.1", f->rf.port);
    assert_true(f->c && f->raw && !f->raw->err);
    subscribe(f);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (!f) return 0;
    queue_conn_free(f->c);
    if (f->sub) redisFree(f->sub);
    if (f->raw) redisFree(f->raw);
    rf_stop(&f->rf);
    if (!getenv("GAVEL_KEEP_TEST_DIR")) tp_rm_tree(f->dir);
    free(f);
    return 0;
}

/*** Events ***/

/* The next message on the subscription, waiting at most wait_ms; NULL when none came. Polls the
 * socket instead of using a read timeout, which would leave the context unusable (and a new
 * subscription would miss what is published meanwhile). */
static redisReply *next_message(struct fx *f, int wait_ms)
{
    void *reply = NULL;
    if (redisGetReplyFromReader(f->sub, &reply) == REDIS_OK && reply) return reply;
    struct pollfd pfd = {f->sub->fd, POLLIN, 0};
    if (poll(&pfd, 1, wait_ms) <= 0) return NULL;
    assert_int_equal(redisBufferRead(f->sub), REDIS_OK);
    assert_int_equal(redisGetReplyFromReader(f->sub, &reply), REDIS_OK);
    return reply;
}

struct job {
    char id[QUEUE_ID_MAX + 1];
    int finals;
    long long last_seq;
    int seq_holes;
    char verdict[8];
    char worker[QUEUE_ID_MAX + 1];
};

static struct job *find(struct job *jobs, int n, const char *id)
{
    for (int i = 0; i < n; i++)
        if (strcmp(jobs[i].id, id) == 0) return &jobs[i];
    return NULL;
}

static void note_final(struct job *j, const char *json)
{
    j->finals++;
    const char *v = strstr(json, "\"verdict\":\"");
    if (v) sscanf(v + 11, "%7[A-Z]", j->verdict);
    const char *w = strstr(json, "\"worker\":\"");
    if (w) sscanf(w + 10, "%64[A-Za-z0-9._-]", j->worker);
}

/* Reads events until every job has a final or timeout_ms passes; then `extra_ms` more to catch
 * duplicates. Returns the number of jobs with a final. */
static int collect(struct fx *f, struct job *jobs, int n, int timeout_ms, int extra_ms)
{
    int64_t deadline = gv_now_ms() + timeout_ms, quiet_until = 0;
    for (;;) {
        int done = 0;
        for (int i = 0; i < n; i++)
            done += jobs[i].finals > 0;
        if (done == n && !quiet_until) quiet_until = gv_now_ms() + extra_ms;
        if (gv_now_ms() >= deadline || (quiet_until && gv_now_ms() >= quiet_until)) return done;
        redisReply *r = next_message(f, 200);
        if (!r) continue;
        struct queue_event ev;
        if (r->type == REDIS_REPLY_ARRAY && r->elements == 3 &&
            queue_event_parse(r->element[2]->str, (size_t)r->element[2]->len, &ev) == 0) {
            struct job *j = find(jobs, n, ev.submission);
            if (j) {
                if (ev.seq != j->last_seq + 1) j->seq_holes++;
                j->last_seq = ev.seq;
                if (strcmp(ev.type, "final") == 0) note_final(j, ev.json);
            }
        }
        freeReplyObject(r);
    }
}

static void enqueue(struct fx *f, struct job *j, const char *problem, const char *language,
                    const char *src)
{
    memset(j, 0, sizeof *j);
    assert_int_equal(queue_enqueue(f->c, problem, language, src, strlen(src), NULL, j->id),
                     QUEUE_OK);
}

static long long hash_int(struct fx *f, const char *id, const char *field)
{
    redisReply *r = redisCommand(f->raw, "HGET gavel:sub:%s %s", id, field);
    long long v = r && r->type == REDIS_REPLY_STRING ? atoll(r->str) : -1;
    if (r) freeReplyObject(r);
    return v;
}

static int hash_is(struct fx *f, const char *id, const char *field, const char *want)
{
    redisReply *r = redisCommand(f->raw, "HGET gavel:sub:%s %s", id, field);
    int is = r && r->type == REDIS_REPLY_STRING && strcmp(r->str, want) == 0;
    if (r) freeReplyObject(r);
    return is;
}

static int wait_hash(struct fx *f, const char *id, const char *field, const char *want, int ms)
{
    int64_t deadline = gv_now_ms() + ms;
    while (gv_now_ms() < deadline) {
        if (hash_is(f, id, field, want)) return 1;
        usleep(20 * 1000);
    }
    return 0;
}

/*** Tests ***/

static void test_enqueue_to_final(void **state)
{
    struct fx *f = *state;
    struct worker w;
    start_worker(f, &w, "solo", 1, 10000);
    struct job j;
    enqueue(f, &j, "sum", "c", quick_src);
    /* keep every event of this job to check its order */
    char types[64][16];
    int n = 0;
    int64_t deadline = gv_now_ms() + 60000;
    while (gv_now_ms() < deadline && n < 64) {
        redisReply *r = next_message(f, 200);
        if (!r) continue;
        struct queue_event ev;
        int ok = queue_event_parse(r->element[2]->str, (size_t)r->element[2]->len, &ev) == 0;
        assert_true(ok);
        assert_string_equal(ev.submission, j.id);
        assert_int_equal(ev.seq, n + 1);
        gv_strlcpy(types[n++], ev.type, sizeof types[0]);
        int final = strcmp(ev.type, "final") == 0;
        if (final) {
            assert_null(strstr(ev.json, "\"verdict\":\"JE\""));
            const char *keys[] = {"\"queued_ms\":", "\"compile_ms\":", "\"run_ms\":",
                                  "\"total_ms\":", "\"tests\":[{\"n\":1"};
            for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
                assert_non_null(strstr(ev.json, keys[k]));
        }
        freeReplyObject(r);
        if (final) break;
    }
    if (n == 0 || strcmp(types[n - 1], "final") != 0) print_log(f, "solo");
    /* --cache was honoured: the compiled submission landed in the test's own cache folder */
    char cache[400];
    snprintf(cache, sizeof cache, "%s/cache/sub", f->dir);
    DIR *d = opendir(cache);
    assert_non_null(d);
    int entries = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        entries += e->d_name[0] != '.';
    closedir(d);
    assert_true(entries > 0);
    assert_true(n >= 4);
    assert_string_equal(types[0], "status"); /* compiling */
    assert_string_equal(types[n - 2], "tests");
    assert_string_equal(types[n - 1], "final");
    assert_int_equal(hash_int(f, j.id, "seq"), n);
    assert_int_equal(stop_worker(&w, SIGTERM, 10000), 0);
    redisReply *r = redisCommand(f->raw, "EXISTS gavel:worker:solo");
    assert_int_equal(r->integer, 0); /* heartbeat removed on a clean exit */
    freeReplyObject(r);
}

static void test_two_workers_share(void **state)
{
    struct fx *f = *state;
    enum { N = 200 };
    static struct job jobs[N];
    int64_t t0 = gv_now_ms();
    for (int i = 0; i < N; i++)
        enqueue(f, &jobs[i], "sum", "c", quick_src);
    struct worker a, b;
    start_worker(f, &a, "wa", 2, 10000);
    start_worker(f, &b, "wb", 2, 10000);
    int done = collect(f, jobs, N, 300000, 1000);
    if (done < N) {
        print_log(f, "wa");
        print_log(f, "wb");
    }
    assert_int_equal(done, N);
    int by_a = 0, by_b = 0;
    int not_ac = 0;
    for (int i = 0; i < N; i++) {
        assert_int_equal(jobs[i].finals, 1);
        assert_int_equal(jobs[i].seq_holes, 0);
        /* The verdict is the engine's business (its own tests check it); what is checked here
         * is that a real verdict came, once. A wrong one is shown so it is not missed. */
        assert_true(judged(jobs[i].verdict));
        if (strcmp(jobs[i].verdict, "AC") != 0) {
            not_ac++;
            redisReply *bad = redisCommand(f->raw, "HGET gavel:sub:%s result", jobs[i].id);
            fprintf(stderr, "WARNING: job %s not AC: %s\n", jobs[i].id,
                    bad && bad->str ? bad->str : "?");
            if (bad) freeReplyObject(bad);
        }
        by_a += strcmp(jobs[i].worker, "wa") == 0;
        by_b += strcmp(jobs[i].worker, "wb") == 0;
        assert_int_equal(hash_int(f, jobs[i].id, "attempts"), 1);
    }
    assert_int_equal(by_a + by_b, N);
    assert_true(by_a > 0 && by_b > 0);
    redisReply *r = redisCommand(f->raw, "EVAL %s 0",
                                 "return redis.call('LLEN','gavel:queue') + "
                                 "redis.call('LLEN','gavel:processing:wa') + "
                                 "redis.call('LLEN','gavel:processing:wb')");
    assert_int_equal(r->integer, 0);
    freeReplyObject(r);
    fprintf(stderr, "200 jobs in %lld ms: %d by wa, %d by wb, %d not AC\n",
            (long long)(gv_now_ms() - t0), by_a, by_b, not_ac);
    assert_int_equal(stop_worker(&a, SIGTERM, 10000), 0);
    assert_int_equal(stop_worker(&b, SIGTERM, 10000), 0);
}

static void test_kill9_takeover(void **state)
{
    struct fx *f = *state;
    struct worker a, b;
    struct job j;
    enqueue(f, &j, "sum", "c", slow_src);
    start_worker(f, &a, "victim", 1, 10000);
    if (!wait_hash(f, j.id, "status", "running", 30000)) print_log(f, "victim");
    assert_true(hash_is(f, j.id, "worker", "victim"));
    start_worker(f, &b, "heir", 1, 10000);
    int64_t killed = gv_now_ms();
    assert_int_equal(stop_worker(&a, SIGKILL, 5000), 128 + SIGKILL);
    /* TTL to notice, a third of it to reap, 2 x 1.5 s of sleep plus the runs: ~6 s; the margin
     * is for a loaded CI machine */
    int done = collect(f, &j, 1, TTL_MS + 20000, 1500);
    int64_t took = gv_now_ms() - killed;
    if (!done) print_log(f, "heir");
    assert_int_equal(done, 1);
    assert_int_equal(j.finals, 1);
    assert_true(judged(j.verdict));
    assert_string_equal(j.worker, "heir");
    assert_int_equal(hash_int(f, j.id, "attempts"), 2);
    fprintf(stderr, "kill -9 -> final by the other worker in %lld ms\n", (long long)took);
    assert_int_equal(stop_worker(&b, SIGTERM, 10000), 0);
}

static void test_redis_restart(void **state)
{
    struct fx *f = *state;
    enum { N = 6 };
    struct job jobs[N];
    for (int i = 0; i < N; i++)
        enqueue(f, &jobs[i], "sum", "c", i % 2 ? slow_src : quick_src);
    struct worker w;
    start_worker(f, &w, "steady", 2, 10000);
    /* Some job running: every job is looked at each round (a quick one may start and end
     * between two looks; a slow one runs for 3 s). */
    int running = 0;
    int64_t until = gv_now_ms() + 30000;
    while (!running && gv_now_ms() < until) {
        for (int i = 0; i < N && !running; i++)
            running = hash_is(f, jobs[i].id, "status", "running");
        if (!running)
            usleep(20 * 1000);
    }
    assert_true(running);
    redisFree(f->sub);
    f->sub = NULL;
    redisFree(f->raw);
    f->raw = NULL;
    assert_int_equal(rf_restart(&f->rf, 1), 0); /* kill -9: only the AOF is left */
    f->raw = redisConnect("127.0.0.1", f->rf.port);
    assert_true(f->raw && !f->raw->err);
    /* every job ends, once; the worker found Redis again by itself */
    int64_t deadline = gv_now_ms() + 60000;
    int done = 0;
    while (done < N && gv_now_ms() < deadline) {
        done = 0;
        for (int i = 0; i < N; i++)
            done += hash_is(f, jobs[i].id, "status", "done");
        usleep(100 * 1000);
    }
    if (done < N) print_log(f, "steady");
    assert_int_equal(done, N);
    for (int i = 0; i < N; i++) {
        redisReply *v = redisCommand(f->raw, "HGET gavel:sub:%s verdict", jobs[i].id);
        assert_true(v && v->type == REDIS_REPLY_STRING && judged(v->str));
        freeReplyObject(v);
    }
    assert_int_equal(stop_worker(&w, SIGTERM, 15000), 0);
}

/* A worker whose earlier self died holding a job, started while Redis is down: it waits for
 * Redis, puts the job back (its own fresh heartbeat would otherwise hide it forever), judges it. */
static void test_restart_recovers_own(void **state)
{
    struct fx *f = *state;
    struct job j;
    enqueue(f, &j, "sum", "c", quick_src);
    char id[QUEUE_ID_MAX + 1];
    assert_int_equal(queue_claim(f->c, "phoenix", 1000, id), 1); /* the earlier self took it */
    redisFree(f->sub);
    f->sub = NULL;
    redisFree(f->raw);
    f->raw = NULL;
    rf_kill(&f->rf);
    struct worker w;
    start_worker(f, &w, "phoenix", 1, 10000);
    usleep(800 * 1000);
    assert_int_equal(rf_restart(&f->rf, 1), 0);
    f->raw = redisConnect("127.0.0.1", f->rf.port);
    assert_true(f->raw && !f->raw->err);
    int ok = wait_hash(f, j.id, "status", "done", 30000);
    if (!ok) print_log(f, "phoenix");
    assert_true(ok);
    assert_true(hash_is(f, j.id, "worker", "phoenix"));
    assert_int_equal(hash_int(f, j.id, "attempts"), 1);
    assert_int_equal(stop_worker(&w, SIGTERM, 10000), 0);
}

static void test_poison(void **state)
{
    struct fx *f = *state;
    struct job jobs[4];
    enqueue(f, &jobs[0], "nosuchproblem", "c", quick_src);
    enqueue(f, &jobs[1], "sum", "klingon", quick_src);
    memset(&jobs[2], 0, sizeof jobs[2]);
    strcpy(jobs[2].id, "ghost-job");
    redisReply *r = redisCommand(f->raw, "LPUSH gavel:queue ghost-job");
    freeReplyObject(r);
    enqueue(f, &jobs[3], "sum", "c", quick_src); /* and the worker is still fine after them */
    struct worker w;
    start_worker(f, &w, "sturdy", 1, 10000);
    int done = collect(f, jobs, 4, 60000, 1000);
    if (done < 4) print_log(f, "sturdy");
    assert_int_equal(done, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(jobs[i].finals, 1);
        if (i == 3)
            assert_true(judged(jobs[i].verdict));
        else
            assert_string_equal(jobs[i].verdict, "JE");
    }
    assert_int_equal(hash_int(f, jobs[0].id, "attempts"), 1);
    r = redisCommand(f->raw, "HGET gavel:sub:%s result", jobs[0].id);
    assert_non_null(strstr(r->str, "nosuchproblem"));
    freeReplyObject(r);
    assert_int_equal(stop_worker(&w, SIGTERM, 10000), 0);
}

static void test_sigterm(void **state)
{
    struct fx *f = *state;
    /* a long grace: the worker finishes the job itself, then exits 0; its heartbeat lives on
     * meanwhile, so the other worker's reaper does not take the job away although it runs for
     * longer than the TTL after the signal */
    struct worker a, other;
    struct job j;
    enqueue(f, &j, "sum", "c", slower_src);
    start_worker(f, &a, "polite", 1, 30000);
    assert_true(wait_hash(f, j.id, "status", "running", 30000));
    start_worker(f, &other, "other", 1, 10000);
    assert_int_equal(stop_worker(&a, SIGTERM, 20000), 0);
    assert_int_equal(collect(f, &j, 1, 5000, 500), 1);
    assert_int_equal(j.finals, 1);
    assert_true(judged(j.verdict));
    assert_string_equal(j.worker, "polite");
    assert_int_equal(hash_int(f, j.id, "attempts"), 1);
    assert_int_equal(stop_worker(&other, SIGTERM, 10000), 0);

    /* a short grace: handed back, another worker ends it, once */
    struct worker b, c;
    struct job k;
    enqueue(f, &k, "sum", "c", slow_src);
    start_worker(f, &b, "hasty", 1, 300);
    assert_true(wait_hash(f, k.id, "status", "running", 30000));
    assert_int_equal(stop_worker(&b, SIGTERM, 10000), 0);
    assert_true(hash_is(f, k.id, "status", "queued"));
    start_worker(f, &c, "closer", 1, 10000);
    int done = collect(f, &k, 1, 30000, 1500);
    if (!done) print_log(f, "closer");
    assert_int_equal(done, 1);
    assert_int_equal(k.finals, 1);
    assert_string_equal(k.worker, "closer");
    assert_int_equal(hash_int(f, k.id, "attempts"), 1); /* a hand-back is not a death */
    assert_int_equal(stop_worker(&c, SIGTERM, 10000), 0);
}

/* A stop and continue (SIGSTOP, SIGCONT) interrupts the main thread's wait for a stop signal
 * with EINTR: the worker must go on serving, not take it for SIGTERM. */
static void test_stop_continue(void **state)
{
    struct fx *f = *state;
    struct worker w;
    struct job first, second;
    enqueue(f, &first, "sum", "c", quick_src);
    start_worker(f, &w, "sleeper", 1, 10000);
    int ok = wait_hash(f, first.id, "status", "done", 30000); /* so it waits for signals now */
    if (!ok) print_log(f, "sleeper");
    assert_true(ok);
    assert_int_equal(kill(w.pid, SIGSTOP), 0);
    usleep(200 * 1000);
    assert_int_equal(kill(w.pid, SIGCONT), 0);
    usleep(500 * 1000);
    assert_int_equal(waitpid(w.pid, NULL, WNOHANG), 0); /* still running */
    enqueue(f, &second, "sum", "c", quick_src);
    ok = wait_hash(f, second.id, "status", "done", 30000);
    if (!ok) print_log(f, "sleeper");
    assert_true(ok);
    assert_true(hash_is(f, second.id, "worker", "sleeper"));
    assert_int_equal(stop_worker(&w, SIGTERM, 10000), 0);
}

int main(void)
{
    gv_log_init("test_serve_queue", GV_LOG_ERROR);
    if (getenv("TEST_FILTER")) cmocka_set_test_filter(getenv("TEST_FILTER"));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_enqueue_to_final, setup, teardown),
        cmocka_unit_test_setup_teardown(test_poison, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill9_takeover, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sigterm, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_continue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redis_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_recovers_own, setup, teardown),
        cmocka_unit_test_setup_teardown(test_two_workers_share, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
