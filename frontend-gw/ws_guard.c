/*
 * ws_guard.c - walks the client's byte stream frame by frame and checks each header.
 *
 * Theory of operation. The stream alternates headers (2 to 14 bytes) and payloads. The guard
 * collects a header byte by byte until its length is known, judges it with header_check(), then
 * skips that many payload bytes without looking at them (wslay unmasks and reads them). Rules
 * checked here, all of RFC 6455 section 5: client frames are masked; no RSV bit (we negotiate no
 * extension); the opcode is one of 0, 1, 2, 8, 9, 10; control frames carry at most 125 bytes and
 * have FIN set; a close payload is never exactly one byte; 16- and 64-bit lengths are minimal and
 * the 64-bit one has its top bit clear. Fragmentation order (continuation without a start, a new
 * data frame inside a fragmented message) is left to wslay, which answers it with 1002 itself;
 * the guard only remembers whether a fragmented message is open, so ws_conn knows when wslay's
 * state can be dropped. ws_frame_header() writes the other direction's (unmasked) headers.
 */
#include "ws_guard.h"

#include <string.h>

void ws_guard_init(struct ws_guard *g)
{
    memset(g, 0, sizeof *g);
}

/* Header length once the first two bytes are known: 2 + extended length + 4 mask bytes. */
static size_t header_len(const uint8_t *h)
{
    size_t n = 2;
    uint8_t len7 = h[1] & 0x7f;
    if (len7 == 126)
        n += 2;
    else if (len7 == 127)
        n += 8;
    if (h[1] & 0x80)
        n += 4;
    return n;
}

static const char *header_check(const uint8_t *h, uint64_t *payload)
{
    uint8_t opcode = h[0] & 0x0f, len7 = h[1] & 0x7f;
    int fin = h[0] & 0x80, control = opcode & 0x08;
    if (h[0] & 0x70)
        return "RSV bit set without an extension";
    if (!(h[1] & 0x80))
        return "client frame not masked";
    if (!(opcode <= 2 || (opcode >= 8 && opcode <= 10)))
        return "unknown opcode";
    if (control && (len7 > 125 || !fin))
        return "control frame too long or fragmented";
    if (opcode == 8 && len7 == 1)
        return "close payload of one byte";
    uint64_t n = len7;
    if (len7 == 126) {
        n = (uint64_t)h[2] << 8 | h[3];
        if (n < 126)
            return "non-minimal 16-bit length";
    } else if (len7 == 127) {
        n = 0;
        for (int i = 2; i < 10; i++)
            n = n << 8 | h[i];
        if (n >> 63 || n < 65536)
            return "bad 64-bit length";
    }
    *payload = n;
    return NULL;
}

size_t ws_guard_feed(struct ws_guard *g, const uint8_t *data, size_t len)
{
    size_t i = 0;
    while (i < len && !g->failed) {
        if (g->remaining > 0) {
            uint64_t skip = len - i < g->remaining ? len - i : g->remaining;
            g->remaining -= skip;
            i += (size_t)skip;
            continue;
        }
        size_t frame_start = i - g->head_len; /* may wrap when the header began in an earlier
                                                 feed; then the bad frame starts at offset 0 */
        if (g->head_len > i)
            frame_start = 0;
        g->head[g->head_len++] = data[i++];
        if (g->head_len < 2 || g->head_len < header_len(g->head))
            continue;
        uint64_t payload = 0;
        g->reason = header_check(g->head, &payload);
        if (g->reason) {
            g->failed = 1;
            return frame_start;
        }
        g->remaining = payload;
        if ((g->head[0] & 0x0f) <= 2) /* data frames: continuation, text, binary */
            g->in_message = !(g->head[0] & 0x80);
        g->head_len = 0;
    }
    return g->failed ? 0 : len;
}

int ws_guard_at_rest(const struct ws_guard *g)
{
    return !g->failed && g->head_len == 0 && g->remaining == 0 && !g->in_message;
}

size_t ws_frame_header(uint8_t out[WS_FRAME_HEADER_MAX], int opcode, uint64_t len)
{
    out[0] = (uint8_t)(0x80 | (opcode & 0x0f));
    if (len < 126) {
        out[1] = (uint8_t)len;
        return 2;
    }
    if (len < 65536) {
        out[1] = 126;
        out[2] = (uint8_t)(len >> 8);
        out[3] = (uint8_t)len;
        return 4;
    }
    out[1] = 127;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t)(len >> (56 - 8 * i));
    return 10;
}
