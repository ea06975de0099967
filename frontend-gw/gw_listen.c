/*
 * gw_listen.c - the listening socket, the connection cap, and taking WebSocket connections over.
 *
 * Theory of operation. libevent 2.1's evhttp has no upgrade API and does not export
 * evhttp_get_request(), so "accept ourselves and hand plain HTTP to evhttp" is not possible with
 * the Debian library. We take the other road: evhttp accepts and parses every request; GET /ws
 * reaches gw_listen_upgrade(), which
 *   1. rebuilds the request head as bytes (request line and header lines as evhttp parsed them)
 *      and runs the pure ws_handshake_parse() on it, the same function the unit tests and the
 *      fuzzer drive, so there is one judge of handshakes;
 *   2. on a refusal, answers through evhttp (status, JSON body, Sec-WebSocket-Version on 426);
 *   3. on acceptance, hands the connection to ws_conn_adopt(): evhttp's bufferevent is silenced
 *      at once (no callbacks, no events), and from the loop, after evhttp's callback has
 *      returned, the socket is moved to a descriptor and bufferevent of our own and evhttp's
 *      connection freed (see ws_conn.c, conn_take_socket), so an open WebSocket costs evhttp
 *      nothing and none of its timeouts can reach it.
 * Bytes the client sent after the head were read by evhttp; they move over and are read as
 * frames.
 *
 * The cap: evhttp has no max-connections setting in 2.1 and does not say when it closes a
 * connection, so every GW_FD_SCAN_MS we count the process's open descriptors (/proc/self/fd)
 * minus those open at start; at the cap the listener is disabled (new clients wait in the
 * backlog) and enabled again below it. Each accept also bumps the count (evhttp's bufferevent
 * callback), so a burst cannot overshoot by more than one scan period's worth.
 */
#include "gw_listen.h"

#include <dirent.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "gv.h"
#include "ws_conn.h"

struct gw_listen {
    struct event_base *base;
    struct evhttp *http;
    struct ws_server *ws;
    struct gw_listen_config cfg;
    struct evhttp_bound_socket *bound;
    struct event *scan;
    long baseline_fds; /* descriptors open before any client */
    long open;         /* connections, by the last count plus accepts since */
    int paused;
    struct gw_listen_stats stats;
};

/*** The cap ***/

static long count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    long n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3; /* ".", "..", and the directory's own descriptor */
}

static void cap_apply(struct gw_listen *l)
{
    struct evconnlistener *lev = evhttp_bound_socket_get_listener(l->bound);
    int full = l->open >= l->cfg.max_conns;
    if (full && !l->paused) {
        evconnlistener_disable(lev);
        l->paused = 1;
        l->stats.paused++;
        gv_warn("connection cap %d reached: accepting paused", l->cfg.max_conns);
    } else if (!full && l->paused) {
        evconnlistener_enable(lev);
        l->paused = 0;
    }
}

static void scan_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct gw_listen *l = arg;
    long n = count_fds();
    if (n >= 0)
        l->open = n > l->baseline_fds ? n - l->baseline_fds : 0;
    cap_apply(l);
}

static struct bufferevent *bev_cb(struct event_base *base, void *arg)
{
    struct gw_listen *l = arg;
    l->open++;
    cap_apply(l);
    return bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
}

/*** The upgrade ***/

/* The request head as bytes again, for ws_handshake_parse(). -1 when it does not fit. */
static int head_bytes(struct evhttp_request *req, char *buf, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS",
                                          "TRACE", "CONNECT", "PATCH"};
    int cmd = evhttp_request_get_command(req);
    const char *method = "OTHER";
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (cmd == 1 << i)
            method = methods[i];
    int major = req->major, minor = req->minor;
    int n = snprintf(buf, size, "%s %s HTTP/%d.%d\r\n", method, evhttp_request_get_uri(req),
                     major, minor);
    if (n < 0 || (size_t)n >= size)
        return -1;
    size_t len = (size_t)n;
    struct evkeyvalq *h = evhttp_request_get_input_headers(req);
    for (struct evkeyval *kv = h->tqh_first; kv; kv = kv->next.tqe_next) {
        n = snprintf(buf + len, size - len, "%s: %s\r\n", kv->key, kv->value);
        if (n < 0 || (size_t)n >= size - len)
            return -1;
        len += (size_t)n;
    }
    if (len + 3 > size)
        return -1;
    memcpy(buf + len, "\r\n", 3);
    return (int)len + 2;
}

static void refuse(struct gw_listen *l, struct evhttp_request *req, const struct ws_hs_result *r)
{
    char body[256];
    struct evkeyvalq *out = evhttp_request_get_output_headers(req);
    snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
             r->status == 426 ? "upgrade_required" : r->status == 403 ? "forbidden_origin"
                                                                      : "bad_handshake",
             r->reason ? r->reason : "bad handshake");
    if (r->status == 426) {
        evhttp_add_header(out, "Sec-WebSocket-Version", "13");
        evhttp_add_header(out, "Upgrade", "websocket");
    }
    evhttp_add_header(out, "Content-Type", "application/json");
    evhttp_add_header(out, "Connection", "close");
    struct evbuffer *b = evbuffer_new();
    if (b)
        evbuffer_add(b, body, strlen(body));
    evhttp_send_reply(req, r->status, NULL, b);
    if (b)
        evbuffer_free(b);
    l->stats.ws_refused++;
}

void gw_listen_upgrade(struct gw_listen *l, struct evhttp_request *req)
{
    char head[WS_HS_HEAD_MAX];
    struct ws_hs_result r;
    int n = head_bytes(req, head, sizeof head);
    if (n < 0) {
        r = (struct ws_hs_result){.verdict = WS_HS_REFUSE, .status = 431,
                                  .reason = "request head too large"};
    } else if (ws_handshake_parse(head, (size_t)n, &l->cfg.hs, &r) == WS_HS_INCOMPLETE) {
        r = (struct ws_hs_result){.verdict = WS_HS_REFUSE, .status = 400, .reason = "bad head"};
    }
    if (r.verdict != WS_HS_ACCEPT) {
        refuse(l, req, &r);
        return;
    }
    char resp[256];
    int rn = ws_handshake_response(&r, resp, sizeof resp);
    struct evhttp_connection *evcon = evhttp_request_get_connection(req);
    struct bufferevent *bev = evcon ? evhttp_connection_get_bufferevent(evcon) : NULL;
    if (rn < 0 || !bev) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    int one = 1;
    if (setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        gv_warn("ws: setsockopt TCP_NODELAY: %s", strerror(errno));
    ws_conn_adopt(l->ws, evcon, bev, resp, (size_t)rn);
}

/*** Life ***/

/* The port of HOST:PORT: 1 to 5 digits, at most 65535 (0 lets the kernel choose); -1 otherwise. */
static int parse_port(const char *s)
{
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n > 5 || s[n] != '\0')
        return -1;
    long port = strtol(s, NULL, 10);
    return port <= 65535 ? (int)port : -1;
}

struct gw_listen *gw_listen_new(struct event_base *base, struct evhttp *http,
                                struct ws_server *ws, const struct gw_listen_config *cfg)
{
    char host[256];
    const char *colon = strrchr(cfg->addr, ':');
    int port = colon ? parse_port(colon + 1) : -1;
    if (!colon || (size_t)(colon - cfg->addr) >= sizeof host || port < 0) {
        gv_error("listen: cannot parse address %s (want HOST:PORT, port 0-65535)", cfg->addr);
        return NULL;
    }
    memcpy(host, cfg->addr, (size_t)(colon - cfg->addr));
    host[colon - cfg->addr] = '\0';
    struct gw_listen *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    *l = (struct gw_listen){.base = base, .http = http, .ws = ws, .cfg = *cfg};
    if (l->cfg.max_conns <= 0)
        l->cfg.max_conns = GW_CONN_MAX_DEFAULT;
    l->bound = evhttp_bind_socket_with_handle(http, host, (ev_uint16_t)port);
    if (!l->bound) {
        gv_error("listen on %s: %s", cfg->addr, strerror(errno));
        free(l);
        return NULL;
    }
    l->baseline_fds = count_fds();
    evhttp_set_bevcb(http, bev_cb, l);
    l->scan = event_new(base, -1, EV_PERSIST, scan_cb, l);
    struct timeval tv = {0, GW_FD_SCAN_MS * 1000};
    if (!l->scan || event_add(l->scan, &tv) != 0) {
        gw_listen_free(l);
        return NULL;
    }
    return l;
}

void gw_listen_free(struct gw_listen *l)
{
    if (!l)
        return;
    if (l->scan)
        event_free(l->scan);
    evhttp_del_accept_socket(l->http, l->bound);
    free(l);
}

int gw_listen_port(const struct gw_listen *l)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(evhttp_bound_socket_get_fd(l->bound), (struct sockaddr *)&ss, &len) != 0)
        return -1;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

void gw_listen_get_stats(struct gw_listen *l, struct gw_listen_stats *out)
{
    *out = l->stats;
    out->open_estimate = (uint64_t)(l->open > 0 ? l->open : 0);
}
