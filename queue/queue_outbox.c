/*
 * queue_outbox.c - ordered, coalesced, retried delivery of a worker's events.
 *
 * The outbox is a FIFO of entries under one mutex. Judging threads append; the publisher thread
 * walks the FIFO from the head and sends each entry that is ready:
 *   - status and final entries are ready at once;
 *   - a tests entry gathers every test of its submission put while it waits, and is ready when
 *     its window has passed (created + window_ms) or when a later entry of the same submission
 *     exists (the final flushes the tests before it).
 * An entry of a submission is never sent while an earlier entry of the same submission is still
 * waiting, so each submission's events keep their order; different submissions do not wait for
 * each other. The entry being sent stays at its place, marked in flight (so no test is appended to
 * it meanwhile), and is removed only when Redis answered: sent, or refused (then every later entry
 * of that submission is dropped too: the job is not ours any more). When Redis is down the
 * publisher sleeps with a growing backoff (QUEUE_OUTBOX_RETRY_MIN_MS .. MAX) and tries again;
 * nothing is lost while the process lives.
 *
 * The publisher sleeps on a condition variable until something is put or the earliest tests
 * window ends, so an idle outbox costs nothing.
 */
#include "queue_outbox.h"

#include "queue_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QUEUE_OUTBOX_RETRY_MIN_MS 100
#define QUEUE_OUTBOX_RETRY_MAX_MS 2000
#define QUEUE_OUTBOX_TESTS_MAX    (QUEUE_RESULT_MAX / 2) /* test items in one entry */

enum entry_kind { ENTRY_STATUS, ENTRY_TESTS, ENTRY_FINAL };

struct entry {
    struct entry *next;
    enum entry_kind kind;
    char id[QUEUE_ID_MAX + 1];
    struct queue_owner owner;
    int has_owner;
    char word[16];       /* status, or verdict */
    struct gv_buf items; /* tests: items; final: the result JSON */
    long long total;
    int64_t ready_ms; /* tests: when the window ends */
    int in_flight;
    int fallback; /* final: already replaced by a plain JE once */
};

struct queue_outbox {
    pthread_mutex_t lock;
    pthread_cond_t wake;    /* publisher: something changed */
    pthread_cond_t drained; /* drain(): the FIFO got shorter */
    pthread_t thread;
    struct entry *head, *tail;
    size_t count;
    int stop;
    int window_ms;
    char *url;
    queue_final_cb on_final;
    void *arg;
};

/*** The FIFO ***/

static void entry_free(struct entry *e)
{
    gv_buf_free(&e->items);
    free(e);
}

static struct entry *entry_new(enum entry_kind kind, const struct queue_owner *owner,
                               const char *id)
{
    if (!queue_id_valid(id)) return NULL;
    struct entry *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->kind = kind;
    gv_strlcpy(e->id, id, sizeof e->id);
    if (owner) {
        e->owner = *owner;
        e->has_owner = 1;
    }
    gv_buf_init(&e->items, kind == ENTRY_TESTS ? QUEUE_OUTBOX_TESTS_MAX : QUEUE_RESULT_MAX);
    return e;
}

static void append(struct queue_outbox *o, struct entry *e)
{
    if (o->tail)
        o->tail->next = e;
    else
        o->head = e;
    o->tail = e;
    o->count++;
    pthread_cond_signal(&o->wake);
}

/* Unlinks e (prev is the entry before it, or NULL). */
static void unlink_entry(struct queue_outbox *o, struct entry *prev, struct entry *e)
{
    if (prev)
        prev->next = e->next;
    else
        o->head = e->next;
    if (o->tail == e) o->tail = prev;
    o->count--;
    pthread_cond_broadcast(&o->drained);
}

static struct entry *last_of(struct queue_outbox *o, const char *id)
{
    struct entry *found = NULL;
    for (struct entry *e = o->head; e; e = e->next)
        if (strcmp(e->id, id) == 0) found = e;
    return found;
}

static int later_exists(const struct entry *e)
{
    for (const struct entry *l = e->next; l; l = l->next)
        if (strcmp(l->id, e->id) == 0) return 1;
    return 0;
}

/* True when an entry before `e` belongs to the same submission. */
static int earlier_exists(const struct queue_outbox *o, const struct entry *e)
{
    for (const struct entry *x = o->head; x && x != e; x = x->next)
        if (strcmp(x->id, e->id) == 0) return 1;
    return 0;
}

/* The first entry that can be sent now, or NULL; *wait_ms gets how long until the earliest
 * tests window ends (-1: nothing waits on time). */
static struct entry *next_ready(struct queue_outbox *o, int64_t now, int64_t *wait_ms)
{
    *wait_ms = -1;
    for (struct entry *e = o->head; e; e = e->next) {
        if (e->in_flight || earlier_exists(o, e)) continue;
        if (e->kind != ENTRY_TESTS || now >= e->ready_ms || later_exists(e)) return e;
        int64_t left = e->ready_ms - now;
        if (*wait_ms < 0 || left < *wait_ms) *wait_ms = left;
    }
    return NULL;
}

/*** Putting ***/

int queue_outbox_status(struct queue_outbox *o, const struct queue_owner *owner, const char *id,
                        const char *status)
{
    struct entry *e = entry_new(ENTRY_STATUS, owner, id);
    if (!e) return -1;
    gv_strlcpy(e->word, status, sizeof e->word);
    pthread_mutex_lock(&o->lock);
    append(o, e);
    pthread_mutex_unlock(&o->lock);
    return 0;
}

int queue_outbox_test(struct queue_outbox *o, const struct queue_owner *owner, const char *id,
                      long long total, const char *test)
{
    size_t len = strlen(test);
    pthread_mutex_lock(&o->lock);
    struct entry *e = last_of(o, id);
    int fits = e && e->kind == ENTRY_TESTS && !e->in_flight &&
               e->items.len + len + 1 < QUEUE_OUTBOX_TESTS_MAX;
    if (!fits) {
        e = entry_new(ENTRY_TESTS, owner, id);
        if (!e) {
            pthread_mutex_unlock(&o->lock);
            return -1;
        }
        e->ready_ms = gv_now_ms() + o->window_ms;
        append(o, e);
    }
    int rc = (e->items.len ? gv_buf_append(&e->items, ",", 1) : 0) == 0 &&
                     gv_buf_append(&e->items, test, len) == 0
                 ? 0
                 : -1;
    e->total = total;
    pthread_mutex_unlock(&o->lock);
    return rc;
}

int queue_outbox_final(struct queue_outbox *o, const struct queue_owner *owner, const char *id,
                       const char *verdict, const char *result)
{
    struct entry *e = entry_new(ENTRY_FINAL, owner, id);
    if (!e) return -1;
    gv_strlcpy(e->word, verdict, sizeof e->word);
    if (gv_buf_append(&e->items, result, strlen(result)) < 0) {
        entry_free(e);
        return -1;
    }
    pthread_mutex_lock(&o->lock);
    append(o, e);
    pthread_mutex_unlock(&o->lock);
    return 0;
}

/*** The publisher ***/

static int send_entry(struct queue_conn *c, const struct entry *e, long long *seq)
{
    const struct queue_owner *owner = e->has_owner ? &e->owner : NULL;
    switch (e->kind) {
    case ENTRY_STATUS:
        return queue_publish_status(c, owner, e->id, e->word, seq);
    case ENTRY_TESTS:
        return queue_publish_tests(c, owner, e->id, e->total, e->items.data, seq);
    case ENTRY_FINAL:
        return queue_publish_final(c, owner, e->id, e->word, e->items.data, seq);
    }
    return QUEUE_ERR_INVALID;
}

static void wait_ms(struct queue_outbox *o, int64_t ms)
{
    struct timespec ts;
    gv_wall_deadline(&ts, ms);
    pthread_cond_timedwait(&o->wake, &o->lock, &ts);
}

/* Removes e and, when it was refused, the rest of its submission's entries. Lock held. */
static void settle(struct queue_outbox *o, struct entry *e, int rc)
{
    char id[QUEUE_ID_MAX + 1];
    gv_strlcpy(id, e->id, sizeof id);
    struct entry *prev = NULL, *x = o->head;
    while (x) {
        struct entry *next = x->next;
        int drop = x == e || (rc != QUEUE_OK && strcmp(x->id, id) == 0 && !x->in_flight);
        if (drop) {
            if (x != e && x->kind == ENTRY_FINAL && o->on_final)
                o->on_final(x->id, QUEUE_ERR_REFUSED, 0, o->arg);
            unlink_entry(o, prev, x);
            entry_free(x);
        } else {
            prev = x;
        }
        x = next;
    }
}

/* A final Redis would not take (too large, not JSON, a script error) must still end the job, or
 * it would stay in our processing list for as long as we live: it becomes a plain JE. */
static int final_fallback(struct entry *e, int rc)
{
    gv_error("queue: final of %s not accepted (%s): replaced by a JE", e->id, queue_rc_name(rc));
    e->fallback = 1;
    gv_strlcpy(e->word, "JE", sizeof e->word);
    gv_buf_reset(&e->items);
    return gv_buf_printf(&e->items,
                         "{\"status\":\"done\",\"verdict\":\"JE\",\"score\":null,"
                         "\"time_ms\":0,\"memory_kib\":0,\"compile_output\":\"\","
                         "\"message\":\"the result could not be stored (%s)\",\"tests\":[]}",
                         queue_rc_name(rc));
}

static const char *kind_name(enum entry_kind k)
{
    static const char *const names[] = {"status", "tests", "final"};
    return names[k];
}

static void *publisher(void *arg)
{
    struct queue_outbox *o = arg;
    struct queue_conn *c = queue_conn_new(o->url, 5000);
    int retry_ms = QUEUE_OUTBOX_RETRY_MIN_MS;
    pthread_mutex_lock(&o->lock);
    while (!o->stop) {
        int64_t idle_ms;
        struct entry *e = next_ready(o, gv_now_ms(), &idle_ms);
        if (!e || !c) {
            wait_ms(o, idle_ms < 0 ? 1000 : idle_ms);
            continue;
        }
        e->in_flight = 1;
        pthread_mutex_unlock(&o->lock);
        long long seq = 0;
        int rc = send_entry(c, e, &seq);
        pthread_mutex_lock(&o->lock);
        e->in_flight = 0;
        if (rc == QUEUE_ERR_DOWN) {
            wait_ms(o, retry_ms);
            retry_ms =
                retry_ms * 2 > QUEUE_OUTBOX_RETRY_MAX_MS ? QUEUE_OUTBOX_RETRY_MAX_MS : retry_ms * 2;
            continue;
        }
        retry_ms = QUEUE_OUTBOX_RETRY_MIN_MS;
        if (e->kind == ENTRY_FINAL && (rc == QUEUE_ERR_INVALID || rc == QUEUE_ERR_REDIS) &&
            !e->fallback && final_fallback(e, rc) == 0)
            continue; /* sent again at once, as a plain JE */
        if (rc != QUEUE_OK)
            gv_warn("queue: %s event of %s dropped: %s", kind_name(e->kind), e->id,
                    queue_rc_name(rc));
        if (e->kind == ENTRY_FINAL && o->on_final) {
            pthread_mutex_unlock(&o->lock);
            o->on_final(e->id, rc, seq, o->arg);
            pthread_mutex_lock(&o->lock);
        }
        settle(o, e, rc);
    }
    pthread_mutex_unlock(&o->lock);
    queue_conn_free(c);
    return NULL;
}

/*** Life ***/

struct queue_outbox *queue_outbox_new(const char *redis_url, int window_ms, queue_final_cb on_final,
                                      void *arg)
{
    struct queue_url check;
    if (queue_url_parse(redis_url, &check) < 0) return NULL;
    struct queue_outbox *o = calloc(1, sizeof *o);
    if (!o) return NULL;
    o->url = strdup(redis_url);
    o->window_ms = window_ms > 0 ? window_ms : QUEUE_OUTBOX_WINDOW_MS;
    o->on_final = on_final;
    o->arg = arg;
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->wake, NULL);
    pthread_cond_init(&o->drained, NULL);
    int err = o->url ? pthread_create(&o->thread, NULL, publisher, o) : ENOMEM;
    if (err) {
        gv_error("queue: outbox thread: %s", strerror(err));
        free(o->url);
        free(o);
        return NULL;
    }
    return o;
}

void queue_outbox_free(struct queue_outbox *o)
{
    if (!o) return;
    pthread_mutex_lock(&o->lock);
    o->stop = 1;
    pthread_cond_signal(&o->wake);
    pthread_mutex_unlock(&o->lock);
    pthread_join(o->thread, NULL);
    while (o->head) {
        struct entry *e = o->head;
        gv_warn("queue: %s event of %s never sent (shutting down)", kind_name(e->kind), e->id);
        o->head = e->next;
        entry_free(e);
    }
    pthread_cond_destroy(&o->wake);
    pthread_cond_destroy(&o->drained);
    pthread_mutex_destroy(&o->lock);
    free(o->url);
    free(o);
}

int queue_outbox_drain(struct queue_outbox *o, int timeout_ms)
{
    int64_t deadline = gv_now_ms() + timeout_ms;
    pthread_mutex_lock(&o->lock);
    while (o->head && gv_now_ms() < deadline) {
        int64_t left = deadline - gv_now_ms();
        struct timespec ts;
        gv_wall_deadline(&ts, left);
        pthread_cond_timedwait(&o->drained, &o->lock, &ts);
    }
    int rc = o->head ? -1 : 0;
    pthread_mutex_unlock(&o->lock);
    return rc;
}

size_t queue_outbox_pending(struct queue_outbox *o)
{
    pthread_mutex_lock(&o->lock);
    size_t n = o->count;
    pthread_mutex_unlock(&o->lock);
    return n;
}
