/*
 * submit_net.h - the network side of `gavel submit`: one HTTP request at a time (libevent evhttp)
 * and a WebSocket client (a libevent bufferevent, the RFC 6455 opening handshake written here,
 * framing and masking by wslay in client mode).
 *
 * Everything runs on the caller's event_base; the caller runs the loop. Errors come back as
 * sentences that name the server and what failed, ready to print.
 */
#ifndef GAVEL_SUBMIT_NET_H
#define GAVEL_SUBMIT_NET_H

#include <stddef.h>

#include "gv.h"

struct event_base;

#define SN_HOST_MAX    256
#define SN_ERR_MAX     512
#define SN_BODY_MAX    (4u << 20) /* largest HTTP answer read (a submission with many tests) */
#define SN_WS_MSG_MAX  (4u << 20) /* largest WebSocket message accepted (a final with its tests) */
#define SN_WS_HEAD_MAX 8192       /* largest handshake answer head */

/* Where the gateway is: http://HOST[:PORT][/] (https is not spoken). */
struct sn_server {
    char host[SN_HOST_MAX];
    int port;
};

/* Parses a server URL; 0, or -1 with why filled. */
int sn_server_parse(const char *url, struct sn_server *out, char *why, size_t why_size);

/* Runs one HTTP request (body may be NULL) on base until it is answered or timeout_s passes.
 * Returns 0 with *status, *retry_after (the Retry-After header in seconds, -1 when absent) and the
 * body in resp (capped at SN_BODY_MAX), or -1 with err filled when no answer came (gateway down,
 * refused, timed out). */
int sn_http(struct event_base *base, const struct sn_server *srv, const char *method,
            const char *path, const char *body, size_t body_len, int timeout_s, int *status,
            int *retry_after, struct gv_buf *resp, char *err, size_t err_size);

struct sn_ws;

/* What a WebSocket client is told: open (handshake done), each text message, and the end (why
 * is a sentence; the connection is unusable afterwards and must be freed). */
struct sn_ws_callbacks {
    void (*on_open)(struct sn_ws *ws, void *arg);
    void (*on_text)(struct sn_ws *ws, const char *text, size_t len, void *arg);
    void (*on_close)(struct sn_ws *ws, const char *why, void *arg);
};

/* Starts connecting to ws://server/ws; the callbacks fire from base's loop. NULL on an immediate
 * failure (err filled). */
struct sn_ws *sn_ws_open(struct event_base *base, const struct sn_server *srv,
                         const struct sn_ws_callbacks *cb, void *arg, char *err, size_t err_size);

/* Queues one text message (masked, as a client must) and starts sending it. 0 or -1. */
int sn_ws_send_text(struct sn_ws *ws, const char *text);

/* Closes the socket at once and frees everything. NULL is fine. */
void sn_ws_free(struct sn_ws *ws);

#endif
