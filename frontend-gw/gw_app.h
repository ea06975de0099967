/*
 * gw_app.h - the gateway's parts and settings, shared by its libevent glue (gw_http.c, gw_live.c,
 * main.c). Not a library API: one struct gw_app per process.
 */
#ifndef GAVEL_GW_APP_H
#define GAVEL_GW_APP_H

#include <stddef.h>
#include <stdint.h>

#include "gw_catalog.h"
#include "gw_hub.h"
#include "gw_listen.h"
#include "gw_metrics.h"
#include "gw_rate.h"
#include "ws_conn.h"

#define GW_SOURCE_MAX_DEFAULT  (64 * 1024) /* largest source accepted (413 above) */
#define GW_BODY_SLACK          (16 * 1024) /* JSON around the source */
#define GW_HEADERS_MAX         (16 * 1024) /* request head cap handed to evhttp */
#define GW_HTTP_TIMEOUT_S      15          /* evhttp read/write timeout against slow clients */
#define GW_QUEUE_MAX_DEFAULT   10000       /* 503 when gavel:queue is longer */
#define GW_RATE_PER_SEC        5.0         /* POSTs per second per client address... */
#define GW_RATE_BURST          20.0        /* ...with this burst */
#define GW_POLL_MS             500         /* queue length / workers refresh */
#define GW_RETRY_AFTER_S       2           /* Retry-After on 503 */
#define GW_STATIC_FILE_MAX     (64 << 20)  /* largest static file served */

struct event_base;
struct evhttp;
struct queue_async;

struct gw_config {
    const char *listen;
    const char *redis_url;
    const char *problems_dir;
    const char *languages;
    const char *web_dir;
    size_t source_max;
    long long queue_max;
    double rate_per_sec, rate_burst;
    int max_conns;
    int http_timeout_s;
    int ping_interval_ms, pong_timeout_ms;
    size_t ws_out_max;
    const char *origins[WS_HS_ORIGINS_MAX];
    size_t n_origins;
};

struct gw_app {
    struct gw_config cfg;
    struct event_base *base;
    struct evhttp *http;
    struct ws_server *ws;
    struct gw_listen *listen;
    struct gw_hub *hub;
    struct queue_async *queue;
    struct gw_catalog *catalog;
    struct gw_rate rate;
    struct gw_metrics metrics;
    struct event *poll;
    int web_fd;             /* the --web folder, -1 when none */
    long long queue_length; /* last known, -1 unknown */
    long long workers;      /* last known, -1 unknown */
    uint64_t events_in;
};

/* Sets up the HTTP routes on app->http (gw_http.c). 0 or -1. */
int gw_http_init(struct gw_app *app);
/* The WebSocket and hub callbacks (gw_live.c): ws server ops, hub ops, queue event hooks. */
extern const struct ws_server_ops *gw_live_ws_ops(struct gw_app *app, struct ws_server_ops *ops);
void gw_live_hub_ops(struct gw_app *app, struct gw_hub_ops *ops);
void gw_live_on_event(const struct queue_event *ev, void *arg);
void gw_live_on_resubscribed(int first, void *arg);

#endif
