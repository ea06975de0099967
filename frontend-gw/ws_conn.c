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
 * Memory: an idle connection should cost little (10,000 of them are normal). wslay's context
 * carries 8 KiB of fixed buffers, so it exists only while the client is mid-frame or mid-message
 * or a close is under way: it is created when bytes arrive and freed again once the guard says
 * the stream is at rest and wslay has nothing queued. Server frames (texts, pings) are never
 * masked and never fragmented, so they are written straight into the output evbuffer with
 * ws_frame_header() and need no wslay at all.
 *
 * The sweep: one timer per server (not per connection: memory per idle connection matters) walks
 * the list each second, pings connections silent for ping_interval, drops those whose ping went
 * unanswered for pong_timeout, and ends lingering closes.
 */
#include "ws_conn.h"

#include <errno.h>
#include <fcntl.h>
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
#define WS_SNDBUF   (64 * 1024) /* kernel send buffer per connection: keeps slow readers visible */

struct ws_conn {
    struct ws_server *srv;
    struct evhttp_connection *evcon; /* until adopt_cb: evhttp's connection, then NULL */
    struct bufferevent *bev;         /* ours, on our own descriptor (NULL until adopt_cb) */
    char *response;                  /* the 101, until adopt_cb writes it */
    size_t response_len;
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
                 (c->ctx ? wslay_event_get_queued_msg_length(c->ctx) : 0));
}

/* wslay's context, created on demand (see "Memory" above). 0, or -1 when out of memory. */
static int conn_ctx(struct ws_conn *c)
{
    static const struct wslay_event_callbacks cbs = {recv_cb, send_cb, genmask_cb, NULL, NULL,
                                                     NULL, on_msg_cb};
    if (c->ctx)
        return 0;
    if (wslay_event_context_server_init(&c->ctx, &cbs, c) != 0) {
        c->ctx = NULL;
        return -1;
    }
    wslay_event_config_set_max_recv_msg_length(c->ctx, c->srv->lim.msg_max);
    return 0;
}

/* Drops wslay's context when nothing would be lost. */
static void conn_rest(struct ws_conn *c)
{
    if (c->ctx && !c->closing && !c->fail_code && ws_guard_at_rest(&c->guard) &&
        !wslay_event_want_write(c->ctx) && wslay_event_want_read(c->ctx) &&
        evbuffer_get_length(bufferevent_get_input(c->bev)) == 0) {
        wslay_event_context_free(c->ctx);
        c->ctx = NULL;
    }
}

/* Queues our close frame (once) and starts the linger clock. */
static void conn_start_close(struct ws_conn *c, uint16_t code, const char *reason)
{
    if (conn_ctx(c) < 0) {
        c->closing = 1;
        c->close_at_ms = gv_now_ms();
        return;
    }
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
    if (!c->ctx && evbuffer_get_length(bufferevent_get_input(c->bev)) == 0 && !c->closing)
        return; /* at rest: nothing to parse, nothing queued */
    if (conn_ctx(c) < 0) {
        conn_free(c);
        return;
    }
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
        !wslay_event_want_write(c->ctx)) {
        conn_free(c);
        return;
    }
    conn_rest(c);
}

/*** bufferevent callbacks ***/

static void read_cb(struct bufferevent *bev, void *arg)
{
    (void)bev;
    struct ws_conn *c = arg;
    c->last_rx_ms = gv_now_ms();
    if (c->closing && c->ctx && !wslay_event_want_read(c->ctx)) {
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
    if (c->ctx)
        wslay_event_context_free(c->ctx);
    if (c->bev)
        bufferevent_free(c->bev);
    if (c->evcon)
        evhttp_connection_free(c->evcon);
    free(c->response);
    free(c);
}

struct ws_conn *ws_conn_adopt(struct ws_server *s, struct evhttp_connection *evcon,
                              struct bufferevent *bev, const char *response, size_t len)
{
    struct ws_conn *c = calloc(1, sizeof *c);
    char *resp = malloc(len);
    if (!c || !resp) {
        free(c);
        free(resp);
        evhttp_connection_free(evcon);
        return NULL;
    }
    memcpy(resp, response, len);
    /* From now on evhttp hears nothing of this connection: no callbacks, no events. */
    bufferevent_disable(bev, EV_READ | EV_WRITE);
    bufferevent_setcb(bev, NULL, NULL, NULL, NULL);
    c->srv = s;
    c->evcon = evcon;
    c->response = resp;
    c->response_len = len;
    ws_guard_init(&c->guard);
    c->last_rx_ms = gv_now_ms();
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    s->stats.open++;
    s->stats.accepted++;
    c->adopting = 1;
    c->next_adopted = s->adopted;
    s->adopted = c;
    event_active(s->adopt_ev, EV_TIMEOUT, 0);
    return c;
}

/* Moves the socket from evhttp's connection to our own bufferevent and frees evhttp's side (a
 * dormant evhttp_connection with its request and headers costs kilobytes per WebSocket). evhttp
 * would shut the socket down when freed, so it gets /dev/null under the same descriptor number
 * first: our duplicate keeps the socket. The old bufferevent's events were deleted while the
 * number still named the socket (ws_conn_adopt), so epoll forgets nothing it should remember. */
static int conn_take_socket(struct ws_conn *c)
{
    struct bufferevent *old = evhttp_connection_get_bufferevent(c->evcon);
    int fd = bufferevent_getfd(old);
    int mine = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (mine < 0 || null < 0 || dup2(null, fd) < 0) {
        gv_warn("websocket takeover: %s", strerror(errno));
        if (mine >= 0)
            close(mine);
        if (null >= 0)
            close(null);
        return -1;
    }
    close(null);
    c->bev = bufferevent_socket_new(c->srv->base, mine, BEV_OPT_CLOSE_ON_FREE);
    if (!c->bev) {
        close(mine);
        return -1;
    }
    /* Frames that came with the head were read by evhttp: they are ours. */
    evbuffer_add_buffer(bufferevent_get_input(c->bev), bufferevent_get_input(old));
    evhttp_connection_free(c->evcon);
    c->evcon = NULL;
    int sndbuf = WS_SNDBUF;
    if (setsockopt(mine, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) != 0)
        gv_warn("setsockopt SO_SNDBUF: %s", strerror(errno));
    return 0;
}

static void adopt_one(struct ws_conn *c)
{
    if (conn_take_socket(c) < 0) {
        conn_free(c);
        return;
    }
    bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
    if (bufferevent_write(c->bev, c->response, c->response_len) != 0 ||
        bufferevent_enable(c->bev, EV_READ | EV_WRITE) != 0) {
        conn_free(c);
        return;
    }
    free(c->response);
    c->response = NULL;
    if (evbuffer_get_length(bufferevent_get_input(c->bev)) > 0)
        bufferevent_trigger(c->bev, EV_READ, BEV_TRIG_DEFER_CALLBACKS);
}

/* Runs from the loop once evhttp's request callback has returned. */
static void adopt_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd, (void)what;
    struct ws_server *s = arg;
    while (s->adopted) {
        struct ws_conn *c = s->adopted;
        s->adopted = c->next_adopted;
        c->adopting = 0;
        adopt_one(c);
    }
}

/* One unmasked final frame straight into the output evbuffer (see "Memory" above). Only while
 * wslay has nothing queued, so frames never interleave with its pongs or close. */
static int conn_write_frame(struct ws_conn *c, int opcode, const void *data, size_t len)
{
    uint8_t h[WS_FRAME_HEADER_MAX];
    struct evbuffer *out = bufferevent_get_output(c->bev);
    if (c->ctx && wslay_event_want_write(c->ctx) && wslay_event_send(c->ctx) != 0)
        return -1;
    size_t hl = ws_frame_header(h, opcode, len);
    return evbuffer_add(out, h, hl) == 0 && evbuffer_add(out, data, len) == 0 ? 0 : -1;
}

int ws_conn_send_text(struct ws_conn *c, const char *text, size_t len)
{
    if (c->closing)
        return -1;
    if ((size_t)conn_output_len(c) + len > c->srv->lim.out_max) {
        c->srv->stats.closed_slow++;
        conn_start_close(c, WSLAY_CODE_POLICY_VIOLATION, "not reading: too much queued");
        if (c->ctx)
            wslay_event_send(c->ctx);
        return -1;
    }
    if (conn_write_frame(c, WSLAY_TEXT_FRAME, text, len) != 0)
        return -1;
    c->srv->stats.msgs_out++;
    return 0;
}

void ws_conn_close(struct ws_conn *c, uint16_t code, const char *reason)
{
    conn_start_close(c, code, reason);
    if (c->ctx)
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
    if (!c->bev)
        return; /* not taken over yet */
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
    if (!c->ping_sent_ms && now - c->last_rx_ms > s->lim.ping_interval_ms &&
        conn_write_frame(c, WSLAY_PING, "gavel", 5) == 0)
        c->ping_sent_ms = now;
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
        if (!c->closing && c->bev)
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
