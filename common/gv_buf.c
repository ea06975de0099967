/*
 * gv_buf.c - growable byte buffers with a hard cap.
 *
 * Anything that collects bytes from the outside world (a request body, a program's output, a
 * compiler's messages) goes through a gv_buf whose owner names the most it may hold. Growth doubles
 * the allocation, so appends are amortised O(1); the cap is checked before any allocation, so a
 * hostile peer can never make us allocate more than the cap plus one byte.
 */
#include "gv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GV_BUF_MIN_ALLOC 64

void gv_buf_init(struct gv_buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap ? cap : SIZE_MAX / 2;
}

void gv_buf_free(struct gv_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->alloc = 0;
}

void gv_buf_reset(struct gv_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int buf_reserve(struct gv_buf *b, size_t extra)
{
    if (extra > b->cap - b->len) {
        errno = EMSGSIZE;
        return -1;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return 0;
    size_t alloc = b->alloc ? b->alloc : GV_BUF_MIN_ALLOC;
    while (alloc < need)
        alloc *= 2;
    if (alloc > b->cap + 1)
        alloc = b->cap + 1;
    char *p = realloc(b->data, alloc);
    if (!p)
        return -1;
    b->data = p;
    b->alloc = alloc;
    return 0;
}

int gv_buf_append(struct gv_buf *b, const void *data, size_t len)
{
    if (buf_reserve(b, len) < 0)
        return -1;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return 0;
}

int gv_buf_printf(struct gv_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if (buf_reserve(b, (size_t)n) < 0)
        return -1;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return 0;
}

char *gv_buf_steal(struct gv_buf *b)
{
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    b->data = NULL;
    b->len = b->alloc = 0;
    return p;
}
