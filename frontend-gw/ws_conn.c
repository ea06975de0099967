/*
 * ws_conn.c - RFC 6455 framing for upgraded connections: wslay's event API over bufferevents.
 *
 * Theory of operation. Each connection is a bufferevent (socket I/O, kernel buffers drained into
 * evbuffers) and a wslay server context (frame parsing, message assembly, UTF-8 of text and close
 * reasons, answers to ping and close, the 1009 size cap). wslay does no I/O: its recv callback
 * takes bytes from the bufferevent's input evbuffer and its send callback appends to the output
 * evbuffer, so one read event runs wslay_event_recv() then wslay_event_send() to push what it
 * queued. Between the socket and wslay sits ws_guard, which checks every frame header first and
 * lets us fail with 1002 where wslay's frame layer would close without a code (see ws_guard.h).
 *
 * Closing: once our close frame is in the output and the output has drained, the TCP connection
 * is closed (the server closes first, RFC 6455 section 7.1.1). A peer that never reads is cut
 * after WS_CLOSE_LINGER_MS. Nothing is freed inside ws_conn_send_text(): callers (the hub) walk
 * lists of connections; frees only happen from libevent callbacks and the sweep.
 *
 * The sweep: one timer per server (not per connection: memory per idle connection matters) walks
 * the list each second, pings connections silent for ping_interval, drops those whose ping went
 * unanswered for pong_timeout, and ends lingering closes.
 */
#include "ws_conn.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wslay/wslay.h>

#include "gv.h"
#include "ws_guard.h"

#define WS_SWEEP_MS 1000
#define WS_BEV_TIMEOUT_S (365 * 86400) /* "never": see bev_timeouts_off() */
#define WS_SNDBUF   (64 * 1024) /* kernel send buffer per connection: keeps slow readers visible */

struct ws_conn {
    struct ws_server *srv;
    struct evhttp_connection *evcon; /* owns the socket and bev */
    struct bufferevent *bev;
    wslay_event_context_ptr ctx;
    struct ws_guard guard;
    struct ws_conn *prev, *next;
    int64_t last_rx_ms, ping_sent_ms, close_at_ms;
    struct ws_conn *next_adopted; /* on the server's list until evhttp is out of the way */
    uint8_t adopting;
    uint16_t fail_code; /* a violation found by the guard or the glue: close with this */
    uint8_t closing;    /* our close frame is queued */
    struct gw_hub_client hub;
};

struct ws_server {
    struct event_base *base;
    struct ws_server_ops ops;
    struct ws_limits lim;
    struct ws_conn *conns;
    struct event *sweep;
    struct event *adopt_ev;       /* runs once evhttp's handler has returned */
    struct ws_conn *adopted;      /* connections taken over in this loop iteration */
    struct ws_stats stats;
};

static void conn_free(struct ws_conn *c);
static void conn_pump(struct ws_conn *c);

/*** wslay callbacks ***/

static ssize_t recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags,
                       void *user)
{
    (void)flags;
    struct ws_conn *c = user;
    struct evbuffer *in = bufferevent_get_input(c->bev);
    int n = c->guard.failed ? 0 : evbuffer_remove(in, buf, len);
    if (n <= 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
        return -1;
    }
    size_t ok = ws_guard_feed(&c->guard, buf, (size_t)n);
    if (c->guard.failed) {
        c->fail_code = WSLAY_CODE_PROTOCOL_ERROR;
        if (ok == 0) {
            wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
            return -1;
        }
    }
    return (ssize_t)ok;
}

static ssize_t send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len, int flags,
                       void *user)
{
    (void)flags;
    struct ws_conn *c = user;
    if (evbuffer_add(bufferevent_get_output(c->bev), data, len) != 0) {
        wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
        return -1;
    }
    return (ssize_t)len;
}

static int genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user)
{
    (void)ctx, (void)user;
    memset(buf, 0, len); /* servers never mask; wslay does not call this for a server */
    return 0;
}

static void on_msg_cb(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg,
                      void *user)
{
    (void)ctx;
    struct ws_conn *c = user;
    struct ws_server *s = c->srv;
    switch (arg->opcode) {
    case WSLAY_TEXT_FRAME:
        s->stats.msgs_in++;
        s->ops.on_text(c, (const char *)arg->msg, arg->msg_length, s->ops.arg);
        break;
    case WSLAY_BINARY_FRAME:
        s->stats.msgs_in++;
        s->ops.on_binary(c, s->ops.arg);
        break;
    case WSLAY_PONG:
        c->ping_sent_ms = 0;
        break;
    default: /* ping is answered and close echoed by wslay itself */
        break;
    }
}

/*** Pumping bytes ***/

static int conn_output_len(const struct ws_conn *c)
{
    return (int)(evbuffer_get_length(bufferevent_get_output(c->bev)) +
                 wslay_event_get_queued_msg_length(c->ctx));
}

/* Queues our close frame (once) and starts the linger clock. */
static void conn_start_close(struct ws_conn *c, uint16_t code, const char *reason)
{
    if (!c->closing) {
        size_t rl = reason ? strlen(reason) : 0;
        wslay_event_queue_close(c->ctx, code, (const uint8_t *)reason, rl > 123 ? 123 : rl);
        c->closing = 1;
        c->close_at_ms = gv_now_ms() + WS_CLOSE_LINGER_MS;
    }
    wslay_event_shutdown_read(c->ctx);
}

/* Reads what wslay wants, sends what it queued, and frees the connection when it is over. */
static void conn_pump(struct ws_conn *c)
{
    if (wslay_event_want_read(c->ctx) && wslay_event_recv(c->ctx) != 0 && !c->fail_code)
        c->fail_code = WSLAY_CODE_PROTOCOL_ERROR;
    if (c->fail_code) {
        c->srv->stats.closed_protocol += !c->closing;
        conn_start_close(c, c->fail_code, c->guard.reason);
    }
    if (wslay_event_get_close_received(c->ctx) && !c->closing) {
        c->closing = 1; /* wslay queued the echo */
        c->close_at_ms = gv_now_ms() + WS_CLOSE_LINGER_MS;
    }
    if (wslay_event_want_write(c->ctx) && wslay_event_send(c->ctx) != 0) {
        conn_free(c);
        return;
    }
    if (!wslay_event_want_read(c->ctx) && !wslay_event_want_write(c->ctx))
        c->closing = 1;
    if (c->closing && evbuffer_get_length(bufferevent_get_output(c->bev)) == 0 &&
        !wslay_event_want_write(c->ctx))
        conn_free(c);
}

/*** bufferevent callbacks ***/

static void read_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct ws_conn *c = arg;
    c->last_rx_ms = gv_now_ms();
    if (c->closing && !wslay_event_want_read(c->ctx)) {
        /* Not reading any more: throw away what the peer still sends, finish the close. */
        evbuffer_drain(bufferevent_get_input(c->bev), evbuffer_get_length(bufferevent_get_input(c->bev)));
    }
    conn_pump(c);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct ws_conn *c = arg;
    if (c->closing)
        conn_pump(c);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev;
    gv_debug("websocket: connection ends (bufferevent event 0x%x)", what);
    conn_free(arg); /* EOF, error: the peer is gone */
}

/*** Connections ***/

/* evhttp added the bufferevent's read event with its HTTP timeout. A persistent libevent event
 * keeps that interval and re-arms it on every activation even after a NULL timeout is set
 * (event_add() with NULL keeps the old one), so "no timeout" is written as a timeout of a year.
 * Dead peers are found by our pings instead. */
static void bev_timeouts_off(struct bufferevent *bev)
{
    const struct timeval never = {WS_BEV_TIMEOUT_S, 0};
    bufferevent_set_timeouts(bev, &never, &never);
}

static void conn_free(struct ws_conn *c)
{
    struct ws_server *s = c->srv;
    if (c->adopting) {
        struct ws_conn **pp = &s->adopted;
        while (*pp != c)
            pp = &(*pp)->next_adopted;
        *pp = c->next_adopted;
    }
    s->ops.on_closed(c, s->ops.arg);
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->stats.open--;
    wslay_event_context_free(c->ctx);
    bufferevent_setcb(c->bev, NULL, NULL, NULL, NULL);
    evhttp_connection_free(c->evcon); /* frees bev and closes the socket */
    free(c);
}

struct ws_conn *ws_conn_adopt(struct ws_server *s, struct evhttp_connection *evcon,
                              struct bufferevent *bev, const char *response, size_t len)
{
    static const struct wslay_event_callbacks cbs = {recv_cb, send_cb, genmask_cb, NULL, NULL,
                                                     NULL, on_msg_cb};
    struct ws_conn *c = calloc(1, sizeof *c);
    if (!c || wslay_event_context_server_init(&c->ctx, &cbs, c) != 0) {
        free(c);
        evhttp_connection_free(evcon);
        return NULL;
    }
    c->srv = s;
    c->evcon = evcon;
    c->bev = bev;
    ws_guard_init(&c->guard);
    wslay_event_config_set_max_recv_msg_length(c->ctx, s->lim.msg_max);
    bufferevent_setcb(bev, read_cb, write_cb, event_cb, c);
    bev_timeouts_off(bev);
    bufferevent_setwatermark(bev, EV_READ | EV_WRITE, 0, 0);
    int sndbuf = WS_SNDBUF;
    if (setsockopt(bufferevent_getfd(bev), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0)
        gv_warn("setsockopt SO_SNDBUF: %s", strerror(errno));
    c->last_rx_ms = gv_now_ms();
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->stats.open++;
    s->stats.accepted++;
    if (bufferevent_write(bev, response, len) != 0 ||
        bufferevent_enable(bev, EV_READ | EV_WRITE) != 0) {
        conn_free(c);
        return NULL;
    }
    /* evhttp may still touch the bufferevent on its way out of the request callback: set our
     * callbacks and timeouts once more from the loop, when evhttp is done with it. */
    c->adopting = 1;
    c->next_adopted = s->adopted;
    s->adopted = c;
    event_active(s->adopt_ev, EV_TIMEOUT, 0);
    return c;
}

static void adopt_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct ws_server *s = arg;
    while (s->adopted) {
        struct ws_conn *c = s->adopted;
        s->adopted = c->next_adopted;
        c->adopting = 0;
        bev_timeouts_off(c->bev);
        bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
        bufferevent_enable(c->bev, EV_READ | EV_WRITE);
        /* Frames that arrived with the head are already in the input buffer. */
        if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
            bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
    }
}

int ws_conn_send_text(struct ws_conn *c, const char *text, size_t len)
{
    if (c->closing)
        return -1;
    if ((size_t)conn_output_len(c) + len > c->srv->lim.out_max) {
        c->srv->stats.closed_slow++;
        conn_start_close(c, WSLAY_CODE_POLICY_VIOLATION, "not reading: too much queued");
        wslay_event_send(c->ctx);
        return -1;
    }
    struct wslay_event_msg m = {WSLAY_TEXT_FRAME, (const uint8_t *)text, len};
    if (wslay_event_queue_msg(c->ctx, &m) != 0)
        return -1;
    c->srv->stats.msgs_out++;
    /* Push it into the output evbuffer now; the bufferevent writes it when the socket is ready. */
    return wslay_event_send(c->ctx) == 0 ? 0 : -1;
}

void ws_conn_close(struct ws_conn *c, uint16_t code, const char *reason)
{
    conn_start_close(c, code, reason);
    wslay_event_send(c->ctx);
}

struct gw_hub_client *ws_conn_hub_client(struct ws_conn *c)
{
    return &c->hub;
}

struct ws_conn *ws_conn_from_hub_client(struct gw_hub_client *hc)
{
    return (struct ws_conn *)((char *)hc - offsetof(struct ws_conn, hub));
}

/*** The server and its sweep ***/

static void sweep_one(struct ws_server *s, struct ws_conn *c, int64_t now)
{
    if (c->closing) {
        if (now >= c->close_at_ms)
            conn_free(c);
        return;
    }
    if (c->ping_sent_ms && now - c->ping_sent_ms > s->lim.pong_timeout_ms) {
        s->stats.closed_dead++;
        conn_free(c);
        return;
    }
    if (!c->ping_sent_ms && now - c->last_rx_ms > s->lim.ping_interval_ms) {
        struct wslay_event_msg m = {WSLAY_PING, (const uint8_t *)"gavel", 5};
        if (wslay_event_queue_msg(c->ctx, &m) == 0 && wslay_event_send(c->ctx) == 0)
            c->ping_sent_ms = now;
    }
}

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct ws_server *s = arg;
    int64_t now = gv_now_ms();
    struct ws_conn *c = s->conns;
    while (c) {
        struct ws_conn *next = c->next;
        sweep_one(s, c, now);
        c = next;
    }
}

struct ws_server *ws_server_new(struct event_base *base, const struct ws_server_ops *ops,
                                const struct ws_limits *limits)
{
    struct ws_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->base = base;
    s->ops = *ops;
    s->lim = *limits;
    if (!s->lim.msg_max)
        s->lim.msg_max = WS_MSG_MAX;
    if (!s->lim.out_max)
        s->lim.out_max = WS_OUT_MAX;
    if (!s->lim.ping_interval_ms)
        s->lim.ping_interval_ms = WS_PING_INTERVAL_MS;
    if (!s->lim.pong_timeout_ms)
        s->lim.pong_timeout_ms = WS_PONG_TIMEOUT_MS;
    s->adopt_ev = event_new(base, -1, 0, adopt_cb, s);
    s->sweep = event_new(base, -1, EV_PERSIST, sweep_cb, s);
    struct timeval tv = {WS_SWEEP_MS / 1000, (WS_SWEEP_MS % 1000) * 1000};
    if (!s->adopt_ev || !s->sweep || event_add(s->sweep, &tv) != 0) {
        if (s->sweep)
            event_free(s->sweep);
        if (s->adopt_ev)
            event_free(s->adopt_ev);
        free(s);
        return NULL;
    }
    return s;
}

void ws_server_going_away(struct ws_server *s)
{
    for (struct ws_conn *c = s->conns; c; c = c->next)
        if (!c->closing)
            ws_conn_close(c, WSLAY_CODE_GOING_AWAY, "server shutting down");
}

void ws_server_free(struct ws_server *s)
{
    if (!s)
        return;
    while (s->conns)
        conn_free(s->conns);
    event_free(s->sweep);
    event_free(s->adopt_ev);
    free(s);
}

void ws_server_get_stats(const struct ws_server *s, struct ws_stats *out)
{
    *out = s->stats;
}
