/*
 * ws_handshake.c - the RFC 6455 opening handshake, server side, as a pure function of bytes.
 *
 * Theory of operation. gw_listen peeks at each new connection; a request for /ws comes here as
 * raw bytes, never through evhttp. ws_handshake_parse() finds the end of the head (CRLF CRLF,
 * capped at WS_HS_HEAD_MAX), splits the request line and the header lines, and checks every rule
 * of RFC 6455 section 4.2.1 in turn: GET, HTTP/1.1, the path, Host, an Upgrade token "websocket",
 * a Connection token "upgrade", Sec-WebSocket-Version 13 (else 426 naming the version we speak),
 * a Sec-WebSocket-Key that is the canonical base64 of exactly 16 bytes, the Origin allow-list,
 * and no request body. Each rule is one small function; the first failure decides the status.
 * The accept key is base64(SHA-1(key + GUID)) through libcrypto. permessage-deflate is noted and
 * declined (we never answer Sec-WebSocket-Extensions), as the RFC allows.
 */
#include "ws_handshake.h"

#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define WS_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
#define WS_KEY_B64_LEN 24 /* base64 of 16 bytes */

/* A slice of the input: never NUL-terminated, never copied. */
struct span {
    const char *p;
    size_t n;
};

/* What the header walk collects. */
struct hs_headers {
    int host, upgrade_seen, upgrade_ok, connection_ok, version_seen, version_ok, key_seen;
    int origin_seen, origin_ok, body, deflate, dup;
    struct span key;
};

/*** Small text helpers ***/

static int span_ieq(struct span s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && strncasecmp(s.p, lit, n) == 0;
}

static int is_ows(char c)
{
    return c == ' ' || c == '\t';
}

static struct span span_trim(struct span s)
{
    while (s.n > 0 && is_ows(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_ows(s.p[s.n - 1]))
        s.n--;
    return s;
}

/* True when the comma-separated list `v` holds `token` (case-insensitive). */
static int list_has_token(struct span v, const char *token)
{
    size_t start = 0;
    for (size_t i = 0; i <= v.n; i++) {
        if (i == v.n || v.p[i] == ',') {
            struct span item = span_trim((struct span){v.p + start, i - start});
            /* An extension offer may carry parameters: compare the name before ';'. */
            const char *semi = memchr(item.p, ';', item.n);
            if (semi)
                item = span_trim((struct span){item.p, (size_t)(semi - item.p)});
            if (span_ieq(item, token))
                return 1;
            start = i + 1;
        }
    }
    return 0;
}

static int b64_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

/* The key must be the canonical base64 of 16 bytes: 22 symbols, "==", and the last symbol's
 * four unused bits zero (RFC 4648 section 3.5), so one nonce has one spelling. */
static int key_valid(struct span k)
{
    if (k.n != WS_KEY_B64_LEN || k.p[22] != '=' || k.p[23] != '=')
        return 0;
    for (size_t i = 0; i < 22; i++)
        if (b64_value(k.p[i]) < 0)
            return 0;
    return (b64_value(k.p[21]) & 0x0f) == 0;
}

/*** The request line ***/

static int refuse(struct ws_hs_result *out, int status, const char *reason)
{
    out->verdict = WS_HS_REFUSE;
    out->status = status;
    out->reason = reason;
    return -1;
}

static int check_request_line(struct span line, const struct ws_hs_config *cfg,
                              struct ws_hs_result *out)
{
    const char *sp1 = memchr(line.p, ' ', line.n);
    if (!sp1)
        return refuse(out, 400, "malformed request line");
    struct span method = {line.p, (size_t)(sp1 - line.p)};
    struct span rest = {sp1 + 1, line.n - method.n - 1};
    const char *sp2 = memchr(rest.p, ' ', rest.n);
    if (!sp2)
        return refuse(out, 400, "malformed request line");
    struct span target = {rest.p, (size_t)(sp2 - rest.p)};
    struct span version = {sp2 + 1, rest.n - target.n - 1};
    if (!(version.n == 8 && memcmp(version.p, "HTTP/1.1", 8) == 0))
        return refuse(out, 400, "WebSocket needs HTTP/1.1");
    if (!(method.n == 3 && memcmp(method.p, "GET", 3) == 0))
        return refuse(out, 405, "WebSocket upgrade must use GET");
    const char *q = memchr(target.p, '?', target.n);
    struct span path = {target.p, q ? (size_t)(q - target.p) : target.n};
    const char *want = cfg->path ? cfg->path : "/ws";
    if (!(path.n == strlen(want) && memcmp(path.p, want, path.n) == 0))
        return refuse(out, 404, "no WebSocket endpoint at this path");
    return 0;
}

/*** Header lines ***/

static int origin_allowed(struct span v, const struct ws_hs_config *cfg)
{
    for (size_t i = 0; i < cfg->n_origins && i < WS_HS_ORIGINS_MAX; i++) {
        size_t n = strlen(cfg->origins[i]);
        if (v.n == n && strncasecmp(v.p, cfg->origins[i], n) == 0)
            return 1;
    }
    return 0;
}

/* One "Name: value" line into *h; -1 when the line is not a header at all. */
static int take_header(struct span line, const struct ws_hs_config *cfg, struct hs_headers *h)
{
    const char *colon = memchr(line.p, ':', line.n);
    if (!colon || colon == line.p || is_ows(line.p[0]))
        return -1; /* no name, or obsolete line folding */
    struct span name = {line.p, (size_t)(colon - line.p)};
    for (size_t i = 0; i < name.n; i++)
        if (name.p[i] <= ' ' || name.p[i] >= 127)
            return -1;
    struct span v = span_trim((struct span){colon + 1, line.n - name.n - 1});
    if (span_ieq(name, "Host")) {
        h->dup |= h->host;
        h->host = v.n > 0;
    } else if (span_ieq(name, "Upgrade")) {
        h->upgrade_seen = 1;
        h->upgrade_ok |= list_has_token(v, "websocket");
    } else if (span_ieq(name, "Connection")) {
        h->connection_ok |= list_has_token(v, "upgrade");
    } else if (span_ieq(name, "Sec-WebSocket-Version")) {
        h->dup |= h->version_seen;
        h->version_seen = 1;
        h->version_ok = v.n == 2 && memcmp(v.p, "13", 2) == 0;
    } else if (span_ieq(name, "Sec-WebSocket-Key")) {
        h->dup |= h->key_seen;
        h->key_seen = 1;
        h->key = v;
    } else if (span_ieq(name, "Origin")) {
        h->dup |= h->origin_seen;
        h->origin_seen = 1;
        h->origin_ok = origin_allowed(v, cfg);
    } else if (span_ieq(name, "Sec-WebSocket-Extensions")) {
        h->deflate |= list_has_token(v, "permessage-deflate");
    } else if (span_ieq(name, "Transfer-Encoding")) {
        h->body = 1;
    } else if (span_ieq(name, "Content-Length")) {
        h->body |= !(v.n == 1 && v.p[0] == '0');
    }
    return 0;
}

/* The rules on the collected headers, in the order RFC 6455 section 4.2.1 lists them. */
static int check_headers(const struct hs_headers *h, const struct ws_hs_config *cfg,
                         struct ws_hs_result *out)
{
    if (h->dup)
        return refuse(out, 400, "a handshake header appears twice");
    if (!h->host)
        return refuse(out, 400, "missing Host");
    if (!h->upgrade_seen)
        return refuse(out, 426, "this endpoint only speaks WebSocket");
    if (!h->upgrade_ok)
        return refuse(out, 400, "Upgrade must name websocket");
    if (!h->connection_ok)
        return refuse(out, 400, "Connection must include Upgrade");
    if (!h->version_ok)
        return refuse(out, 426, "unsupported Sec-WebSocket-Version");
    if (!h->key_seen || !key_valid(h->key))
        return refuse(out, 400, "Sec-WebSocket-Key must be base64 of 16 bytes");
    if (cfg->n_origins > 0 && !(h->origin_seen && h->origin_ok))
        return refuse(out, 403, "Origin not allowed");
    if (h->body)
        return refuse(out, 400, "a WebSocket upgrade has no body");
    return 0;
}

/*** Public API ***/

enum ws_hs_verdict ws_handshake_parse(const char *buf, size_t len, const struct ws_hs_config *cfg,
                                      struct ws_hs_result *out)
{
    memset(out, 0, sizeof *out);
    const char *end = len >= 4 ? memmem(buf, len, "\r\n\r\n", 4) : NULL;
    if (!end || (size_t)(end - buf) + 4 > WS_HS_HEAD_MAX) {
        if (len >= WS_HS_HEAD_MAX || (end && (size_t)(end - buf) + 4 > WS_HS_HEAD_MAX)) {
            refuse(out, 431, "request head too large");
            return out->verdict;
        }
        out->verdict = WS_HS_INCOMPLETE;
        return out->verdict;
    }
    out->head_len = (size_t)(end - buf) + 4;
    if (memchr(buf, '\0', out->head_len)) {
        refuse(out, 400, "NUL byte in request head");
        return out->verdict;
    }
    const char *eol = memmem(buf, out->head_len, "\r\n", 2);
    if (check_request_line((struct span){buf, (size_t)(eol - buf)}, cfg, out) < 0)
        return out->verdict;

    struct hs_headers h = {0};
    size_t lines = 0;
    for (const char *p = eol + 2; p < end + 2;) {
        const char *nl = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
        struct span line = {p, (size_t)(nl - p)};
        if (++lines > WS_HS_HEADERS_MAX) {
            refuse(out, 431, "too many header lines");
            return out->verdict;
        }
        if (take_header(line, cfg, &h) < 0) {
            refuse(out, 400, "malformed header line");
            return out->verdict;
        }
        p = nl + 2;
    }
    if (check_headers(&h, cfg, out) < 0)
        return out->verdict;
    if (ws_handshake_accept_key(h.key.p, h.key.n, out->accept) < 0) {
        refuse(out, 500, "cannot compute the accept key");
        return out->verdict;
    }
    out->offered_deflate = h.deflate;
    out->verdict = WS_HS_ACCEPT;
    return out->verdict;
}

int ws_handshake_accept_key(const char *key, size_t key_len, char *out)
{
    unsigned char digest[SHA_DIGEST_LENGTH];
    char joined[WS_KEY_B64_LEN + sizeof WS_GUID];
    if (key_len > WS_KEY_B64_LEN)
        return -1;
    memcpy(joined, key, key_len);
    memcpy(joined + key_len, WS_GUID, sizeof WS_GUID - 1);
    if (!SHA1((const unsigned char *)joined, key_len + sizeof WS_GUID - 1, digest))
        return -1;
    int n = EVP_EncodeBlock((unsigned char *)out, digest, SHA_DIGEST_LENGTH);
    return n == WS_HS_ACCEPT_LEN ? 0 : -1;
}

int ws_handshake_response(const struct ws_hs_result *res, char *buf, size_t size)
{
    int n = snprintf(buf, size,
                     "HTTP/1.1 101 Switching Protocols\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n\r\n",
                     res->accept);
    return n < 0 || (size_t)n >= size ? -1 : n;
}

/* Status lines of the refusals we make; a table, not a switch. */
static const struct {
    int status;
    const char *text, *code;
} refusal_names[] = {
    {400, "Bad Request", "bad_request"},
    {403, "Forbidden", "forbidden_origin"},
    {404, "Not Found", "not_found"},
    {405, "Method Not Allowed", "method_not_allowed"},
    {426, "Upgrade Required", "upgrade_required"},
    {431, "Request Header Fields Too Large", "header_too_large"},
    {500, "Internal Server Error", "internal"},
};

int ws_handshake_refusal(const struct ws_hs_result *res, char *buf, size_t size)
{
    const char *text = "Bad Request", *code = "bad_request";
    for (size_t i = 0; i < sizeof refusal_names / sizeof refusal_names[0]; i++)
        if (refusal_names[i].status == res->status) {
            text = refusal_names[i].text;
            code = refusal_names[i].code;
        }
    char body[256];
    int bn = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}", code,
                      res->reason ? res->reason : text);
    if (bn < 0 || (size_t)bn >= sizeof body)
        return -1;
    int n = snprintf(buf, size,
                     "HTTP/1.1 %d %s\r\n"
                     "%s"
                     "%s"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %d\r\n"
                     "Connection: close\r\n\r\n%s",
                     res->status, text,
                     res->status == 426 ? "Sec-WebSocket-Version: 13\r\nUpgrade: websocket\r\n" : "",
                     res->status == 405 ? "Allow: GET\r\n" : "", bn, body);
    return n < 0 || (size_t)n >= size ? -1 : n;
}
