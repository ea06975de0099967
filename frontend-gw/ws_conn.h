/*
 * ws_conn.h - WebSocket connections: wslay's event API wired to libevent bufferevents.
 *
 * A ws_server owns every upgraded connection of one gateway: it pings the idle ones, drops the
 * dead and the slow readers, and closes them all at shutdown. Messages reach the application
 * through ws_server_ops; the application answers with ws_conn_send_text().
 */
#ifndef GAVEL_WS_CONN_H
#define GAVEL_WS_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "gw_hub.h"

#define WS_MSG_MAX          65536     /* largest client message; above it: close 1009 */
#define WS_OUT_MAX          (1 << 20) /* bytes queued to one client; above it: close 1008 */
#define WS_PING_INTERVAL_MS 30000     /* a connection silent this long gets a ping */
#define WS_PONG_TIMEOUT_MS  10000     /* ...and is dropped when nothing comes back in this time */
#define WS_CLOSE_LINGER_MS  2000      /* after our close frame, wait this long for the peer */

struct event_base;
struct ws_server;
struct ws_conn;

struct ws_server_ops {
    /* A complete text message (valid UTF-8, at most WS_MSG_MAX bytes). */
    void (*on_text)(struct ws_conn *c, const char *text, size_t len, void *arg);
    /* A complete binary message (the protocol has none: answer with an error). */
    void (*on_binary)(struct ws_conn *c, void *arg);
    /* The connection is about to be freed (called once). */
    void (*on_closed)(struct ws_conn *c, void *arg);
    void *arg;
};

struct ws_limits {
    size_t msg_max;       /* 0 -> WS_MSG_MAX */
    size_t out_max;       /* 0 -> WS_OUT_MAX */
    int ping_interval_ms; /* 0 -> WS_PING_INTERVAL_MS */
    int pong_timeout_ms;  /* 0 -> WS_PONG_TIMEOUT_MS */
};

struct ws_stats {
    uint64_t open;        /* connections open now */
    uint64_t accepted;    /* ever */
    uint64_t msgs_in, msgs_out;
    uint64_t closed_protocol; /* failed with 1002/1007/1009 */
    uint64_t closed_slow;     /* closed for not reading (1008) */
    uint64_t closed_dead;     /* no pong in time */
};

/* A server on base with the given callbacks and limits (copied). NULL on allocation failure. */
struct ws_server *ws_server_new(struct event_base *base, const struct ws_server_ops *ops,
                                const struct ws_limits *limits);
/* Closes every connection at once (no close handshake) and frees the server. */
void ws_server_free(struct ws_server *s);
/* Sends close 1001 (going away) to every connection. */
void ws_server_going_away(struct ws_server *s);
void ws_server_get_stats(const struct ws_server *s, struct ws_stats *out);

struct evhttp_connection;
struct bufferevent;

/* Takes over an evhttp connection whose GET /ws was accepted. At once evhttp's bufferevent is
 * silenced; from the loop (once evhttp's callback has returned) the socket moves to a bufferevent
 * of ours, evhttp's connection is freed, `response` (the 101) is written and framing starts.
 * Bytes already read past the head are frames. NULL on allocation failure (evcon freed). */
struct ws_conn *ws_conn_adopt(struct ws_server *s, struct evhttp_connection *evcon,
                              struct bufferevent *bev, const char *response, size_t len);
/* Queues one text message. 0, or -1 when the connection is closing or its output cap is passed
 * (then it is closed with 1008; it is never freed inside this call). */
int ws_conn_send_text(struct ws_conn *c, const char *text, size_t len);
/* Starts the close handshake with code and a short reason. */
void ws_conn_close(struct ws_conn *c, uint16_t code, const char *reason);
/* The hub's handle of this connection, and back. */
struct gw_hub_client *ws_conn_hub_client(struct ws_conn *c);
struct ws_conn *ws_conn_from_hub_client(struct gw_hub_client *hc);

#endif
