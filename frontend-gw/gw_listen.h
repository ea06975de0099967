/*
 * gw_listen.h - the gateway's listening socket, its connection cap, and the WebSocket takeover.
 *
 * evhttp owns the listening socket and parses every request. A GET /ws request is turned back
 * into bytes and judged by the pure ws_handshake_parse(); a refusal is answered through evhttp,
 * an acceptance takes the connection's bufferevent over (ws_conn_adopt) and evhttp never touches
 * it again. See gw_listen.c for why, and docs/gateway.md.
 */
#ifndef GAVEL_GW_LISTEN_H
#define GAVEL_GW_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "ws_handshake.h"

#define GW_CONN_MAX_DEFAULT 20000 /* connections of all kinds at once */
#define GW_FD_SCAN_MS       250   /* how often open descriptors are counted for the cap */

struct event_base;
struct evhttp;
struct evhttp_request;
struct ws_server;
struct gw_listen;

struct gw_listen_config {
    const char *addr; /* "HOST:PORT"; port 0 picks a free one */
    int max_conns;    /* 0 -> GW_CONN_MAX_DEFAULT */
    struct ws_hs_config hs;
};

struct gw_listen_stats {
    uint64_t paused;        /* times accepting was paused at the cap */
    uint64_t ws_refused;    /* handshakes refused */
    uint64_t open_estimate; /* descriptors open for connections, last count */
};

/* Binds HOST:PORT for http and installs the connection cap. NULL (logged) on failure. */
struct gw_listen *gw_listen_new(struct event_base *base, struct evhttp *http,
                                struct ws_server *ws, const struct gw_listen_config *cfg);
void gw_listen_free(struct gw_listen *l);
/* The port actually bound (useful with port 0). */
int gw_listen_port(const struct gw_listen *l);
void gw_listen_get_stats(struct gw_listen *l, struct gw_listen_stats *out);
/* Handles GET /ws from evhttp: checks the handshake, answers a refusal, or hands the connection
 * to the WebSocket server. */
void gw_listen_upgrade(struct gw_listen *l, struct evhttp_request *req);

#endif
