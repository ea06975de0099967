/*
 * ws_handshake.h - the server side of the RFC 6455 opening handshake, as pure functions of bytes.
 *
 * The gateway accepts sockets itself (see gw_listen.h) and hands us the head of a request that
 * asked for /ws. We decide: wait for more bytes, refuse with an HTTP status, or accept with the
 * Sec-WebSocket-Accept key. No I/O, no allocation: the same code runs under the fuzzer.
 */
#ifndef GAVEL_WS_HANDSHAKE_H
#define GAVEL_WS_HANDSHAKE_H

#include <stddef.h>

#define WS_HS_HEAD_MAX    8192 /* the longest request head we read before refusing (431) */
#define WS_HS_HEADERS_MAX 64   /* header lines beyond this are refused (431) */
#define WS_HS_ACCEPT_LEN  28   /* base64 of a SHA-1 digest */
#define WS_HS_ORIGINS_MAX 16   /* entries in the Origin allow-list */

enum ws_hs_verdict {
    WS_HS_INCOMPLETE, /* no blank line yet: read more (unless WS_HS_HEAD_MAX is reached) */
    WS_HS_ACCEPT,     /* a valid upgrade: send ws_handshake_response() */
    WS_HS_REFUSE,     /* answer `status` with ws_handshake_refusal() and close */
};

/* What the server accepts. origins == NULL or n_origins == 0: any Origin (or none). */
struct ws_hs_config {
    const char *const *origins;
    size_t n_origins;
    const char *path; /* the upgrade path, "/ws" */
};

struct ws_hs_result {
    enum ws_hs_verdict verdict;
    int status;                         /* HTTP status when refused: 400, 403, 404, 405, 426, 431 */
    const char *reason;                 /* a static, human-readable reason for a refusal */
    size_t head_len;                    /* bytes of the head, blank line included */
    char accept[WS_HS_ACCEPT_LEN + 1];  /* Sec-WebSocket-Accept when accepted */
    int offered_deflate;                /* the client offered permessage-deflate (we decline) */
};

/* Parses the request head at buf[0..len) against cfg; fills *out and returns out->verdict. */
enum ws_hs_verdict ws_handshake_parse(const char *buf, size_t len, const struct ws_hs_config *cfg,
                                      struct ws_hs_result *out);

/* Computes base64(SHA-1(key + RFC 6455 GUID)) into out (WS_HS_ACCEPT_LEN + 1 bytes). 0 or -1. */
int ws_handshake_accept_key(const char *key, size_t key_len, char *out);

/* Writes the 101 Switching Protocols response for an accepted result. Returns its length, or -1
 * when size is too small. */
int ws_handshake_response(const struct ws_hs_result *res, char *buf, size_t size);

/* Writes the HTTP refusal (status, JSON error body, Sec-WebSocket-Version for 426, Connection:
 * close). Returns its length, or -1 when size is too small. */
int ws_handshake_refusal(const struct ws_hs_result *res, char *buf, size_t size);

#endif
