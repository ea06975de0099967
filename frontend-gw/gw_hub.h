/*
 * gw_hub.h - who watches which submission, and the join of snapshots with the live event stream.
 *
 * The hub knows nothing of sockets or Redis: it is driven by calls (a client subscribes, an event
 * arrives, a snapshot arrives) and answers through two callbacks (send a text to a client, fetch
 * a snapshot of a submission). That keeps the no-gap / no-duplicate logic testable on its own.
 *
 * Guarantee per subscription: the client first gets a snapshot (or, for a finished submission,
 * its final), then every event with a higher seq, in order, each once; a final is sent at most
 * once. A gap in seq (an event lost while Redis was away) triggers a fresh snapshot.
 */
#ifndef GAVEL_GW_HUB_H
#define GAVEL_GW_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "queue.h"

#define GW_HUB_SUBS_PER_CLIENT 64  /* subscriptions one WebSocket client may hold */
#define GW_HUB_PENDING_MAX     64  /* live events buffered per submission while a snapshot is
                                      on its way; past this the snapshot is fetched again */

struct gw_hub;
struct gw_sub;

/* Embedded in each connection; the hub links the connection's subscriptions here. */
struct gw_hub_client {
    struct gw_sub *subs;
    int n_subs;
};

struct gw_hub_ops {
    /* Send one text message to a client. A failure is the connection's business (it closes
     * itself later); the hub never frees a client from inside a callback. */
    void (*send)(struct gw_hub_client *c, const char *text, size_t len, void *arg);
    /* Start fetching the snapshot of submission id; the answer comes back through
     * gw_hub_snapshot() or gw_hub_snapshot_failed(). Return 0, or -1 when it cannot start now
     * (Redis down: gw_hub_resync_all() will retry). */
    int (*fetch)(const char *id, void *arg);
    void *arg;
};

struct gw_hub_stats {
    uint64_t delivered; /* messages handed to clients (snapshots and events) */
    uint64_t finals;    /* finals handed to clients */
    uint64_t topics;    /* submissions watched right now */
    uint64_t subs;      /* subscriptions right now */
};

struct gw_hub *gw_hub_new(const struct gw_hub_ops *ops);
void gw_hub_free(struct gw_hub *h);

/* Client c watches id. 0; -1 when c already holds GW_HUB_SUBS_PER_CLIENT subscriptions or on
 * allocation failure. Subscribing again to the same id asks for a fresh snapshot. */
int gw_hub_subscribe(struct gw_hub *h, struct gw_hub_client *c, const char *id);
/* Client c stops watching id (nothing when it did not). */
void gw_hub_unsubscribe(struct gw_hub *h, struct gw_hub_client *c, const char *id);
/* Client c is gone: drops all its subscriptions. */
void gw_hub_client_gone(struct gw_hub *h, struct gw_hub_client *c);

/* A live event from gavel:events (json is the message to forward, final when type is final). */
void gw_hub_event(struct gw_hub *h, const char *id, long long seq, int final, const char *json,
                  size_t len);
/* The snapshot of id at seq (json: queue_snapshot_json's text; final when it is the final). */
void gw_hub_snapshot(struct gw_hub *h, const char *id, long long seq, int final, const char *json,
                     size_t len);
/* The fetch of id failed: not_found 1 -> every subscriber gets an error and is dropped;
 * else the subscribers wait for gw_hub_resync_all(). */
void gw_hub_snapshot_failed(struct gw_hub *h, const char *id, int not_found);
/* The event stream was interrupted (Redis reconnected): fetch every snapshot again. */
void gw_hub_resync_all(struct gw_hub *h);

void gw_hub_get_stats(const struct gw_hub *h, struct gw_hub_stats *out);

#endif
