/*
 * fuzz_ws.c - libFuzzer target for the bytes strangers send the gateway before and after the
 * upgrade: the handshake parser (ws_handshake_parse, with and without an Origin allow-list, and
 * the response/refusal writers), the client-message decoder (gw_msg_parse) and the frame guard
 * (ws_guard_feed, in chunks whose sizes the input chooses). Invariants are asserted, not only
 * crashes: an accepted handshake has a 28-character key and a head inside the input; the guard
 * never hands over more than it was given and stays failed once failed.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gw_msg.h"
#include "ws_guard.h"
#include "ws_handshake.h"

static void fuzz_handshake(const uint8_t *data, size_t size)
{
    static const char *const origins[] = {"https://gavel.example"};
    const struct ws_hs_config cfgs[2] = {{NULL, 0, "/ws"}, {origins, 1, "/ws"}};
    for (int i = 0; i < 2; i++) {
        struct ws_hs_result r;
        char out[2048];
        enum ws_hs_verdict v = ws_handshake_parse((const char *)data, size, &cfgs[i], &r);
        if (v == WS_HS_ACCEPT) {
            assert(strlen(r.accept) == WS_HS_ACCEPT_LEN);
            assert(r.head_len <= size);
            assert(ws_handshake_response(&r, out, sizeof out) > 0);
        } else if (v == WS_HS_REFUSE) {
            assert(r.status >= 400 && r.status < 600);
            assert(ws_handshake_refusal(&r, out, sizeof out) > 0);
        } else {
            assert(size < WS_HS_HEAD_MAX);
        }
    }
}

static void fuzz_message(const uint8_t *data, size_t size)
{
    struct gw_msg m;
    char out[GW_MSG_ERROR_MAX];
    if (gw_msg_parse((const char *)data, size, &m) == GW_MSG_INVALID)
        assert(gw_msg_error_json(&m, NULL, NULL, out, sizeof out) > 0);
    else
        assert(queue_id_valid(m.id));
}

static void fuzz_guard(const uint8_t *data, size_t size)
{
    struct ws_guard g;
    ws_guard_init(&g);
    size_t i = 0;
    while (i < size) {
        size_t chunk = 1 + data[i] % 17;
        if (chunk > size - i)
            chunk = size - i;
        int was_failed = g.failed;
        size_t ok = ws_guard_feed(&g, data + i, chunk);
        assert(ok <= chunk);
        assert(!was_failed || ok == 0);
        assert(g.failed || ok == chunk);
        i += chunk;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_handshake(data, size);
    fuzz_message(data, size);
    fuzz_guard(data, size);
    return 0;
}
