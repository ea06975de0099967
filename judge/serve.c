/*
 * serve.c - `gavel-judge serve`: the worker daemon that judges submissions from Redis.
 *
 * Theory of operation. One process runs:
 *   - N slot threads. Each owns a queue_conn and loops: claim a job (BLMOVE with a short timeout,
 *     so a stop is noticed within claim_ms), start it (marks it ours and reads the submission),
 *     check it (problem, language, source: anything wrong ends the job as JE with the reason,
 *     never a crash or a retry loop), judge it with the engine of judge.h, and put the final into
 *     the outbox. The engine's progress (compiling, running, each test) goes into the outbox too.
 *   - The outbox's publisher thread (queue_outbox.h): sends events in order, coalesces tests,
 *     waits and retries while Redis is down. Slots never wait for Redis to publish, so a job in
 *     hand is judged to the end whatever Redis does, and its events go out when Redis is back.
 *   - A heartbeat thread: first recovers what an earlier process of the same name left in our
 *     processing list (the slots wait for that), then refreshes gavel:worker:{id} every ttl/3
 *     (with the busy count) and runs the reaper, which returns the jobs of workers whose
 *     heartbeat expired to the queue. It keeps going through a shutdown's grace period.
 *   - The main thread: waits for SIGTERM/SIGINT (blocked everywhere else, taken with
 *     sigtimedwait). On the first one the slots stop claiming and finish their jobs; past the
 *     grace period (or on a second signal) the jobs still running are handed back to the queue
 *     (queue_release) and the process exits at once; otherwise the outbox is drained, the
 *     heartbeat removed, and the process exits 0.
 * Problems are loaded on first use and kept (a loaded problem is immutable, shared by slots).
 * One log line per step of a job: claimed, compiling, running, final (with timings), published.
 */
#include "serve.h"

#include "gv.h"
#include "judge.h"
#include "queue_outbox.h"
#include "queue_sync.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SERVE_SLOTS_MAX        256
#define SERVE_PROBLEMS_MAX     1024 /* problems kept loaded */
#define SERVE_TTL_MS_DEFAULT   10000
#define SERVE_GRACE_MS_DEFAULT 60000
#define SERVE_CLAIM_MS_DEFAULT 1000
#define SERVE_DRAIN_MS         10000 /* how long a clean exit waits for Redis to take the events */
#define SERVE_LANGS_JSON_MAX   2048

/*** State ***/

struct serve;

struct slot {
    struct serve *sv;
    int index;
    pthread_t thread;
    struct queue_conn *conn;
    int busy;                  /* under sv->lock */
    char id[QUEUE_ID_MAX + 1]; /* the job in hand, when busy */
    struct queue_owner owner;
};

struct cached_problem {
    char id[QUEUE_ID_MAX + 1];
    struct judge_problem *p;
};

struct serve {
    /* options */
    const char *redis;
    const char *problems;
    const char *cache_dir;   /* compile cache (--cache, $GAVEL_CACHE_DIR, or the engine's) */
    const char *sandbox_dir; /* sandbox base folder (--sandbox-dir, $GAVEL_SANDBOX_DIR) */
    char worker[QUEUE_ID_MAX + 1];
    int slots;
    int ttl_ms, grace_ms, claim_ms;
    /* parts */
    struct judge_engine *engine;
    struct queue_outbox *outbox;
    struct slot *slot;
    pthread_t heartbeat;
    char host[256];
    char languages[SERVE_LANGS_JSON_MAX];
    /* shared, under lock */
    pthread_mutex_t lock;
    pthread_cond_t wake; /* the heartbeat thread's sleep */
    int busy;
    struct cached_problem problem[SERVE_PROBLEMS_MAX];
    int n_problems;
    atomic_int stopping;
    atomic_int ready;   /* our own processing list was recovered: slots may claim */
    atomic_int strays;  /* a claim failed with the connection: its id may be in our list */
    atomic_int hb_stop; /* the heartbeat goes on while the slots finish, until this is set */
};

/* What the engine's progress callback needs. */
struct job {
    struct serve *sv;
    const char *id;
    const struct queue_owner *owner;
};

/*** Helpers ***/

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static int env_ms(const char *name, int fallback)
{
    const char *v = getenv(name);
    char *end;
    long n = v ? strtol(v, &end, 10) : 0;
    return v && *v && !*end && n > 0 && n < INT_MAX ? (int)n : fallback;
}

/* A default worker name: <hostname>-<pid>, in the id alphabet. */
static void default_worker_name(char *out, size_t size, const char *host)
{
    char name[QUEUE_ID_MAX + 1];
    snprintf(name, sizeof name, "%.40s-%ld", host, (long)getpid());
    for (char *p = name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '.' || *p == '_'))
            *p = '-';
    gv_strlcpy(out, name, size);
}

/*** Problems ***/

/* The loaded problem for id (cached); NULL with why filled when it cannot be. */
static const struct judge_problem *problem_get(struct serve *sv, const char *id, char *why,
                                               size_t why_size)
{
    if (!queue_id_valid(id) || id[0] == '.') {
        snprintf(why, why_size, "invalid problem id");
        return NULL;
    }
    pthread_mutex_lock(&sv->lock);
    for (int i = 0; i < sv->n_problems; i++) {
        if (strcmp(sv->problem[i].id, id) == 0) {
            pthread_mutex_unlock(&sv->lock);
            return sv->problem[i].p;
        }
    }
    pthread_mutex_unlock(&sv->lock);
    /* Loaded outside the lock (it reads files); two slots may load the same one at once, the
     * second copy is dropped. */
    char dir[PATH_MAX], err[JUDGE_ERR_MAX];
    snprintf(dir, sizeof dir, "%s/%s", sv->problems, id);
    struct judge_problem *p = judge_problem_load(dir, err, sizeof err);
    if (!p) {
        if (snprintf(why, why_size, "problem %s: %s", id, err) >= (int)why_size)
            gv_debug("problem %s: message cut", id); /* a cut message is still a reason */
        return NULL;
    }
    pthread_mutex_lock(&sv->lock);
    for (int i = 0; i < sv->n_problems; i++) {
        if (strcmp(sv->problem[i].id, id) == 0) {
            pthread_mutex_unlock(&sv->lock);
            judge_problem_free(p);
            return sv->problem[i].p;
        }
    }
    if (sv->n_problems < SERVE_PROBLEMS_MAX) {
        gv_strlcpy(sv->problem[sv->n_problems].id, id, sizeof sv->problem[0].id);
        sv->problem[sv->n_problems++].p = p;
    } else {
        snprintf(why, why_size, "too many problems loaded (%d)", SERVE_PROBLEMS_MAX);
        judge_problem_free(p);
        p = NULL;
    }
    pthread_mutex_unlock(&sv->lock);
    return p;
}

/*** Results ***/

static char *je_result(const char *message, int64_t queued_ms)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", "done");
    cJSON_AddStringToObject(o, "verdict", "JE");
    cJSON_AddNullToObject(o, "score");
    cJSON_AddNumberToObject(o, "time_ms", 0);
    cJSON_AddNumberToObject(o, "memory_kib", 0);
    cJSON_AddStringToObject(o, "compile_output", "");
    cJSON_AddStringToObject(o, "message", message);
    cJSON_AddItemToObject(o, "tests", cJSON_CreateArray());
    cJSON *t = cJSON_AddObjectToObject(o, "timings");
    cJSON_AddNumberToObject(t, "queued_ms", (double)queued_ms);
    cJSON_AddNumberToObject(t, "compile_ms", 0);
    cJSON_AddNumberToObject(t, "run_ms", 0);
    cJSON_AddNumberToObject(t, "total_ms", 0);
    char *text = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return text;
}

static void finish_je(struct serve *sv, const struct queue_owner *owner, const char *id,
                      const char *why, int64_t queued_ms)
{
    gv_warn("job %s: JE: %s", id, why);
    char *json = je_result(why, queued_ms);
    if (!json || queue_outbox_final(sv->outbox, owner, id, "JE", json) < 0)
        gv_error("job %s: out of memory for its final", id);
    free(json);
}

/*** Judging one job ***/

static void on_progress(const struct judge_event *ev, void *ctx)
{
    struct job *job = ctx;
    struct queue_outbox *o = job->sv->outbox;
    switch (ev->kind) {
    case JUDGE_EVENT_COMPILING:
        gv_info("job %s: compiling", job->id);
        queue_outbox_status(o, job->owner, job->id, "compiling");
        break;
    case JUDGE_EVENT_RUNNING:
        gv_info("job %s: running", job->id);
        queue_outbox_status(o, job->owner, job->id, "running");
        break;
    case JUDGE_EVENT_TEST: {
        cJSON *t = judge_test_to_json(ev->test);
        char *text = t ? cJSON_PrintUnformatted(t) : NULL;
        if (text) queue_outbox_test(o, job->owner, job->id, (long long)ev->total, text);
        gv_debug("job %s: test %u %s %u ms %s", job->id, ev->test->n,
                 judge_verdict_name(ev->test->verdict), ev->test->time_ms,
                 ev->test->message ? ev->test->message : "");
        free(text);
        cJSON_Delete(t);
        break;
    }
    case JUDGE_EVENT_FINAL:
        break; /* published by judge_job with the timings */
    }
}

static void judge_job(struct serve *sv, const struct queue_submission *s,
                      const struct queue_owner *owner, int64_t queued_ms)
{
    char why[JUDGE_ERR_MAX + 64];
    const struct judge_problem *p = problem_get(sv, s->problem, why, sizeof why);
    if (!p) {
        finish_je(sv, owner, s->id, why, queued_ms);
        return;
    }
    if (!judge_lang_by_id(judge_engine_langs(sv->engine), s->language)) {
        snprintf(why, sizeof why, "unknown language '%.64s'", s->language);
        finish_je(sv, owner, s->id, why, queued_ms);
        return;
    }
    struct judge_submission js = {
        .language = s->language, .source = s->source, .source_len = s->source_len};
    struct job job = {sv, s->id, owner};
    struct judge_result r;
    judge_submission(sv->engine, p, &js, on_progress, &job, &r);
    r.queued_ms = queued_ms;
    cJSON *o = judge_result_to_json(&r);
    if (o) {
        cJSON_AddStringToObject(o, "worker", sv->worker);
        cJSON_AddNumberToObject(o, "attempt", (double)s->attempts);
    }
    char *json = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    const char *verdict = judge_verdict_name(r.verdict);
    gv_info(
        "job %s: %s, queued %lld ms, compile %lld ms, run %lld ms, total %lld ms, %zu/%zu tests",
        s->id, verdict, (long long)r.queued_ms, (long long)r.compile_ms, (long long)r.run_ms,
        (long long)r.total_ms, r.n_tests, r.total_tests);
    if (!json || queue_outbox_final(sv->outbox, owner, s->id, verdict, json) < 0)
        gv_error("job %s: out of memory for its final", s->id);
    free(json);
    judge_result_free(&r);
}

/* Starts a claimed job (retrying while Redis is down) and judges it. */
static void run_job(struct slot *sl, const char *id)
{
    struct serve *sv = sl->sv;
    struct queue_submission s;
    struct queue_owner owner;
    int rc, logged = 0;
    /* Down, or an error answer before the script ran (attempt still 0: a replica that is
     * read-only during a failover, say): transient, retried. */
    while (((rc = queue_start(sl->conn, sv->worker, id, &s, &owner)) == QUEUE_ERR_DOWN ||
            (rc == QUEUE_ERR_REDIS && owner.attempt == 0)) &&
           !atomic_load(&sv->stopping)) {
        if (!logged++) gv_warn("job %s: cannot start yet (%s); retrying", id, queue_rc_name(rc));
        sleep_ms(200);
    }
    if (rc == QUEUE_ERR_DOWN || rc == QUEUE_ERR_REFUSED || rc == QUEUE_ERR_INVALID ||
        (rc == QUEUE_ERR_REDIS && owner.attempt == 0)) {
        /* Down at shutdown: it stays in our processing list and is reaped. Refused: done. */
        gv_warn("job %s: not started: %s", id, queue_rc_name(rc));
        return;
    }
    pthread_mutex_lock(&sv->lock);
    sl->owner = owner;
    pthread_mutex_unlock(&sv->lock);
    if (rc != QUEUE_OK) {
        finish_je(sv, &owner, id,
                  rc == QUEUE_ERR_NOTFOUND ? "submission missing from Redis"
                                           : "submission unreadable",
                  0);
        return;
    }
    int64_t queued_ms = s.created_ms > 0 ? gv_wall_ms() - s.created_ms : 0;
    gv_info("job %s: claimed (problem %s, language %s, attempt %lld, queued %lld ms)", id,
            s.problem, s.language, s.attempts, (long long)queued_ms);
    if (s.source_len == 0)
        finish_je(sv, &owner, id, "submission has no source", queued_ms);
    else if (!s.problem[0] || !s.language[0])
        finish_je(sv, &owner, id, "submission has no problem or language", queued_ms);
    else
        judge_job(sv, &s, &owner, queued_ms);
    queue_submission_free(&s);
}

static void set_busy(struct slot *sl, const char *id)
{
    struct serve *sv = sl->sv;
    pthread_mutex_lock(&sv->lock);
    sl->busy = id != NULL;
    sv->busy += id ? 1 : -1;
    if (id) gv_strlcpy(sl->id, id, sizeof sl->id);
    memset(&sl->owner, 0, sizeof sl->owner);
    pthread_mutex_unlock(&sv->lock);
}

/* A claim whose answer was lost with the connection may have moved a job into our processing
 * list: what no slot of ours holds there goes back to the queue. 0, or -1 to try again. */
static int requeue_strays(struct slot *sl)
{
    struct serve *sv = sl->sv;
    char held[QUEUE_STRAYS_HELD_MAX][QUEUE_ID_MAX + 1];
    const char *words[QUEUE_STRAYS_HELD_MAX];
    size_t n = 0, busy = 0;
    pthread_mutex_lock(&sv->lock);
    for (int i = 0; i < sv->slots; i++)
        if (sv->slot[i].busy && busy++ < QUEUE_STRAYS_HELD_MAX) {
            gv_strlcpy(held[n], sv->slot[i].id, sizeof held[n]);
            words[n] = held[n];
            n++;
        }
    pthread_mutex_unlock(&sv->lock);
    if (busy > n) { /* a shortened list would put back jobs our slots are judging */
        gv_warn("strays not looked for: more than %d slots busy", QUEUE_STRAYS_HELD_MAX);
        return 0;
    }
    long long back = 0;
    int rc = queue_requeue_strays(sl->conn, sv->worker, words, n, &back);
    if (rc == QUEUE_OK && back > 0)
        gv_warn("requeued %lld job(s) claimed as the connection to Redis was lost", back);
    return rc == QUEUE_OK || rc == QUEUE_ERR_INVALID ? 0 : -1;
}

static void *slot_main(void *arg)
{
    struct slot *sl = arg;
    struct serve *sv = sl->sv;
    while (!atomic_load(&sv->stopping)) {
        if (!atomic_load(&sv->ready)) {
            sleep_ms(100);
            continue;
        }
        if (atomic_exchange(&sv->strays, 0) && requeue_strays(sl) < 0) {
            atomic_store(&sv->strays, 1);
            sleep_ms(250);
            continue;
        }
        char id[QUEUE_ID_MAX + 1];
        int rc = queue_claim(sl->conn, sv->worker, sv->claim_ms, id);
        if (rc < 0) {
            if (rc == QUEUE_ERR_DOWN)
                atomic_store(&sv->strays, 1);
            sleep_ms(rc == QUEUE_ERR_DOWN ? 250 : 1000); /* the conn backs off its connects too */
            continue;
        }
        if (rc == 0) continue;
        set_busy(sl, id);
        run_job(sl, id);
        set_busy(sl, NULL);
    }
    return NULL;
}

/*** Heartbeat and reaper ***/

static void on_final(const char *id, int rc, long long seq, void *arg)
{
    (void)arg;
    if (rc == QUEUE_OK)
        gv_info("job %s: final published (seq %lld)", id, seq);
    else
        gv_warn("job %s: final not published: %s", id, queue_rc_name(rc));
}

/* Once, before the first heartbeat and before any slot claims: what an earlier process with our
 * name left in our processing list goes back to the queue (our fresh heartbeat would otherwise
 * keep it there forever). Retried until Redis answers. */
static int recover_own(struct serve *sv, struct queue_conn *c)
{
    long long back = 0, failed = 0;
    if (queue_recover(c, sv->worker, &back, &failed) != QUEUE_OK) return -1;
    if (back || failed)
        gv_warn("recovered %lld job(s) left by an earlier %s (%lld ended as JE)", back, sv->worker,
                failed);
    return 0;
}

static void heartbeat_once(struct serve *sv, struct queue_conn *c)
{
    static int recovered;
    if (!recovered && recover_own(sv, c) < 0) return;
    recovered = 1;
    pthread_mutex_lock(&sv->lock);
    int busy = sv->busy;
    pthread_mutex_unlock(&sv->lock);
    struct queue_worker_info info = {sv->host, sv->slots, busy, GAVEL_VERSION, sv->languages};
    int rc = queue_heartbeat(c, sv->worker, &info, sv->ttl_ms);
    if (rc != QUEUE_OK && rc != QUEUE_ERR_DOWN) gv_warn("heartbeat: %s", queue_rc_name(rc));
    if (rc == QUEUE_OK) atomic_store(&sv->ready, 1); /* recovered and alive: the slots may claim */
    long long back = 0, failed = 0;
    if (rc == QUEUE_OK && queue_reap(c, &back, &failed) == QUEUE_OK && (back || failed))
        gv_warn("reaper: %lld job(s) of dead workers back in the queue, %lld ended as JE", back,
                failed);
}

static void *heartbeat_main(void *arg)
{
    struct serve *sv = arg;
    struct queue_conn *c = queue_conn_new(sv->redis, 2000);
    int period = sv->ttl_ms / 3 > 0 ? sv->ttl_ms / 3 : 1;
    pthread_mutex_lock(&sv->lock);
    while (c && !atomic_load(&sv->hb_stop)) {
        pthread_mutex_unlock(&sv->lock);
        heartbeat_once(sv, c);
        pthread_mutex_lock(&sv->lock);
        /* Not recovered yet (Redis down at start): try again soon, the slots are waiting. */
        int wait = atomic_load(&sv->ready) ? period : (period < 250 ? period : 250);
        struct timespec ts;
        gv_wall_deadline(&ts, wait);
        if (!atomic_load(&sv->hb_stop)) pthread_cond_timedwait(&sv->wake, &sv->lock, &ts);
    }
    pthread_mutex_unlock(&sv->lock);
    queue_conn_free(c);
    return NULL;
}

/*** Setup ***/

static void usage(FILE *f)
{
    fprintf(f, "usage: gavel-judge serve --redis URL --problems DIR [--slots N] [--id NAME]\n"
               "                         [--heartbeat-ttl MS] [--grace MS] [--claim-timeout MS]\n"
               "                         [--cache DIR] [--sandbox-dir DIR]\n");
}

static int parse_args(struct serve *sv, int argc, char **argv)
{
    static const struct option opts[] = {{"redis", required_argument, NULL, 'r'},
                                         {"problems", required_argument, NULL, 'p'},
                                         {"slots", required_argument, NULL, 's'},
                                         {"id", required_argument, NULL, 'i'},
                                         {"heartbeat-ttl", required_argument, NULL, 't'},
                                         {"grace", required_argument, NULL, 'g'},
                                         {"claim-timeout", required_argument, NULL, 'c'},
                                         {"cache", required_argument, NULL, 'C'},
                                         {"sandbox-dir", required_argument, NULL, 'S'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    sv->ttl_ms = env_ms("GAVEL_HEARTBEAT_TTL_MS", SERVE_TTL_MS_DEFAULT);
    sv->grace_ms = env_ms("GAVEL_GRACE_MS", SERVE_GRACE_MS_DEFAULT);
    sv->claim_ms = env_ms("GAVEL_CLAIM_TIMEOUT_MS", SERVE_CLAIM_MS_DEFAULT);
    sv->cache_dir = getenv("GAVEL_CACHE_DIR");
    sv->sandbox_dir = getenv("GAVEL_SANDBOX_DIR");
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    sv->slots = cores > 0 ? (int)cores : 1;
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        char *end = NULL;
        long n = optarg ? strtol(optarg, &end, 10) : 0;
        int num_ok = optarg && *optarg && end && !*end && n > 0 && n < INT_MAX;
        switch (ch) {
        case 'r':
            sv->redis = optarg;
            break;
        case 'p':
            sv->problems = optarg;
            break;
        case 'i':
            if (!queue_id_valid(optarg)) {
                fprintf(stderr, "gavel-judge serve: --id: only [A-Za-z0-9._-], at most %d\n",
                        QUEUE_ID_MAX);
                return -1;
            }
            gv_strlcpy(sv->worker, optarg, sizeof sv->worker);
            break;
        case 's':
            if (!num_ok || n > SERVE_SLOTS_MAX) return -1;
            sv->slots = (int)n;
            break;
        case 't':
            if (!num_ok) return -1;
            sv->ttl_ms = (int)n;
            break;
        case 'g':
            if (!num_ok) return -1;
            sv->grace_ms = (int)n;
            break;
        case 'c':
            if (!num_ok) return -1;
            sv->claim_ms = (int)n;
            break;
        case 'C':
            sv->cache_dir = optarg;
            break;
        case 'S':
            sv->sandbox_dir = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            return -1;
        }
    }
    return sv->redis && sv->problems && optind == argc ? 0 : -1;
}

/* The heartbeat's languages: ids of the languages whose compiler is installed here. */
static void languages_json(struct serve *sv)
{
    const struct judge_langs *l = judge_engine_langs(sv->engine);
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < l->n; i++) {
        char why[256];
        if (judge_lang_available(&l->langs[i], why, sizeof why))
            cJSON_AddItemToArray(a, cJSON_CreateString(l->langs[i].id));
    }
    char *text = a ? cJSON_PrintUnformatted(a) : NULL;
    gv_strlcpy(sv->languages, text && strlen(text) < sizeof sv->languages ? text : "[]",
               sizeof sv->languages);
    free(text);
    cJSON_Delete(a);
}

static int setup(struct serve *sv)
{
    if (gethostname(sv->host, sizeof sv->host - 1) < 0)
        gv_strlcpy(sv->host, "unknown", sizeof sv->host);
    if (!sv->worker[0]) default_worker_name(sv->worker, sizeof sv->worker, sv->host);
    char err[JUDGE_ERR_MAX];
    struct judge_engine_config ec = {.n_boxes = (unsigned)sv->slots * 2,
                                     .cache_dir = sv->cache_dir,
                                     .sandbox_dir = sv->sandbox_dir};
    sv->engine = judge_engine_new(&ec, err, sizeof err);
    if (!sv->engine) {
        gv_error("engine: %s", err);
        return -1;
    }
    languages_json(sv);
    sv->outbox = queue_outbox_new(sv->redis, 0, on_final, sv);
    sv->slot = calloc((size_t)sv->slots, sizeof *sv->slot);
    if (!sv->outbox || !sv->slot) return -1;
    for (int i = 0; i < sv->slots; i++) {
        sv->slot[i].sv = sv;
        sv->slot[i].index = i;
        sv->slot[i].conn = queue_conn_new(sv->redis, 2000);
        if (!sv->slot[i].conn) return -1;
    }
    return 0;
}

/*** Shutdown ***/

/* Past the grace period: hands every running job back to the queue. */
static void hand_back(struct serve *sv)
{
    struct queue_conn *c = queue_conn_new(sv->redis, 2000);
    pthread_mutex_lock(&sv->lock);
    for (int i = 0; c && i < sv->slots; i++) {
        struct slot *sl = &sv->slot[i];
        if (!sl->busy || !sl->owner.worker[0]) continue;
        int rc = queue_release(c, &sl->owner, sl->id);
        gv_warn("job %s: handed back to the queue unfinished: %s", sl->id, queue_rc_name(rc));
    }
    pthread_mutex_unlock(&sv->lock);
    if (c) queue_heartbeat_clear(c, sv->worker);
    queue_conn_free(c);
}

/* Waits for a stop signal; then for the slots, at most the grace period. 1 when they finished. */
static int wait_for_stop(struct serve *sv, const sigset_t *sigs)
{
    /* Only a signal of the set ends the wait: -1/EINTR (another signal, a stop/continue, landing
     * on this thread) is not a request to stop. */
    siginfo_t si;
    int sig;
    while ((sig = sigwaitinfo(sigs, &si)) < 0) {
        if (errno != EINTR) {
            gv_error("serve: sigwaitinfo: %s; stopping", strerror(errno));
            break;
        }
        gv_debug("serve: sigwaitinfo interrupted by another signal; still waiting");
    }
    gv_info("signal %d: not claiming any more; finishing %d job(s) (grace %d ms)", sig, sv->busy,
            sv->grace_ms);
    atomic_store(&sv->stopping, 1);
    int64_t deadline = gv_now_ms() + sv->grace_ms;
    for (;;) {
        pthread_mutex_lock(&sv->lock);
        int busy = sv->busy;
        pthread_mutex_unlock(&sv->lock);
        if (busy == 0) return 1;
        if (gv_now_ms() >= deadline) return 0;
        struct timespec ts = {0, 100 * 1000000L};
        if (sigtimedwait(sigs, NULL, &ts) > 0) {
            gv_warn("second signal: handing running jobs back now");
            return 0;
        }
    }
}

int judge_serve_main(int argc, char **argv)
{
    static struct serve sv; /* large (the problem cache); one per process */
    if (parse_args(&sv, argc, argv) < 0) {
        usage(stderr);
        return 2;
    }
    pthread_mutex_init(&sv.lock, NULL);
    pthread_cond_init(&sv.wake, NULL);
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    /* Every thread made from here on inherits the mask. */
    int rc = pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    if (rc != 0 || signal(SIGPIPE, SIG_IGN) == SIG_ERR) {
        gv_error("serve: blocking SIGTERM/SIGINT, ignoring SIGPIPE: %s", strerror(rc ? rc : errno));
        return 2;
    }
    if (setup(&sv) < 0) {
        gv_error("serve: setup failed");
        return 2;
    }
    for (int i = 0; i < sv.slots; i++)
        if ((rc = pthread_create(&sv.slot[i].thread, NULL, slot_main, &sv.slot[i])) != 0) {
            gv_error("serve: cannot start slot %d: %s", i, strerror(rc));
            _exit(2);
        }
    if ((rc = pthread_create(&sv.heartbeat, NULL, heartbeat_main, &sv)) != 0) {
        gv_error("serve: cannot start the heartbeat thread: %s", strerror(rc));
        _exit(2);
    }
    gv_info("worker %s: %d slot(s), redis %s, problems %s, heartbeat ttl %d ms, languages %s",
            sv.worker, sv.slots, sv.redis, sv.problems, sv.ttl_ms, sv.languages);
    if (!wait_for_stop(&sv, &sigs)) {
        atomic_store(&sv.hb_stop, 1); /* no heartbeat after hand_back removed it */
        hand_back(&sv);
        gv_info("worker %s: exiting with jobs handed back", sv.worker);
        _exit(0); /* the slots are still inside the engine: no orderly teardown possible */
    }
    for (int i = 0; i < sv.slots; i++)
        pthread_join(sv.slot[i].thread, NULL);
    if (queue_outbox_drain(sv.outbox, SERVE_DRAIN_MS) < 0)
        gv_warn("serve: Redis did not take every event in %d ms; the jobs will be reaped",
                SERVE_DRAIN_MS);
    pthread_mutex_lock(&sv.lock);
    atomic_store(&sv.hb_stop, 1);
    pthread_cond_signal(&sv.wake);
    pthread_mutex_unlock(&sv.lock);
    pthread_join(sv.heartbeat, NULL);
    struct queue_conn *c = queue_conn_new(sv.redis, 2000);
    if (c) queue_heartbeat_clear(c, sv.worker);
    queue_conn_free(c);
    queue_outbox_free(sv.outbox);
    for (int i = 0; i < sv.slots; i++)
        queue_conn_free(sv.slot[i].conn);
    free(sv.slot);
    for (int i = 0; i < sv.n_problems; i++)
        judge_problem_free(sv.problem[i].p);
    judge_engine_free(sv.engine);
    gv_info("worker %s: stopped cleanly", sv.worker);
    return 0;
}
