/*
 * submit_net.c - HTTP requests and a WebSocket client for `gavel submit`, on libevent.
 *
 * Theory of operation. HTTP goes through libevent's own client (evhttp_make_request): one request,
 * the loop is run until its callback or its error callback fires, then the connection is freed.
 * The WebSocket is a bufferevent. Once TCP is connected we write the upgrade request with a fresh
 * random Sec-WebSocket-Key and collect the answer's head (bounded by SN_WS_HEAD_MAX): it must be
 * "101" and carry the Sec-WebSocket-Accept that ws_handshake_accept_key() (the gateway's own
 * function) computes for our key. Then a wslay client context takes over: its recv callback pulls
 * from the bufferevent's input (WOULDBLOCK when empty), its send callback appends to the output,
 * its genmask callback draws masks from getrandom, and every complete text message goes to the
 * caller. Whatever ends the connection (connect error, EOF, a bad handshake, a close frame, a
 * protocol error) is reported once through on_close, after which the object is inert until freed.
 */
#include "submit_net.h"

#include "ws_handshake.h"

#include <errno.h>
#include <stdarg.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/util.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <wslay/wslay.h>

#define SN_KEY_RAW 16 /* bytes of a Sec-WebSocket-Key before base64 */
#define SN_KEY_LEN 24 /* its base64 */
#define SN_REQ_MAX 1024

/*** Server URL ***/

int sn_server_parse(const char *url, struct sn_server *out, char *why, size_t why_size)
{
    const char *p = url;
    if (strncmp(p, "http://", 7) == 0)
        p += 7;
    else if (strstr(p, "://")) {
        snprintf(why, why_size, "server %s: only http:// URLs are spoken", url);
        return -1;
    }
    size_t n = strcspn(p, ":/");
    if (n == 0 || n >= sizeof out->host) {
        snprintf(why, why_size, "server %s: no host name", url);
        return -1;
    }
    memcpy(out->host, p, n);
    out->host[n] = '\0';
    out->port = 80;
    p += n;
    if (*p == ':') {
        char *end;
        long port = strtol(p + 1, &end, 10);
        if (end == p + 1 || port <= 0 || port > 65535 || (*end && *end != '/')) {
            snprintf(why, why_size, "server %s: bad port", url);
            return -1;
        }
        out->port = (int)port;
        p = end;
    }
    if (*p && strcmp(p, "/") != 0) {
        snprintf(why, why_size, "server %s: give the gateway's root, without a path", url);
        return -1;
    }
    return 0;
}

/*** HTTP ***/

struct http_call {
    struct event_base *base;
    int done, status, failed;
    int retry_after; /* seconds, -1 when absent */
    int have_error;  /* error is set */
    enum evhttp_request_error error;
    int sock_errno;
    struct gv_buf *resp;
};

static void http_on_error(enum evhttp_request_error error, void *arg)
{
    struct http_call *c = arg;
    c->failed = 1;
    c->have_error = 1;
    c->error = error;
    c->sock_errno = EVUTIL_SOCKET_ERROR();
}

static void http_on_done(struct evhttp_request *req, void *arg)
{
    struct http_call *c = arg;
    c->done = 1;
    if (!req || evhttp_request_get_response_code(req) == 0) {
        c->failed = 1;
    } else {
        c->status = evhttp_request_get_response_code(req);
        const char *ra = evhttp_find_header(evhttp_request_get_input_headers(req), "Retry-After");
        c->retry_after = ra ? atoi(ra) : -1;
        struct evbuffer *in = evhttp_request_get_input_buffer(req);
        size_t len = evbuffer_get_length(in);
        if (gv_buf_append(c->resp, evbuffer_pullup(in, (ev_ssize_t)len), len) < 0) c->failed = 1;
    }
    event_base_loopbreak(c->base);
}

static void http_failure(const struct http_call *c, const struct sn_server *srv, const char *path,
                         int timeout_s, char *err, size_t err_size)
{
    const char *what = "the connection failed or was closed";
    char buf[128];
    if (c->have_error && c->error == EVREQ_HTTP_TIMEOUT) {
        snprintf(buf, sizeof buf, "no answer within %d s", timeout_s);
        what = buf;
    } else if (c->sock_errno == ECONNREFUSED || c->sock_errno == EHOSTUNREACH ||
               c->sock_errno == ENETUNREACH || c->sock_errno == ETIMEDOUT) {
        what = strerror(c->sock_errno);
    } else if (c->have_error && c->error == EVREQ_HTTP_DATA_TOO_LONG) {
        what = "the answer is too long";
    }
    snprintf(err, err_size, "cannot reach the gateway at http://%s:%d%s: %s (is it running?)",
             srv->host, srv->port, path, what);
}

int sn_http(struct event_base *base, const struct sn_server *srv, const char *method,
            const char *path, const char *body, size_t body_len, int timeout_s, int *status,
            int *retry_after, struct gv_buf *resp, char *err, size_t err_size)
{
    struct http_call c = {.base = base, .resp = resp, .retry_after = -1};
    struct evhttp_connection *conn =
        evhttp_connection_base_new(base, NULL, srv->host, (unsigned short)srv->port);
    struct evhttp_request *req = conn ? evhttp_request_new(http_on_done, &c) : NULL;
    if (!req) {
        snprintf(err, err_size, "http://%s:%d: cannot set up a request", srv->host, srv->port);
        if (conn) evhttp_connection_free(conn);
        return -1;
    }
    evhttp_connection_set_timeout(conn, timeout_s);
    evhttp_connection_set_max_body_size(conn, SN_BODY_MAX);
    evhttp_request_set_error_cb(req, http_on_error);
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    char host[SN_HOST_MAX + 16];
    snprintf(host, sizeof host, "%s:%d", srv->host, srv->port);
    evhttp_add_header(h, "Host", host);
    evhttp_add_header(h, "Accept", "application/json");
    evhttp_add_header(h, "Connection", "close");
    if (body) {
        evhttp_add_header(h, "Content-Type", "application/json");
        evbuffer_add(evhttp_request_get_output_buffer(req), body, body_len);
    }
    enum evhttp_cmd_type cmd = strcmp(method, "POST") == 0 ? EVHTTP_REQ_POST : EVHTTP_REQ_GET;
    if (evhttp_make_request(conn, req, cmd, path) < 0) { /* req is freed by libevent */
        snprintf(err, err_size, "http://%s:%d%s: cannot send the request", srv->host, srv->port,
                 path);
        evhttp_connection_free(conn);
        return -1;
    }
    while (!c.done && event_base_loop(base, EVLOOP_ONCE) == 0)
        ;
    evhttp_connection_free(conn);
    if (!c.done || c.failed) {
        http_failure(&c, srv, path, timeout_s, err, err_size);
        return -1;
    }
    *status = c.status;
    *retry_after = c.retry_after;
    return 0;
}

/*** WebSocket ***/

struct sn_ws {
    struct bufferevent *bev;
    wslay_event_context_ptr ctx;
    struct sn_ws_callbacks cb;
    void *arg;
    struct sn_server srv;
    char key[SN_KEY_LEN + 1];
    char accept[WS_HS_ACCEPT_LEN + 1];
    int open;   /* handshake done, wslay in charge */
    int closed; /* on_close was called */
};

static void ws_end(struct sn_ws *ws, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void ws_end(struct sn_ws *ws, const char *fmt, ...)
{
    if (ws->closed) return;
    ws->closed = 1;
    bufferevent_disable(ws->bev, EV_READ | EV_WRITE);
    char why[SN_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    ws->cb.on_close(ws, why, ws->arg);
}

static ssize_t wslay_recv(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
                          void *user)
{
    (void)flags;
    struct sn_ws *ws = user;
    int n = evbuffer_remove(bufferevent_get_input(ws->bev), buf, len);
    if (n <= 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    return n;
}

static ssize_t wslay_send(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                          void *user)
{
    (void)flags;
    struct sn_ws *ws = user;
    if (bufferevent_write(ws->bev, data, len) < 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return (ssize_t)len;
}

static int wslay_genmask(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user)
{
    (void)ctx;
    (void)user;
    return getrandom(buf, len, 0) == (ssize_t)len ? 0 : -1;
}

static void wslay_on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *m,
                         void *user)
{
    (void)ctx;
    struct sn_ws *ws = user;
    if (!ws->closed && m->opcode == WSLAY_TEXT_FRAME)
        ws->cb.on_text(ws, (const char *)m->msg, m->msg_length, ws->arg);
}

static const struct wslay_event_callbacks wslay_callbacks = {
    .recv_callback = wslay_recv,
    .send_callback = wslay_send,
    .genmask_callback = wslay_genmask,
    .on_msg_recv_callback = wslay_on_msg,
};

/* Runs wslay over what arrived and what is queued; reports the end when it has one. */
static void ws_pump(struct sn_ws *ws)
{
    if (wslay_event_recv(ws->ctx) != 0 || wslay_event_send(ws->ctx) != 0) {
        ws_end(ws, "WebSocket to %s:%d: protocol error", ws->srv.host, ws->srv.port);
        return;
    }
    if (!wslay_event_want_read(ws->ctx) && !ws->closed)
        ws_end(ws, "the gateway closed the WebSocket (code %u)",
               (unsigned)wslay_event_get_status_code_received(ws->ctx));
}

/* The value of header `name` in the head (NUL-terminated), copied to out; 0 or -1. */
static int head_header(const char *head, const char *name, char *out, size_t size)
{
    size_t nl = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
        const char *p = line + 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            p += nl + 1;
            p += strspn(p, " \t");
            size_t n = strcspn(p, "\r\n");
            while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                n--;
            if (n >= size) return -1;
            memcpy(out, p, n);
            out[n] = '\0';
            return 0;
        }
    }
    return -1;
}

/* Checks the handshake answer; 1 when done (open or ended), 0 when more bytes are needed. */
static int ws_read_head(struct sn_ws *ws)
{
    struct evbuffer *in = bufferevent_get_input(ws->bev);
    struct evbuffer_ptr end = evbuffer_search(in, "\r\n\r\n", 4, NULL);
    if (end.pos < 0) {
        if (evbuffer_get_length(in) > SN_WS_HEAD_MAX)
            ws_end(ws, "WebSocket to %s:%d: handshake answer too long", ws->srv.host, ws->srv.port);
        return ws->closed;
    }
    size_t len = (size_t)end.pos + 4;
    if (len > SN_WS_HEAD_MAX) {
        ws_end(ws, "WebSocket to %s:%d: handshake answer too long", ws->srv.host, ws->srv.port);
        return 1;
    }
    char head[SN_WS_HEAD_MAX + 1], accept[WS_HS_ACCEPT_LEN + 8];
    evbuffer_remove(in, head, len);
    head[len] = '\0';
    if (strncmp(head, "HTTP/1.1 101", 12) != 0) {
        ws_end(ws, "WebSocket to %s:%d refused: %.*s", ws->srv.host, ws->srv.port,
               (int)strcspn(head, "\r\n"), head);
        return 1;
    }
    if (head_header(head, "Sec-WebSocket-Accept", accept, sizeof accept) < 0 ||
        strcmp(accept, ws->accept) != 0) {
        ws_end(ws, "WebSocket to %s:%d: wrong Sec-WebSocket-Accept", ws->srv.host, ws->srv.port);
        return 1;
    }
    if (wslay_event_context_client_init(&ws->ctx, &wslay_callbacks, ws) != 0) {
        ws_end(ws, "WebSocket: out of memory");
        return 1;
    }
    wslay_event_config_set_max_recv_msg_length(ws->ctx, SN_WS_MSG_MAX);
    ws->open = 1;
    ws->cb.on_open(ws, ws->arg);
    return 1;
}

static void ws_on_read(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct sn_ws *ws = arg;
    if (ws->closed) return;
    if (!ws->open && !ws_read_head(ws)) return;
    if (ws->open && !ws->closed) ws_pump(ws);
}

static void ws_send_upgrade(struct sn_ws *ws)
{
    char req[SN_REQ_MAX];
    int n = snprintf(req, sizeof req,
                     "GET /ws HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\nUser-Agent: gavel-submit\r\n\r\n",
                     ws->srv.host, ws->srv.port, ws->key);
    if (n < 0 || (size_t)n >= sizeof req || bufferevent_write(ws->bev, req, (size_t)n) < 0)
        ws_end(ws, "WebSocket to %s:%d: cannot write the handshake", ws->srv.host, ws->srv.port);
}

static void ws_on_event(struct bufferevent *bev, short what, void *arg)
{
    struct sn_ws *ws = arg;
    if (what & BEV_EVENT_CONNECTED) {
        ws_send_upgrade(ws);
        return;
    }
    if (what & BEV_EVENT_ERROR) {
        int dns = bufferevent_socket_get_dns_error(bev);
        if (dns)
            ws_end(ws, "cannot resolve %s: %s", ws->srv.host, evutil_gai_strerror(dns));
        else
            ws_end(ws, "WebSocket to %s:%d: %s (is the gateway running?)", ws->srv.host,
                   ws->srv.port, evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
    } else if (what & BEV_EVENT_EOF) {
        ws_end(ws, "the gateway at %s:%d closed the WebSocket connection", ws->srv.host,
               ws->srv.port);
    }
}

/* A fresh Sec-WebSocket-Key and the accept value the server must answer with. */
static int ws_make_key(struct sn_ws *ws)
{
    unsigned char raw[SN_KEY_RAW];
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) return -1;
    if (EVP_EncodeBlock((unsigned char *)ws->key, raw, sizeof raw) != SN_KEY_LEN) return -1;
    return ws_handshake_accept_key(ws->key, SN_KEY_LEN, ws->accept);
}

struct sn_ws *sn_ws_open(struct event_base *base, const struct sn_server *srv,
                         const struct sn_ws_callbacks *cb, void *arg, char *err, size_t err_size)
{
    struct sn_ws *ws = calloc(1, sizeof *ws);
    if (!ws) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    ws->cb = *cb;
    ws->arg = arg;
    ws->srv = *srv;
    if (ws_make_key(ws) < 0) {
        snprintf(err, err_size, "cannot make a WebSocket key: %s", strerror(errno));
        free(ws);
        return NULL;
    }
    ws->bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (!ws->bev) {
        snprintf(err, err_size, "cannot make a socket: %s", strerror(errno));
        free(ws);
        return NULL;
    }
    bufferevent_setcb(ws->bev, ws_on_read, NULL, ws_on_event, ws);
    bufferevent_enable(ws->bev, EV_READ | EV_WRITE);
    if (bufferevent_socket_connect_hostname(ws->bev, NULL, AF_UNSPEC, srv->host, srv->port) < 0) {
        snprintf(err, err_size, "cannot connect to %s:%d", srv->host, srv->port);
        sn_ws_free(ws);
        return NULL;
    }
    return ws;
}

int sn_ws_send_text(struct sn_ws *ws, const char *text)
{
    if (!ws->open || ws->closed) return -1;
    struct wslay_event_msg msg = {WSLAY_TEXT_FRAME, (const uint8_t *)text, strlen(text)};
    if (wslay_event_queue_msg(ws->ctx, &msg) != 0) return -1;
    return wslay_event_send(ws->ctx) == 0 ? 0 : -1;
}

void sn_ws_free(struct sn_ws *ws)
{
    if (!ws) return;
    if (ws->ctx) wslay_event_context_free(ws->ctx);
    if (ws->bev) bufferevent_free(ws->bev);
    free(ws);
}
