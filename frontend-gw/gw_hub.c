/*
 * gw_hub.c - per-submission subscriber lists and the snapshot/live join.
 *
 * Theory of operation. A topic is one watched submission: its id, the list of subscriptions, a
 * "fetch in flight" flag and a small buffer of live events that arrived while a snapshot was on
 * its way. A subscription links one client to one topic and remembers the last seq that client
 * got (-1: nothing yet) and whether it waits for a snapshot.
 *
 * Subscribing marks the subscription waiting and fetches the topic's snapshot (one fetch per
 * topic, however many wait). Live events go straight to subscriptions that are live, when their
 * seq is exactly last + 1; a lower seq is a duplicate and dropped; a higher one is a gap, so that
 * subscription waits again and the snapshot is fetched again. While any subscription waits, the
 * topic also keeps the live events (up to GW_HUB_PENDING_MAX). When the snapshot (seq S) comes,
 * each waiting subscription gets it if S > last, then the buffered events above S in order.
 * Because the subscription to gavel:events is in place before any fetch is sent, every event
 * after S is either in the buffer or still to come: no gap; the seq test removes duplicates.
 *
 * Topics live in a chained hash table that doubles when it gets full; a topic is freed when its
 * last subscriber leaves and no fetch is in flight (the fetch's answer finds no topic and is
 * dropped, which is fine).
 */
#include "gw_hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gv.h"

#define HUB_BUCKETS_MIN  256
#define GW_HUB_ERROR_MAX 256 /* the not_found error message */

struct pending_event {
    long long seq;
    int final;
    char *json;
    size_t len;
};

struct gw_topic {
    char id[QUEUE_ID_MAX + 1];
    struct gw_topic *next_in_bucket;
    struct gw_sub *subs; /* linked through gw_sub.next_in_topic */
    int fetching;        /* a fetch is in flight */
    int refetch;         /* ask again when it answers (a gap was seen meanwhile) */
    struct pending_event pending[GW_HUB_PENDING_MAX];
    int n_pending;
    int overflow; /* pending was full: the snapshot must be fetched again */
};

struct gw_sub {
    struct gw_topic *topic;
    struct gw_hub_client *client;
    struct gw_sub *next_in_topic, *prev_in_topic;
    struct gw_sub *next_in_client, *prev_in_client;
    long long last_seq;
    int waiting;
    int final_sent;
};

struct gw_hub {
    struct gw_hub_ops ops;
    struct gw_topic **buckets;
    size_t n_buckets, n_topics, n_subs;
    uint64_t delivered, finals;
};

/*** The topic table ***/

static size_t hash_id(const char *id)
{
    size_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 1099511628211ull;
    return h;
}

static struct gw_topic *topic_find(const struct gw_hub *h, const char *id)
{
    struct gw_topic *t = h->buckets[hash_id(id) & (h->n_buckets - 1)];
    while (t && strcmp(t->id, id) != 0)
        t = t->next_in_bucket;
    return t;
}

static void table_grow(struct gw_hub *h)
{
    size_t n = h->n_buckets * 2;
    struct gw_topic **b = calloc(n, sizeof *b);
    if (!b)
        return; /* keep the old, fuller table: still correct */
    for (size_t i = 0; i < h->n_buckets; i++) {
        struct gw_topic *t = h->buckets[i];
        while (t) {
            struct gw_topic *next = t->next_in_bucket;
            size_t j = hash_id(t->id) & (n - 1);
            t->next_in_bucket = b[j];
            b[j] = t;
            t = next;
        }
    }
    free(h->buckets);
    h->buckets = b;
    h->n_buckets = n;
}

static struct gw_topic *topic_get(struct gw_hub *h, const char *id)
{
    struct gw_topic *t = topic_find(h, id);
    if (t)
        return t;
    if (h->n_topics >= h->n_buckets)
        table_grow(h);
    t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    gv_strlcpy(t->id, id, sizeof t->id);
    size_t j = hash_id(id) & (h->n_buckets - 1);
    t->next_in_bucket = h->buckets[j];
    h->buckets[j] = t;
    h->n_topics++;
    return t;
}

static void pending_clear(struct gw_topic *t)
{
    for (int i = 0; i < t->n_pending; i++)
        free(t->pending[i].json);
    t->n_pending = 0;
    t->overflow = 0;
}

static void topic_release(struct gw_hub *h, struct gw_topic *t)
{
    if (t->subs || t->fetching)
        return;
    struct gw_topic **pp = &h->buckets[hash_id(t->id) & (h->n_buckets - 1)];
    while (*pp != t)
        pp = &(*pp)->next_in_bucket;
    *pp = t->next_in_bucket;
    pending_clear(t);
    free(t);
    h->n_topics--;
}

/*** Delivery ***/

static void deliver(struct gw_hub *h, struct gw_sub *s, long long seq, int final, const char *json,
                    size_t len)
{
    if (s->final_sent)
        return;
    s->last_seq = seq;
    s->final_sent = final;
    h->delivered++;
    h->finals += final != 0;
    h->ops.send(s->client, json, len, h->ops.arg);
}

static void topic_fetch(struct gw_hub *h, struct gw_topic *t)
{
    if (t->fetching) {
        t->refetch = 1;
        return;
    }
    if (h->ops.fetch(t->id, h->ops.arg) == 0)
        t->fetching = 1;
}

static int topic_has_waiting(const struct gw_topic *t)
{
    for (const struct gw_sub *s = t->subs; s; s = s->next_in_topic)
        if (s->waiting)
            return 1;
    return 0;
}

static void pending_add(struct gw_topic *t, long long seq, int final, const char *json, size_t len)
{
    if (t->n_pending >= GW_HUB_PENDING_MAX) {
        t->overflow = 1;
        return;
    }
    char *copy = malloc(len + 1);
    if (!copy) {
        t->overflow = 1;
        return;
    }
    memcpy(copy, json, len);
    copy[len] = '\0';
    t->pending[t->n_pending++] = (struct pending_event){seq, final, copy, len};
}

/*** Subscriptions ***/

static struct gw_sub *client_find(struct gw_hub_client *c, const char *id)
{
    for (struct gw_sub *s = c->subs; s; s = s->next_in_client)
        if (strcmp(s->topic->id, id) == 0)
            return s;
    return NULL;
}

int gw_hub_subscribe(struct gw_hub *h, struct gw_hub_client *c, const char *id)
{
    struct gw_sub *s = client_find(c, id);
    if (!s) {
        if (c->n_subs >= GW_HUB_SUBS_PER_CLIENT)
            return -1;
        struct gw_topic *t = topic_get(h, id);
        if (!t)
            return -1;
        s = calloc(1, sizeof *s);
        if (!s) {
            topic_release(h, t);
            return -1;
        }
        s->topic = t;
        s->client = c;
        s->last_seq = -1;
        s->next_in_topic = t->subs;
        if (t->subs)
            t->subs->prev_in_topic = s;
        t->subs = s;
        s->next_in_client = c->subs;
        if (c->subs)
            c->subs->prev_in_client = s;
        c->subs = s;
        c->n_subs++;
        h->n_subs++;
    }
    /* A repeated subscribe is a request for the current state: send it even when it is not new. */
    s->last_seq = -1;
    s->final_sent = 0;
    s->waiting = 1;
    topic_fetch(h, s->topic);
    return 0;
}

static void sub_unlink(struct gw_hub *h, struct gw_sub *s)
{
    struct gw_topic *t = s->topic;
    struct gw_hub_client *c = s->client;
    if (s->prev_in_topic)
        s->prev_in_topic->next_in_topic = s->next_in_topic;
    else
        t->subs = s->next_in_topic;
    if (s->next_in_topic)
        s->next_in_topic->prev_in_topic = s->prev_in_topic;
    if (s->prev_in_client)
        s->prev_in_client->next_in_client = s->next_in_client;
    else
        c->subs = s->next_in_client;
    if (s->next_in_client)
        s->next_in_client->prev_in_client = s->prev_in_client;
    c->n_subs--;
    h->n_subs--;
    free(s);
    topic_release(h, t);
}

void gw_hub_unsubscribe(struct gw_hub *h, struct gw_hub_client *c, const char *id)
{
    struct gw_sub *s = client_find(c, id);
    if (s)
        sub_unlink(h, s);
}

void gw_hub_client_gone(struct gw_hub *h, struct gw_hub_client *c)
{
    while (c->subs)
        sub_unlink(h, c->subs);
}

/*** Events and snapshots ***/

void gw_hub_event(struct gw_hub *h, const char *id, long long seq, int final, const char *json,
                  size_t len)
{
    struct gw_topic *t = topic_find(h, id);
    if (!t)
        return;
    int gap = 0;
    for (struct gw_sub *s = t->subs; s; s = s->next_in_topic) {
        if (s->waiting || seq <= s->last_seq)
            continue;
        if (seq == s->last_seq + 1 || final) {
            deliver(h, s, seq, final, json, len);
        } else {
            s->waiting = 1;
            gap = 1;
        }
    }
    if (topic_has_waiting(t))
        pending_add(t, seq, final, json, len);
    if (gap)
        topic_fetch(h, t);
}

/* One waiting subscription catches up: the snapshot if it is news, then buffered events. */
static void catch_up(struct gw_hub *h, struct gw_topic *t, struct gw_sub *s, long long seq,
                     int final, const char *json, size_t len)
{
    s->waiting = 0;
    if (seq > s->last_seq)
        deliver(h, s, seq, final, json, len);
    for (int i = 0; i < t->n_pending; i++) {
        struct pending_event *e = &t->pending[i];
        if (e->seq == s->last_seq + 1 || (e->final && e->seq > s->last_seq))
            deliver(h, s, e->seq, e->final, e->json, e->len);
    }
}

void gw_hub_snapshot(struct gw_hub *h, const char *id, long long seq, int final, const char *json,
                     size_t len)
{
    struct gw_topic *t = topic_find(h, id);
    if (!t)
        return;
    t->fetching = 0;
    int again = t->refetch || t->overflow;
    t->refetch = 0;
    for (struct gw_sub *s = t->subs; s; s = s->next_in_topic)
        if (s->waiting)
            catch_up(h, t, s, seq, final, json, len);
    pending_clear(t);
    if (again && !final) {
        for (struct gw_sub *s = t->subs; s; s = s->next_in_topic)
            s->waiting = !s->final_sent;
        topic_fetch(h, t);
    }
    topic_release(h, t);
}

void gw_hub_snapshot_failed(struct gw_hub *h, const char *id, int not_found)
{
    struct gw_topic *t = topic_find(h, id);
    if (!t)
        return;
    t->fetching = 0;
    t->refetch = 0;
    if (!not_found)
        return; /* subscribers keep waiting; gw_hub_resync_all() asks again */
    char msg[GW_HUB_ERROR_MAX];
    int n = snprintf(msg, sizeof msg,
                     "{\"type\":\"error\",\"code\":\"not_found\",\"submission\":\"%s\","
                     "\"message\":\"no such submission\"}",
                     t->id);
    while (t->subs) {
        struct gw_sub *s = t->subs;
        if (n > 0 && (size_t)n < sizeof msg)
            h->ops.send(s->client, msg, (size_t)n, h->ops.arg);
        sub_unlink(h, s); /* frees t with the last one */
        if (!topic_find(h, id))
            return;
    }
}

void gw_hub_resync_all(struct gw_hub *h)
{
    for (size_t i = 0; i < h->n_buckets; i++)
        for (struct gw_topic *t = h->buckets[i]; t; t = t->next_in_bucket) {
            int any = 0;
            for (struct gw_sub *s = t->subs; s; s = s->next_in_topic) {
                s->waiting = !s->final_sent;
                any |= s->waiting;
            }
            t->fetching = 0; /* answers of the old link never come */
            if (any)
                topic_fetch(h, t);
        }
}

/*** Life ***/

struct gw_hub *gw_hub_new(const struct gw_hub_ops *ops)
{
    struct gw_hub *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->ops = *ops;
    h->n_buckets = HUB_BUCKETS_MIN;
    h->buckets = calloc(h->n_buckets, sizeof *h->buckets);
    if (!h->buckets) {
        free(h);
        return NULL;
    }
    return h;
}

void gw_hub_free(struct gw_hub *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n_buckets; i++) {
        struct gw_topic *t = h->buckets[i];
        while (t) {
            struct gw_topic *next = t->next_in_bucket;
            while (t->subs) {
                struct gw_sub *s = t->subs;
                t->subs = s->next_in_topic;
                s->client->subs = NULL;
                s->client->n_subs = 0;
                free(s);
            }
            pending_clear(t);
            free(t);
            t = next;
        }
    }
    free(h->buckets);
    free(h);
}

void gw_hub_get_stats(const struct gw_hub *h, struct gw_hub_stats *out)
{
    out->delivered = h->delivered;
    out->finals = h->finals;
    out->topics = h->n_topics;
    out->subs = h->n_subs;
}
